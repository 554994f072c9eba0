// Dtypes known at load (include/inlay/graph/impl/dtype_rules.hpp): a model whose dtypes inlay
// cannot run is refused by Model::load, naming the node, the input and the dtype; dtypes that
// follow from earlier nodes (Shape -> int64, Cast -> `to`) are checked too; an unknown dtype is
// never refused at load and is still checked when the kernel runs.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay_test::attr_int;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::values_of;

namespace {
constexpr std::int64_t onnx_double = 11, onnx_float = 1;
}

TEST_CASE("A declared dtype the kernel cannot run is refused at load", "[graph/dtype_rules]") {
  // float64 Conv: X and W as declared inputs.
  OpTester conv("Conv", 13);
  conv.input("x", DType::f64).input("w", DType::f64).output("y");
  const std::string conv_error = conv.load_error(ErrorKind::unsupported_op);
  CHECK_THAT(conv_error, Contains("node 'n'") && Contains("Conv") &&
                             Contains("X (input 0) has dtype f64") && Contains("f32 only"));
  // int32 Softmax.
  OpTester softmax("Softmax", 13);
  softmax.input("x", DType::i32).output("y");
  softmax.expect_load_error(ErrorKind::unsupported_op, "input (input 0) has dtype i32");
  // Exp on integers (ONNX defines it on floats only), and And on floats.
  OpTester("Exp", 13)
      .input("x", DType::i64)
      .output("y")
      .expect_load_error(ErrorKind::unsupported_op, "X (input 0) has dtype i64");
  OpTester("And", 7)
      .input("a", DType::f32)
      .input("b", DType::boolean)
      .output("y")
      .expect_load_error(ErrorKind::unsupported_op, "A (input 0) has dtype f32");
  // A constant's dtype is known too: Gemm with a float64 initializer B.
  OpTester gemm("Gemm", 13);
  gemm.input("a", DType::f32).init("b", make_tensor<double>({2, 2}, {1, 2, 3, 4})).output("y");
  gemm.expect_load_error(ErrorKind::unsupported_op, "B (input 1) has dtype f64");
}

TEST_CASE("Dtypes follow from earlier nodes", "[graph/dtype_rules]") {
  // Shape gives int64: Softmax of it is refused at load.
  OpTester shape;
  shape.input("x", DType::f32)
      .node("Shape", {"x"}, {"s"})
      .node("Softmax", {"s"}, {"y"})
      .output("y")
      .opset(13);
  shape.expect_load_error(ErrorKind::unsupported_op, "has dtype i64");
  // Cast's `to` decides: to double refused, to float runs.
  auto cast_then_softmax = [](std::int64_t to) {
    OpTester t;
    t.input("x", DType::i32)
        .node("Cast", {"x"}, {"c"}, {attr_int("to", to)})
        .node("Relu", {"c"}, {"r"})
        .node("Softmax", {"r"}, {"y"})
        .output("y")
        .opset(13);
    return t;
  };
  cast_then_softmax(onnx_double).expect_load_error(ErrorKind::unsupported_op, "node 'Softmax_2'");
  const auto out = cast_then_softmax(onnx_float).run({make_tensor<std::int32_t>({2}, {0, 0})});
  REQUIRE(out.size() == 1);
  CHECK(values_of<float>(out[0]) == std::vector<float>{0.5f, 0.5f});
  // Comparisons give bool: And of two comparisons loads and runs.
  OpTester logic;
  logic.input("a", DType::f32)
      .input("b", DType::f32)
      .node("Less", {"a", "b"}, {"l"})
      .node("Greater", {"a", "b"}, {"g"})
      .node("Or", {"l", "g"}, {"y"})
      .output("y")
      .opset(13);
  const auto ne = logic.run({make_tensor<float>({2}, {1, 2}), make_tensor<float>({2}, {1, 3})});
  CHECK(values_of<bool>(ne[0]) == std::vector<bool>{false, true});
}

TEST_CASE("An unknown dtype loads and is checked at run", "[graph/dtype_rules]") {
  // Einsum has no rule in the table, so its output's dtype is unknown at load: the Softmax after
  // it loads whatever the input, and an int32 one fails when it runs.
  auto einsum_softmax = [](DType dtype) {
    OpTester t;
    t.input("x", dtype)
        .node("Einsum", {"x"}, {"e"}, {inlay_test::attr_string("equation", "i->i")})
        .node("Softmax", {"e"}, {"y"})
        .output("y")
        .opset(13);
    return t;
  };
  CHECK_NOTHROW(einsum_softmax(DType::i32).load());
  einsum_softmax(DType::i32)
      .expect_run_error({make_tensor<std::int32_t>({2}, {1, 2})}, ErrorKind::unsupported_op,
                        "f32 only");
  CHECK(values_of<float>(einsum_softmax(DType::f32).run({make_tensor<float>({2}, {0, 0})})[0]) ==
        std::vector<float>{0.5f, 0.5f});
}
