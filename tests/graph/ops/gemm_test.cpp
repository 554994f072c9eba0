// Graph-door tests of the gemm-family operators (include/inlay/graph/ops/gemm.hpp) beyond the
// official node tests: Einsum's malformed equations and a contraction against a direct loop.
#include <cmath>
#include <string>
#include <vector>

#include "graph/tiny_model.hpp"
#include "onnx/onnx_test_util.hpp"
#include "graph/ops/op_test_helpers.hpp"

using namespace inlay_test;
using inlay::ErrorKind;

namespace {

std::string load_error(const std::string& bytes, ErrorKind kind) {
  return error_of([&] { inlay::Model::from_bytes(bytes.data(), bytes.size()); }, kind);
}

}  // namespace

TEST_CASE("Einsum refuses malformed equations and computes a contraction", "[graph/ops/gemm]") {
  using Catch::Matchers::Contains;
  auto einsum = [](const std::string& eq, std::size_t inputs) {
    TinyModel m;
    m.input("a", {2, 3}).input("b", {3, 4});
    std::vector<std::string> names{"a", "b"};
    names.resize(inputs);
    m.node("Einsum", names, {"y"}, {attr_string("equation", eq)}).output("y");
    return m.bytes();
  };
  CHECK_THAT(load_error(einsum("ij,jk->ik", 1), ErrorKind::invalid_model), Contains("2 operands"));
  CHECK_THAT(load_error(einsum("i$,jk", 2), ErrorKind::invalid_model), Contains("not a letter"));
  auto a = random_floats(6, 81), b = random_floats(12, 82);
  const auto y = run_model(einsum("ij,jk->ki", 2), {f32_view(a, {2, 3}), f32_view(b, {3, 4})});
  REQUIRE(y[0].shape() == inlay::Shape({4, 2}));
  std::vector<float> want(8);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        want[static_cast<std::size_t>(k * 2 + i)] +=
            a[static_cast<std::size_t>(i * 3 + j)] * b[static_cast<std::size_t>(j * 4 + k)];
  check_close(y[0], want);
  CHECK_THAT(error_of(
                 [&] {
                   run_model(einsum("ij,ik->jk", 2), {f32_view(a, {2, 3}), f32_view(b, {3, 4})});
                 },
                 ErrorKind::shape_mismatch),
             Contains("sizes 2 and 3"));
}
