// ONNX export: the graph's structure as inlay's parser reads it; and (hidden tag, run by the CTest
// test nn.export_runtime where python3-onnx, node and onnxruntime-node exist) onnx.checker plus
// ONNX Runtime's outputs against the typed forward.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "nn/grad_check.hpp"
#include "nn/ort_runtime.hpp"

namespace nn = inlay::nn;
using inlay_test::op_types;

namespace {
template <class Net>
Net trained_net(std::uint64_t seed) {
  Net net(8);
  inlay::data::Rng rng(seed);
  net.init(rng);
  return net;
}

// ONNX Runtime's output (inlay_test::ort_output) on random inputs against the typed forward.
template <class Net>
void check_with_runtime(Net& net, const std::string& name, std::size_t batch, std::uint32_t seed) {
  const std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed);
  std::vector<std::int64_t> dims = Net::in_shape::to_vector();
  dims.insert(dims.begin(), static_cast<std::int64_t>(batch));
  const inlay::Tensor input = inlay::Tensor::view(x.data(), inlay::Shape(dims.data(), dims.size()));
  const inlay::Tensor got = inlay_test::ort_output(name, net.to_onnx(), input);
  std::vector<float> want(batch * Net::out_size);
  net.forward(x.data(), batch, want.data());
  REQUIRE(static_cast<std::size_t>(got.numel()) == want.size());
  inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
}

using Mlp = nn::Sequential<nn::Dense<6, 16>, nn::ReLU, nn::Dense<16, 8>, nn::Tanh, nn::Dropout<>,
                           nn::Dense<8, 4>, nn::Softmax>;
using Activations =
    nn::Sequential<nn::Dense<5, 12>, nn::LeakyReLU, nn::Dense<12, 12>, nn::GELU, nn::Dense<12, 12>,
                   nn::GELUTanh, nn::SiLU, nn::HardSwish, nn::Mish, nn::Softplus, nn::ELU, nn::SELU,
                   nn::ReLU6, nn::HardSigmoid, nn::Sigmoid, nn::Dense<12, 3>>;
using Cnn = nn::Sequential<nn::Input<2, 8, 8>, nn::Conv2D<2, 4, 3, 1, 1>, nn::BatchNorm, nn::ReLU,
                           nn::MaxPool2D<2>, nn::DepthwiseConv2D<4, 3, 1, 1>, nn::AvgPool2D<2>,
                           nn::Conv2D<4, 6, 1>, nn::GlobalAvgPool, nn::Dense<6, 3>>;
using Sequence =
    nn::Sequential<nn::Embedding<11, 4, 6>, nn::LayerNorm, nn::Flatten,
                   nn::Residual<nn::Sequential<nn::Dense<24, 24>, nn::GELU>>, nn::Dense<24, 2>>;
using Recurrent = nn::Sequential<nn::LSTM<3, 6, 5>, nn::GRU<6, 4, 5, false>, nn::Dense<4, 2>>;
// Transformer encoders (nn/transformer.hpp): both norm placements, both positional encodings,
// both poolings; TimeDistributed exports Reshape + Gemm + Reshape.
using Encoder =
    nn::Sequential<nn::Input<5, 8>, nn::LearnedPositions<5, 8>, nn::SinusoidalPositions<5, 8>,
                   nn::TransformerEncoderBlock<5, 8, 2, 12>,
                   nn::TransformerEncoderBlock<5, 8, 4, 6, false, 10, nn::GELU>, nn::LayerNorm,
                   nn::SequenceMean, nn::Dense<8, 3>>;
using EncoderFirstToken = nn::Sequential<nn::Input<4, 6>, nn::TimeDistributed<nn::Dense<6, 8>>,
                                         nn::TransformerEncoderBlock<4, 8, 2, 16, false>,
                                         nn::FirstToken, nn::Dense<8, 2>>;
using Conv1d = nn::Sequential<nn::Input<3, 10>, nn::Conv1D<3, 5, 3, 2, 1>, nn::Tanh, nn::Flatten,
                              nn::Dense<25, 2>>;
}  // namespace

TEST_CASE("Exported graphs hold one node per layer with the trained weights", "[nn/export]") {
  Mlp net = trained_net<Mlp>(1);
  const std::string bytes = net.to_onnx();
  CHECK(op_types(bytes) == std::vector<std::string>{"Gemm", "Relu", "Gemm", "Tanh", "Identity",
                                                    "Gemm", "Softmax", "Identity"});
  const inlay::onnx::ModelProto m = inlay::onnx::parse_model(bytes.data(), bytes.size());
  REQUIRE(m.opset_import.size() == 1);
  CHECK(m.opset_import[0].version == 17);
  REQUIRE(m.graph.initializer.size() == 6);
  const inlay::Tensor w0 = inlay::onnx::to_tensor(m.graph.initializer[0]);
  CHECK(w0.shape() == inlay::Shape({6, 16}));
  CHECK(std::vector<float>(w0.data<float>(), w0.data<float>() + 96) == net.layer<0>().weight);
  REQUIRE(m.graph.input.size() == 1);
  CHECK(m.graph.input[0].name == "input");
  CHECK(m.graph.output[0].name == "output");
  CHECK_THROWS_WITH(net.to_onnx(12), Catch::Contains("opset 12"));
}

// The graph door runs what the typed door exported: same outputs as the typed forward.
template <class Net>
void check_graph_door(Net& net, std::size_t batch, std::uint32_t seed) {
  const std::string bytes = net.to_onnx();
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  const std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed);
  std::vector<std::int64_t> dims = Net::in_shape::to_vector();
  dims.insert(dims.begin(), static_cast<std::int64_t>(batch));
  const std::vector<inlay::Tensor> out =
      session.run({inlay::Tensor::view(x.data(), inlay::Shape(dims.data(), dims.size()))});
  REQUIRE(out.size() == 1);
  std::vector<float> want(batch * Net::out_size);
  net.forward(x.data(), batch, want.data());
  REQUIRE(static_cast<std::size_t>(out[0].numel()) == want.size());
  inlay_test::check_close(out[0].data<float>(), want.data(), want.size(), 1e-5f, 1e-6f);
}

TEST_CASE("The graph door reloads exported networks with the same outputs", "[nn/export]") {
  Mlp mlp = trained_net<Mlp>(11);
  check_graph_door(mlp, 5, 12);
  // The graph door has no Clip yet: every other activation.
  using GraphActivations =
      nn::Sequential<nn::Dense<5, 12>, nn::LeakyReLU, nn::GELU, nn::GELUTanh, nn::SiLU,
                     nn::HardSwish, nn::Mish, nn::Softplus, nn::ELU, nn::SELU, nn::HardSigmoid,
                     nn::Sigmoid, nn::Tanh, nn::Dense<12, 3>>;
  GraphActivations acts = trained_net<GraphActivations>(13);
  check_graph_door(acts, 3, 14);
}

TEST_CASE("Exported LSTM and GRU layers are ONNX LSTM and GRU nodes", "[nn/export]") {
  Recurrent net = trained_net<Recurrent>(15);
  const std::string bytes = net.to_onnx(13);
  // [batch, seq, in] -> [seq, batch, in]; every step's Y back to [batch, seq, hidden]; the
  // last step's Y_h squeezed to [batch, hidden].
  CHECK(op_types(bytes) == std::vector<std::string>{"Transpose", "LSTM", "Squeeze", "Transpose",
                                                    "Transpose", "GRU", "Squeeze", "Gemm",
                                                    "Identity"});
  const inlay::onnx::ModelProto m = inlay::onnx::parse_model(bytes.data(), bytes.size());
  const inlay::Tensor w = inlay::onnx::to_tensor(m.graph.initializer[0]);
  CHECK(w.shape() == inlay::Shape({1, 24, 3}));
  CHECK(std::vector<float>(w.data<float>(), w.data<float>() + 72) == net.layer<0>().weight);
}

TEST_CASE("The graph door reloads exported LSTM and GRU networks with the same outputs",
          "[nn/export]") {
  Recurrent net = trained_net<Recurrent>(16);
  check_graph_door(net, 1, 17);  // batch 1: matrix-vector recurrent products
  check_graph_door(net, 3, 18);  // batch 3: R packed at load
  nn::Sequential<nn::GRU<2, 5, 4>, nn::LSTM<5, 3, 4, false>> other;
  inlay::data::Rng rng(19);
  other.init(rng);
  check_graph_door(other, 2, 20);
}

TEST_CASE("The graph door reloads exported attention with the same outputs", "[nn/export]") {
  using Attention = nn::Sequential<nn::MultiHeadAttention<8, 2, 5>, nn::LayerNorm,
                                   nn::MultiHeadAttention<8, 4, 5, true>>;
  Attention net = trained_net<Attention>(23);
  for (float& b : net.layer<0>().bias[1]) b = 0.25f;  // biases other than 0, as after training
  for (float& b : net.layer<2>().bias[3]) b = -0.5f;
  check_graph_door(net, 3, 24);
  std::vector<std::string> ops = op_types(net.to_onnx());
  CHECK(std::count(ops.begin(), ops.end(), "Softmax") == 2);
  CHECK(std::count(ops.begin(), ops.end(), "MatMul") == 12);

  // The causal mask: changing the last step's input leaves the earlier steps' outputs alone.
  nn::MultiHeadAttention<8, 4, 5, true>& causal = net.layer<2>();
  std::vector<float> x = inlay_test::random_floats(40, 25), y1(40), y2(40);
  nn::RunContext ctx;
  causal.forward(x.data(), y1.data(), 1, ctx);
  for (std::size_t i = 32; i < 40; ++i) x[i] += 1.0f;
  causal.forward(x.data(), y2.data(), 1, ctx);
  CHECK(std::vector<float>(y1.begin(), y1.begin() + 32) ==
        std::vector<float>(y2.begin(), y2.begin() + 32));
  CHECK(y1[39] != y2[39]);
}

TEST_CASE("The graph door reloads exported Transformer encoders with the same outputs",
          "[nn/export]") {
  Encoder encoder = trained_net<Encoder>(30);
  for (float& b : encoder.layer<3>().ffn_in().bias) b = 0.25f;  // as after training
  check_graph_door(encoder, 3, 31);
  EncoderFirstToken first = trained_net<EncoderFirstToken>(32);
  check_graph_door(first, 2, 33);
  const std::vector<std::string> ops = op_types(first.to_onnx());
  CHECK(std::count(ops.begin(), ops.end(), "Gather") == 1);
  CHECK(std::count(ops.begin(), ops.end(), "LayerNormalization") == 2);
  CHECK(std::count(ops.begin(), ops.end(), "Reshape") >= 4);  // two TimeDistributed
}

TEST_CASE("ONNX Runtime runs exported networks with the typed forward's outputs",
          "[.export_runtime]") {
  Mlp mlp = trained_net<Mlp>(2);
  check_with_runtime(mlp, "mlp", 5, 3);
  Activations acts = trained_net<Activations>(4);
  check_with_runtime(acts, "activations", 4, 5);
  Cnn cnn = trained_net<Cnn>(6);
  // Running statistics other than 0 and 1, as after training.
  for (std::size_t c = 0; c < 4; ++c) {
    cnn.layer<1>().running_mean[c] = 0.1f * static_cast<float>(c);
    cnn.layer<1>().running_var[c] = 1.0f + 0.5f * static_cast<float>(c);
  }
  check_with_runtime(cnn, "cnn", 3, 7);
  Conv1d conv1d = trained_net<Conv1d>(8);
  check_with_runtime(conv1d, "conv1d", 2, 9);
  Recurrent recurrent = trained_net<Recurrent>(21);
  check_with_runtime(recurrent, "recurrent", 3, 22);
  using Attention =
      nn::Sequential<nn::MultiHeadAttention<8, 2, 5, true>, nn::Flatten, nn::Dense<40, 3>>;
  Attention attention = trained_net<Attention>(26);
  check_with_runtime(attention, "attention", 2, 27);
  Encoder encoder = trained_net<Encoder>(34);
  check_with_runtime(encoder, "transformer_encoder", 3, 35);
  EncoderFirstToken first = trained_net<EncoderFirstToken>(36);
  check_with_runtime(first, "transformer_first_token", 2, 37);
}

namespace {
// As check_with_runtime, on token ids given by hand (they must be whole numbers).
template <class Net>
void check_ids_with_runtime(Net& net, const std::string& name, const std::vector<float>& ids) {
  const std::size_t batch = ids.size() / Net::in_size;
  const inlay::Tensor input =
      inlay::Tensor::view(ids.data(), inlay::Shape{static_cast<std::int64_t>(batch), Net::in_size});
  const inlay::Tensor got = inlay_test::ort_output(name, net.to_onnx(), input);
  std::vector<float> want(batch * Net::out_size);
  net.forward(ids.data(), batch, want.data());
  REQUIRE(static_cast<std::size_t>(got.numel()) == want.size());
  inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
}
}  // namespace

TEST_CASE("ONNX Runtime runs exported embedding networks, padding masks included",
          "[.export_runtime]") {
  Sequence seq = trained_net<Sequence>(10);
  check_ids_with_runtime(seq, "sequence", {0, 3, 10, 2, 2, 7, 1, 1, 5, 9, 4, 6});
  // Padding (id 0) masked in both blocks' attention and in the mean; a causal block; a row of
  // padding only.
  using Masked = nn::Sequential<nn::Embedding<11, 8, 6, true>, nn::LearnedPositions<6, 8>,
                                nn::TransformerEncoderBlock<6, 8, 2, 12>,
                                nn::TransformerEncoderBlock<6, 8, 4, 10, false, 10, nn::GELU, true>,
                                nn::SequenceMean, nn::Dense<8, 3>>;
  Masked masked = trained_net<Masked>(38);
  check_ids_with_runtime(masked, "transformer_padding_mask",
                         {4, 2, 9, 0, 0, 0, 7, 0, 1, 3, 10, 5, 0, 0, 0, 0, 0, 0});
}
