// Dense (include/inlay/nn/dense.hpp): forward values against y = x W + b written as loops, on
// every CPU target; backward against finite differences (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
// y [batch, out] = x [batch, in] W [in, out] + b, in double.
std::vector<double> naive_dense(const std::vector<float>& x, const std::vector<float>& w,
                                const std::vector<float>& b, std::size_t batch, std::size_t in,
                                std::size_t out) {
  std::vector<double> y(batch * out);
  for (std::size_t r = 0; r < batch; ++r) {
    for (std::size_t j = 0; j < out; ++j) {
      double sum = b[j];
      for (std::size_t k = 0; k < in; ++k)
        sum += static_cast<double>(x[r * in + k]) * w[k * out + j];
      y[r * out + j] = sum;
    }
  }
  return y;
}

template <std::size_t In, std::size_t Out>
void check_dense(std::size_t batch, std::uint32_t seed) {
  INFO("Dense<" << In << ", " << Out << ">, batch " << batch);
  nn::Sequential<nn::Dense<In, Out>> net;
  net.template layer<0>().weight = inlay_test::random_floats(In * Out, seed);
  net.template layer<0>().bias = inlay_test::random_floats(Out, seed + 1);
  const std::vector<float> x = inlay_test::random_floats(batch * In, seed + 2);
  const std::vector<double> want =
      naive_dense(x, net.template layer<0>().weight, net.template layer<0>().bias, batch, In, Out);
  inlay_test::for_each_cpu_target([&] {
    nn_test::check_scaled(nn_test::run_forward(net, x, batch, false), want, 1e-5f, 1e-5f);
    nn_test::check_scaled(nn_test::run_forward(net, x, batch, true), want, 1e-5f, 1e-5f);
  });
}
}  // namespace

TEST_CASE("Dense computes y = x W + b", "[nn/dense]") {
  // A hand-checked case: W [2, 3] row-major, so y[j] = x0 W[0][j] + x1 W[1][j] + b[j].
  nn::Sequential<nn::Dense<2, 3>> tiny;
  tiny.layer<0>().weight = {1, 2, 3, 4, 5, 6};
  tiny.layer<0>().bias = {0.5f, -1, 0};
  const std::vector<float> x = {1, -1, 2, 0.5f};
  const std::vector<float> y = nn_test::run_forward(tiny, x, 2, false);
  inlay_test::check_close(y, {1 - 4 + 0.5f, 2 - 5 - 1, 3 - 6, 2 + 2 + 0.5f, 4 + 2.5f - 1, 6 + 3});

  check_dense<5, 4>(1, 1);  // one row: the matrix-vector product
  check_dense<5, 4>(3, 2);
  check_dense<37, 19>(9, 3);  // sizes off every vector width and block size
  check_dense<64, 128>(16, 4);
}

TEST_CASE("Dense gradients match finite differences", "[nn/dense]") {
  nn::Sequential<nn::Dense<5, 4>> net;
  check_network_gradient(net, 3, 1);
}

TEST_CASE("MLP gradients flow through every layer", "[nn/dense]") {
  nn::Sequential<nn::Dense<6, 8>, nn::Tanh, nn::Dense<8, 5>, nn::Sigmoid, nn::Dense<5, 3>> net;
  check_network_gradient(net, 4, 2);
}
