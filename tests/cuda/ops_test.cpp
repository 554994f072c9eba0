// Each op with a CUDA kernel, run on the CPU and on the GPU: the same outputs (within float
// tolerance), twice (the second run reuses the device buffers), and the node placed on the GPU.
#include <cstdint>
#include <string>
#include <vector>

#include "catch.hpp"
#include "graph/op_tester.hpp"

namespace {

using inlay::Shape;
using inlay::Tensor;
using inlay_test::OpTester;

Tensor random_tensor(const Shape& shape, std::uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  return inlay_test::make_tensor<float>(
      shape, inlay_test::random_floats(static_cast<std::size_t>(shape.numel()), seed, lo, hi));
}

// Runs the tester's model on both sides and compares; `on_gpu` nodes of the model must run on
// the GPU (all of them by default).
void gpu_matches_cpu(const OpTester& t, double tol = 1e-4, int on_gpu = -1) {
  const inlay::Model model = t.load();
  inlay::Session cpu(model);
  inlay::SessionOptions options;
  options.device = "cuda:0";
  inlay::Session gpu(model, options);
  const std::vector<Tensor> feeds = t.feeds();
  const std::vector<Tensor> want = cpu.run(feeds);
  const std::string placement = gpu.placement();
  INFO("placement:\n" << placement);
  for (int round = 0; round < 2; ++round) {
    const std::vector<Tensor> got = gpu.run(feeds);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      inlay_test::outputs_match(got[i], want[i], tol, tol,
                                "output " + std::to_string(i) + ", run " + std::to_string(round));
    }
  }
  std::size_t lines = 0, gpu_lines = 0;
  for (std::size_t at = 0; (at = placement.find('\n', at)) != std::string::npos; ++at) ++lines;
  for (std::size_t at = 0; (at = placement.find("cuda:0 ", at)) != std::string::npos; ++at) {
    ++gpu_lines;
  }
  CHECK(gpu_lines == (on_gpu < 0 ? lines : static_cast<std::size_t>(on_gpu)));
}

}  // namespace

TEST_CASE("cuda: unary element-wise ops", "[cuda/ops]") {
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "HardSigmoid", "HardSwish",
                         "Softplus", "Exp", "Erf", "Abs", "Neg"}) {
    INFO(op);
    gpu_matches_cpu(OpTester(op).in(random_tensor(Shape{3, 5, 7}, 1, -3.0f, 3.0f)));
  }
  gpu_matches_cpu(OpTester("Sqrt").in(random_tensor(Shape{40}, 2, 0.1f, 4.0f)));
  gpu_matches_cpu(OpTester("Log").in(random_tensor(Shape{40}, 3, 0.1f, 4.0f)));
  gpu_matches_cpu(OpTester("Gelu", 20).in(random_tensor(Shape{2, 33}, 4, -3.0f, 3.0f)));
  gpu_matches_cpu(OpTester("Gelu", 20)
                      .in(random_tensor(Shape{2, 33}, 5, -3.0f, 3.0f))
                      .attr("approximate", std::string("tanh")));
  gpu_matches_cpu(OpTester("Clip")
                      .in(random_tensor(Shape{4, 9}, 6, -8.0f, 8.0f))
                      .constant(inlay_test::scalar_f32(0.0f))
                      .constant(inlay_test::scalar_f32(6.0f)));
}

TEST_CASE("cuda: binary element-wise ops broadcast", "[cuda/ops]") {
  const Shape shapes[][2] = {{Shape{2, 3, 4}, Shape{2, 3, 4}},
                             {Shape{2, 3, 4}, Shape{4}},
                             {Shape{2, 1, 4}, Shape{3, 1}},
                             {Shape{1}, Shape{5, 2}},
                             {Shape{2, 3, 1, 5}, Shape{1, 3, 4, 1}}};
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min"}) {
    for (const auto& s : shapes) {
      INFO(op << " " << s[0].to_string() << " " << s[1].to_string());
      gpu_matches_cpu(
          OpTester(op).in(random_tensor(s[0], 7)).in(random_tensor(s[1], 8, 0.5f, 2.0f)));
    }
  }
  gpu_matches_cpu(OpTester("Pow")
                      .in(random_tensor(Shape{3, 4}, 9, 0.5f, 2.0f))
                      .in(random_tensor(Shape{4}, 10, -2.0f, 2.0f)));
}

TEST_CASE("cuda: MatMul and Gemm", "[cuda/ops]") {
  gpu_matches_cpu(OpTester("MatMul")
                      .in(random_tensor(Shape{5, 7}, 11))
                      .constant(random_tensor(Shape{7, 3}, 12)));
  gpu_matches_cpu(OpTester("MatMul")
                      .in(random_tensor(Shape{2, 4, 5, 7}, 13))
                      .in(random_tensor(Shape{7, 6}, 14)));
  gpu_matches_cpu(OpTester("MatMul")
                      .in(random_tensor(Shape{2, 5, 7}, 15))
                      .in(random_tensor(Shape{2, 7, 6}, 16)));
  gpu_matches_cpu(
      OpTester("MatMul").in(random_tensor(Shape{5, 7}, 17)).in(random_tensor(Shape{3, 7, 6}, 18)));
  gpu_matches_cpu(
      OpTester("MatMul").in(random_tensor(Shape{7}, 19)).in(random_tensor(Shape{7, 6}, 20)));
  gpu_matches_cpu(
      OpTester("MatMul").in(random_tensor(Shape{3, 7}, 21)).in(random_tensor(Shape{7}, 22)));
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      INFO("transA " << ta << " transB " << tb);
      gpu_matches_cpu(OpTester("Gemm")
                          .in(random_tensor(ta ? Shape{7, 5} : Shape{5, 7}, 23))
                          .constant(random_tensor(tb ? Shape{4, 7} : Shape{7, 4}, 24))
                          .constant(random_tensor(Shape{4}, 25))
                          .attr("transA", std::int64_t{ta})
                          .attr("transB", std::int64_t{tb})
                          .attr("alpha", 0.5f)
                          .attr("beta", 2.0f));
    }
  }
  gpu_matches_cpu(
      OpTester("Gemm").in(random_tensor(Shape{3, 6}, 26)).in(random_tensor(Shape{6, 2}, 27)));
}

TEST_CASE("cuda: Conv", "[cuda/ops]") {
  struct Case {
    Shape x, w;
    std::int64_t group, stride, pad, dilation;
  };
  const Case cases[] = {{Shape{2, 3, 9, 9}, Shape{4, 3, 3, 3}, 1, 1, 1, 1},
                        {Shape{1, 3, 10, 8}, Shape{5, 3, 3, 3}, 1, 2, 1, 1},
                        {Shape{2, 4, 7, 7}, Shape{6, 2, 3, 3}, 2, 1, 0, 1},
                        {Shape{2, 6, 8, 8}, Shape{6, 1, 3, 3}, 6, 1, 1, 1},
                        {Shape{3, 8, 5, 5}, Shape{4, 8, 1, 1}, 1, 1, 0, 1},
                        {Shape{1, 2, 11, 11}, Shape{3, 2, 3, 3}, 1, 1, 2, 2},
                        {Shape{1, 3, 16, 16}, Shape{8, 3, 7, 7}, 1, 2, 3, 1}};
  for (const Case& c : cases) {
    INFO("x " << c.x.to_string() << " w " << c.w.to_string() << " group " << c.group);
    const auto pads = std::vector<std::int64_t>(4, c.pad);
    gpu_matches_cpu(OpTester("Conv")
                        .in(random_tensor(c.x, 28))
                        .constant(random_tensor(c.w, 29))
                        .constant(random_tensor(Shape{c.w[0]}, 30))
                        .attr("group", c.group)
                        .attr("strides", {c.stride, c.stride})
                        .attr("dilations", {c.dilation, c.dilation})
                        .attr("pads", pads),
                    1e-3);
  }
  gpu_matches_cpu(OpTester("Conv")
                      .in(random_tensor(Shape{1, 2, 7, 6}, 31))
                      .constant(random_tensor(Shape{3, 2, 2, 3}, 32))
                      .attr("auto_pad", std::string("SAME_UPPER")),
                  1e-3);
}

TEST_CASE("cuda: pooling", "[cuda/ops]") {
  const Tensor x = random_tensor(Shape{2, 3, 9, 8}, 33);
  gpu_matches_cpu(OpTester("MaxPool")
                      .in(x)
                      .attr("kernel_shape", {3, 3})
                      .attr("strides", {2, 2})
                      .attr("pads", {1, 1, 1, 1}));
  gpu_matches_cpu(OpTester("MaxPool")
                      .in(x)
                      .attr("kernel_shape", {2, 2})
                      .attr("strides", {2, 2})
                      .attr("ceil_mode", std::int64_t{1}));
  gpu_matches_cpu(
      OpTester("AveragePool").in(x).attr("kernel_shape", {3, 3}).attr("pads", {1, 1, 1, 1}));
  gpu_matches_cpu(OpTester("AveragePool")
                      .in(x)
                      .attr("kernel_shape", {3, 3})
                      .attr("pads", {1, 1, 1, 1})
                      .attr("count_include_pad", std::int64_t{1}));
  gpu_matches_cpu(OpTester("GlobalAveragePool").in(x));
}

TEST_CASE("cuda: normalizations and softmax", "[cuda/ops]") {
  gpu_matches_cpu(OpTester("BatchNormalization")
                      .in(random_tensor(Shape{2, 3, 4, 5}, 34))
                      .constant(random_tensor(Shape{3}, 35))
                      .constant(random_tensor(Shape{3}, 36))
                      .constant(random_tensor(Shape{3}, 37))
                      .constant(random_tensor(Shape{3}, 38, 0.5f, 2.0f)));
  gpu_matches_cpu(OpTester("LayerNormalization")
                      .in(random_tensor(Shape{2, 5, 48}, 39))
                      .constant(random_tensor(Shape{48}, 40))
                      .constant(random_tensor(Shape{48}, 41)));
  for (std::int64_t axis : {-1, 0, 1}) {
    INFO("axis " << axis);
    gpu_matches_cpu(
        OpTester("Softmax").in(random_tensor(Shape{3, 4, 5}, 42, -5.0f, 5.0f)).attr("axis", axis));
    gpu_matches_cpu(OpTester("LogSoftmax")
                        .in(random_tensor(Shape{3, 4, 5}, 43, -5.0f, 5.0f))
                        .attr("axis", axis));
  }
  gpu_matches_cpu(
      OpTester("Softmax", 11).in(random_tensor(Shape{3, 4, 5}, 44)).attr("axis", std::int64_t{1}));
}

TEST_CASE("cuda: shape ops", "[cuda/ops]") {
  const Tensor x = random_tensor(Shape{2, 3, 4}, 45);
  gpu_matches_cpu(OpTester("Flatten").in(x).attr("axis", std::int64_t{2}));
  gpu_matches_cpu(OpTester("Reshape").in(x).constant(inlay_test::i64s({4, -1, 0})));
  gpu_matches_cpu(OpTester("Transpose").in(x).attr("perm", {2, 0, 1}));
  gpu_matches_cpu(OpTester("Transpose").in(x));
  gpu_matches_cpu(OpTester("Unsqueeze").in(x).constant(inlay_test::i64s({0, 4})));
  gpu_matches_cpu(
      OpTester("Squeeze").in(random_tensor(Shape{2, 1, 3}, 46)).constant(inlay_test::i64s({1})));
}

TEST_CASE("cuda: nodes without a CUDA kernel run on the CPU between GPU nodes", "[cuda/ops]") {
  // Relu (GPU) -> Floor (CPU) -> Add with the input (GPU): a copy each way and a graph input
  // read on both sides.
  OpTester t;
  t.input("x", inlay::DType::f32, {2, 5});
  t.node("Relu", {"x"}, {"r"});
  t.node("Floor", {"r"}, {"f"});
  t.node("Add", {"f", "x"}, {"y"});
  t.output("y", inlay::DType::f32);
  const inlay::Model model = t.load();
  inlay::SessionOptions options;
  options.device = "cuda:0";
  inlay::Session gpu(model, options);
  INFO(gpu.placement());
  CHECK(gpu.placement() == "cuda:0 Relu 'Relu_0'\ncpu Floor 'Floor_1'\ncuda:0 Add 'Add_2'\n");
  const Tensor x = inlay_test::make_tensor<float>(
      Shape{2, 5}, {-1.5f, 0.5f, 1.5f, 2.25f, -3.0f, 4.75f, 0.0f, 9.5f, -0.25f, 1.0f});
  std::vector<Tensor> out;
  for (int round = 0; round < 2; ++round) {
    gpu.run_into({x}, out);
    inlay_test::check_close(out[0],
                            {-1.5f, 0.5f, 2.5f, 4.25f, -3.0f, 8.75f, 0.0f, 18.5f, -0.25f, 2.0f});
  }
}

TEST_CASE("cuda: MobileNetV2's fused block (inlay:InvertedBottleneck)", "[cuda/ops]") {
  // Conv 1x1 -> Relu6 -> depthwise 3x3 stride 2 -> Relu6 -> Conv 1x1: one fused node at load.
  const auto values = [](std::size_t n, std::uint32_t seed) {
    return inlay_test::random_floats(n, seed, -0.5f, 0.5f);
  };
  OpTester t;
  t.input("x", inlay::DType::f32, {2, 4, 9, 9});
  t.init("we", {12, 4, 1, 1}, values(48, 50));
  t.init("be", {12}, values(12, 51));
  t.init("wd", {12, 1, 3, 3}, values(108, 52));
  t.init("bd", {12}, values(12, 53));
  t.init("wp", {5, 12, 1, 1}, values(60, 54));
  t.init("bp", {5}, values(5, 55));
  t.init("lo", {}, {0.0f});
  t.init("hi", {}, {6.0f});
  t.node("Conv", {"x", "we", "be"}, {"e"});
  t.node("Clip", {"e", "lo", "hi"}, {"e6"});
  t.node("Conv", {"e6", "wd", "bd"}, {"d"},
         {inlay_test::attr_int("group", 12), inlay_test::attr_ints("strides", {2, 2}),
          inlay_test::attr_ints("pads", {1, 1, 1, 1})});
  t.node("Clip", {"d", "lo", "hi"}, {"d6"});
  t.node("Conv", {"d6", "wp", "bp"}, {"y"});
  t.output("y", inlay::DType::f32);
  const inlay::Model model = t.load();
  inlay::SessionOptions options;
  options.device = "cuda:0";
  inlay::Session gpu(model, options);
  INFO(gpu.placement());
  CHECK(gpu.placement().find("cuda:0 InvertedBottleneck") != std::string::npos);
  std::vector<Tensor> feeds{random_tensor(Shape{2, 4, 9, 9}, 56)};
  const std::vector<Tensor> want = inlay::Session(model).run(feeds);
  for (int round = 0; round < 2; ++round) {
    inlay_test::outputs_match(gpu.run(feeds)[0], want[0], 1e-3, 1e-3, "y");
  }
}
