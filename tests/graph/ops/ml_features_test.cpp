// Graph-door tests of ArrayFeatureExtractor, FeatureVectorizer and OneHotEncoder
// (include/inlay/graph/ops/ml_features.hpp): hand-worked selections, joins and encodings, and
// their errors.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::attr_int;
using inlay_test::attr_ints;
using inlay_test::attr_strings;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::values_of;

namespace {

OpTester ml(const std::string& op) {
  OpTester m(op, 15);
  m.domain("ai.onnx.ml", 1);
  return m;
}

}  // namespace

TEST_CASE("ArrayFeatureExtractor picks columns of the last axis", "[graph/ops/ml_features]") {
  OpTester m = ml("ArrayFeatureExtractor");
  m.input("x", DType::f32).input("i", DType::i64).output("z");
  m.check({make_tensor<float>(Shape{2, 3}, {1, 2, 3, 4, 5, 6}),
           make_tensor<std::int64_t>(Shape{2}, {2, 0})},
          {make_tensor<float>(Shape{2, 2}, {3, 1, 6, 4})}, {});
  // 1-D X gives one row.
  m.check({make_tensor<float>(Shape{3}, {1, 2, 3}), make_tensor<std::int64_t>(Shape{1}, {1})},
          {make_tensor<float>(Shape{1, 1}, {2})}, {});
  m.expect_run_error(
      {make_tensor<float>(Shape{3}, {1, 2, 3}), make_tensor<std::int64_t>(Shape{1}, {3})},
      ErrorKind::invalid_argument, "Y[0] = 3 is out of range for X [3]");
  OpTester s = ml("ArrayFeatureExtractor");
  s.input("x", DType::string).input("i", DType::i64).output("z");
  const Tensor got =
      s.run({make_tensor<std::string>(Shape{1, 2}, std::vector<std::string>{"p", "q"}),
             make_tensor<std::int64_t>(Shape{2}, {1, 1})})[0];
  CHECK(values_of<std::string>(got) == std::vector<std::string>{"q", "q"});
}

TEST_CASE("FeatureVectorizer joins inputs, cut or padded to their dimensions",
          "[graph/ops/ml_features]") {
  OpTester m = ml("FeatureVectorizer");
  m.input("a", DType::f32).input("b", DType::i64).output("y");
  m.attr(attr_ints("inputdimensions", {1, 3}));
  // a [2, 2] is cut to 1 column, b [2, 2] padded to 3.
  m.check({make_tensor<float>(Shape{2, 2}, {1, 2, 3, 4}),
           make_tensor<std::int64_t>(Shape{2, 2}, {5, 6, 7, 8})},
          {make_tensor<float>(Shape{2, 4}, {1, 5, 6, 0, 3, 7, 8, 0})}, {});
  m.expect_run_error({make_tensor<float>(Shape{2, 2}, {1, 2, 3, 4}),
                      make_tensor<std::int64_t>(Shape{1, 2}, {5, 6})},
                     ErrorKind::shape_mismatch, "input 1 has 1 rows, input 0 has 2");
  OpTester bad = ml("FeatureVectorizer");
  bad.input("a", DType::f32).output("y").attr(attr_ints("inputdimensions", {1, 2}));
  bad.expect_load_error(ErrorKind::invalid_model, "inputdimensions has 2 entries for 1 inputs");
  OpTester huge = ml("FeatureVectorizer");
  huge.input("a", DType::f32).output("y").attr(attr_ints("inputdimensions", {INT64_MAX}));
  huge.expect_load_error(ErrorKind::invalid_model, "is negative or too large");
}

TEST_CASE("OneHotEncoder adds an axis of categories", "[graph/ops/ml_features]") {
  OpTester m = ml("OneHotEncoder");
  m.input("x", DType::i64).output("y").attr(attr_ints("cats_int64s", {4, 8, 15}));
  m.check({make_tensor<std::int64_t>(Shape{3}, {15, 4, 9})},
          {make_tensor<float>(Shape{3, 3}, {0, 0, 1, 1, 0, 0, 0, 0, 0})}, {});
  OpTester strict = ml("OneHotEncoder");
  strict.input("x", DType::i64)
      .output("y")
      .attr(attr_ints("cats_int64s", {4}))
      .attr(attr_int("zeros", 0));
  strict.expect_run_error({make_tensor<std::int64_t>(Shape{1}, {5})}, ErrorKind::invalid_argument,
                          "not a category");
  OpTester s = ml("OneHotEncoder");
  s.input("x", DType::string).output("y").attr(attr_strings("cats_strings", {"red", "blue"}));
  s.check({make_tensor<std::string>(Shape{1, 2}, std::vector<std::string>{"blue", "red"})},
          {make_tensor<float>(Shape{1, 2, 2}, {0, 1, 1, 0})}, {});
  OpTester mixed = ml("OneHotEncoder");
  mixed.input("x", DType::i64).output("y").attr(attr_strings("cats_strings", {"red"}));
  mixed.expect_run_error({make_tensor<std::int64_t>(Shape{1}, {1})}, ErrorKind::invalid_model,
                         "the categories are strings");
  OpTester none = ml("OneHotEncoder");
  none.input("x", DType::i64).output("y");
  none.expect_load_error(ErrorKind::invalid_model,
                         "give exactly one of cats_int64s and cats_strings");
}
