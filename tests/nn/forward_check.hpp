// Forward values of typed layers against references written in the tests (naive loops in
// double): running a network in inference or training mode, and comparisons scaled to the output.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/grad_check.hpp"

namespace nn_test {

// net's output on x [batch, in_size]: forward() (inference) or, with training, forward_train()
// with an Rng, so that layers with a training behaviour (BatchNorm, Dropout) use it.
template <class Net>
std::vector<float> run_forward(Net& net, const std::vector<float>& x, std::size_t batch,
                               bool training, inlay::Executor* executor = nullptr) {
  REQUIRE(x.size() == batch * Net::in_size);
  std::vector<float> y(batch * Net::out_size);
  if (!training) {
    net.forward(x.data(), batch, y.data(), executor);
    return y;
  }
  inlay::data::Rng rng(5);
  nn::RunContext ctx;
  ctx.training = true;
  ctx.rng = &rng;
  ctx.executor = executor;
  const float* out = net.forward_train(x.data(), batch, ctx);
  std::copy(out, out + y.size(), y.begin());
  return y;
}

// Converts a double reference to float.
inline std::vector<float> to_float(const std::vector<double>& v) {
  return std::vector<float>(v.begin(), v.end());
}

// |got - want| <= rel * max |want| + rtol |want| element by element: an absolute tolerance
// relative to the output's scale (for sums of many products, whose rounding error follows the
// magnitude of the terms rather than that of each result).
inline void check_scaled(const std::vector<float>& got, const std::vector<double>& want, float rel,
                         float rtol = 1e-5f) {
  REQUIRE(got.size() == want.size());
  double scale = 0.0;
  for (double v : want) scale = std::max(scale, std::fabs(v));
  REQUIRE(scale > 0.0);  // an all-zero reference would check nothing
  const std::vector<float> expected = to_float(want);
  inlay_test::check_close(got.data(), expected.data(), got.size(), rtol,
                          static_cast<float>(rel * scale));
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace nn_test
