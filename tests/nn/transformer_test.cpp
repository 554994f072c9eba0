// The Transformer encoder pieces of the typed door: TimeDistributed (nn/time_distributed.hpp),
// LearnedPositions and SinusoidalPositions (nn/positions.hpp), SequenceMean and FirstToken
// (nn/sequence_pool.hpp) and TransformerEncoderBlock (nn/transformer.hpp), forward against naive
// references in double written here (on every CPU target), backward against finite differences
// (tests/nn/grad_check.hpp). Export: tests/nn/export_test.cpp.
#include "alloc_counter.hpp"
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
using Matrix = std::vector<double>;  // rows x cols, row-major

// x [rows, in] W [in, out] + b.
Matrix linear(const Matrix& x, std::size_t rows, std::size_t in, std::size_t out,
              const std::vector<float>& w, const std::vector<float>& b) {
  Matrix y(rows * out);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < out; ++j) {
      double sum = b[j];
      for (std::size_t k = 0; k < in; ++k) sum += x[r * in + k] * w[k * out + j];
      y[r * out + j] = sum;
    }
  }
  return y;
}

Matrix relu(Matrix x) {
  for (double& v : x) v = std::max(v, 0.0);
  return x;
}

Matrix add(Matrix a, const Matrix& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  return a;
}

Matrix layer_norm(const Matrix& x, std::size_t rows, std::size_t cols,
                  const std::vector<float>& scale, const std::vector<float>& bias, double eps) {
  Matrix y(x.size());
  for (std::size_t r = 0; r < rows; ++r) {
    double mean = 0.0, var = 0.0;
    for (std::size_t j = 0; j < cols; ++j) mean += x[r * cols + j] / cols;
    for (std::size_t j = 0; j < cols; ++j) var += std::pow(x[r * cols + j] - mean, 2) / cols;
    for (std::size_t j = 0; j < cols; ++j) {
      y[r * cols + j] = (x[r * cols + j] - mean) / std::sqrt(var + eps) * scale[j] + bias[j];
    }
  }
  return y;
}

// Self-attention of one sample x [seq, embed] (Vaswani et al. 2017, section 3.2).
template <class Attention>
Matrix attention(const Attention& a, const Matrix& x, std::size_t seq, std::size_t embed,
                 std::size_t heads) {
  const Matrix q = linear(x, seq, embed, embed, a.weight[0], a.bias[0]);
  const Matrix k = linear(x, seq, embed, embed, a.weight[1], a.bias[1]);
  const Matrix v = linear(x, seq, embed, embed, a.weight[2], a.bias[2]);
  const std::size_t d = embed / heads;
  Matrix o(seq * embed);
  for (std::size_t h = 0; h < heads; ++h) {
    for (std::size_t i = 0; i < seq; ++i) {
      std::vector<double> p(seq);
      double m = -INFINITY, sum = 0.0;
      for (std::size_t j = 0; j < seq; ++j) {
        for (std::size_t e = 0; e < d; ++e)
          p[j] += q[i * embed + h * d + e] * k[j * embed + h * d + e];
        p[j] /= std::sqrt(static_cast<double>(d));
        m = std::max(m, p[j]);
      }
      for (double& s : p) sum += (s = std::exp(s - m));
      for (std::size_t e = 0; e < d; ++e) {
        for (std::size_t j = 0; j < seq; ++j)
          o[i * embed + h * d + e] += p[j] / sum * v[j * embed + h * d + e];
      }
    }
  }
  return linear(o, seq, embed, embed, a.weight[3], a.bias[3]);
}

// One encoder block with ReLU, at inference (dropout is the identity), sample by sample.
template <std::size_t Seq, std::size_t Embed, std::size_t Heads, std::size_t Hidden, bool PreNorm>
std::vector<double> naive_block(
    nn::TransformerEncoderBlock<Seq, Embed, Heads, Hidden, PreNorm>& block,
    const std::vector<float>& x, std::size_t batch) {
  auto& n1 = block.attention_norm();
  auto& n2 = block.ffn_norm();
  auto ffn = [&](const Matrix& z) {
    const Matrix h =
        relu(linear(z, Seq, Embed, Hidden, block.ffn_in().weight, block.ffn_in().bias));
    return linear(h, Seq, Hidden, Embed, block.ffn_out().weight, block.ffn_out().bias);
  };
  std::vector<double> y;
  for (std::size_t b = 0; b < batch; ++b) {
    const Matrix xb(x.begin() + b * Seq * Embed, x.begin() + (b + 1) * Seq * Embed);
    Matrix out;
    if (PreNorm) {
      const Matrix a = add(
          xb, attention(block.attention(), layer_norm(xb, Seq, Embed, n1.scale, n1.bias, n1.eps),
                        Seq, Embed, Heads));
      out = add(a, ffn(layer_norm(a, Seq, Embed, n2.scale, n2.bias, n2.eps)));
    } else {
      const Matrix a = layer_norm(add(xb, attention(block.attention(), xb, Seq, Embed, Heads)), Seq,
                                  Embed, n1.scale, n1.bias, n1.eps);
      out = layer_norm(add(a, ffn(a)), Seq, Embed, n2.scale, n2.bias, n2.eps);
    }
    y.insert(y.end(), out.begin(), out.end());
  }
  return y;
}

template <bool PreNorm>
void check_block(std::size_t batch, std::uint32_t seed) {
  INFO("PreNorm " << PreNorm << ", batch " << batch);
  using Block = nn::TransformerEncoderBlock<5, 8, 2, 12, PreNorm>;
  nn::Sequential<Block> net;
  Block& block = net.template layer<0>();
  inlay::data::Rng rng(seed);
  block.init(rng);
  // Norm scales and biases and projection biases other than their initial 1 and 0.
  for (auto* v : {&block.attention_norm().scale, &block.attention_norm().bias,
                  &block.ffn_norm().scale, &block.ffn_norm().bias, &block.attention().bias[0],
                  &block.attention().bias[3], &block.ffn_in().bias, &block.ffn_out().bias}) {
    *v = inlay_test::random_floats(v->size(), seed++, 0.5f, 1.5f);
  }
  const std::vector<float> x = inlay_test::random_floats(batch * 40, seed + 100, -2.0f, 2.0f);
  const std::vector<double> want = naive_block(block, x, batch);
  inlay_test::for_each_cpu_target([&] {
    nn_test::check_scaled(nn_test::run_forward(net, x, batch, false), want, 1e-5f, 1e-4f);
  });
  // In training, dropout changes the output (10 % of the branch values are zeroed).
  const std::vector<float> inference = nn_test::run_forward(net, x, batch, false);
  const std::vector<float> trained = nn_test::run_forward(net, x, batch, true);
  double largest = 0.0;
  for (std::size_t i = 0; i < trained.size(); ++i) {
    largest = std::max(largest, std::fabs(static_cast<double>(trained[i]) - inference[i]));
  }
  CHECK(largest > 1e-2);
}
}  // namespace

TEST_CASE("TimeDistributed applies a layer to every position", "[nn/transformer]") {
  nn::Sequential<nn::Input<4, 3>, nn::TimeDistributed<nn::Dense<3, 5>>> net;
  static_assert(std::is_same<decltype(net)::out_shape, nn::Dims<4, 5>>::value, "Dims<4, 5>");
  auto& dense = net.layer<0>().layer;
  dense.weight = inlay_test::random_floats(15, 1);
  dense.bias = inlay_test::random_floats(5, 2);
  const std::vector<float> x = inlay_test::random_floats(3 * 12, 3);
  const Matrix want = linear(Matrix(x.begin(), x.end()), 12, 3, 5, dense.weight, dense.bias);
  inlay_test::for_each_cpu_target(
      [&] { nn_test::check_scaled(nn_test::run_forward(net, x, 3, false), want, 1e-6f, 1e-5f); });
}

TEST_CASE("TimeDistributed, positions and pooling gradients match finite differences",
          "[nn/transformer]") {
  nn::Sequential<nn::Input<4, 3>,
                 nn::TimeDistributed<nn::Sequential<nn::Dense<3, 6>, nn::Tanh, nn::Dense<6, 2>>>>
      ffn;
  check_network_gradient(ffn, 3, 10);
  nn::Sequential<nn::LearnedPositions<4, 3>, nn::Tanh, nn::SinusoidalPositions<4, 3>, nn::Tanh>
      positions;
  check_network_gradient(positions, 3, 11);
  nn::Sequential<nn::Input<5, 3>, nn::Tanh, nn::SequenceMean, nn::Dense<3, 2>> mean;
  check_network_gradient(mean, 2, 12);
  nn::Sequential<nn::Input<5, 3>, nn::Tanh, nn::FirstToken, nn::Dense<3, 2>> first;
  check_network_gradient(first, 2, 13);
}

TEST_CASE("SinusoidalPositions adds sin and cos of position / 10000^(2i / Embed)",
          "[nn/transformer]") {
  constexpr std::size_t seq = 7, embed = 6;
  nn::Sequential<nn::SinusoidalPositions<seq, embed>> net;
  const std::vector<float> x = inlay_test::random_floats(2 * seq * embed, 20);
  std::vector<double> want(x.size());
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t p = 0; p < seq; ++p) {
      for (std::size_t i = 0; 2 * i < embed; ++i) {
        const double angle = p / std::pow(10000.0, 2.0 * i / embed);
        const std::size_t at = (b * seq + p) * embed + 2 * i;
        want[at] = x[at] + std::sin(angle);
        want[at + 1] = x[at + 1] + std::cos(angle);
      }
    }
  }
  nn_test::check_scaled(nn_test::run_forward(net, x, 2, false), want, 1e-6f, 1e-5f);
  CHECK(net.params().empty());  // a fixed table, not trained
}

TEST_CASE("LearnedPositions adds one trained vector per position", "[nn/transformer]") {
  nn::Sequential<nn::LearnedPositions<3, 4>> net;
  inlay::data::Rng rng(30);
  net.init(rng);
  const std::vector<float>& w = net.layer<0>().weight;
  CHECK(std::any_of(w.begin(), w.end(), [](float v) { return v != 0.0f; }));
  const std::vector<float> x = inlay_test::random_floats(2 * 12, 31);
  std::vector<double> want(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) want[i] = static_cast<double>(x[i]) + w[i % 12];
  nn_test::check_scaled(nn_test::run_forward(net, x, 2, false), want, 1e-6f, 1e-5f);
  REQUIRE(net.params().size() == 1);
  CHECK(net.params()[0].name == "0.weight");
}

TEST_CASE("SequenceMean averages the positions and FirstToken keeps position 0",
          "[nn/transformer]") {
  nn::Sequential<nn::Input<4, 3>, nn::SequenceMean> mean;
  nn::Sequential<nn::Input<4, 3>, nn::FirstToken> first;
  static_assert(std::is_same<decltype(mean)::out_shape, nn::Dims<3>>::value, "Dims<3>");
  const std::vector<float> x = inlay_test::random_floats(2 * 12, 40);
  std::vector<double> want_mean(6), want_first(6);
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t f = 0; f < 3; ++f) {
      for (std::size_t s = 0; s < 4; ++s) want_mean[b * 3 + f] += x[(b * 4 + s) * 3 + f] / 4.0;
      want_first[b * 3 + f] = x[b * 12 + f];
    }
  }
  nn_test::check_scaled(nn_test::run_forward(mean, x, 2, false), want_mean, 1e-6f, 1e-5f);
  nn_test::check_scaled(nn_test::run_forward(first, x, 2, false), want_first, 0.0f, 0.0f);
}

TEST_CASE("TransformerEncoderBlock matches attention + feed-forward + residuals + LayerNorm",
          "[nn/transformer]") {
  check_block<true>(1, 50);
  check_block<true>(3, 60);
  check_block<false>(1, 70);
  check_block<false>(2, 80);
}

TEST_CASE("TransformerEncoderBlock gradients match finite differences", "[nn/transformer]") {
  // GELU in the feed-forward network: no kink for a finite difference to straddle.
  using Pre = nn::TransformerEncoderBlock<4, 6, 2, 8, true, 10, nn::GELU>;
  using Post = nn::TransformerEncoderBlock<4, 6, 3, 5, false, 10, nn::GELU>;
  nn::Sequential<nn::LearnedPositions<4, 6>, Pre, nn::LayerNorm, nn::SequenceMean, nn::Dense<6, 2>>
      pre;
  check_network_gradient(pre, 2, 90, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::SinusoidalPositions<4, 6>, Post, nn::FirstToken, nn::Dense<6, 3>> post;
  check_network_gradient(post, 2, 91, 1e-2f, 3e-2, 3e-3);
}

TEST_CASE("Encoder blocks stack and list their parameters by position", "[nn/transformer]") {
  nn::Sequential<nn::Embedding<10, 8, 5>, nn::SinusoidalPositions<5, 8>,
                 nn::TransformerEncoderBlock<5, 8, 2, 16>,
                 nn::TransformerEncoderBlock<5, 8, 2, 16, false>, nn::SequenceMean, nn::Dense<8, 2>>
      net;
  // Pre-norm: LayerNorm (2) + attention (8) + LayerNorm (2) + two Dense (4); post-norm the same.
  const std::vector<nn::Param> params = net.params();
  CHECK(params.size() == 1 + 16 + 16 + 2);
  CHECK(params[1].name == "2.0.0.scale");      // block 2, attention residual, its LayerNorm
  CHECK(params[3].name == "2.0.1.q_weight");   // then the attention
  CHECK(params[17].name == "3.0.0.q_weight");  // post-norm: the attention comes first
  // Token ids outside the vocabulary are refused with the position named.
  std::vector<float> ids = {1, 2, 3, 4, 12}, y(2);
  CHECK_THROWS_WITH(net.forward(ids.data(), 1, y.data()), Catch::Contains("12"));
}

TEST_CASE("An encoder's forward makes no heap allocation within the reserved batch",
          "[nn/transformer]") {
  using Net =
      nn::Sequential<nn::Embedding<10, 8, 6>, nn::LearnedPositions<6, 8>,
                     nn::SinusoidalPositions<6, 8>, nn::TransformerEncoderBlock<6, 8, 2, 16>,
                     nn::TransformerEncoderBlock<6, 8, 4, 12, false>,
                     nn::TimeDistributed<nn::Dense<8, 4>>, nn::SequenceMean, nn::Dense<4, 3>>;
  Net net(4);  // buffers for up to 4 sequences
  inlay::data::Rng rng(100);
  net.init(rng);
  std::vector<float> ids(4 * 6);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<float>((i * 7) % 10);
  std::vector<float> y(4 * 3);
  Net warm_up;  // the first kernel call picks the CPU target, which may allocate
  warm_up.forward(ids.data(), 1, y.data());
  const std::uint64_t before = inlay_test::heap_allocations();
  net.forward(ids.data(), 1, y.data());
  net.forward(ids.data(), 4, y.data());
  CHECK(inlay_test::heap_allocations() - before == 0);
  // Past the reserved batch the buffers grow.
  std::vector<float> ids8(8 * 6, 1.0f), y8(8 * 3);
  const std::uint64_t grown = inlay_test::heap_allocations();
  net.forward(ids8.data(), 8, y8.data());
  CHECK(inlay_test::heap_allocations() - grown > 0);
}
