// Graph-door tests of the selection operators (include/inlay/graph/ops/selection.hpp) beyond the
// official node tests: half and bool inputs, values out of range, and the errors for lengths and
// shapes that do not fit.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("NonZero, OneHot, Trilu, ReverseSequence and Compress", "[graph/ops/selection]") {
  Tensor h(DType::f16, Shape{4});
  const float hv[4] = {0.0f, -0.0f, 1.5f, NAN};
  for (int i = 0; i < 4; ++i) h.data<inlay::float16>()[i] = inlay::to_float16(hv[i]);
  const Tensor nz = OpTester("NonZero").in(h).run1();
  CHECK(nz.shape() == (Shape{1, 2}));
  CHECK(values_of<std::int64_t>(nz) == std::vector<std::int64_t>{2, 3});
  const Tensor b = make_tensor<bool>(Shape{2, 2}, {true, false, false, true});
  CHECK(values_of<std::int64_t>(OpTester("NonZero").in(b).run1()) ==
        std::vector<std::int64_t>{0, 1, 0, 1});

  // Index 5 is outside [-3, 3): a row of off values.
  const Tensor oh = OpTester("OneHot")
                        .in(i64s({0, 5, -1}))
                        .in(make_tensor<std::int64_t>(Shape{}, {3}))
                        .in(make_tensor<std::int32_t>(Shape{2}, {0, 7}))
                        .run1();
  CHECK(oh.shape() == (Shape{3, 3}));
  CHECK(values_of<std::int32_t>(oh) == std::vector<std::int32_t>{7, 0, 0, 0, 0, 0, 0, 0, 7});
  OpTester("OneHot")
      .in(i64s({0}))
      .in(make_tensor<float>(Shape{}, {0}))
      .in(f32s({0, 1}))
      .expect_run_error(ErrorKind::invalid_argument, "depth");

  const Tensor m = make_tensor<std::uint8_t>(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(values_of<std::uint8_t>(OpTester("Trilu").in(m).attr("upper", std::int64_t(0)).run1()) ==
        std::vector<std::uint8_t>{1, 0, 0, 4, 5, 0});
  CHECK(values_of<std::uint8_t>(
            OpTester("Trilu").in(m).in(make_tensor<std::int64_t>(Shape{}, {1})).run1()) ==
        std::vector<std::uint8_t>{0, 2, 3, 0, 0, 6});
  OpTester("Trilu").in(f32s({1})).run_error(ErrorKind::shape_mismatch);

  // Time 3 x batch 2; batch 0 reversed over 3 steps, batch 1 over 1.
  const Tensor seq = make_tensor<std::int32_t>(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  CHECK(values_of<std::int32_t>(OpTester("ReverseSequence").in(seq).in(i64s({3, 1})).run1()) ==
        std::vector<std::int32_t>{5, 2, 3, 4, 1, 6});
  OpTester("ReverseSequence")
      .in(seq)
      .in(i64s({4, 1}))
      .expect_run_error(ErrorKind::invalid_argument, "sequence length");
  OpTester("ReverseSequence").in(seq).in(i64s({1})).run_error(ErrorKind::shape_mismatch);

  const Tensor c = pattern_tensor(DType::u64, Shape{3});
  const Tensor picked =
      OpTester("Compress").in(c).in(make_tensor<bool>(Shape{3}, {false, true, true})).run1();
  check_moved(c, picked, [](std::int64_t j) { return j + 1; });
  CHECK(picked.shape() == (Shape{2}));
  OpTester("Compress")
      .in(c)
      .in(make_tensor<bool>(Shape{4}, {false, true, false, true}))
      .run_error(ErrorKind::shape_mismatch);
}

namespace {

OpTester unique_of(const Tensor& x) {
  OpTester t("Unique", 11);
  t.in(x).outputs(4);
  return t;
}

// Unique by brute force: slice k along `axis` (of the reshaped [outer, count, inner] input) is
// new when no earlier slice equals it; the sorted order comes from comparing slices pairwise.
struct UniqueReference {
  std::vector<std::int64_t> first, inverse, counts;
  UniqueReference(const std::vector<std::int32_t>& x, std::int64_t outer, std::int64_t count,
                  std::int64_t inner, bool sorted) {
    auto slice = [&](std::int64_t k) {
      std::vector<std::int32_t> s;
      for (std::int64_t o = 0; o < outer; ++o)
        for (std::int64_t i = 0; i < inner; ++i)
          s.push_back(x[static_cast<std::size_t>((o * count + k) * inner + i)]);
      return s;
    };
    for (std::int64_t k = 0; k < count; ++k) {
      bool seen = false;
      for (std::int64_t f : first) seen = seen || slice(f) == slice(k);
      if (!seen) first.push_back(k);
    }
    if (sorted) {  // selection sort by the slices' values
      for (std::size_t a = 0; a < first.size(); ++a)
        for (std::size_t b = a + 1; b < first.size(); ++b)
          if (slice(first[b]) < slice(first[a])) std::swap(first[a], first[b]);
    }
    counts.assign(first.size(), 0);
    for (std::int64_t k = 0; k < count; ++k) {
      for (std::size_t g = 0; g < first.size(); ++g) {
        if (slice(first[g]) == slice(k)) {
          inverse.push_back(static_cast<std::int64_t>(g));
          ++counts[g];
        }
      }
    }
  }
};

Tensor i64_vector(const std::vector<std::int64_t>& v) {
  return make_tensor<std::int64_t>(Shape{static_cast<std::int64_t>(v.size())}, v);
}

}  // namespace

TEST_CASE("Unique: sorted and in order of appearance, with and without an axis",
          "[graph/ops/selection]") {
  const Tensor x = f32s({2, 1, 1, 3, 4, 3});
  unique_of(x).check(
      {f32s({1, 2, 3, 4}), i64s({1, 0, 3, 4}), i64s({1, 0, 0, 2, 3, 2}), i64s({2, 1, 2, 1})});
  unique_of(x)
      .attr("sorted", std::int64_t{0})
      .check(
          {f32s({2, 1, 3, 4}), i64s({0, 1, 3, 4}), i64s({0, 1, 1, 2, 3, 2}), i64s({1, 2, 2, 1})});
  // Without an axis a matrix is flattened.
  unique_of(make_tensor<std::int8_t>(Shape{2, 2}, {5, -1, 5, 5}))
      .check({make_tensor<std::int8_t>(Shape{2}, {-1, 5}), i64s({1, 0}), i64s({1, 0, 1, 1}),
              i64s({1, 3})});
  // Rows (axis 0) and columns (axis -1) of a matrix.
  const Tensor m = make_tensor<std::int32_t>(Shape{3, 3}, {1, 0, 0, 1, 0, 0, 2, 3, 3});
  unique_of(m)
      .attr("axis", std::int64_t{0})
      .check({make_tensor<std::int32_t>(Shape{2, 3}, {1, 0, 0, 2, 3, 3}), i64s({0, 2}),
              i64s({0, 0, 1}), i64s({2, 1})});
  unique_of(m)
      .attr("axis", std::int64_t{-1})
      .check({make_tensor<std::int32_t>(Shape{3, 2}, {0, 1, 0, 1, 3, 2}), i64s({1, 0}),
              i64s({1, 0, 0}), i64s({2, 1})});
  // NaNs are one value, after every number; -0 equals 0; fewer outputs are fine.
  OpTester("Unique", 11).in(f32s({NAN, 1, -0.0f, NAN, 0})).check({f32s({0, 1, NAN})});
  OpTester("Unique", 11)
      .in(f32s({NAN, 1, -0.0f, NAN, 0}))
      .outputs(4)
      .check({f32s({-0.0f, 1, NAN}), i64s({2, 1, 0}), i64s({2, 1, 0, 2, 0}), i64s({2, 1, 2})});
  // bool, float16 and an empty input.
  unique_of(make_tensor<bool>(Shape{3}, {true, false, true}))
      .check({make_tensor<bool>(Shape{2}, {false, true}), i64s({1, 0}), i64s({1, 0, 1}),
              i64s({1, 2})});
  Tensor h(DType::f16, Shape{3});
  for (int i = 0; i < 3; ++i) h.data<inlay::float16>()[i] = inlay::to_float16(i == 1 ? 0.5f : 2.0f);
  const std::vector<Tensor> hy = unique_of(h).run();
  CHECK(hy[0].shape() == (Shape{2}));
  CHECK(inlay::to_float(hy[0].data<inlay::float16>()[0]) == 0.5f);
  CHECK(values_of<std::int64_t>(hy[3]) == std::vector<std::int64_t>{1, 2});
  unique_of(Tensor(DType::f32, Shape{0}))
      .check({Tensor(DType::f32, Shape{0}), i64s({}), i64s({}), i64s({})});
}

TEST_CASE("Unique matches a brute-force reference", "[graph/ops/selection]") {
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::int32_t> small(0, 2);
  const std::int64_t dims[3] = {2, 6, 2};
  std::vector<std::int32_t> x(24);
  for (std::int32_t& v : x) v = small(rng);
  const Tensor tx = make_tensor<std::int32_t>(Shape{2, 6, 2}, x);
  for (std::int64_t sorted : {0, 1}) {
    for (std::int64_t axis : {-4, 0, 1, 2}) {  // -4: no axis
      INFO("sorted " << sorted << ", axis " << axis);
      const bool flat = axis < 0;
      const std::int64_t outer = flat ? 1 : (axis == 0 ? 1 : (axis == 1 ? 2 : 12));
      const std::int64_t count = flat ? 24 : dims[axis];
      const std::int64_t inner = flat ? 1 : (axis == 0 ? 12 : (axis == 1 ? 2 : 1));
      const UniqueReference ref(x, outer, count, inner, sorted == 1);
      std::vector<std::int32_t> y;
      for (std::int64_t o = 0; o < outer; ++o)
        for (std::int64_t f : ref.first)
          for (std::int64_t i = 0; i < inner; ++i)
            y.push_back(x[static_cast<std::size_t>((o * count + f) * inner + i)]);
      const auto k = static_cast<std::int64_t>(ref.first.size());
      std::vector<std::int64_t> ydims(dims, dims + 3);
      if (flat) ydims = {k};
      else ydims[static_cast<std::size_t>(axis)] = k;
      const Shape ys(ydims.data(), ydims.size());
      OpTester t = unique_of(tx);
      t.attr("sorted", sorted);
      if (!flat) t.attr("axis", axis);
      t.check({make_tensor<std::int32_t>(ys, y), i64_vector(ref.first), i64_vector(ref.inverse),
               i64_vector(ref.counts)});
    }
  }
}

TEST_CASE("Unique names what is wrong", "[graph/ops/selection]") {
  unique_of(f32s({1, 2}))
      .attr("sorted", std::int64_t{2})
      .expect_load_error(ErrorKind::invalid_model, "sorted 2");
  unique_of(make_tensor<float>(Shape{2, 2}, {1, 2, 3, 4}))
      .attr("axis", std::int64_t{2})
      .expect_run_error(ErrorKind::invalid_model, "axis 2 is out of range for rank 2");
  unique_of(make_tensor<float>(Shape{}, {1}))
      .attr("axis", std::int64_t{0})
      .expect_run_error(ErrorKind::invalid_model, "axis 0 is out of range for rank 0");
}
