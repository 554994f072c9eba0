// Keras habits in the typed door: Softmax before a loss on logits is caught at compile time,
// one-hot target rows train like labels, bad labels and NaN inputs are reported as bad data.
#include <cmath>
#include <limits>

#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
using Logits = nn::Sequential<nn::Dense<2, 8>, nn::ReLU, nn::Dense<8, 3>>;
using Proba = nn::Sequential<nn::Dense<2, 8>, nn::ReLU, nn::Dense<8, 3>, nn::Softmax>;
using Sigmoid1 = nn::Sequential<nn::Dense<2, 1>, nn::Sigmoid>;

// Three separable groups in 2-D, label = row % 3.
struct Data {
  inlay::Tensor x;
  std::vector<std::int64_t> labels;
};
Data groups(std::size_t n) {
  inlay::data::Rng rng(5);
  Data d{inlay::Tensor(inlay::DType::f32, {static_cast<std::int64_t>(n), 2}), {}};
  const float centers[3][2] = {{-2, 0}, {2, 0}, {0, 2.5f}};
  for (std::size_t i = 0; i < n; ++i) {
    d.x.data<float>()[2 * i] = centers[i % 3][0] + 0.4f * rng.normal();
    d.x.data<float>()[2 * i + 1] = centers[i % 3][1] + 0.4f * rng.normal();
    d.labels.push_back(static_cast<std::int64_t>(i % 3));
  }
  return d;
}
nn::FitOptions quiet_options() {
  nn::FitOptions o;
  o.epochs = 4;
  o.batch_size = 16;
  o.seed = 9;
  o.progress = nullptr;
  return o;
}
}  // namespace

TEST_CASE("a Softmax/Sigmoid last layer before a loss on logits is detected", "[nn/keras_habits]") {
  CHECK(nn::squashes_before_logit_loss<Proba, nn::CrossEntropy>::value);
  CHECK(nn::squashes_before_logit_loss<Proba, nn::KLDivergence>::value);
  CHECK(nn::squashes_before_logit_loss<Proba, nn::Distillation>::value);
  CHECK(nn::squashes_before_logit_loss<Sigmoid1, nn::BinaryCrossEntropy>::value);
  CHECK_FALSE(nn::squashes_before_logit_loss<Logits, nn::CrossEntropy>::value);
  CHECK_FALSE(nn::squashes_before_logit_loss<Proba, nn::MeanSquaredError>::value);
  CHECK_FALSE(nn::squashes_before_logit_loss<Sigmoid1, nn::CrossEntropy>::value);
  // A loss passed as nn::Loss& cannot be checked: accepted.
  CHECK_FALSE(nn::squashes_before_logit_loss<Proba, nn::Loss>::value);
}

TEST_CASE("CrossEntropy on one-hot rows equals CrossEntropy on labels", "[nn/keras_habits]") {
  const std::size_t batch = 5, width = 4;
  const std::vector<float> logits = inlay_test::random_floats(batch * width, 3);
  const std::vector<std::int64_t> labels = {2, 0, 3, 3, 1};
  const inlay::Tensor one_hot = inlay::data::one_hot(labels, width);
  for (const nn::CrossEntropy& loss :
       {nn::CrossEntropy(), nn::CrossEntropy({1.0f, 2.0f, 0.5f, 3.0f}, 0.1f)}) {
    nn::Targets by_label, by_row;
    by_label.labels = labels.data();
    by_row.values = one_hot.data<float>();
    std::vector<float> g_label(batch * width), g_row(batch * width);
    const double a = loss.compute(logits.data(), batch, width, by_label, g_label.data());
    const double b = loss.compute(logits.data(), batch, width, by_row, g_row.data());
    CHECK(b == Approx(a).epsilon(1e-12));
    for (std::size_t i = 0; i < g_label.size(); ++i) CHECK(g_row[i] == Approx(g_label[i]));
  }
  // Soft rows: -sum t log softmax, checked against a direct computation.
  const std::vector<float> soft = {0.25f, 0.25f, 0.5f, 0.0f};
  nn::Targets t;
  t.values = soft.data();
  double expected = 0.0, m = -INFINITY, s = 0.0;
  for (std::size_t j = 0; j < width; ++j) m = std::max(m, static_cast<double>(logits[j]));
  for (std::size_t j = 0; j < width; ++j) s += std::exp(logits[j] - m);
  for (std::size_t j = 0; j < width; ++j) expected -= soft[j] * (logits[j] - m - std::log(s));
  CHECK(nn::CrossEntropy().compute(logits.data(), 1, width, t, nullptr) == Approx(expected));
}

TEST_CASE("CrossEntropy names the target row that is not a distribution", "[nn/keras_habits]") {
  const std::vector<float> logits(3 * 2, 0.0f);
  nn::Targets t;
  const std::vector<float> sums_two = {1, 0, 1, 1, 0, 1};
  t.values = sums_two.data();
  CHECK_THROWS_WITH(nn::CrossEntropy().compute(logits.data(), 3, 2, t, nullptr),
                    Catch::Contains("target row 1 sums to 2"));
  const std::vector<float> negative = {1, 0, 0, 1, -0.5f, 1.5f};
  t.values = negative.data();
  CHECK_THROWS_WITH(nn::CrossEntropy().compute(logits.data(), 3, 2, t, nullptr),
                    Catch::Contains("at row 2, class 0 is outside [0, 1]"));
}

TEST_CASE("fit and evaluate take one-hot rows like labels, with accuracy", "[nn/keras_habits]") {
  const Data d = groups(120);
  const inlay::Tensor one_hot = inlay::data::one_hot(d.labels, 3);
  Logits a, b;
  nn::Adam adam_a(0.02f), adam_b(0.02f);
  const nn::History ha =
      nn::fit(a, d.x, nn::labels_view(d.labels), nn::CrossEntropy(), adam_a, quiet_options());
  const nn::History hb = nn::fit(b, d.x, one_hot, nn::CrossEntropy(), adam_b, quiet_options());
  REQUIRE(ha.epochs.size() == hb.epochs.size());
  for (std::size_t e = 0; e < ha.epochs.size(); ++e) {
    CHECK(hb.epochs[e].loss == Approx(ha.epochs[e].loss));
    CHECK(hb.epochs[e].accuracy == ha.epochs[e].accuracy);
  }
  CHECK(ha.epochs.back().accuracy > 0.9);
  const nn::Evaluation e = nn::evaluate(b, d.x, one_hot, nn::CrossEntropy());
  CHECK_FALSE(std::isnan(e.accuracy));
  CHECK(e.accuracy == nn::evaluate(a, d.x, nn::labels_view(d.labels), nn::CrossEntropy()).accuracy);
  // Not one-hot (soft rows): trains, accuracy is not defined.
  inlay::Tensor soft(inlay::DType::f32, {120, 3});
  for (std::int64_t i = 0; i < soft.numel(); ++i) soft.data<float>()[i] = 1.0f / 3.0f;
  CHECK(std::isnan(nn::evaluate(b, d.x, soft, nn::CrossEntropy()).accuracy));
}

TEST_CASE("fit reports a bad label with its row in the data", "[nn/keras_habits]") {
  const Data d = groups(60);
  std::vector<std::int64_t> labels = d.labels;
  labels[37] = 3;  // the network has 3 outputs
  Logits net;
  nn::Adam adam(0.01f);
  CHECK_THROWS_WITH(
      nn::fit(net, d.x, nn::labels_view(labels), nn::CrossEntropy(), adam, quiet_options()),
      Catch::Contains("label 3 of row 37 is outside [0, 3)"));
  labels[37] = -1;
  CHECK_THROWS_WITH(nn::evaluate(net, d.x, nn::labels_view(labels), nn::CrossEntropy()),
                    Catch::Contains("label -1 of row 37"));
}

TEST_CASE("NaN in the data is reported as bad data, not as a learning rate", "[nn/keras_habits]") {
  Data d = groups(60);
  d.x.data<float>()[2 * 41 + 1] = std::numeric_limits<float>::quiet_NaN();
  Logits net;
  nn::Adam adam(0.01f);
  std::string message;
  try {
    nn::fit(net, d.x, nn::labels_view(d.labels), nn::CrossEntropy(), adam, quiet_options());
  } catch (const inlay::Error& e) { message = e.what(); }
  CHECK_THAT(message, Catch::Contains("x row 41, column 1 (nan) is not a finite number"));
  CHECK_THAT(message, Catch::Contains("bad input data"));

  const Data clean = groups(60);
  inlay::Tensor y = inlay::data::one_hot(clean.labels, 3);
  y.data<float>()[3 * 12] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(nn::fit(net, clean.x, y, nn::CrossEntropy(), adam, quiet_options()),
                    Catch::Contains("target values y row 12, column 0 (inf)"));
}
