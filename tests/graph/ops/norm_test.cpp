// Graph-door tests of the normalization operators (include/inlay/graph/ops/norm.hpp) beyond the
// official node tests: GroupNormalization against its definition, and the errors on bad
// attributes and parameters of BatchNormalization, LayerNormalization and GroupNormalization.
#include <cmath>
#include <string>
#include <vector>

#include "graph/tiny_model.hpp"
#include "onnx/onnx_test_util.hpp"
#include "graph/ops/op_test_helpers.hpp"

using namespace inlay_test;
using inlay::ErrorKind;

namespace {

void run_on_zeros(const std::string& bytes, const std::vector<std::int64_t>& dims) {
  inlay::Shape s(dims.data(), dims.size());
  std::vector<float> x(static_cast<std::size_t>(s.numel()), 0.0f);
  run_model(bytes, {inlay::Tensor::view(x.data(), s)});
}

std::string load_error(const std::string& bytes, ErrorKind kind) {
  return error_of([&] { inlay::Model::from_bytes(bytes.data(), bytes.size()); }, kind);
}
std::string run_error(const std::string& bytes, const std::vector<std::int64_t>& dims,
                      ErrorKind kind) {
  return error_of([&] { run_on_zeros(bytes, dims); }, kind);
}

}  // namespace

TEST_CASE("GroupNormalization normalizes each group of channels", "[graph/ops/norm]") {
  TinyModel m;
  m.opset = 18;
  auto x = random_floats(2 * 4 * 3, 71, -3.0f, 3.0f);
  const std::vector<float> scale{1.5f, -0.5f}, bias{0.25f, 2.0f};
  m.input("x", {2, 4, 3})
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
  check_close(run_model(m.bytes(), {f32_view(x, {2, 4, 3})})[0], want);
}

TEST_CASE("Norms refuse bad attributes and parameters", "[graph/ops/norm]") {
  using Catch::Matchers::Contains;
  auto bn = [](std::int64_t mean_len, std::int64_t training) {
    TinyModel m;
    m.opset = 15;
    m.input("x", {2, 3, 4})
        .init("s", {3}, {1, 1, 1})
        .init("b", {3}, {0, 0, 0})
        .init("mean", {mean_len}, std::vector<float>(static_cast<std::size_t>(mean_len), 0.0f))
        .init("var", {3}, {1, 1, 1})
        .node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"},
              {attr_int("training_mode", training)})
        .output("y");
    return m.bytes();
  };
  CHECK_THAT(load_error(bn(3, 1), ErrorKind::unsupported_op), Contains("training_mode"));
  CHECK_THAT(run_error(bn(2, 0), {2, 3, 4}, ErrorKind::shape_mismatch), Contains("input_mean [2]"));

  TinyModel ln;
  ln.input("x", {2, 4})
      .init("s", {3}, {1, 1, 1})
      .node("LayerNormalization", {"x", "s"}, {"y"})
      .output("y");
  CHECK_THAT(run_error(ln.bytes(), {2, 4}, ErrorKind::shape_mismatch),
             Contains("do not broadcast"));
  TinyModel le;
  le.input("x", {2, 4})
      .init("s", {4}, {1, 1, 1, 1})
      .node("LayerNormalization", {"x", "s"}, {"y"}, {attr_float("epsilon", -1.0f)})
      .output("y");
  CHECK_THAT(load_error(le.bytes(), ErrorKind::invalid_model), Contains("epsilon"));
  TinyModel gn;
  gn.opset = 18;
  gn.input("x", {1, 4, 2})
      .init("s", {3}, {1, 1, 1})
      .init("b", {3}, {0, 0, 0})
      .node("GroupNormalization", {"x", "s", "b"}, {"y"}, {attr_int("num_groups", 3)})
      .output("y");
  CHECK_THAT(run_error(gn.bytes(), {1, 4, 2}, ErrorKind::shape_mismatch),
             Contains("does not divide"));
}
