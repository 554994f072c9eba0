// Graph-door test of ai.onnx.ml ZipMap (include/inlay/graph/ops/ml_zipmap.hpp): refused at load,
// with a message that tells how to export the classifier without it.
#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay_test::attr_ints;
using inlay_test::OpTester;

TEST_CASE("ZipMap is refused with the way around it", "[graph/ops/ml_zipmap]") {
  OpTester m("ZipMap", 15);
  m.domain("ai.onnx.ml", 1);
  m.input("x", DType::f32).output("y").attr(attr_ints("classlabels_int64s", {0, 1}));
  m.expect_load_error(ErrorKind::unsupported_op, "zipmap=False");
}
