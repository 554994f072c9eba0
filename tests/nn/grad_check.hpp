// Gradient checks against central finite differences, for typed networks and losses.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "test_util.hpp"

namespace nn_test {

namespace nn = inlay::nn;

// L = sum(r * net(x)) for fixed random r, so dL/dy = r. The network runs in training mode with an
// Rng re-seeded before every forward, so dropout masks are the same in every evaluation.
template <class Net>
double weighted_output(Net& net, const std::vector<float>& x, const std::vector<float>& r,
                       std::size_t batch) {
  inlay::data::Rng rng(7);
  nn::RunContext ctx;
  ctx.training = true;
  ctx.rng = &rng;
  const float* y = net.forward_train(x.data(), batch, ctx);
  double sum = 0.0;
  for (std::size_t i = 0; i < r.size(); ++i) sum += static_cast<double>(r[i]) * y[i];
  return sum;
}

// |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|) for sampled inputs and
// parameter values of every parameter tensor (up to `samples` of each).
// As check_network_gradient, at the given input x (e.g. token ids, which have no gradient: then
// check_x is false).
template <class Net>
void check_network_gradient_at(Net& net, std::vector<float> x, std::size_t batch,
                               std::uint32_t seed, float eps = 1e-2f, double rtol = 2e-2,
                               double atol = 2e-3, std::size_t samples = 24, bool check_x = true) {
  inlay::data::Rng init(seed);
  net.init(init);
  const std::vector<float> r = inlay_test::random_floats(batch * Net::out_size, seed + 2);

  weighted_output(net, x, r, batch);
  std::vector<float> dx(x.size());
  net.backward(r.data(), batch, dx.data());
  std::vector<nn::Param> params = net.params();
  std::vector<std::vector<float>> grads;
  for (const nn::Param& p : params) {
    grads.push_back(p.grad ? std::vector<float>(p.grad, p.grad + p.size) : std::vector<float>());
  }

  auto numeric = [&](float* v) {
    const float saved = *v;
    *v = saved + eps;
    const double plus = weighted_output(net, x, r, batch);
    *v = saved - eps;
    const double minus = weighted_output(net, x, r, batch);
    *v = saved;
    return (plus - minus) / (2.0 * eps);
  };
  auto compare = [&](double analytic, double num, const std::string& what) {
    INFO(what << ": analytic " << analytic << ", numeric " << num);
    CHECK(std::fabs(analytic - num) <= atol + rtol * std::max(std::fabs(analytic), std::fabs(num)));
  };
  const std::size_t x_step = std::max<std::size_t>(1, x.size() / samples);
  for (std::size_t i = 0; check_x && i < x.size(); i += x_step) {
    compare(dx[i], numeric(&x[i]), "dL/dx[" + std::to_string(i) + "]");
  }
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (params[k].grad == nullptr) continue;  // running statistics: not trained
    const std::size_t step = std::max<std::size_t>(1, params[k].size / samples);
    for (std::size_t i = 0; i < params[k].size; i += step) {
      compare(grads[k][i], numeric(&params[k].value[i]),
              "dL/d" + params[k].name + "[" + std::to_string(i) + "]");
    }
  }
}

template <class Net>
void check_network_gradient(Net& net, std::size_t batch, std::uint32_t seed, float eps = 1e-2f,
                            double rtol = 2e-2, double atol = 2e-3, std::size_t samples = 24,
                            float x_lo = -1.0f, float x_hi = 1.0f, bool check_x = true) {
  check_network_gradient_at(net,
                            inlay_test::random_floats(batch * Net::in_size, seed + 1, x_lo, x_hi),
                            batch, seed, eps, rtol, atol, samples, check_x);
}

// The gradient a loss returns against central differences of its value.
inline void check_loss_gradient(const nn::Loss& loss, std::vector<float> out, std::size_t batch,
                                std::size_t width, const nn::Targets& t, double eps = 1e-3,
                                double rtol = 1e-2, double atol = 1e-4) {
  std::vector<float> grad(out.size());
  const double value = loss.compute(out.data(), batch, width, t, grad.data());
  CHECK(std::isfinite(value));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float saved = out[i];
    out[i] = static_cast<float>(saved + eps);
    const double plus = loss.compute(out.data(), batch, width, t, nullptr);
    out[i] = static_cast<float>(saved - eps);
    const double minus = loss.compute(out.data(), batch, width, t, nullptr);
    out[i] = saved;
    const double numeric = (plus - minus) / (2 * eps);
    INFO(loss.name() << " d/dout[" << i << "]: analytic " << grad[i] << ", numeric " << numeric);
    CHECK(std::fabs(grad[i] - numeric) <= atol + rtol * std::fabs(numeric));
  }
}

}  // namespace nn_test
