// Entry points of the quantize kernels (see quantize.hpp): each checks its parameters, then calls
// the body compiled for the CPU target in use. Compiled once, in the implementation translation
// unit.
#ifndef INLAY_KERNELS_QUANTIZE_DISPATCH_HPP
#define INLAY_KERNELS_QUANTIZE_DISPATCH_HPP

#include <cmath>
#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(quantize_f32_u8);
INLAY_EXPORT(quantize_f32_s8);
INLAY_EXPORT(dequantize_u8_f32);
INLAY_EXPORT(dequantize_s8_f32);
INLAY_EXPORT(dequantize_s32_f32);
INLAY_EXPORT(finite_range_f32);

namespace detail_quantize {
inline void check_scale(const char* function, float scale) {
  if (!(scale > 0.0f) || !std::isfinite(scale)) {
    fail(ErrorKind::invalid_argument,
         std::string(function) + ": scale " + std::to_string(scale) + " must be finite and > 0");
  }
}
}  // namespace detail_quantize

void quantize_f32_u8(const float* x, std::size_t n, float scale, std::uint8_t zero_point,
                     std::uint8_t* y) {
  detail_quantize::check_scale("quantize_f32_u8", scale);
  if (n > 0) INLAY_DISPATCH(quantize_f32_u8)(x, n, scale, zero_point, y);
}

void quantize_f32_s8(const float* x, std::size_t n, float scale, std::int8_t zero_point,
                     std::int8_t* y) {
  detail_quantize::check_scale("quantize_f32_s8", scale);
  if (n > 0) INLAY_DISPATCH(quantize_f32_s8)(x, n, scale, zero_point, y);
}

void dequantize_u8_f32(const std::uint8_t* x, std::size_t n, float scale, std::uint8_t zero_point,
                       float* y) {
  detail_quantize::check_scale("dequantize_u8_f32", scale);
  if (n > 0) INLAY_DISPATCH(dequantize_u8_f32)(x, n, scale, zero_point, y);
}

void dequantize_s8_f32(const std::int8_t* x, std::size_t n, float scale, std::int8_t zero_point,
                       float* y) {
  detail_quantize::check_scale("dequantize_s8_f32", scale);
  if (n > 0) INLAY_DISPATCH(dequantize_s8_f32)(x, n, scale, zero_point, y);
}

void dequantize_s32_f32(const std::int32_t* x, std::size_t n, float scale, float* y) {
  detail_quantize::check_scale("dequantize_s32_f32", scale);
  if (n > 0) INLAY_DISPATCH(dequantize_s32_f32)(x, n, scale, y);
}

void finite_range_f32(const float* x, std::size_t n, float* min, float* max) {
  INLAY_DISPATCH(finite_range_f32)(x, n, min, max);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_QUANTIZE_DISPATCH_HPP
