// Normalization layers (include/inlay/nn/norm.hpp): BatchNorm in training (batch statistics,
// running averages updated) and in inference (running statistics), LayerNorm over the last
// dimension; against the formulas in double on every CPU target. Backward against finite
// differences (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
// BatchNorm on Dims<C, spatial...> with batch `batch`: the statistics of each channel over the
// batch and the spatial positions (biased variance), in double.
struct ChannelStats {
  std::vector<double> mean, var;
};
ChannelStats channel_stats(const std::vector<float>& x, std::size_t batch, std::size_t channels,
                           std::size_t spatial) {
  ChannelStats s{std::vector<double>(channels), std::vector<double>(channels)};
  const double count = static_cast<double>(batch * spatial);
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t n = 0; n < batch; ++n) {
      for (std::size_t i = 0; i < spatial; ++i) s.mean[c] += x[(n * channels + c) * spatial + i];
    }
    s.mean[c] /= count;
    for (std::size_t n = 0; n < batch; ++n) {
      for (std::size_t i = 0; i < spatial; ++i) {
        const double d = x[(n * channels + c) * spatial + i] - s.mean[c];
        s.var[c] += d * d;
      }
    }
    s.var[c] /= count;
  }
  return s;
}

std::vector<double> batch_norm(const std::vector<float>& x, std::size_t batch, std::size_t channels,
                               std::size_t spatial, const std::vector<double>& mean,
                               const std::vector<double>& var, const std::vector<float>& scale,
                               const std::vector<float>& bias, double eps) {
  std::vector<double> y(x.size());
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t c = 0; c < channels; ++c) {
      for (std::size_t i = 0; i < spatial; ++i) {
        const std::size_t at = (n * channels + c) * spatial + i;
        y[at] = (x[at] - mean[c]) / std::sqrt(var[c] + eps) * scale[c] + bias[c];
      }
    }
  }
  return y;
}

// Net = Sequential<Input<channels, ...>, BatchNorm>.
template <class Net>
void check_batch_norm(std::size_t channels, std::size_t batch, std::uint32_t seed) {
  const std::size_t spatial = Net::in_size / channels;
  INFO("BatchNorm of " << channels << " channels x " << spatial << ", batch " << batch);
  Net net;
  auto& bn = net.template layer<0>();
  bn.scale = inlay_test::random_floats(channels, seed, 0.5f, 2.0f);
  bn.bias = inlay_test::random_floats(channels, seed + 1);
  const std::vector<float> running_mean = inlay_test::random_floats(channels, seed + 2);
  const std::vector<float> running_var = inlay_test::random_floats(channels, seed + 3, 0.5f, 3.0f);
  // Inputs with a mean and a spread of their own per channel.
  std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed + 4, -2.0f, 2.0f);
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t c = 0; c < channels; ++c) {
      for (std::size_t i = 0; i < spatial; ++i) {
        float& v = x[(n * channels + c) * spatial + i];
        v = v * static_cast<float>(c + 1) + static_cast<float>(c) - 1.0f;
      }
    }
  }
  const ChannelStats s = channel_stats(x, batch, channels, spatial);
  const std::vector<double> want_training =
      batch_norm(x, batch, channels, spatial, s.mean, s.var, bn.scale, bn.bias, bn.eps);
  const std::vector<double> want_inference = batch_norm(
      x, batch, channels, spatial, std::vector<double>(running_mean.begin(), running_mean.end()),
      std::vector<double>(running_var.begin(), running_var.end()), bn.scale, bn.bias, bn.eps);
  const double count = static_cast<double>(batch * spatial);
  inlay_test::for_each_cpu_target([&] {
    bn.running_mean = running_mean;
    bn.running_var = running_var;
    // Inference: the running statistics, which stay as they are.
    nn_test::check_scaled(nn_test::run_forward(net, x, batch, false), want_inference, 1e-5f, 1e-4f);
    CHECK(bn.running_mean == running_mean);
    CHECK(bn.running_var == running_var);
    // Training: the batch's statistics; the running ones move by momentum towards the batch's
    // mean and unbiased variance.
    nn_test::check_scaled(nn_test::run_forward(net, x, batch, true), want_training, 1e-5f, 1e-4f);
    std::vector<double> mean(channels), var(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      mean[c] = (1.0 - bn.momentum) * running_mean[c] + bn.momentum * s.mean[c];
      var[c] = (1.0 - bn.momentum) * running_var[c] + bn.momentum * s.var[c] * count / (count - 1);
    }
    inlay_test::check_close(bn.running_mean, nn_test::to_float(mean), 1e-5f, 1e-6f);
    inlay_test::check_close(bn.running_var, nn_test::to_float(var), 1e-5f, 1e-6f);
  });
}

// LayerNorm over the last dimension (cols) of x [rows, cols], in double.
std::vector<double> layer_norm(const std::vector<float>& x, std::size_t cols,
                               const std::vector<float>& scale, const std::vector<float>& bias,
                               double eps) {
  std::vector<double> y(x.size());
  for (std::size_t row = 0; row < x.size() / cols; ++row) {
    double mean = 0.0, var = 0.0;
    for (std::size_t j = 0; j < cols; ++j) mean += x[row * cols + j];
    mean /= static_cast<double>(cols);
    for (std::size_t j = 0; j < cols; ++j)
      var += (x[row * cols + j] - mean) * (x[row * cols + j] - mean);
    var /= static_cast<double>(cols);
    for (std::size_t j = 0; j < cols; ++j) {
      y[row * cols + j] = (x[row * cols + j] - mean) / std::sqrt(var + eps) * scale[j] + bias[j];
    }
  }
  return y;
}

template <class Net>
void check_layer_norm(std::size_t cols, std::size_t batch, std::uint32_t seed) {
  INFO("LayerNorm of " << Net::in_size << " values per sample over the last " << cols << ", batch "
                       << batch);
  Net net;
  auto& ln = net.template layer<0>();
  ln.scale = inlay_test::random_floats(cols, seed, 0.5f, 2.0f);
  ln.bias = inlay_test::random_floats(cols, seed + 1);
  std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed + 2, -3.0f, 3.0f);
  for (std::size_t i = 0; i < cols; ++i) x[i] += 100.0f;  // a row far from 0: mean subtracted
  const std::vector<double> want = layer_norm(x, cols, ln.scale, ln.bias, ln.eps);
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      nn_test::check_scaled(nn_test::run_forward(net, x, batch, training), want, 1e-5f, 1e-4f);
    }
  });
}
}  // namespace

TEST_CASE("BatchNorm normalizes with batch statistics in training, running ones otherwise",
          "[nn/norm]") {
  check_batch_norm<nn::Sequential<nn::Input<3, 4, 5>, nn::BatchNorm>>(3, 4, 1);
  check_batch_norm<nn::Sequential<nn::Input<6>, nn::BatchNorm>>(6, 8, 2);  // one value per channel
  check_batch_norm<nn::Sequential<nn::Input<16, 9, 7>, nn::BatchNorm>>(16, 3, 3);
  check_batch_norm<nn::Sequential<nn::Input<5, 33>, nn::BatchNorm>>(5, 2, 4);
}

TEST_CASE("BatchNorm of a constant channel gives its bias", "[nn/norm]") {
  // Variance 0: (x - mean) / sqrt(0 + eps) is 0, so y = bias.
  nn::Sequential<nn::Input<2, 3>, nn::BatchNorm> net;
  net.layer<0>().bias = {0.25f, -0.75f};
  const std::vector<float> x = {4, 4, 4, 1, 2, 3, 4, 4, 4, 3, 2, 1};
  const std::vector<float> y = nn_test::run_forward(net, x, 2, true);
  for (std::size_t n = 0; n < 2; ++n) {
    for (std::size_t i = 0; i < 3; ++i) CHECK(y[n * 6 + i] == Approx(0.25f).margin(1e-6));
  }
}

TEST_CASE("LayerNorm normalizes each sample's last dimension", "[nn/norm]") {
  check_layer_norm<nn::Sequential<nn::Input<3, 8>, nn::LayerNorm>>(8, 2, 10);
  check_layer_norm<nn::Sequential<nn::Input<37>, nn::LayerNorm>>(37, 3, 11);
  check_layer_norm<nn::Sequential<nn::Input<2, 3, 64>, nn::LayerNorm>>(64, 2, 12);
  check_layer_norm<nn::Sequential<nn::Input<4, 5>, nn::LayerNorm>>(5, 1, 13);
}

TEST_CASE("Normalization layers' gradients match finite differences", "[nn/norm]") {
  nn::Sequential<nn::Input<3, 4>, nn::BatchNorm, nn::Flatten, nn::Dense<12, 2>> bn;
  check_network_gradient(bn, 4, 60, 1e-2f, 3e-2, 3e-3);
  nn::Sequential<nn::Input<2, 6>, nn::LayerNorm, nn::Flatten, nn::Dense<12, 3>> ln;
  check_network_gradient(ln, 3, 61, 1e-2f, 3e-2, 3e-3);
}
