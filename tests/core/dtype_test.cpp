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
