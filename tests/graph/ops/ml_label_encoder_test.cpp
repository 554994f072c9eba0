// Graph-door tests of ai.onnx.ml LabelEncoder (include/inlay/graph/ops/ml_label_encoder.hpp):
// opset 2 maps between int64, float and string with defaults, opset 1 between strings and
// their indices, opset 4 takes tensors of more dtypes; and the errors for unmatched keys, values,
// defaults and dtypes.
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
using inlay_test::attr_tensor;
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
      .expect_load_error(ErrorKind::invalid_model, "the keys are i64");
  // Tensor attributes are opset 4's.
  encoder(2, DType::i64,
          {attr_tensor("keys_tensor", make_tensor<std::int64_t>(Shape{1}, {1})),
           attr_ints("values_int64s", {1})})
      .expect_load_error(ErrorKind::invalid_model, "keys_tensor needs LabelEncoder opset 4");
}

TEST_CASE("LabelEncoder opset 4 takes keys, values and the default as tensors",
          "[graph/ops/ml_label_encoder]") {
  // int32 -> double with a default tensor.
  Tensor y = encoder(4, DType::i32,
                     {attr_tensor("keys_tensor", make_tensor<std::int32_t>(Shape{2}, {7, -3})),
                      attr_tensor("values_tensor", make_tensor<double>(Shape{2}, {0.5, 1.25})),
                      attr_tensor("default_tensor", make_tensor<double>(Shape{1}, {42.0}))})
                 .run({make_tensor<std::int32_t>(Shape{2, 2}, {-3, 7, 0, 7})})[0];
  CHECK(y.dtype() == DType::f64);
  CHECK(y.shape() == Shape{2, 2});
  CHECK(values_of<double>(y) == std::vector<double>{1.25, 0.5, 42.0, 0.5});
  // string -> int16 without a default tensor: integers default to -1.
  y = encoder(4, DType::string,
              {attr_tensor("keys_tensor", strings({"lo", "hi"})),
               attr_tensor("values_tensor", make_tensor<std::int16_t>(Shape{2}, {-300, 300}))})
          .run({strings({"hi", "mid", "lo"})})[0];
  CHECK(y.dtype() == DType::i16);
  CHECK(values_of<std::int16_t>(y) == std::vector<std::int16_t>{300, -1, -300});
  // double -> string, NaN finds a NaN key; a keys_* list beside values_tensor is fine.
  const double nan = std::nan("");
  y = encoder(4, DType::f64,
              {attr_tensor("keys_tensor", make_tensor<double>(Shape{2}, {nan, 2.5})),
               attr_strings("values_strings", {"missing", "two and a half"})})
          .run({make_tensor<double>(Shape{3}, {2.5, nan, 1.0})})[0];
  CHECK(values_of<std::string>(y) ==
        std::vector<std::string>{"two and a half", "missing", "_Unused"});
  // Opset 2's attributes still work at opset 4.
  y = encoder(4, DType::i64, {attr_ints("keys_int64s", {1}), attr_floats("values_floats", {3})})
          .run({make_tensor<std::int64_t>(Shape{2}, {1, 2})})[0];
  CHECK(values_of<float>(y)[0] == 3.0f);
  CHECK(std::signbit(values_of<float>(y)[1]));  // the default -0.0
}

TEST_CASE("LabelEncoder opset 4 refuses bad tensor attributes", "[graph/ops/ml_label_encoder]") {
  const Pb keys = attr_tensor("keys_tensor", make_tensor<std::int64_t>(Shape{2}, {1, 2}));
  encoder(4, DType::i64,
          {keys, attr_tensor("values_tensor", make_tensor<float>(Shape{2}, {1, 2})),
           attr_tensor("default_tensor", make_tensor<std::int64_t>(Shape{1}, {0}))})
      .expect_load_error(ErrorKind::invalid_model, "default_tensor must be one f32 value");
  encoder(4, DType::i64,
          {keys, attr_tensor("values_tensor", make_tensor<float>(Shape{2}, {1, 2})),
           attr_tensor("default_tensor", make_tensor<float>(Shape{2}, {0, 0}))})
      .expect_load_error(ErrorKind::invalid_model, "default_tensor must be one");
  encoder(4, DType::i64, {keys, attr_ints("keys_int64s", {1}), attr_ints("values_int64s", {1})})
      .expect_load_error(ErrorKind::invalid_model, "give exactly one of keys_int64s");
  encoder(4, DType::u8,
          {attr_tensor("keys_tensor", make_tensor<std::uint8_t>(Shape{1}, {1})),
           attr_ints("values_int64s", {1})})
      .expect_load_error(ErrorKind::invalid_model, "keys_tensor must be a tensor of int64");
  encoder(4, DType::i64, {keys, attr_tensor("values_tensor", make_tensor<float>(Shape{1}, {1}))})
      .expect_load_error(ErrorKind::invalid_model, "differ in number");
  encoder(4, DType::i32, {keys, attr_tensor("values_tensor", make_tensor<float>(Shape{2}, {1, 2}))})
      .expect_load_error(ErrorKind::invalid_model, "X has dtype i32; the keys are i64");
}
