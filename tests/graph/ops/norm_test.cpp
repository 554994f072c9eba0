// Graph-door tests of the normalization operators (include/inlay/graph/ops/norm.hpp) beyond the
// official node tests: GroupNormalization against its definition, BatchNormalization's
// training_mode against the batch statistics computed here, and the errors on bad
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

TEST_CASE("BatchNormalization training_mode normalizes with the batch statistics",
          "[graph/ops/norm]") {
  // X [2, 2, 3]: channel 0 holds 1, 2, 3, 4, 5, 6 (mean 3.5, population variance 35/12),
  // channel 1 holds 10 six times (mean 10, variance 0).
  std::vector<float> x{1, 2, 3, 10, 10, 10, 4, 5, 6, 10, 10, 10};
  const std::vector<float> scale{2.0f, 1.0f}, bias{0.5f, -1.0f}, mean{1.0f, 2.0f}, var{4.0f, 8.0f};
  const float eps = 0.01f, momentum = 0.75f;
  OpTester m;
  m.opset(15);
  m.input("x", DType::f32, {2, 2, 3})
      .init("s", {2}, scale)
      .init("b", {2}, bias)
      .init("mean", {2}, mean)
      .init("var", {2}, var)
      .node("BatchNormalization", {"x", "s", "b", "mean", "var"},
            {"y", "running_mean", "running_var"},
            {attr_int("training_mode", 1), attr_float("epsilon", eps),
             attr_float("momentum", momentum)})
      .output("y")
      .output("running_mean")
      .output("running_var");
  const double var0 = 35.0 / 12;
  std::vector<float> want(12);
  for (std::size_t n = 0; n < 2; ++n) {
    for (std::size_t i = 0; i < 3; ++i) {
      const double x0 = x[n * 6 + i];
      want[n * 6 + i] = static_cast<float>(2.0 * (x0 - 3.5) / std::sqrt(var0 + eps) + 0.5);
      want[n * 6 + 3 + i] = -1.0f;  // x - mean = 0: the bias alone
    }
  }
  // running = input * momentum + batch * (1 - momentum)
  const std::vector<float> running_mean{static_cast<float>(1.0 * 0.75 + 3.5 * 0.25),
                                        static_cast<float>(2.0 * 0.75 + 10.0 * 0.25)};
  const std::vector<float> running_var{static_cast<float>(4.0 * 0.75 + var0 * 0.25),
                                       static_cast<float>(8.0 * 0.75 + 0.0 * 0.25)};
  m.check({f32_view(x, {2, 2, 3})},
          {make_tensor<float>({2, 2, 3}, want), make_tensor<float>({2}, running_mean),
           make_tensor<float>({2}, running_var)},
          {});

  // Only Y asked for: the running statistics are not needed; momentum defaults to 0.9.
  OpTester y_only;
  y_only.opset(15);
  auto r = random_floats(2 * 3 * 4, 5, -2.0f, 2.0f);
  y_only.input("x", DType::f32, {2, 3, 4})
      .init("s", {3}, {1, 1, 1})
      .init("b", {3}, {0, 0, 0})
      .init("mean", {3}, {0, 0, 0})
      .init("var", {3}, {1, 1, 1})
      .node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"},
            {attr_int("training_mode", 1)})
      .output("y");
  std::vector<float> normalized(r.size());
  for (std::size_t c = 0; c < 3; ++c) {
    double mu = 0, sigma2 = 0;
    for (std::size_t n = 0; n < 2; ++n)
      for (std::size_t i = 0; i < 4; ++i) mu += r[(n * 3 + c) * 4 + i] / 8.0;
    for (std::size_t n = 0; n < 2; ++n)
      for (std::size_t i = 0; i < 4; ++i) {
        const double d = r[(n * 3 + c) * 4 + i] - mu;
        sigma2 += d * d / 8.0;
      }
    for (std::size_t n = 0; n < 2; ++n)
      for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t k = (n * 3 + c) * 4 + i;
        normalized[k] = static_cast<float>((r[k] - mu) / std::sqrt(sigma2 + 1e-5));
      }
  }
  y_only.check({f32_view(r, {2, 3, 4})}, {make_tensor<float>({2, 3, 4}, normalized)}, {});
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
  bn(3, 2).expect_load_error(ErrorKind::invalid_model, "training_mode must be 0 or 1, got 2");
  // training_mode 1 with an empty batch has no statistics.
  OpTester empty;
  empty.opset(15);
  empty.input("x", DType::f32, {0, 2})
      .init("s", {2}, {1, 1})
      .init("b", {2}, {0, 0})
      .init("mean", {2}, {0, 0})
      .init("var", {2}, {1, 1})
      .node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"},
            {attr_int("training_mode", 1)})
      .output("y");
  empty.expect_run_error(ErrorKind::shape_mismatch, "training_mode 1 needs a non-empty X");
  // Before opset 14 there is no training_mode.
  OpTester old = bn(3, 1);
  old.opset(9);
  old.expect_load_error(ErrorKind::invalid_model, "training_mode exists from opset 14 on");
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
