// Element types a tensor can hold, and the mapping from C++ types to them.
#ifndef INLAY_CORE_DTYPE_HPP
#define INLAY_CORE_DTYPE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN

enum class DType : std::uint8_t {
  f32,
  f16,
  i8,
  u8,
  i32,
  i64,
  boolean,
  f64,
  i16,
  u16,
  u32,
  u64,
  bf16,
  string
};

// DType::string elements are std::string objects, not plain bytes: a string tensor constructs and
// destroys them (core/tensor.hpp), and the graph runner keeps string values out of its arena.

// IEEE 754 half precision, storage only: kernels convert to f32 to compute.
struct float16 {
  std::uint16_t bits;
};

// Exact: every half is a float.
inline float to_float(float16 h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h.bits & 0x8000u) << 16;
  std::uint32_t exponent = (h.bits >> 10) & 0x1fu;
  std::uint32_t mantissa = h.bits & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf, NaN (payload kept)
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;  // +-0
  } else {        // subnormal half: normalize
    exponent = 113;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Rounds to nearest, ties to even; overflow gives inf, NaN stays NaN.
inline float16 to_float16(float f) noexcept {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or NaN
    return {static_cast<std::uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u))};
  }
  if (abs >= 0x477ff000u) return {static_cast<std::uint16_t>(sign | 0x7c00u)};  // rounds to inf
  if (abs < 0x38800000u) {                 // below the smallest normal half: a subnormal or zero
    if (abs < 0x33000000u) return {sign};  // below half the smallest subnormal: rounds to 0
    const std::uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const unsigned shift = 126u - (abs >> 23);  // 14..24
    std::uint32_t half = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1u);
    const std::uint32_t midpoint = 1u << (shift - 1u);
    if (rest > midpoint || (rest == midpoint && (half & 1u))) ++half;
    return {static_cast<std::uint16_t>(sign | half)};
  }
  std::uint32_t half = ((abs >> 13) - (112u << 10));  // rebias the exponent
  const std::uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent
  return {static_cast<std::uint16_t>(sign | half)};
}

// bfloat16 (the upper half of an IEEE float: 8 exponent bits, 7 mantissa bits), storage only
// like float16: kernels convert to f32 to compute.
struct bfloat16 {
  std::uint16_t bits;
};

// Exact: a bfloat16 is the top 16 bits of a float.
inline float to_float(bfloat16 b) noexcept {
  const std::uint32_t bits = static_cast<std::uint32_t>(b.bits) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Rounds to nearest, ties to even (adding 0x7fff plus the lowest kept bit carries exactly when
// the dropped half is above the midpoint, or at it with an odd kept half); overflow gives inf,
// NaN stays NaN (quiet bit set so that a payload living only in the low bits is not lost).
inline bfloat16 to_bfloat16(float f) noexcept {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    return {static_cast<std::uint16_t>((bits >> 16) | 0x40u)};
  }
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return {static_cast<std::uint16_t>(bits >> 16)};
}

inline std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::f32: return 4;
    case DType::f16: return 2;
    case DType::i8: return 1;
    case DType::u8: return 1;
    case DType::i32: return 4;
    case DType::i64: return 8;
    case DType::boolean: return 1;
    case DType::f64: return 8;
    case DType::i16: return 2;
    case DType::u16: return 2;
    case DType::u32: return 4;
    case DType::u64: return 8;
    case DType::bf16: return 2;
    case DType::string: return sizeof(std::string);
  }
  return 0;
}

inline const char* dtype_name(DType t) noexcept {
  switch (t) {
    case DType::f32: return "f32";
    case DType::f16: return "f16";
    case DType::i8: return "i8";
    case DType::u8: return "u8";
    case DType::i32: return "i32";
    case DType::i64: return "i64";
    case DType::boolean: return "bool";
    case DType::f64: return "f64";
    case DType::i16: return "i16";
    case DType::u16: return "u16";
    case DType::u32: return "u32";
    case DType::u64: return "u64";
    case DType::bf16: return "bf16";
    case DType::string: return "string";
  }
  return "?";
}

template <class T>
struct dtype_of;  // undefined for types a tensor cannot hold
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::f32;
};
template <>
struct dtype_of<float16> {
  static constexpr DType value = DType::f16;
};
template <>
struct dtype_of<bfloat16> {
  static constexpr DType value = DType::bf16;
};
template <>
struct dtype_of<std::int8_t> {
  static constexpr DType value = DType::i8;
};
template <>
struct dtype_of<std::uint8_t> {
  static constexpr DType value = DType::u8;
};
template <>
struct dtype_of<std::int32_t> {
  static constexpr DType value = DType::i32;
};
template <>
struct dtype_of<std::int64_t> {
  static constexpr DType value = DType::i64;
};
template <>
struct dtype_of<bool> {
  static constexpr DType value = DType::boolean;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::f64;
};
template <>
struct dtype_of<std::int16_t> {
  static constexpr DType value = DType::i16;
};
template <>
struct dtype_of<std::uint16_t> {
  static constexpr DType value = DType::u16;
};
template <>
struct dtype_of<std::uint32_t> {
  static constexpr DType value = DType::u32;
};
template <>
struct dtype_of<std::uint64_t> {
  static constexpr DType value = DType::u64;
};
template <>
struct dtype_of<std::string> {
  static constexpr DType value = DType::string;
};
template <class T>
constexpr DType dtype_of_v = dtype_of<T>::value;

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_DTYPE_HPP
