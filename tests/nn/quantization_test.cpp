// Quantization from the typed door: fake quantization against QuantizeLinear/DequantizeLinear, the
// straight-through gradient, quantization-aware fine-tuning exported as QDQ (int8 in the graph
// door, ONNX Runtime under the hidden tag [.export_runtime]) and post-training quantization.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <inlay/inlay.hpp>

#include "nn/ort_runtime.hpp"
#include "test_util.hpp"

namespace nn = inlay::nn;

namespace {
using QuantMlp = nn::Sequential<nn::Dense<8, 16>, nn::ReLU, nn::Dense<16, 4>>;
using Nested =
    nn::Sequential<nn::Dense<8, 8>, nn::Residual<nn::Sequential<nn::Dense<8, 8>, nn::ReLU>>,
                   nn::Dense<8, 4>>;

// Rows of 8 features in [-2, 2] labelled by which of 4 fixed directions they are closest to.
struct Problem {
  std::vector<float> x;
  std::vector<std::int64_t> y;
  inlay::Tensor rows() const {
    return inlay::Tensor::view(x.data(), inlay::Shape{static_cast<std::int64_t>(y.size()), 8});
  }
};
Problem make_problem(std::size_t n, std::uint32_t seed) {
  Problem p;
  p.x = inlay_test::random_floats(n * 8, seed, -2.0f, 2.0f);
  for (std::size_t r = 0; r < n; ++r) {
    const float* v = &p.x[r * 8];
    const float score[4] = {v[0] + v[1], v[2] - v[3], v[4] + v[5] - v[6], v[7] - v[0]};
    p.y.push_back(std::max_element(score, score + 4) - score);
  }
  return p;
}

template <class Net>
Net trained(const Problem& p, std::size_t epochs) {
  Net net(64);
  nn::Adam adam(1e-2f);
  nn::FitOptions options;
  options.epochs = epochs;
  options.progress = nullptr;
  nn::fit(net, p.rows(), nn::labels_view(p.y), nn::CrossEntropy(), adam, options);
  return net;
}

std::vector<std::string> planned_ops(const inlay::Model& m) {
  std::vector<std::string> ops;
  for (const auto& kv : m.summary().planned_op_counts) ops.push_back(kv.first);
  return ops;
}
bool has_op(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The outputs of the graph door on `bytes` for rows x.
std::vector<float> run_graph(const std::string& bytes, const inlay::Tensor& x,
                             std::vector<std::string>* ops = nullptr) {
  inlay::Model model = inlay::Model::copy_from_bytes(bytes.data(), bytes.size());
  if (ops != nullptr) *ops = planned_ops(model);
  inlay::Session session(std::move(model));
  const inlay::Tensor y = session.run({x}).at(0);
  return std::vector<float>(y.data<float>(), y.data<float>() + y.numel());
}

// One step of an 8-bit grid over the range of `values`.
float output_step(const std::vector<float>& values) {
  const auto mm = std::minmax_element(values.begin(), values.end());
  return (std::max(*mm.second, 0.0f) - std::min(*mm.first, 0.0f)) / 255.0f;
}
}  // namespace

TEST_CASE("Fake quantization of an activation equals QuantizeLinear then DequantizeLinear",
          "[nn/quantization]") {
  for (const bool is_signed : {false, true}) {
    nn::ActivationQuantizer q;
    q.is_signed = is_signed;
    const std::vector<float> seen = {-0.7f, 2.3f};
    q.observe(seen.data(), seen.size(), false);
    const nn::ActivationGrid g = q.grid();
    // Values beyond the range (saturated), on it, and halfway between grid points.
    std::vector<float> x = inlay_test::random_floats(200, 3, -1.5f, 3.0f);
    x.push_back(0.5f * g.scale);
    x.push_back(-2.5f * g.scale);
    std::vector<float> fake(x.size());
    q.apply(x.data(), fake.data(), x.size());

    inlay::onnx::GraphWriter w("qdq");
    w.add_input("x", inlay::DType::f32, {static_cast<std::int64_t>(x.size())});
    inlay::Tensor scale(inlay::DType::f32, inlay::Shape());
    *scale.data<float>() = g.scale;
    inlay::Tensor zp(is_signed ? inlay::DType::i8 : inlay::DType::u8, inlay::Shape());
    if (is_signed) *zp.data<std::int8_t>() = static_cast<std::int8_t>(g.zero_point);
    else *zp.data<std::uint8_t>() = static_cast<std::uint8_t>(g.zero_point);
    w.add_initializer("scale", scale);
    w.add_initializer("zp", zp);
    w.add_node("QuantizeLinear", {"x", "scale", "zp"}, {"q"});
    w.add_node("DequantizeLinear", {"q", "scale", "zp"}, {"y"});
    w.add_output("y", inlay::DType::f32, {static_cast<std::int64_t>(x.size())});
    const inlay::Tensor xt =
        inlay::Tensor::view(x.data(), inlay::Shape{static_cast<std::int64_t>(x.size())});
    const std::vector<float> want = run_graph(w.model_bytes(17), xt);
    INFO("signed " << is_signed << " scale " << g.scale << " zero point " << g.zero_point);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(fake[i] == want[i]);
  }
}

TEST_CASE("Fake quantization of a weight rounds each output channel on its own symmetric grid",
          "[nn/quantization]") {
  // [outer 2, channels 2, inner 1]: channel 0 holds {0.504, -1.27} (scale 0.01), channel 1
  // {0.0, 0.0} (scale 1: an all-zero channel stays zero).
  const std::vector<float> w = {0.504f, 0.0f, -1.27f, 0.0f};
  std::vector<float> y(4);
  nn::fake_quant_weight(w.data(), y.data(), 2, 2, 1);
  CHECK(y[0] == Approx(0.50f).margin(1e-6));
  CHECK(y[2] == Approx(-1.27f).margin(1e-6));
  CHECK(y[1] == 0.0f);
  CHECK(y[3] == 0.0f);
  // 7-bit weights (reduce_range): scale 1.27 / 63, 0.504 rounds to 25 steps.
  nn::fake_quant_weight(w.data(), y.data(), 2, 2, 1, 63.0f);
  CHECK(y[0] == Approx(25.0f * 1.27f / 63.0f).margin(1e-6));
  CHECK(y[2] == Approx(-1.27f).margin(1e-6));
}

TEST_CASE("Under QAT a Dense layer's gradients pass straight through inside the input's range",
          "[nn/quantization]") {
  nn::Sequential<nn::Dense<2, 1>> net(1);
  auto& d = net.layer<0>();
  d.weight = {0.504f, -1.27f};  // fake quantized: {0.50, -1.27} (scale 0.01)
  d.bias = {0.25f};
  // Input range [0, 2.55]: u8 scale 0.01, zero point 0.
  const std::vector<float> range = {0.0f, 2.55f};
  REQUIRE(nn::enable_qat(net) == 1);
  d.qat.input.observe(range.data(), range.size(), false);
  CHECK(d.qat.input.grid().scale == Approx(0.01f));

  // x0 = 0.123 rounds to 0.12; x1 = 3.0 is beyond 2.55 and saturates.
  const std::vector<float> x = {0.123f, 3.0f};
  // Not training: the range stays as set.
  const float y = net.forward_train(x.data(), 1, nn::RunContext())[0];
  CHECK(y == Approx(0.12f * 0.50f + 2.55f * -1.27f + 0.25f).margin(1e-5));
  const float dy = 1.0f;
  std::vector<float> dx(2, -7.0f);
  net.backward(&dy, 1, dx.data());
  CHECK(d.weight_grad[0] == Approx(0.12f).margin(1e-6));  // the fake-quantized input
  CHECK(d.weight_grad[1] == Approx(2.55f).margin(1e-6));
  CHECK(d.bias_grad[0] == Approx(1.0f));
  CHECK(dx[0] == Approx(0.50f).margin(1e-6));  // the fake-quantized weight
  CHECK(dx[1] == 0.0f);                        // outside the range: no gradient
}

TEST_CASE("A QAT-fine-tuned network exports QDQ that the graph door runs in int8",
          "[nn/quantization]") {
  const Problem train = make_problem(512, 11), test = make_problem(128, 12);
  QuantMlp net = trained<QuantMlp>(train, 15);
  REQUIRE(nn::enable_qat(net, train.rows()) == 2);
  const float first_max = net.layer<0>().qat.input.max;
  CHECK(first_max == Approx(*std::max_element(train.x.begin(), train.x.end())));

  nn::Adam adam(1e-3f);
  nn::FitOptions options;
  options.epochs = 3;
  options.init_weights = false;
  options.progress = nullptr;
  const nn::History h =
      nn::fit(net, train.rows(), nn::labels_view(train.y), nn::CrossEntropy(), adam, options);
  CHECK(h.epochs.back().accuracy > 0.8);
  // The moving average moved the ranges away from the calibration min/max of layer 2's input.
  CHECK(net.layer<2>().qat.input.observed);

  std::vector<float> fake(test.y.size() * 4);
  net.forward(test.x.data(), test.y.size(), fake.data());
  std::vector<std::string> ops;
  const std::vector<float> got = run_graph(net.to_onnx(), test.rows(), &ops);
  INFO("planned ops: " << [&] {
    std::string s;
    for (const auto& o : ops) s += o + " ";
    return s;
  }());
  CHECK(has_op(ops, "com.microsoft:QGemm"));
  CHECK_FALSE(has_op(ops, "Gemm"));
  CHECK_FALSE(has_op(ops, "DequantizeLinear"));
  REQUIRE(got.size() == fake.size());
  const float step = output_step(fake);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::fabs(got[i] - fake[i]) <= step);

  // Back to float: the export is float Gemm again.
  nn::disable_qat(net);
  std::vector<std::string> float_ops;
  run_graph(net.to_onnx(), test.rows(), &float_ops);
  CHECK(has_op(float_ops, "Gemm"));
  CHECK_FALSE(has_op(float_ops, "com.microsoft:QGemm"));
}

TEST_CASE("QAT reaches Dense layers inside nested blocks", "[nn/quantization]") {
  Nested net(4);
  inlay::data::Rng rng(5);
  net.init(rng);
  const Problem p = make_problem(64, 6);
  nn::QatOptions options;
  options.reduce_range = true;  // 7-bit weights give the graph door the same patterns
  options.signed_activations = true;
  REQUIRE(nn::enable_qat(net, p.rows(), options) == 3);
  CHECK(net.layer<0>().qat.weight_qmax == 63.0f);
  CHECK(net.layer<0>().qat.input.grid().qmin == -128);
  std::vector<float> fake(64 * 4);
  net.forward(p.x.data(), 64, fake.data());
  std::vector<std::string> ops;
  const std::vector<float> got = run_graph(net.to_onnx(), p.rows(), &ops);
  CHECK(has_op(ops, "com.microsoft:QGemm"));
  CHECK_FALSE(has_op(ops, "Gemm"));
  const float step = output_step(fake);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::fabs(got[i] - fake[i]) <= step);
}

TEST_CASE("Under QAT a convolution's gradients pass straight through inside the input's range",
          "[nn/quantization]") {
  // The Dense case above as a Conv1D of one 2-wide filter over a 2-long sequence.
  nn::Sequential<nn::Input<1, 2>, nn::Conv1D<1, 1, 2>> net(1);
  auto& c = net.layer<0>();
  c.weight = {0.504f, -1.27f};
  c.bias = {0.25f};
  const std::vector<float> range = {0.0f, 2.55f};
  REQUIRE(nn::enable_qat(net) == 1);
  c.qat.input.observe(range.data(), range.size(), false);
  const std::vector<float> x = {0.123f, 3.0f};
  const float y = net.forward_train(x.data(), 1, nn::RunContext())[0];
  CHECK(y == Approx(0.12f * 0.50f + 2.55f * -1.27f + 0.25f).margin(1e-5));
  const float dy = 1.0f;
  std::vector<float> dx(2, -7.0f);
  net.backward(&dy, 1, dx.data());
  CHECK(c.weight_grad[0] == Approx(0.12f).margin(1e-6));
  CHECK(c.weight_grad[1] == Approx(2.55f).margin(1e-6));
  CHECK(c.bias_grad[0] == Approx(1.0f));
  CHECK(dx[0] == Approx(0.50f).margin(1e-6));
  CHECK(dx[1] == 0.0f);
}

TEST_CASE("QAT reaches convolutions and exports them as QDQ Conv", "[nn/quantization]") {
  using Cnn = nn::Sequential<nn::Input<2, 6, 6>, nn::Conv2D<2, 4, 3, 1, 1>, nn::ReLU,
                             nn::DepthwiseConv2D<4, 3, 1, 1>, nn::ReLU, nn::Conv2D<4, 3, 1>,
                             nn::Flatten, nn::Dense<108, 3>>;
  Cnn net(8);
  inlay::data::Rng rng(51);
  net.init(rng);
  net.layer<0>().bias = inlay_test::random_floats(4, 55, -0.5f, 0.5f);  // init's are zeros
  net.layer<2>().bias = inlay_test::random_floats(4, 56, -0.5f, 0.5f);
  net.layer<4>().bias = inlay_test::random_floats(3, 57, -0.5f, 0.5f);
  const std::vector<float> x = inlay_test::random_floats(8 * 72, 52);
  const inlay::Tensor rows = inlay::Tensor::view(x.data(), inlay::Shape{8, 2, 6, 6});
  std::vector<float> plain(8 * 3);
  net.forward(x.data(), 8, plain.data());
  REQUIRE(nn::enable_qat(net, rows) == 4);
  CHECK(net.layer<0>().qat.input.max == Approx(*std::max_element(x.begin(), x.end())));
  std::vector<float> fake(8 * 3);
  net.forward(x.data(), 8, fake.data());

  const std::string bytes = net.to_onnx();
  const std::vector<std::string> types = inlay_test::op_types(bytes);
  CHECK(std::count(types.begin(), types.end(), "Conv") == 3);
  CHECK(std::count(types.begin(), types.end(), "QuantizeLinear") == 4);
  std::vector<std::string> ops;
  const std::vector<float> got = run_graph(bytes, rows, &ops);
  INFO("planned ops: " << [&] {
    std::string s;
    for (const auto& o : ops) s += o + " ";
    return s;
  }());
  REQUIRE(got.size() == fake.size());
  // Within a quarter of an output step (a rounding of an intermediate value may flip between the
  // typed forward and the graph), while the float network is further away than that.
  float off = 0.0f, float_off = 0.0f;
  for (std::size_t i = 0; i < got.size(); ++i) {
    off = std::max(off, std::fabs(got[i] - fake[i]));
    float_off = std::max(float_off, std::fabs(plain[i] - fake[i]));
  }
  const float tolerance = output_step(fake) / 4.0f;
  CHECK(off <= tolerance);
  CHECK(float_off > tolerance);

  // Fine-tuning under QAT keeps the weights' gradients flowing through every convolution.
  std::vector<std::int64_t> labels = {0, 1, 2, 0, 1, 2, 0, 1};
  const std::vector<float> before = net.layer<2>().weight;
  nn::Adam adam(1e-2f);
  nn::FitOptions options;
  options.epochs = 2;
  options.init_weights = false;
  options.progress = nullptr;
  nn::fit(net, rows, nn::labels_view(labels), nn::CrossEntropy(), adam, options);
  CHECK(net.layer<2>().weight != before);
}

TEST_CASE("QAT reaches the feed-forward Dense layers of an encoder block", "[nn/quantization]") {
  // The block's feed-forward network sits inside TimeDistributed; attention stays float.
  nn::Sequential<nn::Input<4, 6>, nn::TransformerEncoderBlock<4, 6, 2, 8, true, 0>, nn::Flatten,
                 nn::Dense<24, 2>>
      net(4);
  inlay::data::Rng rng(53);
  net.init(rng);
  const std::vector<float> x = inlay_test::random_floats(4 * 24, 54);
  const inlay::Tensor rows = inlay::Tensor::view(x.data(), inlay::Shape{4, 4, 6});
  REQUIRE(nn::enable_qat(net, rows) == 3);
  CHECK(net.layer<0>().ffn_in().qat.enabled);
  CHECK(net.layer<0>().ffn_out().qat.input.observed);
  std::vector<float> fake(4 * 2);
  net.forward(x.data(), 4, fake.data());
  const std::vector<float> got = run_graph(net.to_onnx(), rows);
  REQUIRE(got.size() == fake.size());
  const float step = output_step(fake);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::fabs(got[i] - fake[i]) <= step);
}

TEST_CASE("Post-training quantization from save_onnx's options in one call", "[nn/quantization]") {
  const Problem train = make_problem(512, 21), test = make_problem(128, 22);
  QuantMlp net = trained<QuantMlp>(train, 15);
  nn::OnnxOptions options;
  options.quantization.calibration = train.rows();
  options.doc_string = "int8 mlp";
  const std::string bytes = nn::to_onnx(net, options);
  std::vector<std::string> ops;
  const std::vector<float> got = run_graph(bytes, test.rows(), &ops);
  CHECK(has_op(ops, "com.microsoft:QGemm"));
  CHECK_FALSE(has_op(ops, "Gemm"));
  CHECK(inlay::Model::copy_from_bytes(bytes.data(), bytes.size()).metadata().doc_string ==
        "int8 mlp");
  std::vector<float> want(test.y.size() * 4);
  net.forward(test.x.data(), test.y.size(), want.data());
  std::size_t same = 0;
  for (std::size_t r = 0; r < test.y.size(); ++r) {
    const auto a = std::max_element(&got[r * 4], &got[r * 4] + 4) - &got[r * 4];
    const auto b = std::max_element(&want[r * 4], &want[r * 4] + 4) - &want[r * 4];
    same += a == b;
  }
  CHECK(static_cast<double>(same) / static_cast<double>(test.y.size()) >= 0.95);
  const float step = output_step(want);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::fabs(got[i] - want[i]) <= 8 * step);
}

TEST_CASE("Quantized exports refuse calibration rows that do not fit", "[nn/quantization]") {
  QuantMlp net(4);
  inlay::data::Rng rng(1);
  net.init(rng);
  nn::OnnxOptions options;
  const std::vector<float> x(3 * 5, 0.5f);
  options.quantization.calibration = inlay::Tensor::view(x.data(), inlay::Shape{3, 5});
  CHECK_THROWS_WITH(nn::to_onnx(net, options), Catch::Contains("calibration") &&
                                                   Catch::Contains("[3, 5]") &&
                                                   Catch::Contains("[n, 8]"));
  CHECK_THROWS_WITH(nn::enable_qat(net, options.quantization.calibration),
                    Catch::Contains("enable_qat") && Catch::Contains("[3, 5]"));
  // A network under QAT exports QDQ itself.
  const Problem p = make_problem(16, 2);
  nn::enable_qat(net, p.rows());
  options.quantization.calibration = p.rows();
  CHECK_THROWS_WITH(nn::to_onnx(net, options), Catch::Contains("quantization-aware"));
}

TEST_CASE("ONNX Runtime runs a QAT network's QDQ export with the fake-quantized outputs",
          "[.export_runtime]") {
  const Problem train = make_problem(256, 31), test = make_problem(16, 32);
  QuantMlp net = trained<QuantMlp>(train, 10);
  // 7-bit weights: ONNX Runtime's x86 kernels without VNNI saturate u8 x s8 pair sums of full
  // 8-bit weights (its optimized outputs then differ from the QDQ semantics by many steps).
  nn::QatOptions qat;
  qat.reduce_range = true;
  nn::enable_qat(net, train.rows(), qat);
  const inlay::Tensor got = inlay_test::ort_output("qat_mlp", net.to_onnx(), test.rows());
  std::vector<float> fake(test.y.size() * 4);
  net.forward(test.x.data(), test.y.size(), fake.data());
  REQUIRE(static_cast<std::size_t>(got.numel()) == fake.size());
  const float step = output_step(fake);
  for (std::size_t i = 0; i < fake.size(); ++i)
    CHECK(std::fabs(got.data<float>()[i] - fake[i]) <= step);
}

TEST_CASE("ONNX Runtime runs a QAT convolution network's QDQ export", "[.export_runtime]") {
  using QatCnn = nn::Sequential<nn::Input<2, 6, 6>, nn::Conv2D<2, 4, 3, 1, 1>, nn::ReLU,
                                nn::DepthwiseConv2D<4, 3, 2, 1>, nn::Flatten, nn::Dense<36, 3>>;
  QatCnn net(4);
  inlay::data::Rng rng(61);
  net.init(rng);
  net.layer<0>().bias = inlay_test::random_floats(4, 62, -0.5f, 0.5f);
  const std::vector<float> x = inlay_test::random_floats(4 * 72, 63);
  const inlay::Tensor rows = inlay::Tensor::view(x.data(), inlay::Shape{4, 2, 6, 6});
  nn::QatOptions qat;
  qat.reduce_range = true;  // see the MLP case above
  REQUIRE(nn::enable_qat(net, rows, qat) == 3);
  const inlay::Tensor got = inlay_test::ort_output("qat_cnn", net.to_onnx(), rows);
  std::vector<float> fake(4 * 3);
  net.forward(x.data(), 4, fake.data());
  REQUIRE(static_cast<std::size_t>(got.numel()) == fake.size());
  const float step = output_step(fake);
  for (std::size_t i = 0; i < fake.size(); ++i)
    CHECK(std::fabs(got.data<float>()[i] - fake[i]) <= step);
}
