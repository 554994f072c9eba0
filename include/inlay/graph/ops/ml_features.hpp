// ai.onnx.ml ops that select, join and encode features: ArrayFeatureExtractor (columns of the
// last axis), FeatureVectorizer (several inputs side by side) and OneHotEncoder (int64 or
// string categories). Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_FEATURES_HPP
#define INLAY_GRAPH_OPS_ML_FEATURES_HPP

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// ArrayFeatureExtractor: Z[..., j] = X[..., Y[j]]. A 1-D X gives [1, len(Y)], as ONNX Runtime.
class ArrayFeatureExtractorKernel final : public OpKernel {
 public:
  explicit ArrayFeatureExtractorKernel(const OpInfo&) {}
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() == 0) ctx.fail(ErrorKind::shape_mismatch, "X must have rank 1 or more, not 0");
    if (ctx.input(1).dtype() != DType::i64) {
      ctx.fail(ErrorKind::invalid_model,
               std::string("Y must be int64, not ") + dtype_name(ctx.input(1).dtype()));
    }
    const Tensor& idx = ctx.input(1);
    const std::int64_t c = x.shape()[x.rank() - 1];
    const std::int64_t k = idx.numel();
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t i = idx.data<std::int64_t>()[j];
      if (i < 0 || i >= c) {
        ctx.fail(ErrorKind::invalid_argument,
                 "index Y[" + std::to_string(j) + "] = " + std::to_string(i) +
                     " is out of range for X " + x.shape().to_string());
      }
    }
    std::vector<std::int64_t> dims = dims_of(x.shape());
    if (dims.size() == 1) dims.insert(dims.begin(), 1);
    dims.back() = k;
    const std::int64_t rows = c ? x.numel() / c : 0;
    Tensor& z = ctx.output(0, x.dtype(), make_shape(dims));
    if (x.dtype() == DType::string) {
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t j = 0; j < k; ++j) {
          z.data<std::string>()[r * k + j] =
              x.data<std::string>()[r * c + idx.data<std::int64_t>()[j]];
        }
      }
      return;
    }
    const std::size_t e = dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(const_cast<void*>(z.raw_data()));
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t j = 0; j < k; ++j) {
        std::memcpy(dst + static_cast<std::size_t>(r * k + j) * e,
                    src + static_cast<std::size_t>(r * c + idx.data<std::int64_t>()[j]) * e, e);
      }
    }
  }
};

// FeatureVectorizer: inputs [N, C_i] side by side as float, input i cut or zero-padded to
// inputdimensions[i] columns.
class FeatureVectorizerKernel final : public OpKernel {
 public:
  explicit FeatureVectorizerKernel(const OpInfo& info) : dims_(info.get_ints("inputdimensions")) {
    if (dims_.size() != info.input_count()) {
      info.fail(ErrorKind::invalid_model, "inputdimensions has " + std::to_string(dims_.size()) +
                                              " entries for " + std::to_string(info.input_count()) +
                                              " inputs");
    }
    for (std::int64_t d : dims_) {
      // Bounded so that the sum cannot overflow; a real feature vector is far narrower.
      if (d < 0 || d > (std::int64_t{1} << 32)) {
        info.fail(ErrorKind::invalid_model,
                  "inputdimensions entry " + std::to_string(d) + " is negative or too large");
      }
      width_ += d;
    }
  }
  void run(OpContext& ctx) const override {
    std::int64_t n = -1;
    std::vector<MlRows> xs;
    for (std::size_t i = 0; i < dims_.size(); ++i) {
      xs.push_back(ml_rows(ctx, ctx.input(i), "input"));
      if (n >= 0 && xs.back().n != n) {
        ctx.fail(ErrorKind::shape_mismatch, "input " + std::to_string(i) + " has " +
                                                std::to_string(xs.back().n) +
                                                " rows, input 0 has " + std::to_string(n));
      }
      n = xs.back().n;
    }
    Tensor& y = ctx.output(0, DType::f32, Shape{n, width_});
    float* py = y.data<float>();
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::size_t i = 0; i < xs.size(); ++i) {
        for (std::int64_t k = 0; k < dims_[i]; ++k) {
          *py++ = k < xs[i].c
                      ? static_cast<float>(xs[i].v[static_cast<std::size_t>(r * xs[i].c + k)])
                      : 0.0f;
        }
      }
    }
  }

 private:
  std::vector<std::int64_t> dims_;
  std::int64_t width_ = 0;
};

// OneHotEncoder: Y = X's shape + [categories], 1 at the category of each element. An unknown
// value gives a zero row (zeros = 1, the default) or an error (zeros = 0).
class OneHotEncoderKernel final : public OpKernel {
 public:
  explicit OneHotEncoderKernel(const OpInfo& info) : zeros_(info.get_int("zeros", 1) != 0) {
    const auto ints = info.get_ints("cats_int64s");
    const auto strings = info.get_strings("cats_strings");
    if (ints.empty() == strings.empty()) {
      info.fail(ErrorKind::invalid_model, "give exactly one of cats_int64s and cats_strings");
    }
    strings_ = !strings.empty();
    count_ = static_cast<std::int64_t>(strings_ ? strings.size() : ints.size());
    for (std::size_t i = 0; i < ints.size(); ++i)
      ints_.emplace(ints[i], static_cast<std::int64_t>(i));
    for (std::size_t i = 0; i < strings.size(); ++i) {
      strings_map_.emplace(strings[i], static_cast<std::int64_t>(i));
    }
  }
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if ((x.dtype() == DType::string) != strings_) {
      ctx.fail(ErrorKind::invalid_model, std::string("X has dtype ") + dtype_name(x.dtype()) +
                                             " but the categories are " +
                                             (strings_ ? "strings" : "int64"));
    }
    std::vector<std::int64_t> dims = dims_of(x.shape());
    dims.push_back(count_);
    Tensor& y = ctx.output(0, DType::f32, make_shape(dims));
    float* py = y.data<float>();
    std::fill(py, py + y.numel(), 0.0f);
    const std::vector<double> numbers = strings_ ? std::vector<double>() : ml_values(ctx, x, "X");
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      std::int64_t hit = -1;
      if (strings_) {
        auto it = strings_map_.find(x.data<std::string>()[i]);
        if (it != strings_map_.end()) hit = it->second;
      } else {
        const double v = numbers[static_cast<std::size_t>(i)];
        auto it = std::isfinite(v) ? ints_.find(static_cast<std::int64_t>(v)) : ints_.end();
        if (it != ints_.end()) hit = it->second;
      }
      if (hit < 0 && !zeros_) {
        ctx.fail(ErrorKind::invalid_argument,
                 "element " + std::to_string(i) + " of X is not a category (zeros = 0)");
      }
      if (hit >= 0) py[i * count_ + hit] = 1.0f;
    }
  }

 private:
  bool zeros_;
  bool strings_ = false;
  std::int64_t count_ = 0;
  std::unordered_map<std::int64_t, std::int64_t> ints_;
  std::unordered_map<std::string, std::int64_t> strings_map_;
};

inline void register_ml_features_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "ArrayFeatureExtractor", 1, factory<ArrayFeatureExtractorKernel>());
  ops.add("ai.onnx.ml", "FeatureVectorizer", 1, factory<FeatureVectorizerKernel>());
  ops.add("ai.onnx.ml", "OneHotEncoder", 1, factory<OneHotEncoderKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_FEATURES_HPP
