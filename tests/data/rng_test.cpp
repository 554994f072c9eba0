// data::Rng: the exact streams (the same on every platform), and the distributions it draws.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using inlay::data::Rng;

// The expected values were computed once with an independent Python model of xoshiro256**
// seeded by splitmix64 (Python integers masked to 64 bits; the model itself reproduces the
// reference outputs 11520, 0, 1509978240, 1215971899390074240 of xoshiro256** from state
// {1, 2, 3, 4}).
TEST_CASE("Rng: the streams of xoshiro256** seeded by splitmix64", "[data/rng]") {
  Rng a(0);
  CHECK(a.next() == 0x99ec5f36cb75f2b4ull);
  CHECK(a.next() == 0xbf6e1f784956452aull);
  CHECK(a.next() == 0x1a5f849d4933e6e0ull);
  Rng b(42);
  CHECK(b.next() == 0x15780b2e0c2ec716ull);
  CHECK(b.next() == 0x6104d9866d113a7eull);
  CHECK(b.next() == 0xae17533239e499a1ull);
  Rng c(7);
  CHECK(c.uniform() == 0.7005764821796896);
  CHECK(c.uniform() == 0.2787512294737843);
  std::vector<std::size_t> v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  Rng d(7);
  d.shuffle(v);  // Fisher-Yates from the back, below(i + 1) by rejection sampling
  CHECK(v == std::vector<std::size_t>{8, 3, 9, 0, 7, 2, 1, 6, 5, 4});

  b.reseed(42);
  CHECK(b.next() == 0x15780b2e0c2ec716ull);
}

TEST_CASE("Rng: uniform, below and normal have the right ranges and moments", "[data/rng]") {
  Rng rng(123);
  const int n = 200000;
  double sum = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(std::fabs(sum / n - 0.5) < 0.005);  // 6 standard errors (1/sqrt(12 n) = 0.00065)
  CHECK(lo < 1e-3);
  CHECK(hi > 1 - 1e-3);

  // below(7): each value about n / 7 times (chi-square with 6 degrees of freedom < 30 always
  // holds for a fair generator except with probability ~4e-5).
  std::vector<int> counts(7, 0);
  for (int i = 0; i < n; ++i) {
    const std::uint64_t k = rng.below(7);
    REQUIRE(k < 7);
    ++counts[k];
  }
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / 7.0) * (c - n / 7.0) / (n / 7.0);
  CHECK(chi2 < 30);
  CHECK(rng.below(0) == 0);
  CHECK(rng.below(1) == 0);

  double m1 = 0, m2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    REQUIRE(std::isfinite(z));
    m1 += z;
    m2 += z * z;
  }
  CHECK(std::fabs(m1 / n) < 0.015);
  CHECK(std::fabs(m2 / n - 1.0) < 0.02);
  const float shifted = rng.normal(10.0f, 0.0f);
  CHECK(shifted == 10.0f);
}

TEST_CASE("Rng: shuffle is a permutation, reproducible from the seed", "[data/rng]") {
  std::vector<std::size_t> a(1000), b;
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = i;
  b = a;
  Rng r1(9), r2(9), r3(10);
  r1.shuffle(a);
  r2.shuffle(b);
  CHECK(a == b);
  std::vector<std::size_t> c(1000);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = i;
  r3.shuffle(c);
  CHECK(a != c);
  std::vector<std::size_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
  std::vector<std::size_t> empty, one{5};
  r1.shuffle(empty);
  r1.shuffle(one);
  CHECK(one == std::vector<std::size_t>{5});
}
