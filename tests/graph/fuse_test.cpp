// The fusions at load (graph/impl/fuse.hpp): each fused graph gives the outputs of the graph run
// node by node (ModelOptions{optimize = false}) and plans fewer nodes; a value that another node
// or the caller reads is never fused away.
#include <memory>
#include <string>
#include <vector>

#include "graph/fuse_compare.hpp"

using namespace inlay_test;
using inlay::DType;

namespace {

// Runs the model both ways on `x` (on every CPU target) and checks that the outputs agree.
FusedAndPlain compare(const OpTester& m, const std::vector<std::int64_t>& x_dims,
                      std::uint32_t seed = 7) {
  const inlay::Shape shape(x_dims.data(), x_dims.size());
  std::vector<float> x = values(static_cast<std::size_t>(shape.numel()), seed, -2.0f, 2.0f);
  return run_fused_and_plain(m, {inlay::Tensor::view(x.data(), shape)}, 1e-5f, 1e-4f);
}

}  // namespace

TEST_CASE("Conv + BatchNormalization + Relu fold into one conv", "[graph/fuse]") {
  OpTester m;
  m.input("x", DType::f32, {1, 3, 6, 6})
      .init("w", {4, 3, 3, 3}, values(108, 1))
      .init("b", {4}, values(4, 2))
      .init("scale", {4}, values(4, 3, 0.5f, 1.5f))
      .init("beta", {4}, values(4, 4))
      .init("mean", {4}, values(4, 5))
      .init("var", {4}, values(4, 6, 0.1f, 2.0f))
      .node("Conv", {"x", "w", "b"}, {"c"}, {attr_ints("pads", {1, 1, 1, 1})})
      .node("BatchNormalization", {"c", "scale", "beta", "mean", "var"}, {"n"},
            {attr_float("epsilon", 1e-3f)})
      .node("Relu", {"n"}, {"y"})
      .output("y");
  const FusedAndPlain c = compare(m, {1, 3, 6, 6});
  CHECK(c.plain_nodes == 3);
  CHECK(c.fused_nodes == 1);
}

TEST_CASE("Conv without bias + Add of a per-channel constant + Relu fuse", "[graph/fuse]") {
  OpTester m;
  m.input("x", DType::f32, {2, 4, 5, 5})
      .init("w", {4, 1, 3, 3}, values(36, 11))  // depthwise
      .init("bias", {1, 4, 1, 1}, values(4, 12))
      .node("Conv", {"x", "w"}, {"c"},
            {attr_int("group", 4), attr_string("auto_pad", "SAME_UPPER")})
      .node("Add", {"bias", "c"}, {"a"})
      .node("Relu", {"a"}, {"y"})
      .output("y");
  const FusedAndPlain c = compare(m, {2, 4, 5, 5});
  CHECK(c.plain_nodes == 3);
  CHECK(c.fused_nodes == 1);
}

TEST_CASE("Clip with constant bounds (ReLU6) fuses, as inputs (opset 13) or attributes (opset 6)",
          "[graph/fuse]") {
  OpTester m;
  m.opset(13);
  m.input("x", DType::f32, {1, 3, 5, 5})
      .init("w", {6, 3, 1, 1}, values(18, 13))
      .init("b", {6}, values(6, 14))
      .init("lo", {}, {0.0f})
      .init("hi", {}, {0.5f})
      .node("Conv", {"x", "w", "b"}, {"c"})
      .node("Clip", {"c", "lo", "hi"}, {"y"})
      .output("y");
  FusedAndPlain c = compare(m, {1, 3, 5, 5});
  CHECK(c.plain_nodes == 2);
  CHECK(c.fused_nodes == 1);

  OpTester old;
  old.opset(6);
  old.input("x", DType::f32, {1, 3, 5, 5})
      .init("w", {6, 3, 1, 1}, values(18, 15))
      .node("Conv", {"x", "w"}, {"c"})
      .node("Clip", {"c"}, {"y"}, {attr_float("min", -0.25f), attr_float("max", 6.0f)})
      .output("y");
  c = compare(old, {1, 3, 5, 5});
  CHECK(c.fused_nodes == 1);

  // A bound computed at run time keeps the Clip.
  OpTester dyn;
  dyn.opset(13);
  dyn.input("x", DType::f32, {1, 3, 5, 5})
      .input("hi", DType::f32, {})
      .init("w", {6, 3, 1, 1}, values(18, 16))
      .node("Conv", {"x", "w"}, {"c"})
      .node("Clip", {"c", "", "hi"}, {"y"})
      .output("y");
  CHECK(dyn.load().summary().nodes_planned == 2);
}

TEST_CASE("Gemm + bias Add + LeakyRelu and MatMul + Add + Sigmoid fuse", "[graph/fuse]") {
  OpTester m;
  m.input("x", DType::f32, {3, 8})
      .init("w", {5, 8}, values(40, 21))
      .init("c", {5}, values(5, 22))
      .init("bias", {1, 5}, values(5, 23))
      .init("w2", {5, 6}, values(30, 24))
      .init("bias2", {6}, values(6, 25))
      .node("Gemm", {"x", "w", "c"}, {"g"}, {attr_int("transB", 1), attr_float("beta", 0.5f)})
      .node("Add", {"g", "bias"}, {"a"})
      .node("LeakyRelu", {"a"}, {"l"}, {attr_float("alpha", 0.2f)})
      .node("MatMul", {"l", "w2"}, {"mm"})
      .node("Add", {"mm", "bias2"}, {"a2"})
      .node("Sigmoid", {"a2"}, {"y"})
      .output("y");
  const FusedAndPlain c = compare(m, {3, 8});
  CHECK(c.plain_nodes == 6);
  CHECK(c.fused_nodes == 2);
}

TEST_CASE("MatMul of a 3-D input + bias + Tanh fuses; ConvTranspose + HardSigmoid fuses",
          "[graph/fuse]") {
  OpTester m;
  m.input("x", DType::f32, {2, 3, 4})
      .init("w", {4, 6}, values(24, 31))
      .init("bias", {6}, values(6, 32))
      .node("MatMul", {"x", "w"}, {"mm"})
      .node("Add", {"mm", "bias"}, {"a"})
      .node("Tanh", {"a"}, {"y"})
      .output("y");
  FusedAndPlain c = compare(m, {2, 3, 4});
  CHECK(c.fused_nodes == 1);

  OpTester t;
  t.input("x", DType::f32, {1, 2, 3, 3})
      .init("w", {2, 3, 2, 2}, values(24, 33))
      .node("ConvTranspose", {"x", "w"}, {"ct"}, {attr_ints("strides", {2, 2})})
      .node("HardSigmoid", {"ct"}, {"y"}, {attr_float("alpha", 0.3f)})
      .output("y");
  c = compare(t, {1, 2, 3, 3});
  CHECK(c.plain_nodes == 2);
  CHECK(c.fused_nodes == 1);
}

TEST_CASE("A value read by two nodes or by the caller is not fused away", "[graph/fuse]") {
  // The conv output is also a graph output: Relu stays.
  OpTester a;
  a.input("x", DType::f32, {1, 1, 4, 4})
      .init("w", {2, 1, 3, 3}, values(18, 41))
      .node("Conv", {"x", "w"}, {"c"})
      .node("Relu", {"c"}, {"y"})
      .output("y")
      .output("c");
  FusedAndPlain c = compare(a, {1, 1, 4, 4});
  CHECK(c.fused_nodes == 2);

  // The MatMul output feeds Add and Mul: the Add stays.
  OpTester b;
  b.input("x", DType::f32, {2, 3})
      .init("w", {3, 3}, values(9, 42))
      .init("bias", {3}, values(3, 43))
      .node("MatMul", {"x", "w"}, {"mm"})
      .node("Add", {"mm", "bias"}, {"a"})
      .node("Mul", {"mm", "a"}, {"y"})
      .output("y");
  c = compare(b, {2, 3});
  CHECK(c.fused_nodes == 3);

  // A bias that is not per channel (it varies along the width) stays an Add.
  OpTester d;
  d.input("x", DType::f32, {1, 2, 3, 3})
      .init("w", {2, 2, 1, 1}, values(4, 44))
      .init("bias", {3}, values(3, 45))
      .node("Conv", {"x", "w"}, {"c"})
      .node("Add", {"c", "bias"}, {"y"})
      .output("y");
  c = compare(d, {1, 2, 3, 3});
  CHECK(c.fused_nodes == 2);
}

TEST_CASE("Conv 1x1 + Clip -> depthwise Conv + Clip -> Conv 1x1 becomes one InvertedBottleneck",
          "[graph/fuse]") {
  // MobileNetV2's block (with its residual Add, which stays a node of its own), on a plane large
  // enough for several bands of rows.
  const auto block = [](std::int64_t n, std::int64_t c, std::int64_t e, std::int64_t h,
                        std::int64_t w, std::int64_t stride, bool residual) {
    OpTester m;
    m.opset(13);
    m.input("x", DType::f32, {n, c, h, w})
        .init("we", {e, c, 1, 1}, values(static_cast<std::size_t>(e * c), 51))
        .init("be", {e}, values(static_cast<std::size_t>(e), 52))
        .init("wd", {e, 1, 3, 3}, values(static_cast<std::size_t>(e * 9), 53))
        .init("bd", {e}, values(static_cast<std::size_t>(e), 54))
        .init("wp", {c, e, 1, 1}, values(static_cast<std::size_t>(c * e), 55))
        .init("bp", {c}, values(static_cast<std::size_t>(c), 56))
        .init("lo", {}, {0.0f})
        .init("hi", {}, {6.0f})
        .node("Conv", {"x", "we", "be"}, {"e"}, {attr_ints("kernel_shape", {1, 1})})
        .node("Clip", {"e", "lo", "hi"}, {"ea"})
        .node("Conv", {"ea", "wd", "bd"}, {"d"},
              {attr_int("group", e), attr_ints("pads", {1, 1, 1, 1}),
               attr_ints("strides", {stride, stride})})
        .node("Clip", {"d", "lo", "hi"}, {"da"})
        .node("Conv", {"da", "wp", "bp"}, {residual ? "p" : "y"});
    if (residual) m.node("Add", {"x", "p"}, {"y"});
    m.output("y");
    return m;
  };
  FusedAndPlain c = compare(block(1, 16, 96, 40, 120, 1, true), {1, 16, 40, 120});
  CHECK(c.plain_nodes == 6);
  CHECK(c.fused_nodes == 2);
  c = compare(block(1, 8, 48, 23, 64, 2, false), {1, 8, 23, 64});
  CHECK(c.plain_nodes == 5);
  CHECK(c.fused_nodes == 1);
  c = compare(block(2, 4, 8, 5, 6, 1, false), {2, 4, 5, 6});  // two images, layer by layer
  CHECK(c.fused_nodes == 1);
  // A small plane runs layer by layer with both 1x1 layers on packed weights (16 -> 64 -> 16
  // channels, 196 pixels).
  c = compare(block(1, 16, 64, 14, 14, 1, true), {1, 16, 14, 14});
  CHECK(c.fused_nodes == 2);
}

TEST_CASE("An inverted bottleneck whose inner values are read elsewhere is not fused",
          "[graph/fuse]") {
  OpTester m;
  m.input("x", DType::f32, {1, 4, 6, 6})
      .init("we", {8, 4, 1, 1}, values(32, 61))
      .init("wd", {8, 1, 3, 3}, values(72, 62))
      .init("wp", {4, 8, 1, 1}, values(32, 63))
      .node("Conv", {"x", "we"}, {"e"})
      .node("Relu", {"e"}, {"ea"})
      .node("Conv", {"ea", "wd"}, {"d"}, {attr_int("group", 8), attr_ints("pads", {1, 1, 1, 1})})
      .node("Conv", {"d", "wp"}, {"y"})
      .output("y")
      .output("d");  // the depthwise result is an output: Conv + Relu, Conv, Conv stay
  FusedAndPlain c = compare(m, {1, 4, 6, 6});
  CHECK(c.plain_nodes == 4);
  CHECK(c.fused_nodes == 3);

  // A dilated depthwise layer is not fused (the banded kernel runs dilation 1 only).
  OpTester dil;
  dil.input("x", DType::f32, {1, 4, 9, 9})
      .init("we", {8, 4, 1, 1}, values(32, 64))
      .init("wd", {8, 1, 3, 3}, values(72, 65))
      .init("wp", {4, 8, 1, 1}, values(32, 66))
      .node("Conv", {"x", "we"}, {"e"})
      .node("Conv", {"e", "wd"}, {"d"},
            {attr_int("group", 8), attr_ints("pads", {2, 2, 2, 2}), attr_ints("dilations", {2, 2})})
      .node("Conv", {"d", "wp"}, {"y"})
      .output("y");
  c = compare(dil, {1, 4, 9, 9});
  CHECK(c.fused_nodes == 3);
}

namespace {
// A host "Relu" that writes x + 100, so that its output tells whether it ran.
class PlusHundred final : public inlay::OpKernel {
 public:
  void run(inlay::OpContext& ctx) const override {
    const inlay::Tensor& x = ctx.input(0);
    inlay::Tensor& y = ctx.output(0, DType::f32, x.shape());
    for (std::int64_t i = 0; i < x.numel(); ++i) y.data<float>()[i] = x.data<float>()[i] + 100.0f;
  }
};
}  // namespace

TEST_CASE("A node the host's custom ops serve is not fused away (unless fuse_custom_ops)",
          "[graph/fuse]") {
  OpTester m;
  m.input("x", DType::f32, {1, 2, 4, 4})
      .init("w", {3, 2, 3, 3}, values(54, 41))
      .node("Conv", {"x", "w"}, {"c"}, {attr_ints("pads", {1, 1, 1, 1})})
      .node("Relu", {"c"}, {"y"})
      .output("y");
  inlay::OpSet host;
  host.add("", "Relu", 1, [](const inlay::OpInfo&) {
    return std::unique_ptr<inlay::OpKernel>(new PlusHundred());
  });
  std::vector<float> x = values(32, 42);
  const inlay::Tensor xt = inlay::Tensor::view(x.data(), {1, 2, 4, 4});

  // The expected output: the same model with Relu served by the host, run node by node.
  inlay::ModelOptions plain;
  plain.optimize = false;
  plain.custom_ops = &host;
  const inlay::Tensor expected = inlay::Session(m.load(plain)).run({xt})[0];

  inlay::ModelOptions served;
  served.custom_ops = &host;
  inlay::Model model = m.load(served);
  CHECK(model.summary().nodes_planned == 2);
  const inlay::Tensor got = inlay::Session(model).run({xt})[0];
  REQUIRE(got.numel() == expected.numel());
  bool negative_seen = false;
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    INFO("element " << i);
    CHECK(std::fabs(got.data<float>()[i] - expected.data<float>()[i]) <= 1e-4f);
    negative_seen |= expected.data<float>()[i] < 100.0f;  // a conv output below 0 passed as is
  }
  CHECK(negative_seen);

  // With fuse_custom_ops the Relu becomes the conv's epilogue (what a wrapper of inlay's own
  // kernels wants): one node, and the host's kernel no longer runs.
  served.fuse_custom_ops = true;
  inlay::Model fused = m.load(served);
  CHECK(fused.summary().nodes_planned == 1);
  const inlay::Tensor relu = inlay::Session(fused).run({xt})[0];
  for (std::int64_t i = 0; i < relu.numel(); ++i) {
    CHECK(relu.data<float>()[i] >= 0.0f);
    CHECK(relu.data<float>()[i] < 100.0f);
  }
}
