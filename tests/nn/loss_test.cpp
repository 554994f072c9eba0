// Losses: values on hand-computed cases and gradients against finite differences.
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_loss_gradient;

TEST_CASE("Regression losses: values and gradients", "[nn/loss]") {
  const std::vector<float> out = {0.5f, -1.0f, 2.0f, 0.0f};
  const std::vector<float> target = {0.0f, 1.0f, -1.5f, 0.25f};
  nn::Targets t;
  t.values = target.data();
  // d = 0.5, -2, 3.5, -0.25
  CHECK(nn::MeanSquaredError().compute(out.data(), 2, 2, t, nullptr) ==
        Approx((0.25 + 4 + 12.25 + 0.0625) / 4));
  CHECK(nn::MeanAbsoluteError().compute(out.data(), 2, 2, t, nullptr) ==
        Approx((0.5 + 2 + 3.5 + 0.25) / 4));
  CHECK(nn::Huber(1.0f).compute(out.data(), 2, 2, t, nullptr) ==
        Approx((0.125 + 1.5 + 3.0 + 0.03125) / 4));
  const std::vector<float> x = inlay_test::random_floats(12, 3, -2, 2);
  const std::vector<float> y = inlay_test::random_floats(12, 4, -2, 2);
  t.values = y.data();
  check_loss_gradient(nn::MeanSquaredError(), x, 4, 3, t);
  check_loss_gradient(nn::MeanAbsoluteError(), x, 4, 3, t);
  check_loss_gradient(nn::Huber(0.7f), x, 4, 3, t);
}

TEST_CASE("Cross-entropy: value, class weights, label smoothing, gradients", "[nn/loss]") {
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f, 0.0f, 0.0f, 0.0f};
  const std::vector<std::int64_t> labels = {2, 0};
  nn::Targets t;
  t.labels = labels.data();
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double l1 = std::log(3.0);
  CHECK(nn::CrossEntropy().compute(logits.data(), 2, 3, t, nullptr) == Approx((l0 + l1) / 2));
  CHECK(nn::CrossEntropy({2.0f, 1.0f, 1.0f}).compute(logits.data(), 2, 3, t, nullptr) ==
        Approx((l0 + 2 * l1) / 3));
  const std::vector<float> x = inlay_test::random_floats(20, 5, -3, 3);
  const std::vector<std::int64_t> y = {0, 3, 4, 1};
  t.labels = y.data();
  check_loss_gradient(nn::CrossEntropy(), x, 4, 5, t);
  check_loss_gradient(nn::CrossEntropy({0.5f, 1.0f, 2.0f, 1.5f, 1.0f}, 0.1f), x, 4, 5, t);
  const std::vector<std::int64_t> bad = {0, 5, 0, 0};
  t.labels = bad.data();
  CHECK_THROWS_WITH(nn::CrossEntropy().compute(x.data(), 4, 5, t, nullptr),
                    Catch::Contains("label 5 of row 1"));
  CHECK_THROWS_WITH(nn::CrossEntropy().compute(x.data(), 4, 5, nn::Targets(), nullptr),
                    Catch::Contains("needs class labels"));
}

TEST_CASE("Binary cross-entropy, KL divergence, hinge, distillation gradients", "[nn/loss]") {
  const std::vector<float> z = inlay_test::random_floats(12, 6, -4, 4);
  const std::vector<float> p01 = {1, 0, 1, 1, 0, 0, 0.3f, 1, 0, 1, 0.5f, 0};
  nn::Targets t;
  t.values = p01.data();
  check_loss_gradient(nn::BinaryCrossEntropy(), z, 4, 3, t);
  // log(1 + e^-z) for target 1, log(1 + e^z) for target 0.
  const float one = 2.0f;
  const float target = 1.0f;
  nn::Targets t1;
  t1.values = &target;
  CHECK(nn::BinaryCrossEntropy().compute(&one, 1, 1, t1, nullptr) ==
        Approx(std::log1p(std::exp(-2.0))));

  std::vector<float> dist = inlay_test::random_floats(12, 7, 0.05f, 1.0f);
  for (int r = 0; r < 4; ++r) {
    float s = dist[r * 3] + dist[r * 3 + 1] + dist[r * 3 + 2];
    for (int j = 0; j < 3; ++j) dist[r * 3 + j] /= s;
  }
  t.values = dist.data();
  check_loss_gradient(nn::KLDivergence(), z, 4, 3, t);
  // KL of a distribution with itself is 0.
  std::vector<float> logp(12);
  for (int i = 0; i < 12; ++i) logp[i] = std::log(dist[i]);
  CHECK(nn::KLDivergence().compute(logp.data(), 4, 3, t, nullptr) == Approx(0.0).margin(1e-6));

  const std::vector<std::int64_t> labels = {2, 0, 1, 1};
  nn::Targets tl;
  tl.labels = labels.data();
  check_loss_gradient(nn::Hinge(), z, 4, 3, tl);
  const std::vector<float> zb = {0.3f, -2.0f, 1.7f, -0.4f};
  const std::vector<float> yb = {1, 0, 0, 1};
  nn::Targets tb;
  tb.values = yb.data();
  CHECK(nn::Hinge().compute(zb.data(), 4, 1, tb, nullptr) == Approx((0.7 + 0 + 2.7 + 1.4) / 4));
  check_loss_gradient(nn::Hinge(), zb, 4, 1, tb);

  const std::vector<float> teacher = inlay_test::random_floats(12, 8, -3, 3);
  tl.soft = teacher.data();
  check_loss_gradient(nn::Distillation(0.3f, 2.0f), z, 4, 3, tl);
  // alpha = 1 is plain cross-entropy.
  CHECK(nn::Distillation(1.0f, 2.0f).compute(z.data(), 4, 3, tl, nullptr) ==
        Approx(nn::CrossEntropy().compute(z.data(), 4, 3, tl, nullptr)));
}
