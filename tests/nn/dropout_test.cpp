// Dropout (include/inlay/nn/dropout.hpp): the identity at inference; in training each value is
// zeroed with probability `rate` and the others scaled by 1 / (1 - rate), the same mask for the
// same random generator, and backward applies that mask (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

TEST_CASE("Dropout is the identity at inference", "[nn/dropout]") {
  nn::Sequential<nn::Input<3, 5>, nn::Dropout<40>> net;
  const std::vector<float> x = inlay_test::random_floats(4 * 15, 1);
  CHECK(nn_test::run_forward(net, x, 4, false) == x);
  // A training forward with the rate set to 0 is the identity too.
  net.layer<0>().rate = 0.0f;
  CHECK(nn_test::run_forward(net, x, 4, true) == x);
}

TEST_CASE("Dropout in training zeroes a rate of the values and scales the others", "[nn/dropout]") {
  constexpr std::size_t n = 20000;
  nn::Sequential<nn::Input<n>, nn::Dropout<30>> net;
  const std::vector<float> x = inlay_test::random_floats(n, 2, 0.5f, 2.0f);  // none is 0
  const std::vector<float> y = nn_test::run_forward(net, x, 1, true);
  std::size_t zeros = 0, bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (y[i] == 0.0f) {
      ++zeros;
    } else if (!inlay_test::close(y[i], x[i] / 0.7f, 1e-6f, 0.0f)) {
      ++bad;
    }
  }
  CHECK(bad == 0);
  // 30% of 20000: standard deviation sqrt(20000 * 0.3 * 0.7) ~ 65, so +-500 is ~8 deviations.
  CHECK(zeros > 5500);
  CHECK(zeros < 6500);
  // The same generator state draws the same mask; another one a different mask.
  CHECK(nn_test::run_forward(net, x, 1, true) == y);
  inlay::data::Rng other(99);
  nn::RunContext ctx;
  ctx.training = true;
  ctx.rng = &other;
  const float* y2 = net.forward_train(x.data(), 1, ctx);
  CHECK(std::vector<float>(y2, y2 + n) != y);

  // Backward multiplies by the same mask: dx is 0 where y is 0, dy / 0.7 elsewhere.
  std::vector<float> dy(n, 1.0f), dx(n);
  net.backward(dy.data(), 1, dx.data());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float want = y2[i] == 0.0f ? 0.0f : 1.0f / 0.7f;
    if (!inlay_test::close(dx[i], want, 1e-6f, 0.0f)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("Dropout in training needs a random generator and a rate in [0, 1)", "[nn/dropout]") {
  nn::Sequential<nn::Input<4>, nn::Dropout<>> net;
  const std::vector<float> x = {1, 2, 3, 4};
  nn::RunContext ctx;
  ctx.training = true;  // no rng
  inlay_test::error_of([&] { net.forward_train(x.data(), 1, ctx); },
                       inlay::ErrorKind::invalid_argument);
  net.layer<0>().rate = 1.0f;
  inlay_test::error_of([&] { nn_test::run_forward(net, x, 1, true); },
                       inlay::ErrorKind::invalid_argument);
}

TEST_CASE("Dropout gradients match finite differences", "[nn/dropout]") {
  nn::Sequential<nn::Dense<6, 6>, nn::Dropout<30>, nn::Dense<6, 2>> dropout;
  check_network_gradient(dropout, 4, 32);
}
