// Graph-door tests of ai.onnx.ml SVMClassifier and SVMRegressor
// (include/inlay/graph/ops/ml_svm.hpp): decision values, votes and kernels computed here by
// hand, the liblinear form, Platt-scaled probabilities, and the errors for arrays whose sizes do
// not fit.
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
using inlay_test::values_of;

namespace {

OpTester svm(const std::string& op, const std::vector<Pb>& attrs) {
  OpTester m(op, 15);
  m.domain("ai.onnx.ml", 1);
  m.input("x", DType::f32);
  if (op == "SVMClassifier") m.output("label");
  m.output("y");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}
Tensor labels(const std::vector<std::string>& v) {
  return make_tensor<std::string>(Shape{static_cast<std::int64_t>(v.size())}, v);
}
float to_f32(double v) { return static_cast<float>(v); }

// Three classes with one support vector each: (1, 0), (0, 1), (-1, -1); linear kernel.
// Pair (i, j) weighs class i's vector with coefficient row j - 1 and class j's with row i.
// Each array may be replaced to test the size checks.
struct ThreeClasses {
  std::vector<std::int64_t> per_class{1, 1, 1};
  std::vector<float> vectors{1, 0, 0, 1, -1, -1};
  std::vector<float> coefficients{1, -1, -1, 1, 1, -1};
  std::vector<float> rho{0.5f, 0, -1};
  std::vector<Pb> attrs() const {
    return {attr_strings("classlabels_strings", {"a", "b", "c"}),
            attr_ints("vectors_per_class", per_class), attr_floats("support_vectors", vectors),
            attr_floats("coefficients", coefficients), attr_floats("rho", rho)};
  }
};
std::vector<Pb> three_classes() { return ThreeClasses().attrs(); }

}  // namespace

TEST_CASE("SVMRegressor sums weighted kernels plus rho", "[graph/ops/ml_svm]") {
  // Linear form (no support vectors): y = x . (1, -2) + 0.5.
  const Tensor x = make_tensor<float>(Shape{2, 2}, {3, 1, 0, 1});
  svm("SVMRegressor", {attr_floats("coefficients", {1, -2}), attr_floats("rho", {0.5f})})
      .check({x}, {make_tensor<float>(Shape{2, 1}, {1.5f, -1.5f})}, {});
  // one_class: the sign of the same values.
  svm("SVMRegressor",
      {attr_floats("coefficients", {1, -2}), attr_floats("rho", {0.5f}), attr_int("one_class", 1)})
      .check({x}, {make_tensor<float>(Shape{2, 1}, {1, -1})}, {});
  // RBF over vectors (0, 0) and (1, 0) with gamma 0.5, coefficients (1, -1), rho 0.25.
  const std::vector<Pb> rbf{attr_int("n_supports", 2),
                            attr_string("kernel_type", "RBF"),
                            attr_floats("kernel_params", {0.5f, 0, 0}),
                            attr_floats("support_vectors", {0, 0, 1, 0}),
                            attr_floats("coefficients", {1, -1}),
                            attr_floats("rho", {0.25f})};
  svm("SVMRegressor", rbf)
      .check({make_tensor<float>(Shape{2, 2}, {0, 0, 1, 1})},
             {make_tensor<float>(Shape{2, 1}, {to_f32(1 - std::exp(-0.5) + 0.25),
                                               to_f32(std::exp(-1.0) - std::exp(-0.5) + 0.25)})},
             {});
  // POLY (gamma 1, coef0 1, degree 2) and SIGMOID over the vector (1, 2) with weight 0.5: at
  // x = (1, 1) the dot product is 3.
  const std::vector<Pb> one{attr_int("n_supports", 1), attr_floats("kernel_params", {1, 1, 2}),
                            attr_floats("support_vectors", {1, 2}),
                            attr_floats("coefficients", {0.5f}), attr_floats("rho", {0})};
  std::vector<Pb> poly = one, sigmoid = one;
  poly.push_back(attr_string("kernel_type", "POLY"));
  sigmoid.push_back(attr_string("kernel_type", "SIGMOID"));
  const Tensor ones = make_tensor<float>(Shape{1, 2}, {1, 1});
  svm("SVMRegressor", poly).check({ones}, {make_tensor<float>(Shape{1, 1}, {8})}, {});
  svm("SVMRegressor", sigmoid)
      .check({ones}, {make_tensor<float>(Shape{1, 1}, {to_f32(0.5 * std::tanh(4.0))})}, {});
}

TEST_CASE("SVMClassifier votes over the class pairs", "[graph/ops/ml_svm]") {
  // x = (2, 0): kernels (2, 0, -2); pairs (0,1) 2 + 0.5, (0,2) 2 + 2, (1,2) 0 + 2 - 1: votes
  // (2, 1, 0) -> "a". x = (0, 3): kernels (0, 3, -3); pairs -3 + 0.5, 3, 3 + 3 - 1: votes
  // (1, 2, 0) -> "b". The scores are the pairwise decision values.
  svm("SVMClassifier", three_classes())
      .check({make_tensor<float>(Shape{2, 2}, {2, 0, 0, 3})},
             {labels({"a", "b"}), make_tensor<float>(Shape{2, 3}, {2.5f, 4, 1, -2.5f, 3, 5})}, {});
}

TEST_CASE("SVMClassifier's two-class scores", "[graph/ops/ml_svm]") {
  // Vectors (1, 0) for class 3 and (0, 1) for class 7, coefficients (1, -1): d = x0 - x1. A
  // positive d votes for the first class. Scores (-d, d); with LOGISTIC (1 - d, d), as ONNX
  // Runtime writes them.
  std::vector<Pb> a{attr_ints("classlabels_ints", {3, 7}), attr_ints("vectors_per_class", {1, 1}),
                    attr_floats("support_vectors", {1, 0, 0, 1}),
                    attr_floats("coefficients", {1, -1}), attr_floats("rho", {0})};
  const Tensor x = make_tensor<float>(Shape{2, 2}, {2, 1, 0, 3});
  const Tensor want = make_tensor<std::int64_t>(Shape{2}, {3, 7});
  svm("SVMClassifier", a).check({x}, {want, make_tensor<float>(Shape{2, 2}, {-1, 1, 3, -3})}, {});
  std::vector<Pb> b = a;
  b.push_back(attr_string("post_transform", "LOGISTIC"));
  svm("SVMClassifier", b).check({x}, {want, make_tensor<float>(Shape{2, 2}, {0, 1, 4, -3})}, {});
}

TEST_CASE("SVMClassifier's probabilities are Platt-scaled and coupled", "[graph/ops/ml_svm]") {
  // prob_a -1, prob_b 0: P(first of the pair) = logistic(d). Two classes couple to exactly
  // that pair probability (up to the coupling's stopping rule, 0.0025).
  const std::vector<Pb> a{attr_ints("classlabels_ints", {3, 7}),
                          attr_ints("vectors_per_class", {1, 1}),
                          attr_floats("support_vectors", {1, 0, 0, 1}),
                          attr_floats("coefficients", {1, -1}),
                          attr_floats("rho", {0}),
                          attr_floats("prob_a", {-1}),
                          attr_floats("prob_b", {0})};
  const std::vector<Tensor> got =
      svm("SVMClassifier", a).run({make_tensor<float>(Shape{2, 2}, {2, 1, 0, 3})});
  CHECK(values_of<std::int64_t>(got[0]) == std::vector<std::int64_t>{3, 7});
  REQUIRE(got[1].shape() == Shape{2, 2});
  const std::vector<float> p = values_of<float>(got[1]);
  const double p1 = 1.0 / (1.0 + std::exp(-1.0)), p2 = 1.0 / (1.0 + std::exp(3.0));
  CHECK(std::fabs(p[0] - p1) < 3e-3);
  CHECK(std::fabs(p[2] - p2) < 3e-3);
  CHECK(std::fabs(p[0] + p[1] - 1) < 1e-6);
  CHECK(std::fabs(p[2] + p[3] - 1) < 1e-6);
  // Three classes with every decision value 0: every pair is 1/2, so each class gets 1/3; a
  // value of 0 votes for the second class of its pair, so "c" has the most votes (2).
  ThreeClasses zero;
  zero.rho = {0, 0, 0};
  std::vector<Pb> b = zero.attrs();
  b.push_back(attr_floats("prob_a", {-1, -1, -1}));
  b.push_back(attr_floats("prob_b", {0, 0, 0}));
  const float third = 1.0f / 3;
  svm("SVMClassifier", b)
      .check({make_tensor<float>(Shape{1, 2}, {0, 0})},
             {labels({"c"}), make_tensor<float>(Shape{1, 3}, {third, third, third})}, {});
}

TEST_CASE("SVMClassifier's liblinear form scores each class", "[graph/ops/ml_svm]") {
  // Rows (1, 0), (0, 1), (-1, -1), every score plus rho[0] = 0.5: x = (2, 1) -> (2.5, 1.5,
  // -2.5), label "a".
  svm("SVMClassifier",
      {attr_strings("classlabels_strings", {"a", "b", "c"}),
       attr_floats("coefficients", {1, 0, 0, 1, -1, -1}), attr_floats("rho", {0.5f})})
      .check({make_tensor<float>(Shape{1, 2}, {2, 1})},
             {labels({"a"}), make_tensor<float>(Shape{1, 3}, {2.5f, 1.5f, -2.5f})}, {});
  // Two classes with coefficients of both signs: the second label once the top score is above
  // 0, else the highest (ONNX Runtime's rule).
  svm("SVMClassifier", {attr_ints("classlabels_ints", {3, 7}),
                        attr_floats("coefficients", {1, -1, -1, 1}), attr_floats("rho", {0})})
      .check({make_tensor<float>(Shape{2, 2}, {2, 1, 0, 0})},
             {make_tensor<std::int64_t>(Shape{2}, {7, 3}),
              make_tensor<float>(Shape{2, 2}, {1, -1, 0, 0})},
             {});
}

TEST_CASE("SVM models refuse arrays that do not fit", "[graph/ops/ml_svm]") {
  const std::vector<Pb> good = three_classes();
  ThreeClasses bad;
  bad.coefficients = {1, 2, 3, 4, 5};
  svm("SVMClassifier", bad.attrs())
      .expect_load_error(ErrorKind::invalid_model,
                         "coefficients has 5 entries; expected (classes - 1) x vectors = 6");
  bad = ThreeClasses();
  bad.vectors = {1, 2, 3, 4, 5};
  svm("SVMClassifier", bad.attrs())
      .expect_load_error(ErrorKind::invalid_model,
                         "support_vectors has 5 entries, not a non-zero multiple of the 3");
  bad = ThreeClasses();
  bad.per_class = {2, 1};
  svm("SVMClassifier", bad.attrs())
      .expect_load_error(ErrorKind::invalid_model, "vectors_per_class has 2 entries for 3");
  bad = ThreeClasses();
  bad.rho = {0, 0};
  svm("SVMClassifier", bad.attrs())
      .expect_load_error(ErrorKind::invalid_model, "rho has 2 entries for the 3 class pairs");
  std::vector<Pb> probs = good;
  probs.push_back(attr_floats("prob_a", {1, 1, 1}));
  probs.push_back(attr_floats("prob_b", {1, 1}));
  svm("SVMClassifier", probs)
      .expect_load_error(ErrorKind::invalid_model, "prob_a has 3 entries and prob_b 2");
  std::vector<Pb> bad_kernel = good;
  bad_kernel.push_back(attr_string("kernel_type", "CUBIC"));
  svm("SVMClassifier", bad_kernel)
      .expect_load_error(ErrorKind::invalid_model, "kernel_type 'CUBIC'");
  std::vector<Pb> bad_params = good;
  bad_params.push_back(attr_floats("kernel_params", {1, 2}));
  svm("SVMClassifier", bad_params)
      .expect_load_error(ErrorKind::invalid_model, "kernel_params has 2 entries");
  svm("SVMClassifier", good)
      .expect_run_error({make_tensor<float>(Shape{1, 3}, {1, 2, 3})}, ErrorKind::shape_mismatch,
                        "X has 3 features; the model is for 2");
  svm("SVMClassifier", {attr_ints("classlabels_ints", {1, 2, 3}),
                        attr_floats("coefficients", {1, 2, 3, 4}), attr_floats("rho", {0})})
      .expect_load_error(ErrorKind::invalid_model,
                         "coefficients has 4 entries, not a non-zero multiple of the 3 classes");
  svm("SVMRegressor", {attr_int("n_supports", 2), attr_floats("support_vectors", {1, 2, 3, 4}),
                       attr_floats("coefficients", {1, 2, 3}), attr_floats("rho", {0})})
      .expect_load_error(ErrorKind::invalid_model, "coefficients has 3 entries for 2 support");
  svm("SVMRegressor", {attr_int("n_supports", 2), attr_floats("support_vectors", {1, 2, 3}),
                       attr_floats("coefficients", {1, 2}), attr_floats("rho", {0})})
      .expect_load_error(ErrorKind::invalid_model, "support_vectors has 3 entries");
  svm("SVMRegressor", {attr_floats("coefficients", {1, 2}), attr_floats("rho", {0, 1})})
      .expect_load_error(ErrorKind::invalid_model, "rho has 2 entries; expected 1");
}
