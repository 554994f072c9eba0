// Graph-door tests of the pooling operators (include/inlay/graph/ops/pool.hpp) beyond the official
// node tests: the errors on bad attributes and on inputs of the wrong rank.
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

TEST_CASE("Pools refuse bad attributes and input shapes", "[graph/ops/pool]") {
  using Catch::Matchers::Contains;
  TinyModel p;
  p.input("x", {1, 1, 4, 4}).node("MaxPool", {"x"}, {"y"}).output("y");
  CHECK_THAT(load_error(p.bytes(), ErrorKind::invalid_model), Contains("kernel_shape"));
  TinyModel q;
  q.input("x", {1, 1, 4, 4})
      .node("MaxPool", {"x"}, {"y"},
            {attr_ints("kernel_shape", {2, 2}), attr_int("storage_order", 2)})
      .output("y");
  CHECK_THAT(load_error(q.bytes(), ErrorKind::invalid_model), Contains("storage_order 2"));
  TinyModel k;
  k.input("x", {1, 1, 4})
      .node("AveragePool", {"x"}, {"y"}, {attr_ints("kernel_shape", {2, 2})})
      .output("y");
  CHECK_THAT(run_error(k.bytes(), {1, 1, 4}, ErrorKind::shape_mismatch), Contains("spatial"));
}
