// Sequences and optionals (graph/ops/sequence.hpp): each op in a small graph that starts and ends
// with tensors, against values worked out by hand; If and Loop passing sequences; a model with a
// declared sequence input run through Session::run_any; and the errors for a tensor where a
// sequence is expected (and back), out-of-range positions and malformed attributes.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using namespace inlay_test;

namespace {

Tensor f32_2x3() { return make_tensor<float>(Shape{2, 3}, {1, 2, 3, 4, 5, 6}); }

// Runs m with `feeds` on every CPU target and checks its outputs against `expected`.
void check_feeds(const OpTester& m, const std::vector<Tensor>& feeds,
                 const std::vector<Tensor>& expected) {
  m.check(feeds, expected, Tolerance{});
}

}  // namespace

TEST_CASE("SequenceConstruct, SequenceInsert, SequenceLength, ConcatFromSequence",
          "[graph/ops/sequence]") {
  // [a, b] with c inserted at 1 -> [a, c, b], joined along axis 0.
  OpTester m;
  m.input("a", DType::f32, {2}).input("b", DType::f32, {1}).input("c", DType::f32, {3});
  m.init("one", scalar_i64(1))
      .node("SequenceConstruct", {"a", "b"}, {"s"})
      .node("SequenceInsert", {"s", "c", "one"}, {"s2"})
      .node("ConcatFromSequence", {"s2"}, {"y"}, {attr_int("axis", 0)})
      .node("SequenceLength", {"s2"}, {"n"})
      .output("y", DType::f32)
      .output("n", DType::i64);
  check_feeds(m, {f32s({1, 2}), f32s({3}), f32s({4, 5, 6})},
              {f32s({1, 2, 4, 5, 6, 3}), scalar_i64(3)});
}

TEST_CASE("SequenceInsert without a position appends; SequenceAt takes negative positions",
          "[graph/ops/sequence]") {
  OpTester m;
  m.input("a", DType::f32, {2}).input("b", DType::f32, {2});
  m.init("last", scalar_i64(-1))
      .init("first", scalar_i64(-2))
      .node("SequenceConstruct", {"a"}, {"s"})
      .node("SequenceInsert", {"s", "b"}, {"s2"})
      .node("SequenceAt", {"s2", "last"}, {"y"})
      .node("SequenceAt", {"s2", "first"}, {"z"})
      .output("y", DType::f32)
      .output("z", DType::f32);
  check_feeds(m, {f32s({1, 2}), f32s({3, 4})}, {f32s({3, 4}), f32s({1, 2})});
}

TEST_CASE("SequenceErase and ConcatFromSequence with new_axis stack the rest",
          "[graph/ops/sequence]") {
  // [a, b, c] without position 0 -> [b, c], stacked on a new axis 1: [[b0, c0], [b1, c1]].
  OpTester m;
  m.input("a", DType::f32, {2}).input("b", DType::f32, {2}).input("c", DType::f32, {2});
  m.init("zero", scalar_i64(0))
      .node("SequenceConstruct", {"a", "b", "c"}, {"s"})
      .node("SequenceErase", {"s", "zero"}, {"s2"})
      .node("ConcatFromSequence", {"s2"}, {"y"}, {attr_int("axis", 1), attr_int("new_axis", 1)})
      .node("SequenceErase", {"s"}, {"s3"})  // no position: the last
      .node("ConcatFromSequence", {"s3"}, {"z"}, {attr_int("axis", -1)})
      .output("y", DType::f32)
      .output("z", DType::f32);
  check_feeds(m, {f32s({1, 2}), f32s({3, 4}), f32s({5, 6})},
              {make_tensor<float>(Shape{2, 2}, {3, 5, 4, 6}), f32s({1, 2, 3, 4})});
}

TEST_CASE("SplitToSequence without split: pieces of one, keepdims 0 drops the axis",
          "[graph/ops/sequence]") {
  // Columns of [[1,2,3],[4,5,6]] restacked as rows: the transpose.
  OpTester m;
  m.input("x", DType::f32, {2, 3});
  m.node("SplitToSequence", {"x"}, {"s"}, {attr_int("axis", 1), attr_int("keepdims", 0)})
      .node("ConcatFromSequence", {"s"}, {"y"}, {attr_int("axis", 0), attr_int("new_axis", 1)})
      .node("SequenceLength", {"s"}, {"n"})
      .output("y", DType::f32)
      .output("n", DType::i64);
  check_feeds(m, {f32_2x3()}, {make_tensor<float>(Shape{3, 2}, {1, 4, 2, 5, 3, 6}), scalar_i64(3)});
}

TEST_CASE("SplitToSequence with a scalar split and with split sizes", "[graph/ops/sequence]") {
  SECTION("scalar 2 on an axis of 3: pieces of 2 and 1") {
    OpTester m;
    m.input("x", DType::f32, {2, 3});
    m.init("split", scalar_i64(2))
        .init("one", scalar_i64(1))
        .node("SplitToSequence", {"x", "split"}, {"s"}, {attr_int("axis", 1)})
        .node("SequenceAt", {"s", "one"}, {"y"})
        .node("SequenceLength", {"s"}, {"n"})
        .output("y", DType::f32)
        .output("n", DType::i64);
    check_feeds(m, {f32_2x3()}, {make_tensor<float>(Shape{2, 1}, {3, 6}), scalar_i64(2)});
  }
  SECTION("sizes [1, 2] along axis 1") {
    OpTester m;
    m.input("x", DType::f32, {2, 3});
    m.init("split", i64s({1, 2}))
        .init("one", scalar_i64(1))
        .node("SplitToSequence", {"x", "split"}, {"s"}, {attr_int("axis", -1)})
        .node("SequenceAt", {"s", "one"}, {"y"})
        .output("y", DType::f32);
    check_feeds(m, {f32_2x3()}, {make_tensor<float>(Shape{2, 2}, {2, 3, 5, 6})});
  }
}

TEST_CASE("SequenceEmpty takes its dtype from the attribute", "[graph/ops/sequence]") {
  OpTester m;
  m.input("x", DType::i64, {2});
  m.init("zero", scalar_i64(0))
      .node("SequenceEmpty", {}, {"e"}, {attr_int("dtype", onnx_type(DType::i64))})
      .node("SequenceLength", {"e"}, {"n0"})
      .node("SequenceInsert", {"e", "x"}, {"s"})
      .node("SequenceAt", {"s", "zero"}, {"y"})
      .output("n0", DType::i64)
      .output("y", DType::i64);
  check_feeds(m, {i64s({7, 8})}, {scalar_i64(0), i64s({7, 8})});
}

TEST_CASE("Optional, OptionalHasElement, OptionalGetElement", "[graph/ops/sequence]") {
  OpTester m;
  m.input("x", DType::f32, {2});
  m.node("Optional", {"x"}, {"o"})
      .node("OptionalHasElement", {"o"}, {"has"})
      .node("OptionalGetElement", {"o"}, {"y"})
      .node("Optional", {}, {"empty"})
      .node("OptionalHasElement", {"empty"}, {"has_empty"})
      .output("has", DType::boolean)
      .output("y", DType::f32)
      .output("has_empty", DType::boolean);
  check_feeds(
      m, {f32s({1, 2})},
      {make_tensor<bool>(Shape{}, {true}), f32s({1, 2}), make_tensor<bool>(Shape{}, {false})});
}

TEST_CASE("SequenceMap runs its body per element, with a tensor passed whole",
          "[graph/ops/sequence]") {
  // [[1, 2], [3]] + 10 -> [[11, 12], [13]], joined: [11, 12, 13].
  OpTester body;
  body.input("e", DType::f32).input("t", DType::f32);
  body.node("Add", {"e", "t"}, {"r"}).output("r", DType::f32);
  OpTester m;
  m.input("a", DType::f32, {2}).input("b", DType::f32, {1}).input("t", DType::f32, {});
  m.node("SequenceConstruct", {"a", "b"}, {"s"})
      .node("SequenceMap", {"s", "t"}, {"r"}, {attr_graph("body", body, "body")})
      .node("ConcatFromSequence", {"r"}, {"y"}, {attr_int("axis", 0)})
      .output("y", DType::f32);
  check_feeds(m, {f32s({1, 2}), f32s({3}), make_tensor<float>(Shape{}, {10})},
              {f32s({11, 12, 13})});
}

TEST_CASE("Loop carries a sequence; If returns one", "[graph/ops/sequence]") {
  SECTION("Loop appends the iteration number three times") {
    OpTester body;
    body.input("i", DType::i64, {}).input("c_in", DType::boolean, {}).untyped_input("s_in");
    body.node("Identity", {"c_in"}, {"c_out"})
        .node("SequenceInsert", {"s_in", "i"}, {"s_out"})
        .output("c_out", DType::boolean)
        .output("s_out");
    OpTester m;
    m.input("M", DType::i64, {});
    m.node("SequenceEmpty", {}, {"e"}, {attr_int("dtype", onnx_type(DType::i64))})
        .node("Loop", {"M", "", "e"}, {"s"}, {attr_graph("body", body, "body")})
        .node("ConcatFromSequence", {"s"}, {"y"}, {attr_int("axis", 0), attr_int("new_axis", 1)})
        .output("y", DType::i64);
    check_feeds(m, {scalar_i64(3)}, {i64s({0, 1, 2})});
  }
  SECTION("If: one tensor or two") {
    OpTester then_b, else_b;
    then_b.node("SequenceConstruct", {"x"}, {"s1"}).output("s1");
    else_b.node("SequenceConstruct", {"x", "x"}, {"s2"}).output("s2");
    OpTester m;
    m.input("c", DType::boolean, {}).input("x", DType::f32, {2});
    m.node("If", {"c"}, {"s"},
           {attr_graph("then_branch", then_b, "then"), attr_graph("else_branch", else_b, "else")})
        .node("SequenceLength", {"s"}, {"n"})
        .output("n", DType::i64);
    check_feeds(m, {make_tensor<bool>(Shape{}, {true}), f32s({1, 2})}, {scalar_i64(1)});
    check_feeds(m, {make_tensor<bool>(Shape{}, {false}), f32s({1, 2})}, {scalar_i64(2)});
  }
}

TEST_CASE("A declared sequence input and output run through Session::run_any",
          "[graph/ops/sequence]") {
  // TypeProto sequence_type { elem_type { tensor_type { elem_type: FLOAT } } }
  const Pb seq_type =
      Pb().m(4, Pb().m(1, Pb().m(1, Pb().u(1, static_cast<std::uint64_t>(onnx_type(DType::f32))))));
  Pb g;
  g.m(1, Pb().s(1, "s").s(2, "y").s(3, "id").s(4, "Identity"));
  g.s(2, "g");
  g.m(11, Pb().s(1, "s").m(2, seq_type));
  g.m(12, Pb().s(1, "y").m(2, seq_type));
  const std::string bytes = Pb().u(1, 8).m(8, Pb().s(1, "").u(2, 16)).m(7, g).bytes;
  inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE(model.inputs().size() == 1);
  CHECK(model.inputs()[0].kind == inlay::ValueDesc::Kind::sequence);
  inlay::Session session(model);
  auto s = std::make_shared<inlay::ContainerValue>();
  s->dtype = DType::f32;
  s->tensors = {f32s({1, 2}), f32s({3})};
  const auto out = session.run_any({inlay::AnyValue{Tensor(), s}});
  REQUIRE(out.size() == 1);
  REQUIRE_FALSE(out[0].is_tensor());
  REQUIRE(out[0].container->tensors.size() == 2);
  CHECK(values_of<float>(out[0].container->tensors[1]) == std::vector<float>{3});
  // A tensor where the model declares a sequence, and Session::run for a sequence output.
  CHECK_THROWS_WITH(session.run_any({inlay::AnyValue{f32s({1}), nullptr}}),
                    Contains("must be a sequence, not a tensor"));
  auto wrong = std::make_shared<inlay::ContainerValue>();
  wrong->dtype = DType::i64;
  CHECK_THROWS_WITH(session.run_any({inlay::AnyValue{Tensor(), wrong}}),
                    Contains("must be a sequence of f32"));
}

TEST_CASE("Sequence ops: errors naming the node and the input", "[graph/ops/sequence]") {
  SECTION("a tensor where a sequence is expected") {
    OpTester("SequenceLength")
        .in(f32s({1}))
        .expect_run_error(ErrorKind::invalid_model, "is a tensor; this op needs a sequence");
  }
  SECTION("a sequence where a tensor is expected") {
    OpTester m;
    m.input("a", DType::f32, {1});
    m.node("SequenceConstruct", {"a"}, {"s"}).node("Relu", {"s"}, {"y"}).output("y", DType::f32);
    m.expect_run_error({f32s({1})}, ErrorKind::invalid_model,
                       "('s') is a sequence; this op needs a tensor");
  }
  SECTION("a sequence as a graph output of Session::run") {
    OpTester m;
    m.input("a", DType::f32, {1});
    m.node("SequenceConstruct", {"a"}, {"s"}).output("s");
    m.expect_run_error({f32s({1})}, ErrorKind::invalid_argument, "Session::run_any");
  }
  SECTION("positions out of range") {
    OpTester m;
    m.input("a", DType::f32, {1});
    m.init("p", scalar_i64(1))
        .node("SequenceConstruct", {"a"}, {"s"})
        .node("SequenceAt", {"s", "p"}, {"y"})
        .output("y", DType::f32);
    m.expect_run_error({f32s({1})}, ErrorKind::invalid_model,
                       "position 1 is out of range for a sequence of 1 tensors");
    OpTester e;
    e.input("a", DType::f32, {1});
    e.init("p", scalar_i64(-3))
        .node("SequenceConstruct", {"a"}, {"s"})
        .node("SequenceInsert", {"s", "a", "p"}, {"s2"})
        .node("SequenceLength", {"s2"}, {"n"})
        .output("n", DType::i64);
    e.expect_run_error({f32s({1})}, ErrorKind::invalid_model, "position -3 is out of range");
  }
  SECTION("mixed dtypes") {
    OpTester m;
    m.input("a", DType::f32, {1}).input("b", DType::i64, {1});
    m.node("SequenceConstruct", {"a", "b"}, {"s"})
        .node("SequenceLength", {"s"}, {"n"})
        .output("n", DType::i64);
    m.expect_run_error({f32s({1}), i64s({1})}, ErrorKind::invalid_model,
                       "a sequence holds one dtype");
  }
  SECTION("split sizes that do not add up; an empty optional") {
    OpTester("SplitToSequence")
        .in(f32_2x3())
        .constant(i64s({1, 1}))
        .attr("axis", std::int64_t{1})
        .output("s")
        .expect_run_error(ErrorKind::invalid_model, "split sizes add up to 2, the axis has 3");
    OpTester m;
    m.node("Optional", {}, {"o"}).node("OptionalGetElement", {"o"}, {"y"}).output("y");
    m.expect_run_error({}, ErrorKind::invalid_model, "empty optional");
  }
  SECTION("bad attributes at load") {
    OpTester m;
    m.input("a", DType::f32, {1});
    m.node("SequenceConstruct", {"a"}, {"s"})
        .node("ConcatFromSequence", {"s"}, {"y"}, {attr_int("axis", 0), attr_int("new_axis", 2)})
        .output("y", DType::f32);
    m.expect_load_error(ErrorKind::invalid_model, "'new_axis' must be 0 or 1");
    OpTester n;
    n.node("SequenceEmpty", {}, {"e"}, {attr_int("dtype", 99)})
        .node("SequenceLength", {"e"}, {"y"})
        .output("y", DType::i64);
    n.expect_load_error(ErrorKind::unsupported_op, "attribute 'dtype' 99");
  }
}
