// Activation layers and Softmax (include/inlay/nn/activation.hpp): forward values against the
// formulas in double at fixed points (large |x| included) and random ones, on every CPU target;
// backward against finite differences (tests/nn/grad_check.hpp).
#include <functional>

#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
constexpr std::size_t kWidth = 23;
const float kPoints[kWidth] = {-100.0f, -30.0f, -10.0f, -6.0f, -5.0f, -3.0f, -2.0f, -1.0f,
                               -0.5f,   -0.1f,  -1e-3f, 0.0f,  1e-3f, 0.1f,  0.5f,  1.0f,
                               2.0f,    3.0f,   5.0f,   6.0f,  10.0f, 30.0f, 100.0f};

// Row 0: the fixed points; rows 1 and 2: random values in [-8, 8) (43 values past the first row,
// so every vector width leaves a tail).
std::vector<float> activation_input() {
  std::vector<float> x(kPoints, kPoints + kWidth);
  const std::vector<float> r = inlay_test::random_floats(2 * kWidth, 90, -8.0f, 8.0f);
  x.insert(x.end(), r.begin(), r.end());
  return x;
}

template <class Act>
void check_activation_values(const char* name, const std::function<double(double)>& f,
                             float rtol = 1e-4f, float atol = 1e-6f) {
  INFO(name);
  nn::Sequential<nn::Input<kWidth>, Act> net;
  const std::vector<float> x = activation_input();
  std::vector<float> want(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) want[i] = static_cast<float>(f(x[i]));
  inlay_test::for_each_cpu_target([&] {
    const std::vector<float> y = nn_test::run_forward(net, x, 3, false);
    inlay_test::check_close(y, want, rtol, atol);
    // Training mode computes the same.
    inlay_test::check_close(nn_test::run_forward(net, x, 3, true), want, rtol, atol);
  });
}

double softplus(double x) {
  return x > 30 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

template <class Act>
void check_activation(std::uint32_t seed, float lo = -2.5f, float hi = 2.5f) {
  nn::Sequential<nn::Input<7>, Act> net;
  check_network_gradient(net, 3, seed, 1e-3f, 2e-2, 2e-3, 24, lo, hi);
}
}  // namespace

TEST_CASE("Activation layers compute their functions, large |x| included", "[nn/activation]") {
  const double kSqrt2 = std::sqrt(2.0), kPi = std::acos(-1.0);
  check_activation_values<nn::Identity>("Identity", [](double x) { return x; });
  check_activation_values<nn::ReLU>("ReLU", [](double x) { return x > 0 ? x : 0.0; });
  check_activation_values<nn::LeakyReLU>("LeakyReLU",
                                         [](double x) { return x >= 0 ? x : 0.01 * x; });
  check_activation_values<nn::Sigmoid>("Sigmoid", nn_test::sigmoid);
  check_activation_values<nn::HardSigmoid>("HardSigmoid",
                                           [](double x) { return clamp01(0.2 * x + 0.5); });
  check_activation_values<nn::Tanh>("Tanh", [](double x) { return std::tanh(x); });
  check_activation_values<nn::GELU>(
      "GELU", [&](double x) { return 0.5 * x * (1.0 + std::erf(x / kSqrt2)); });
  check_activation_values<nn::GELUTanh>("GELUTanh", [&](double x) {
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
  });
  check_activation_values<nn::SiLU>("SiLU", [](double x) { return x * nn_test::sigmoid(x); });
  check_activation_values<nn::HardSwish>("HardSwish",
                                         [](double x) { return x * clamp01(x / 6.0 + 0.5); });
  check_activation_values<nn::Mish>("Mish", [](double x) { return x * std::tanh(softplus(x)); });
  check_activation_values<nn::Softplus>("Softplus", softplus);
  check_activation_values<nn::ELU>("ELU", [](double x) { return x >= 0 ? x : std::exp(x) - 1.0; });
  check_activation_values<nn::SELU>("SELU", [](double x) {
    const double alpha = 1.6732632423543772, gamma = 1.0507009873554805;
    return gamma * (x > 0 ? x : alpha * (std::exp(x) - 1.0));
  });
  check_activation_values<nn::ReLU6>("ReLU6",
                                     [](double x) { return std::min(6.0, std::max(0.0, x)); });
}

TEST_CASE("An activation layer's parameters can be changed after construction", "[nn/activation]") {
  nn::Sequential<nn::Input<5>, nn::LeakyReLU, nn::ELU> net;
  net.layer<0>().activation = inlay::kernels::Activation::leaky_relu(0.25f);
  net.layer<1>().activation = inlay::kernels::Activation::elu(2.0f);
  const std::vector<float> x = {-4.0f, -1.0f, 0.0f, 0.5f, 3.0f};
  std::vector<float> want(5);
  for (std::size_t i = 0; i < 5; ++i) {
    const double leaky = x[i] >= 0 ? x[i] : 0.25 * x[i];
    want[i] = static_cast<float>(leaky >= 0 ? leaky : 2.0 * (std::exp(leaky) - 1.0));
  }
  inlay_test::for_each_cpu_target(
      [&] { inlay_test::check_close(nn_test::run_forward(net, x, 1, false), want, 1e-5f, 1e-6f); });
}

TEST_CASE("Softmax normalizes the last dimension of each sample", "[nn/activation]") {
  // Dims<3, 7>: 3 rows of 7 per sample, batch 2; one row shifted by +1000 and one by -1000
  // (the result does not depend on a shift; a naive exp would overflow or underflow).
  nn::Sequential<nn::Input<3, 7>, nn::Softmax> net;
  std::vector<float> x = inlay_test::random_floats(2 * 21, 91, -10.0f, 10.0f);
  for (std::size_t i = 7; i < 14; ++i) x[i] += 1000.0f;
  for (std::size_t i = 28; i < 35; ++i) x[i] -= 1000.0f;
  std::vector<double> want(x.size());
  for (std::size_t row = 0; row < 6; ++row) {
    double m = -INFINITY, sum = 0.0;
    for (std::size_t j = 0; j < 7; ++j) m = std::max(m, static_cast<double>(x[row * 7 + j]));
    for (std::size_t j = 0; j < 7; ++j) sum += std::exp(x[row * 7 + j] - m);
    for (std::size_t j = 0; j < 7; ++j) want[row * 7 + j] = std::exp(x[row * 7 + j] - m) / sum;
  }
  inlay_test::for_each_cpu_target([&] {
    const std::vector<float> y = nn_test::run_forward(net, x, 2, false);
    inlay_test::check_close(y, nn_test::to_float(want), 1e-4f, 1e-7f);
  });
}

TEST_CASE("Every activation layer's gradient matches finite differences", "[nn/activation]") {
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

TEST_CASE("Softmax gradients match finite differences", "[nn/activation]") {
  nn::Sequential<nn::Input<2, 5>, nn::Softmax> softmax;
  check_network_gradient(softmax, 3, 30, 1e-3f);
}
