// Graph-door tests of the ai.onnx.preview.training optimizers (include/inlay/graph/ops/
// training.hpp): Adagrad, Momentum (standard and Nesterov) and Adam on one and several tensors,
// at the first step and later ones, against the formulas of the ONNX operator docs, and the
// errors for inputs that do not come in whole groups or do not match.
#include <cmath>
#include <cstdint>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

Tensor vec(const std::vector<float>& v) {
  return make_tensor<float>(Shape{static_cast<std::int64_t>(v.size())}, v);
}
Tensor rate(float r) { return make_tensor<float>(Shape{}, {r}); }
Tensor step(std::int64_t t) { return make_tensor<std::int64_t>(Shape{}, {t}); }

OpTester optimizer(const char* op) {
  OpTester t(op);
  t.domain("ai.onnx.preview.training", 1);
  return t;
}

const std::vector<float> x1 = {1.0f}, g1 = {-1.0f}, s1 = {2.0f};
const std::vector<float> x2 = {1.0f, 2.0f}, g2 = {-1.0f, -3.0f}, s2 = {4.0f, 1.0f};

}  // namespace

TEST_CASE("Adagrad", "[graph/ops/training]") {
  const double nc = 0.001, eps = 1e-5, decay = 0.1;
  for (std::int64_t t : {0, 3}) {
    INFO("T = " << t);
    const double r = 0.1 / (1 + t * decay);
    std::vector<float> xn1, hn1, xn2, hn2;
    auto apply = [&](const std::vector<float>& x, const std::vector<float>& g,
                     const std::vector<float>& h, std::vector<float>& xn, std::vector<float>& hn) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double gr = nc * x[i] + g[i];
        hn.push_back(static_cast<float>(h[i] + gr * gr));
        xn.push_back(static_cast<float>(x[i] - r * gr / (std::sqrt(h[i] + gr * gr) + eps)));
      }
    };
    apply(x1, g1, s1, xn1, hn1);
    apply(x2, g2, s2, xn2, hn2);
    optimizer("Adagrad")
        .in(rate(0.1f))
        .in(step(t))
        .in(vec(x1))
        .in(vec(x2))
        .in(vec(g1))
        .in(vec(g2))
        .in(vec(s1))
        .in(vec(s2))
        .attr("norm_coefficient", static_cast<float>(nc))
        .attr("epsilon", static_cast<float>(eps))
        .attr("decay_factor", static_cast<float>(decay))
        .outputs(4)
        .check({vec(xn1), vec(xn2), vec(hn1), vec(hn2)}, {1e-5, 1e-6});
  }
}

TEST_CASE("Momentum, standard and Nesterov", "[graph/ops/training]") {
  const double nc = 0.001, alpha = 0.95, beta = 0.1, r = 0.1;
  for (bool nesterov : {false, true}) {
    for (std::int64_t t : {0, 2}) {
      INFO((nesterov ? "nesterov" : "standard") << ", T = " << t);
      const double b = t > 0 ? beta : 1.0;
      std::vector<float> xn, vn;
      for (std::size_t i = 0; i < x2.size(); ++i) {
        const double gr = nc * x2[i] + g2[i];
        const double v = alpha * s2[i] + b * gr;
        vn.push_back(static_cast<float>(v));
        xn.push_back(static_cast<float>(nesterov ? x2[i] - r * (gr + alpha * v) : x2[i] - r * v));
      }
      optimizer("Momentum")
          .in(rate(0.1f))
          .in(step(t))
          .in(vec(x2))
          .in(vec(g2))
          .in(vec(s2))
          .attr("norm_coefficient", static_cast<float>(nc))
          .attr("alpha", static_cast<float>(alpha))
          .attr("beta", static_cast<float>(beta))
          .attr("mode", std::string(nesterov ? "nesterov" : "standard"))
          .outputs(2)
          .check({vec(xn), vec(vn)}, {1e-5, 1e-6});
    }
  }
}

TEST_CASE("Adam", "[graph/ops/training]") {
  const double nc = 0.001, ncp = 0.01, alpha = 0.95, beta = 0.1, eps = 1e-7;
  const std::vector<float> h2 = {0.5f, 3.0f};
  for (std::int64_t t : {0, 10}) {
    INFO("T = " << t);
    const double r =
        t > 0 ? 0.1 * std::sqrt(1 - std::pow(beta, t)) / (1 - std::pow(alpha, t)) : 0.1;
    std::vector<float> xn, vn, hn;
    for (std::size_t i = 0; i < x2.size(); ++i) {
      const double gr = nc * x2[i] + g2[i];
      const double v = alpha * s2[i] + (1 - alpha) * gr;
      const double h = beta * h2[i] + (1 - beta) * gr * gr;
      vn.push_back(static_cast<float>(v));
      hn.push_back(static_cast<float>(h));
      xn.push_back(static_cast<float>((1 - ncp) * (x2[i] - r * v / (std::sqrt(h) + eps))));
    }
    optimizer("Adam")
        .in(rate(0.1f))
        .in(step(t))
        .in(vec(x2))
        .in(vec(g2))
        .in(vec(s2))
        .in(vec(h2))
        .attr("norm_coefficient", static_cast<float>(nc))
        .attr("norm_coefficient_post", static_cast<float>(ncp))
        .attr("alpha", static_cast<float>(alpha))
        .attr("beta", static_cast<float>(beta))
        .attr("epsilon", static_cast<float>(eps))
        .outputs(3)
        .check({vec(xn), vec(vn), vec(hn)}, {1e-5, 1e-6});
  }
  // Defaults (alpha 0.9, beta 0.999, epsilon 1e-6): at T = 0 with zero states, X moves by
  // R * 0.1 g / (sqrt(0.001 g^2) + 1e-6).
  const double step0 = 0.1 * 0.1 / (std::sqrt(0.001) + 1e-6);
  optimizer("Adam")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec({1.0f}))
      .in(vec({1.0f}))
      .in(vec({0.0f}))
      .in(vec({0.0f}))
      .outputs(3)
      .check({vec({static_cast<float>(1 - step0)}), vec({0.1f}), vec({0.001f})}, {1e-4, 1e-6});
}

TEST_CASE("the optimizers name what is wrong", "[graph/ops/training]") {
  // Four tensors after R and T do not make whole groups of X, G, H.
  optimizer("Adagrad")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec(x1))
      .in(vec(g1))
      .in(vec(s1))
      .in(vec(s1))
      .outputs(2)
      .expect_run_error(ErrorKind::invalid_model, "3 inputs per optimized tensor");
  optimizer("Adagrad")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec(x1))
      .in(vec(g1))
      .in(vec(s1))
      .outputs(1)
      .expect_run_error(ErrorKind::invalid_model, "expected 2 outputs");
  optimizer("Adagrad")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec(x1))
      .in(vec(g2))
      .in(vec(s1))
      .outputs(2)
      .expect_run_error(ErrorKind::shape_mismatch, "G of tensor 0");
  optimizer("Adam")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec(x2))
      .in(vec(g2))
      .in(vec(s2))
      .in(vec(s1))
      .outputs(3)
      .expect_run_error(ErrorKind::shape_mismatch, "second state of tensor 0");
  optimizer("Adagrad")
      .in(rate(0.1f))
      .in(make_tensor<float>(Shape{}, {0}))
      .in(vec(x1))
      .in(vec(g1))
      .in(vec(s1))
      .outputs(2)
      .expect_run_error(ErrorKind::invalid_model, "T (the step count) must be one int64");
  optimizer("Adagrad")
      .in(step(1))
      .in(step(0))
      .in(vec(x1))
      .in(vec(g1))
      .in(vec(s1))
      .outputs(2)
      .expect_run_error(ErrorKind::invalid_model, "R (the learning rate) must be float");
  optimizer("Momentum")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec(x1))
      .in(vec(g1))
      .in(vec(s1))
      .attr("alpha", 0.9f)
      .attr("beta", 0.1f)
      .attr("norm_coefficient", 0.0f)
      .outputs(2)
      .expect_load_error(ErrorKind::invalid_model, "mode");
  optimizer("Momentum")
      .in(rate(0.1f))
      .in(step(0))
      .in(vec(x1))
      .in(vec(g1))
      .in(vec(s1))
      .attr("alpha", 0.9f)
      .attr("beta", 0.1f)
      .attr("norm_coefficient", 0.0f)
      .attr("mode", std::string("heavy"))
      .outputs(2)
      .expect_load_error(ErrorKind::invalid_model, "mode 'heavy'");
  optimizer("Adagrad")
      .in(rate(0.1f))
      .in(step(0))
      .in(make_tensor<std::int32_t>(Shape{1}, {1}))
      .in(make_tensor<std::int32_t>(Shape{1}, {1}))
      .in(make_tensor<std::int32_t>(Shape{1}, {1}))
      .outputs(2)
      .expect_run_error(ErrorKind::unsupported_op, "dtype i32");
}
