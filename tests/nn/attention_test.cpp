// MultiHeadAttention (include/inlay/nn/attention.hpp): tiny sizes against a naive
// softmax(Q K^T / sqrt(d)) V per head with the four projections written as loops, causal or not,
// on every CPU target; backward against finite differences (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
// x [seq, embed] W [embed, embed] + b for one sample.
template <class T>
std::vector<double> project(const T* x, std::size_t seq, std::size_t embed,
                            const std::vector<float>& w, const std::vector<float>& b) {
  std::vector<double> y(seq * embed);
  for (std::size_t s = 0; s < seq; ++s) {
    for (std::size_t j = 0; j < embed; ++j) {
      double sum = b[j];
      for (std::size_t k = 0; k < embed; ++k) {
        sum += static_cast<double>(x[s * embed + k]) * w[k * embed + j];
      }
      y[s * embed + j] = sum;
    }
  }
  return y;
}

template <std::size_t Embed, std::size_t Heads, std::size_t Seq, bool Causal>
std::vector<double> naive_attention(const nn::MultiHeadAttention<Embed, Heads, Seq, Causal>& layer,
                                    const std::vector<float>& x, std::size_t batch) {
  const std::size_t d = Embed / Heads;
  std::vector<double> y;
  for (std::size_t b = 0; b < batch; ++b) {
    const float* xb = &x[b * Seq * Embed];
    const std::vector<double> q = project(xb, Seq, Embed, layer.weight[0], layer.bias[0]);
    const std::vector<double> k = project(xb, Seq, Embed, layer.weight[1], layer.bias[1]);
    const std::vector<double> v = project(xb, Seq, Embed, layer.weight[2], layer.bias[2]);
    std::vector<double> o(Seq * Embed);  // the heads side by side
    for (std::size_t h = 0; h < Heads; ++h) {
      for (std::size_t i = 0; i < Seq; ++i) {
        const std::size_t visible = Causal ? i + 1 : Seq;
        std::vector<double> score(visible);
        double m = -INFINITY, sum = 0.0;
        for (std::size_t j = 0; j < visible; ++j) {
          for (std::size_t e = 0; e < d; ++e)
            score[j] += q[i * Embed + h * d + e] * k[j * Embed + h * d + e];
          score[j] /= std::sqrt(static_cast<double>(d));
          m = std::max(m, score[j]);
        }
        for (double& s : score) sum += (s = std::exp(s - m));
        for (std::size_t e = 0; e < d; ++e) {
          double acc = 0.0;
          for (std::size_t j = 0; j < visible; ++j)
            acc += score[j] / sum * v[j * Embed + h * d + e];
          o[i * Embed + h * d + e] = acc;
        }
      }
    }
    const std::vector<double> yb = project(o.data(), Seq, Embed, layer.weight[3], layer.bias[3]);
    y.insert(y.end(), yb.begin(), yb.end());
  }
  return y;
}

template <std::size_t Embed, std::size_t Heads, std::size_t Seq, bool Causal = false>
void check_attention(std::size_t batch, std::uint32_t seed) {
  INFO("MultiHeadAttention<" << Embed << ", " << Heads << ", " << Seq << ", " << Causal
                             << ">, batch " << batch);
  nn::Sequential<nn::MultiHeadAttention<Embed, Heads, Seq, Causal>> net;
  auto& layer = net.template layer<0>();
  for (int i = 0; i < 4; ++i) {
    layer.weight[i] = inlay_test::random_floats(Embed * Embed, seed + 2 * i);
    layer.bias[i] = inlay_test::random_floats(Embed, seed + 2 * i + 1);
  }
  const std::vector<float> x = inlay_test::random_floats(batch * Seq * Embed, seed + 10);
  const std::vector<double> want = naive_attention(layer, x, batch);
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      nn_test::check_scaled(nn_test::run_forward(net, x, batch, training), want, 1e-5f, 1e-4f);
    }
  });
}
}  // namespace

TEST_CASE("MultiHeadAttention matches a naive softmax(Q K^T / sqrt(d)) V", "[nn/attention]") {
  check_attention<4, 1, 3>(1, 1);
  check_attention<4, 2, 3>(2, 2);
  check_attention<6, 3, 5>(2, 3);
  check_attention<16, 4, 7>(3, 4);
}

TEST_CASE("Causal MultiHeadAttention attends to earlier steps only", "[nn/attention]") {
  check_attention<4, 1, 3, true>(1, 5);
  check_attention<6, 2, 4, true>(2, 6);
  check_attention<16, 4, 9, true>(2, 7);
}

TEST_CASE("MultiHeadAttention gradients match finite differences", "[nn/attention]") {
  nn::Sequential<nn::MultiHeadAttention<6, 2, 4>> attention;
  check_network_gradient(attention, 2, 80, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::MultiHeadAttention<4, 1, 5, true>, nn::Flatten, nn::Dense<20, 2>> causal;
  check_network_gradient(causal, 2, 81, 1e-2f, 3e-2, 3e-3);
}
