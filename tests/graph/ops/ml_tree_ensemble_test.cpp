// Graph-door tests of the ai.onnx.ml tree ensembles (include/inlay/graph/ops/ml_tree_ensemble.hpp):
// two hand-written trees walked by hand (every branch mode, the missing-value track, the four
// aggregates, base values, post-transforms), the classifier's labels (int64 and string) and
// two-class forms, and the load and run errors for malformed trees.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::attr_floats;
using inlay_test::attr_ints;
using inlay_test::attr_string;
using inlay_test::attr_strings;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::Pb;
using inlay_test::values_of;

namespace {

double expit(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Two trees over 2 features. Tree 0: x0 <= 1 ? leaf 1 : leaf 2. Tree 1: x1 < 0.5 ? leaf 1 :
// leaf 2, with missing values going to the true side. `mode1` replaces tree 1's BRANCH_LT.
std::vector<Pb> two_trees(const std::string& mode1 = "BRANCH_LT") {
  return {attr_ints("nodes_treeids", {0, 0, 0, 1, 1, 1}),
          attr_ints("nodes_nodeids", {0, 1, 2, 0, 1, 2}),
          attr_ints("nodes_featureids", {0, 0, 0, 1, 0, 0}),
          attr_floats("nodes_values", {1.0f, 0, 0, 0.5f, 0, 0}),
          attr_strings("nodes_modes", {"BRANCH_LEQ", "LEAF", "LEAF", mode1, "LEAF", "LEAF"}),
          attr_ints("nodes_truenodeids", {1, 0, 0, 1, 0, 0}),
          attr_ints("nodes_falsenodeids", {2, 0, 0, 2, 0, 0}),
          attr_ints("nodes_missing_value_tracks_true", {0, 0, 0, 1, 0, 0})};
}
std::vector<Pb> leaf_weights(const std::string& prefix, const std::vector<std::int64_t>& ids,
                             const std::vector<float>& w) {
  return {attr_ints(prefix + "_treeids", {0, 0, 1, 1}),
          attr_ints(prefix + "_nodeids", {1, 2, 1, 2}), attr_ints(prefix + "_ids", ids),
          attr_floats(prefix + "_weights", w)};
}

OpTester regressor(const std::vector<Pb>& nodes, const std::vector<Pb>& extra) {
  OpTester m("TreeEnsembleRegressor", 15);
  m.domain("ai.onnx.ml", 3);
  m.input("x", DType::f32).output("y");
  for (const Pb& a : nodes) m.attr(a);
  for (const Pb& a : leaf_weights("target", {0, 0, 0, 0}, {1, 2, 10, 20})) m.attr(a);
  for (const Pb& a : extra) m.attr(a);
  return m;
}

OpTester classifier(const std::vector<Pb>& attrs) {
  OpTester m("TreeEnsembleClassifier", 15);
  m.domain("ai.onnx.ml", 1);
  m.input("x", DType::f32).output("label").output("probabilities");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}

// Rows: (0.5, 0) reaches leaves (1, 10); (2, 1) reaches (2, 20); (NaN, NaN) reaches (2, 10):
// NaN <= 1 is false and tree 0 sends missing values the false way, tree 1 the true way.
Tensor rows() {
  const float nan = std::nanf("");
  return make_tensor<float>(Shape{3, 2}, {0.5f, 0.0f, 2.0f, 1.0f, nan, nan});
}
Tensor column(std::initializer_list<float> v) {
  return make_tensor<float>(Shape{static_cast<std::int64_t>(v.size()), 1}, v);
}

}  // namespace

TEST_CASE("TreeEnsembleRegressor walks each tree and aggregates the leaves",
          "[graph/ops/ml_tree_ensemble]") {
  regressor(two_trees(), {}).check({rows()}, {column({11, 22, 12})}, {});
  regressor(two_trees(), {attr_string("aggregate_function", "AVERAGE")})
      .check({rows()}, {column({5.5f, 11, 6})}, {});
  regressor(two_trees(), {attr_string("aggregate_function", "MIN")})
      .check({rows()}, {column({1, 2, 2})}, {});
  regressor(two_trees(), {attr_string("aggregate_function", "MAX")})
      .check({rows()}, {column({10, 20, 10})}, {});
  // base_values are added after the aggregate; LOGISTIC comes last.
  regressor(two_trees(),
            {attr_floats("base_values", {-11.0f}), attr_string("post_transform", "LOGISTIC")})
      .check({rows()},
             {column({0.5f, static_cast<float>(expit(11)), static_cast<float>(expit(1))})}, {});
  // The opset 3 double attributes replace the float ones.
  regressor(two_trees(), {inlay_test::attr_tensor("base_values_as_tensor",
                                                  make_tensor<double>(Shape{1}, {100.0}))})
      .check({rows()}, {column({111, 122, 112})}, {});
}

TEST_CASE("TreeEnsembleRegressor honours every branch mode", "[graph/ops/ml_tree_ensemble]") {
  // Tree 1 compares x1 with 0.5; rows x1 = 0, 0.5, 1 (tree 0 sees x0 = 0: leaf weight 1).
  const Tensor x = make_tensor<float>(Shape{3, 2}, {0, 0, 0, 0.5f, 0, 1});
  const struct {
    const char* mode;
    std::vector<float> want;  // 1 + (10 when true, else 20)
  } cases[] = {{"BRANCH_LEQ", {11, 11, 21}}, {"BRANCH_LT", {11, 21, 21}},
               {"BRANCH_GTE", {21, 11, 11}}, {"BRANCH_GT", {21, 21, 11}},
               {"BRANCH_EQ", {21, 11, 21}},  {"BRANCH_NEQ", {11, 21, 11}}};
  for (const auto& c : cases) {
    INFO(c.mode);
    regressor(two_trees(c.mode), {}).check({x}, {column({c.want[0], c.want[1], c.want[2]})}, {});
  }
}

TEST_CASE("TreeEnsembleClassifier labels by the highest score", "[graph/ops/ml_tree_ensemble]") {
  // Three classes: leaves of tree 0 score (class 0: 2) and (class 1: 3); tree 1 (class 2: 1)
  // and (class 1: 1). Row (0.5, 0): scores (2, 0, 1); row (2, 1): (0, 4, 0).
  std::vector<Pb> a = two_trees();
  for (const Pb& w : leaf_weights("class", {0, 1, 2, 1}, {2, 3, 1, 1})) a.push_back(w);
  a.push_back(attr_strings("classlabels_strings", {"cat", "dog", "eel"}));
  const Tensor x = make_tensor<float>(Shape{2, 2}, {0.5f, 0, 2, 1});
  std::vector<Tensor> got = classifier(a).run({x});
  CHECK(values_of<std::string>(got[0]) == std::vector<std::string>{"cat", "dog"});
  CHECK(values_of<float>(got[1]) == std::vector<float>{2, 0, 1, 0, 4, 0});
  // SOFTMAX, computed here directly.
  a.push_back(attr_string("post_transform", "SOFTMAX"));
  const double e = std::exp(2.0) + 1.0 + std::exp(1.0), f = 2.0 + std::exp(4.0);
  classifier(a).check(
      {x},
      {make_tensor<std::string>(Shape{2}, std::vector<std::string>{"cat", "dog"}),
       make_tensor<float>(Shape{2, 3},
                          {static_cast<float>(std::exp(2.0) / e), static_cast<float>(1.0 / e),
                           static_cast<float>(std::exp(1.0) / e), static_cast<float>(1.0 / f),
                           static_cast<float>(std::exp(4.0) / f), static_cast<float>(1.0 / f)})},
      {});
}

TEST_CASE("TreeEnsembleClassifier's two-class forms score one class",
          "[graph/ops/ml_tree_ensemble]") {
  const Tensor x = make_tensor<float>(Shape{2, 2}, {0.5f, 0, 2, 1});  // leaves (1, 1), (2, 2)
  // Probabilities of the positive class only (random-forest style): positive above 0.5,
  // the other column 1 - p. Row 0: 0.1 + 0.2 = 0.3; row 1: 0.3 + 0.5 = 0.8.
  std::vector<Pb> a = two_trees();
  for (const Pb& w : leaf_weights("class", {0, 0, 0, 0}, {0.1f, 0.3f, 0.2f, 0.5f})) a.push_back(w);
  a.push_back(attr_ints("classlabels_int64s", {5, 7}));
  classifier(a).check({x},
                      {make_tensor<std::int64_t>(Shape{2}, {5, 7}),
                       make_tensor<float>(Shape{2, 2}, {0.7f, 0.3f, 0.2f, 0.8f})},
                      {});
  // The same weights on class 1: the columns are (0, p).
  std::vector<Pb> c = two_trees();
  for (const Pb& w : leaf_weights("class", {1, 1, 1, 1}, {0.1f, 0.3f, 0.2f, 0.5f})) c.push_back(w);
  c.push_back(attr_ints("classlabels_int64s", {5, 7}));
  classifier(c).check({x},
                      {make_tensor<std::int64_t>(Shape{2}, {5, 7}),
                       make_tensor<float>(Shape{2, 2}, {0, 0.3f, 0, 0.8f})},
                      {});
  // Margins (gradient boosting): mixed signs, one base value, LOGISTIC gives
  // (expit(-m), expit(m)), positive above 0. Row 0: -1 + 0.5 + 0.2 = -0.3; row 1: 1.2.
  std::vector<Pb> b = two_trees();
  for (const Pb& w : leaf_weights("class", {0, 0, 0, 0}, {-1, 0.5f, 0.2f, 0.2f})) b.push_back(w);
  b.push_back(attr_ints("classlabels_int64s", {5, 7}));
  b.push_back(attr_floats("base_values", {0.5f}));
  b.push_back(attr_string("post_transform", "LOGISTIC"));
  auto lg = [](double m) { return static_cast<float>(expit(m)); };
  classifier(b).check({x},
                      {make_tensor<std::int64_t>(Shape{2}, {5, 7}),
                       make_tensor<float>(Shape{2, 2}, {lg(0.3), lg(-0.3), lg(-1.2), lg(1.2)})},
                      {});
}

TEST_CASE("Tree ensembles refuse malformed trees at load and short inputs at run",
          "[graph/ops/ml_tree_ensemble]") {
  std::vector<Pb> bad_child = two_trees();
  bad_child[5] = attr_ints("nodes_truenodeids", {9, 0, 0, 1, 0, 0});
  regressor(bad_child, {})
      .expect_load_error(ErrorKind::invalid_model, "nodes_truenodeids 9 of node 0 in tree 0");
  // Node 1 of tree 0 made a branch back to node 0: a cycle.
  std::vector<Pb> cycle = two_trees();
  cycle[4] = attr_strings("nodes_modes",
                          {"BRANCH_LEQ", "BRANCH_LEQ", "LEAF", "BRANCH_LT", "LEAF", "LEAF"});
  regressor(cycle, {}).expect_load_error(ErrorKind::invalid_model, "has a cycle");
  std::vector<Pb> mode = two_trees("BRANCH_SOMETIMES");
  regressor(mode, {}).expect_load_error(ErrorKind::invalid_model, "BRANCH_SOMETIMES");
  std::vector<Pb> short_values = two_trees();
  short_values[3] = attr_floats("nodes_values", {1.0f});
  regressor(short_values, {})
      .expect_load_error(ErrorKind::invalid_model, "nodes_values has 1 entries");
  regressor(two_trees(), {attr_string("aggregate_function", "MEDIAN")})
      .expect_load_error(ErrorKind::invalid_model, "aggregate_function 'MEDIAN'");
  regressor(two_trees(), {attr_floats("base_values", {1, 2})})
      .expect_load_error(ErrorKind::invalid_model, "base_values has 2 entries for 1 targets");
  regressor(two_trees(), {inlay_test::attr_int("n_targets", 1000000000000)})
      .expect_load_error(ErrorKind::invalid_model, "n_targets 1000000000000 exceeds");
  // The trees read x1; one feature is too few. Rank 3 is no feature matrix.
  regressor(two_trees(), {})
      .expect_run_error({make_tensor<float>(Shape{2, 1}, {1, 2})}, ErrorKind::shape_mismatch,
                        "read feature 1");
  regressor(two_trees(), {})
      .expect_run_error({make_tensor<float>(Shape{1, 1, 2}, {1, 2})}, ErrorKind::shape_mismatch,
                        "must be [C] or [N, C]");
  // Classifier: a class id beyond the labels; no labels at all.
  std::vector<Pb> a = two_trees();
  for (const Pb& w : leaf_weights("class", {0, 3, 0, 0}, {1, 1, 1, 1})) a.push_back(w);
  a.push_back(attr_ints("classlabels_int64s", {0, 1}));
  classifier(a).expect_load_error(ErrorKind::invalid_model, "class id 3 is out of range");
  a.pop_back();
  classifier(a).expect_load_error(ErrorKind::invalid_model, "classlabels_strings");
}
