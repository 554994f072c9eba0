// binary_f32 and broadcast_shapes against the double-precision reference; unary_f32 is covered
// op by op in activation_test.cpp (it is activate_f32), here only as an entry point.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "reference/elementwise.hpp"
#include "test_util.hpp"

using inlay::Shape;
using inlay::kernels::Activation;
using inlay::kernels::BinaryOp;

namespace {

const BinaryOp kOps[] = {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div,
                         BinaryOp::pow, BinaryOp::max, BinaryOp::min, BinaryOp::prelu};

const char* name(BinaryOp op) {
  switch (op) {
    case BinaryOp::add: return "add";
    case BinaryOp::sub: return "sub";
    case BinaryOp::mul: return "mul";
    case BinaryOp::div: return "div";
    case BinaryOp::pow: return "pow";
    case BinaryOp::max: return "max";
    case BinaryOp::min: return "min";
    case BinaryOp::prelu: return "prelu";
  }
  return "?";
}

// Inputs for op: pow gets integer and half-integer exponents often (negative bases with integer
// exponents are defined), the others uniform values with NaN and infinities.
std::vector<float> inputs(BinaryOp op, std::size_t n, std::uint32_t seed, bool exponent) {
  std::vector<float> v = inlay_test::random_floats(n, seed, -3.0f, 3.0f);
  if (op == BinaryOp::pow && exponent) {
    for (std::size_t i = 0; i < n; i += 2) v[i] = std::round(v[i] * 2.0f) * (i % 4 ? 0.5f : 1.0f);
  }
  inlay_test::sprinkle_specials(v);
  return v;
}

// Results of +, -, *, /, max, min, prelu are correctly rounded: exact match. pow goes through
// e^(b ln|a|), whose error grows with |b ln a| = |ln result| (see activation_test.cpp): 4 ulp
// of (1 + |ln result|).
void check_binary(BinaryOp op, const std::vector<float>& a, const Shape& a_shape,
                  const std::vector<float>& b, const Shape& b_shape, const std::vector<float>& got,
                  const Shape& out_shape) {
  const std::vector<float> expected = inlay_ref::binary_f32(op, a, a_shape, b, b_shape, out_shape);
  REQUIRE(got.size() == expected.size());
  if (op != BinaryOp::pow) return inlay_test::check_close(got, expected, 0.0f, 0.0f);
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double ref = expected[i];
    const double tol =
        4.0 / (1 << 23) * (1.0 + std::fabs(std::log(std::fabs(ref)))) * std::fabs(ref) + 1e-45;
    const bool ok = got[i] == expected[i] || (std::isnan(got[i]) && std::isnan(expected[i])) ||
                    std::fabs(got[i] - ref) <= tol;
    if (!ok && bad++ == 0) first = i;
  }
  if (bad) {
    FAIL_CHECK(bad << " of " << got.size() << " differ; first at " << first << ": got "
                   << got[first] << ", expected " << expected[first]);
  } else {
    SUCCEED();
  }
}

Shape random_shape(std::mt19937& rng, std::size_t rank, bool allow_zero) {
  std::int64_t dims[Shape::max_rank] = {};
  const std::int64_t choices[] = {1, 1, 2, 3, 5, 7, 17, 33};
  for (std::size_t k = 0; k < rank; ++k) {
    dims[k] = choices[inlay_test::random_size(rng, 0, 7)];
    if (allow_zero && inlay_test::random_size(rng, 0, 15) == 0) dims[k] = 0;
  }
  return Shape(dims, rank);
}

// An input shape that broadcasts to out: a suffix of out with some dimensions set to 1.
Shape broadcast_source(std::mt19937& rng, const Shape& out) {
  const std::size_t rank = inlay_test::random_size(rng, 0, out.rank());
  std::int64_t dims[Shape::max_rank] = {};
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t d = out[out.rank() - rank + k];
    dims[k] = inlay_test::random_size(rng, 0, 2) == 0 ? 1 : d;
  }
  return Shape(dims, rank);
}

void run_case(BinaryOp op, const Shape& a_shape, const Shape& b_shape, std::uint32_t seed) {
  const Shape out_shape = inlay::kernels::broadcast_shapes(a_shape, b_shape);
  INFO(name(op) << " a " << a_shape.to_string() << " b " << b_shape.to_string());
  const std::vector<float> a = inputs(op, a_shape.numel(), seed, false);
  const std::vector<float> b = inputs(op, b_shape.numel(), seed + 1000, true);
  std::vector<float> out(out_shape.numel(), -9.0f);
  inlay::kernels::binary_f32(op, a.data(), a_shape, b.data(), b_shape, out.data(), out_shape);
  check_binary(op, a, a_shape, b, b_shape, out, out_shape);
}

}  // namespace

TEST_CASE("broadcast_shapes follows NumPy", "[kernels/elementwise]") {
  using inlay::kernels::broadcast_shapes;
  CHECK(broadcast_shapes({}, {}) == Shape{});
  CHECK(broadcast_shapes({3}, {}) == Shape{3});
  CHECK(broadcast_shapes({2, 1, 3}, {4, 3}) == (Shape{2, 4, 3}));
  CHECK(broadcast_shapes({1, 5}, {7, 1}) == (Shape{7, 5}));
  CHECK(broadcast_shapes({0}, {1}) == Shape{0});
  CHECK(broadcast_shapes({1, 0}, {3, 1}) == (Shape{3, 0}));
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    const Shape a = random_shape(rng, inlay_test::random_size(rng, 0, 5), true);
    const Shape b = random_shape(rng, inlay_test::random_size(rng, 0, 5), true);
    Shape expected;
    INFO(a.to_string() << " with " << b.to_string());
    if (inlay_ref::broadcast_shapes(a, b, &expected)) {
      CHECK(broadcast_shapes(a, b) == expected);
    } else {
      CHECK_THROWS_AS(broadcast_shapes(a, b), inlay::Error);
    }
  }
}

TEST_CASE("binary_f32 matches the reference on random broadcasts", "[kernels/elementwise]") {
  std::mt19937 rng(2024);
  struct ElementwiseCase {
    Shape a, b;
  };
  std::vector<ElementwiseCase> cases;
  for (int i = 0; i < 60; ++i) {
    const Shape out = random_shape(rng, inlay_test::random_size(rng, 0, 5), true);
    Shape a = broadcast_source(rng, out), b = broadcast_source(rng, out);
    if (i % 2) std::swap(a, b);
    cases.push_back({a, b});
  }
  inlay_test::for_each_cpu_target([&] {
    std::uint32_t seed = 1;
    for (const ElementwiseCase& c : cases) {
      for (BinaryOp op : kOps) run_case(op, c.a, c.b, seed++);
    }
  });
}

TEST_CASE("binary_f32 fast paths: same shape, scalars, rows, columns, outer",
          "[kernels/elementwise]") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{}, {}},            // scalars
      {{1}, {}},           //
      {{1001}, {1001}},    // same shape
      {{3, 17}, {3, 17}},  //
      {{37}, {}},
      {{}, {37}},  // either side a scalar
      {{5, 33}, {1, 1}},
      {{1}, {5, 33}},  //
      {{7, 19}, {19}},
      {{19}, {7, 19}},  // rows: [N, C] with [C]
      {{2, 3, 21}, {3, 1}},
      {{1, 3, 1}, {2, 3, 21}},  // columns: [N, C, HW] with [1, C, 1]
      {{9, 1}, {1, 13}},
      {{1, 13}, {9, 1}},                   // outer product
      {{2, 1, 4, 1, 3}, {1, 5, 1, 6, 1}},  // alternating
      {{0, 3}, {3}},
      {{4, 0}, {1}},     // empty
      {{1, 1, 1}, {1}},  // all ones
  };
  inlay_test::for_each_cpu_target([&] {
    std::uint32_t seed = 100;
    for (const auto& c : cases) {
      for (BinaryOp op : kOps) run_case(op, c.first, c.second, seed++);
    }
  });
}

TEST_CASE("binary_f32 max/min propagate NaN from either side", "[kernels/elementwise]") {
  inlay_test::for_each_cpu_target([&] {
    for (BinaryOp op : {BinaryOp::max, BinaryOp::min}) {
      INFO(name(op));
      // 19 elements: both the vector body and the tail see each pattern.
      std::vector<float> a(19, 1.0f), b(19, 2.0f), out(19);
      for (std::size_t i = 0; i < 19; i += 3) a[i] = NAN;
      for (std::size_t i = 1; i < 19; i += 3) b[i] = NAN;
      inlay::kernels::binary_f32(op, a.data(), {19}, b.data(), {19}, out.data(), {19});
      for (std::size_t i = 0; i < 19; ++i) {
        INFO("i " << i);
        CHECK(std::isnan(out[i]) == (i % 3 != 2));
        if (i % 3 == 2) CHECK(out[i] == (op == BinaryOp::max ? 2.0f : 1.0f));
      }
      const float nan = NAN;
      inlay::kernels::binary_f32(op, &nan, {}, b.data() + 2, {1}, out.data(), {1});
      CHECK(std::isnan(out[0]));
    }
  });
}

TEST_CASE("binary_f32 runs in place when out aliases a or b", "[kernels/elementwise]") {
  inlay_test::for_each_cpu_target([&] {
    std::uint32_t seed = 500;
    for (BinaryOp op : kOps) {
      INFO(name(op));
      const Shape big{3, 5, 19}, small{5, 1};
      const std::vector<float> a = inputs(op, big.numel(), seed++, false);
      const std::vector<float> b = inputs(op, small.numel(), seed++, true);
      std::vector<float> in_place = a;
      inlay::kernels::binary_f32(op, in_place.data(), big, b.data(), small, in_place.data(), big);
      check_binary(op, a, big, b, small, in_place, big);

      const std::vector<float> s = inputs(op, small.numel(), seed++, false);
      const std::vector<float> t = inputs(op, big.numel(), seed++, true);
      in_place = t;
      inlay::kernels::binary_f32(op, s.data(), small, in_place.data(), big, in_place.data(), big);
      check_binary(op, s, small, t, big, in_place, big);

      in_place = a;
      inlay::kernels::binary_f32(op, in_place.data(), big, in_place.data(), big, in_place.data(),
                                 big);
      check_binary(op, a, big, a, big, in_place, big);
    }
  });
}

TEST_CASE("binary_f32 and unary_f32 report bad parameters", "[kernels/elementwise]") {
  using Catch::Matchers::Contains;
  using inlay::kernels::binary_f32;
  using inlay::kernels::broadcast_shapes;
  std::vector<float> a(12), b(12), out(12);
  CHECK_THROWS_WITH(
      broadcast_shapes({2, 3}, {4}),
      Contains("broadcast_shapes: [2, 3] and [4] do not broadcast") && Contains("3 vs 4"));
  CHECK_THROWS_WITH(binary_f32(BinaryOp::add, a.data(), {3, 4}, b.data(), {3}, out.data(), {3, 4}),
                    Contains("binary_f32: a [3, 4] and b [3] do not broadcast"));
  CHECK_THROWS_WITH(
      binary_f32(BinaryOp::add, a.data(), {3, 4}, b.data(), {4}, out.data(), {4, 3}),
      Contains("binary_f32: out [4, 3] is not the broadcast [3, 4] of a [3, 4] and b [4]"));
  CHECK_THROWS_WITH(
      binary_f32(BinaryOp::mul, a.data(), {4}, b.data(), {3, 4}, a.data(), {3, 4}),
      Contains("binary_f32: out aliases an input of shape [4] that is broadcast to out's shape "
               "[3, 4]"));
  CHECK_THROWS_WITH(
      binary_f32(static_cast<BinaryOp>(99), a.data(), {4}, b.data(), {4}, out.data(), {4}),
      Contains("binary_f32: unknown BinaryOp 99"));
  CHECK_THROWS_WITH(binary_f32(BinaryOp::add, nullptr, {4}, b.data(), {4}, out.data(), {4}),
                    Contains("binary_f32: null pointer"));
  try {
    binary_f32(BinaryOp::add, a.data(), {3, 4}, b.data(), {3}, out.data(), {3, 4});
    FAIL("no error");
  } catch (const inlay::Error& e) { CHECK(e.kind() == inlay::ErrorKind::shape_mismatch); }
  CHECK_NOTHROW(binary_f32(BinaryOp::add, nullptr, {0, 4}, nullptr, {4}, nullptr, {0, 4}));
}

TEST_CASE("unary_f32 entry point on every target", "[kernels/elementwise]") {
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> x = inlay_test::random_floats(45, 9, -5, 5);
    inlay_test::sprinkle_specials(x);
    std::vector<float> y(x.size());
    inlay::kernels::unary_f32(x.data(), y.data(), x.size(), Activation::relu());
    inlay_test::check_close(y, inlay_ref::unary_f32(x, Activation::relu()), 0.0f, 0.0f);
  });
}
