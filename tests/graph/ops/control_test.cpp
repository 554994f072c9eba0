// Graph-door tests of the control-flow operators (include/inlay/graph/ops/control.hpp): If picks
// a branch by its condition, Loop runs counted and conditional loops with a carried value and a
// scan output, Scan runs over a sequence with a state (forward, and backwards along another axis),
// each against values computed by hand; and the errors for malformed nodes and bodies.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using namespace inlay_test;
using inlay::DType;

namespace {

Tensor scalar_bool(bool v) { return make_tensor<bool>(Shape{}, {v}); }

// If(c) with then_branch (x + x, -x) and else_branch (x - 10, x * x), x read from the main graph
// (10 is an initializer of the else branch). The condition has shape `cond_dims`.
OpTester if_model(const std::vector<std::int64_t>& cond_dims) {
  OpTester then_branch;
  then_branch.node("Add", {"x", "x"}, {"t0"})
      .node("Neg", {"x"}, {"t1"})
      .output("t0", DType::f32)
      .output("t1", DType::f32);
  OpTester else_branch;
  else_branch.init("ten", {1}, {10.0f})
      .node("Sub", {"x", "ten"}, {"e0"})
      .node("Mul", {"x", "x"}, {"e1"})
      .output("e0", DType::f32)
      .output("e1", DType::f32);
  OpTester m;
  m.input("c", DType::boolean, cond_dims)
      .input("x", DType::f32, {2})
      .node("If", {"c"}, {"y0", "y1"},
            {attr_graph("then_branch", then_branch, "then"),
             attr_graph("else_branch", else_branch, "else")})
      .output("y0", DType::f32)
      .output("y1", DType::f32);
  return m;
}

// The body of Loop: (i, c_in, a_in) -> (c_out, a_out, a_scan) with a_out = a_in + step * i
// (step read from the main graph) and a_scan = a_out. c_out is c_in, or i < 2 when
// `stop_after_2`.
OpTester loop_body(bool stop_after_2) {
  OpTester b;
  b.input("i", DType::i64, {}).input("c_in", DType::boolean, {}).input("a_in", DType::f32, {2});
  b.node("Cast", {"i"}, {"i_f"}, {attr_int("to", onnx_type(DType::f32))})
      .node("Mul", {"step", "i_f"}, {"s"})
      .node("Add", {"a_in", "s"}, {"a_out"})
      .node("Identity", {"a_out"}, {"a_scan"});
  if (stop_after_2) {
    b.init("two", make_tensor<std::int64_t>(Shape{}, {2})).node("Less", {"i", "two"}, {"c_out"});
  } else {
    b.node("Identity", {"c_in"}, {"c_out"});
  }
  b.output("c_out", DType::boolean).output("a_out", DType::f32).output("a_scan", DType::f32);
  return b;
}

// Loop(M, cond, a0) -> (a_final, a_all) over loop_body(stop_after_2); M and cond (of shape
// `cond_dims`) are graph inputs (in this order, before a0 and step) where given, omitted where not.
OpTester loop_model(bool with_m, bool with_cond, bool stop_after_2,
                    const std::vector<std::int64_t>& cond_dims = {}) {
  OpTester m;
  if (with_m) m.input("M", DType::i64, {});
  if (with_cond) m.input("cond", DType::boolean, cond_dims);
  m.input("a0", DType::f32, {2})
      .input("step", DType::f32, {2})
      .node("Loop", {with_m ? "M" : "", with_cond ? "cond" : "", "a0"}, {"a_final", "a_all"},
            {attr_graph("body", loop_body(stop_after_2), "body")})
      .output("a_final", DType::f32)
      .output("a_all", DType::f32);
  return m;
}

// The body of Scan: (s_in, x_t) -> (s_out, y_t), a running sum: s_out = s_in + x_t, y_t = s_out;
// y_t's shape declared ([2]) or not.
OpTester running_sum_body(bool declare_y_shape = false) {
  OpTester b;
  b.input("s_in", DType::f32, {2})
      .input("x_t", DType::f32, {2})
      .node("Add", {"s_in", "x_t"}, {"s_out"})
      .node("Identity", {"s_out"}, {"y_t"})
      .output("s_out", DType::f32);
  if (declare_y_shape) {
    b.output("y_t", DType::f32, {2});
  } else {
    b.output("y_t", DType::f32);
  }
  return b;
}

// Scan(s0, xs) -> (s_final, ys) over running_sum_body(), xs of shape `xs_dims`.
OpTester scan_model(const std::vector<std::int64_t>& xs_dims, const std::vector<Pb>& extra,
                    bool declare_y_shape = false) {
  std::vector<Pb> attrs = extra;
  attrs.push_back(attr_graph("body", running_sum_body(declare_y_shape), "body"));
  attrs.push_back(attr_int("num_scan_inputs", 1));
  OpTester m;
  m.input("s0", DType::f32, {2})
      .input("xs", DType::f32, xs_dims)
      .node("Scan", {"s0", "xs"}, {"s_final", "ys"}, attrs)
      .output("s_final", DType::f32)
      .output("ys", DType::f32);
  return m;
}

}  // namespace

TEST_CASE("If runs the branch its condition picks and returns that branch's outputs",
          "[graph/ops/control]") {
  const inlay::Model model = if_model({}).load();
  inlay::Session session(model);
  const Tensor x = make_tensor<float>(Shape{2}, {1.5f, -2.0f});
  // then: (x + x, -x)
  auto out = session.run({scalar_bool(true), x});
  REQUIRE(out.size() == 2);
  CHECK(out[0].shape() == Shape{2});
  CHECK(values_of<float>(out[0]) == std::vector<float>{3.0f, -4.0f});
  CHECK(values_of<float>(out[1]) == std::vector<float>{-1.5f, 2.0f});
  // else: (x - 10, x * x), on the same session
  out = session.run({scalar_bool(false), x});
  REQUIRE(out.size() == 2);
  CHECK(values_of<float>(out[0]) == std::vector<float>{-8.5f, -12.0f});
  CHECK(values_of<float>(out[1]) == std::vector<float>{2.25f, 4.0f});
  // A condition of shape [1] is one bool too.
  out = if_model({1}).run({make_tensor<bool>(Shape{1}, {false}), x});
  CHECK(values_of<float>(out[0]) == std::vector<float>{-8.5f, -12.0f});
}

TEST_CASE("If runs branches whose values leave their type out (type {})", "[graph/ops/control]") {
  // As a widely used voice-activity model writes them: legal ONNX, the types are inferred.
  const auto branch = [](const std::string& op, const std::string& out) {
    Pb g;
    g.m(1, Pb().s(1, "x").s(2, "h").s(3, op + "_0").s(4, op))
        .m(1, Pb().s(1, "h").s(2, out).s(3, "identity").s(4, "Identity"))
        .s(2, "branch_" + out)
        .m(12, Pb().s(1, out).m(2, Pb()))
        .m(13, Pb().s(1, "h").m(2, Pb()));
    return g;
  };
  OpTester m;
  m.input("c", DType::boolean, {})
      .input("x", DType::f32, {2})
      .node("If", {"c"}, {"y"},
            {Pb().s(1, "then_branch").u(20, 5).m(6, branch("Neg", "t")),
             Pb().s(1, "else_branch").u(20, 5).m(6, branch("Abs", "e"))})
      .output("y");
  const inlay::Model model = m.load();
  inlay::Session session(model);
  const Tensor x = make_tensor<float>(Shape{2}, {1.5f, -2.0f});
  auto out = session.run({scalar_bool(true), x});
  REQUIRE(out.size() == 1);
  CHECK(values_of<float>(out[0]) == std::vector<float>{-1.5f, 2.0f});
  out = session.run({scalar_bool(false), x});
  CHECK(values_of<float>(out[0]) == std::vector<float>{1.5f, 2.0f});
}

TEST_CASE("A value declared as a map with float keys is refused at load, naming it",
          "[graph/ops/control]") {
  // Maps have int64 or string keys (graph/ops/ml_zipmap_test.cpp); a float key is refused.
  OpTester m;
  m.input("x", DType::f32, {2}).node("Identity", {"x"}, {"y"}).output("y");
  // y's type: map_type { key_type: FLOAT value_type { tensor_type { elem_type: FLOAT } } }.
  const Pb map = Pb().m(5, Pb().u(1, 1).m(2, Pb().m(1, Pb().u(1, 1))));
  // The tester's graph with a value_info for y of that type, in a ModelProto of opset 17.
  Pb g = m.graph("g");
  g.m(13, Pb().s(1, "y").m(2, map));
  const std::string model_bytes = Pb().u(1, 8).m(8, Pb().s(1, "").u(2, 17)).m(7, g).bytes;
  const std::string message = inlay_test::error_of(
      [&] { inlay::Model::copy_from_bytes(model_bytes.data(), model_bytes.size()); },
      inlay::ErrorKind::unsupported_op);
  CHECK(message.find("value 'y' is a map with") != std::string::npos);
  CHECK(message.find("int64 or string keys") != std::string::npos);
}

TEST_CASE("If refuses a missing branch, a condition that is not one bool, too few outputs",
          "[graph/ops/control]") {
  OpTester branch;
  branch.node("Neg", {"x"}, {"t"}).output("t", DType::f32);
  OpTester only_then;
  only_then.input("c", DType::boolean, {})
      .input("x", DType::f32, {2})
      .node("If", {"c"}, {"y"}, {attr_graph("then_branch", branch, "then")})
      .output("y", DType::f32);
  CHECK_THAT(only_then.load_error(ErrorKind::invalid_model),
             Contains("attribute 'else_branch' is required") && Contains("If"));

  const Tensor x = make_tensor<float>(Shape{2}, {1, 2});
  if_model({2}).expect_run_error({make_tensor<bool>(Shape{2}, {true, false}), x},
                                 ErrorKind::invalid_model,
                                 "the condition must be one bool, not bool [2]");

  // The node has two outputs, each branch one.
  OpTester two_outputs;
  two_outputs.input("c", DType::boolean, {})
      .input("x", DType::f32, {2})
      .node("If", {"c"}, {"y0", "y1"},
            {attr_graph("then_branch", branch, "then"), attr_graph("else_branch", branch, "else")})
      .output("y0", DType::f32)
      .output("y1", DType::f32);
  two_outputs.expect_run_error({scalar_bool(true), x}, ErrorKind::invalid_model,
                               "then_branch has 1 outputs, the node 2");
}

TEST_CASE("Loop carries a value, stacks a scan output and stops at M or by its condition",
          "[graph/ops/control]") {
  const Tensor a0 = make_tensor<float>(Shape{2}, {1, 2});
  const Tensor step = make_tensor<float>(Shape{2}, {10, 20});
  // a after iteration i = a0 + step * (0 + 1 + ... + i): [1, 2], [11, 22], [31, 62], [61, 122].
  auto out = loop_model(true, true, false).run({scalar_i64(4), scalar_bool(true), a0, step});
  REQUIRE(out.size() == 2);
  CHECK(out[0].shape() == Shape{2});
  CHECK(values_of<float>(out[0]) == std::vector<float>{61, 122});
  CHECK(out[1].shape() == (Shape{4, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 11, 22, 31, 62, 61, 122});

  // Without M the body's condition ends the loop: i < 2 is false after iteration 2.
  out = loop_model(false, true, true).run({scalar_bool(true), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{31, 62});
  CHECK(out[1].shape() == (Shape{3, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 11, 22, 31, 62});
  // With both, whichever ends first: M = 2.
  out = loop_model(true, true, true).run({scalar_i64(2), scalar_bool(true), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{11, 22});
  CHECK(out[1].shape() == (Shape{2, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 11, 22});
  // Without cond: M alone counts (the body passes its condition input through).
  out = loop_model(true, false, false).run({scalar_i64(3), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{31, 62});
  CHECK(out[1].shape() == (Shape{3, 2}));
  // A false cond runs no iteration: the carried value is the initial one.
  out = loop_model(true, true, false).run({scalar_i64(4), scalar_bool(false), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{1, 2});
}

TEST_CASE("Loop runs a body whose carried input has no type; a model input without one is refused",
          "[graph/ops/control]") {
  // As ONNX's function expansions write Loop bodies (test_range_*_expanded): the carried value's
  // type comes from the Loop's input at run time.
  OpTester body;
  body.input("i", DType::i64, {}).input("c_in", DType::boolean, {}).untyped_input("a_in");
  body.node("Add", {"a_in", "step"}, {"a_out"}).node("Identity", {"c_in"}, {"c_out"});
  body.output("c_out", DType::boolean).output("a_out");
  OpTester m;
  m.input("M", DType::i64, {})
      .input("a0", DType::f32, {2})
      .input("step", DType::f32, {2})
      .node("Loop", {"M", "", "a0"}, {"a_final"}, {attr_graph("body", body, "body")})
      .output("a_final", DType::f32);
  const Tensor a0 = make_tensor<float>(Shape{2}, {1, 2});
  const Tensor step = make_tensor<float>(Shape{2}, {10, 20});
  const auto out = m.run({scalar_i64(3), a0, step});
  REQUIRE(out.size() == 1);
  CHECK(values_of<float>(out[0]) == std::vector<float>{31, 62});

  OpTester untyped;
  untyped.untyped_input("x").node("Relu", {"x"}, {"y"}).output("y", DType::f32);
  untyped.expect_load_error(ErrorKind::invalid_model, "input 'x' has no element type");
}

TEST_CASE("Loop refuses a body that does not fit, a loop that never ends, a cond not one bool",
          "[graph/ops/control]") {
  const Tensor a0 = make_tensor<float>(Shape{2}, {1, 2});
  const Tensor step = make_tensor<float>(Shape{2}, {10, 20});
  // One carried value needs a body of 3 inputs (i, cond, a) and at least 2 outputs.
  OpTester short_body;
  short_body.input("i", DType::i64, {})
      .input("c_in", DType::boolean, {})
      .node("Identity", {"c_in"}, {"c_out"})
      .output("c_out", DType::boolean);
  OpTester m;
  m.input("M", DType::i64, {})
      .input("a0", DType::f32, {2})
      .node("Loop", {"M", "", "a0"}, {"a_final"}, {attr_graph("body", short_body, "body")})
      .output("a_final", DType::f32);
  CHECK_THAT(m.run_error({scalar_i64(2), a0}, ErrorKind::invalid_model),
             Contains("the body has 2 inputs and 1 outputs") &&
                 Contains("1 loop-carried values need 3 inputs"));
  loop_model(false, false, false)
      .expect_run_error({a0, step}, ErrorKind::invalid_model,
                        "a loop with neither M nor cond never ends");
  loop_model(true, true, false, {2})
      .expect_run_error({scalar_i64(2), make_tensor<bool>(Shape{2}, {true, true}), a0, step},
                        ErrorKind::invalid_model, "cond must be one bool");
}

TEST_CASE("Scan carries a state over a sequence and stacks its outputs", "[graph/ops/control]") {
  const Tensor s0 = make_tensor<float>(Shape{2}, {0.5f, 10.0f});
  // Along axis 0, forward: the running sums [1.5, 12], [4.5, 16], [9.5, 22].
  const Tensor xs = make_tensor<float>(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  auto out = scan_model({3, 2}, {}).run({s0, xs});
  REQUIRE(out.size() == 2);
  CHECK(out[0].shape() == Shape{2});
  CHECK(values_of<float>(out[0]) == std::vector<float>{9.5f, 22});
  CHECK(out[1].shape() == (Shape{3, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1.5f, 12, 4.5f, 16, 9.5f, 22});

  // The same elements along axis 1 of [2, 3], read backwards ([5, 6], [3, 4], [1, 2]), the sums
  // [5.5, 16], [8.5, 20], [9.5, 22] stacked along axis 1.
  const Tensor xt = make_tensor<float>(Shape{2, 3}, {1, 3, 5, 2, 4, 6});
  out = scan_model({2, 3},
                   {attr_ints("scan_input_axes", {1}), attr_ints("scan_input_directions", {1}),
                    attr_ints("scan_output_axes", {1})})
            .run({s0, xt});
  CHECK(values_of<float>(out[0]) == std::vector<float>{9.5f, 22});
  CHECK(out[1].shape() == (Shape{2, 3}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{5.5f, 8.5f, 9.5f, 16, 20, 22});

  // Forward input, outputs stacked in reverse order.
  out = scan_model({3, 2}, {attr_ints("scan_output_directions", {1})}).run({s0, xs});
  CHECK(values_of<float>(out[1]) == std::vector<float>{9.5f, 22, 4.5f, 16, 1.5f, 12});
}

TEST_CASE("Scan over a sequence of length 0 returns the state and empty stacks",
          "[graph/ops/control]") {
  const Tensor s0 = make_tensor<float>(Shape{2}, {0.5f, 10.0f});
  const Tensor empty(DType::f32, Shape{0, 2});
  auto out = scan_model({0, 2}, {}, true).run({s0, empty});
  REQUIRE(out.size() == 2);
  CHECK(values_of<float>(out[0]) == std::vector<float>{0.5f, 10});
  CHECK(out[1].shape() == (Shape{0, 2}));
  // Stacked along axis 1 of [2, 0].
  out = scan_model({0, 2}, {attr_ints("scan_output_axes", {1})}, true).run({s0, empty});
  CHECK(out[1].shape() == (Shape{2, 0}));
  // Without the declared shape the element's shape is unknown: refused, naming the output.
  const std::string message =
      scan_model({0, 2}, {}).run_error({s0, empty}, inlay::ErrorKind::unsupported_op);
  CHECK(message.find("'y_t' to declare its shape") != std::string::npos);
}

TEST_CASE("Scan refuses a missing num_scan_inputs and scan inputs of different lengths",
          "[graph/ops/control]") {
  OpTester no_count;
  no_count.input("s0", DType::f32, {2})
      .input("xs", DType::f32, {3, 2})
      .node("Scan", {"s0", "xs"}, {"s_final"}, {attr_graph("body", running_sum_body(), "body")})
      .output("s_final", DType::f32);
  no_count.expect_load_error(ErrorKind::invalid_model, "attribute 'num_scan_inputs' is required");

  // One state and two scan inputs, of lengths 3 and 2.
  OpTester body;
  body.input("s_in", DType::f32, {2})
      .input("x_t", DType::f32, {2})
      .input("z_t", DType::f32, {2})
      .node("Add", {"s_in", "x_t"}, {"s_out"})
      .output("s_out", DType::f32);
  OpTester m;
  m.input("s0", DType::f32, {2})
      .input("xs", DType::f32, {3, 2})
      .input("zs", DType::f32, {2, 2})
      .node("Scan", {"s0", "xs", "zs"}, {"s_final"},
            {attr_graph("body", body, "body"), attr_int("num_scan_inputs", 2)})
      .output("s_final", DType::f32);
  m.expect_run_error({make_tensor<float>(Shape{2}, {0, 0}), Tensor(DType::f32, Shape{3, 2}),
                      Tensor(DType::f32, Shape{2, 2})},
                     ErrorKind::shape_mismatch, "scan inputs have different lengths (3 and 2)");
}

namespace {
// Scan opset 8 (batch axis 0, sequence axis 1): (sequence_lens?, s0 [B, 2], xs [B, T, 2]) ->
// (s_final [B, 2], ys [B, T, 2]) over running_sum_body().
OpTester batched_scan_model(bool with_lens, std::int64_t batch, std::int64_t steps,
                            const std::vector<Pb>& extra = {}) {
  std::vector<Pb> attrs = extra;
  attrs.push_back(attr_graph("body", running_sum_body(), "body"));
  attrs.push_back(attr_int("num_scan_inputs", 1));
  OpTester m;
  m.opset(8);
  if (with_lens) m.input("lens", DType::i64, {batch});
  m.input("s0", DType::f32, {batch, 2})
      .input("xs", DType::f32, {batch, steps, 2})
      .node("Scan", {with_lens ? "lens" : "", "s0", "xs"}, {"s_final", "ys"}, attrs)
      .output("s_final", DType::f32)
      .output("ys", DType::f32);
  return m;
}
}  // namespace

TEST_CASE("Scan opset 8 scans each batch entry over its own sequence length",
          "[graph/ops/control]") {
  // Batch 0 starts at [0, 0], batch 1 at [100, 200]; both over three steps.
  const Tensor s0 = make_tensor<float>(Shape{2, 2}, {0, 0, 100, 200});
  const Tensor xs = make_tensor<float>(Shape{2, 3, 2}, {1, 2, 3, 4, 5, 6, 1, 1, 2, 2, 3, 3});
  auto out = batched_scan_model(false, 2, 3).run({s0, xs});
  REQUIRE(out.size() == 2);
  CHECK(out[0].shape() == (Shape{2, 2}));
  CHECK(values_of<float>(out[0]) == std::vector<float>{9, 12, 106, 206});
  CHECK(out[1].shape() == (Shape{2, 3, 2}));
  CHECK(values_of<float>(out[1]) ==
        std::vector<float>{1, 2, 4, 6, 9, 12, 101, 201, 103, 203, 106, 206});

  // sequence_lens [2, 0]: batch 0 stops after two steps, batch 1 runs none (its state is the
  // initial one); the steps not run are zero.
  out = batched_scan_model(true, 2, 3).run({make_tensor<std::int64_t>(Shape{2}, {2, 0}), s0, xs});
  CHECK(values_of<float>(out[0]) == std::vector<float>{4, 6, 100, 200});
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 4, 6, 0, 0, 0, 0, 0, 0, 0, 0});

  // directions [1]: each sequence read backwards from its own last step; the outputs stay in
  // step order. Batch 0 (length 2) reads [3, 4] then [1, 2].
  out = batched_scan_model(true, 2, 3, {attr_ints("directions", {1})})
            .run({make_tensor<std::int64_t>(Shape{2}, {2, 3}), s0, xs});
  CHECK(values_of<float>(out[0]) == std::vector<float>{4, 6, 106, 206});
  CHECK(values_of<float>(out[1]) ==
        std::vector<float>{3, 4, 4, 6, 0, 0, 103, 203, 105, 205, 106, 206});
}

TEST_CASE("Scan opset 8 refuses bad sequence lengths, batch sizes and directions",
          "[graph/ops/control]") {
  const Tensor s0(DType::f32, Shape{2, 2});
  const Tensor xs(DType::f32, Shape{2, 3, 2});
  batched_scan_model(true, 2, 3)
      .expect_run_error({make_tensor<std::int64_t>(Shape{2}, {1, 4}), s0, xs},
                        ErrorKind::invalid_argument, "sequence_lens[1] = 4 is outside [0, 3]");
  batched_scan_model(true, 2, 3)
      .expect_run_error({make_tensor<std::int64_t>(Shape{2}, {-1, 1}), s0, xs},
                        ErrorKind::invalid_argument, "sequence_lens[0] = -1");
  batched_scan_model(false, 2, 3, {attr_ints("directions", {2})})
      .expect_load_error(ErrorKind::invalid_model, "directions must be 0 or 1, got 2");
  batched_scan_model(false, 2, 3, {attr_ints("directions", {0, 1})})
      .expect_load_error(ErrorKind::invalid_model, "directions has more entries");

  // The initial state's batch differs from the scan input's.
  OpTester m;
  m.opset(8);
  m.input("s0", DType::f32, {3, 2})
      .input("xs", DType::f32, {2, 3, 2})
      .node("Scan", {"", "s0", "xs"}, {"s_final"},
            {attr_graph("body", running_sum_body(), "body"), attr_int("num_scan_inputs", 1)})
      .output("s_final", DType::f32);
  m.expect_run_error(ErrorKind::shape_mismatch, "initial state 0 [3, 2] must have batch size 2");
  // A scan input without a sequence axis.
  OpTester flat;
  flat.opset(8);
  flat.input("s0", DType::f32, {2})
      .input("xs", DType::f32, {2})
      .node("Scan", {"", "s0", "xs"}, {"s_final"},
            {attr_graph("body", running_sum_body(), "body"), attr_int("num_scan_inputs", 1)})
      .output("s_final", DType::f32);
  flat.expect_run_error(ErrorKind::shape_mismatch, "must be [batch, sequence, ...]");
  // num_scan_inputs counts past sequence_lens.
  OpTester many;
  many.opset(8);
  many.input("s0", DType::f32, {2, 2})
      .node("Scan", {"", "s0"}, {"s_final"},
            {attr_graph("body", running_sum_body(), "body"), attr_int("num_scan_inputs", 2)})
      .output("s_final", DType::f32);
  many.expect_load_error(ErrorKind::invalid_model, "num_scan_inputs 2 must be in [1,");
}
