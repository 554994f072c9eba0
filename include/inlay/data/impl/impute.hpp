// Imputer (data/impute.hpp): per-column fills from the values that are not NaN.
#ifndef INLAY_DATA_IMPL_IMPUTE_HPP
#define INLAY_DATA_IMPL_IMPUTE_HPP

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "inlay/data/impute.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

const char* impute_strategy_name(ImputeStrategy s) noexcept {
  switch (s) {
    case ImputeStrategy::mean: return "mean";
    case ImputeStrategy::median: return "median";
    case ImputeStrategy::most_frequent: return "most_frequent";
    case ImputeStrategy::constant: return "constant";
  }
  return "?";
}

namespace detail {

inline void impute_shape(const Tensor& x, const char* who, std::size_t& n, std::size_t& f) {
  if (x.dtype() != DType::f32 || x.rank() != 2 || x.shape()[0] < 1) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": expected f32 [n >= 1, features], got " +
                                          dtype_name(x.dtype()) + " " + x.shape().to_string());
  }
  n = static_cast<std::size_t>(x.shape()[0]);
  f = static_cast<std::size_t>(x.shape()[1]);
}

// The fill of one column's present values (sorted), by strategy (not constant).
inline float column_fill(std::vector<float>& v, ImputeStrategy s) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  if (s == ImputeStrategy::mean) {
    double sum = 0;
    for (float a : v) sum += a;
    return static_cast<float>(sum / static_cast<double>(n));
  }
  if (s == ImputeStrategy::median) {
    return n % 2 ? v[n / 2] : static_cast<float>((double{v[n / 2 - 1]} + v[n / 2]) / 2);
  }
  // Most frequent: the first longest run of the sorted values, i.e. the smallest on ties.
  float best = v[0];
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && v[j] == v[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

}  // namespace detail

void Imputer::fit(const Tensor& x) {
  std::size_t n, f;
  detail::impute_shape(x, "Imputer::fit", n, f);
  if (strategy_ == ImputeStrategy::constant && !std::isfinite(fill_value_)) {
    fail(ErrorKind::invalid_argument, "Imputer::fit: the constant fill value is not finite");
  }
  const float* p = x.data<float>();
  std::vector<float> fills(f, fill_value_);
  if (strategy_ != ImputeStrategy::constant) {
    std::vector<float> present;
    for (std::size_t c = 0; c < f; ++c) {
      present.clear();
      for (std::size_t r = 0; r < n; ++r) {
        const float v = p[r * f + c];
        if (std::isinf(v)) {
          fail(ErrorKind::invalid_argument, "Imputer::fit: infinite value at row " +
                                                std::to_string(r) + ", column " +
                                                std::to_string(c));
        }
        if (!std::isnan(v)) present.push_back(v);
      }
      if (present.empty()) {
        fail(ErrorKind::invalid_argument,
             "Imputer::fit: column " + std::to_string(c) + " has no value (all " +
                 std::to_string(n) + " rows missing) to compute its " +
                 impute_strategy_name(strategy_) + "; drop it or use ImputeStrategy::constant");
      }
      fills[c] = detail::column_fill(present, strategy_);
    }
  }
  fills_ = std::move(fills);
}

Tensor Imputer::transform(const Tensor& x) const {
  std::size_t n, f;
  detail::impute_shape(x, "Imputer::transform", n, f);
  if (!fitted()) fail(ErrorKind::invalid_argument, "Imputer::transform: fit() was not called");
  if (f != fills_.size()) {
    fail(ErrorKind::shape_mismatch, "Imputer::transform: fitted on " +
                                        std::to_string(fills_.size()) + " features, given " +
                                        std::to_string(f));
  }
  Tensor out(DType::f32, x.shape());
  const float* in = x.data<float>();
  float* o = out.data<float>();
  for (std::size_t i = 0; i < n * f; ++i) o[i] = std::isnan(in[i]) ? fills_[i % f] : in[i];
  return out;
}

Tensor Imputer::fit_transform(const Tensor& x) {
  fit(x);
  return transform(x);
}

void Imputer::set(std::vector<float> fills) {
  if (fills.empty()) fail(ErrorKind::invalid_argument, "Imputer::set: no fill values");
  for (std::size_t c = 0; c < fills.size(); ++c) {
    if (!std::isfinite(fills[c])) {
      fail(ErrorKind::invalid_argument,
           "Imputer::set: the fill of column " + std::to_string(c) + " is not finite");
    }
  }
  fills_ = std::move(fills);
}

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_IMPL_IMPUTE_HPP
