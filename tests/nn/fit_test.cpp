// fit(): learning, seeded determinism, validation split, early stopping, best weights, progress.
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
// Three Gaussian blobs in 2-D: an easy, learnable classification problem.
struct Blobs {
  inlay::Tensor x;
  std::vector<std::int64_t> y;
};
Blobs blobs(std::size_t n, std::uint64_t seed) {
  inlay::data::Rng rng(seed);
  Blobs b{inlay::Tensor(inlay::DType::f32, {static_cast<std::int64_t>(n), 2}), {}};
  const float centers[3][2] = {{-2, 0}, {2, 0}, {0, 2.5f}};
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = i % 3;
    b.x.data<float>()[2 * i] = centers[c][0] + 0.5f * rng.normal();
    b.x.data<float>()[2 * i + 1] = centers[c][1] + 0.5f * rng.normal();
    b.y.push_back(static_cast<std::int64_t>(c));
  }
  return b;
}
using Net = nn::Sequential<nn::Dense<2, 16>, nn::ReLU, nn::Dense<16, 3>>;

void collect(void* context, const std::string& line) {
  static_cast<std::vector<std::string>*>(context)->push_back(line);
}
}  // namespace

TEST_CASE("fit learns, reports one line per epoch and is deterministic for a seed", "[nn/fit]") {
  const Blobs data = blobs(300, 1);
  std::vector<std::string> lines;
  nn::FitOptions o;
  o.epochs = 15;
  o.batch_size = 16;
  o.seed = 3;
  o.validation_fraction = 0.2;
  o.progress = collect;
  o.progress_context = &lines;
  Net a;
  nn::Adam adam(0.01f);
  const nn::History h = nn::fit(a, data.x, nn::labels_view(data.y), nn::CrossEntropy(), adam, o);
  REQUIRE(h.epochs.size() == 15);
  REQUIRE(lines.size() == 15);
  CHECK(lines[0].find("epoch  1/15  loss ") == 0);
  CHECK(lines[0].find("val_acc") != std::string::npos);
  CHECK(h.has_validation);
  CHECK(h.epochs.back().val_accuracy > 0.95);
  CHECK(h.epochs.back().loss < h.epochs.front().loss);
  const nn::Evaluation e = nn::evaluate(a, data.x, nn::labels_view(data.y), nn::CrossEntropy());
  CHECK(e.accuracy > 0.95);

  Net b;
  nn::Adam adam_b(0.01f);
  o.progress = nullptr;  // silent
  const nn::History hb = nn::fit(b, data.x, nn::labels_view(data.y), nn::CrossEntropy(), adam_b, o);
  CHECK(hb.epochs.back().loss == h.epochs.back().loss);
  CHECK(b.params()[0].value[5] == a.params()[0].value[5]);
}

TEST_CASE("Early stopping stops and puts back the best weights", "[nn/fit]") {
  // Validation labels that contradict the training labels: the better the network learns, the
  // worse the validation loss, so the best epoch is an early one and training stops.
  const Blobs data = blobs(90, 2);
  std::vector<std::int64_t> wrong;
  for (std::int64_t c : data.y) wrong.push_back((c + 1) % 3);
  nn::FitOptions o;
  o.epochs = 200;
  o.batch_size = 8;
  o.patience = 3;
  o.progress = nullptr;
  o.validation_x = data.x;
  o.validation_y = nn::labels_view(wrong);
  Net net;
  nn::Adam adam(0.01f);
  const nn::History h = nn::fit(net, data.x, nn::labels_view(data.y), nn::CrossEntropy(), adam, o);
  CHECK(h.stopped_early);
  REQUIRE(h.best_epoch >= 1);
  CHECK(h.epochs.size() == h.best_epoch + 3);
  for (const nn::EpochStats& e : h.epochs) CHECK(h.epochs[h.best_epoch - 1].val_loss <= e.val_loss);
  // The weights kept are the best epoch's.
  const nn::Evaluation e = nn::evaluate(net, data.x, nn::labels_view(wrong), nn::CrossEntropy());
  CHECK(e.loss == Approx(h.epochs[h.best_epoch - 1].val_loss).epsilon(1e-6));
}

TEST_CASE("fit regression, schedules, distillation and clear errors", "[nn/fit]") {
  // y = 2 x0 - x1 + 0.5
  const std::size_t n = 128;
  inlay::Tensor x(inlay::DType::f32, {static_cast<std::int64_t>(n), 2});
  std::vector<float> y(n);
  inlay::data::Rng rng(5);
  for (std::size_t i = 0; i < n; ++i) {
    const float a = static_cast<float>(rng.uniform(-1, 1)),
                b = static_cast<float>(rng.uniform(-1, 1));
    x.data<float>()[2 * i] = a;
    x.data<float>()[2 * i + 1] = b;
    y[i] = 2 * a - b + 0.5f;
  }
  nn::Sequential<nn::Dense<2, 1>> lin;
  nn::Momentum opt(0.05f);
  nn::FitOptions o;
  o.epochs = 60;
  o.progress = nullptr;
  o.schedule = nn::LrSchedule::cosine(0.05f);
  o.schedule.with_warmup(2);
  const nn::History h = nn::fit(lin, x, nn::targets_view(y), nn::MeanSquaredError(), opt, o);
  CHECK(h.epochs.back().loss < 1e-3);
  CHECK(std::isnan(h.epochs.back().accuracy));
  CHECK(lin.layer<0>().weight[0] == Approx(2.0f).margin(0.05));
  CHECK(lin.layer<0>().bias[0] == Approx(0.5f).margin(0.05));

  // Distillation from a teacher's logits: the student learns the teacher's classes.
  const Blobs data = blobs(150, 4);
  Net teacher;
  nn::Adam ta(0.01f);
  nn::FitOptions quiet;
  quiet.progress = nullptr;
  quiet.epochs = 10;
  nn::fit(teacher, data.x, nn::labels_view(data.y), nn::CrossEntropy(), ta, quiet);
  Net student;
  nn::Adam sa(0.01f);
  quiet.soft_targets = teacher.predict(data.x);
  quiet.seed = 9;
  const nn::History hd =
      nn::fit(student, data.x, nn::labels_view(data.y), nn::Distillation(0.5f, 3.0f), sa, quiet);
  CHECK(hd.epochs.back().accuracy > 0.95);

  const inlay::Tensor x3(inlay::DType::f32, {4, 3});
  CHECK_THROWS_WITH(
      nn::fit(lin, x3, nn::targets_view({1, 2, 3, 4}), nn::MeanSquaredError(), opt, o),
      Catch::Contains("does not hold 2 values per row (the network's input)"));
  CHECK_THROWS_WITH(nn::fit(lin, data.x, nn::labels_view(data.y), nn::CrossEntropy(), opt, o),
                    Catch::Contains("outside [0, 1)"));
}

namespace {
// Sequences of 8 values in [-1, 1); the label is the sign of the first one, so a network that
// reads only the last step must carry it through the recurrence.
Blobs first_sign(std::size_t n, std::uint64_t seed) {
  inlay::data::Rng rng(seed);
  Blobs b{inlay::Tensor(inlay::DType::f32, {static_cast<std::int64_t>(n), 8, 1}), {}};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < 8; ++t) {
      b.x.data<float>()[8 * i + t] = 2.0f * static_cast<float>(rng.uniform()) - 1.0f;
    }
    b.y.push_back(b.x.data<float>()[8 * i] > 0.0f ? 1 : 0);
  }
  return b;
}
template <class Recurrent>
double first_sign_accuracy() {
  using SeqNet = nn::Sequential<Recurrent, nn::Dense<8, 2>>;
  const Blobs train = first_sign(512, 5), test = first_sign(256, 6);
  SeqNet net;
  nn::Adam adam(0.02f);
  nn::FitOptions o;
  o.epochs = 30;
  o.batch_size = 32;
  o.seed = 7;
  o.progress = nullptr;
  nn::fit(net, train.x, nn::labels_view(train.y), nn::CrossEntropy(), adam, o);
  return nn::evaluate(net, test.x, nn::labels_view(test.y), nn::CrossEntropy()).accuracy;
}
}  // namespace

TEST_CASE("LSTM and GRU learn to remember the first step of a sequence", "[nn/fit]") {
  CHECK(first_sign_accuracy<nn::LSTM<1, 8, 8, false>>() > 0.9);
  CHECK(first_sign_accuracy<nn::GRU<1, 8, 8, false>>() > 0.9);
}
