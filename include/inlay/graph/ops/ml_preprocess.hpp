// ai.onnx.ml preprocessing of numeric features, as sklearn-onnx writes StandardScaler and
// MinMaxScaler (Scaler), Normalizer (MAX, L1, L2), SimpleImputer (Imputer) and Binarizer.
// Per-feature attributes hold one value for every feature or one per feature (the last
// axis). Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_PREPROCESS_HPP
#define INLAY_GRAPH_OPS_ML_PREPROCESS_HPP

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// A per-feature attribute: its value for feature k of X's last axis. check() fails at run
// when the attribute has neither 1 value nor one per feature.
template <class T>
struct PerFeature {
  std::vector<T> v;
  const char* name;
  std::int64_t check(const OpContext& ctx, const Tensor& x) const {
    const std::int64_t c = x.rank() ? x.shape()[x.rank() - 1] : 1;
    if (v.size() != 1 && static_cast<std::int64_t>(v.size()) != c) {
      ctx.fail(ErrorKind::shape_mismatch, std::string(name) + " has " + std::to_string(v.size()) +
                                              " values but X " + x.shape().to_string() + " has " +
                                              std::to_string(c) + " features");
    }
    return c;
  }
  T at(std::size_t i) const { return v.size() == 1 ? v[0] : v[i % v.size()]; }
};

// Scaler: Y = (X - offset) * scale, as float.
class ScalerKernel final : public OpKernel {
 public:
  explicit ScalerKernel(const OpInfo& info)
      : offset_{info.get_floats("offset", {0.0f}), "offset"},
        scale_{info.get_floats("scale", {1.0f}), "scale"} {
    if (offset_.v.empty() || scale_.v.empty()) {
      info.fail(ErrorKind::invalid_model, "offset and scale must not be empty");
    }
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    offset_.check(ctx, x);
    scale_.check(ctx, x);
    const std::vector<double> v = ml_values(ctx, x, "X");
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    for (std::size_t i = 0; i < v.size(); ++i) {
      y.data<float>()[i] = static_cast<float>((v[i] - offset_.at(i)) * scale_.at(i));
    }
  }

 private:
  PerFeature<float> offset_, scale_;
};

// Normalizer: each row divided by its maximum (MAX), sum of magnitudes (L1) or Euclidean
// length (L2). A row whose norm is 0 stays as it is (as scikit-learn's normalize does).
class NormalizerKernel final : public OpKernel {
 public:
  enum class Norm { max, l1, l2 };
  explicit NormalizerKernel(const OpInfo& info)
      : norm_(enum_attribute<Norm>(info, "norm", "MAX",
                                   {{"MAX", Norm::max}, {"L1", Norm::l1}, {"L2", Norm::l2}},
                                   ErrorKind::invalid_model)) {}
  void run(OpContext& ctx) const override {
    MlRows x = ml_rows(ctx, ctx.input(0));
    Tensor& y = ctx.output(0, DType::f32, ctx.input(0).shape());
    for (std::int64_t r = 0; r < x.n; ++r) {
      double* row = x.v.data() + r * x.c;
      double norm = norm_ == Norm::max ? -INFINITY : 0.0;
      for (std::int64_t k = 0; k < x.c; ++k) {
        if (norm_ == Norm::max) norm = std::max(norm, row[k]);
        if (norm_ == Norm::l1) norm += std::fabs(row[k]);
        if (norm_ == Norm::l2) norm += row[k] * row[k];
      }
      if (norm_ == Norm::l2) norm = std::sqrt(norm);
      for (std::int64_t k = 0; k < x.c; ++k) {
        y.data<float>()[r * x.c + k] = static_cast<float>(norm != 0.0 ? row[k] / norm : row[k]);
      }
    }
  }

 private:
  Norm norm_;
};

// Imputer: elements equal to the replaced value (NaN matches NaN) become the imputed value of
// their feature. float inputs use the *_floats / *_float attributes, int64 the *_int64s ones.
class ImputerKernel final : public OpKernel {
 public:
  explicit ImputerKernel(const OpInfo& info)
      : floats_{info.get_floats("imputed_value_floats"), "imputed_value_floats"},
        ints_{info.get_ints("imputed_value_int64s"), "imputed_value_int64s"},
        replaced_float_(info.get_float("replaced_value_float", 0.0f)),
        replaced_int_(info.get_int("replaced_value_int64", 0)) {
    if (floats_.v.empty() == ints_.v.empty()) {
      info.fail(ErrorKind::invalid_model,
                "give exactly one of imputed_value_floats and imputed_value_int64s");
    }
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() == DType::f32 && !floats_.v.empty()) {
      floats_.check(ctx, x);
      Tensor& y = ctx.output(0, DType::f32, x.shape());
      const bool nan = std::isnan(replaced_float_);
      for (std::int64_t i = 0; i < x.numel(); ++i) {
        const float v = x.data<float>()[i];
        const bool hit = nan ? std::isnan(v) : v == replaced_float_;
        y.data<float>()[i] = hit ? floats_.at(static_cast<std::size_t>(i)) : v;
      }
    } else if (x.dtype() == DType::i64 && !ints_.v.empty()) {
      ints_.check(ctx, x);
      Tensor& y = ctx.output(0, DType::i64, x.shape());
      for (std::int64_t i = 0; i < x.numel(); ++i) {
        const std::int64_t v = x.data<std::int64_t>()[i];
        y.data<std::int64_t>()[i] = v == replaced_int_ ? ints_.at(static_cast<std::size_t>(i)) : v;
      }
    } else {
      ctx.fail(ErrorKind::unsupported_op,
               std::string("X has dtype ") + dtype_name(x.dtype()) +
                   (floats_.v.empty() ? "; the int64 imputed values need int64 X"
                                      : "; the float imputed values need float X"));
    }
  }

 private:
  PerFeature<float> floats_;
  PerFeature<std::int64_t> ints_;
  float replaced_float_;
  std::int64_t replaced_int_;
};

// Binarizer: 1 where X > threshold, else 0, in X's dtype.
class BinarizerKernel final : public OpKernel {
 public:
  explicit BinarizerKernel(const OpInfo& info) : threshold_(info.get_float("threshold", 0.0f)) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto t) {
          using T = decltype(t);
          Tensor& y = ctx.output(0, x.dtype(), x.shape());
          for (std::int64_t i = 0; i < x.numel(); ++i) {
            y.data<T>()[i] = static_cast<double>(x.data<T>()[i]) > threshold_ ? T(1) : T(0);
          }
        },
        TypeList<float, double, std::int64_t, std::int32_t>{});
  }

 private:
  double threshold_;
};

inline void register_ml_preprocess_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "Scaler", 1, factory<ScalerKernel>());
  ops.add("ai.onnx.ml", "Normalizer", 1, factory<NormalizerKernel>());
  ops.add("ai.onnx.ml", "Imputer", 1, factory<ImputerKernel>());
  ops.add("ai.onnx.ml", "Binarizer", 1, factory<BinarizerKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_PREPROCESS_HPP
