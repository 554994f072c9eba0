// Per-target element-wise evaluation of an Activation (activation.hpp), shared by the element-wise
// kernels and the GEMM/convolution epilogues. Re-included once per CPU target.
#if defined(INLAY_KERNELS_ACTIVATION_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_ACTIVATION_INL_HPP
#undef INLAY_KERNELS_ACTIVATION_INL_HPP
#else
#define INLAY_KERNELS_ACTIVATION_INL_HPP
#endif

#include <cmath>
#include <cstddef>

#include <hwy/highway.h>

#include "inlay/kernels/activation.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// y[i] = f(x[i]) for i < n; x == y allowed. Callers: unary_f32 and every fused epilogue.
// TODO(elementwise): vectorize; this first version evaluates one element at a time.
inline void activate_f32(const float* x, float* y, std::size_t n, const Activation& f) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i];
    float r = v;
    switch (f.op) {
      case UnaryOp::identity: r = v; break;
      case UnaryOp::relu: r = v > 0.0f ? v : 0.0f; break;
      case UnaryOp::leaky_relu: r = v >= 0.0f ? v : f.alpha * v; break;
      case UnaryOp::sigmoid: r = 1.0f / (1.0f + std::exp(-v)); break;
      case UnaryOp::hard_sigmoid: r = std::fmin(1.0f, std::fmax(0.0f, f.alpha * v + f.beta)); break;
      case UnaryOp::tanh: r = std::tanh(v); break;
      case UnaryOp::gelu_erf: r = 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f)); break;
      case UnaryOp::gelu_tanh:
        r = 0.5f * v * (1.0f + std::tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
        break;
      case UnaryOp::silu: r = v / (1.0f + std::exp(-v)); break;
      case UnaryOp::hard_swish: r = v * std::fmin(1.0f, std::fmax(0.0f, v / 6.0f + 0.5f)); break;
      case UnaryOp::mish: r = v * std::tanh(std::log1p(std::exp(v))); break;
      case UnaryOp::softplus: r = std::log1p(std::exp(v)); break;
      case UnaryOp::elu: r = v >= 0.0f ? v : f.alpha * (std::exp(v) - 1.0f); break;
      case UnaryOp::selu: r = f.beta * (v > 0.0f ? v : f.alpha * (std::exp(v) - 1.0f)); break;
      case UnaryOp::clip: r = v < f.alpha ? f.alpha : (v > f.beta ? f.beta : v); break;
      case UnaryOp::exp: r = std::exp(v); break;
      case UnaryOp::log: r = std::log(v); break;
      case UnaryOp::sqrt: r = std::sqrt(v); break;
      case UnaryOp::erf: r = std::erf(v); break;
      case UnaryOp::reciprocal: r = 1.0f / v; break;
      case UnaryOp::abs: r = std::fabs(v); break;
      case UnaryOp::neg: r = -v; break;
      case UnaryOp::pow: r = std::pow(v, f.alpha); break;
    }
    y[i] = r;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_ACTIVATION_INL_HPP
