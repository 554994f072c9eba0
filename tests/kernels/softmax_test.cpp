#include <cmath>
#include <vector>

#include "reference/softmax.hpp"
#include "test_util.hpp"

using inlay::kernels::log_softmax_f32;
using inlay::kernels::softmax_f32;

namespace {

// Runs softmax (or log_softmax) on every target, out of place and in place, against the reference.
void check_softmax(const std::vector<float>& x, std::size_t outer, std::size_t axis,
                   std::size_t inner, bool log) {
  INFO((log ? "log_softmax" : "softmax")
       << " outer " << outer << " axis " << axis << " inner " << inner);
  const std::vector<float> want = inlay_ref::softmax(x, outer, axis, inner, log);
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(x.size(), -7.0f);
    (log ? log_softmax_f32 : softmax_f32)(x.data(), y.data(), outer, axis, inner);
    // exp has a few ulp of error in Highway's polynomial; log_softmax's log(sum) has an absolute
    // error of a few float ulp of the sum, which dominates outputs near 0.
    const float atol = log ? 1e-6f : 1e-7f;
    inlay_test::check_close(y, want, 2e-6f, atol);
    std::vector<float> z = x;
    (log ? log_softmax_f32 : softmax_f32)(z.data(), z.data(), outer, axis, inner);
    inlay_test::check_close(z, y, 0.0f, 0.0f);
  });
}

}  // namespace

TEST_CASE("softmax and log_softmax match the reference on random shapes", "[kernels/softmax]") {
  std::mt19937 rng(11);
  for (int round = 0; round < 40; ++round) {
    const std::size_t outer = inlay_test::random_size(rng, 1, 5);
    const std::size_t axis = inlay_test::random_size(rng, 1, 70);
    const std::size_t inner = round % 2 ? 1 : inlay_test::random_size(rng, 1, 37);
    const auto x = inlay_test::random_floats(outer * axis * inner, 100 + round, -20.0f, 20.0f);
    check_softmax(x, outer, axis, inner, round % 4 < 2);
  }
}

TEST_CASE("softmax handles sizes 0 and 1 and long rows", "[kernels/softmax]") {
  for (bool log : {false, true}) {
    for (std::size_t axis : {1u, 2u, 3u, 15u, 16u, 17u, 31u, 33u, 1000u}) {
      check_softmax(inlay_test::random_floats(axis, 7, -5.0f, 5.0f), 1, axis, 1, log);
      check_softmax(inlay_test::random_floats(3 * axis * 19, 8, -5.0f, 5.0f), 3, axis, 19, log);
    }
    // Empty tensors write nothing.
    inlay_test::for_each_cpu_target([&] {
      float y = 3.0f;
      (log ? log_softmax_f32 : softmax_f32)(nullptr, &y, 0, 5, 1);
      (log ? log_softmax_f32 : softmax_f32)(nullptr, &y, 4, 0, 1);
      (log ? log_softmax_f32 : softmax_f32)(nullptr, &y, 4, 5, 0);
      CHECK(y == 3.0f);
    });
  }
  // A single element along the axis: softmax 1, log_softmax 0.
  std::vector<float> ones(7, 1.0f), zeros(7, 0.0f);
  inlay_test::for_each_cpu_target([&] {
    const auto x = inlay_test::random_floats(7, 9, -50.0f, 50.0f);
    std::vector<float> y(7);
    softmax_f32(x.data(), y.data(), 7, 1, 1);
    inlay_test::check_close(y, ones, 0.0f, 0.0f);
    log_softmax_f32(x.data(), y.data(), 1, 1, 7);
    inlay_test::check_close(y, zeros, 0.0f, 0.0f);
  });
}

TEST_CASE("softmax is stable for large inputs and follows the formula for NaN and Inf",
          "[kernels/softmax]") {
  for (bool log : {false, true}) {
    // Large values: exp(x) alone would overflow.
    check_softmax(inlay_test::random_floats(3 * 40, 1, 80.0f, 3000.0f), 3, 40, 1, log);
    check_softmax(inlay_test::random_floats(3 * 40 * 5, 1, -3000.0f, -80.0f), 3, 40, 5, log);
    for (std::size_t inner : {1u, 6u}) {
      const std::size_t axis = 23;
      // Rows: plain, one NaN, one +inf, two +inf, all -inf, some -inf.
      std::vector<float> x = inlay_test::random_floats(6 * axis * inner, 3);
      auto at = [&](std::size_t row, std::size_t a) { return (row * axis + a) * inner; };
      x[at(1, 5)] = NAN;
      x[at(2, 7)] = INFINITY;
      x[at(3, 0)] = INFINITY;
      x[at(3, 22)] = INFINITY;
      for (std::size_t a = 0; a < axis; ++a) x[at(4, a)] = -INFINITY;
      x[at(5, 2)] = -INFINITY;
      x[at(5, 20)] = -INFINITY;
      check_softmax(x, 6, axis, inner, log);
    }
  }
}
