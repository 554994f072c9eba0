// Definitions for the layers' non-template helpers: activation derivatives, initialization,
// dropout masks, softmax backward.
#ifndef INLAY_NN_IMPL_LAYERS_HPP
#define INLAY_NN_IMPL_LAYERS_HPP

#include <cmath>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/data/rng.hpp"
#include "inlay/kernels/reduce.hpp"
#include "inlay/nn/activation.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/dropout.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
inline float sigmoid_of(float x) { return 1.0f / (1.0f + std::exp(-x)); }
// f'(x) for one value; y = f(x).
inline float activation_derivative(const kernels::Activation& f, float x, float y) {
  using kernels::UnaryOp;
  const float a = f.alpha, b = f.beta;
  switch (f.op) {
    case UnaryOp::identity: return 1.0f;
    case UnaryOp::relu: return x > 0.0f ? 1.0f : 0.0f;
    case UnaryOp::leaky_relu: return x >= 0.0f ? 1.0f : a;
    case UnaryOp::sigmoid: return y * (1.0f - y);
    case UnaryOp::hard_sigmoid: {
      const float v = a * x + b;
      return v > 0.0f && v < 1.0f ? a : 0.0f;
    }
    case UnaryOp::tanh: return 1.0f - y * y;
    case UnaryOp::gelu_erf: {
      const float cdf = 0.5f * (1.0f + std::erf(x * 0.70710678118654752f));
      const float pdf = std::exp(-0.5f * x * x) * 0.39894228040143268f;
      return cdf + x * pdf;
    }
    case UnaryOp::gelu_tanh: {
      const float c = 0.79788456080286536f, k = 0.044715f;
      const float t = std::tanh(c * (x + k * x * x * x));
      return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * k * x * x);
    }
    case UnaryOp::silu: {
      const float s = sigmoid_of(x);
      return s * (1.0f + x * (1.0f - s));
    }
    case UnaryOp::hard_swish: return x < -3.0f ? 0.0f : (x > 3.0f ? 1.0f : x / 3.0f + 0.5f);
    case UnaryOp::mish: {
      const float sp = x > 20.0f ? x : std::log1p(std::exp(x));
      const float t = std::tanh(sp);
      return t + x * (1.0f - t * t) * sigmoid_of(x);
    }
    case UnaryOp::softplus: return sigmoid_of(x);
    case UnaryOp::elu: return x >= 0.0f ? 1.0f : a * std::exp(x);
    case UnaryOp::selu: return b * (x > 0.0f ? 1.0f : a * std::exp(x));
    case UnaryOp::clip: return x > a && x < b ? 1.0f : 0.0f;
    case UnaryOp::exp: return y;
    case UnaryOp::log: return 1.0f / x;
    case UnaryOp::sqrt: return 0.5f / y;
    case UnaryOp::erf: return 1.12837916709551257f * std::exp(-x * x);
    case UnaryOp::reciprocal: return -y * y;
    case UnaryOp::abs: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
    case UnaryOp::neg: return -1.0f;
    case UnaryOp::pow: return a * std::pow(x, a - 1.0f);
  }
  return 0.0f;
}
}  // namespace

void activation_backward(const kernels::Activation& f, const float* x, const float* y,
                         const float* dy, float* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * activation_derivative(f, x[i], y[i]);
}

void softmax_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                      std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gr = dy + r * cols;
    float dot = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) dot += yr[j] * gr[j];
    for (std::size_t j = 0; j < cols; ++j) dx[r * cols + j] = yr[j] * (gr[j] - dot);
  }
}

void init_uniform(data::Rng& rng, float* w, std::size_t n, float limit) {
  for (std::size_t i = 0; i < n; ++i) w[i] = static_cast<float>(rng.uniform(-limit, limit));
}

float glorot_limit(std::size_t fan_in, std::size_t fan_out) {
  return std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
}

void sum_rows(const float* dy, float* db, std::size_t rows, std::size_t cols) {
  const std::int64_t axis = 0;
  kernels::reduce_f32(kernels::ReduceOp::sum, dy,
                      Shape{static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)},
                      &axis, 1, db);
}

void dropout_forward(data::Rng* rng, float rate, const float* x, float* y, float* mask,
                     std::size_t n) {
  if (!(rate >= 0.0f && rate < 1.0f)) {
    fail(ErrorKind::invalid_argument,
         "nn::Dropout: rate " + std::to_string(rate) + " is outside [0, 1)");
  }
  if (rng == nullptr) {
    fail(ErrorKind::invalid_argument, "nn::Dropout: training forward without a random generator");
  }
  const float keep_scale = 1.0f / (1.0f - rate);
  for (std::size_t i = 0; i < n; ++i) {
    mask[i] = rng->uniform() < rate ? 0.0f : keep_scale;
    y[i] = x[i] * mask[i];
  }
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_LAYERS_HPP
