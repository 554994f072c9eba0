// ROC-AUC with ties, against counting pairs.
#include <random>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using inlay::metrics::roc_auc;

namespace {

// The definition itself: P(score of a positive > score of a negative), ties 1/2.
double auc_by_pairs(const std::vector<std::int64_t>& y, const std::vector<float>& s) {
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (y[i] != 1 || y[j] != 0) continue;
      wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return wins / pairs;
}

}  // namespace

TEST_CASE("roc_auc: hand-worked cases", "[metrics/ranking]") {
  CHECK(roc_auc({0, 0, 1, 1}, {0.1f, 0.4f, 0.35f, 0.8f}) == 0.75);  // scikit-learn's doc example
  CHECK(roc_auc({0, 1}, {0.2f, 0.9f}) == 1.0);
  CHECK(roc_auc({1, 0}, {0.2f, 0.9f}) == 0.0);
  CHECK(roc_auc({1, 0, 1, 0}, {0.5f, 0.5f, 0.5f, 0.5f}) == 0.5);
  // Computed once with /usr/bin/python3 by counting pairs (float32 scores, ties 1/2): 0.73611...
  const std::vector<std::int64_t> y{0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0};
  const std::vector<float> s{0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.4f,
                             0.2f, 0.9f, 0.55f, 0.7f, 0.2f, 0.05f};
  CHECK(roc_auc(y, s) == Approx(0.7361111111111112).epsilon(1e-12));
}

TEST_CASE("roc_auc equals the pair count on random data with many ties", "[metrics/ranking]") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 2 + rng() % 200;
    std::vector<std::int64_t> y(n);
    std::vector<float> s(n);
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = static_cast<std::int64_t>(rng() % 2);
      s[i] = static_cast<float>(rng() % 10) / 10.0f;  // ten distinct values: ties everywhere
    }
    y[0] = 0;
    y[1] = 1;
    CHECK(roc_auc(y, s) == Approx(auc_by_pairs(y, s)).epsilon(1e-12));
  }
}

TEST_CASE("roc_auc refuses one class, other labels, NaN and size mismatch", "[metrics/ranking]") {
  CHECK_THROWS_AS(roc_auc({1, 1}, {0.1f, 0.2f}), inlay::Error);
  CHECK_THROWS_AS(roc_auc({0, 2}, {0.1f, 0.2f}), inlay::Error);
  CHECK_THROWS_AS(roc_auc({0, 1}, {0.1f, NAN}), inlay::Error);
  CHECK_THROWS_AS(roc_auc({0, 1}, {0.1f}), inlay::Error);
}
