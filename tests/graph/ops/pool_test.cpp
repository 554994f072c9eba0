// Graph-door tests of the pooling operators (include/inlay/graph/ops/pool.hpp) beyond the official
// node tests: the errors on bad attributes and on inputs of the wrong rank.
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

TEST_CASE("Pools refuse bad attributes and input shapes", "[graph/ops/pool]") {
  OpTester p;
  p.input("x", DType::f32, {1, 1, 4, 4}).node("MaxPool", {"x"}, {"y"}).output("y");
  p.expect_load_error(ErrorKind::invalid_model, "kernel_shape");
  OpTester q;
  q.input("x", DType::f32, {1, 1, 4, 4})
      .node("MaxPool", {"x"}, {"y"},
            {attr_ints("kernel_shape", {2, 2}), attr_int("storage_order", 2)})
      .output("y");
  q.expect_load_error(ErrorKind::invalid_model, "storage_order 2");
  OpTester k;
  k.input("x", DType::f32, {1, 1, 4})
      .node("AveragePool", {"x"}, {"y"}, {attr_ints("kernel_shape", {2, 2})})
      .output("y");
  k.expect_run_error(ErrorKind::shape_mismatch, "spatial");
}
