// The QDQ fusion (include/inlay/graph/impl/fuse_qdq.hpp): QDQ graphs as ONNX Runtime's quantizer
// writes them are loaded twice, as written (ModelOptions::optimize = false: float ops between
// DequantizeLinear and QuantizeLinear) and optimized; the plan must hold the fused quantized op
// and the outputs must agree to within one quantization step of the output, on every CPU target.
// Patterns that must not fuse keep their float op and still agree.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::Shape;

namespace {

inlay::Tensor scalar_u8(int v) { return make_tensor<std::uint8_t, int>(Shape{}, {v}); }

// Pseudo-random int8 weights of the given shape.
inlay::Tensor random_s8(const Shape& shape, std::uint32_t seed) {
  const std::vector<float> f = random_floats(static_cast<std::size_t>(shape.numel()), seed);
  std::vector<std::int8_t> v;
  for (float x : f) v.push_back(static_cast<std::int8_t>(x * 127.0f));
  return make_tensor<std::int8_t>(shape, v);
}

inlay::Tensor random_f32(const Shape& shape, std::uint32_t seed, float lo, float hi) {
  return make_tensor<float>(shape,
                            random_floats(static_cast<std::size_t>(shape.numel()), seed, lo, hi));
}

// The graph's float input x is quantized (x_scale, zero point 128) and dequantized, so the
// quantized op sees u8 data; its output y is quantized (y_scale, y_zero) and dequantized to the
// float output "out". `body` adds the nodes from "xd" to "y".
template <class Body>
OpTester qdq_graph(const inlay::Tensor& x, float y_scale, int y_zero, Body body) {
  OpTester t;
  t.opset(13);
  t.in_shaped(x);  // named x0
  t.init("xs", scalar_f32(0.02f)).init("xz", scalar_u8(128));
  t.init("ys", scalar_f32(y_scale)).init("yz", scalar_u8(y_zero));
  t.node("QuantizeLinear", {"x0", "xs", "xz"}, {"xq"});
  t.node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  body(t);
  t.node("QuantizeLinear", {"y", "ys", "yz"}, {"yq"});
  t.node("DequantizeLinear", {"yq", "ys", "yz"}, {"out"});
  t.output("out");
  return t;
}

// Runs the graph as written and optimized on every target; the outputs agree within one step.
void check_against_unfused(const OpTester& t, float y_scale) {
  inlay::ModelOptions plain;
  plain.optimize = false;
  const std::string bytes = t.bytes();
  const inlay::Model reference = inlay::Model::copy_from_bytes(bytes.data(), bytes.size(), plain);
  inlay::Session ref_session(reference);
  const std::vector<inlay::Tensor> want = ref_session.run(t.feeds());
  for_each_cpu_target([&] {
    const inlay::Model fused = t.load();
    inlay::Session s(fused);
    const std::vector<inlay::Tensor> got = s.run(t.feeds());
    REQUIRE(got.size() == want.size());
    outputs_match(got[0], want[0], 0.0, 1.01 * y_scale);
  });
}

}  // namespace

TEST_CASE("QDQ Conv with per-channel weights, an int32 bias and Relu runs as QLinearConv",
          "[graph/fuse_qdq]") {
  const float y_scale = 0.05f;
  const inlay::Tensor x = random_f32(Shape{1, 3, 7, 6}, 1, -2.5f, 2.5f);
  OpTester t = qdq_graph(x, y_scale, 0, [](OpTester& g) {
    g.init("w", random_s8(Shape{4, 3, 3, 3}, 2));
    g.init("ws", make_tensor<float>(Shape{4}, {0.01f, 0.02f, 0.005f, 0.03f}));
    g.init("wz", make_tensor<std::int8_t, int>(Shape{4}, {0, 0, 0, 0}));
    // The bias as ORT writes it: int32 with scale x_scale * w_scale[m].
    g.init("b", make_tensor<std::int32_t, int>(Shape{4}, {100, -250, 0, 37}));
    g.init("bs", make_tensor<float>(Shape{4},
                                    {0.02f * 0.01f, 0.02f * 0.02f, 0.02f * 0.005f, 0.02f * 0.03f}));
    g.node("DequantizeLinear", {"w", "ws", "wz"}, {"wd"}, {attr_int("axis", 0)});
    g.node("DequantizeLinear", {"b", "bs"}, {"bd"}, {attr_int("axis", 0)});
    g.node("Conv", {"xd", "wd", "bd"}, {"c"}, {attr_ints("pads", {1, 1, 1, 1})});
    g.node("Relu", {"c"}, {"y"});
  });
  const inlay::Model m = t.load();
  CHECK(planned(m, "QLinearConv") == 1);
  CHECK(planned(m, "Conv") == 0);
  CHECK(planned(m, "Relu") == 0);
  CHECK(planned(m, "DequantizeLinear") == 1);  // only the graph's last one
  check_against_unfused(t, y_scale);
}

TEST_CASE("QDQ Conv with a float bias and a strided, grouped window fuses", "[graph/fuse_qdq]") {
  const float y_scale = 0.04f;
  const inlay::Tensor x = random_f32(Shape{2, 4, 9, 8}, 3, -2.0f, 2.0f);
  OpTester t = qdq_graph(x, y_scale, 120, [](OpTester& g) {
    g.init("w", random_s8(Shape{6, 2, 3, 3}, 4));
    g.init("ws", scalar_f32(0.01f));
    g.init("b", make_tensor<float>(Shape{6}, {0.1f, -0.2f, 0.3f, 0.0f, 0.05f, -0.5f}));
    g.node("DequantizeLinear", {"w", "ws"}, {"wd"});  // int8 data, no zero point
    g.node("Conv", {"xd", "wd", "b"}, {"y"},
           {attr_int("group", 2), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 0, 1, 0})});
  });
  CHECK(planned(t.load(), "QLinearConv") == 1);
  check_against_unfused(t, y_scale);
}

TEST_CASE("QDQ Conv + Relu whose zero point is not the lowest code stays a float Conv",
          "[graph/fuse_qdq]") {
  // With y_zero = 100 the Relu clamps at code 100: the fused kernel has no such clamp.
  const float y_scale = 0.05f;
  const inlay::Tensor x = random_f32(Shape{1, 2, 5, 5}, 5, -2.0f, 2.0f);
  OpTester t = qdq_graph(x, y_scale, 100, [](OpTester& g) {
    g.init("w", random_s8(Shape{3, 2, 1, 1}, 6));
    g.init("ws", scalar_f32(0.02f));
    g.node("DequantizeLinear", {"w", "ws"}, {"wd"});
    g.node("Conv", {"xd", "wd"}, {"c"});
    g.node("Relu", {"c"}, {"y"});
  });
  const inlay::Model m = t.load();
  CHECK(planned(m, "QLinearConv") == 0);
  CHECK(planned(m, "Relu") + planned(m, "Conv") >= 1);
  check_against_unfused(t, y_scale);
}

TEST_CASE("A Conv whose float output is also a graph output is not fused", "[graph/fuse_qdq]") {
  const inlay::Tensor x = random_f32(Shape{1, 2, 4, 4}, 7, -1.0f, 1.0f);
  OpTester t = qdq_graph(x, 0.05f, 128, [](OpTester& g) {
    g.init("w", random_s8(Shape{2, 2, 1, 1}, 8));
    g.init("ws", scalar_f32(0.02f));
    g.node("DequantizeLinear", {"w", "ws"}, {"wd"});
    g.node("Conv", {"xd", "wd"}, {"y"});
  });
  t.output("y");
  const inlay::Model m = t.load();
  CHECK(planned(m, "QLinearConv") == 0);
  CHECK(planned(m, "Conv") == 1);
}

TEST_CASE("QDQ MatMul with per-column weights runs as QLinearMatMul", "[graph/fuse_qdq]") {
  const float y_scale = 0.1f;
  const inlay::Tensor x = random_f32(Shape{3, 5, 16}, 9, -2.0f, 2.0f);
  OpTester t = qdq_graph(x, y_scale, 128, [](OpTester& g) {
    g.init("w", random_s8(Shape{16, 6}, 10));
    g.init("ws", make_tensor<float>(Shape{6}, {0.01f, 0.02f, 0.015f, 0.03f, 0.005f, 0.01f}));
    g.init("wz", make_tensor<std::int8_t, int>(Shape{6}, {0, 0, 0, 0, 0, 0}));
    g.node("DequantizeLinear", {"w", "ws", "wz"}, {"wd"}, {attr_int("axis", 1)});
    g.node("MatMul", {"xd", "wd"}, {"y"});
  });
  const inlay::Model m = t.load();
  CHECK(planned(m, "QLinearMatMul") == 1);
  CHECK(planned(m, "MatMul") == 0);
  check_against_unfused(t, y_scale);
}

TEST_CASE("Weights quantized along the wrong axis are not fused", "[graph/fuse_qdq]") {
  // MatMul's B quantized per row (axis 0) is not a per-column quantization: no QLinearMatMul.
  const inlay::Tensor x = random_f32(Shape{2, 4}, 11, -1.0f, 1.0f);
  OpTester t = qdq_graph(x, 0.05f, 128, [](OpTester& g) {
    g.init("w", random_s8(Shape{4, 4}, 12));
    g.init("ws", make_tensor<float>(Shape{4}, {0.01f, 0.02f, 0.03f, 0.04f}));
    g.node("DequantizeLinear", {"w", "ws"}, {"wd"}, {attr_int("axis", 0)});
    g.node("MatMul", {"xd", "wd"}, {"y"});
  });
  const inlay::Model m = t.load();
  CHECK(planned(m, "QLinearMatMul") == 0);
  CHECK(planned(m, "MatMul") == 1);
  check_against_unfused(t, 0.05f);
}

TEST_CASE("Reshape and Transpose between DQ and Q with the same parameters run on u8",
          "[graph/fuse_qdq]") {
  const float y_scale = 0.02f;  // the input's own scale and zero point
  const inlay::Tensor x = random_f32(Shape{2, 3, 4}, 13, -2.0f, 2.0f);
  OpTester t = qdq_graph(x, y_scale, 128, [](OpTester& g) {
    g.init("shape", make_tensor<std::int64_t>(Shape{2}, std::vector<std::int64_t>{6, 4}));
    g.node("Reshape", {"xd", "shape"}, {"r"});
    g.node("QuantizeLinear", {"r", "ys", "yz"}, {"rq"});
    g.node("DequantizeLinear", {"rq", "ys", "yz"}, {"rd"});
    g.node("Transpose", {"rd"}, {"y"});
  });
  const inlay::Model m = t.load();
  CHECK(planned(m, "Reshape") == 1);
  CHECK(planned(m, "Transpose") == 1);
  CHECK(planned(m, "QuantizeLinear") == 1);  // the graph's first, on the float input
  CHECK(planned(m, "DequantizeLinear") == 1);
  check_against_unfused(t, y_scale);
}

TEST_CASE("A Reshape between different quantizations keeps its DQ and Q", "[graph/fuse_qdq]") {
  const inlay::Tensor x = random_f32(Shape{2, 3}, 14, -1.0f, 1.0f);
  OpTester t = qdq_graph(x, 0.03f, 128, [](OpTester& g) {
    g.init("shape", make_tensor<std::int64_t>(Shape{1}, std::vector<std::int64_t>{6}));
    g.node("Reshape", {"xd", "shape"}, {"y"});
  });
  const inlay::Model m = t.load();
  CHECK(planned(m, "QuantizeLinear") == 2);
  check_against_unfused(t, 0.03f);
}

TEST_CASE("A QDQ pattern with a zero weight scale is left to DequantizeLinear's error",
          "[graph/fuse_qdq]") {
  const inlay::Tensor x = random_f32(Shape{1, 2, 3, 3}, 15, -1.0f, 1.0f);
  OpTester t = qdq_graph(x, 0.05f, 128, [](OpTester& g) {
    g.init("w", random_s8(Shape{2, 2, 1, 1}, 16));
    g.init("ws", scalar_f32(0.0f));
    g.node("DequantizeLinear", {"w", "ws"}, {"wd"});
    g.node("Conv", {"xd", "wd"}, {"y"});
  });
  t.expect_load_error(inlay::ErrorKind::invalid_model, "scale must be finite and > 0");
}

TEST_CASE("QDQ Conv + Clip(0, 6) fuses when the output's range is [0, 6]; a tighter Clip does not",
          "[graph/fuse_qdq]") {
  const float y_scale = 6.0f / 255.0f;
  const inlay::Tensor x = random_f32(Shape{1, 3, 6, 6}, 17, -2.5f, 2.5f);
  for (float hi : {6.0f, 1.0f}) {
    INFO("Clip max " << hi);
    OpTester t = qdq_graph(x, y_scale, 0, [hi](OpTester& g) {
      g.init("w", random_s8(Shape{4, 3, 3, 3}, 18));
      g.init("ws", scalar_f32(0.02f));
      g.init("lo", scalar_f32(0.0f)).init("hi", scalar_f32(hi));
      g.node("DequantizeLinear", {"w", "ws"}, {"wd"});
      g.node("Conv", {"xd", "wd"}, {"c"});
      g.node("Clip", {"c", "lo", "hi"}, {"y"});
    });
    const inlay::Model m = t.load();
    CHECK(planned(m, "QLinearConv") == (hi == 6.0f ? 1u : 0u));
    CHECK(planned(m, "Clip") == 0);  // fused away, or into the float Conv's epilogue
    CHECK(planned(m, "Conv") == (hi == 6.0f ? 0u : 1u));
    check_against_unfused(t, y_scale);
  }
}
