// Flatten (include/inlay/nn/reshape.hpp): a sample of any shape becomes a vector, the values in
// their row-major order; backward passes the gradient through (tests/nn/grad_check.hpp).
#include <type_traits>

#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

TEST_CASE("Flatten keeps the values in row-major order", "[nn/reshape]") {
  using Net = nn::Sequential<nn::Input<2, 3, 4>, nn::Flatten>;
  static_assert(std::is_same<Net::out_shape, nn::Dims<24>>::value, "Dims<2, 3, 4> -> Dims<24>");
  Net net;
  const std::vector<float> x = inlay_test::random_floats(3 * 24, 1);
  for (bool training : {false, true}) {
    INFO("training " << training);
    CHECK(nn_test::run_forward(net, x, 3, training) == x);
  }
  // Inside a network: Flatten then Dense reads x [c][h][w] as one vector of 24.
  nn::Sequential<nn::Input<2, 3, 4>, nn::Flatten, nn::Dense<24, 1>> dense;
  dense.layer<1>().weight = inlay_test::random_floats(24, 2);
  dense.layer<1>().bias = {0.5f};
  std::vector<float> want(3);
  for (std::size_t n = 0; n < 3; ++n) {
    double sum = 0.5;
    for (std::size_t c = 0; c < 2; ++c) {
      for (std::size_t h = 0; h < 3; ++h) {
        for (std::size_t w = 0; w < 4; ++w) {
          const std::size_t i = (c * 3 + h) * 4 + w;
          sum += static_cast<double>(x[n * 24 + i]) * dense.layer<1>().weight[i];
        }
      }
    }
    want[n] = static_cast<float>(sum);
  }
  inlay_test::for_each_cpu_target([&] {
    inlay_test::check_close(nn_test::run_forward(dense, x, 3, false), want, 1e-5f, 1e-6f);
  });
}

TEST_CASE("Flatten gradients match finite differences", "[nn/reshape]") {
  nn::Sequential<nn::Input<2, 3>, nn::Flatten, nn::Dense<6, 2>> flatten;
  check_network_gradient(flatten, 2, 31);
}
