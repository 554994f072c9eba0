// Element types a tensor can hold, and the mapping from C++ types to them.
#ifndef INLAY_CORE_DTYPE_HPP
#define INLAY_CORE_DTYPE_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN

enum class DType : std::uint8_t { f32, f16, i8, u8, i32, i64, boolean };

// IEEE 754 half precision, storage only: kernels convert to f32 to compute.
struct float16 {
  std::uint16_t bits;
};

inline std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::f32: return 4;
    case DType::f16: return 2;
    case DType::i8: return 1;
    case DType::u8: return 1;
    case DType::i32: return 4;
    case DType::i64: return 8;
    case DType::boolean: return 1;
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
  }
  return "?";
}

template <class T>
struct dtype_of;  // undefined for types a tensor cannot hold
template <> struct dtype_of<float> { static constexpr DType value = DType::f32; };
template <> struct dtype_of<float16> { static constexpr DType value = DType::f16; };
template <> struct dtype_of<std::int8_t> { static constexpr DType value = DType::i8; };
template <> struct dtype_of<std::uint8_t> { static constexpr DType value = DType::u8; };
template <> struct dtype_of<std::int32_t> { static constexpr DType value = DType::i32; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = DType::i64; };
template <> struct dtype_of<bool> { static constexpr DType value = DType::boolean; };
template <class T>
constexpr DType dtype_of_v = dtype_of<T>::value;

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_DTYPE_HPP
