// The 8-bit parameters: an activation's scale and zero point from its range, a weight's int8
// values and per-channel scales, a bias's int32 values. Rounding is half to even, as
// QuantizeLinear's. Implementation-only.
#ifndef INLAY_QUANTIZE_IMPL_PARAMETERS_HPP
#define INLAY_QUANTIZE_IMPL_PARAMETERS_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/quantize/calibration.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {
namespace detail {

struct ActivationParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
  bool is_signed = false;
  Range range;
};

// Asymmetric: [rmin, rmax] (0 included) maps onto [0, 255] (u8) or [-128, 127] (s8). A range of
// one point gets scale 1 (a scale must be > 0).
inline ActivationParams activation_params(Range r, bool is_signed) {
  r = including_zero(r.min, r.max);
  ActivationParams p;
  p.is_signed = is_signed;
  p.range = r;
  const double qmin = is_signed ? -128.0 : 0.0, qmax = is_signed ? 127.0 : 255.0;
  const double span = static_cast<double>(r.max) - r.min;
  p.scale = span > 0 ? static_cast<float>(span / (qmax - qmin)) : 1.0f;
  if (!(p.scale > 0) || !std::isfinite(p.scale)) p.scale = 1.0f;  // denormal spans
  const double zp = std::nearbyint(qmin - r.min / static_cast<double>(p.scale));
  p.zero_point = static_cast<std::int32_t>(std::min(qmax, std::max(qmin, zp)));
  return p;
}

inline Tensor zero_point_tensor(const ActivationParams& p) {
  Tensor t(p.is_signed ? DType::i8 : DType::u8, Shape());
  if (p.is_signed) *t.data<std::int8_t>() = static_cast<std::int8_t>(p.zero_point);
  else *t.data<std::uint8_t>() = static_cast<std::uint8_t>(p.zero_point);
  return t;
}

inline Tensor scalar_f32(float v) {
  Tensor t(DType::f32, Shape());
  *t.data<float>() = v;
  return t;
}

// A weight quantized symmetrically to int8 in [-qmax, qmax] (127, or 63 for reduce_range), one
// scale per index of `axis`.
struct QuantizedWeight {
  Tensor values;       // i8, the weight's shape
  Tensor scales;       // f32 [channels]
  Tensor zero_points;  // i8 [channels], all 0
  std::vector<float> scale_values;
  float min = 0.0f, max = 0.0f;
};

inline QuantizedWeight quantize_weight(const Tensor& w, std::size_t axis, float qmax = 127.0f) {
  const Shape& s = w.shape();
  const std::int64_t channels = s[axis];
  std::int64_t inner = 1;
  for (std::size_t d = axis + 1; d < s.rank(); ++d) inner *= s[d];
  const std::int64_t outer = w.numel() / std::max<std::int64_t>(1, channels * inner);
  const float* x = w.data<float>();
  QuantizedWeight q;
  q.scale_values.assign(static_cast<std::size_t>(channels), 0.0f);
  q.min = std::numeric_limits<float>::infinity();
  q.max = -q.min;
  auto at = [&](std::int64_t o, std::int64_t c, std::int64_t i) {
    return (o * channels + c) * inner + i;
  };
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t c = 0; c < channels; ++c)
      for (std::int64_t i = 0; i < inner; ++i) {
        const float v = x[at(o, c, i)];
        float& m = q.scale_values[static_cast<std::size_t>(c)];
        m = std::max(m, std::fabs(v));
        q.min = std::min(q.min, v);
        q.max = std::max(q.max, v);
      }
  if (w.numel() == 0) q.min = q.max = 0.0f;
  for (float& m : q.scale_values) {
    m = m > 0 && std::isfinite(m) ? m / qmax : 1.0f;
    if (!(m > 0)) m = 1.0f;  // denormal maxima
  }
  q.values = Tensor(DType::i8, s);
  std::int8_t* y = q.values.data<std::int8_t>();
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t c = 0; c < channels; ++c) {
      const float scale = q.scale_values[static_cast<std::size_t>(c)];
      for (std::int64_t i = 0; i < inner; ++i) {
        const std::int64_t k = at(o, c, i);
        const float v = std::nearbyint(x[k] / scale);
        y[k] = static_cast<std::int8_t>(std::min(qmax, std::max(-qmax, v)));
      }
    }
  q.scales = Tensor(DType::f32, Shape{channels});
  std::copy(q.scale_values.begin(), q.scale_values.end(), q.scales.data<float>());
  q.zero_points = Tensor(DType::i8, Shape{channels});
  std::fill(q.zero_points.data<std::int8_t>(), q.zero_points.data<std::int8_t>() + channels, 0);
  return q;
}

// A bias [channels] as int32 with scale x_scale * w_scale[c] (zero point 0).
struct QuantizedBias {
  Tensor values;  // i32 [channels]
  Tensor scales;  // f32 [channels]
  float min = 0.0f, max = 0.0f, min_scale = 0.0f, max_scale = 0.0f;
};

inline QuantizedBias quantize_bias(const Tensor& b, float x_scale,
                                   const std::vector<float>& w_scales) {
  const std::int64_t n = b.numel();
  QuantizedBias q;
  q.values = Tensor(DType::i32, Shape{n});
  q.scales = Tensor(DType::f32, Shape{n});
  const float* x = b.data<float>();
  q.min_scale = std::numeric_limits<float>::infinity();
  for (std::int64_t c = 0; c < n; ++c) {
    const float scale = x_scale * w_scales[static_cast<std::size_t>(c)];
    q.scales.data<float>()[c] = scale;
    const double v = std::nearbyint(static_cast<double>(x[c]) / scale);
    q.values.data<std::int32_t>()[c] = static_cast<std::int32_t>(
        std::min<double>(std::numeric_limits<std::int32_t>::max(),
                         std::max<double>(std::numeric_limits<std::int32_t>::min(), v)));
    q.min = std::min(q.min, x[c]);
    q.max = std::max(q.max, x[c]);
    q.min_scale = std::min(q.min_scale, scale);
    q.max_scale = std::max(q.max_scale, scale);
  }
  return q;
}

}  // namespace detail
}  // namespace quantization
INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_IMPL_PARAMETERS_HPP
