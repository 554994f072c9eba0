// Graph-door tests of the reduction operators (include/inlay/graph/ops/reduce.hpp): Reduce*,
// ArgMax/ArgMin, TopK and CumSum beyond the official node tests: integer and half dtypes, empty
// reductions, the f32 kernel path against the scalar path, and the errors for bad axes, k and
// dtypes.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::values_of;

namespace {

// A reduction whose axes come from an input (ReduceSum from opset 13).
OpTester reduce_sum_13(DType dtype) {
  return std::move(
      OpTester("ReduceSum", 13).input("x", dtype).input("axes", DType::i64).output("y"));
}
OpTester reduce_attr(const std::string& op, DType dtype, const std::vector<std::int64_t>& axes,
                     std::int64_t keepdims = 1) {
  OpTester m(op, 13);
  m.input("x", dtype).output("y").attr("keepdims", keepdims);
  if (!axes.empty()) m.attr("axes", axes);
  return m;
}

}  // namespace

TEST_CASE("ReduceSum: axes from the input, negative axes, keepdims and noop_with_empty_axes",
          "[graph/ops/reduce]") {
  const Tensor x = make_tensor<std::int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  OpTester m = reduce_sum_13(DType::i32);
  m.attr("keepdims", std::int64_t(0));
  auto y = m.run({x, make_tensor<std::int64_t>({1}, {-1})})[0];
  CHECK(y.shape() == Shape{2});
  CHECK(values_of<std::int32_t>(y) == std::vector<std::int32_t>{6, 15});

  // No axes: everything, unless noop_with_empty_axes.
  y = reduce_sum_13(DType::i32).run({x, Tensor(DType::i64, Shape{0})})[0];
  CHECK(y.shape() == Shape{1, 1});
  CHECK(y.data<std::int32_t>()[0] == 21);
  OpTester noop = reduce_sum_13(DType::i32);
  noop.attr("noop_with_empty_axes", std::int64_t(1));
  y = noop.run({x, Tensor(DType::i64, Shape{0})})[0];
  CHECK(y.shape() == Shape{2, 3});
  CHECK(values_of<std::int32_t>(y) == values_of<std::int32_t>(x));
  OpTester omitted = OpTester("ReduceSum", 13).input("x", DType::i64).output("y");
  omitted.attr("keepdims", std::int64_t(0));
  y = omitted.run(
      {make_tensor<std::int64_t>({2}, {std::int64_t(1) << 62, std::int64_t(1) << 62})})[0];
  CHECK(y.rank() == 0);
  CHECK(y.data<std::int64_t>()[0] == std::numeric_limits<std::int64_t>::min());  // wraps
}

TEST_CASE("Reduce*: bad axes are clear errors", "[graph/ops/reduce]") {
  const Tensor x(DType::f32, Shape{2, 3});
  CHECK_THAT(reduce_attr("ReduceMax", DType::f32, {0, -2}).run_error({x}, ErrorKind::invalid_model),
             Contains("listed twice") && Contains("ReduceMax"));
  reduce_attr("ReduceMean", DType::f32, {2})
      .expect_run_error({x}, ErrorKind::invalid_model, "out of range");
  OpTester attr_at_13 = OpTester("ReduceSum", 13).input("x", DType::f32).output("y");
  attr_at_13.attr("axes", std::vector<std::int64_t>{0});
  attr_at_13.expect_load_error(ErrorKind::invalid_model, "input");
  OpTester float_axes =
      OpTester("ReduceSum", 13).input("x", DType::f32).input("axes", DType::f32).output("y");
  float_axes.expect_run_error({x, make_tensor<float>({1}, {0.0f})}, ErrorKind::invalid_model,
                              "int64");
}

TEST_CASE("Reduce* on integers, f64 and f16", "[graph/ops/reduce]") {
  const Tensor xi = make_tensor<std::int32_t>({2, 2}, {1, 2, 3, 5});
  CHECK(values_of<std::int32_t>(reduce_attr("ReduceMean", DType::i32, {1}).run({xi})[0]) ==
        std::vector<std::int32_t>{1, 4});
  CHECK(values_of<std::int32_t>(reduce_attr("ReduceL2", DType::i32, {0}, 0)
                                    .run({make_tensor<std::int32_t>({2, 1}, {3, 4})})[0]) ==
        std::vector<std::int32_t>{5});
  CHECK(values_of<std::uint8_t>(reduce_attr("ReduceProd", DType::u8, {})
                                    .run({make_tensor<std::uint8_t>({2}, {16, 16})})[0]) ==
        std::vector<std::uint8_t>{0});
  const auto m = reduce_attr("ReduceMax", DType::i8, {}, 0)
                     .run({make_tensor<std::int8_t>({3}, {-5, -128, -7})})[0];
  CHECK(m.rank() == 0);
  CHECK(m.data<std::int8_t>()[0] == -5);
  CHECK(values_of<std::int64_t>(reduce_attr("ReduceL1", DType::i64, {})
                                    .run({make_tensor<std::int64_t>({3}, {-5, 2, -1})})[0]) ==
        std::vector<std::int64_t>{8});

  const auto lse = reduce_attr("ReduceLogSumExp", DType::f64, {})
                       .run({make_tensor<double>({2}, {1000.0, 1000.0})})[0];
  CHECK(lse.data<double>()[0] == Approx(1000.0 + std::log(2.0)));
  const auto lse32 = reduce_attr("ReduceLogSumExp", DType::f32, {})
                         .run({make_tensor<float>({2}, {1000.0f, 1000.0f})})[0];
  CHECK(lse32.data<float>()[0] == Approx(1000.0 + std::log(2.0)));

  using inlay::to_float16;
  const auto h = reduce_attr("ReduceMean", DType::f16, {})
                     .run({make_tensor<inlay::float16>(
                         {4}, {to_float16(1), to_float16(2), to_float16(3), to_float16(4)})})[0];
  REQUIRE(h.dtype() == DType::f16);
  CHECK(inlay::to_float(h.data<inlay::float16>()[0]) == 2.5f);
}

TEST_CASE("empty reductions give the identity of the op", "[graph/ops/reduce]") {
  const Tensor ei(DType::i32, Shape{0, 2});
  const auto mn = reduce_attr("ReduceMin", DType::i32, {0}).run({ei})[0];
  CHECK(mn.shape() == Shape{1, 2});
  CHECK(values_of<std::int32_t>(mn) ==
        std::vector<std::int32_t>(2, std::numeric_limits<std::int32_t>::max()));
  const auto sum =
      reduce_attr("ReduceSum", DType::f64, {}).run({Tensor(DType::f64, Shape{0, 2})})[0];
  CHECK(sum.data<double>()[0] == 0.0);
  const auto mx =
      reduce_attr("ReduceMax", DType::f32, {0}).run({Tensor(DType::f32, Shape{0, 2})})[0];
  CHECK(mx.data<float>()[0] == -std::numeric_limits<float>::infinity());
}

TEST_CASE("f32 reductions through the kernel agree with the f64 scalar code",
          "[graph/ops/reduce]") {
  const std::vector<float> xs = inlay_test::random_floats(60, 3, 0.1f, 2.0f);
  std::vector<double> xd(xs.begin(), xs.end());
  const Tensor xf = Tensor::view(xs.data(), {3, 4, 5});
  const Tensor x64 = Tensor::view(xd.data(), {3, 4, 5});
  for (const char* op :
       {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"}) {
    INFO(op);
    OpTester f(op, 11), d(op, 11);
    f.input("x", DType::f32).output("y").attr("axes", std::vector<std::int64_t>{0, 2});
    d.input("x", DType::f64).output("y").attr("axes", std::vector<std::int64_t>{0, 2});
    const Tensor yf = f.run({xf})[0];
    const Tensor yd = d.run({x64})[0];
    REQUIRE(yf.shape() == Shape{1, 4, 1});
    REQUIRE(yd.shape() == Shape{1, 4, 1});
    for (int i = 0; i < 4; ++i)
      CHECK(yf.data<float>()[i] == Approx(yd.data<double>()[i]).epsilon(1e-5));
  }
}

TEST_CASE("ArgMax and ArgMin: ties, select_last_index, NaN and empty axes", "[graph/ops/reduce]") {
  const Tensor x = make_tensor<std::int32_t>({2, 3}, {1, 3, 3, 2, 2, 1});
  OpTester first("ArgMax", 13);
  first.input("x", DType::i32).output("y").attr("axis", std::int64_t(1));
  auto y = first.run({x})[0];
  CHECK(y.shape() == Shape{2, 1});
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{1, 0});
  OpTester last("ArgMax", 13);
  last.input("x", DType::i32)
      .output("y")
      .attr("axis", std::int64_t(-1))
      .attr("select_last_index", std::int64_t(1))
      .attr("keepdims", std::int64_t(0));
  y = last.run({x})[0];
  CHECK(y.shape() == Shape{2});
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{2, 1});

  // NaN is the extremum both ways (NumPy), on the kernel path and the scalar path alike.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const char* op : {"ArgMin", "ArgMax"}) {
    INFO(op);
    OpTester d(op, 13), f(op, 13);
    d.input("x", DType::f64).output("y");
    f.input("x", DType::f32).output("y");
    CHECK(d.run({make_tensor<double>({3}, {1, nan, 0})})[0].data<std::int64_t>()[0] == 1);
    CHECK(f.run({make_tensor<float>({3}, {1, std::nanf(""), 0})})[0].data<std::int64_t>()[0] == 1);
  }
  OpTester empty("ArgMin", 13);
  empty.input("x", DType::f32).output("y").attr("axis", std::int64_t(1));
  empty.expect_run_error({Tensor(DType::f32, Shape{2, 0})}, ErrorKind::shape_mismatch, "empty");
  first.run_error({make_tensor<std::int32_t>({}, {1})}, ErrorKind::shape_mismatch);
}

TEST_CASE("TopK: ties keep index order, largest/smallest, k checks", "[graph/ops/reduce]") {
  OpTester m("TopK", 11);
  m.input("x", DType::f32).input("k", DType::i64).output("values").output("indices");
  const Tensor x = make_tensor<float>({1, 4}, {3, 1, 3, 2});
  auto out = m.run({x, make_tensor<std::int64_t>({1}, {2})});
  CHECK(out[0].shape() == Shape{1, 2});
  CHECK(values_of<float>(out[0]) == std::vector<float>{3, 3});
  CHECK(values_of<std::int64_t>(out[1]) == std::vector<std::int64_t>{0, 2});
  OpTester smallest("TopK", 11);
  smallest.input("x", DType::i64)
      .input("k", DType::i64)
      .output("values")
      .output("indices")
      .attr("largest", std::int64_t(0))
      .attr("axis", std::int64_t(0));
  out = smallest.run({make_tensor<std::int64_t>({3, 2}, {5, 0, -1, 0, 7, -3}),
                      make_tensor<std::int64_t>({1}, {2})});
  CHECK(out[0].shape() == Shape{2, 2});
  CHECK(values_of<std::int64_t>(out[0]) == std::vector<std::int64_t>{-1, -3, 5, 0});
  CHECK(values_of<std::int64_t>(out[1]) == std::vector<std::int64_t>{1, 2, 0, 0});
  out = m.run({x, make_tensor<std::int64_t>({1}, {0})});
  CHECK(out[0].shape() == Shape{1, 0});

  OpTester v1("TopK", 1);
  v1.input("x", DType::f64).output("values").output("indices").attr("k", std::int64_t(1));
  out = v1.run({make_tensor<double>({3}, {0.5, 2.5, -1})});
  CHECK(out[0].data<double>()[0] == 2.5);
  CHECK(out[1].data<std::int64_t>()[0] == 1);

  m.expect_run_error({x, make_tensor<std::int64_t>({1}, {5})}, ErrorKind::shape_mismatch, "K = 5");
  m.run_error({x, make_tensor<std::int64_t>({1}, {-1})}, ErrorKind::invalid_model);
  OpTester k32("TopK", 11);
  k32.input("x", DType::f32).input("k", DType::i32).output("values").output("indices");
  k32.run_error({x, make_tensor<std::int32_t>({1}, {1})}, ErrorKind::invalid_model);
  OpTester("TopK", 9)
      .input("x", DType::f32)
      .output("v")
      .output("i")
      .load_error(ErrorKind::invalid_model);
}

TEST_CASE("CumSum: exclusive, reverse, integer axes and bad axes", "[graph/ops/reduce]") {
  OpTester m("CumSum", 14);
  m.input("x", DType::i64)
      .input("axis", DType::i32)
      .output("y")
      .attr("exclusive", std::int64_t(1))
      .attr("reverse", std::int64_t(1));
  CHECK(values_of<std::int64_t>(m.run({make_tensor<std::int64_t>({4}, {1, 2, 3, 4}),
                                       make_tensor<std::int32_t>({}, {0})})[0]) ==
        std::vector<std::int64_t>{9, 7, 4, 0});
  OpTester plain("CumSum", 14);
  plain.input("x", DType::f64).input("axis", DType::i64).output("y");
  CHECK(values_of<double>(plain.run(
            {make_tensor<double>({2, 2}, {1, 2, 3, 4}), make_tensor<std::int64_t>({}, {-1})})[0]) ==
        std::vector<double>{1, 3, 3, 7});
  plain.run_error({Tensor(DType::f64, Shape{2, 2}), make_tensor<std::int64_t>({}, {2})},
                  ErrorKind::invalid_model);
  OpTester float_axis("CumSum", 14);
  float_axis.input("x", DType::f64).input("axis", DType::f32).output("y");
  float_axis.expect_run_error({Tensor(DType::f64, Shape{2}), make_tensor<float>({}, {0})},
                              ErrorKind::invalid_model, "axis must be one int32 or int64");
}
