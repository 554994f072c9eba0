// Hyperparameter search: grid and random settings, cross-validated scores (mean +- std over the
// folds), the best setting, preprocessing fitted per fold, errors.
#include <cmath>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

namespace data = inlay::data;
namespace nn = inlay::nn;
using Catch::Matchers::Contains;
using inlay::Tensor;

namespace {

using SearchNet = nn::Sequential<nn::Dense<2, 8>, nn::ReLU, nn::Dense<8, 2>>;
using Regressor = nn::Sequential<nn::Dense<2, 4>, nn::Tanh, nn::Dense<4, 1>>;

// Two well separated clusters of 30 points each (labels 0 and 1), far from the origin so that
// scaling matters.
void clusters(Tensor& x, std::vector<std::int64_t>& labels) {
  data::Rng rng(3);
  x = Tensor(inlay::DType::f32, inlay::Shape{60, 2});
  labels.clear();
  for (int i = 0; i < 60; ++i) {
    const int c = i % 2;
    x.data<float>()[i * 2] = 50.0f + (c ? 2.0f : -2.0f) + 0.5f * rng.normal();
    x.data<float>()[i * 2 + 1] = -20.0f + (c ? -2.0f : 2.0f) + 0.5f * rng.normal();
    labels.push_back(c);
  }
}

}  // namespace

TEST_CASE("grid: every combination, learning rate slowest", "[nn/search]") {
  nn::SearchSpace space;
  space.learning_rate = {0.1f, 0.01f};
  space.l2 = {0.0f, 1e-4f};
  space.batch_size = {8, 16};
  space.epochs = {3};
  const std::vector<nn::HyperParams> g = nn::grid(space);
  REQUIRE(g.size() == 8);
  CHECK(g[0].learning_rate == 0.1f);
  CHECK(g[0].l2 == 0.0f);
  CHECK(g[0].batch_size == 8);
  CHECK(g[1].batch_size == 16);
  CHECK(g[2].l2 == 1e-4f);
  CHECK(g[4].learning_rate == 0.01f);
  CHECK(g[7].to_string() == "lr=0.01 l1=0 l2=0.0001 batch=16 epochs=3");

  space.l1 = {};
  CHECK_THROWS_WITH(nn::grid(space), Contains("no value of l1"));
  space.l1 = {-1.0f};
  CHECK_THROWS_WITH(nn::grid(space), Contains("l1 -1") && Contains(">= 0"));
  space.l1 = {0.0f};
  space.learning_rate = {0.0f};
  CHECK_THROWS_WITH(nn::grid(space), Contains("learning_rate 0"));
  space.learning_rate = {1.0f};
  space.epochs = {0};
  CHECK_THROWS_WITH(nn::grid(space), Contains("epochs"));
}

TEST_CASE("random_settings: log-uniform learning rate, listed values otherwise", "[nn/search]") {
  nn::SearchSpace space;
  space.learning_rate = {1e-4f, 1e-1f};
  space.l1 = {0.0f, 1e-5f};
  space.batch_size = {16, 32, 64};
  space.epochs = {5, 10};
  const std::vector<nn::HyperParams> r = nn::random_settings(space, 200, 9);
  REQUIRE(r.size() == 200);
  std::size_t below_1e3 = 0;
  for (const nn::HyperParams& p : r) {
    CHECK(p.learning_rate >= 1e-4f * 0.9999f);
    CHECK(p.learning_rate <= 1e-1f * 1.0001f);
    if (p.learning_rate < 1e-3f) ++below_1e3;
    CHECK((p.l1 == 0.0f || p.l1 == 1e-5f));
    CHECK((p.batch_size == 16 || p.batch_size == 32 || p.batch_size == 64));
    CHECK((p.epochs == 5 || p.epochs == 10));
  }
  // Log-uniform: a third of the draws in the first factor of ten (uniform would give 1%).
  CHECK(below_1e3 > 40);
  CHECK(below_1e3 < 95);
  CHECK(nn::random_settings(space, 3, 9)[2].learning_rate == r[2].learning_rate);
  CHECK(nn::random_settings(space, 3, 10)[2].learning_rate != r[2].learning_rate);
  space.learning_rate = {0.01f};
  CHECK(nn::random_settings(space, 2, 1)[1].learning_rate == 0.01f);
}

TEST_CASE("score_setting and best_setting", "[nn/search]") {
  const nn::SettingScore s = nn::score_setting({}, {1.0, 3.0}, {0.5, 1.0});
  CHECK(s.mean_loss == 2.0);
  CHECK(s.std_loss == 1.0);
  CHECK(s.mean_accuracy == 0.75);
  CHECK(s.std_accuracy == 0.25);
  const nn::SettingScore t = nn::score_setting({}, {0.5, 0.5}, {0.7, 0.7});
  CHECK(nn::best_setting({s, t}) == 0);  // accuracy first
  const nn::SettingScore u = nn::score_setting({}, {0.5}, {std::nan("")});
  const nn::SettingScore v = nn::score_setting({}, {0.25}, {std::nan("")});
  CHECK(nn::best_setting({u, v}) == 1);  // no accuracy: the lowest loss
  CHECK_THROWS_WITH(nn::score_setting({}, {}, {}), Contains("0 fold losses"));
}

TEST_CASE("search trains each setting on each fold and scores the fold's test rows",
          "[nn/search]") {
  Tensor x;
  std::vector<std::int64_t> labels;
  clusters(x, labels);
  const std::vector<data::Split> folds = data::stratified_k_fold(labels, 3, 1);
  std::vector<nn::HyperParams> settings(2);
  settings[0].learning_rate = 1e-6f;  // barely moves in one epoch
  settings[0].epochs = 1;
  settings[1].learning_rate = 3e-2f;
  settings[1].epochs = 30;
  settings[1].batch_size = 8;
  nn::SearchOptions options;
  data::Pipeline scale;
  scale.add(data::Standardizer());
  options.preprocessing = &scale;
  std::vector<std::string> lines;
  options.progress = [](void* ctx, const std::string& line) {
    static_cast<std::vector<std::string>*>(ctx)->push_back(line);
  };
  options.progress_context = &lines;
  const nn::SearchResult r = nn::search<SearchNet>(x, nn::labels_view(labels), nn::CrossEntropy(),
                                                   settings, folds, options);
  REQUIRE(r.settings.size() == 2);
  for (const nn::SettingScore& s : r.settings) {
    REQUIRE(s.fold_loss.size() == 3);
    REQUIRE(s.fold_accuracy.size() == 3);
    double m = 0;
    for (double a : s.fold_accuracy) m += a / 3;
    CHECK(s.mean_accuracy == Approx(m));
  }
  // The trained setting learns the clusters; the untrained one keeps a loss near its initial
  // one (its accuracy depends on the random initial weights). best() has the top accuracy.
  CHECK(r.settings[1].mean_accuracy > 0.95);
  CHECK(r.settings[1].mean_loss < 0.5 * r.settings[0].mean_loss);
  for (const nn::SettingScore& s : r.settings) CHECK(r.best().mean_accuracy >= s.mean_accuracy);
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[1], Contains("setting 2/2: lr=0.03") && Contains("accuracy") && Contains("+-"));
  CHECK_THAT(r.to_string(), Contains("(best)"));
  // The preprocessing pipeline given is a template: it stays unfitted.
  CHECK_FALSE(scale.fitted());
}

TEST_CASE("search on regression targets scores by loss", "[nn/search]") {
  Tensor x;
  std::vector<std::int64_t> labels;
  clusters(x, labels);
  data::Standardizer s;
  const Tensor xs = s.fit_transform(x);
  std::vector<float> y;
  for (int i = 0; i < 60; ++i) y.push_back(xs.data<float>()[i * 2] - xs.data<float>()[i * 2 + 1]);
  std::vector<nn::HyperParams> settings(1);
  settings[0].learning_rate = 1e-2f;
  nn::SearchOptions options;
  options.progress = nullptr;
  const nn::SearchResult r = nn::search<Regressor>(xs, nn::targets_view(y), nn::MeanSquaredError(),
                                                   settings, data::k_fold(60, 4, 2), options);
  REQUIRE(r.settings.size() == 1);
  CHECK(std::isnan(r.best().mean_accuracy));
  CHECK(std::isfinite(r.best().mean_loss));
  CHECK(r.best().std_loss >= 0.0);
  CHECK_THAT(r.to_string(), !Contains("accuracy"));
}

TEST_CASE("search errors", "[nn/search]") {
  Tensor x;
  std::vector<std::int64_t> labels;
  clusters(x, labels);
  const auto folds = data::k_fold(60, 3, 0);
  const std::vector<nn::HyperParams> one(1);
  const Tensor y = nn::labels_view(labels);
  nn::SearchOptions quiet;
  quiet.progress = nullptr;
  CHECK_THROWS_WITH(nn::search<SearchNet>(x, y, nn::CrossEntropy(), {}, folds, quiet),
                    Contains("no setting"));
  CHECK_THROWS_WITH(nn::search<SearchNet>(x, y, nn::CrossEntropy(), one, {}, quiet),
                    Contains("no fold"));
  const std::vector<std::int64_t> fewer(labels.begin(), labels.begin() + 10);
  CHECK_THROWS_WITH(
      nn::search<SearchNet>(x, nn::labels_view(fewer), nn::CrossEntropy(), one, folds, quiet),
      Contains("do not have the same rows"));
  std::vector<nn::HyperParams> bad(1);
  bad[0].batch_size = 0;
  CHECK_THROWS_WITH(nn::search<SearchNet>(x, y, nn::CrossEntropy(), bad, folds, quiet),
                    Contains("batch_size"));
  std::vector<data::Split> empty_test = folds;
  empty_test[1].test.clear();
  CHECK_THROWS_WITH(nn::search<SearchNet>(x, y, nn::CrossEntropy(), one, empty_test, quiet),
                    Contains("fold 1"));
}
