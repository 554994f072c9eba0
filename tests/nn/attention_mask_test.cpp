// Attention masks in the typed door: padding (Embedding with MaskZero) and causal encoder blocks,
// in the forward, the gradients and the exported graph.
#include <vector>

#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
// The same classifier over sequences of 6 and of 3 positions: the weights do not depend on the
// length, and the sinusoidal table's first rows are the same for both.
template <std::size_t Seq, bool PreNorm>
using MaskedClassifier =
    nn::Sequential<nn::Embedding<9, 8, Seq, true>, nn::SinusoidalPositions<Seq, 8>,
                   nn::TransformerEncoderBlock<Seq, 8, 2, 12, PreNorm, 0>,
                   nn::TransformerEncoderBlock<Seq, 8, 4, 10, !PreNorm, 0, nn::GELU>,
                   nn::SequenceMean, nn::Dense<8, 3>>;

template <class To, class From>
void copy_params(To& to, From& from) {
  std::vector<nn::Param> a = to.params(), b = from.params();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].size == b[i].size);
    std::copy(b[i].value, b[i].value + b[i].size, a[i].value);
  }
}

// Runs the exported model in the graph door on x [batch, in dims...].
template <class Net>
std::vector<float> run_exported(const Net& net, const std::vector<float>& x, std::size_t batch) {
  const std::string bytes = net.to_onnx();
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  std::vector<std::int64_t> dims = Net::in_shape::to_vector();
  dims.insert(dims.begin(), static_cast<std::int64_t>(batch));
  const std::vector<inlay::Tensor> out =
      session.run({inlay::Tensor::view(x.data(), inlay::Shape(dims.data(), dims.size()))});
  REQUIRE(out.size() == 1);
  return std::vector<float>(out[0].data<float>(), out[0].data<float>() + out[0].numel());
}

template <bool PreNorm>
void check_padding_ignored() {
  MaskedClassifier<6, PreNorm> padded;
  MaskedClassifier<3, PreNorm> short_net;
  inlay::data::Rng rng(41);
  padded.init(rng);
  copy_params(short_net, padded);
  // Three sequences of three real tokens, padded to six; the last one is all padding.
  const std::vector<float> ids6 = {3, 1, 7, 0, 0, 0, 2, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const std::vector<float> ids3 = {3, 1, 7, 2, 8, 5};
  std::vector<float> y6(9), y3(6);
  padded.forward(ids6.data(), 3, y6.data());
  short_net.forward(ids3.data(), 2, y3.data());
  inlay_test::check_close(y6.data(), y3.data(), 6, 1e-5f, 1e-5f);
  // All padding: the mean of no token is 0, so the output is the last Dense's bias.
  inlay_test::check_close(y6.data() + 6, padded.template layer<5>().bias.data(), 3, 1e-6f, 1e-6f);

  // Whatever the padding row of the table holds, padded sequences give the same outputs.
  for (std::size_t j = 0; j < 8; ++j) padded.template layer<0>().weight[j] = 50.0f + j;
  std::vector<float> again(9);
  padded.forward(ids6.data(), 3, again.data());
  inlay_test::check_close(again.data(), y6.data(), 6, 1e-5f, 1e-5f);

  // The exported graph computes the mask from its input.
  const std::vector<float> graph = run_exported(padded, ids6, 3);
  inlay_test::check_close(graph.data(), again.data(), 9, 1e-4f, 1e-5f);
}
}  // namespace

TEST_CASE("Padding after an Embedding with MaskZero changes no output", "[nn/attention_mask]") {
  check_padding_ignored<true>();
  check_padding_ignored<false>();
  // Without the mask the padding is attended to and averaged: the outputs differ.
  nn::Sequential<nn::Embedding<9, 8, 6>, nn::SinusoidalPositions<6, 8>,
                 nn::TransformerEncoderBlock<6, 8, 2, 12, true, 0>, nn::SequenceMean,
                 nn::Dense<8, 3>>
      unmasked;
  nn::Sequential<nn::Embedding<9, 8, 3>, nn::SinusoidalPositions<3, 8>,
                 nn::TransformerEncoderBlock<3, 8, 2, 12, true, 0>, nn::SequenceMean,
                 nn::Dense<8, 3>>
      unmasked_short;
  inlay::data::Rng rng(42);
  unmasked.init(rng);
  copy_params(unmasked_short, unmasked);
  const std::vector<float> ids6 = {3, 1, 7, 0, 0, 0}, ids3 = {3, 1, 7};
  std::vector<float> y6(3), y3(3);
  unmasked.forward(ids6.data(), 1, y6.data());
  unmasked_short.forward(ids3.data(), 1, y3.data());
  CHECK(std::fabs(y6[0] - y3[0]) + std::fabs(y6[1] - y3[1]) + std::fabs(y6[2] - y3[2]) > 1e-3f);
}

TEST_CASE("Masked encoder gradients match finite differences", "[nn/attention_mask]") {
  // GELU everywhere: no kink for a finite difference to straddle. Ids with padding at the end,
  // in the middle (a padded position still runs through the block) and a row of padding only.
  using Net = nn::Sequential<nn::Embedding<7, 6, 5, true>, nn::LearnedPositions<5, 6>,
                             nn::TransformerEncoderBlock<5, 6, 2, 8, true, 10, nn::GELU>,
                             nn::LayerNorm, nn::SequenceMean, nn::Dense<6, 2>>;
  Net net;
  const std::vector<float> ids = {4, 2, 6, 0, 0, 1, 0, 3, 5, 0, 0, 0, 0, 0, 0};
  nn_test::check_network_gradient_at(net, ids, 3, 120, 1e-2f, 3e-2, 3e-3, 24, false);
}

TEST_CASE("A causal encoder block sees no later position", "[nn/attention_mask]") {
  using Net = nn::Sequential<nn::Input<5, 6>,
                             nn::TransformerEncoderBlock<5, 6, 2, 8, true, 0, nn::GELU, true>>;
  Net net;
  inlay::data::Rng rng(43);
  net.init(rng);
  std::vector<float> x = inlay_test::random_floats(30, 44), y(30), changed(30);
  net.forward(x.data(), 1, y.data());
  for (std::size_t j = 0; j < 6; ++j) x[3 * 6 + j] += 1.0f;  // position 3 changes
  net.forward(x.data(), 1, changed.data());
  inlay_test::check_close(changed.data(), y.data(), 18, 0.0f, 1e-6f);  // positions 0..2: the same
  float moved = 0.0f;
  for (std::size_t i = 18; i < 30; ++i) moved += std::fabs(changed[i] - y[i]);
  CHECK(moved > 1e-3f);  // positions 3 and 4 see it

  const std::vector<float> graph = run_exported(net, x, 1);
  inlay_test::check_close(graph.data(), changed.data(), 30, 1e-4f, 1e-5f);

  using Causal = nn::Sequential<nn::LearnedPositions<4, 6>,
                                nn::TransformerEncoderBlock<4, 6, 3, 5, false, 10, nn::GELU, true>,
                                nn::SequenceMean, nn::Dense<6, 2>>;
  Causal causal;
  nn_test::check_network_gradient(causal, 2, 121, 1e-2f, 3e-2, 3e-3);
}

TEST_CASE("A padding mask of another length is refused", "[nn/attention_mask]") {
  const std::vector<std::uint8_t> mask(8, 0);
  nn::RunContext ctx;
  CHECK(nn::checked_padding(ctx, 4) == nullptr);
  ctx.padding = mask.data();
  ctx.padding_length = 8;
  CHECK(nn::checked_padding(ctx, 8) == mask.data());
  CHECK_THROWS_WITH(nn::checked_padding(ctx, 4),
                    Catch::Contains("4 positions") && Catch::Contains("covers 8"));
}

TEST_CASE("A masked Embedding's table is pruned and shared like any table", "[nn/attention_mask]") {
  MaskedClassifier<6, true> net;
  const std::vector<nn::WeightMatrix> matrices = nn::weight_matrices(net);
  REQUIRE(!matrices.empty());
  CHECK(matrices[0].name == "0.weight");
  CHECK(matrices[0].size() == 9 * 8);
  CHECK_FALSE(matrices[0].structured);
}
