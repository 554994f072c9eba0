#include <cmath>
#include <cstdint>
#include <cstring>

#include "test_util.hpp"

namespace {
// The float nearest to a half given by its bits, computed from the definition.
double half_value(std::uint16_t bits) {
  const int sign = bits >> 15, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double v;
  if (exponent == 0x1f) {
    v = mantissa ? NAN : INFINITY;
  } else if (exponent == 0) {
    v = std::ldexp(mantissa, -24);
  } else {
    v = std::ldexp(1024 + mantissa, exponent - 25);
  }
  return sign ? -v : v;
}
}  // namespace

TEST_CASE("dtype sizes and names", "[core/dtype]") {
  CHECK(inlay::dtype_size(inlay::DType::f32) == 4);
  CHECK(inlay::dtype_size(inlay::DType::f16) == 2);
  CHECK(inlay::dtype_size(inlay::DType::i64) == 8);
  CHECK(std::string(inlay::dtype_name(inlay::DType::boolean)) == "bool");
  CHECK(inlay::dtype_of_v<inlay::float16> == inlay::DType::f16);
}

TEST_CASE("float16 to float is exact for every half", "[core/dtype]") {
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {
    const double expected = half_value(static_cast<std::uint16_t>(b));
    const float got = inlay::to_float(inlay::float16{static_cast<std::uint16_t>(b)});
    if (std::isnan(expected)) {
      REQUIRE(std::isnan(got));
    } else {
      REQUIRE(got == expected);
      REQUIRE(std::signbit(got) == static_cast<bool>(b & 0x8000));
    }
  }
}

TEST_CASE("float to float16 rounds to nearest even", "[core/dtype]") {
  // Every half converts back to itself.
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {
    const float f = inlay::to_float(inlay::float16{static_cast<std::uint16_t>(b)});
    if (std::isnan(f)) {
      REQUIRE(std::isnan(inlay::to_float(inlay::to_float16(f))));
    } else {
      REQUIRE(inlay::to_float16(f).bits == b);
    }
  }
  // Floats between neighbouring halves go to the nearer one, ties to the even one.
  for (std::uint32_t b = 0; b < 0x7bff; ++b) {
    const double lo = half_value(static_cast<std::uint16_t>(b));
    const double hi = half_value(static_cast<std::uint16_t>(b + 1));
    const float mid = static_cast<float>((lo + hi) / 2);  // exact in float
    const std::uint16_t even =
        (b & 1) ? static_cast<std::uint16_t>(b + 1) : static_cast<std::uint16_t>(b);
    REQUIRE(inlay::to_float16(mid).bits == even);
    REQUIRE(inlay::to_float16(std::nextafter(mid, 0.0f)).bits == b);
    REQUIRE(inlay::to_float16(std::nextafter(mid, 1e9f)).bits == b + 1);
    REQUIRE(inlay::to_float16(-mid).bits == (even | 0x8000));
  }
  CHECK(inlay::to_float16(65520.0f).bits == 0x7c00);  // halfway past the largest half: inf
  CHECK(inlay::to_float16(65519.996f).bits == 0x7bff);
  CHECK(inlay::to_float16(1e-9f).bits == 0);
  CHECK(inlay::to_float16(-INFINITY).bits == 0xfc00);
}

namespace {
// The value of a bfloat16 given by its bits, from the definition: sign, 8 exponent bits (bias
// 127), 7 mantissa bits.
double bfloat16_value(std::uint16_t bits) {
  const int sign = bits >> 15, exponent = (bits >> 7) & 0xff, mantissa = bits & 0x7f;
  double v;
  if (exponent == 0xff) {
    v = mantissa ? NAN : INFINITY;
  } else if (exponent == 0) {
    v = std::ldexp(mantissa, -133);
  } else {
    v = std::ldexp(128 + mantissa, exponent - 134);
  }
  return sign ? -v : v;
}
}  // namespace

TEST_CASE("bfloat16 to float is exact for every bfloat16", "[core/dtype]") {
  CHECK(inlay::dtype_size(inlay::DType::bf16) == 2);
  CHECK(std::string(inlay::dtype_name(inlay::DType::bf16)) == "bf16");
  CHECK(inlay::dtype_of_v<inlay::bfloat16> == inlay::DType::bf16);
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {
    const double expected = bfloat16_value(static_cast<std::uint16_t>(b));
    const float got = inlay::to_float(inlay::bfloat16{static_cast<std::uint16_t>(b)});
    if (std::isnan(expected)) {
      REQUIRE(std::isnan(got));
    } else {
      REQUIRE(got == expected);
      REQUIRE(std::signbit(got) == static_cast<bool>(b & 0x8000));
    }
  }
}

TEST_CASE("float to bfloat16 rounds to nearest even and keeps NaN", "[core/dtype]") {
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {  // every bfloat16 converts back to itself
    const float f = inlay::to_float(inlay::bfloat16{static_cast<std::uint16_t>(b)});
    if (std::isnan(f)) {
      REQUIRE(std::isnan(inlay::to_float(inlay::to_bfloat16(f))));
    } else {
      REQUIRE(inlay::to_bfloat16(f).bits == b);
    }
  }
  // Between neighbours (subnormals included): the nearer, ties to the even one.
  for (std::uint32_t b = 0; b < 0x7f7f; ++b) {
    const double lo = bfloat16_value(static_cast<std::uint16_t>(b));
    const double hi = bfloat16_value(static_cast<std::uint16_t>(b + 1));
    const float mid = static_cast<float>((lo + hi) / 2);  // exact in float
    const std::uint16_t even =
        (b & 1) ? static_cast<std::uint16_t>(b + 1) : static_cast<std::uint16_t>(b);
    REQUIRE(inlay::to_bfloat16(mid).bits == even);
    REQUIRE(inlay::to_bfloat16(std::nextafter(mid, 0.0f)).bits == b);
    REQUIRE(inlay::to_bfloat16(std::nextafter(mid, INFINITY)).bits == b + 1);
    REQUIRE(inlay::to_bfloat16(-mid).bits == (even | 0x8000));
  }
  // Past halfway above the largest finite bfloat16 (0x7f7f): inf; the largest float too.
  CHECK(inlay::to_bfloat16(3.4028235e38f).bits == 0x7f80);
  CHECK(inlay::to_bfloat16(-INFINITY).bits == 0xff80);
  // A NaN whose payload is only in the low 16 bits stays a NaN (not inf).
  std::uint32_t low_nan = 0x7f800001u;
  float f;
  std::memcpy(&f, &low_nan, 4);
  CHECK(std::isnan(inlay::to_float(inlay::to_bfloat16(f))));
  // 0.48033667f (bits 0x3ef5_ef96) rounds up to 0x3ef6; truncation would give 0x3ef5.
  CHECK(inlay::to_bfloat16(0.48033667f).bits == 0x3ef6);
}
