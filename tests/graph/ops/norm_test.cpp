// Graph-door tests of the normalization operators (include/inlay/graph/ops/norm.hpp) beyond the
// official node tests: GroupNormalization against its definition, and the errors on bad
// attributes and parameters of BatchNormalization, LayerNormalization and GroupNormalization.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

TEST_CASE("GroupNormalization normalizes each group of channels", "[graph/ops/norm]") {
  OpTester m;
  m.opset(18);
  auto x = random_floats(2 * 4 * 3, 71, -3.0f, 3.0f);
  const std::vector<float> scale{1.5f, -0.5f}, bias{0.25f, 2.0f};
  m.input("x", DType::f32, {2, 4, 3})
      .init("scale", {2}, scale)
      .init("bias", {2}, bias)
      .node("GroupNormalization", {"x", "scale", "bias"}, {"y"},
            {attr_int("num_groups", 2), attr_float("epsilon", 1e-3f)})
      .output("y");
  std::vector<float> want(x.size());
  for (std::size_t n = 0; n < 2; ++n) {
    for (std::size_t g = 0; g < 2; ++g) {
      const std::size_t base = (n * 4 + g * 2) * 3;
      double mean = 0, var = 0;
      for (std::size_t i = 0; i < 6; ++i) mean += x[base + i] / 6.0;
      for (std::size_t i = 0; i < 6; ++i) var += (x[base + i] - mean) * (x[base + i] - mean) / 6.0;
      for (std::size_t i = 0; i < 6; ++i) {
        want[base + i] =
            static_cast<float>((x[base + i] - mean) / std::sqrt(var + 1e-3) * scale[g] + bias[g]);
      }
    }
  }
  m.check({f32_view(x, {2, 4, 3})}, {make_tensor<float>({2, 4, 3}, want)}, {});
}

TEST_CASE("Norms refuse bad attributes and parameters", "[graph/ops/norm]") {
  auto bn = [](std::int64_t mean_len, std::int64_t training) {
    OpTester m;
    m.opset(15);
    m.input("x", DType::f32, {2, 3, 4})
        .init("s", {3}, {1, 1, 1})
        .init("b", {3}, {0, 0, 0})
        .init("mean", {mean_len}, std::vector<float>(static_cast<std::size_t>(mean_len), 0.0f))
        .init("var", {3}, {1, 1, 1})
        .node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"},
              {attr_int("training_mode", training)})
        .output("y");
    return m;
  };
  bn(3, 1).expect_load_error(ErrorKind::unsupported_op, "training_mode");
  bn(2, 0).expect_run_error(ErrorKind::shape_mismatch, "input_mean [2]");

  OpTester ln;
  ln.input("x", DType::f32, {2, 4})
      .init("s", {3}, {1, 1, 1})
      .node("LayerNormalization", {"x", "s"}, {"y"})
      .output("y");
  ln.expect_run_error(ErrorKind::shape_mismatch, "do not broadcast");
  OpTester le;
  le.input("x", DType::f32, {2, 4})
      .init("s", {4}, {1, 1, 1, 1})
      .node("LayerNormalization", {"x", "s"}, {"y"}, {attr_float("epsilon", -1.0f)})
      .output("y");
  le.expect_load_error(ErrorKind::invalid_model, "epsilon");
  OpTester gn;
  gn.opset(18);
  gn.input("x", DType::f32, {1, 4, 2})
      .init("s", {3}, {1, 1, 1})
      .init("b", {3}, {0, 0, 0})
      .node("GroupNormalization", {"x", "s", "b"}, {"y"}, {attr_int("num_groups", 3)})
      .output("y");
  gn.expect_run_error(ErrorKind::shape_mismatch, "does not divide");
}
