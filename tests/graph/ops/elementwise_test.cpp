// Graph-door tests of the elementwise operators (include/inlay/graph/ops/elementwise.hpp) beyond
// the official node tests: integer and half dtypes, broadcasting edge cases, the f32 kernel path
// against the scalar path, and the errors for bad attributes, dtypes and shapes.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::strings;
using inlay_test::values_of;

namespace {

OpTester binary(const std::string& op, DType a, DType b, std::int64_t opset = 17) {
  return std::move(OpTester(op, opset).input("a", a).input("b", b).output("y"));
}
OpTester unary(const std::string& op, DType x, std::int64_t opset = 17) {
  return std::move(OpTester(op, opset).input("x", x).output("y"));
}

}  // namespace

TEST_CASE("integer arithmetic broadcasts, wraps on overflow and gives 0 for x / 0",
          "[graph/ops/elementwise]") {
  const Tensor a =
      make_tensor<std::int32_t>({2, 3}, {1, -7, 9, std::numeric_limits<std::int32_t>::max(), 0,
                                         std::numeric_limits<std::int32_t>::min()});
  const Tensor b = make_tensor<std::int32_t>({3}, {2, 0, -1});
  auto out = binary("Add", DType::i32, DType::i32).run({a, b});
  CHECK(out[0].shape() == Shape{2, 3});
  CHECK(values_of<std::int32_t>(out[0]) ==
        std::vector<std::int32_t>{3, -7, 8, std::numeric_limits<std::int32_t>::min() + 1, 0,
                                  std::numeric_limits<std::int32_t>::max()});
  out = binary("Div", DType::i32, DType::i32).run({a, b});
  CHECK(values_of<std::int32_t>(out[0]) ==
        std::vector<std::int32_t>{0, 0, -9, std::numeric_limits<std::int32_t>::max() / 2, 0,
                                  std::numeric_limits<std::int32_t>::min()});
  out = binary("Mul", DType::i32, DType::i32).run({a, b});
  CHECK(values_of<std::int32_t>(out[0])[3] == -2);  // INT_MAX * 2 wraps

  const Tensor u = make_tensor<std::uint8_t>({2}, {250, 3});
  const Tensor v = make_tensor<std::uint8_t>({}, {10});
  out = binary("Sub", DType::u8, DType::u8).run({u, v});
  CHECK(out[0].shape() == Shape{2});
  CHECK(values_of<std::uint8_t>(out[0]) == std::vector<std::uint8_t>{240, 249});
}

TEST_CASE("broadcasting: scalars, empty tensors and shapes that do not fit",
          "[graph/ops/elementwise]") {
  const Tensor s = make_tensor<float>({}, {2.0f});
  auto out = binary("Mul", DType::f32, DType::f32).run({s, s});
  CHECK(out[0].rank() == 0);
  CHECK(out[0].data<float>()[0] == 4.0f);

  const Tensor empty(DType::f32, Shape{0, 3});
  const Tensor row = make_tensor<float>({1, 3}, {1, 2, 3});
  out = binary("Add", DType::f32, DType::f32).run({empty, row});
  CHECK(out[0].shape() == Shape{0, 3});
  const Tensor empty64(DType::f64, Shape{4, 0});
  out = binary("Add", DType::f64, DType::f64).run({empty64, make_tensor<double>({1}, {1.0})});
  CHECK(out[0].shape() == Shape{4, 0});

  const Tensor bad = make_tensor<float>({2}, {1, 2});
  const std::string msg =
      binary("Add", DType::f32, DType::f32).run_error({row, bad}, ErrorKind::shape_mismatch);
  CHECK_THAT(msg, Contains("[1, 3]") && Contains("[2]") && Contains("Add"));
  const std::string msg64 =
      binary("Sub", DType::i64, DType::i64)
          .run_error({Tensor(DType::i64, Shape{3, 2}), Tensor(DType::i64, Shape{3})},
                     ErrorKind::shape_mismatch);
  CHECK_THAT(msg64, Contains("do not broadcast"));
}

TEST_CASE("binary ops refuse inputs of different dtypes", "[graph/ops/elementwise]") {
  const std::string msg =
      binary("Add", DType::f32, DType::i64)
          .run_error({Tensor(DType::f32, Shape{2}), Tensor(DType::i64, Shape{2})},
                     ErrorKind::invalid_model);
  CHECK_THAT(msg, Contains("f32") && Contains("i64") && Contains("Add"));
  binary("Equal", DType::i32, DType::i64)
      .run_error({Tensor(DType::i32, Shape{2}), Tensor(DType::i64, Shape{2})},
                 ErrorKind::invalid_model);
}

TEST_CASE("unary ops on integers where ONNX defines them, an error where it does not",
          "[graph/ops/elementwise]") {
  const Tensor x = make_tensor<std::int8_t>({5}, {-128, -3, 0, 4, 127});
  CHECK(values_of<std::int8_t>(unary("Abs", DType::i8).run({x})[0]) ==
        std::vector<std::int8_t>{-128, 3, 0, 4, 127});  // |-128| wraps as in two's complement
  CHECK(values_of<std::int8_t>(unary("Neg", DType::i8).run({x})[0]) ==
        std::vector<std::int8_t>{-128, 3, 0, -4, -127});
  CHECK(values_of<std::int8_t>(unary("Sign", DType::i8).run({x})[0]) ==
        std::vector<std::int8_t>{-1, -1, 0, 1, 1});
  CHECK(values_of<std::int8_t>(unary("Relu", DType::i8).run({x})[0]) ==
        std::vector<std::int8_t>{0, 0, 0, 4, 127});
  const Tensor big = make_tensor<std::int64_t>({2}, {-(std::int64_t(1) << 60) - 1, 5});
  CHECK(values_of<std::int64_t>(unary("Abs", DType::i64).run({big})[0]) ==
        std::vector<std::int64_t>{(std::int64_t(1) << 60) + 1, 5});
  const Tensor u = make_tensor<std::uint32_t>({2}, {0, 7});
  CHECK(values_of<std::uint32_t>(unary("Sign", DType::u32).run({u})[0]) ==
        std::vector<std::uint32_t>{0, 1});

  const std::string msg =
      unary("Sin", DType::i32).run_error({Tensor(DType::i32, Shape{2})}, ErrorKind::unsupported_op);
  CHECK_THAT(msg, Contains("i32") && Contains("Sin"));
  unary("Abs", DType::boolean)
      .run_error({Tensor(DType::boolean, Shape{2})}, ErrorKind::unsupported_op);
  unary("Not", DType::f32).run_error({Tensor(DType::f32, Shape{2})}, ErrorKind::unsupported_op);
}

TEST_CASE("f32 activations through the kernel agree with the f64 scalar code",
          "[graph/ops/elementwise]") {
  const std::vector<float> xs = inlay_test::random_floats(97, 7, -6.0f, 6.0f);
  std::vector<double> xd(xs.begin(), xs.end());
  const Tensor xf = Tensor::view(xs.data(), {97});
  const Tensor x64 = Tensor::view(xd.data(), {97});
  for (const char* op :
       {"Relu", "Sigmoid",         "Tanh",        "Exp",       "Erf",   "Softplus", "Elu",
        "Selu", "LeakyRelu",       "HardSigmoid", "HardSwish", "Abs",   "Neg",      "Softsign",
        "Celu", "ThresholdedRelu", "Shrink",      "Floor",     "Round", "Atan"}) {
    INFO(op);
    OpTester f = unary(op, DType::f32);
    OpTester d = unary(op, DType::f64);
    if (std::string(op) == "LeakyRelu" || std::string(op) == "Elu" || std::string(op) == "Celu" ||
        std::string(op) == "ThresholdedRelu") {
      f.attr("alpha", 0.5f);
      d.attr("alpha", 0.5f);
    }
    const std::vector<float> yf = values_of<float>(f.run({xf})[0]);
    const std::vector<double> yd = values_of<double>(d.run({x64})[0]);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      INFO("x = " << xs[i]);
      CHECK(std::fabs(yf[i] - yd[i]) <= 1e-5 + 1e-5 * std::fabs(yd[i]));
    }
  }
}

TEST_CASE("Gelu (opset 20): exact and tanh forms against the formulas in f64",
          "[graph/ops/elementwise]") {
  const std::vector<float> xs = inlay_test::random_floats(97, 11, -6.0f, 6.0f);
  const Tensor x = Tensor::view(const_cast<float*>(xs.data()), {97});
  for (const char* approximate : {"none", "tanh"}) {
    INFO(approximate);
    OpTester g("Gelu", 20);
    g.in(x).attr("approximate", std::string(approximate));
    g.check_with(
        [&](const std::vector<Tensor>&) {
          std::vector<float> want(xs.size());
          for (std::size_t i = 0; i < xs.size(); ++i) {
            const double v = xs[i];
            const double cdf =
                approximate[0] == 'n'
                    ? 0.5 * (1.0 + std::erf(v / std::sqrt(2.0)))
                    : 0.5 * (1.0 + std::tanh(std::sqrt(2.0 / 3.14159265358979323846) *
                                             (v + 0.044715 * v * v * v)));
            want[i] = static_cast<float>(v * cdf);
          }
          return std::vector<Tensor>{make_tensor<float>({97}, want)};
        },
        {1e-5f, 1e-5f});
  }
  OpTester bad("Gelu", 20);
  bad.in(x).attr("approximate", std::string("sigmoid"));
  bad.expect_load_error(inlay::ErrorKind::invalid_model, "neither 'none' nor 'tanh'");
}

TEST_CASE("half floats compute in float and round once", "[graph/ops/elementwise]") {
  using inlay::float16;
  using inlay::to_float;
  using inlay::to_float16;
  const Tensor x =
      make_tensor<float16>({3}, {to_float16(-1.5f), to_float16(0.25f), to_float16(2.0f)});
  auto y = unary("Exp", DType::f16).run({x})[0];
  REQUIRE(y.dtype() == DType::f16);
  for (int i = 0; i < 3; ++i) {
    const float want = std::exp(to_float(x.data<float16>()[i]));
    CHECK(to_float(y.data<float16>()[i]) == to_float(to_float16(want)));
  }
  y = binary("Max", DType::f16, DType::f16)
          .run({x, make_tensor<float16>({1}, {to_float16(0.5f)})})[0];
  CHECK(to_float(y.data<float16>()[0]) == 0.5f);
  CHECK(to_float(y.data<float16>()[2]) == 2.0f);
  const auto lt = binary("Less", DType::f16, DType::f16).run({x, x})[0];
  CHECK(values_of<bool>(lt) == std::vector<bool>{false, false, false});
}

TEST_CASE("Clip: attributes before opset 11, optional inputs after, integers from 12",
          "[graph/ops/elementwise]") {
  const Tensor x = make_tensor<float>({4}, {-3, -0.5f, 0.5f, 3});
  OpTester old = unary("Clip", DType::f32, 6);
  old.attr("min", -1.0f).attr("max", 1.0f);
  CHECK(values_of<float>(old.run({x})[0]) == std::vector<float>{-1, -0.5f, 0.5f, 1});

  const Tensor lo = make_tensor<float>({}, {0.0f});
  OpTester only_min =
      OpTester("Clip", 13).input("x", DType::f32).input("lo", DType::f32).output("y");
  CHECK(values_of<float>(only_min.run({x, lo})[0]) == std::vector<float>{0, 0, 0.5f, 3});
  OpTester only_max =
      OpTester("Clip", 13).input("x", DType::f32).none().input("hi", DType::f32).output("y");
  CHECK(values_of<float>(only_max.run({x, lo})[0]) == std::vector<float>{-3, -0.5f, 0, 0});

  const Tensor xi = make_tensor<std::int64_t>({4}, {-5, 1, 2, 9});
  OpTester ints = OpTester("Clip", 13)
                      .input("x", DType::i64)
                      .input("lo", DType::i64)
                      .input("hi", DType::i64)
                      .output("y");
  CHECK(values_of<std::int64_t>(ints.run(
            {xi, make_tensor<std::int64_t>({}, {0}), make_tensor<std::int64_t>({}, {4})})[0]) ==
        std::vector<std::int64_t>{0, 1, 2, 4});
  // min > max: every element is max (NumPy's minimum(maximum(x, min), max)).
  CHECK(values_of<std::int64_t>(ints.run(
            {xi, make_tensor<std::int64_t>({}, {5}), make_tensor<std::int64_t>({}, {3})})[0]) ==
        std::vector<std::int64_t>{3, 3, 3, 3});

  OpTester mixed = OpTester("Clip", 13)
                       .input("x", DType::i64)
                       .input("lo", DType::i32)
                       .input("hi", DType::i64)
                       .output("y");
  const std::string msg =
      mixed.run_error({xi, make_tensor<std::int32_t>({}, {0}), make_tensor<std::int64_t>({}, {4})},
                      ErrorKind::invalid_model);
  CHECK_THAT(msg, Contains("min has dtype i32"));
  ints.run_error({xi, make_tensor<std::int64_t>({2}, {0, 1}), make_tensor<std::int64_t>({}, {4})},
                 ErrorKind::invalid_model);
  unary("Clip", DType::i32, 10)
      .run_error({Tensor(DType::i32, Shape{2})}, ErrorKind::unsupported_op);
}

TEST_CASE("Mod: Python or C sign, integer x % 0 gives 0, floats need fmod = 1",
          "[graph/ops/elementwise]") {
  const Tensor a = make_tensor<std::int32_t>({4}, {7, -7, 7, -7});
  const Tensor b = make_tensor<std::int32_t>({4}, {3, 3, -3, 0});
  CHECK(values_of<std::int32_t>(binary("Mod", DType::i32, DType::i32).run({a, b})[0]) ==
        std::vector<std::int32_t>{1, 2, -2, 0});
  OpTester c = binary("Mod", DType::i32, DType::i32);
  c.attr("fmod", std::int64_t(1));
  CHECK(values_of<std::int32_t>(c.run({a, b})[0]) == std::vector<std::int32_t>{1, -1, 1, 0});
  const std::string msg =
      binary("Mod", DType::f32, DType::f32)
          .run_error({make_tensor<float>({1}, {1.5f}), make_tensor<float>({1}, {1.0f})},
                     ErrorKind::invalid_model);
  CHECK_THAT(msg, Contains("fmod"));
}

TEST_CASE("BitShift: the direction attribute is checked, wide shifts give 0",
          "[graph/ops/elementwise]") {
  OpTester left = binary("BitShift", DType::u8, DType::u8);
  left.attr("direction", std::string("LEFT"));
  const Tensor x = make_tensor<std::uint8_t>({3}, {1, 3, 255});
  const Tensor s = make_tensor<std::uint8_t>({3}, {7, 1, 8});
  CHECK(values_of<std::uint8_t>(left.run({x, s})[0]) == std::vector<std::uint8_t>{128, 6, 0});
  OpTester right = binary("BitShift", DType::u64, DType::u64);
  right.attr("direction", std::string("RIGHT"));
  CHECK(values_of<std::uint64_t>(right.run({make_tensor<std::uint64_t>({2}, {1024, 5}),
                                            make_tensor<std::uint64_t>({2}, {3, 64})})[0]) ==
        std::vector<std::uint64_t>{128, 0});
  OpTester bad = binary("BitShift", DType::u8, DType::u8);
  bad.attr("direction", std::string("UP"));
  bad.expect_load_error(ErrorKind::invalid_model,
                        "direction 'UP' is not supported (known: 'LEFT', 'RIGHT')");
  binary("BitShift", DType::u8, DType::u8).load_error(ErrorKind::invalid_model);
  OpTester signed_shift = binary("BitShift", DType::i32, DType::i32);
  signed_shift.attr("direction", std::string("LEFT"));
  signed_shift.run_error({Tensor(DType::i32, Shape{1}), Tensor(DType::i32, Shape{1})},
                         ErrorKind::unsupported_op);
}

TEST_CASE("Pow: integer powers are exact, the base's dtype wins", "[graph/ops/elementwise]") {
  const Tensor base = make_tensor<std::int64_t>({4}, {3, -1, 2, 5});
  const Tensor exponent = make_tensor<std::int64_t>({4}, {39, -3, -1, 0});
  CHECK(values_of<std::int64_t>(binary("Pow", DType::i64, DType::i64).run({base, exponent})[0]) ==
        std::vector<std::int64_t>{4052555153018976267LL, -1, 0, 1});
  const Tensor half = make_tensor<float>({1}, {0.5f});
  const auto y =
      binary("Pow", DType::i64, DType::f32).run({make_tensor<std::int64_t>({1}, {16}), half})[0];
  REQUIRE(y.dtype() == DType::i64);
  CHECK(y.data<std::int64_t>()[0] == 4);
  const auto z =
      binary("Pow", DType::f64, DType::i32)
          .run({make_tensor<double>({2}, {2.0, -2.0}), make_tensor<std::int32_t>({1}, {-2})})[0];
  CHECK(values_of<double>(z) == std::vector<double>{0.25, 0.25});
}

TEST_CASE("Sum, Mean, Max, Min broadcast any number of inputs", "[graph/ops/elementwise]") {
  OpTester sum = OpTester("Sum")
                     .input("a", DType::i32)
                     .input("b", DType::i32)
                     .input("c", DType::i32)
                     .output("y");
  const Tensor a = make_tensor<std::int32_t>({2, 1}, {1, 2});
  const Tensor b = make_tensor<std::int32_t>({3}, {10, 20, 30});
  const Tensor c = make_tensor<std::int32_t>({}, {100});
  const auto y = sum.run({a, b, c})[0];
  CHECK(y.shape() == Shape{2, 3});
  CHECK(values_of<std::int32_t>(y) == std::vector<std::int32_t>{111, 121, 131, 112, 122, 132});

  OpTester mean = OpTester("Mean")
                      .input("a", DType::f32)
                      .input("b", DType::f32)
                      .input("c", DType::f32)
                      .output("y");
  const auto m = mean.run({make_tensor<float>({2, 1}, {1, 2}),
                           make_tensor<float>({3}, {10, 20, 30}), make_tensor<float>({}, {3})})[0];
  const std::vector<float> want = {14.0f / 3, 24.0f / 3, 34.0f / 3, 5, 25.0f / 3, 35.0f / 3};
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(m.data<float>()[i] == Approx(want[i]));

  const double nan = std::numeric_limits<double>::quiet_NaN();
  OpTester mx = OpTester("Max").input("a", DType::f64).input("b", DType::f64).output("y");
  const auto z =
      mx.run({make_tensor<double>({3}, {1, nan, 5}), make_tensor<double>({3}, {nan, 2, 4})})[0];
  CHECK(std::isnan(z.data<double>()[0]));
  CHECK(std::isnan(z.data<double>()[1]));
  CHECK(z.data<double>()[2] == 5);
  OpTester mn = OpTester("Min").input("a", DType::u16).output("y");
  CHECK(values_of<std::uint16_t>(mn.run({make_tensor<std::uint16_t>({2}, {4, 9})})[0]) ==
        std::vector<std::uint16_t>{4, 9});
  sum.run_error({a, b, Tensor(DType::i32, Shape{2})}, ErrorKind::shape_mismatch);
  OpTester mixed = OpTester("Sum").input("a", DType::i32).input("b", DType::i64).output("y");
  CHECK_THAT(mixed.run_error({a, make_tensor<std::int64_t>({}, {1})}, ErrorKind::invalid_model),
             Contains("input 1") && Contains("i64"));
}

TEST_CASE("comparisons, logic and Where", "[graph/ops/elementwise]") {
  const Tensor a = make_tensor<std::int64_t>({3}, {1, 5, -2});
  const Tensor b = make_tensor<std::int64_t>({}, {1});
  CHECK(values_of<bool>(binary("Equal", DType::i64, DType::i64).run({a, b})[0]) ==
        std::vector<bool>{true, false, false});
  CHECK(values_of<bool>(binary("GreaterOrEqual", DType::i64, DType::i64).run({a, b})[0]) ==
        std::vector<bool>{true, true, false});
  CHECK(values_of<bool>(binary("Less", DType::i64, DType::i64).run({a, b})[0]) ==
        std::vector<bool>{false, false, true});
  const Tensor p = make_tensor<bool>({2, 1}, {true, false});
  const Tensor q = make_tensor<bool>({2}, {true, false});
  CHECK(values_of<bool>(binary("Xor", DType::boolean, DType::boolean).run({p, q})[0]) ==
        std::vector<bool>{false, true, true, false});
  CHECK(values_of<bool>(binary("Equal", DType::boolean, DType::boolean).run({p, q})[0]) ==
        std::vector<bool>{true, false, false, true});
  binary("And", DType::i32, DType::i32)
      .run_error({Tensor(DType::i32, Shape{1}), Tensor(DType::i32, Shape{1})},
                 ErrorKind::unsupported_op);

  OpTester where = OpTester("Where")
                       .input("c", DType::boolean)
                       .input("x", DType::i64)
                       .input("y", DType::i64)
                       .output("z");
  const auto z = where.run({make_tensor<bool>({2, 1, 1}, {true, false}),
                            make_tensor<std::int64_t>({1, 3}, {1, 2, 3}),
                            make_tensor<std::int64_t>({2, 1}, {-1, -2})})[0];
  CHECK(z.shape() == Shape{2, 2, 3});
  CHECK(values_of<std::int64_t>(z) ==
        std::vector<std::int64_t>{1, 2, 3, 1, 2, 3, -1, -1, -1, -2, -2, -2});
  OpTester where16 = OpTester("Where")
                         .input("c", DType::boolean)
                         .input("x", DType::f16)
                         .input("y", DType::f16)
                         .output("z");
  const auto h = where16.run({make_tensor<bool>({2}, {false, true}), Tensor(DType::f16, Shape{2}),
                              make_tensor<inlay::float16>({}, {inlay::to_float16(3.0f)})})[0];
  CHECK(inlay::to_float(h.data<inlay::float16>()[0]) == 3.0f);
  CHECK(inlay::to_float(h.data<inlay::float16>()[1]) == 0.0f);
  const std::string msg =
      OpTester("Where")
          .input("c", DType::i32)
          .input("x", DType::f32)
          .input("y", DType::f32)
          .output("z")
          .run_error({Tensor(DType::i32, Shape{1}), Tensor(DType::f32, Shape{1}),
                      Tensor(DType::f32, Shape{1})},
                     ErrorKind::unsupported_op);
  CHECK_THAT(msg, Contains("condition"));
}

TEST_CASE("IsInf, IsNaN and PRelu", "[graph/ops/elementwise]") {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = make_tensor<float>({4}, {-inf, 1, inf, std::nanf("")});
  OpTester only_pos = unary("IsInf", DType::f32);
  only_pos.attr("detect_negative", std::int64_t(0));
  CHECK(values_of<bool>(only_pos.run({x})[0]) == std::vector<bool>{false, false, true, false});
  CHECK(values_of<bool>(unary("IsNaN", DType::f32).run({x})[0]) ==
        std::vector<bool>{false, false, false, true});

  const Tensor xi = make_tensor<std::int32_t>({2, 2}, {-4, 4, -6, 6});
  const Tensor slope = make_tensor<std::int32_t>({2, 1}, {2, 3});
  CHECK(values_of<std::int32_t>(binary("PRelu", DType::i32, DType::i32).run({xi, slope})[0]) ==
        std::vector<std::int32_t>{-8, 4, -18, 6});
  // The slope broadcasts to X, never the other way.
  const std::string msg =
      binary("PRelu", DType::f32, DType::f32)
          .run_error({Tensor(DType::f32, Shape{3}), Tensor(DType::f32, Shape{2, 3})},
                     ErrorKind::shape_mismatch);
  CHECK_THAT(msg, Contains("slope"));
}

TEST_CASE("Cast: saturating float to int, NaN to 0, bool and f16; complex refused",
          "[graph/ops/elementwise]") {
  const float nan = std::nanf("");
  const Tensor x = make_tensor<float>({5}, {1e10f, -1e10f, nan, -2.7f, 0.0f});
  OpTester to_i32 = unary("Cast", DType::f32);
  to_i32.attr("to", std::int64_t(6));
  CHECK(values_of<std::int32_t>(to_i32.run({x})[0]) ==
        std::vector<std::int32_t>{std::numeric_limits<std::int32_t>::max(),
                                  std::numeric_limits<std::int32_t>::min(), 0, -2, 0});
  OpTester to_u8 = unary("Cast", DType::f32);
  to_u8.attr("to", std::int64_t(2));
  CHECK(values_of<std::uint8_t>(to_u8.run({x})[0]) == std::vector<std::uint8_t>{255, 0, 0, 0, 0});
  OpTester to_bool = unary("Cast", DType::f32);
  to_bool.attr("to", std::int64_t(9));
  CHECK(values_of<bool>(to_bool.run({x})[0]) == std::vector<bool>{true, true, true, true, false});
  OpTester to_f16 = unary("Cast", DType::i64);
  to_f16.attr("to", std::int64_t(10));
  const auto h = to_f16.run({make_tensor<std::int64_t>({2}, {3, 70000})})[0];
  REQUIRE(h.dtype() == DType::f16);
  CHECK(inlay::to_float(h.data<inlay::float16>()[0]) == 3.0f);
  CHECK(std::isinf(inlay::to_float(h.data<inlay::float16>()[1])));

  OpTester like =
      OpTester("CastLike").input("x", DType::boolean).input("like", DType::f64).output("y");
  const auto d = like.run({make_tensor<bool>({2}, {true, false}), Tensor(DType::f64, Shape{1})})[0];
  CHECK(values_of<double>(d) == std::vector<double>{1.0, 0.0});

  OpTester to_complex = unary("Cast", DType::f32);
  to_complex.attr("to", std::int64_t(14));
  to_complex.expect_load_error(ErrorKind::unsupported_op, "COMPLEX64");
  unary("Cast", DType::f32).load_error(ErrorKind::invalid_model);
}

namespace {
// Cast to the ONNX data type `to` of x, run once.
Tensor cast(const Tensor& x, std::int64_t to) {
  OpTester m = unary("Cast", x.dtype());
  m.attr("to", to);
  return m.run({x})[0];
}
}  // namespace

TEST_CASE("Cast to and from BFLOAT16: exact widening, nearest-even narrowing",
          "[graph/ops/elementwise]") {
  // 1 + 2^-8 is halfway between the bfloat16s 1 and 1 + 2^-7: ties to the even 1 (0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd, 0x3f81) and 1 + 2^-6: up to 0x3f82.
  const float nan = std::nanf("");
  const Tensor x = make_tensor<float>(
      {6}, {1.0f + 1.0f / 256, 1.0f + 3.0f / 256, -2.5f, nan, INFINITY, std::ldexp(1.0f, -130)});
  const Tensor b = cast(x, 16);
  REQUIRE(b.dtype() == DType::bf16);
  const auto* p = b.data<inlay::bfloat16>();
  CHECK(p[0].bits == 0x3f80);
  CHECK(p[1].bits == 0x3f82);
  CHECK(p[2].bits == 0xc020);  // -2.5: sign, exponent 128, mantissa 0x20
  CHECK(std::isnan(inlay::to_float(p[3])));
  CHECK(p[4].bits == 0x7f80);
  CHECK(inlay::to_float(p[5]) == std::ldexp(1.0f, -130));  // a subnormal, kept
  const Tensor back = cast(b, 1);
  CHECK(values_of<float>(back)[1] == 1.0f + 2.0f / 128);
  CHECK(values_of<float>(back)[2] == -2.5f);
  // bf16 -> f16 goes through float: 1 + 2^-6 is a half exactly.
  const Tensor h = cast(b, 10);
  CHECK(inlay::to_float(h.data<inlay::float16>()[1]) == 1.0f + 1.0f / 64);
  // bf16 -> int64 truncates toward zero like every float -> int Cast.
  CHECK(values_of<std::int64_t>(cast(b, 7))[2] == -2);
  // CastLike takes the dtype from its second input.
  OpTester like =
      OpTester("CastLike").input("x", DType::f32).input("like", DType::bf16).output("y");
  CHECK(like.run({x, Tensor(DType::bf16, Shape{1})})[0].data<inlay::bfloat16>()[1].bits == 0x3f82);
}

TEST_CASE("Cast between numbers and STRING follows the ONNX literals and NumPy's text",
          "[graph/ops/elementwise]") {
  const float nan = std::nanf("");
  // The fewest digits that read back as the same float, positional from 1e-4 to 1e16.
  const Tensor x = make_tensor<float>(
      {10}, {0.039187793f, 1.0f, -2.5f, 1e16f, 1.5e-7f, 0.0f, nan, INFINITY, -INFINITY, 123456.0f});
  CHECK(values_of<std::string>(cast(x, 8)) ==
        std::vector<std::string>{"0.039187793", "1.0", "-2.5", "1e+16", "1.5e-07", "0.0", "NaN",
                                 "INF", "-INF", "123456.0"});
  // Each text reads back as the float it came from.
  const Tensor shortest = cast(make_tensor<float>({3}, {0.1f, 0.7229038f, 3.4028235e38f}), 8);
  CHECK(values_of<std::string>(shortest) ==
        std::vector<std::string>{"0.1", "0.7229038", "3.4028235e+38"});
  CHECK(values_of<float>(cast(shortest, 1)) == std::vector<float>{0.1f, 0.7229038f, 3.4028235e38f});
  // Doubles keep their own shortest digits; integers and bools print as integers.
  CHECK(values_of<std::string>(cast(make_tensor<double>({1}, {0.1}), 8))[0] == "0.1");
  CHECK(values_of<std::string>(cast(make_tensor<std::int64_t>({2}, {-7, INT64_MAX}), 8)) ==
        std::vector<std::string>{"-7", "9223372036854775807"});
  CHECK(values_of<std::string>(cast(make_tensor<bool>({2}, {true, false}), 8)) ==
        std::vector<std::string>{"1", "0"});

  // Text to numbers: plain, scientific, the literals in any case, a leading '+'.
  const Tensor s = strings({8}, {"3.14", "1E8", "-1e-5", "+INF", "inf", "-Inf", "nan", "+2"});
  const std::vector<float> f = values_of<float>(cast(s, 1));
  CHECK(f[0] == 3.14f);
  CHECK(f[1] == 1e8f);
  CHECK(f[2] == -1e-5f);
  CHECK((std::isinf(f[3]) && f[3] > 0));
  CHECK((std::isinf(f[4]) && f[4] > 0));
  CHECK((std::isinf(f[5]) && f[5] < 0));
  CHECK(std::isnan(f[6]));
  CHECK(f[7] == 2.0f);
  // Whole numbers go to int64 exactly; fractions truncate; beyond double's range: inf or 0.
  CHECK(values_of<std::int64_t>(cast(strings({3}, {"9007199254740993", "100.5", "-3"}), 7)) ==
        std::vector<std::int64_t>{9007199254740993, 100, -3});
  const std::vector<double> d = values_of<double>(cast(strings({2}, {"1e400", "-1e-400"}), 11));
  CHECK((std::isinf(d[0]) && d[0] > 0));
  CHECK((d[1] == 0 && std::signbit(d[1])));
  // A string to string Cast copies; CastLike to a string tensor's dtype prints.
  CHECK(values_of<std::string>(cast(s, 8)) == values_of<std::string>(s));
  OpTester like =
      OpTester("CastLike").input("x", DType::f32).input("like", DType::string).output("y");
  CHECK(values_of<std::string>(
            like.run({make_tensor<float>({1}, {0.5f}), strings({1}, {"any"})})[0]) ==
        std::vector<std::string>{"0.5"});

  // Text that is no number: an Error naming the element (ONNX leaves it undefined).
  for (const char* bad : {"Hello World!", "", "1.5x", "+-1", "++1"}) {
    OpTester m = unary("Cast", DType::string);
    m.attr("to", std::int64_t(1));
    m.expect_run_error({strings({2}, {"1", bad})}, ErrorKind::invalid_argument,
                       std::string("element 1 '") + bad + "' is not a number");
  }
}

TEST_CASE("Ops not written for strings refuse a string input by name", "[graph/ops/elementwise]") {
  const Tensor s = make_tensor<std::string>({2}, {"a", "b"});
  binary("Add", DType::string, DType::string)
      .expect_run_error({s, s}, ErrorKind::unsupported_op,
                        "input 0 ('a') is a string tensor; this op supports numeric tensors only");
  OpTester reshape("Reshape");
  reshape.input("x", DType::string).init("shape", inlay_test::i64s({2, 1})).output("y");
  reshape.expect_run_error({s}, ErrorKind::unsupported_op, "is a string tensor");
  // Identity copies strings.
  CHECK(values_of<std::string>(unary("Identity", DType::string).run({s})[0]) ==
        std::vector<std::string>{"a", "b"});
}

TEST_CASE("Celu refuses alpha = 0", "[graph/ops/elementwise]") {
  OpTester m = unary("Celu", DType::f32);
  m.attr("alpha", 0.0f);
  m.expect_load_error(ErrorKind::invalid_model, "alpha");
}
