// Recurrent layers (include/inlay/nn/recurrent.hpp): one LSTM and one GRU step computed by hand
// for a single unit, then whole sequences against the gate equations written as loops (ONNX's
// gate order and GRU's linear_before_reset = 1), on every CPU target; backward through time
// against finite differences (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;
using nn_test::sigmoid;

namespace {
// h [batch, seq, hidden] of an LSTM (gates i, o, f, c in W [4 hidden, in], R [4 hidden, hidden],
// bias [4 hidden]); zero initial state.
std::vector<double> naive_lstm(const std::vector<float>& x, std::size_t batch, std::size_t seq,
                               std::size_t in, std::size_t hidden, const std::vector<float>& w,
                               const std::vector<float>& r, const std::vector<float>& bias) {
  std::vector<double> out(batch * seq * hidden);
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<double> h(hidden), c(hidden), a(4 * hidden);
    for (std::size_t t = 0; t < seq; ++t) {
      const float* xt = &x[(b * seq + t) * in];
      for (std::size_t g = 0; g < 4 * hidden; ++g) {
        double sum = bias[g];
        for (std::size_t k = 0; k < in; ++k) sum += static_cast<double>(w[g * in + k]) * xt[k];
        for (std::size_t k = 0; k < hidden; ++k) sum += r[g * hidden + k] * h[k];
        a[g] = sum;
      }
      for (std::size_t u = 0; u < hidden; ++u) {
        const double i = sigmoid(a[u]), o = sigmoid(a[hidden + u]), f = sigmoid(a[2 * hidden + u]),
                     cand = std::tanh(a[3 * hidden + u]);
        c[u] = f * c[u] + i * cand;
        h[u] = o * std::tanh(c[u]);
        out[(b * seq + t) * hidden + u] = h[u];
      }
    }
  }
  return out;
}

// h [batch, seq, hidden] of a GRU (gates z, r, h; W, R [3 hidden, ...], Wb, Rb [3 hidden]):
// n = tanh(Wn x + Wbn + r * (Rn h + Rbn)), h' = (1 - z) n + z h.
std::vector<double> naive_gru(const std::vector<float>& x, std::size_t batch, std::size_t seq,
                              std::size_t in, std::size_t hidden, const std::vector<float>& w,
                              const std::vector<float>& r, const std::vector<float>& wb,
                              const std::vector<float>& rb) {
  std::vector<double> out(batch * seq * hidden);
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<double> h(hidden), xw(3 * hidden), hr(3 * hidden);
    for (std::size_t t = 0; t < seq; ++t) {
      const float* xt = &x[(b * seq + t) * in];
      for (std::size_t g = 0; g < 3 * hidden; ++g) {
        xw[g] = wb[g];
        for (std::size_t k = 0; k < in; ++k) xw[g] += static_cast<double>(w[g * in + k]) * xt[k];
        hr[g] = rb[g];
        for (std::size_t k = 0; k < hidden; ++k) hr[g] += r[g * hidden + k] * h[k];
      }
      std::vector<double> next(hidden);
      for (std::size_t u = 0; u < hidden; ++u) {
        const double z = sigmoid(xw[u] + hr[u]), reset = sigmoid(xw[hidden + u] + hr[hidden + u]);
        const double n = std::tanh(xw[2 * hidden + u] + reset * hr[2 * hidden + u]);
        next[u] = (1.0 - z) * n + z * h[u];
        out[(b * seq + t) * hidden + u] = next[u];
      }
      h = next;
    }
  }
  return out;
}

// The last step of each sample of h [batch, seq, hidden].
std::vector<double> last_steps(const std::vector<double>& h, std::size_t batch, std::size_t seq,
                               std::size_t hidden) {
  std::vector<double> y;
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t at = (b * seq + seq - 1) * hidden;
    y.insert(y.end(), h.begin() + static_cast<std::ptrdiff_t>(at),
             h.begin() + static_cast<std::ptrdiff_t>(at + hidden));
  }
  return y;
}

template <std::size_t In, std::size_t Hidden, std::size_t Seq>
void check_lstm(std::size_t batch, std::uint32_t seed) {
  INFO("LSTM<" << In << ", " << Hidden << ", " << Seq << ">, batch " << batch);
  nn::Sequential<nn::LSTM<In, Hidden, Seq>> seqs;
  nn::Sequential<nn::LSTM<In, Hidden, Seq, false>> last;
  auto& l = seqs.template layer<0>();
  l.weight = inlay_test::random_floats(l.weight.size(), seed);
  l.recurrent = inlay_test::random_floats(l.recurrent.size(), seed + 1);
  l.bias = inlay_test::random_floats(l.bias.size(), seed + 2);
  last.template layer<0>().weight = l.weight;
  last.template layer<0>().recurrent = l.recurrent;
  last.template layer<0>().bias = l.bias;
  const std::vector<float> x = inlay_test::random_floats(batch * Seq * In, seed + 3, -2.0f, 2.0f);
  const std::vector<double> want =
      naive_lstm(x, batch, Seq, In, Hidden, l.weight, l.recurrent, l.bias);
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      nn_test::check_scaled(nn_test::run_forward(seqs, x, batch, training), want, 1e-5f, 1e-4f);
      nn_test::check_scaled(nn_test::run_forward(last, x, batch, training),
                            last_steps(want, batch, Seq, Hidden), 1e-5f, 1e-4f);
    }
  });
}

template <std::size_t In, std::size_t Hidden, std::size_t Seq>
void check_gru(std::size_t batch, std::uint32_t seed) {
  INFO("GRU<" << In << ", " << Hidden << ", " << Seq << ">, batch " << batch);
  nn::Sequential<nn::GRU<In, Hidden, Seq>> seqs;
  nn::Sequential<nn::GRU<In, Hidden, Seq, false>> last;
  auto& l = seqs.template layer<0>();
  l.weight = inlay_test::random_floats(l.weight.size(), seed);
  l.recurrent = inlay_test::random_floats(l.recurrent.size(), seed + 1);
  l.bias = inlay_test::random_floats(l.bias.size(), seed + 2);
  l.recurrent_bias = inlay_test::random_floats(l.recurrent_bias.size(), seed + 3);
  last.template layer<0>().weight = l.weight;
  last.template layer<0>().recurrent = l.recurrent;
  last.template layer<0>().bias = l.bias;
  last.template layer<0>().recurrent_bias = l.recurrent_bias;
  const std::vector<float> x = inlay_test::random_floats(batch * Seq * In, seed + 4, -2.0f, 2.0f);
  const std::vector<double> want =
      naive_gru(x, batch, Seq, In, Hidden, l.weight, l.recurrent, l.bias, l.recurrent_bias);
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      nn_test::check_scaled(nn_test::run_forward(seqs, x, batch, training), want, 1e-5f, 1e-4f);
      nn_test::check_scaled(nn_test::run_forward(last, x, batch, training),
                            last_steps(want, batch, Seq, Hidden), 1e-5f, 1e-4f);
    }
  });
}
}  // namespace

TEST_CASE("One LSTM step of one unit matches the gates computed by hand", "[nn/recurrent]") {
  // W = (i, o, f, c) weights for the one input, bias the same order; h0 = c0 = 0, so R does not
  // take part in the first step; the second step's R h1 does.
  nn::Sequential<nn::LSTM<1, 1, 2>> net;
  auto& l = net.layer<0>();
  l.weight = {0.5f, -0.5f, 1.0f, 2.0f};
  l.recurrent = {0.25f, 0.75f, -1.0f, 1.5f};
  l.bias = {0.1f, 0.2f, 0.3f, 0.4f};
  const std::vector<float> x = {1.0f, -0.5f};
  // Step 1: x = 1.
  const double i1 = sigmoid(0.5 + 0.1), o1 = sigmoid(-0.5 + 0.2), f1 = sigmoid(1.0 + 0.3);
  const double g1 = std::tanh(2.0 + 0.4);
  const double c1 = f1 * 0.0 + i1 * g1, h1 = o1 * std::tanh(c1);
  // Step 2: x = -0.5, h = h1.
  const double i2 = sigmoid(0.5 * -0.5 + 0.25 * h1 + 0.1);
  const double o2 = sigmoid(-0.5 * -0.5 + 0.75 * h1 + 0.2);
  const double f2 = sigmoid(1.0 * -0.5 - 1.0 * h1 + 0.3);
  const double g2 = std::tanh(2.0 * -0.5 + 1.5 * h1 + 0.4);
  const double c2 = f2 * c1 + i2 * g2, h2 = o2 * std::tanh(c2);
  inlay_test::for_each_cpu_target([&] {
    inlay_test::check_close(nn_test::run_forward(net, x, 1, false),
                            {static_cast<float>(h1), static_cast<float>(h2)}, 1e-5f, 1e-6f);
  });
}

TEST_CASE("One GRU step of one unit matches the gates computed by hand", "[nn/recurrent]") {
  // Gates z, r, h; the reset gate multiplies R h + Rb of the candidate (linear_before_reset).
  nn::Sequential<nn::GRU<1, 1, 2>> net;
  auto& l = net.layer<0>();
  l.weight = {0.5f, -1.0f, 2.0f};
  l.recurrent = {0.3f, 0.6f, -0.8f};
  l.bias = {0.1f, 0.2f, 0.3f};
  l.recurrent_bias = {-0.1f, 0.4f, 0.5f};
  const std::vector<float> x = {1.0f, 2.0f};
  // Step 1: h0 = 0, so R h is 0 but Rb still counts.
  const double z1 = sigmoid(0.5 + 0.1 - 0.1), r1 = sigmoid(-1.0 + 0.2 + 0.4);
  const double n1 = std::tanh(2.0 + 0.3 + r1 * 0.5);
  const double h1 = (1.0 - z1) * n1;
  // Step 2: x = 2, h = h1.
  const double z2 = sigmoid(0.5 * 2.0 + 0.1 + 0.3 * h1 - 0.1);
  const double r2 = sigmoid(-1.0 * 2.0 + 0.2 + 0.6 * h1 + 0.4);
  const double n2 = std::tanh(2.0 * 2.0 + 0.3 + r2 * (-0.8 * h1 + 0.5));
  const double h2 = (1.0 - z2) * n2 + z2 * h1;
  inlay_test::for_each_cpu_target([&] {
    inlay_test::check_close(nn_test::run_forward(net, x, 1, false),
                            {static_cast<float>(h1), static_cast<float>(h2)}, 1e-5f, 1e-6f);
  });
}

TEST_CASE("LSTM sequences match the gate equations", "[nn/recurrent]") {
  check_lstm<2, 3, 4>(1, 1);  // batch 1: matrix-vector recurrent products
  check_lstm<2, 3, 4>(3, 2);  // larger batches: GEMM
  check_lstm<5, 16, 6>(2, 3);
  check_lstm<3, 7, 1>(2, 4);  // one step
}

TEST_CASE("GRU sequences match the gate equations", "[nn/recurrent]") {
  check_gru<2, 3, 4>(1, 10);
  check_gru<2, 3, 4>(3, 11);
  check_gru<5, 16, 6>(2, 12);
  check_gru<3, 7, 1>(2, 13);
}

TEST_CASE("LSTM and GRU gradients match finite differences through time", "[nn/recurrent]") {
  // Every step's output, then the last step's only (into a Dense); batch 1 takes the
  // matrix-vector path of the recurrent product, larger batches the GEMM.
  nn::Sequential<nn::LSTM<3, 4, 5>> lstm;
  check_network_gradient(lstm, 2, 70, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::LSTM<3, 4, 5, false>, nn::Dense<4, 2>> lstm_last;
  check_network_gradient(lstm_last, 1, 71, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::GRU<3, 4, 5>> gru;
  check_network_gradient(gru, 2, 72, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::GRU<3, 4, 5, false>, nn::Dense<4, 2>> gru_last;
  check_network_gradient(gru_last, 1, 73, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::GRU<2, 3, 4>, nn::LSTM<3, 3, 4, false>> stacked;
  check_network_gradient(stacked, 3, 74, 1e-2f, 3e-2, 3e-3);
}
