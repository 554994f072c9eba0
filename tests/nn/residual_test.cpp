// Residual (include/inlay/nn/residual.hpp): y = x + Block(x), against the block written as
// loops, on every CPU target; gradients through both paths against finite differences
// (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

TEST_CASE("Residual adds the block's output to its input", "[nn/residual]") {
  // An identity block: y = 2 x.
  nn::Sequential<nn::Residual<nn::Sequential<nn::Input<2, 3>, nn::Identity>>> twice;
  const std::vector<float> x = inlay_test::random_floats(2 * 6, 1);
  std::vector<float> doubled(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) doubled[i] = 2.0f * x[i];
  CHECK(nn_test::run_forward(twice, x, 2, false) == doubled);

  // y = x + D2(tanh(D1 x)), with random weights and biases.
  using Block = nn::Sequential<nn::Dense<6, 6>, nn::Tanh, nn::Dense<6, 6>>;
  nn::Sequential<nn::Residual<Block>> net;
  Block& block = net.layer<0>().block;
  auto& d1 = block.layer<0>();
  auto& d2 = block.layer<2>();
  d1.weight = inlay_test::random_floats(36, 2);
  d1.bias = inlay_test::random_floats(6, 3);
  d2.weight = inlay_test::random_floats(36, 4);
  d2.bias = inlay_test::random_floats(6, 5);
  const std::vector<float> x3 = inlay_test::random_floats(3 * 6, 6, -2.0f, 2.0f);
  std::vector<double> want(x3.size());
  for (std::size_t n = 0; n < 3; ++n) {
    double hidden[6];
    for (std::size_t j = 0; j < 6; ++j) {
      double sum = d1.bias[j];
      for (std::size_t k = 0; k < 6; ++k)
        sum += static_cast<double>(x3[n * 6 + k]) * d1.weight[k * 6 + j];
      hidden[j] = std::tanh(sum);
    }
    for (std::size_t j = 0; j < 6; ++j) {
      double sum = d2.bias[j];
      for (std::size_t k = 0; k < 6; ++k) sum += hidden[k] * d2.weight[k * 6 + j];
      want[n * 6 + j] = x3[n * 6 + j] + sum;
    }
  }
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      nn_test::check_scaled(nn_test::run_forward(net, x3, 3, training), want, 1e-5f, 1e-5f);
    }
  });
}

TEST_CASE("Residual gradients match finite differences", "[nn/residual]") {
  nn::Sequential<nn::Dense<5, 6>,
                 nn::Residual<nn::Sequential<nn::Dense<6, 6>, nn::Tanh, nn::Dense<6, 6>>>,
                 nn::Dense<6, 2>>
      res;
  check_network_gradient(res, 3, 63);
}
