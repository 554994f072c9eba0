// Graph-door tests of the quantize-family operators (include/inlay/graph/ops/quantize.hpp):
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear, per tensor and per axis, with
// constant and fed scales, and the errors that name what is wrong.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "reference/quantize.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;

namespace {

template <class T>
inlay::Tensor scalar(int v) {
  return make_tensor<T, int>(Shape{}, {v});
}

// x [2, 3, 4] quantized per index of `axis` with the scales and zero points of that axis, by the
// reference formula element by element.
template <class Q>
inlay::Tensor quantize_per_axis(const std::vector<float>& x, const std::vector<std::int64_t>& dims,
                                std::size_t axis, const std::vector<float>& scale,
                                const std::vector<int>& zero) {
  inlay::Tensor y(inlay::dtype_of_v<Q>, Shape(dims.data(), dims.size()));
  std::int64_t inner = 1;
  for (std::size_t d = axis + 1; d < dims.size(); ++d) inner *= dims[d];
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto c = static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % dims[axis]);
    y.data<Q>()[i] = inlay_ref::quantize(x[i], scale[c], static_cast<Q>(zero[c]));
  }
  return y;
}

}  // namespace

TEST_CASE("QuantizeLinear per tensor: ties to even, saturation, NaN", "[graph/ops/quantize]") {
  // By hand, scale 2, zero point 128: 3/2 = 1.5 -> 2, 5/2 = 2.5 -> 2, 7/2 = 3.5 -> 4.
  const auto x = f32s({0, 2, 3, 1000, -254, -1000, 5, 7, kNaN});
  const auto want = make_tensor<std::uint8_t>({9}, {128, 129, 130, 255, 1, 0, 130, 132, 128});
  OpTester("QuantizeLinear")
      .in(x)
      .constant(scalar_f32(2))
      .constant(scalar<std::uint8_t>(128))
      .check({want});
  OpTester("QuantizeLinear").in(x).in(scalar_f32(2)).in(scalar<std::uint8_t>(128)).check({want});
  OpTester("QuantizeLinear", 10)
      .in(x)
      .constant(scalar_f32(2))
      .constant(scalar<std::uint8_t>(128))
      .check({want});
  // int8, scale 0.5, zero point -3: 1.25 / 0.5 = 2.5 -> 2, -2.5 -> -2, 0.75 / 0.5 = 1.5 -> 2.
  OpTester("QuantizeLinear")
      .in(f32s({1.25f, -1.25f, 100, -100, 0.75f}))
      .constant(scalar_f32(0.5f))
      .constant(scalar<std::int8_t>(-3))
      .check({make_tensor<std::int8_t>({5}, {-1, -5, 127, -128, -1})});
  // No zero point: uint8 with zero point 0.
  OpTester("QuantizeLinear")
      .in(f32s({-1, 0.4f, 0.5f, 0.6f, 1.5f, 300}))
      .constant(scalar_f32(1))
      .check({make_tensor<std::uint8_t>({6}, {0, 0, 0, 1, 2, 255})});
}

TEST_CASE("QuantizeLinear and DequantizeLinear per axis", "[graph/ops/quantize]") {
  const std::vector<std::int64_t> dims{2, 3, 4};
  std::vector<float> xv = random_floats(24, 5, -60.0f, 60.0f);
  xv[3] = 10.0f;  // 10 / 4 = 2.5: a tie
  const auto x = make_tensor<float>(Shape{2, 3, 4}, xv);
  const std::vector<float> s3{0.5f, 2.0f, 4.0f}, s4{1.0f, 0.25f, 3.0f, 4.0f};
  const auto s3t = make_tensor<float>(Shape{3}, s3), s4t = make_tensor<float>(Shape{4}, s4);
  // Default axis 1, uint8.
  const std::vector<int> z3{0, 100, 255};
  const auto z3t = make_tensor<std::uint8_t, int>(Shape{3}, {0, 100, 255});
  OpTester("QuantizeLinear")
      .in(x)
      .constant(s3t)
      .constant(z3t)
      .check({quantize_per_axis<std::uint8_t>(xv, dims, 1, s3, z3)});
  OpTester("QuantizeLinear")
      .in(x)
      .in(s3t)
      .in(z3t)
      .check({quantize_per_axis<std::uint8_t>(xv, dims, 1, s3, z3)});
  // axis -1, int8.
  const std::vector<int> z4{-128, 0, 5, 127};
  const auto z4t = make_tensor<std::int8_t, int>(Shape{4}, {-128, 0, 5, 127});
  const auto q4 = quantize_per_axis<std::int8_t>(xv, dims, 3 - 1, s4, z4);
  OpTester("QuantizeLinear")
      .in(x)
      .constant(s4t)
      .constant(z4t)
      .attr("axis", std::int64_t{-1})
      .check({q4});
  // Dequantize q4 back, per axis, against (q - z) * s by hand.
  std::vector<float> back(24);
  for (std::size_t i = 0; i < 24; ++i) {
    back[i] = static_cast<float>(q4.data<std::int8_t>()[i] - z4[i % 4]) * s4[i % 4];
  }
  OpTester("DequantizeLinear")
      .in(q4)
      .constant(s4t)
      .constant(z4t)
      .attr("axis", std::int64_t{2})
      .check({make_tensor<float>(Shape{2, 3, 4}, back)}, {0, 0});
  OpTester("DequantizeLinear")
      .in(q4)
      .in(s4t)
      .in(z4t)
      .attr("axis", std::int64_t{-1})
      .check({make_tensor<float>(Shape{2, 3, 4}, back)}, {0, 0});
}

TEST_CASE("DequantizeLinear per tensor for uint8, int8 and int32", "[graph/ops/quantize]") {
  OpTester("DequantizeLinear")
      .in(make_tensor<std::uint8_t>({4}, {0, 3, 128, 255}))
      .constant(scalar_f32(2))
      .constant(scalar<std::uint8_t>(128))
      .check({f32s({-256, -250, 0, 254})}, {0, 0});
  OpTester("DequantizeLinear")
      .in(make_tensor<std::int8_t, int>({3}, {-128, 0, 127}))
      .in(scalar_f32(0.5f))
      .in(scalar<std::int8_t>(-1))
      .check({f32s({-63.5f, 0.5f, 64})}, {0, 0});
  // No zero point, uint8 and int32.
  OpTester("DequantizeLinear")
      .in(make_tensor<std::uint8_t>({2}, {7, 255}))
      .constant(scalar_f32(0.5f))
      .check({f32s({3.5f, 127.5f})}, {0, 0});
  OpTester("DequantizeLinear")
      .in(make_tensor<std::int32_t>({3}, {-5, 0, 1000000}))
      .constant(scalar_f32(0.5f))
      .check({f32s({-2.5f, 0, 500000})}, {0, 0});
  OpTester("DequantizeLinear")
      .in(make_tensor<std::int32_t>({3}, {-5, 0, 7}))
      .constant(scalar_f32(0.5f))
      .constant(scalar<std::int32_t>(0))
      .check({f32s({-2.5f, 0, 3.5f})}, {0, 0});
}

TEST_CASE("DynamicQuantizeLinear", "[graph/ops/quantize]") {
  // The ONNX formulas, in float: the range widened to hold 0.
  auto expect = [](const std::vector<float>& xv, float lo, float hi) {
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    const float scale = (hi - lo) / 255.0f;
    const double zf = std::min(255.0, std::max(0.0, static_cast<double>(0.0f - lo / scale)));
    const auto zero = static_cast<std::uint8_t>(inlay_ref::round_half_even(zf));
    std::vector<std::uint8_t> y = inlay_ref::quantize(xv, scale, zero);
    return std::vector<inlay::Tensor>{
        make_tensor<std::uint8_t>(Shape{static_cast<std::int64_t>(xv.size())}, y),
        scalar_f32(scale), make_tensor<std::uint8_t>(Shape{}, {zero})};
  };
  auto dql = [](const std::vector<float>& xv) {
    OpTester t("DynamicQuantizeLinear", 11);
    t.in(make_tensor<float>(Shape{static_cast<std::int64_t>(xv.size())}, xv)).outputs(3);
    return t;
  };
  const std::vector<float> a{0, 2, -3, -2.5f, 1.34f, 0.5f};
  dql(a).check(expect(a, -3, 2), {0, 0});
  const std::vector<float> neg{-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f};
  dql(neg).check(expect(neg, -4, 0), {0, 0});
  std::vector<float> r = random_floats(37, 9, -2.0f, 7.0f);
  float lo = r[0], hi = r[0];
  for (float v : r) lo = std::min(lo, v), hi = std::max(hi, v);
  dql(r).check(expect(r, lo, hi), {0, 0});
  // By hand, with ranges of 255 (scale 1, exact): 127.5 rounds to the zero point 128 and
  // 126.5 to 126 (ties to even). NaN and the infinities stay out of the range (NaN -> the zero
  // point, +-inf saturate).
  const float inf = std::numeric_limits<float>::infinity();
  dql({kNaN, 127.5f, -127.5f, inf, -inf})
      .check({make_tensor<std::uint8_t>({5}, {128, 255, 0, 255, 0}), scalar_f32(1),
              make_tensor<std::uint8_t>(Shape{}, {128})},
             {0, 0});
  dql({-126.5f, 128.5f, 1.0f})
      .check({make_tensor<std::uint8_t>({3}, {0, 254, 127}), scalar_f32(1),
              make_tensor<std::uint8_t>(Shape{}, {126})},
             {0, 0});
  // All zeros: scale 1 (as ONNX Runtime), zero point 0.
  dql({0, 0, 0}).check({make_tensor<std::uint8_t>({3}, {0, 0, 0}), scalar_f32(1),
                        make_tensor<std::uint8_t>(Shape{}, {0})},
                       {0, 0});
}

TEST_CASE("the quantize ops name what is wrong", "[graph/ops/quantize]") {
  const auto x = f32s({1, 2, 3});
  auto q = [&](const inlay::Tensor& scale, const inlay::Tensor& zero) {
    OpTester t("QuantizeLinear");
    t.in(x).constant(scale).constant(zero);
    return t;
  };
  // Constant parameters: at load.
  q(scalar_f32(0), scalar<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model,
                         "y_scale holds 0.000000 (element 0); a scale "
                         "must be finite and > 0");
  q(f32s({1, -2, 1}), make_tensor<std::uint8_t>({3}, {0, 0, 0}))
      .expect_load_error(ErrorKind::invalid_model, "must be finite and > 0");
  q(scalar_f32(kNaN), scalar<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "must be finite and > 0");
  q(scalar_f32(std::numeric_limits<float>::infinity()), scalar<std::uint8_t>(0))
      .expect_load_error(ErrorKind::invalid_model, "must be finite and > 0");
  q(scalar_f32(1), scalar<std::int32_t>(0))
      .expect_load_error(ErrorKind::unsupported_op,
                         "y_zero_point has dtype i32; uint8 or int8 expected");
  q(f32s({1, 2, 3}), make_tensor<std::uint8_t>({2}, {0, 0}))
      .expect_load_error(ErrorKind::shape_mismatch,
                         "y_scale [3] and y_zero_point [2] must have the same shape");
  OpTester("QuantizeLinear", 10)
      .in(x)
      .constant(f32s({1, 2, 3}))
      .constant(make_tensor<std::uint8_t>({3}, {0, 0, 0}))
      .expect_load_error(ErrorKind::invalid_model, "per-axis quantization needs opset 13");
  CHECK_THAT(q(scalar_f32(0), scalar<std::uint8_t>(0)).load_error(ErrorKind::invalid_model),
             Catch::Matchers::Contains("QuantizeLinear"));  // the node is named
  // Fed parameters: at run.
  OpTester("QuantizeLinear")
      .in(x)
      .in(scalar_f32(-1))
      .expect_run_error(ErrorKind::invalid_model, "y_scale holds -1.000000");
  // Per axis: the scale's length against the axis, the axis against the rank.
  const auto x23 = make_tensor<float>(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  OpTester("QuantizeLinear")
      .in(x23)
      .constant(f32s({1, 2}))
      .constant(make_tensor<std::uint8_t>({2}, {0, 0}))
      .expect_run_error(ErrorKind::shape_mismatch,
                        "y_scale has 2 elements but axis 1 of x [2, 3] has 3");
  OpTester("QuantizeLinear")
      .in(x23)
      .constant(f32s({1, 2}))
      .attr("axis", std::int64_t{2})
      .expect_run_error(ErrorKind::invalid_model, "axis 2 is out of range for rank 2");
  // DequantizeLinear.
  const auto xu = make_tensor<std::uint8_t>({3}, {1, 2, 3});
  OpTester("DequantizeLinear")
      .in(xu)
      .constant(scalar_f32(1))
      .constant(scalar<std::int8_t>(0))
      .expect_run_error(ErrorKind::invalid_model, "x_zero_point has dtype i8 but x has u8");
  OpTester("DequantizeLinear")
      .in(xu)
      .constant(scalar_f32(-3))
      .expect_load_error(ErrorKind::invalid_model, "x_scale holds -3.000000");
  OpTester("DequantizeLinear")
      .in(xu)
      .constant(scalar_f32(1))
      .constant(make_tensor<std::int16_t>(Shape{}, {0}))
      .expect_load_error(ErrorKind::unsupported_op,
                         "x_zero_point has dtype i16; uint8, int8 or int32 expected");
  OpTester("DequantizeLinear")
      .in(make_tensor<std::int32_t>({1}, {5}))
      .constant(scalar_f32(1))
      .constant(scalar<std::int32_t>(3))
      .expect_run_error(ErrorKind::invalid_model, "the zero point of an int32 x must be 0");
  OpTester("DequantizeLinear")
      .in(x)
      .constant(scalar_f32(1))
      .expect_run_error(ErrorKind::unsupported_op,
                        "x has dtype f32; uint8, int8 or int32 expected");
  OpTester("DequantizeLinear")
      .in(make_tensor<std::uint8_t>(Shape{2, 3}, {1, 2, 3, 4, 5, 6}))
      .constant(f32s({1, 2, 3, 4}))
      .attr("axis", std::int64_t{1})
      .expect_run_error(ErrorKind::shape_mismatch, "x_scale has 4 elements but axis 1");
  OpTester("DynamicQuantizeLinear", 11)
      .in(make_tensor<std::uint8_t>({1}, {1}))
      .outputs(3)
      .expect_load_error(ErrorKind::unsupported_op, "x (input 0) has dtype u8");
}

TEST_CASE("QuantizeLinear and DequantizeLinear opsets 19 and 21: float16, int16, uint16",
          "[graph/ops/quantize]") {
  using inlay::float16;
  using inlay::to_float16;
  auto f16s = [](std::initializer_list<float> v) {
    std::vector<float16> h;
    for (float x : v) h.push_back(to_float16(x));
    return make_tensor<float16>(Shape{static_cast<std::int64_t>(v.size())}, h);
  };
  // Opset 19: float16 x and scale, computed in float (3 / 2 = 1.5 -> 2, ties to even).
  OpTester("QuantizeLinear", 19)
      .in(f16s({0, 2, 3, 5, 1000, -254}))
      .constant(make_tensor<float16>(Shape{}, {to_float16(2)}))
      .constant(scalar<std::uint8_t>(128))
      .check({make_tensor<std::uint8_t>({6}, {128, 129, 130, 130, 255, 1})});
  // Opset 21: int16 and uint16 (scalar loops), ties to even, saturation, NaN -> zero point.
  const auto x = f32s({0, 3, 5, 1e6f, -1e6f, kNaN});
  OpTester("QuantizeLinear", 21)
      .in(x)
      .constant(scalar_f32(2))
      .constant(scalar<std::int16_t>(-1000))
      .check({make_tensor<std::int16_t, int>({6}, {-1000, -998, -998, 32767, -32768, -1000})});
  OpTester("QuantizeLinear", 21)
      .in(x)
      .in(scalar_f32(2))
      .in(scalar<std::uint16_t>(30000))
      .check({make_tensor<std::uint16_t, int>({6}, {30000, 30002, 30002, 65535, 0, 30000})});
  // output_dtype (INT16 = 5) without a zero point.
  OpTester("QuantizeLinear", 21)
      .in(f32s({3, -3, 40000}))
      .constant(scalar_f32(1))
      .attr("output_dtype", std::int64_t{5})
      .check({make_tensor<std::int16_t, int>({3}, {3, -3, 32767})});
  // saturate (opset 19) only concerns float8: accepted, no effect on integers.
  OpTester("QuantizeLinear", 19)
      .in(f32s({300}))
      .constant(scalar_f32(1))
      .constant(scalar<std::uint8_t>(0))
      .attr("saturate", std::int64_t{0})
      .check({make_tensor<std::uint8_t>({1}, {255})});
  OpTester("DequantizeLinear", 21)
      .in(make_tensor<std::int16_t, int>({3}, {-32768, 0, 32767}))
      .constant(scalar_f32(0.5f))
      .constant(scalar<std::int16_t>(-2))
      .check({f32s({-16383, 1, 16384.5f})}, {0, 0});
  OpTester("DequantizeLinear", 21)
      .in(make_tensor<std::uint16_t, int>({2}, {0, 65535}))
      .in(scalar_f32(1))
      .in(scalar<std::uint16_t>(1))
      .check({f32s({-1, 65534})}, {0, 0});
  // Opset 19: a float16 scale gives a float16 y.
  OpTester("DequantizeLinear", 19)
      .in(make_tensor<std::uint8_t>({3}, {0, 128, 255}))
      .constant(make_tensor<float16>(Shape{}, {to_float16(0.5f)}))
      .constant(scalar<std::uint8_t>(128))
      .check({f16s({-64, 0, 63.5f})}, {0, 0});
  // Per axis at opset 21 with int16.
  OpTester("DequantizeLinear", 21)
      .in(make_tensor<std::int16_t, int>({2, 2}, {10, 10, 10, 10}))
      .constant(f32s({1, 2}))
      .constant(make_tensor<std::int16_t, int>({2}, {0, 5}))
      .attr("axis", std::int64_t{1})
      .check({make_tensor<float>(Shape{2, 2}, {10, 10, 10, 10})}, {0, 0});
  // Blocked (opset 21): x [2, 5] in blocks of 2 along axis 1, so scales [2, 3] (the last block
  // holds one element). By hand, row 0: 1 / 1, 3 / 1, 5 / 2 = 2.5 -> 2 (+10), 7 / 2 = 3.5 -> 4
  // (+10), 9 / 4 = 2.25 -> 2 (+20); row 1 likewise with its own pairs.
  const auto xb = make_tensor<float>(Shape{2, 5}, {1, 3, 5, 7, 9, 8, 12, 20, 24, 300});
  const auto sb = make_tensor<float>(Shape{2, 3}, {1, 2, 4, 4, 8, 16});
  const auto zb = make_tensor<std::uint8_t>(Shape{2, 3}, {0, 10, 20, 20, 30, 40});
  const auto qb = make_tensor<std::uint8_t>(Shape{2, 5}, {1, 3, 12, 14, 22, 22, 23, 32, 33, 59});
  OpTester("QuantizeLinear", 21)
      .in(xb)
      .constant(sb)
      .constant(zb)
      .attr("axis", std::int64_t{1})
      .attr("block_size", std::int64_t{2})
      .check({qb});
  OpTester("QuantizeLinear", 21)  // fed at run, int8, axis 0 in blocks of 2: one pair per column
      .in(make_tensor<float>(Shape{2, 2}, {1, -3, 5, 7}))
      .in(make_tensor<float>(Shape{1, 2}, {2, 1}))
      .in(make_tensor<std::int8_t, int>(Shape{1, 2}, {-1, 3}))
      .attr("axis", std::int64_t{0})
      .attr("block_size", std::int64_t{2})
      .check({make_tensor<std::int8_t, int>(Shape{2, 2}, {-1, 0, 1, 10})});
  // Back: (q - zero) * scale of each element's block.
  OpTester("DequantizeLinear", 21)
      .in(qb)
      .constant(sb)
      .constant(zb)
      .attr("axis", std::int64_t{1})
      .attr("block_size", std::int64_t{2})
      .check({make_tensor<float>(Shape{2, 5}, {1, 3, 4, 8, 8, 8, 12, 16, 24, 304})}, {0, 0});
}

TEST_CASE("QuantizeLinear and DequantizeLinear refuse what opsets 19 and 21 add that inlay lacks",
          "[graph/ops/quantize]") {
  const auto x = f32s({1, 2, 3, 4});
  // int16 before opset 21.
  OpTester("QuantizeLinear", 19)
      .in(x)
      .constant(scalar_f32(1))
      .constant(scalar<std::int16_t>(0))
      .expect_load_error(ErrorKind::unsupported_op,
                         "y_zero_point has dtype i16; uint8 or int8 expected");
  // float16 before opset 19.
  OpTester("DequantizeLinear", 13)
      .in(make_tensor<std::uint8_t>({1}, {1}))
      .constant(make_tensor<inlay::float16>(Shape{}, {inlay::to_float16(1)}))
      .expect_load_error(ErrorKind::unsupported_op, "x_scale has dtype f16; float expected");
  // Blocked quantization with a scale that does not fit x, a zero point of another shape, a
  // negative block size.
  OpTester("QuantizeLinear", 21)
      .in(make_tensor<float>(Shape{2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))
      .constant(make_tensor<float>(Shape{2, 3}, {1, 1, 1, 1, 1, 1}))
      .attr("axis", std::int64_t{1})
      .attr("block_size", std::int64_t{2})
      .expect_run_error(ErrorKind::shape_mismatch,
                        "y_scale [2, 3] does not fit x [2, 4] in blocks of 2 along axis 1");
  OpTester("DequantizeLinear", 21)
      .in(make_tensor<std::uint8_t>({2, 2}, {1, 2, 3, 4}))
      .constant(make_tensor<float>(Shape{2, 1}, {1, 1}))
      .constant(make_tensor<std::uint8_t>({2}, {0, 0}))
      .attr("block_size", std::int64_t{2})
      .expect_load_error(ErrorKind::shape_mismatch, "x_scale [2, 1] and x_zero_point [2]");
  OpTester("DequantizeLinear", 21)
      .in(make_tensor<std::uint8_t>({2}, {1, 2}))
      .constant(scalar_f32(1))
      .attr("block_size", std::int64_t{-2})
      .expect_load_error(ErrorKind::invalid_model, "block_size -2 is negative");
  // float8 and int4 output types, named by output_dtype ...
  OpTester("QuantizeLinear", 21)
      .in(x)
      .constant(scalar_f32(1))
      .attr("output_dtype", std::int64_t{17})
      .expect_load_error(ErrorKind::unsupported_op, "output_dtype FLOAT8E4M3FN is not supported");
  OpTester("QuantizeLinear", 21)
      .in(x)
      .constant(scalar_f32(1))
      .attr("output_dtype", std::int64_t{22})
      .expect_load_error(ErrorKind::unsupported_op, "output_dtype INT4 is not supported");
  OpTester("QuantizeLinear", 21)
      .in(x)
      .constant(scalar_f32(1))
      .constant(scalar<std::int8_t>(0))
      .attr("output_dtype", std::int64_t{2})
      .expect_load_error(ErrorKind::invalid_model,
                         "y_zero_point has dtype i8 but output_dtype is u8");
  // ... or by a zero point of that type: the message names the tensor and the node reading it.
  const Pb zero_f8 = Pb().u(2, 17).s(8, "zp").s(9, std::string(1, '\0'));
  const std::string m = OpTester("QuantizeLinear", 19)
                            .in(x)
                            .constant(scalar_f32(1))
                            .init_proto("zp", zero_f8)
                            .load_error(ErrorKind::unsupported_op);
  CHECK_THAT(m, Catch::Matchers::Contains(
                    "tensor 'zp', read by node 'n' (QuantizeLinear), has element type "
                    "FLOAT8E4M3FN, which inlay does not support"));
  const Pb zero_u4 = Pb().u(2, 21).s(8, "zp").s(9, std::string(1, '\0'));
  OpTester("DequantizeLinear", 21)
      .in(make_tensor<std::uint8_t>({1}, {1}))
      .constant(scalar_f32(1))
      .init_proto("zp", zero_u4)
      .expect_load_error(ErrorKind::unsupported_op, "has element type UINT4");
}
