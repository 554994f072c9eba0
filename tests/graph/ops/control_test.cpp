// Graph-door tests of the control-flow operators (include/inlay/graph/ops/control.hpp): If picks
// a branch by its condition, Loop runs counted and conditional loops with a carried value and a
// scan output, Scan runs over a sequence with a state (forward, and backwards along another axis),
// each against values computed by hand; and the errors for malformed nodes and bodies.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_model.hpp"
#include "graph/tiny_model.hpp"
#include "graph/ops/op_test_helpers.hpp"

using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using namespace inlay_test;

namespace {

constexpr int onnx_bool = 9;  // TensorProto.DataType BOOL

// A graph attribute (AttributeProto type GRAPH = 5, the graph in field g = 6) holding the graph of
// `body` (its inputs, initializers, nodes and outputs) under the name `graph_name`. Names the body
// reads but does not define are captured from the enclosing graph.
Pb attr_graph(const std::string& name, const TinyModel& body, const std::string& graph_name) {
  Pb g = body.graph;
  g.s(2, graph_name);
  return Pb().s(1, name).u(20, 5).m(6, g);
}

std::string load_error(const std::string& bytes, ErrorKind kind) {
  return error_of([&] { inlay::Model::from_bytes(bytes.data(), bytes.size()); }, kind);
}

Tensor scalar_bool(bool v) { return make_tensor<bool>(Shape{}, {v}); }
Tensor scalar_i64(std::int64_t v) { return make_tensor<std::int64_t>(Shape{}, {v}); }

// If(c) with then_branch (x + x, -x) and else_branch (x - 10, x * x), x read from the main graph
// (10 is an initializer of the else branch). The condition has shape `cond_dims`.
std::string if_model(const std::vector<std::int64_t>& cond_dims) {
  TinyModel then_branch;
  then_branch.node("Add", {"x", "x"}, {"t0"}).node("Neg", {"x"}, {"t1"}).output("t0").output("t1");
  TinyModel else_branch;
  else_branch.init("ten", {1}, {10.0f})
      .node("Sub", {"x", "ten"}, {"e0"})
      .node("Mul", {"x", "x"}, {"e1"})
      .output("e0")
      .output("e1");
  TinyModel m;
  m.input("c", cond_dims, onnx_bool)
      .input("x", {2})
      .node("If", {"c"}, {"y0", "y1"},
            {attr_graph("then_branch", then_branch, "then"),
             attr_graph("else_branch", else_branch, "else")})
      .output("y0")
      .output("y1");
  return m.bytes();
}

// The body of Loop: (i, c_in, a_in) -> (c_out, a_out, a_scan) with a_out = a_in + step * i
// (step read from the main graph) and a_scan = a_out. c_out is c_in, or i < 2 when
// `stop_after_2`.
TinyModel loop_body(bool stop_after_2) {
  TinyModel b;
  b.input("i", {}, onnx_int64).input("c_in", {}, onnx_bool).input("a_in", {2});
  b.node("Cast", {"i"}, {"i_f"}, {attr_int("to", onnx_float)})
      .node("Mul", {"step", "i_f"}, {"s"})
      .node("Add", {"a_in", "s"}, {"a_out"})
      .node("Identity", {"a_out"}, {"a_scan"});
  if (stop_after_2) {
    b.init_i64("two", {}, {2}).node("Less", {"i", "two"}, {"c_out"});
  } else {
    b.node("Identity", {"c_in"}, {"c_out"});
  }
  b.output("c_out", onnx_bool).output("a_out").output("a_scan");
  return b;
}

// Loop(M, cond, a0) -> (a_final, a_all) over loop_body(stop_after_2); M and cond (of shape
// `cond_dims`) are graph inputs (in this order, before a0 and step) where given, omitted where not.
std::string loop_model(bool with_m, bool with_cond, bool stop_after_2,
                       const std::vector<std::int64_t>& cond_dims = {}) {
  TinyModel m;
  if (with_m) m.input("M", {}, onnx_int64);
  if (with_cond) m.input("cond", cond_dims, onnx_bool);
  m.input("a0", {2})
      .input("step", {2})
      .node("Loop", {with_m ? "M" : "", with_cond ? "cond" : "", "a0"}, {"a_final", "a_all"},
            {attr_graph("body", loop_body(stop_after_2), "body")})
      .output("a_final")
      .output("a_all");
  return m.bytes();
}

// The body of Scan: (s_in, x_t) -> (s_out, y_t), a running sum: s_out = s_in + x_t, y_t = s_out.
TinyModel running_sum_body() {
  TinyModel b;
  b.input("s_in", {2})
      .input("x_t", {2})
      .node("Add", {"s_in", "x_t"}, {"s_out"})
      .node("Identity", {"s_out"}, {"y_t"})
      .output("s_out")
      .output("y_t");
  return b;
}

// Scan(s0, xs) -> (s_final, ys) over running_sum_body(), xs of shape `xs_dims`.
std::string scan_model(const std::vector<std::int64_t>& xs_dims, const std::vector<Pb>& extra) {
  std::vector<Pb> attrs = extra;
  attrs.push_back(attr_graph("body", running_sum_body(), "body"));
  attrs.push_back(attr_int("num_scan_inputs", 1));
  TinyModel m;
  m.input("s0", {2})
      .input("xs", xs_dims)
      .node("Scan", {"s0", "xs"}, {"s_final", "ys"}, attrs)
      .output("s_final")
      .output("ys");
  return m.bytes();
}

}  // namespace

TEST_CASE("If runs the branch its condition picks and returns that branch's outputs",
          "[graph/ops/control]") {
  const std::string bytes = if_model({});
  inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
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
  out = run_model(if_model({1}), {make_tensor<bool>(Shape{1}, {false}), x});
  CHECK(values_of<float>(out[0]) == std::vector<float>{-8.5f, -12.0f});
}

TEST_CASE("If refuses a missing branch, a condition that is not one bool, too few outputs",
          "[graph/ops/control]") {
  TinyModel branch;
  branch.node("Neg", {"x"}, {"t"}).output("t");
  TinyModel only_then;
  only_then.input("c", {}, onnx_bool)
      .input("x", {2})
      .node("If", {"c"}, {"y"}, {attr_graph("then_branch", branch, "then")})
      .output("y");
  CHECK_THAT(load_error(only_then.bytes(), ErrorKind::invalid_model),
             Contains("attribute 'else_branch' is required") && Contains("If"));

  const Tensor x = make_tensor<float>(Shape{2}, {1, 2});
  CHECK_THAT(error_of(
                 [&] {
                   run_model(if_model({2}), {make_tensor<bool>(Shape{2}, {true, false}), x});
                 },
                 ErrorKind::invalid_model),
             Contains("the condition must be one bool, not bool [2]"));

  // The node has two outputs, each branch one.
  TinyModel two_outputs;
  two_outputs.input("c", {}, onnx_bool)
      .input("x", {2})
      .node("If", {"c"}, {"y0", "y1"},
            {attr_graph("then_branch", branch, "then"), attr_graph("else_branch", branch, "else")})
      .output("y0")
      .output("y1");
  CHECK_THAT(error_of(
                 [&] {
                   run_model(two_outputs.bytes(), {scalar_bool(true), x});
                 },
                 ErrorKind::invalid_model),
             Contains("then_branch has 1 outputs, the node 2"));
}

TEST_CASE("Loop carries a value, stacks a scan output and stops at M or by its condition",
          "[graph/ops/control]") {
  const Tensor a0 = make_tensor<float>(Shape{2}, {1, 2});
  const Tensor step = make_tensor<float>(Shape{2}, {10, 20});
  // a after iteration i = a0 + step * (0 + 1 + ... + i): [1, 2], [11, 22], [31, 62], [61, 122].
  auto out = run_model(loop_model(true, true, false), {scalar_i64(4), scalar_bool(true), a0, step});
  REQUIRE(out.size() == 2);
  CHECK(out[0].shape() == Shape{2});
  CHECK(values_of<float>(out[0]) == std::vector<float>{61, 122});
  CHECK(out[1].shape() == (Shape{4, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 11, 22, 31, 62, 61, 122});

  // Without M the body's condition ends the loop: i < 2 is false after iteration 2.
  out = run_model(loop_model(false, true, true), {scalar_bool(true), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{31, 62});
  CHECK(out[1].shape() == (Shape{3, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 11, 22, 31, 62});
  // With both, whichever ends first: M = 2.
  out = run_model(loop_model(true, true, true), {scalar_i64(2), scalar_bool(true), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{11, 22});
  CHECK(out[1].shape() == (Shape{2, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1, 2, 11, 22});
  // Without cond: M alone counts (the body passes its condition input through).
  out = run_model(loop_model(true, false, false), {scalar_i64(3), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{31, 62});
  CHECK(out[1].shape() == (Shape{3, 2}));
  // A false cond runs no iteration: the carried value is the initial one.
  out = run_model(loop_model(true, true, false), {scalar_i64(4), scalar_bool(false), a0, step});
  CHECK(values_of<float>(out[0]) == std::vector<float>{1, 2});
}

TEST_CASE("Loop refuses a body that does not fit, a loop that never ends, a cond not one bool",
          "[graph/ops/control]") {
  const Tensor a0 = make_tensor<float>(Shape{2}, {1, 2});
  const Tensor step = make_tensor<float>(Shape{2}, {10, 20});
  // One carried value needs a body of 3 inputs (i, cond, a) and at least 2 outputs.
  TinyModel short_body;
  short_body.input("i", {}, onnx_int64)
      .input("c_in", {}, onnx_bool)
      .node("Identity", {"c_in"}, {"c_out"})
      .output("c_out", onnx_bool);
  TinyModel m;
  m.input("M", {}, onnx_int64)
      .input("a0", {2})
      .node("Loop", {"M", "", "a0"}, {"a_final"}, {attr_graph("body", short_body, "body")})
      .output("a_final");
  CHECK_THAT(error_of(
                 [&] {
                   run_model(m.bytes(), {scalar_i64(2), a0});
                 },
                 ErrorKind::invalid_model),
             Contains("the body has 2 inputs and 1 outputs") &&
                 Contains("1 loop-carried values need 3 inputs"));
  CHECK_THAT(error_of(
                 [&] {
                   run_model(loop_model(false, false, false), {a0, step});
                 },
                 ErrorKind::invalid_model),
             Contains("a loop with neither M nor cond never ends"));
  CHECK_THAT(error_of(
                 [&] {
                   run_model(loop_model(true, true, false, {2}),
                             {scalar_i64(2), make_tensor<bool>(Shape{2}, {true, true}), a0, step});
                 },
                 ErrorKind::invalid_model),
             Contains("cond must be one bool"));
}

TEST_CASE("Scan carries a state over a sequence and stacks its outputs", "[graph/ops/control]") {
  const Tensor s0 = make_tensor<float>(Shape{2}, {0.5f, 10.0f});
  // Along axis 0, forward: the running sums [1.5, 12], [4.5, 16], [9.5, 22].
  const Tensor xs = make_tensor<float>(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  auto out = run_model(scan_model({3, 2}, {}), {s0, xs});
  REQUIRE(out.size() == 2);
  CHECK(out[0].shape() == Shape{2});
  CHECK(values_of<float>(out[0]) == std::vector<float>{9.5f, 22});
  CHECK(out[1].shape() == (Shape{3, 2}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{1.5f, 12, 4.5f, 16, 9.5f, 22});

  // The same elements along axis 1 of [2, 3], read backwards ([5, 6], [3, 4], [1, 2]), the sums
  // [5.5, 16], [8.5, 20], [9.5, 22] stacked along axis 1.
  const Tensor xt = make_tensor<float>(Shape{2, 3}, {1, 3, 5, 2, 4, 6});
  out = run_model(scan_model({2, 3}, {attr_ints("scan_input_axes", {1}),
                                      attr_ints("scan_input_directions", {1}),
                                      attr_ints("scan_output_axes", {1})}),
                  {s0, xt});
  CHECK(values_of<float>(out[0]) == std::vector<float>{9.5f, 22});
  CHECK(out[1].shape() == (Shape{2, 3}));
  CHECK(values_of<float>(out[1]) == std::vector<float>{5.5f, 8.5f, 9.5f, 16, 20, 22});

  // Forward input, outputs stacked in reverse order.
  out = run_model(scan_model({3, 2}, {attr_ints("scan_output_directions", {1})}), {s0, xs});
  CHECK(values_of<float>(out[1]) == std::vector<float>{9.5f, 22, 4.5f, 16, 1.5f, 12});
}

TEST_CASE("Scan refuses a missing num_scan_inputs and scan inputs of different lengths",
          "[graph/ops/control]") {
  TinyModel no_count;
  no_count.input("s0", {2})
      .input("xs", {3, 2})
      .node("Scan", {"s0", "xs"}, {"s_final"}, {attr_graph("body", running_sum_body(), "body")})
      .output("s_final");
  CHECK_THAT(load_error(no_count.bytes(), ErrorKind::invalid_model),
             Contains("attribute 'num_scan_inputs' is required"));

  // One state and two scan inputs, of lengths 3 and 2.
  TinyModel body;
  body.input("s_in", {2})
      .input("x_t", {2})
      .input("z_t", {2})
      .node("Add", {"s_in", "x_t"}, {"s_out"})
      .output("s_out");
  TinyModel m;
  m.input("s0", {2})
      .input("xs", {3, 2})
      .input("zs", {2, 2})
      .node("Scan", {"s0", "xs", "zs"}, {"s_final"},
            {attr_graph("body", body, "body"), attr_int("num_scan_inputs", 2)})
      .output("s_final");
  CHECK_THAT(error_of(
                 [&] {
                   run_model(m.bytes(), {make_tensor<float>(Shape{2}, {0, 0}),
                                         Tensor(inlay::DType::f32, Shape{3, 2}),
                                         Tensor(inlay::DType::f32, Shape{2, 2})});
                 },
                 ErrorKind::shape_mismatch),
             Contains("scan inputs have different lengths (3 and 2)"));
}
