// Graph-door tests of the ai.onnx.ml preprocessing ops (include/inlay/graph/ops/ml_preprocess.hpp):
// Scaler, Normalizer, Imputer and Binarizer on small inputs computed by hand, and their errors.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::attr_float;
using inlay_test::attr_floats;
using inlay_test::attr_ints;
using inlay_test::attr_string;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::Pb;

namespace {

OpTester ml(const std::string& op, const std::vector<Pb>& attrs, DType x = DType::f32) {
  OpTester m(op, 15);
  m.domain("ai.onnx.ml", 1);
  m.input("x", x).output("y");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}

}  // namespace

TEST_CASE("Scaler subtracts the offset and multiplies by the scale", "[graph/ops/ml_preprocess]") {
  const Tensor x = make_tensor<float>(Shape{2, 2}, {1, 2, 3, 4});
  ml("Scaler", {attr_floats("offset", {1, 2}), attr_floats("scale", {2, 0.5f})})
      .check({x}, {make_tensor<float>(Shape{2, 2}, {0, 0, 4, 1})}, {});
  // One value for every feature; int64 in, float out.
  ml("Scaler", {attr_floats("offset", {1}), attr_floats("scale", {3})}, DType::i64)
      .check({make_tensor<std::int64_t>(Shape{2, 2}, {1, 2, 3, 4})},
             {make_tensor<float>(Shape{2, 2}, {0, 3, 6, 9})}, {});
  ml("Scaler", {attr_floats("offset", {1, 2, 3})})
      .expect_run_error({x}, ErrorKind::shape_mismatch, "offset has 3 values but X [2, 2] has 2");
}

TEST_CASE("Normalizer divides each row by its MAX, L1 or L2 norm", "[graph/ops/ml_preprocess]") {
  const Tensor x = make_tensor<float>(Shape{2, 2}, {3, -4, 0, 0});
  ml("Normalizer", {attr_string("norm", "L2")})
      .check({x}, {make_tensor<float>(Shape{2, 2}, {0.6f, -0.8f, 0, 0})}, {});
  ml("Normalizer", {attr_string("norm", "L1")})
      .check({x}, {make_tensor<float>(Shape{2, 2}, {3.0f / 7, -4.0f / 7, 0, 0})}, {});
  ml("Normalizer", {attr_string("norm", "MAX")})
      .check({make_tensor<float>(Shape{1, 3}, {1, 4, 2})},
             {make_tensor<float>(Shape{1, 3}, {0.25f, 1, 0.5f})}, {});
  ml("Normalizer", {attr_string("norm", "L3")})
      .expect_load_error(ErrorKind::invalid_model, "norm 'L3'");
  ml("Normalizer", {})
      .expect_run_error({make_tensor<float>(Shape{1, 1, 2}, {1, 2})}, ErrorKind::shape_mismatch,
                        "must be [C] or [N, C]");
}

TEST_CASE("Imputer replaces the missing value per feature", "[graph/ops/ml_preprocess]") {
  const float nan = std::nanf("");
  ml("Imputer",
     {attr_floats("imputed_value_floats", {10, 20}), attr_float("replaced_value_float", nan)})
      .check({make_tensor<float>(Shape{2, 2}, {nan, 1, 2, nan})},
             {make_tensor<float>(Shape{2, 2}, {10, 1, 2, 20})}, {});
  OpTester ints("Imputer", 15);
  ints.domain("ai.onnx.ml", 1);
  ints.input("x", DType::i64).output("y");
  ints.attr(attr_ints("imputed_value_int64s", {7}))
      .attr(inlay_test::attr_int("replaced_value_int64", -1));
  ints.check({make_tensor<std::int64_t>(Shape{3}, {-1, 4, -1})},
             {make_tensor<std::int64_t>(Shape{3}, {7, 4, 7})}, {});
  ml("Imputer", {}).expect_load_error(ErrorKind::invalid_model, "give exactly one of");
  ml("Imputer", {attr_floats("imputed_value_floats", {1, 2, 3})})
      .expect_run_error({make_tensor<float>(Shape{1, 2}, {1, 2})}, ErrorKind::shape_mismatch,
                        "imputed_value_floats has 3 values");
}

TEST_CASE("Binarizer gives 1 above the threshold", "[graph/ops/ml_preprocess]") {
  ml("Binarizer", {attr_float("threshold", 0.5f)})
      .check({make_tensor<float>(Shape{4}, {0, 0.5f, 0.6f, -1})},
             {make_tensor<float>(Shape{4}, {0, 0, 1, 0})}, {});
  ml("Binarizer", {}, DType::u8)
      .expect_run_error({make_tensor<std::uint8_t>(Shape{1}, {1})}, ErrorKind::unsupported_op,
                        "dtype u8");
}
