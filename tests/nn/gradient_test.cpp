// Every layer's backward pass against finite differences (tests/nn/grad_check.hpp).
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

TEST_CASE("Dense gradients match finite differences", "[gradient]") {
  nn::Sequential<nn::Dense<5, 4>> net;
  check_network_gradient(net, 3, 1);
}

TEST_CASE("MLP gradients flow through every layer", "[gradient]") {
  nn::Sequential<nn::Dense<6, 8>, nn::Tanh, nn::Dense<8, 5>, nn::Sigmoid, nn::Dense<5, 3>> net;
  check_network_gradient(net, 4, 2);
}

template <class Act>
void check_activation(std::uint32_t seed, float lo = -2.5f, float hi = 2.5f) {
  nn::Sequential<nn::Input<7>, Act> net;
  check_network_gradient(net, 3, seed, 1e-3f, 2e-2, 2e-3, 24, lo, hi);
}

TEST_CASE("Every activation layer's gradient matches finite differences", "[gradient]") {
  check_activation<nn::Identity>(10);
  check_activation<nn::ReLU>(11);
  check_activation<nn::LeakyReLU>(12);
  check_activation<nn::Sigmoid>(13);
  check_activation<nn::HardSigmoid>(14);
  check_activation<nn::Tanh>(15);
  check_activation<nn::GELU>(16);
  check_activation<nn::GELUTanh>(17);
  check_activation<nn::SiLU>(18);
  check_activation<nn::HardSwish>(19, -5.0f, 5.0f);
  check_activation<nn::Mish>(20);
  check_activation<nn::Softplus>(21);
  check_activation<nn::ELU>(22);
  check_activation<nn::SELU>(23);
  check_activation<nn::ReLU6>(24, -2.0f, 8.0f);
}

TEST_CASE("Softmax, Flatten and Dropout gradients match finite differences", "[gradient]") {
  nn::Sequential<nn::Input<2, 5>, nn::Softmax> softmax;
  check_network_gradient(softmax, 3, 30, 1e-3f);
  nn::Sequential<nn::Input<2, 3>, nn::Flatten, nn::Dense<6, 2>> flatten;
  check_network_gradient(flatten, 2, 31);
  nn::Sequential<nn::Dense<6, 6>, nn::Dropout<30>, nn::Dense<6, 2>> dropout;
  check_network_gradient(dropout, 4, 32);
}
