// Every layer's backward pass against finite differences (tests/nn/grad_check.hpp).
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

TEST_CASE("Flatten and Dropout gradients match finite differences", "[nn/gradient]") {
  nn::Sequential<nn::Input<2, 3>, nn::Flatten, nn::Dense<6, 2>> flatten;
  check_network_gradient(flatten, 2, 31);
  nn::Sequential<nn::Dense<6, 6>, nn::Dropout<30>, nn::Dense<6, 2>> dropout;
  check_network_gradient(dropout, 4, 32);
}

TEST_CASE("Embedding and residual gradients match finite differences", "[nn/gradient]") {
  // Ids are whole numbers: only the table's gradient is checked.
  nn::Sequential<nn::Embedding<7, 3, 4>, nn::Flatten, nn::Dense<12, 2>> emb;
  check_network_gradient(emb, 2, 62, 1e-2f, 2e-2, 2e-3, 24, 0.0f, 0.0f, false);
  nn::Sequential<nn::Dense<5, 6>,
                 nn::Residual<nn::Sequential<nn::Dense<6, 6>, nn::Tanh, nn::Dense<6, 6>>>,
                 nn::Dense<6, 2>>
      res;
  check_network_gradient(res, 3, 63);
}
