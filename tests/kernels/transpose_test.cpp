#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

#include "reference/transpose.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;

namespace {

std::string perm_str(const std::vector<std::size_t>& perm) {
  std::string s;
  for (std::size_t p : perm) s += " " + std::to_string(p);
  return s;
}

// transpose_bytes for every element size, and transpose_f32, against the reference.
void check_transpose(const inlay::Shape& s, const std::vector<std::size_t>& perm,
                     std::uint32_t seed) {
  INFO("shape " << s.to_string() << " perm" << perm_str(perm));
  const std::size_t n = static_cast<std::size_t>(s.numel());
  std::mt19937 rng(seed);
  std::vector<unsigned char> x(n * 8);
  for (auto& b : x) b = static_cast<unsigned char>(rng());
  for (std::size_t e : {1u, 2u, 4u, 8u}) {
    const std::vector<unsigned char> xe(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n * e));
    const auto want = inlay_ref::transpose(xe, e, s, perm);
    inlay_test::for_each_cpu_target([&] {
      INFO("element size " << e);
      std::vector<unsigned char> y(n * e + 1, 0xAB);  // one guard byte
      k::transpose_bytes(xe.data(), e, s, perm.data(), y.data());
      CHECK(y.back() == 0xAB);
      y.pop_back();
      CHECK(y == want);
    });
  }
  const auto xf = inlay_test::random_floats(n, seed);
  std::vector<unsigned char> xb(n * 4);
  if (n) std::memcpy(xb.data(), xf.data(), n * 4);
  const auto want = inlay_ref::transpose(xb, 4, s, perm);
  std::vector<float> want_f(n);
  if (n) std::memcpy(want_f.data(), want.data(), n * 4);
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(n);
    k::transpose_f32(xf.data(), s, perm.data(), y.data());
    inlay_test::check_close(y, want_f, 0.0f, 0.0f);
  });
}

}  // namespace

TEST_CASE("transpose matches the reference for random shapes and permutations",
          "[kernels/transpose]") {
  std::mt19937 rng(41);
  const std::int64_t choices[] = {0, 1, 1, 2, 3, 5, 7, 9, 17};
  for (int round = 0; round < 60; ++round) {
    const std::size_t rank = inlay_test::random_size(rng, 1, 6);
    std::int64_t dims[6];
    for (std::size_t i = 0; i < rank; ++i) {
      dims[i] = choices[inlay_test::random_size(rng, round % 5 ? 1 : 0, 8)];
    }
    const inlay::Shape s(dims, rank);
    std::vector<std::size_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0u);
    std::shuffle(perm.begin(), perm.end(), rng);
    check_transpose(s, perm, static_cast<std::uint32_t>(round));
  }
}

TEST_CASE("transpose covers every permutation of rank 3 and 4 and the common layouts",
          "[kernels/transpose]") {
  for (const inlay::Shape& s : {inlay::Shape{3, 5, 7}, inlay::Shape{2, 3, 1, 5}}) {
    std::vector<std::size_t> perm(s.rank());
    std::iota(perm.begin(), perm.end(), 0u);
    do check_transpose(s, perm, 1);
    while (std::next_permutation(perm.begin(), perm.end()));
  }
  check_transpose(inlay::Shape{}, {}, 2);                        // a scalar
  check_transpose(inlay::Shape{2, 17, 9, 11}, {0, 2, 3, 1}, 3);  // NCHW -> NHWC
  check_transpose(inlay::Shape{2, 9, 11, 17}, {0, 3, 1, 2}, 4);  // NHWC -> NCHW
  check_transpose(inlay::Shape{2, 13, 3, 8}, {0, 2, 1, 3}, 5);   // attention heads
  check_transpose(inlay::Shape{67, 131}, {1, 0}, 6);             // several tiles with tails
}

TEST_CASE("transpose rejects bad permutations and element sizes", "[kernels/transpose]") {
  using Catch::Matchers::Contains;
  std::vector<float> x(6), y(6);
  const inlay::Shape s{2, 3};
  const std::size_t out_of_range[] = {0, 2}, repeat[] = {1, 1}, ok[] = {1, 0};
  CHECK_THROWS_WITH(k::transpose_f32(x.data(), s, out_of_range, y.data()),
                    Contains("transpose_f32") && Contains("perm[1] = 2") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(k::transpose_f32(x.data(), s, repeat, y.data()),
                    Contains("transpose_f32") && Contains("repeats axis 1"));
  CHECK_THROWS_WITH(k::transpose_bytes(x.data(), 3, s, ok, y.data()),
                    Contains("transpose_bytes") && Contains("element_size") && Contains("3"));
  CHECK_THROWS_WITH(k::transpose_bytes(x.data(), 4, s, nullptr, y.data()),
                    Contains("transpose_bytes") && Contains("perm is null"));
}
