// Plain scalar reference of the quantize kernels (quantize.hpp), written from the ONNX formulas:
// quantize y = saturate(round_half_to_even(x / scale) + zero_point) (NaN -> zero_point),
// dequantize y = (x - zero_point) * scale.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace inlay_ref {

// Round to nearest, ties to even, by comparing with the floor (independent of the FPU's mode).
inline double round_half_even(double v) {
  const double f = std::floor(v);
  const double frac = v - f;  // exact: v and f are close doubles
  if (frac > 0.5) return f + 1.0;
  if (frac < 0.5) return f;
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

template <class Q>
Q quantize(float x, float scale, Q zero_point) {
  const float q = x / scale;  // one float division, as ONNX specifies
  if (std::isnan(q)) return zero_point;
  const double lo = std::numeric_limits<Q>::min(), hi = std::numeric_limits<Q>::max();
  if (std::isinf(q)) return static_cast<Q>(q > 0 ? hi : lo);
  const double v = round_half_even(static_cast<double>(q)) + zero_point;
  return static_cast<Q>(v < lo ? lo : v > hi ? hi : v);
}

template <class Q>
std::vector<Q> quantize(const std::vector<float>& x, float scale, Q zero_point) {
  std::vector<Q> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = quantize(x[i], scale, zero_point);
  return y;
}

template <class Q>
std::vector<float> dequantize(const std::vector<Q>& x, float scale, std::int32_t zero_point) {
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    // The difference is exact in double; the product rounds once, to float.
    y[i] =
        static_cast<float>((static_cast<double>(x[i]) - zero_point) * static_cast<double>(scale));
  }
  return y;
}

}  // namespace inlay_ref
