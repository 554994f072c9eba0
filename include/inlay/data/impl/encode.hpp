// OneHotEncoder (data/encode.hpp).
#ifndef INLAY_DATA_IMPL_ENCODE_HPP
#define INLAY_DATA_IMPL_ENCODE_HPP

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "inlay/data/encode.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

namespace detail {

// Checks the listed columns are distinct and inside `width`.
inline void check_encoded_columns(const std::vector<std::size_t>& columns, std::size_t width,
                                  const char* who) {
  if (columns.empty()) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": no column to encode");
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] >= width) {
      fail(ErrorKind::invalid_argument, std::string(who) + ": column " +
                                            std::to_string(columns[i]) + " outside " +
                                            std::to_string(width) + " features");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (columns[j] == columns[i]) {
        fail(ErrorKind::invalid_argument,
             std::string(who) + ": column " + std::to_string(columns[i]) + " listed twice");
      }
    }
  }
}

}  // namespace detail

void OneHotEncoder::fit(const Tensor& x) {
  if (x.dtype() != DType::f32 || x.rank() != 2 || x.shape()[0] < 1) {
    fail(ErrorKind::invalid_argument, "OneHotEncoder::fit: expected f32 [n >= 1, features], got " +
                                          std::string(dtype_name(x.dtype())) + " " +
                                          x.shape().to_string());
  }
  const std::size_t n = static_cast<std::size_t>(x.shape()[0]);
  const std::size_t f = static_cast<std::size_t>(x.shape()[1]);
  detail::check_encoded_columns(columns_, f, "OneHotEncoder::fit");
  const float* p = x.data<float>();
  std::vector<std::vector<float>> cats(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    for (std::size_t r = 0; r < n; ++r) {
      const float v = p[r * f + columns_[i]];
      if (std::isinf(v)) {
        fail(ErrorKind::invalid_argument, "OneHotEncoder::fit: infinite value at row " +
                                              std::to_string(r) + ", column " +
                                              std::to_string(columns_[i]));
      }
      if (!std::isnan(v)) cats[i].push_back(v);
    }
    std::sort(cats[i].begin(), cats[i].end());
    cats[i].erase(std::unique(cats[i].begin(), cats[i].end()), cats[i].end());
    if (cats[i].empty()) {
      fail(ErrorKind::invalid_argument, "OneHotEncoder::fit: column " +
                                            std::to_string(columns_[i]) +
                                            " has no value (all rows missing)");
    }
  }
  categories_ = std::move(cats);
  width_ = f;
}

std::size_t OneHotEncoder::output_width() const noexcept {
  std::size_t w = width_ - columns_.size();
  for (const std::vector<float>& c : categories_) w += c.size();
  return w;
}

Tensor OneHotEncoder::transform(const Tensor& x) const {
  if (!fitted())
    fail(ErrorKind::invalid_argument, "OneHotEncoder::transform: fit() was not called");
  if (x.dtype() != DType::f32 || x.rank() != 2 ||
      static_cast<std::size_t>(x.shape()[1]) != width_) {
    fail(ErrorKind::shape_mismatch, "OneHotEncoder::transform: fitted on f32 [n, " +
                                        std::to_string(width_) + "], given " +
                                        dtype_name(x.dtype()) + " " + x.shape().to_string());
  }
  const std::size_t n = static_cast<std::size_t>(x.shape()[0]);
  const std::size_t out_w = output_width();
  // Per input column: the index into columns_ of an encoded one, or -1.
  std::vector<std::ptrdiff_t> encoded(width_, -1);
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    encoded[columns_[i]] = static_cast<std::ptrdiff_t>(i);
  }
  Tensor out(DType::f32, Shape{static_cast<std::int64_t>(n), static_cast<std::int64_t>(out_w)});
  const float* in = x.data<float>();
  float* o = out.data<float>();
  std::fill(o, o + n * out_w, 0.0f);
  for (std::size_t r = 0; r < n; ++r) {
    std::size_t k = 0;
    for (std::size_t c = 0; c < width_; ++c) {
      const float v = in[r * width_ + c];
      if (encoded[c] < 0) {
        o[r * out_w + k++] = v;
        continue;
      }
      const std::vector<float>& cats = categories_[static_cast<std::size_t>(encoded[c])];
      const auto it = std::lower_bound(cats.begin(), cats.end(), v);
      if (!std::isnan(v) && it != cats.end() && *it == v) {
        o[r * out_w + k + static_cast<std::size_t>(it - cats.begin())] = 1.0f;
      }
      k += cats.size();
    }
  }
  return out;
}

Tensor OneHotEncoder::fit_transform(const Tensor& x) {
  fit(x);
  return transform(x);
}

void OneHotEncoder::set(std::size_t input_width, std::vector<std::vector<float>> categories) {
  detail::check_encoded_columns(columns_, input_width, "OneHotEncoder::set");
  if (categories.size() != columns_.size()) {
    fail(ErrorKind::invalid_argument, "OneHotEncoder::set: " + std::to_string(categories.size()) +
                                          " category lists for " + std::to_string(columns_.size()) +
                                          " columns");
  }
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const std::vector<float>& c = categories[i];
    bool sorted = !c.empty();
    for (std::size_t j = 0; j < c.size(); ++j) {
      if (!std::isfinite(c[j]) || (j && !(c[j - 1] < c[j]))) sorted = false;
    }
    if (!sorted) {
      fail(ErrorKind::invalid_argument, "OneHotEncoder::set: the categories of column " +
                                            std::to_string(columns_[i]) +
                                            " are not finite, distinct and sorted");
    }
  }
  categories_ = std::move(categories);
  width_ = input_width;
}

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_IMPL_ENCODE_HPP
