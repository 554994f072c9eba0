// Linear quantization of one contiguous run with one scale and one zero point (the graph door's
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear loop over per-axis blocks), and the
// range of a run's finite values for dynamic quantization.
#ifndef INLAY_KERNELS_QUANTIZE_HPP
#define INLAY_KERNELS_QUANTIZE_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// y[i] = saturate(round_half_to_even(x[i] / scale) + zero_point), as ONNX QuantizeLinear: the
// quotient in float (a division, not a multiplication by 1 / scale), saturated to [0, 255] or
// [-128, 127]. +-inf saturate; NaN gives zero_point (the quantized 0, as Cast maps NaN to 0).
// scale must be finite and > 0; inlay::Error (invalid_argument) otherwise. Assumes the default
// rounding mode (to nearest). The same bits on every CPU target.
void quantize_f32_u8(const float* x, std::size_t n, float scale, std::uint8_t zero_point,
                     std::uint8_t* y);
void quantize_f32_s8(const float* x, std::size_t n, float scale, std::int8_t zero_point,
                     std::int8_t* y);

// y[i] = (x[i] - zero_point) * scale in float, as ONNX DequantizeLinear (the difference is exact;
// one rounding, in the product). scale must be finite and > 0; inlay::Error otherwise.
void dequantize_u8_f32(const std::uint8_t* x, std::size_t n, float scale, std::uint8_t zero_point,
                       float* y);
void dequantize_s8_f32(const std::int8_t* x, std::size_t n, float scale, std::int8_t zero_point,
                       float* y);
// int32 has no zero point (ONNX requires it to be 0): y[i] = float(x[i]) * scale.
void dequantize_s32_f32(const std::int32_t* x, std::size_t n, float scale, float* y);

// *min and *max of the finite elements of x (NaN and +-inf left out); +inf and -inf when there
// is none (n == 0 included).
void finite_range_f32(const float* x, std::size_t n, float* min, float* max);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_QUANTIZE_HPP
