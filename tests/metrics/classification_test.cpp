// Classification metrics against hand-worked cases and values computed independently.
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using inlay::DType;
using inlay::Shape;
using inlay::Tensor;
using namespace inlay::metrics;

namespace {

Tensor scores(std::int64_t rows, std::int64_t cols, const std::vector<float>& v) {
  Tensor t(DType::f32, Shape{rows, cols});
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

}  // namespace

TEST_CASE("argmax_rows, accuracy and top-k accuracy", "[metrics/classification]") {
  // Row 2 ties classes 0 and 2: the first wins.
  const Tensor s =
      scores(4, 3, {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.4f, 0.2f, 0.4f, 0.2f, 0.3f, 0.5f});
  CHECK(argmax_rows(s) == std::vector<std::int64_t>{1, 0, 0, 2});
  const std::vector<std::int64_t> y{1, 1, 2, 0};
  CHECK(accuracy(y, argmax_rows(s)) == 0.25);
  CHECK(accuracy({}, {}) == 0.0);
  CHECK_THROWS_AS(accuracy({1}, {1, 2}), inlay::Error);
  // Top-1: only row 0. Top-2: row 0; row 1 (0.3 second); row 2: the tie 0.4/0.4 puts class 0
  // first (lower index), class 2 second; row 3: class 0 is last. So 3 of 4.
  CHECK(top_k_accuracy(s, y, 1) == 0.25);
  CHECK(top_k_accuracy(s, y, 2) == 0.75);
  CHECK(top_k_accuracy(s, y, 3) == 1.0);
  CHECK(top_k_accuracy(s, y, 10) == 1.0);
  CHECK_THROWS_AS(top_k_accuracy(s, y, 0), inlay::Error);
  CHECK_THROWS_AS(top_k_accuracy(s, {0, 1, 3, 0}, 1), inlay::Error);
  CHECK_THROWS_AS(top_k_accuracy(s, {0, 1}, 1), inlay::Error);
  CHECK_THROWS_AS(argmax_rows(Tensor(DType::f32, Shape{3})), inlay::Error);
}

TEST_CASE("confusion_matrix counts [true][predicted]", "[metrics/classification]") {
  const ConfusionMatrix m = confusion_matrix({0, 0, 1, 2, 2, 2}, {0, 1, 1, 2, 0, 2}, 3);
  CHECK(m.classes == 3);
  CHECK(m.counts == std::vector<std::int64_t>{1, 1, 0, 0, 1, 0, 1, 0, 2});
  CHECK(m.at(2, 0) == 1);
  CHECK(m.at(0, 1) == 1);
  CHECK_THROWS_AS(m.at(3, 0), inlay::Error);
  CHECK_THROWS_AS(m.at(0, 3), inlay::Error);
  CHECK_THROWS_AS(confusion_matrix({0, 3}, {0, 0}, 3), inlay::Error);
  CHECK_THROWS_AS(confusion_matrix({0, 1}, {0, -1}, 3), inlay::Error);
}

TEST_CASE("classification_report: per class, macro, micro and weighted scores",
          "[metrics/classification]") {
  const std::vector<std::int64_t> y_true{0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         3, 3, 0, 1, 2, 3, 3, 3, 1, 0};
  const std::vector<std::int64_t> y_pred{0, 1, 0, 1, 1, 2, 1, 2, 0, 2,
                                         3, 1, 0, 1, 2, 3, 0, 3, 3, 0};
  const ClassificationReport r = classification_report(y_true, y_pred, 4);
  // Computed once with /usr/bin/python3 by counting tp/fp/fn per class over the pairs directly
  // (precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2PR/(P+R); numpy for the means).
  const double precision[] = {0.6666666666666666, 0.6666666666666666, 0.75, 0.75};
  const double recall[] = {0.8, 0.6666666666666666, 0.75, 0.6};
  const double f1[] = {0.7272727272727272, 0.6666666666666666, 0.75, 0.6666666666666665};
  const std::int64_t support[] = {5, 6, 4, 5};
  REQUIRE(r.per_class.size() == 4);
  for (int c = 0; c < 4; ++c) {
    INFO("class " << c);
    CHECK(r.per_class[c].precision == Approx(precision[c]).epsilon(1e-12));
    CHECK(r.per_class[c].recall == Approx(recall[c]).epsilon(1e-12));
    CHECK(r.per_class[c].f1 == Approx(f1[c]).epsilon(1e-12));
    CHECK(r.per_class[c].support == support[c]);
  }
  CHECK(r.macro.precision == Approx(0.7083333333333333).epsilon(1e-12));
  CHECK(r.macro.recall == Approx(0.7041666666666667).epsilon(1e-12));
  CHECK(r.macro.f1 == Approx(0.702651515151515).epsilon(1e-12));
  CHECK(r.weighted.precision == Approx(0.7041666666666666).epsilon(1e-12));
  CHECK(r.weighted.recall == Approx(0.7).epsilon(1e-12));
  CHECK(r.weighted.f1 == Approx(0.6984848484848484).epsilon(1e-12));
  // Single-label problems: micro precision = recall = F1 = accuracy.
  CHECK(r.accuracy == Approx(0.7).epsilon(1e-12));
  CHECK(r.micro.precision == Approx(0.7).epsilon(1e-12));
  CHECK(r.micro.recall == Approx(0.7).epsilon(1e-12));
  CHECK(r.micro.f1 == Approx(0.7).epsilon(1e-12));
  CHECK(r.macro.support == 20);
}

TEST_CASE("classification_report: 0/0 counts as 0 (zero_division=0)", "[metrics/classification]") {
  // Class 2 never occurs and is never predicted; class 1 is never predicted.
  const ClassificationReport r = classification_report({0, 0, 1}, {0, 0, 0}, 3);
  CHECK(r.per_class[0].precision == Approx(2.0 / 3));
  CHECK(r.per_class[0].recall == 1.0);
  CHECK(r.per_class[0].f1 == Approx(0.8));
  CHECK(r.per_class[1].precision == 0.0);
  CHECK(r.per_class[1].recall == 0.0);
  CHECK(r.per_class[1].f1 == 0.0);
  CHECK(r.per_class[2].support == 0);
  CHECK(r.macro.f1 == Approx(0.8 / 3));
  CHECK(r.weighted.f1 == Approx(0.8 * 2 / 3));

  const ClassificationReport empty = classification_report({}, {}, 2);
  CHECK(empty.accuracy == 0.0);
  CHECK(empty.macro.f1 == 0.0);
  ConfusionMatrix bad;
  bad.classes = 2;
  bad.counts = {1, 2, 3};
  CHECK_THROWS_AS(classification_report(bad), inlay::Error);
}
