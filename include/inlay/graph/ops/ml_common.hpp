// What the ai.onnx.ml operators share: the feature matrix read as doubles, the attributes that
// opset 3 may give as double tensors (`<name>_as_tensor`), and the score post-transforms
// (NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT) of the tree and linear models.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_COMMON_HPP
#define INLAY_GRAPH_OPS_ML_COMMON_HPP

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Every element of x as a double: float, double, int64 and int32 are accepted, as the
// ai.onnx.ml schemas list.
inline std::vector<double> ml_values(const OpContext& ctx, const Tensor& x, const char* what) {
  std::vector<double> v(static_cast<std::size_t>(x.numel()));
  const std::size_t count = v.size();
  switch (x.dtype()) {
    case DType::f32:
      for (std::size_t i = 0; i < count; ++i) v[i] = x.data<float>()[i];
      break;
    case DType::f64:
      for (std::size_t i = 0; i < count; ++i) v[i] = x.data<double>()[i];
      break;
    case DType::i64:
      for (std::size_t i = 0; i < count; ++i) v[i] = static_cast<double>(x.data<std::int64_t>()[i]);
      break;
    case DType::i32:
      for (std::size_t i = 0; i < count; ++i) v[i] = x.data<std::int32_t>()[i];
      break;
    default:
      ctx.fail(ErrorKind::unsupported_op, std::string(what) + " has dtype " +
                                              dtype_name(x.dtype()) +
                                              "; expected float, double, int64 or int32");
  }
  return v;
}

// X as an [n, c] matrix of doubles: [C] is one row, [N, C] is N rows.
struct MlRows {
  std::int64_t n = 0, c = 0;
  std::vector<double> v;
};
inline MlRows ml_rows(const OpContext& ctx, const Tensor& x, const char* what = "X") {
  MlRows r;
  if (x.rank() == 1) {
    r.n = 1;
    r.c = x.shape()[0];
  } else if (x.rank() == 2) {
    r.n = x.shape()[0];
    r.c = x.shape()[1];
  } else {
    ctx.fail(ErrorKind::shape_mismatch,
             std::string(what) + " " + x.shape().to_string() + " must be [C] or [N, C]");
  }
  r.v = ml_values(ctx, x, what);
  return r;
}

// A list of reals given either as the floats attribute `name` or (ai.onnx.ml opset 3) as the
// double or float tensor attribute `name_as_tensor`; not both.
inline std::vector<double> ml_reals(const OpInfo& info, const std::string& name) {
  const Attribute* as_tensor = info.find(name + "_as_tensor");
  if (as_tensor == nullptr) {
    const std::vector<float> f = info.get_floats(name);
    return std::vector<double>(f.begin(), f.end());
  }
  if (info.has(name)) {
    info.fail(ErrorKind::invalid_model,
              "attributes " + name + " and " + name + "_as_tensor are both given; give one");
  }
  const Tensor& t = as_tensor->t;
  std::vector<double> out(static_cast<std::size_t>(t.numel()));
  if (as_tensor->kind == Attribute::Kind::tensor && t.dtype() == DType::f64) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = t.data<double>()[i];
  } else if (as_tensor->kind == Attribute::Kind::tensor && t.dtype() == DType::f32) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = t.data<float>()[i];
  } else {
    info.fail(ErrorKind::invalid_model,
              "attribute " + name + "_as_tensor must be a float or double tensor");
  }
  return out;
}

enum class PostTransform { none, softmax, logistic, softmax_zero, probit };

inline PostTransform post_transform_of(const OpInfo& info) {
  return enum_attribute<PostTransform>(info, "post_transform", "NONE",
                                       {{"NONE", PostTransform::none},
                                        {"SOFTMAX", PostTransform::softmax},
                                        {"LOGISTIC", PostTransform::logistic},
                                        {"SOFTMAX_ZERO", PostTransform::softmax_zero},
                                        {"PROBIT", PostTransform::probit}},
                                       ErrorKind::invalid_model);
}

inline double ml_logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The inverse of the error function, by Newton's method on std::erf from a closed-form start
// (Winitzki's approximation, "A handy approximation for the error function", 2008).
inline double ml_erfinv(double y) {
  if (!(y > -1.0)) return y == -1.0 ? -INFINITY : NAN;
  if (!(y < 1.0)) return y == 1.0 ? INFINITY : NAN;
  const double a = 0.147, pi = 3.14159265358979323846;
  const double l = std::log(1.0 - y * y);
  const double t = 2.0 / (pi * a) + l / 2.0;
  double x = std::copysign(std::sqrt(std::sqrt(t * t - l / a) - t), y);
  for (int i = 0; i < 4; ++i) {
    const double err = std::erf(x) - y;
    x -= err / (2.0 / std::sqrt(pi) * std::exp(-x * x));
  }
  return x;
}
// PROBIT: the quantile of the standard normal distribution, sqrt(2) erfinv(2p - 1).
inline double ml_probit(double p) { return std::sqrt(2.0) * ml_erfinv(2.0 * p - 1.0); }

// Applies `t` to one row of scores in place.
inline void apply_post_transform(PostTransform t, double* s, std::size_t count) {
  switch (t) {
    case PostTransform::none: return;
    case PostTransform::logistic:
      for (std::size_t i = 0; i < count; ++i) s[i] = ml_logistic(s[i]);
      return;
    case PostTransform::probit:
      for (std::size_t i = 0; i < count; ++i) s[i] = ml_probit(s[i]);
      return;
    case PostTransform::softmax:
    case PostTransform::softmax_zero: {
      // SOFTMAX_ZERO leaves exact zeros at zero and softmaxes the rest.
      const bool zero = t == PostTransform::softmax_zero;
      double m = -INFINITY;
      for (std::size_t i = 0; i < count; ++i) {
        if (!(zero && s[i] == 0.0)) m = std::max(m, s[i]);
      }
      double sum = 0.0;
      for (std::size_t i = 0; i < count; ++i) {
        s[i] = zero && s[i] == 0.0 ? 0.0 : std::exp(s[i] - m);
        sum += s[i];
      }
      if (sum > 0.0) {
        for (std::size_t i = 0; i < count; ++i) s[i] /= sum;
      }
      return;
    }
  }
}

// The class labels of a classifier: classlabels_int64s (or `ints_name`) or classlabels_strings,
// exactly one of them. Label output dtype follows.
struct MlLabels {
  bool strings = false;
  std::vector<std::int64_t> ints;
  std::vector<std::string> names;
  std::size_t size() const noexcept { return strings ? names.size() : ints.size(); }
};
inline MlLabels ml_labels(const OpInfo& info, const char* ints_name) {
  MlLabels l;
  l.ints = info.get_ints(ints_name);
  l.names = info.get_strings("classlabels_strings");
  l.strings = !l.names.empty();
  if (l.strings == !l.ints.empty()) {
    info.fail(ErrorKind::invalid_model,
              std::string("give exactly one of ") + ints_name + " and classlabels_strings");
  }
  return l;
}
// Output `i` as the label tensor of shape [n], filled by label(row) -> class index.
template <class F>
void write_labels(OpContext& ctx, std::size_t i, const MlLabels& l, std::int64_t n, F&& label) {
  Tensor& y = ctx.output(i, l.strings ? DType::string : DType::i64, Shape{n});
  for (std::int64_t r = 0; r < n; ++r) {
    const std::size_t k = label(r);
    if (l.strings) {
      y.data<std::string>()[r] = l.names[k];
    } else {
      y.data<std::int64_t>()[r] = l.ints[k];
    }
  }
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_COMMON_HPP
