// Fake quantization (nn/fake_quant.hpp): the grids of inlay::quantize applied in float.
#ifndef INLAY_NN_IMPL_FAKE_QUANT_HPP
#define INLAY_NN_IMPL_FAKE_QUANT_HPP

#include <algorithm>
#include <cmath>

#include "inlay/nn/fake_quant.hpp"
#include "inlay/quantize/impl/parameters.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

void ActivationQuantizer::observe(const float* x, std::size_t n, bool moving_average) {
  if (n == 0) return;
  float lo = x[0], hi = x[0];
  for (std::size_t i = 1; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  if (!std::isfinite(lo) || !std::isfinite(hi)) return;  // fit() refuses such rows anyway
  if (!observed) {
    min = lo;
    max = hi;
  } else if (moving_average) {
    min = momentum * min + (1.0f - momentum) * lo;
    max = momentum * max + (1.0f - momentum) * hi;
  } else {
    min = std::min(min, lo);
    max = std::max(max, hi);
  }
  observed = true;
}

ActivationGrid ActivationQuantizer::grid() const {
  const quantization::detail::ActivationParams p =
      quantization::detail::activation_params(quantization::Range{min, max}, is_signed);
  ActivationGrid g;
  g.scale = p.scale;
  g.zero_point = p.zero_point;
  g.qmin = is_signed ? -128 : 0;
  g.qmax = is_signed ? 127 : 255;
  return g;
}

void ActivationQuantizer::apply(const float* x, float* y, std::size_t n) const {
  const ActivationGrid g = grid();
  const float lo = static_cast<float>(g.qmin), hi = static_cast<float>(g.qmax);
  const float zp = static_cast<float>(g.zero_point);
  for (std::size_t i = 0; i < n; ++i) {
    // QuantizeLinear: saturate(round_half_even(x / scale) + zero_point); then DequantizeLinear.
    const float q = std::min(hi, std::max(lo, std::nearbyint(x[i] / g.scale) + zp));
    y[i] = (q - zp) * g.scale;
  }
}

void ActivationQuantizer::pass_gradient(const float* x, float* dx, std::size_t n) const {
  const ActivationGrid g = grid();
  const float lo = g.lowest(), hi = g.highest();
  for (std::size_t i = 0; i < n; ++i) {
    if (!(x[i] >= lo && x[i] <= hi)) dx[i] = 0.0f;
  }
}

void QatState::fake_quantize(const float* x, std::size_t n, const float* w, std::size_t outer,
                             std::size_t channels, std::size_t inner, bool training) {
  if (training || calibrating || !input.observed) input.observe(x, n, training && !calibrating);
  input_q.resize(n);
  input.apply(x, input_q.data(), n);
  weight_q.resize(outer * channels * inner);
  fake_quant_weight(w, weight_q.data(), outer, channels, inner, weight_qmax);
}

void fake_quant_weight(const float* w, float* y, std::size_t outer, std::size_t channels,
                       std::size_t inner, float qmax) {
  for (std::size_t c = 0; c < channels; ++c) {
    float m = 0.0f;
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i)
        m = std::max(m, std::fabs(w[(o * channels + c) * inner + i]));
    // The scale quantization::detail::quantize_weight writes for this channel.
    float scale = m > 0 && std::isfinite(m) ? m / qmax : 1.0f;
    if (!(scale > 0)) scale = 1.0f;
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) {
        const std::size_t k = (o * channels + c) * inner + i;
        y[k] = std::min(qmax, std::max(-qmax, std::nearbyint(w[k] / scale))) * scale;
      }
  }
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_FAKE_QUANT_HPP
