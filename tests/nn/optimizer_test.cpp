// Optimizers: one step by hand, regularization, clipping, schedules, and convergence on a
// quadratic.
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
// One parameter tensor w with gradient g.
struct One {
  std::vector<float> w, g;
  std::vector<nn::Param> params() { return {nn::Param{"w", w.data(), g.data(), w.size(), true}}; }
};
}  // namespace

TEST_CASE("One optimizer step by hand", "[nn/optimizer]") {
  One p{{1.0f, -2.0f}, {0.5f, -0.25f}};
  nn::SGD sgd(0.1f);
  sgd.step(p.params());
  CHECK(p.w[0] == Approx(0.95f));
  CHECK(p.w[1] == Approx(-1.975f));

  // Adam's first step moves every weight by lr (bias correction), whatever the gradient's size.
  One a{{1.0f, -2.0f}, {0.5f, -0.25f}};
  nn::Adam adam(0.01f);
  adam.step(a.params());
  CHECK(a.w[0] == Approx(0.99f));
  CHECK(a.w[1] == Approx(-1.99f));

  // AdamW: decoupled decay shrinks w by lr * wd * w besides the Adam step.
  One aw{{1.0f}, {0.0f}};
  nn::AdamW adamw(0.1f, 0.5f);
  adamw.step(aw.params());
  CHECK(aw.w[0] == Approx(0.95f));

  // L2 adds l2 * w to the gradient, L1 adds l1 * sign(w); biases (decay false) are spared.
  std::vector<float> w = {2.0f, -3.0f}, g = {0.0f, 0.0f}, b = {5.0f}, gb = {0.0f};
  std::vector<nn::Param> params = {nn::Param{"w", w.data(), g.data(), 2, true},
                                   nn::Param{"b", b.data(), gb.data(), 1, false}};
  nn::SGD reg(1.0f);
  reg.l2 = 0.1f;
  reg.l1 = 0.01f;
  reg.step(params);
  CHECK(w[0] == Approx(2.0f - 0.2f - 0.01f));
  CHECK(w[1] == Approx(-3.0f + 0.3f + 0.01f));
  CHECK(b[0] == 5.0f);

  // Momentum: v = g, then v = mu v + g.
  One m{{0.0f}, {1.0f}};
  nn::Momentum mom(0.1f, 0.9f);
  mom.step(m.params());
  m.g[0] = 1.0f;
  mom.step(m.params());
  CHECK(m.w[0] == Approx(-0.1f - 0.19f));
  One n{{0.0f}, {1.0f}};
  nn::Nesterov nes(0.1f, 0.9f);
  nes.step(n.params());
  CHECK(n.w[0] == Approx(-0.1f * (1.0f + 0.9f)));
  One r{{0.0f}, {2.0f}};
  nn::RMSprop rms(0.01f, 0.9f, 0.0f);
  rms.step(r.params());
  CHECK(r.w[0] == Approx(-0.01f * 2.0f / std::sqrt(0.1f * 4.0f)));
}

TEST_CASE("Gradient clipping by value and by global norm", "[nn/optimizer]") {
  One p{{0.0f, 0.0f}, {3.0f, -4.0f}};
  nn::SGD sgd(1.0f);
  sgd.clip_norm = 1.0f;
  sgd.step(p.params());
  CHECK(p.w[0] == Approx(-0.6f));
  CHECK(p.w[1] == Approx(0.8f));
  One q{{0.0f, 0.0f}, {3.0f, -0.5f}};
  nn::SGD by_value(1.0f);
  by_value.clip_value = 1.0f;
  by_value.step(q.params());
  CHECK(q.w[0] == Approx(-1.0f));
  CHECK(q.w[1] == Approx(0.5f));
}

TEST_CASE("Learning-rate schedules", "[nn/optimizer]") {
  const nn::LrSchedule step = nn::LrSchedule::step(10, 0.5f);
  CHECK(step.factor(0.0, 30) == 1.0f);
  CHECK(step.factor(9.9, 30) == 1.0f);
  CHECK(step.factor(10.0, 30) == 0.5f);
  CHECK(step.factor(25.0, 30) == 0.25f);
  const nn::LrSchedule cosine = nn::LrSchedule::cosine(0.1f);
  CHECK(cosine.factor(0.0, 10) == Approx(1.0f));
  CHECK(cosine.factor(5.0, 10) == Approx(0.55f));
  CHECK(cosine.factor(10.0, 10) == Approx(0.1f));
  nn::LrSchedule warm = nn::LrSchedule::cosine();
  warm.with_warmup(2.0);
  CHECK(warm.factor(0.0, 12, 4) == Approx(1.0f / 8));
  CHECK(warm.factor(1.0, 12, 4) == Approx(5.0f / 8));
  CHECK(warm.factor(2.0, 12, 4) == Approx(1.0f));
  CHECK(warm.factor(7.0, 12, 4) == Approx(0.5f));
}

TEST_CASE("Every optimizer minimizes a quadratic", "[nn/optimizer]") {
  auto run = [](nn::Optimizer& opt, int steps) {
    // f(w) = sum (w - c)^2 / 2, gradient w - c.
    One p{{5.0f, -3.0f, 0.5f}, {0, 0, 0}};
    const float c[3] = {1.0f, 2.0f, -1.0f};
    for (int s = 0; s < steps; ++s) {
      for (int i = 0; i < 3; ++i) p.g[i] = p.w[i] - c[i];
      opt.step(p.params());
    }
    double err = 0;
    for (int i = 0; i < 3; ++i) err = std::max(err, static_cast<double>(std::fabs(p.w[i] - c[i])));
    return err;
  };
  nn::SGD sgd(0.1f);
  nn::Momentum momentum(0.05f);
  nn::Nesterov nesterov(0.05f);
  nn::Adam adam(0.05f);
  nn::AdamW adamw(0.05f, 0.0f);
  nn::RMSprop rms(0.02f);
  CHECK(run(sgd, 300) < 1e-3);
  CHECK(run(momentum, 300) < 1e-3);
  CHECK(run(nesterov, 300) < 1e-3);
  CHECK(run(adam, 1000) < 1e-2);
  CHECK(run(adamw, 1000) < 1e-2);
  CHECK(run(rms, 1000) < 5e-2);
}
