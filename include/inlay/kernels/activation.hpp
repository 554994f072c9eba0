// Element-wise functions of one float: the activations and the unary math ops. Shared by the
// element-wise kernels and by the epilogues of GEMM and convolution (so a fused activation is the
// same code as a separate one).
#ifndef INLAY_KERNELS_ACTIVATION_HPP
#define INLAY_KERNELS_ACTIVATION_HPP

#include <cstdint>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

enum class UnaryOp : std::uint8_t {
  identity,      // x
  relu,          // max(x, 0)
  leaky_relu,    // x >= 0 ? x : alpha * x
  sigmoid,       // 1 / (1 + exp(-x))
  hard_sigmoid,  // clamp(alpha * x + beta, 0, 1)
  tanh,          // tanh(x)
  gelu_erf,      // 0.5 x (1 + erf(x / sqrt 2))
  gelu_tanh,     // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  silu,          // x * sigmoid(x)
  hard_swish,    // x * clamp(x / 6 + 0.5, 0, 1)
  mish,          // x * tanh(softplus(x))
  softplus,      // log(1 + exp(x))
  elu,           // x >= 0 ? x : alpha (exp(x) - 1)
  selu,          // beta * (x > 0 ? x : alpha (exp(x) - 1)); beta is gamma in ONNX
  clip,          // clamp(x, alpha, beta)
  exp,           // e^x
  log,           // ln x
  sqrt,          // sqrt x
  erf,           // erf x
  reciprocal,    // 1 / x
  abs,           // |x|
  neg,           // -x
  pow,           // x ^ alpha (a scalar exponent; tensor exponents are BinaryOp::pow)
};

// A unary op with its parameters. The factory functions give ONNX's defaults.
struct Activation {
  UnaryOp op = UnaryOp::identity;
  float alpha = 0.0f;
  float beta = 0.0f;

  static Activation none() { return {}; }
  static Activation relu() { return {UnaryOp::relu}; }
  static Activation leaky_relu(float slope = 0.01f) { return {UnaryOp::leaky_relu, slope}; }
  static Activation sigmoid() { return {UnaryOp::sigmoid}; }
  static Activation hard_sigmoid(float alpha = 0.2f, float beta = 0.5f) {
    return {UnaryOp::hard_sigmoid, alpha, beta};
  }
  static Activation tanh() { return {UnaryOp::tanh}; }
  static Activation gelu() { return {UnaryOp::gelu_erf}; }
  static Activation gelu_tanh() { return {UnaryOp::gelu_tanh}; }
  static Activation silu() { return {UnaryOp::silu}; }
  static Activation hard_swish() { return {UnaryOp::hard_swish}; }
  static Activation mish() { return {UnaryOp::mish}; }
  static Activation softplus() { return {UnaryOp::softplus}; }
  static Activation elu(float alpha = 1.0f) { return {UnaryOp::elu, alpha}; }
  static Activation selu(float alpha = 1.67326319217681884765625f,
                         float gamma = 1.05070102214813232421875f) {
    return {UnaryOp::selu, alpha, gamma};
  }
  static Activation clip(float lo, float hi) { return {UnaryOp::clip, lo, hi}; }
  static Activation relu6() { return clip(0.0f, 6.0f); }
  static Activation of(UnaryOp op, float alpha = 0.0f, float beta = 0.0f) {
    return {op, alpha, beta};
  }
};

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_ACTIVATION_HPP
