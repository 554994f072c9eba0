// Graph-door tests of ai.onnx.ml LinearRegressor and LinearClassifier
// (include/inlay/graph/ops/ml_linear.hpp): scores computed here by hand, the classifier's
// multi-class and binary forms with int64 and string labels, and the errors for coefficient
// counts that do not fit.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::attr_floats;
using inlay_test::attr_int;
using inlay_test::attr_ints;
using inlay_test::attr_string;
using inlay_test::attr_strings;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::Pb;

namespace {

OpTester linear(const std::string& op, const std::vector<Pb>& attrs, int outputs,
                DType x = DType::f32) {
  OpTester m(op, 15);
  m.domain("ai.onnx.ml", 1);
  m.input("x", x);
  if (outputs == 2) m.output("label");
  m.output("y");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}
float logistic(double x) { return static_cast<float>(1.0 / (1.0 + std::exp(-x))); }

}  // namespace

TEST_CASE("LinearRegressor computes X W^T + b per target", "[graph/ops/ml_linear]") {
  // W = [[1, 2], [-1, 0.5]], b = (0.5, -1). Row (1, 1): (3.5, -1.5); row (2, -2): (-1.5, -4).
  const auto m = linear("LinearRegressor",
                        {attr_floats("coefficients", {1, 2, -1, 0.5f}),
                         attr_floats("intercepts", {0.5f, -1}), attr_int("targets", 2)},
                        1);
  m.check({make_tensor<float>(Shape{2, 2}, {1, 1, 2, -2})},
          {make_tensor<float>(Shape{2, 2}, {3.5f, -1.5f, -1.5f, -4})}, {});
  // int64 features and a 1-D X (one row) are accepted.
  linear("LinearRegressor",
         {attr_floats("coefficients", {1, 2, -1, 0.5f}), attr_floats("intercepts", {0.5f, -1}),
          attr_int("targets", 2)},
         1, DType::i64)
      .check({make_tensor<std::int64_t>(Shape{2}, {1, 1})},
             {make_tensor<float>(Shape{1, 2}, {3.5f, -1.5f})}, {});
}

TEST_CASE("LinearClassifier labels by the highest score", "[graph/ops/ml_linear]") {
  // Three classes over two features; scores of (1, 2): (1, 2, 1.5) -> "b".
  std::vector<Pb> a{attr_floats("coefficients", {1, 0, 0, 1, 0.5f, 0.5f}),
                    attr_strings("classlabels_strings", {"a", "b", "c"})};
  const Tensor x = make_tensor<float>(Shape{1, 2}, {1, 2});
  linear("LinearClassifier", a, 2)
      .check({x},
             {make_tensor<std::string>(Shape{1}, std::vector<std::string>{"b"}),
              make_tensor<float>(Shape{1, 3}, {1, 2, 1.5f})},
             {});
  // Intercepts (0, 0, 1) make "c" the highest; SOFTMAX normalizes.
  a.push_back(attr_floats("intercepts", {0, 0, 1}));
  a.push_back(attr_string("post_transform", "SOFTMAX"));
  const double e = std::exp(1.0) + std::exp(2.0) + std::exp(2.5);
  linear("LinearClassifier", a, 2)
      .check({x},
             {make_tensor<std::string>(Shape{1}, std::vector<std::string>{"c"}),
              make_tensor<float>(Shape{1, 3}, {static_cast<float>(std::exp(1.0) / e),
                                               static_cast<float>(std::exp(2.0) / e),
                                               static_cast<float>(std::exp(2.5) / e)})},
             {});
}

TEST_CASE("LinearClassifier's binary form has one coefficient row", "[graph/ops/ml_linear]") {
  // Margin m = x0 - x1 + 0.25: rows (1, 0) -> 1.25 (label 7), (0, 1) -> -0.75 (label 3).
  // Scores (1 - t, t) with t the post-transformed margin, as ONNX Runtime writes them.
  const std::vector<Pb> a{attr_floats("coefficients", {1, -1}), attr_floats("intercepts", {0.25f}),
                          attr_ints("classlabels_ints", {3, 7})};
  const Tensor x = make_tensor<float>(Shape{2, 2}, {1, 0, 0, 1});
  const Tensor labels = make_tensor<std::int64_t>(Shape{2}, {7, 3});
  linear("LinearClassifier", a, 2)
      .check({x}, {labels, make_tensor<float>(Shape{2, 2}, {-0.25f, 1.25f, 1.75f, -0.75f})}, {});
  std::vector<Pb> b = a;
  b.push_back(attr_string("post_transform", "LOGISTIC"));
  linear("LinearClassifier", b, 2)
      .check({x},
             {labels, make_tensor<float>(Shape{2, 2}, {logistic(-1.25), logistic(1.25),
                                                       logistic(0.75), logistic(-0.75)})},
             {});
}

TEST_CASE("Linear models refuse coefficients that do not fit", "[graph/ops/ml_linear]") {
  linear("LinearRegressor", {attr_floats("coefficients", {1, 2, 3}), attr_int("targets", 2)}, 1)
      .expect_load_error(ErrorKind::invalid_model, "not a non-zero multiple of the 2 targets");
  linear("LinearRegressor",
         {attr_floats("coefficients", {1, 2}), attr_floats("intercepts", {1, 2})}, 1)
      .expect_load_error(ErrorKind::invalid_model, "intercepts has 2 entries for 1 targets");
  linear("LinearRegressor", {attr_floats("coefficients", {1, 2})}, 1)
      .expect_run_error({make_tensor<float>(Shape{1, 3}, {1, 2, 3})}, ErrorKind::shape_mismatch,
                        "X has 3 features; the coefficients are for 2");
  linear("LinearClassifier",
         {attr_floats("coefficients", {1, 2, 3, 4}), attr_floats("intercepts", {0, 0}),
          attr_ints("classlabels_ints", {1, 2, 3})},
         2)
      .expect_load_error(ErrorKind::invalid_model, "3 class labels do not fit 2 score rows");
  linear("LinearClassifier", {attr_floats("coefficients", {1, 2})}, 2)
      .expect_load_error(ErrorKind::invalid_model, "give exactly one of classlabels_ints");
  linear("LinearClassifier",
         {attr_floats("coefficients", {1, 2}), attr_ints("classlabels_ints", {0, 1}),
          attr_string("post_transform", "CUBE")},
         2)
      .expect_load_error(ErrorKind::invalid_model, "post_transform 'CUBE'");
}
