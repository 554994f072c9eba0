// The tester of tests/graph/op_tester.hpp itself: what its comparison accepts, and, in the cases
// tagged [graph/op_tester/fails] (CTest graph.op_tester_fails), that each of its checks fails
// on a wrong answer, so that a test written with it can fail.
#include <cmath>
#include <limits>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

// Relu of a fed f32 input.
OpTester relu(const Tensor& x) { return std::move(OpTester("Relu").in(x)); }

}  // namespace

TEST_CASE("close: NaN matches NaN, an infinity itself, numbers within atol + rtol |ref|",
          "[graph/op_tester]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(close(nan, nan, 0, 0));
  CHECK_FALSE(close(nan, 1, 1, 1));
  CHECK_FALSE(close(1, nan, 1, 1));
  CHECK(close(inf, inf, 0, 0));
  CHECK_FALSE(close(inf, -inf, 1, 1));
  CHECK_FALSE(close(1e300, inf, 1, 1));
  CHECK(close(1.5, 1.0, 0.25, 0.25));  // 0.5 <= 0.25 + 0.25 * 1
  CHECK_FALSE(close(1.5, 1.0, 0.2, 0.25));
}

TEST_CASE("The tester runs one node and a graph, on every CPU target", "[graph/op_tester]") {
  const Tensor x = f32s({-1, 2, std::nanf("")});
  relu(x).check({f32s({0, 2, std::nanf("")})}, {0, 0});
  relu(x).check_with([](const std::vector<Tensor>& in) { return std::vector<Tensor>{in[0]}; },
                     {0, 3});
  // Inputs declared with a shape and given no tensor are fed zeros.
  OpTester g;
  g.input("a", DType::i32, {2, 1})
      .init("b", make_tensor<std::int32_t>(Shape{2}, {5, -7}))
      .node("Add", {"a", "b"}, {"s"})
      .node("Relu", {"s"}, {"y"})
      .output("y");
  g.check({make_tensor<std::int32_t>(Shape{2, 2}, {5, 0, 5, 0})}, {0, 0});
  CHECK(values_of<std::int32_t>(g.run1({make_tensor<std::int32_t>(Shape{2, 1}, {1, 10})})) ==
        std::vector<std::int32_t>{6, 0, 15, 3});
  OpTester("Reshape").in(x).constant(i64s({4})).expect_run_error(ErrorKind::shape_mismatch,
                                                                 "cannot reshape");
}

TEST_CASE("check fails on a wrong value", "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({-1, 2})).check({f32s({0, 2.1f})}, {0, 0.05});
}
TEST_CASE("check fails on NaN where a number is expected",
          "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({std::nanf("")})).check({f32s({0})}, {1, 1});
}
TEST_CASE("check fails on a wrong shape", "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({-1, 2})).check({make_tensor<float>(Shape{1, 2}, {0, 2})});
}
TEST_CASE("check fails on a wrong dtype", "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({-1, 2})).check({make_tensor<double>(Shape{2}, {0, 2})});
}
TEST_CASE("check fails on a wrong number of outputs", "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({-1, 2})).check({f32s({0, 2}), f32s({0, 2})});
}
TEST_CASE("run_error fails when the model runs", "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({1})).run_error(ErrorKind::invalid_model);
}
TEST_CASE("run_error fails on another kind of error", "[.][graph/op_tester/fails][!shouldfail]") {
  OpTester("Reshape").in(f32s({1, 2})).constant(i64s({4})).run_error(ErrorKind::invalid_model);
}
TEST_CASE("expect_run_error fails on a phrase the message lacks",
          "[.][graph/op_tester/fails][!shouldfail]") {
  OpTester("Reshape")
      .in(f32s({1, 2}))
      .constant(i64s({4}))
      .expect_run_error(ErrorKind::shape_mismatch, "no such phrase");
}
TEST_CASE("load_error fails when the model loads", "[.][graph/op_tester/fails][!shouldfail]") {
  relu(f32s({1})).load_error(ErrorKind::invalid_model);
}
TEST_CASE("outputs_match fails on one element out of tolerance",
          "[.][graph/op_tester/fails][!shouldfail]") {
  outputs_match(f32s({1, 2, 3}), f32s({1, 2, 3.01f}), 1e-3, 1e-3, "third element");
}
TEST_CASE("check_moved fails on a wrong source", "[.][graph/op_tester/fails][!shouldfail]") {
  const Tensor x = pattern_tensor(DType::u16, Shape{3});
  check_moved(x, x, [](std::int64_t j) { return 2 - j; });
}
