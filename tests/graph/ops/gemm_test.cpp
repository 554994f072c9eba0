// Graph-door tests of the gemm-family operators (include/inlay/graph/ops/gemm.hpp) beyond the
// official node tests: Einsum's malformed equations and a contraction against a direct loop.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

TEST_CASE("Einsum refuses malformed equations and computes a contraction", "[graph/ops/gemm]") {
  auto einsum = [](const std::string& eq, std::size_t inputs) {
    OpTester m;
    m.input("a", DType::f32, {2, 3}).input("b", DType::f32, {3, 4});
    std::vector<std::string> names{"a", "b"};
    names.resize(inputs);
    m.node("Einsum", names, {"y"}, {attr_string("equation", eq)}).output("y");
    return m;
  };
  einsum("ij,jk->ik", 1).expect_load_error(ErrorKind::invalid_model, "2 operands");
  einsum("i$,jk", 2).expect_load_error(ErrorKind::invalid_model, "not a letter");
  auto a = random_floats(6, 81), b = random_floats(12, 82);
  std::vector<float> want(8);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        want[static_cast<std::size_t>(k * 2 + i)] +=
            a[static_cast<std::size_t>(i * 3 + j)] * b[static_cast<std::size_t>(j * 4 + k)];
  einsum("ij,jk->ki", 2)
      .check({f32_view(a, {2, 3}), f32_view(b, {3, 4})}, {make_tensor<float>({4, 2}, want)}, {});
  einsum("ij,ik->jk", 2)
      .expect_run_error({f32_view(a, {2, 3}), f32_view(b, {3, 4})}, ErrorKind::shape_mismatch,
                        "sizes 2 and 3");
}
