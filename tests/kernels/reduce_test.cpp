#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "reference/reduce.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;
using k::ReduceOp;

namespace {

const ReduceOp all_ops[] = {
    ReduceOp::sum, ReduceOp::mean, ReduceOp::max,        ReduceOp::min,     ReduceOp::prod,
    ReduceOp::l1,  ReduceOp::l2,   ReduceOp::sum_square, ReduceOp::log_sum, ReduceOp::log_sum_exp};

std::size_t out_size(const inlay::Shape& s, const std::vector<std::int64_t>& axes) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < s.rank(); ++i) {
    bool red = false;
    for (std::int64_t a : axes) red = red || a == static_cast<std::int64_t>(i);
    n *= red ? 1 : static_cast<std::size_t>(s[i]);
  }
  return n;
}

// Checks every op over `axes` on every target against the reference.
void check_reduce(const std::vector<float>& x, const inlay::Shape& s,
                  const std::vector<std::int64_t>& axes) {
  const std::size_t n_out = out_size(s, axes);
  const std::size_t n_red = n_out ? x.size() / n_out : 0;
  for (ReduceOp op : all_ops) {
    std::string axes_str;
    for (std::int64_t a : axes) axes_str += " " + std::to_string(a);
    INFO("op " << static_cast<int>(op) << " shape " << s.to_string() << " axes" << axes_str);
    const auto want = inlay_ref::reduce(op, x, s, axes);
    // Float accumulation against the double reference: the error grows with the number of terms.
    const float atol = 2e-6f * static_cast<float>(n_red + 1);
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> y(n_out, -123.0f);
      k::reduce_f32(op, x.data(), s, axes.data(), axes.size(), y.data());
      inlay_test::check_close(y, want, 2e-5f, atol);
    });
  }
}

inlay::Shape random_reduce_shape(std::mt19937& rng, std::size_t rank, bool allow_zero) {
  std::int64_t dims[8];
  const std::size_t choices[] = {1, 2, 3, 5, 7, 17, 33};
  for (std::size_t i = 0; i < rank; ++i) {
    dims[i] = static_cast<std::int64_t>(choices[inlay_test::random_size(rng, 0, 6)]);
    if (allow_zero && inlay_test::random_size(rng, 0, 9) == 0) dims[i] = 0;
  }
  // Keep the element count moderate.
  for (std::size_t i = 0; i < rank; ++i) {
    inlay::Shape t(dims, rank);
    if (t.numel() <= 6000) break;
    dims[i] = dims[i] > 3 ? 3 : dims[i];
  }
  return inlay::Shape(dims, rank);
}

}  // namespace

TEST_CASE("reduce_f32 matches the reference for every op and every axis subset",
          "[kernels/reduce]") {
  std::mt19937 rng(31);
  for (std::size_t rank = 1; rank <= 4; ++rank) {
    for (int round = 0; round < 2; ++round) {
      const inlay::Shape s = random_reduce_shape(rng, rank, round == 1);
      const auto x = inlay_test::random_floats(static_cast<std::size_t>(s.numel()),
                                               static_cast<std::uint32_t>(rank * 10 + round), 0.5f,
                                               1.5f);  // positive, for log_sum
      for (unsigned mask = 0; mask < (1u << rank); ++mask) {
        std::vector<std::int64_t> axes;
        for (std::size_t i = 0; i < rank; ++i) {
          if (mask >> i & 1u) axes.push_back(static_cast<std::int64_t>(i));
        }
        check_reduce(x, s, axes);
      }
    }
  }
}

TEST_CASE("reduce_f32 on ranks 5 and 6, axis order, rank 0, and mixed signs", "[kernels/reduce]") {
  std::mt19937 rng(32);
  for (std::size_t rank : {5u, 6u}) {
    for (int round = 0; round < 3; ++round) {
      const inlay::Shape s = random_reduce_shape(rng, rank, round == 2);
      const auto x =
          inlay_test::random_floats(static_cast<std::size_t>(s.numel()),
                                    static_cast<std::uint32_t>(rank + round), -2.0f, 2.0f);
      std::vector<std::int64_t> axes;
      for (std::size_t i = 0; i < rank; ++i) {
        if (inlay_test::random_size(rng, 0, 1)) axes.push_back(static_cast<std::int64_t>(i));
      }
      check_reduce(x, s, axes);
      std::reverse(axes.begin(), axes.end());  // order does not matter
      check_reduce(x, s, axes);
    }
  }
  check_reduce({2.5f}, inlay::Shape{}, {});  // a scalar
  // An empty reduced axis gives each op's identity; an empty kept axis gives no output.
  for (unsigned mask = 0; mask < 8u; ++mask) {
    std::vector<std::int64_t> axes;
    for (std::int64_t i = 0; i < 3; ++i) {
      if (mask >> i & 1u) axes.push_back(i);
    }
    check_reduce({}, inlay::Shape{3, 0, 2}, axes);
  }
  // Long rows and long columns (several vectors, with tails).
  check_reduce(inlay_test::random_floats(3 * 1001, 5, -1.0f, 1.0f), inlay::Shape{3, 1001}, {1});
  check_reduce(inlay_test::random_floats(301 * 67, 6, -1.0f, 1.0f), inlay::Shape{301, 67}, {0});
  // Kept runs longer than the column kernel's 1024-float block, with NaN and Inf in them.
  auto wide = inlay_test::random_floats(3 * 2 * 2100, 7, 0.5f, 1.5f);
  inlay_test::sprinkle_specials(wide);
  wide[2 * 2100 + 1500] = NAN;
  check_reduce(wide, inlay::Shape{3, 2, 2100}, {0, 1});
  check_reduce(wide, inlay::Shape{3, 2, 2100}, {1});
}

TEST_CASE("reduce_f32 propagates NaN and handles infinities", "[kernels/reduce]") {
  std::mt19937 rng(33);
  for (int round = 0; round < 6; ++round) {
    const inlay::Shape s = random_reduce_shape(rng, 3, false);
    auto x = inlay_test::random_floats(static_cast<std::size_t>(s.numel()),
                                       static_cast<std::uint32_t>(round), -3.0f, 3.0f);
    inlay_test::sprinkle_specials(x);
    for (unsigned mask = 0; mask < 8u; ++mask) {
      std::vector<std::int64_t> axes;
      for (std::int64_t i = 0; i < 3; ++i) {
        if (mask >> i & 1u) axes.push_back(i);
      }
      check_reduce(x, s, axes);
    }
  }
  // NaN in the middle of a long max/min row is not lost whatever its lane.
  for (std::size_t pos : {0u, 1u, 15u, 16u, 40u, 99u}) {
    auto x = inlay_test::random_floats(100, 3);
    x[pos] = NAN;
    check_reduce(x, inlay::Shape{100}, {0});
    check_reduce(x, inlay::Shape{50, 2}, {0});
  }
  // Rows of only -inf or holding +inf (log_sum_exp's special cases).
  std::vector<float> x(4 * 9, -INFINITY);
  for (std::size_t i = 9; i < 18; ++i) x[i] = static_cast<float>(i);
  x[20] = INFINITY;
  x[30] = INFINITY;
  x[31] = -INFINITY;
  check_reduce(x, inlay::Shape{4, 9}, {1});
  check_reduce(x, inlay::Shape{4, 9}, {0});
}

TEST_CASE("argmax_f32 and argmin_f32 match the reference on every axis", "[kernels/reduce]") {
  std::mt19937 rng(34);
  for (int round = 0; round < 30; ++round) {
    const std::size_t rank = inlay_test::random_size(rng, 1, 4);
    std::int64_t dims[4];
    for (std::size_t i = 0; i < rank; ++i) {
      dims[i] = static_cast<std::int64_t>(inlay_test::random_size(rng, 1, round % 3 ? 9 : 70));
    }
    const inlay::Shape s(dims, rank);
    auto x = inlay_test::random_floats(static_cast<std::size_t>(s.numel()),
                                       static_cast<std::uint32_t>(round));
    // Few distinct values make ties common.
    for (float& v : x) v = std::round(v * 3.0f);
    if (round % 4 == 1) inlay_test::sprinkle_specials(x);
    if (round % 4 == 3) {
      for (std::size_t i = 0; i < x.size(); i += 5) x[i] = NAN;
    }
    for (std::size_t axis = 0; axis < rank; ++axis) {
      for (bool last : {false, true}) {
        INFO("shape " << s.to_string() << " axis " << axis << " last " << last);
        const auto want_max = inlay_ref::arg_best(x, s, axis, last, 1.0);
        const auto want_min = inlay_ref::arg_best(x, s, axis, last, -1.0);
        inlay_test::for_each_cpu_target([&] {
          std::vector<std::int64_t> y(want_max.size(), -1);
          k::argmax_f32(x.data(), s, axis, last, y.data());
          CHECK(y == want_max);
          k::argmin_f32(x.data(), s, axis, last, y.data());
          CHECK(y == want_min);
        });
      }
    }
  }
  // Empty outputs write nothing.
  inlay_test::for_each_cpu_target([&] {
    std::int64_t y = 42;
    k::argmax_f32(nullptr, inlay::Shape{0, 3}, 1, false, &y);
    k::argmin_f32(nullptr, inlay::Shape{0, 0}, 1, true, &y);
    CHECK(y == 42);
  });
}

TEST_CASE("reduce kernels reject bad parameters", "[kernels/reduce]") {
  using Catch::Matchers::Contains;
  std::vector<float> x(6, 1.0f), y(6);
  std::vector<std::int64_t> idx(6);
  const inlay::Shape s{2, 3};
  const std::int64_t out_of_range[] = {2}, negative[] = {-1}, twice[] = {1, 1};
  CHECK_THROWS_WITH(k::reduce_f32(ReduceOp::sum, x.data(), s, out_of_range, 1, y.data()),
                    Contains("reduce_f32") && Contains("axis 2") && Contains("rank 2"));
  CHECK_THROWS_WITH(k::reduce_f32(ReduceOp::sum, x.data(), s, negative, 1, y.data()),
                    Contains("reduce_f32") && Contains("axis -1"));
  CHECK_THROWS_WITH(k::reduce_f32(ReduceOp::max, x.data(), s, twice, 2, y.data()),
                    Contains("reduce_f32") && Contains("axis 1 is listed twice"));
  CHECK_THROWS_WITH(k::reduce_f32(static_cast<ReduceOp>(99), x.data(), s, twice, 1, y.data()),
                    Contains("reduce_f32") && Contains("ReduceOp 99"));
  CHECK_THROWS_WITH(k::argmax_f32(x.data(), s, 2, false, idx.data()),
                    Contains("argmax_f32") && Contains("axis 2"));
  CHECK_THROWS_WITH(k::argmin_f32(x.data(), inlay::Shape{2, 0}, 1, false, idx.data()),
                    Contains("argmin_f32") && Contains("empty"));
}
