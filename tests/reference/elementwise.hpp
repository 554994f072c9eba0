// Plain scalar references of the element-wise kernels (activation.hpp, elementwise.hpp), computed
// in double and rounded once to float. Written for clarity, not speed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_ref {

using inlay::Shape;
using inlay::kernels::Activation;
using inlay::kernels::BinaryOp;
using inlay::kernels::UnaryOp;

// clamp(x, lo, hi) with NaN kept.
inline double clamp(double x, double lo, double hi) {
  return std::isnan(x) ? x : std::min(std::max(x, lo), hi);
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// f(x) in double. x * g(x) forms at x = -inf give their limit -0 (not -inf * 0 = NaN).
inline double activation(const Activation& f, double x) {
  const double a = f.alpha, b = f.beta;
  const bool neg_inf = std::isinf(x) && x < 0;
  switch (f.op) {
    case UnaryOp::identity: return x;
    case UnaryOp::relu: return x < 0 ? 0.0 : x;
    case UnaryOp::leaky_relu: return x < 0 ? a * x : x;
    case UnaryOp::sigmoid: return sigmoid(x);
    case UnaryOp::hard_sigmoid: return clamp(a * x + b, 0.0, 1.0);
    case UnaryOp::tanh: return std::tanh(x);
    // erfc avoids the cancellation of 1 + erf for x << 0.
    case UnaryOp::gelu_erf: return neg_inf ? -0.0 : 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    // 0.5 (1 + tanh u) = sigmoid(2u), exactly; avoids the cancellation for x << 0.
    case UnaryOp::gelu_tanh: {
      const double u = std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x);
      return neg_inf ? -0.0 : x * sigmoid(2.0 * u);
    }
    case UnaryOp::silu: return neg_inf ? -0.0 : x * sigmoid(x);
    case UnaryOp::hard_swish: return neg_inf ? -0.0 : x * clamp(x / 6.0 + 0.5, 0.0, 1.0);
    case UnaryOp::mish: return neg_inf ? -0.0 : x * std::tanh(std::log1p(std::exp(x)));
    case UnaryOp::softplus: return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
    case UnaryOp::elu: return x < 0 ? a * std::expm1(x) : x;
    case UnaryOp::selu: return b * (x < 0 ? a * std::expm1(x) : x);
    case UnaryOp::clip: return clamp(x, a, b);
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::reciprocal: return 1.0 / x;
    case UnaryOp::abs: return std::fabs(x);
    case UnaryOp::neg: return -x;
    case UnaryOp::pow: return std::pow(x, a);
  }
  return NAN;
}

inline std::vector<float> unary_f32(const std::vector<float>& x, const Activation& f) {
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    y[i] = static_cast<float>(activation(f, static_cast<double>(x[i])));
  }
  return y;
}

// op(a, b) in double; max/min propagate NaN (NumPy/ONNX).
inline double binary(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::pow: return std::pow(a, b);
    case BinaryOp::max: return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
    case BinaryOp::min: return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
    case BinaryOp::prelu: return a < 0 ? a * b : a;
  }
  return NAN;
}

// NumPy broadcasting: shapes aligned at the innermost dimension, size-1 dimensions stretched.
// Returns false when they do not broadcast.
inline bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out) {
  const std::size_t rank = std::max(a.rank(), b.rank());
  std::int64_t dims[Shape::max_rank] = {};
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t da = k + a.rank() >= rank ? a[k + a.rank() - rank] : 1;
    const std::int64_t db = k + b.rank() >= rank ? b[k + b.rank() - rank] : 1;
    if (da != db && da != 1 && db != 1) return false;
    dims[k] = da == 1 ? db : da;
  }
  *out = Shape(dims, rank);
  return true;
}

// The flat index into a tensor of shape `in` of the element at the coordinates `coord` of the
// broadcast result (rank `rank`).
inline std::int64_t source_index(const Shape& in, const std::int64_t* coord, std::size_t rank) {
  std::int64_t index = 0;
  for (std::size_t k = 0; k < in.rank(); ++k) {
    const std::int64_t c = coord[k + rank - in.rank()];
    index = index * in[k] + (in[k] == 1 ? 0 : c);
  }
  return index;
}

inline std::vector<float> binary_f32(BinaryOp op, const std::vector<float>& a, const Shape& a_shape,
                                     const std::vector<float>& b, const Shape& b_shape,
                                     const Shape& out_shape) {
  std::vector<float> out(static_cast<std::size_t>(out_shape.numel()));
  std::int64_t coord[Shape::max_rank] = {};
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::int64_t rest = static_cast<std::int64_t>(i);
    for (std::size_t k = out_shape.rank(); k-- > 0;) {
      coord[k] = rest % out_shape[k];
      rest /= out_shape[k];
    }
    const double x = a[static_cast<std::size_t>(source_index(a_shape, coord, out_shape.rank()))];
    const double y = b[static_cast<std::size_t>(source_index(b_shape, coord, out_shape.rank()))];
    out[i] = static_cast<float>(binary(op, x, y));
  }
  return out;
}

}  // namespace inlay_ref
