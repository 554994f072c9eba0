// Graph-door tests of ai.onnx.ml LabelEncoder (include/inlay/graph/ops/ml_label_encoder.hpp):
// opset 2 maps between int64, float and string with defaults, opset 1 between strings and
// their indices; and the errors for unmatched keys, values and dtypes.
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
using inlay_test::attr_int;
using inlay_test::attr_ints;
using inlay_test::attr_string;
using inlay_test::attr_strings;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::Pb;
using inlay_test::values_of;

namespace {

OpTester encoder(int opset, DType in, const std::vector<Pb>& attrs) {
  OpTester m("LabelEncoder", 15);
  m.domain("ai.onnx.ml", opset);
  m.input("x", in).output("y");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}
Tensor strings(const std::vector<std::string>& v) {
  return make_tensor<std::string>(Shape{static_cast<std::int64_t>(v.size())}, v);
}

}  // namespace

TEST_CASE("LabelEncoder opset 2 maps keys to values or the default",
          "[graph/ops/ml_label_encoder]") {
  // string -> int64, default -1.
  Tensor y =
      encoder(2, DType::string,
              {attr_strings("keys_strings", {"a", "b"}), attr_ints("values_int64s", {10, 20})})
          .run({strings({"b", "z", "a"})})[0];
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{20, -1, 10});
  // int64 -> string with a default.
  y = encoder(2, DType::i64,
              {attr_ints("keys_int64s", {3}), attr_strings("values_strings", {"three"}),
               attr_string("default_string", "?")})
          .run({make_tensor<std::int64_t>(Shape{2}, {3, 4})})[0];
  CHECK(values_of<std::string>(y) == std::vector<std::string>{"three", "?"});
  // float -> float; NaN finds a NaN key.
  const float nan = std::nanf("");
  encoder(2, DType::f32,
          {attr_floats("keys_floats", {0.5f, nan}), attr_floats("values_floats", {1, 2}),
           attr_float("default_float", 9)})
      .check({make_tensor<float>(Shape{3}, {nan, 0.5f, 0.25f})},
             {make_tensor<float>(Shape{3}, {2, 1, 9})}, {});
}

TEST_CASE("LabelEncoder opset 1 maps strings to indices and back", "[graph/ops/ml_label_encoder]") {
  const std::vector<Pb> a{attr_strings("classes_strings", {"x", "y"}),
                          attr_int("default_int64", 5)};
  Tensor y = encoder(1, DType::string, a).run({strings({"y", "q"})})[0];
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{1, 5});
  y = encoder(1, DType::i64, a).run({make_tensor<std::int64_t>(Shape{2}, {0, 7})})[0];
  CHECK(values_of<std::string>(y) == std::vector<std::string>{"x", "_Unused"});
}

TEST_CASE("LabelEncoder refuses unmatched keys and values", "[graph/ops/ml_label_encoder]") {
  encoder(2, DType::i64, {attr_ints("keys_int64s", {1, 2}), attr_ints("values_int64s", {1})})
      .expect_load_error(ErrorKind::invalid_model, "differ in number");
  encoder(2, DType::i64,
          {attr_ints("keys_int64s", {1}), attr_floats("keys_floats", {1}),
           attr_ints("values_int64s", {1})})
      .expect_load_error(ErrorKind::invalid_model, "give exactly one of keys_int64s");
  encoder(2, DType::f32, {attr_ints("keys_int64s", {1}), attr_ints("values_int64s", {1})})
      .expect_run_error({make_tensor<float>(Shape{1}, {1})}, ErrorKind::invalid_model,
                        "the keys are i64");
  encoder(4, DType::i64,
          {inlay_test::attr_tensor("keys_tensor", make_tensor<std::int64_t>(Shape{1}, {1}))})
      .expect_load_error(ErrorKind::unsupported_op, "keys_tensor");
}
