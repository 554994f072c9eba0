// The quantize kernels (kernels/quantize.hpp) on every CPU target against the scalar reference
// (tests/reference/quantize.hpp), bit for bit: ties, saturation, NaN and infinities, tails.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "reference/quantize.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

void quantize_into(const std::vector<float>& x, float scale, std::uint8_t zero, std::uint8_t* y) {
  k::quantize_f32_u8(x.data(), x.size(), scale, zero, y);
}
void quantize_into(const std::vector<float>& x, float scale, std::int8_t zero, std::int8_t* y) {
  k::quantize_f32_s8(x.data(), x.size(), scale, zero, y);
}

// Quantizes x on every target and compares with the reference; a guard element after the run
// must stay untouched.
template <class Q>
void check_quantize(const std::vector<float>& x, float scale, Q zero) {
  INFO("n " << x.size() << ", scale " << scale << ", zero point " << int(zero));
  const std::vector<Q> want = inlay_ref::quantize(x, scale, zero);
  inlay_test::for_each_cpu_target([&] {
    std::vector<Q> y(x.size() + 1, Q(77));
    quantize_into(x, scale, zero, y.data());
    CHECK(y.back() == Q(77));
    y.pop_back();
    std::size_t bad = 0, first = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (y[i] != want[i] && bad++ == 0) first = i;
    }
    if (bad > 0) {  // (x[first] exists only then)
      INFO("first mismatch at " << first << ": x " << x[first] << " -> " << int(y[first])
                                << ", want " << int(want[first]));
      CHECK(bad == 0);
    }
    CHECK(bad == 0);
  });
}

template <class Q>
void check_both_zero_points(const std::vector<float>& x, float scale) {
  check_quantize<Q>(x, scale, Q(0));
  check_quantize<Q>(x, scale, std::numeric_limits<Q>::max());
  check_quantize<Q>(x, scale, std::numeric_limits<Q>::min());
  check_quantize<Q>(x, scale, Q(std::numeric_limits<Q>::max() / 2 + 3));
}

}  // namespace

TEST_CASE("quantize matches the reference on random runs of every length", "[kernels/quantize]") {
  std::mt19937 rng(7);
  for (std::size_t n = 0; n <= 70; ++n) {
    for (float scale : {1.0f, 0.37f, 3.3e-3f, 17.0f}) {
      std::vector<float> x = inlay_test::random_floats(n, static_cast<std::uint32_t>(n * 31 + 5),
                                                       -300.0f * scale, 300.0f * scale);
      const auto zu = static_cast<std::uint8_t>(rng());
      const auto zs = static_cast<std::int8_t>(static_cast<std::uint8_t>(rng()));
      check_quantize<std::uint8_t>(x, scale, zu);
      check_quantize<std::int8_t>(x, scale, zs);
    }
  }
}

TEST_CASE("quantize rounds halves to even", "[kernels/quantize]") {
  // With a power-of-two scale x / scale is exact, so these quotients are exactly k + 0.5.
  for (float scale : {1.0f, 0.25f, 2.0f, 0.0078125f}) {
    std::vector<float> x;
    for (int k2 = -301; k2 <= 301; k2 += 2) x.push_back(static_cast<float>(k2) * 0.5f * scale);
    check_both_zero_points<std::uint8_t>(x, scale);
    check_both_zero_points<std::int8_t>(x, scale);
  }
  // Just below and above the halves (the sum 0.49999997 + 0.5 rounds up to 1 in float).
  std::vector<float> near;
  for (float h : {0.5f, 1.5f, 2.5f, 126.5f, 127.5f}) {
    for (float v : {h, -h}) {
      near.push_back(v);
      near.push_back(std::nextafter(v, 0.0f));
      near.push_back(std::nextafter(v, v * 2.0f));
    }
  }
  check_both_zero_points<std::uint8_t>(near, 1.0f);
  check_both_zero_points<std::int8_t>(near, 1.0f);
  // By hand: zero point 0, scale 1.
  const std::vector<float> hand{0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 3.5f};
  std::vector<std::int8_t> y(hand.size());
  inlay_test::for_each_cpu_target([&] {
    k::quantize_f32_s8(hand.data(), hand.size(), 1.0f, 0, y.data());
    CHECK(y == std::vector<std::int8_t>{0, 2, 2, 0, -2, -2, 0, 4});
  });
}

TEST_CASE("quantize saturates large values and infinities; NaN gives the zero point",
          "[kernels/quantize]") {
  std::vector<float> x{1e30f,
                       -1e30f,
                       std::numeric_limits<float>::max(),
                       -std::numeric_limits<float>::max(),
                       kInf,
                       -kInf,
                       8388607.5f,
                       8388608.0f,
                       16777217.0f,
                       -16777216.0f,
                       2147483648.0f,
                       -2147483904.0f,
                       4294967296.0f,
                       255.5f,
                       256.0f,
                       -128.5f,
                       -129.0f,
                       127.5f,
                       std::numeric_limits<float>::quiet_NaN(),
                       -0.0f,
                       0.0f,
                       std::numeric_limits<float>::denorm_min()};
  // Several placements so that the specials land in the body and in the tail.
  for (std::size_t shift = 0; shift < 20; ++shift) {
    std::vector<float> xs(shift, 1.0f);
    xs.insert(xs.end(), x.begin(), x.end());
    for (float scale : {1.0f, 1e-30f, 3.0f}) {
      check_both_zero_points<std::uint8_t>(xs, scale);
      check_both_zero_points<std::int8_t>(xs, scale);
    }
  }
  // By hand: scale 1, zero point 10.
  const std::vector<float> hand{1e30f, -1e30f, kInf, -kInf,
                                std::numeric_limits<float>::quiet_NaN()};
  std::vector<std::uint8_t> yu(hand.size());
  std::vector<std::int8_t> ys(hand.size());
  inlay_test::for_each_cpu_target([&] {
    k::quantize_f32_u8(hand.data(), hand.size(), 1.0f, 10, yu.data());
    CHECK(yu == std::vector<std::uint8_t>{255, 0, 255, 0, 10});
    k::quantize_f32_s8(hand.data(), hand.size(), 1.0f, 10, ys.data());
    CHECK(ys == std::vector<std::int8_t>{127, -128, 127, -128, 10});
  });
}

TEST_CASE("dequantize matches the reference for every 8-bit value and int32",
          "[kernels/quantize]") {
  std::mt19937 rng(11);
  for (float scale : {1.0f, 0.1f, 3.7e-5f, 1234.5f}) {
    for (int zero : {0, 1, 127, 128, 255}) {
      std::vector<std::uint8_t> xu;
      std::vector<std::int8_t> xs;
      for (int v = 0; v < 256 + 19; ++v) {  // 275: a tail on every vector width
        xu.push_back(static_cast<std::uint8_t>(v * 7));
        xs.push_back(static_cast<std::int8_t>(static_cast<std::uint8_t>(v * 5)));
      }
      const auto zu = static_cast<std::uint8_t>(zero);
      const auto zs = static_cast<std::int8_t>(static_cast<std::uint8_t>(zero));
      const auto want_u = inlay_ref::dequantize(xu, scale, zu);
      const auto want_s = inlay_ref::dequantize(xs, scale, zs);
      INFO("scale " << scale << ", zero point " << zero);
      inlay_test::for_each_cpu_target([&] {
        for (std::size_t n : {xu.size(), std::size_t{1}, std::size_t{5}, std::size_t{17}}) {
          std::vector<float> y(n + 1, 99.0f);
          k::dequantize_u8_f32(xu.data(), n, scale, zu, y.data());
          CHECK(y[n] == 99.0f);
          CHECK(std::memcmp(y.data(), want_u.data(), n * sizeof(float)) == 0);
          k::dequantize_s8_f32(xs.data(), n, scale, zs, y.data());
          CHECK(y[n] == 99.0f);
          CHECK(std::memcmp(y.data(), want_s.data(), n * sizeof(float)) == 0);
        }
      });
    }
  }
  std::vector<std::int32_t> xi{0,
                               1,
                               -1,
                               std::numeric_limits<std::int32_t>::max(),
                               std::numeric_limits<std::int32_t>::min(),
                               16777217,
                               -16777219};
  for (int i = 0; i < 40; ++i) xi.push_back(static_cast<std::int32_t>(rng()));
  for (float scale : {1.0f, 0.3f, 2.5e-7f}) {
    std::vector<float> want(xi.size());
    for (std::size_t i = 0; i < xi.size(); ++i) want[i] = static_cast<float>(xi[i]) * scale;
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> y(xi.size());
      k::dequantize_s32_f32(xi.data(), xi.size(), scale, y.data());
      CHECK(std::memcmp(y.data(), want.data(), y.size() * sizeof(float)) == 0);
    });
  }
  // By hand: (x - 128) * 2.
  const std::vector<std::uint8_t> hand{0, 3, 128, 255};
  std::vector<float> y(4);
  k::dequantize_u8_f32(hand.data(), 4, 2.0f, 128, y.data());
  CHECK(y == std::vector<float>{-256.0f, -250.0f, 0.0f, 254.0f});
}

TEST_CASE("finite_range_f32 leaves out NaN and infinities", "[kernels/quantize]") {
  for (std::size_t n = 0; n <= 45; ++n) {
    std::vector<float> x = inlay_test::random_floats(n, static_cast<std::uint32_t>(n + 100), -5, 9);
    inlay_test::sprinkle_specials(x);
    float want_lo = kInf, want_hi = -kInf;
    for (float v : x) {
      if (!std::isfinite(v)) continue;
      want_lo = std::min(want_lo, v);
      want_hi = std::max(want_hi, v);
    }
    INFO("n " << n);
    inlay_test::for_each_cpu_target([&] {
      float lo = 0, hi = 0;
      k::finite_range_f32(x.data(), n, &lo, &hi);
      CHECK(lo == want_lo);
      CHECK(hi == want_hi);
    });
  }
  const std::vector<float> specials{std::numeric_limits<float>::quiet_NaN(), kInf, -kInf};
  float lo = 0, hi = 0;
  k::finite_range_f32(specials.data(), specials.size(), &lo, &hi);
  CHECK(lo == kInf);
  CHECK(hi == -kInf);
}

TEST_CASE("the quantize kernels refuse a scale that is not finite and positive",
          "[kernels/quantize]") {
  const float x[1] = {1.0f};
  const std::uint8_t q[1] = {1};
  std::uint8_t yu[1];
  std::int8_t ys[1];
  float yf[1];
  for (float scale : {0.0f, -1.0f, kInf, std::numeric_limits<float>::quiet_NaN()}) {
    INFO("scale " << scale);
    CHECK_THROWS_AS(k::quantize_f32_u8(x, 1, scale, 0, yu), inlay::Error);
    CHECK_THROWS_AS(k::quantize_f32_s8(x, 1, scale, 0, ys), inlay::Error);
    CHECK_THROWS_AS(k::dequantize_u8_f32(q, 1, scale, 0, yf), inlay::Error);
  }
  CHECK_THROWS_WITH(k::quantize_f32_u8(x, 1, 0.0f, 0, yu),
                    Catch::Matchers::Contains("must be finite and > 0"));
}
