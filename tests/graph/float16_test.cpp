// Half-precision models (graph/impl/float16_in_float32.hpp): f16 inputs, weights and outputs as
// declared, computed in f32 inside, rounded to f16 once at the outputs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

namespace {

using inlay::DType;
using inlay::float16;
using inlay::Shape;
using inlay::Tensor;
using inlay::to_float;
using inlay::to_float16;
using inlay_test::attr_graph;
using inlay_test::attr_int;
using inlay_test::OpTester;

Tensor half_tensor(const Shape& shape, const std::vector<float>& values) {
  Tensor t(DType::f16, shape);
  for (std::size_t i = 0; i < values.size(); ++i) t.data<float16>()[i] = to_float16(values[i]);
  return t;
}

std::vector<float> as_floats(const Tensor& t) {
  std::vector<float> v(static_cast<std::size_t>(t.numel()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = to_float(t.data<float16>()[i]);
  return v;
}

// y = Softmax(Relu(x W + B)), x [2, 4], W [4, 3], B [3], all f16.
OpTester half_mlp(const Tensor& w, const Tensor& b) {
  OpTester m;
  m.opset(17)
      .input("x", DType::f16, {2, 4})
      .init("W", w)
      .init("B", b)
      .node("MatMul", {"x", "W"}, {"m"})
      .node("Add", {"m", "B"}, {"a"})
      .node("Relu", {"a"}, {"r"})
      .node("Softmax", {"r"}, {"y"})
      .output("y", DType::f16, {2, 3});
  return m;
}

}  // namespace

TEST_CASE("An f16 model computes in f32 and rounds at its outputs", "[graph/float16]") {
  const std::vector<float> x = {0.5f, -1.25f, 2.0f, 0.75f, -0.5f, 1.5f, 0.25f, -2.0f};
  const std::vector<float> w = {0.1f, -0.2f, 0.3f, 0.4f,  0.5f, -0.6f,
                                0.7f, -0.8f, 0.9f, -1.0f, 1.1f, 1.2f};
  const std::vector<float> b = {0.05f, -0.1f, 0.2f};
  const Tensor x16 = half_tensor(Shape{2, 4}, x), w16 = half_tensor(Shape{4, 3}, w),
               b16 = half_tensor(Shape{3}, b);
  const OpTester m = half_mlp(w16, b16);
  const inlay::Model model = m.load();
  REQUIRE(model.inputs().size() == 1);
  CHECK(model.inputs()[0].dtype == DType::f16);
  CHECK(model.outputs()[0].dtype == DType::f16);
  CHECK(model.summary().planned_op_counts.at("Cast") == 2);  // one at the input, one at the output

  // The reference: the f16 values widened, everything in float, one rounding at the end.
  const std::vector<float> xf = as_floats(x16), wf = as_floats(w16), bf = as_floats(b16);
  std::vector<float> want(6);
  for (int r = 0; r < 2; ++r) {
    float z[3], top = -INFINITY, sum = 0;
    for (int c = 0; c < 3; ++c) {
      float acc = bf[c];
      for (int k = 0; k < 4; ++k) acc += xf[r * 4 + k] * wf[k * 3 + c];
      z[c] = std::max(acc, 0.0f);
      top = std::max(top, z[c]);
    }
    for (float& v : z) sum += (v = std::exp(v - top));
    for (int c = 0; c < 3; ++c) want[r * 3 + c] = to_float(to_float16(z[c] / sum));
  }
  inlay_test::for_each_cpu_target([&] {
    const Tensor y = m.run1({x16});
    REQUIRE(y.dtype() == DType::f16);
    const std::vector<float> got = as_floats(y);
    // One f16 step at most: the kernels' float sums may round differently from the loop above.
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-3));
  });
}

TEST_CASE("Casts to f16 inside an f32 model compute in f32", "[graph/float16]") {
  // y = Cast<f32>(Cast<f16>(x) * k), k an f16 constant of 0.1 (0.0999755859375 in f16).
  OpTester m;
  m.opset(17)
      .input("x", DType::f32, {3})
      .init("k", half_tensor(Shape{1}, {0.1f}))
      .node("Cast", {"x"}, {"h"}, {attr_int("to", inlay_test::onnx_type(DType::f16))})
      .node("Mul", {"h", "k"}, {"p"})
      .node("Cast", {"p"}, {"y"}, {attr_int("to", inlay_test::onnx_type(DType::f32))})
      .output("y", DType::f32, {3});
  const Tensor y = m.run1({inlay_test::make_tensor<float>(Shape{3}, {1.0f, 3.0f, 1000.0f})});
  const float k = to_float(to_float16(0.1f));
  CHECK(y.data<float>()[0] == k);
  CHECK(y.data<float>()[1] == 3.0f * k);
  CHECK(y.data<float>()[2] == 1000.0f * k);  // 99.9755859375: not rounded to f16 (99.9375)
}

TEST_CASE("A graph that only converts f16 keeps it", "[graph/float16]") {
  // Cast(f64 -> f16) must round once: lifting it to f32 would round twice.
  OpTester m;
  m.opset(17)
      .input("x", DType::f64, {1})
      .node("Cast", {"x"}, {"y"}, {attr_int("to", inlay_test::onnx_type(DType::f16))})
      .output("y", DType::f16, {1});
  CHECK(m.load().summary().planned_op_counts.at("Cast") == 1);
  // 1 + 2^-11 + 2^-40 lies just above the midpoint between two f16 values: rounds up once; via
  // f32 it would first round to the midpoint and then to even (down).
  const double x = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  const Tensor y = m.run1({inlay_test::make_tensor<double>(Shape{1}, {x})});
  CHECK(to_float(y.data<float16>()[0]) == 1.0f + std::ldexp(1.0f, -10));
}

TEST_CASE("f16 constants inside subgraphs compute in f32", "[graph/float16]") {
  // If(c): then x * 2, else x - k, k an f16 initializer of the branch; x and y are f16.
  OpTester then_branch;
  then_branch.init("two", half_tensor(Shape{1}, {2.0f}))
      .node("Mul", {"x", "two"}, {"t"})
      .output("t", DType::f16);
  OpTester else_branch;
  else_branch.init("k", half_tensor(Shape{1}, {0.5f}))
      .node("Sub", {"x", "k"}, {"e"})
      .output("e", DType::f16);
  OpTester m;
  m.opset(17)
      .input("c", DType::boolean, {})
      .input("x", DType::f16, {2})
      .node("If", {"c"}, {"y"},
            {attr_graph("then_branch", then_branch, "then"),
             attr_graph("else_branch", else_branch, "else")})
      .output("y", DType::f16, {2});
  const Tensor x = half_tensor(Shape{2}, {1.5f, -3.0f});
  const auto run = [&](bool c) {
    return as_floats(m.run1({inlay_test::make_tensor<bool>(Shape{}, {c}), x}));
  };
  CHECK(run(true) == std::vector<float>{3.0f, -6.0f});
  CHECK(run(false) == std::vector<float>{1.0f, -3.5f});
}
