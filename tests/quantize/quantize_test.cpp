// inlay::quantize on small models written here: the QDQ model's structure (per-channel int8
// weights with their scales recomputed here, int32 biases, Q -> DQ pairs on activations with the
// calibrated ranges), that it loads and stays close to the float model, the options (s8,
// percentile, entropy, dynamic, exclude) and the errors for bad input.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::QuantizeOptions;
using inlay::Shape;
using inlay::Tensor;
namespace onnx = inlay::onnx;
using CalibrationSets = std::vector<std::vector<Tensor>>;

namespace {

Tensor random_tensor(const Shape& shape, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> d(0.0f, scale);
  Tensor t(DType::f32, shape);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// x[N,4] -> MatMul W1[4,8] -> Add b1 -> Relu -> Gemm(W2[3,8]^T, b2[3]) -> y[N,3]
std::string mlp_bytes() {
  std::mt19937 rng(7);
  onnx::GraphWriter g("mlp");
  g.add_input("x", DType::f32, {-1, 4}, {"N", ""});
  g.add_output("y", DType::f32, {-1, 3}, {"N", ""});
  g.add_initializer("W1", random_tensor(Shape{4, 8}, rng));
  g.add_initializer("b1", random_tensor(Shape{8}, rng, 0.1f));
  g.add_initializer("W2", random_tensor(Shape{3, 8}, rng));
  g.add_initializer("b2", random_tensor(Shape{3}, rng, 0.1f));
  g.add_node("MatMul", {"x", "W1"}, {"h"}, "matmul0");
  g.add_node("Add", {"h", "b1"}, {"hb"}, "add0");
  g.add_node("Relu", {"hb"}, {"r"}, "relu0");
  g.add_node("Gemm", {"r", "W2", "b2"}, {"y"}, "gemm0").attr("transB", 1);
  return g.model_bytes(13);
}

// x[1,2,6,6] -> Conv W[3,2,3,3] B[3] (pad 1) -> Relu -> MaxPool 2x2 -> y
std::string conv_bytes() {
  std::mt19937 rng(11);
  onnx::GraphWriter g("conv");
  g.add_input("x", DType::f32, {1, 2, 6, 6});
  g.add_output("y", DType::f32, {1, 3, 3, 3});
  g.add_initializer("W", random_tensor(Shape{3, 2, 3, 3}, rng, 0.5f));
  g.add_initializer("B", random_tensor(Shape{3}, rng, 0.1f));
  g.add_node("Conv", {"x", "W", "B"}, {"c"}, "conv0").attr("pads", {1, 1, 1, 1});
  g.add_node("Relu", {"c"}, {"r"}, "relu0");
  g.add_node("MaxPool", {"r"}, {"y"}, "pool0").attr("kernel_shape", {2, 2}).attr("strides", {2, 2});
  return g.model_bytes(13);
}

CalibrationSets sets_for(const Shape& shape, std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  CalibrationSets sets;
  for (std::size_t i = 0; i < count; ++i) sets.push_back({random_tensor(shape, rng)});
  return sets;
}

inlay::QuantizedModel quantize_bytes(const std::string& bytes, const CalibrationSets& sets,
                                     const QuantizeOptions& options = {}) {
  const onnx::ModelProto proto = onnx::parse_model(bytes.data(), bytes.size());
  return inlay::quantize(proto, sets, options);
}

struct ParsedModel {
  std::string bytes;
  onnx::ModelProto model;
  explicit ParsedModel(std::string b) : bytes(std::move(b)) {
    model = onnx::parse_model(bytes.data(), bytes.size());
  }
  const onnx::TensorProto* initializer(const std::string& name) const {
    for (const auto& t : model.graph.initializer)
      if (t.name == name) return &t;
    return nullptr;
  }
  Tensor tensor(const std::string& name) const {
    const onnx::TensorProto* t = initializer(name);
    REQUIRE(t != nullptr);
    return onnx::to_tensor(*t);
  }
  std::size_t count(const std::string& op) const {
    std::size_t n = 0;
    for (const auto& node : model.graph.node) n += node.op_type == op;
    return n;
  }
  const onnx::NodeProto* producer(const std::string& value) const {
    for (const auto& node : model.graph.node)
      for (auto o : node.output)
        if (o == value) return &node;
    return nullptr;
  }
  const onnx::NodeProto* node(const std::string& name) const {
    for (const auto& n : model.graph.node)
      if (n.name == name) return &n;
    return nullptr;
  }
};

std::int64_t axis_of(const onnx::NodeProto& n) {
  for (const auto& a : n.attribute)
    if (a.name == "axis") return a.i;
  return 1;
}

std::vector<Tensor> run(const std::string& bytes, const std::vector<Tensor>& in) {
  inlay::Session s(inlay::Model::copy_from_bytes(bytes.data(), bytes.size()));
  return s.run(in);
}

// The largest |y| of the float model's first output over the sets: errors are judged against it
// (8-bit activations carry about 1/255 of their range; a few such steps add up through layers).
double output_magnitude(const std::string& bytes, const CalibrationSets& sets) {
  double m = 0;
  for (const auto& s : sets) {
    const Tensor y = run(bytes, s)[0];
    for (std::int64_t i = 0; i < y.numel(); ++i)
      m = std::max(m, std::fabs(double(y.data<float>()[i])));
  }
  return m;
}

const inlay::QuantizedTensorInfo* info(const inlay::QuantizeReport& r, const std::string& name) {
  for (const auto& t : r.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

TEST_CASE("quantize: an MLP becomes a QDQ model with per-channel int8 weights",
          "[quantize/quantize]") {
  const std::string float_model = mlp_bytes();
  const CalibrationSets sets = sets_for(Shape{16, 4}, 8, 1);
  const inlay::QuantizedModel q = quantize_bytes(float_model, sets);
  const ParsedModel p(q.bytes);
  const ParsedModel f(float_model);

  int opset = 0;
  for (const auto& o : p.model.opset_import)
    if (o.domain.empty()) opset = static_cast<int>(o.version);
  CHECK(opset == 13);
  CHECK(p.count("QuantizeLinear") >= 3);
  CHECK(p.count("DequantizeLinear") >= p.count("QuantizeLinear") + 3);  // + W1, W2, b2
  CHECK(p.initializer("W1") == nullptr);  // the float weights are gone

  SECTION("MatMul B [4, 8]: int8, one scale per column (axis 1)") {
    const Tensor w = f.tensor("W1");
    const Tensor wq = p.tensor("W1_quantized");
    const Tensor scale = p.tensor("W1_scale");
    REQUIRE(wq.dtype() == DType::i8);
    REQUIRE(scale.shape() == Shape{8});
    CHECK(p.tensor("W1_zero_point").dtype() == DType::i8);
    CHECK(axis_of(*p.producer("W1_dequantized")) == 1);
    for (int c = 0; c < 8; ++c) {
      float m = 0;
      for (int k = 0; k < 4; ++k) m = std::max(m, std::fabs(w.data<float>()[k * 8 + c]));
      CHECK(scale.data<float>()[c] == Approx(m / 127.0f));
      for (int k = 0; k < 4; ++k) {
        const float back = wq.data<std::int8_t>()[k * 8 + c] * scale.data<float>()[c];
        CHECK(std::fabs(back - w.data<float>()[k * 8 + c]) <= scale.data<float>()[c] / 2 + 1e-6f);
      }
    }
  }
  SECTION("Gemm B with transB [3, 8]: one scale per row (axis 0); bias int32 x_scale*w_scale") {
    const Tensor w = f.tensor("W2");
    const Tensor scale = p.tensor("W2_scale");
    REQUIRE(scale.shape() == Shape{3});
    CHECK(axis_of(*p.producer("W2_dequantized")) == 0);
    for (int n = 0; n < 3; ++n) {
      float m = 0;
      for (int k = 0; k < 8; ++k) m = std::max(m, std::fabs(w.data<float>()[n * 8 + k]));
      CHECK(scale.data<float>()[n] == Approx(m / 127.0f));
    }
    const Tensor bq = p.tensor("b2_quantized");
    const Tensor bs = p.tensor("b2_scale");
    REQUIRE(bq.dtype() == DType::i32);
    const float x_scale = p.tensor("r_scale").data<float>()[0];
    const Tensor b = f.tensor("b2");
    for (int n = 0; n < 3; ++n) {
      CHECK(bs.data<float>()[n] == Approx(x_scale * scale.data<float>()[n]));
      CHECK(bq.data<std::int32_t>()[n] ==
            static_cast<std::int32_t>(std::nearbyint(b.data<float>()[n] / bs.data<float>()[n])));
    }
  }
  SECTION("the input's u8 parameters come from the calibration data's range, 0 included") {
    float lo = 0, hi = 0;
    for (const auto& s : sets)
      for (std::int64_t i = 0; i < s[0].numel(); ++i) {
        lo = std::min(lo, s[0].data<float>()[i]);
        hi = std::max(hi, s[0].data<float>()[i]);
      }
    const inlay::QuantizedTensorInfo* x = info(q.report, "x");
    REQUIRE(x != nullptr);
    CHECK(x->min == lo);
    CHECK(x->max == hi);
    CHECK(p.tensor("x_scale").data<float>()[0] == Approx((hi - lo) / 255.0f));
    const Tensor zp = p.tensor("x_zero_point");
    REQUIRE(zp.dtype() == DType::u8);
    CHECK(zp.data<std::uint8_t>()[0] ==
          static_cast<std::uint8_t>(std::nearbyint(-lo / ((hi - lo) / 255.0f))));
    // An intermediate value (MatMul's output, which the loader fuses with Add and Relu) is
    // observed as the float model computes it: its range is that of x W1.
    const Tensor w1 = f.tensor("W1");
    float h_lo = 0, h_hi = 0;
    for (const auto& s : sets)
      for (std::int64_t r = 0; r < s[0].shape()[0]; ++r)
        for (int c = 0; c < 8; ++c) {
          float acc = 0;
          for (int k = 0; k < 4; ++k)
            acc += s[0].data<float>()[r * 4 + k] * w1.data<float>()[k * 8 + c];
          h_lo = std::min(h_lo, acc);
          h_hi = std::max(h_hi, acc);
        }
    const inlay::QuantizedTensorInfo* h = info(q.report, "h");
    REQUIRE(h != nullptr);
    CHECK(h->min == Approx(h_lo).margin(1e-5));
    CHECK(h->max == Approx(h_hi).margin(1e-5));
    // Relu's output is >= 0: zero point 0.
    CHECK(p.tensor("r_zero_point").data<std::uint8_t>()[0] == 0);
  }
  SECTION("it runs in inlay close to the float model, and the report says so") {
    double worst = 0;
    for (const auto& s : sets) {
      const Tensor a = run(float_model, s)[0];
      const Tensor b = run(q.bytes, s)[0];
      for (std::int64_t i = 0; i < a.numel(); ++i)
        worst = std::max(worst, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
    }
    CHECK(worst < 0.03 * output_magnitude(float_model, sets));
    CHECK(worst > 0);  // it did change something
    REQUIRE(q.report.outputs.size() == 1);
    CHECK(q.report.outputs[0].max_abs_error == Approx(worst));
    CHECK(q.report.outputs[0].top1_agreement >= 0.9);
    CHECK(q.report.quantized_nodes.size() == 4);
    CHECK(q.report.quantized_weight_bytes < q.report.float_weight_bytes);
    const std::string text = inlay::to_string(q.report);
    CHECK_THAT(text, Contains("weight     W1  range"));
    CHECK_THAT(text, Contains("output y: max abs error"));
    CHECK_THAT(text, Contains("top-1 agreement"));
  }
}

TEST_CASE("quantize: Conv weights per output channel (axis 0), Relu and MaxPool wrapped",
          "[quantize/quantize]") {
  const std::string float_model = conv_bytes();
  const CalibrationSets sets = sets_for(Shape{1, 2, 6, 6}, 4, 2);
  const inlay::QuantizedModel q = quantize_bytes(float_model, sets);
  const ParsedModel p(q.bytes);
  const Tensor w = ParsedModel(float_model).tensor("W");
  const Tensor scale = p.tensor("W_scale");
  REQUIRE(scale.shape() == Shape{3});
  CHECK(axis_of(*p.producer("W_dequantized")) == 0);
  for (int m = 0; m < 3; ++m) {
    float a = 0;
    for (int i = 0; i < 18; ++i) a = std::max(a, std::fabs(w.data<float>()[m * 18 + i]));
    CHECK(scale.data<float>()[m] == Approx(a / 127.0f));
  }
  CHECK(p.tensor("B_quantized").dtype() == DType::i32);
  // Q -> DQ on x, r and y; none on c, the Conv's output that only the Relu reads (the Relu's
  // pair makes it redundant, as in ORT's quantizer), and y, a graph output, written by its DQ.
  CHECK(p.count("QuantizeLinear") == 3);
  CHECK(p.producer("c")->op_type == "Conv");
  CHECK(p.producer("y")->op_type == "DequantizeLinear");
  // inlay runs Conv + Relu as one QLinearConv and the MaxPool on the u8 values.
  const inlay::Model m = inlay::Model::copy_from_bytes(q.bytes.data(), q.bytes.size());
  const auto& planned = m.summary().planned_op_counts;
  CHECK(planned.count("QLinearConv") == 1);
  CHECK(planned.count("Conv") == 0);
  CHECK(planned.count("Relu") == 0);
  REQUIRE(q.report.outputs.size() == 1);
  CHECK(q.report.outputs[0].max_abs_error < 0.03 * output_magnitude(float_model, sets));
  CHECK(q.report.outputs[0].top1_agreement < 0);  // [1,3,3,3] is not class scores
}

TEST_CASE("quantize: s8 activations", "[quantize/quantize]") {
  QuantizeOptions o;
  o.signed_activations = true;
  const CalibrationSets sets = sets_for(Shape{8, 4}, 4, 3);
  const inlay::QuantizedModel q = quantize_bytes(mlp_bytes(), sets, o);
  const ParsedModel p(q.bytes);
  const Tensor zp = p.tensor("r_zero_point");
  REQUIRE(zp.dtype() == DType::i8);
  CHECK(zp.data<std::int8_t>()[0] == -128);  // Relu output: [0, max] onto [-128, 127]
  CHECK(q.report.outputs[0].max_abs_error < 0.03 * output_magnitude(mlp_bytes(), sets));
}

TEST_CASE("quantize: percentile and entropy ranges lie within minmax's", "[quantize/quantize]") {
  // Calibration data with one far outlier in x.
  CalibrationSets sets = sets_for(Shape{64, 4}, 4, 4);
  sets[0][0].data<float>()[5] = 40.0f;
  const inlay::QuantizedModel minmax = quantize_bytes(mlp_bytes(), sets);
  REQUIRE(info(minmax.report, "x") != nullptr);
  CHECK(info(minmax.report, "x")->max == 40.0f);
  for (auto method : {inlay::quantization::CalibrationMethod::percentile,
                      inlay::quantization::CalibrationMethod::entropy}) {
    QuantizeOptions o;
    o.method = method;
    o.percentile = 99.0;
    const inlay::QuantizedModel q = quantize_bytes(mlp_bytes(), sets, o);
    const inlay::QuantizedTensorInfo* x = info(q.report, "x");
    REQUIRE(x != nullptr);
    CHECK(x->max < 20.0f);  // the outlier is clipped
    CHECK(x->min >= info(minmax.report, "x")->min);
    CHECK(x->min <= 0.0f);
    CHECK(q.report.outputs[0].top1_agreement >= 0.8);
  }
}

TEST_CASE("quantize: dynamic MatMul and Gemm", "[quantize/quantize]") {
  QuantizeOptions o;
  o.dynamic = true;
  const CalibrationSets sets = sets_for(Shape{16, 4}, 4, 5);
  const inlay::QuantizedModel q = quantize_bytes(mlp_bytes(), sets, o);
  const ParsedModel p(q.bytes);
  CHECK(p.count("MatMulInteger") == 2);
  CHECK(p.count("DynamicQuantizeLinear") == 2);
  CHECK(p.count("QuantizeLinear") == 0);
  CHECK(p.count("MatMul") == 0);
  CHECK(p.count("Gemm") == 0);
  CHECK(p.tensor("W2_transposed_quantized").shape() == Shape{8, 3});
  REQUIRE(q.report.outputs.size() == 1);
  CHECK(q.report.outputs[0].max_abs_error < 0.03 * output_magnitude(mlp_bytes(), sets));
  CHECK(q.report.outputs[0].top1_agreement >= 0.9);
  // Without calibration data too (no error measured then).
  const inlay::QuantizedModel bare = quantize_bytes(mlp_bytes(), {}, o);
  CHECK(bare.report.outputs.empty());
  CHECK(run(bare.bytes, sets[0])[0].shape() == Shape{16, 3});
}

TEST_CASE("quantize: excluded nodes stay float", "[quantize/quantize]") {
  QuantizeOptions o;
  o.exclude = {"gemm0"};
  const inlay::QuantizedModel q = quantize_bytes(mlp_bytes(), sets_for(Shape{8, 4}, 2, 6), o);
  const ParsedModel p(q.bytes);
  REQUIRE(p.initializer("W2") != nullptr);
  CHECK(p.initializer("W2_quantized") == nullptr);
  CHECK(p.initializer("W1_quantized") != nullptr);
  const onnx::NodeProto* gemm = p.node("gemm0");
  REQUIRE(gemm != nullptr);
  CHECK(gemm->input[1] == "W2");
  CHECK(gemm->input[2] == "b2");
  CHECK(q.report.excluded_nodes == std::vector<std::string>{"gemm0"});
  CHECK_THAT(inlay::to_string(q.report), Contains("excluded (kept in float): gemm0\n"));
  o.exclude = {"no_such_node"};
  CHECK_THAT(inlay_test::error_of(
                 [&] {
                   quantize_bytes(mlp_bytes(), sets_for(Shape{8, 4}, 1, 6), o);
                 },
                 ErrorKind::invalid_argument),
             Contains("no node named 'no_such_node'"));
}

TEST_CASE("quantize: bad input gives a clear inlay::Error", "[quantize/quantize]") {
  SECTION("a model with no quantizable op") {
    onnx::GraphWriter g("softmax");
    g.add_input("x", DType::f32, {2, 3});
    g.add_output("y", DType::f32, {2, 3});
    g.add_node("Softmax", {"x"}, {"y"});
    CHECK_THAT(inlay_test::error_of(
                   [&] {
                     quantize_bytes(g.model_bytes(13), sets_for(Shape{2, 3}, 1, 1));
                   },
                   ErrorKind::invalid_argument),
               Contains("no op to quantize"));
    QuantizeOptions o;
    o.dynamic = true;
    CHECK_THAT(inlay_test::error_of([&] { quantize_bytes(g.model_bytes(13), {}, o); },
                                    ErrorKind::invalid_argument),
               Contains("no MatMul or Gemm"));
  }
  SECTION("calibration inputs that do not fit the model") {
    CalibrationSets two = {{Tensor(DType::f32, Shape{2, 4}), Tensor(DType::f32, Shape{2, 4})}};
    CHECK_THAT(inlay_test::error_of([&] { quantize_bytes(mlp_bytes(), two); },
                                    ErrorKind::invalid_argument),
               Contains("calibration set 0 has 2 inputs; the model takes 1 ('x')"));
    CalibrationSets wrong_type = {{Tensor(DType::f64, Shape{2, 4})}};
    CHECK_THAT(inlay_test::error_of([&] { quantize_bytes(mlp_bytes(), wrong_type); },
                                    ErrorKind::invalid_argument),
               Contains("calibration set 0, input 'x': got f64"));
    CalibrationSets wrong_shape = sets_for(Shape{2, 5}, 1, 1);
    CHECK_THAT(inlay_test::error_of([&] { quantize_bytes(mlp_bytes(), wrong_shape); },
                                    ErrorKind::invalid_argument),
               Contains("the model declares f32[N,4]"));
  }
  SECTION("a model that is quantized already") {
    const inlay::QuantizedModel q = quantize_bytes(mlp_bytes(), sets_for(Shape{2, 4}, 1, 1));
    CHECK_THAT(inlay_test::error_of(
                   [&] {
                     quantize_bytes(q.bytes, sets_for(Shape{2, 4}, 1, 1));
                   },
                   ErrorKind::invalid_argument),
               Contains("the model is quantized already"));
  }
  SECTION("static quantization without calibration data") {
    CHECK_THAT(
        inlay_test::error_of([&] { quantize_bytes(mlp_bytes(), {}); }, ErrorKind::invalid_argument),
        Contains("needs calibration inputs"));
  }
  SECTION("a percentile out of range") {
    QuantizeOptions o;
    o.method = inlay::quantization::CalibrationMethod::percentile;
    o.percentile = 0;
    inlay_test::error_of(
        [&] {
          quantize_bytes(mlp_bytes(), sets_for(Shape{2, 4}, 1, 1), o);
        },
        ErrorKind::invalid_argument);
  }
  SECTION("a model below opset 13 using an op whose form changed") {
    onnx::GraphWriter g("old");
    g.add_input("x", DType::f32, {1, 4});
    g.add_output("y", DType::f32, {1, 4});
    g.add_node("Clip", {"x"}, {"y"}, "clip0").attr("min", 0.0f).attr("max", 6.0f);
    CHECK_THAT(inlay_test::error_of(
                   [&] {
                     quantize_bytes(g.model_bytes(9), sets_for(Shape{1, 4}, 1, 1));
                   },
                   ErrorKind::unsupported_op),
               Contains("convert the model to opset 13 first"));
  }
}
