// Graph-door tests of NonMaxSuppression (include/inlay/graph/ops/detection.hpp): the box formats,
// thresholds, ties and limits, a brute-force reference on random boxes, and the errors for
// shapes and dtypes that do not fit.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

Tensor i64_scalar(std::int64_t v) { return make_tensor<std::int64_t>(Shape{1}, {v}); }
Tensor f32_scalar(float v) { return make_tensor<float>(Shape{1}, {v}); }
Tensor triples(const std::vector<std::int64_t>& v) {
  return make_tensor<std::int64_t>(Shape{static_cast<std::int64_t>(v.size() / 3), 3}, v);
}

// The ONNX example: boxes 0-2 overlap, 3-4 overlap, 5 stands alone.
const std::vector<float> example_boxes = {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                          0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
const std::vector<float> example_scores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};

OpTester nms(const Tensor& boxes, const Tensor& scores, std::int64_t max_boxes, float iou,
             float score) {
  OpTester t("NonMaxSuppression", 11);
  t.in(boxes).in(scores).in(i64_scalar(max_boxes)).in(f32_scalar(iou)).in(f32_scalar(score));
  return t;
}

// Reference written as the spec reads: repeatedly take the best remaining candidate (lowest
// index among equal scores), then drop every remaining one overlapping it by more than `iou`.
std::vector<std::int64_t> reference_nms(const std::vector<float>& boxes,
                                        const std::vector<float>& scores, std::int64_t batches,
                                        std::int64_t classes, std::int64_t n,
                                        std::int64_t max_boxes, float iou, float score) {
  std::vector<std::int64_t> out;
  auto iou_of = [&](std::int64_t b, std::int64_t i, std::int64_t j) {
    const float* p = &boxes[static_cast<std::size_t>((b * n + i) * 4)];
    const float* q = &boxes[static_cast<std::size_t>((b * n + j) * 4)];
    const double py0 = std::min(p[0], p[2]), py1 = std::max(p[0], p[2]);
    const double px0 = std::min(p[1], p[3]), px1 = std::max(p[1], p[3]);
    const double qy0 = std::min(q[0], q[2]), qy1 = std::max(q[0], q[2]);
    const double qx0 = std::min(q[1], q[3]), qx1 = std::max(q[1], q[3]);
    const double ih = std::max(0.0, std::min(py1, qy1) - std::max(py0, qy0));
    const double iw = std::max(0.0, std::min(px1, qx1) - std::max(px0, qx0));
    const double inter = ih * iw;
    const double uni = (py1 - py0) * (px1 - px0) + (qy1 - qy0) * (qx1 - qx0) - inter;
    return uni > 0 ? inter / uni : 0.0;
  };
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t c = 0; c < classes; ++c) {
      std::vector<bool> alive(static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i)
        alive[static_cast<std::size_t>(i)] =
            scores[static_cast<std::size_t>((b * classes + c) * n + i)] > score;
      for (std::int64_t taken = 0; taken < max_boxes; ++taken) {
        std::int64_t best = -1;
        for (std::int64_t i = 0; i < n; ++i) {
          if (!alive[static_cast<std::size_t>(i)]) continue;
          if (best < 0 || scores[static_cast<std::size_t>((b * classes + c) * n + i)] >
                              scores[static_cast<std::size_t>((b * classes + c) * n + best)])
            best = i;
        }
        if (best < 0) break;
        out.insert(out.end(), {b, c, best});
        for (std::int64_t i = 0; i < n; ++i)
          if (alive[static_cast<std::size_t>(i)] && (i == best || iou_of(b, best, i) > iou))
            alive[static_cast<std::size_t>(i)] = false;
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("NonMaxSuppression: corners, centers, thresholds, ties and limits",
          "[graph/ops/detection]") {
  const Tensor boxes = make_tensor<float>(Shape{1, 6, 4}, example_boxes);
  const Tensor scores = make_tensor<float>(Shape{1, 1, 6}, example_scores);
  nms(boxes, scores, 3, 0.5f, 0.0f).check({triples({0, 0, 3, 0, 0, 0, 0, 0, 5})});
  // A higher limit keeps only the three clusters; a limit of 1 keeps the best box.
  nms(boxes, scores, 10, 0.5f, 0.0f).check({triples({0, 0, 3, 0, 0, 0, 0, 0, 5})});
  nms(boxes, scores, 1, 0.5f, 0.0f).check({triples({0, 0, 3})});
  // score_threshold is strict: 0.3 drops box 5 (score 0.3) too.
  nms(boxes, scores, 3, 0.5f, 0.3f).check({triples({0, 0, 3, 0, 0, 0})});
  // iou_threshold 0.9: boxes 1 and 2 overlap box 0 by 0.82 and are kept.
  nms(boxes, scores, 4, 0.9f, 0.0f).check({triples({0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 2})});

  // Corners in either order give the same boxes.
  std::vector<float> flipped = example_boxes;
  for (std::size_t i : {0u, 2u, 5u}) {
    std::swap(flipped[i * 4 + 0], flipped[i * 4 + 2]);
    std::swap(flipped[i * 4 + 1], flipped[i * 4 + 3]);
  }
  nms(make_tensor<float>(Shape{1, 6, 4}, flipped), scores, 3, 0.5f, 0.0f)
      .check({triples({0, 0, 3, 0, 0, 0, 0, 0, 5})});

  // center_point_box = 1: [x_center, y_center, width, height] of the same boxes.
  std::vector<float> centers;
  for (std::size_t i = 0; i < 6; ++i) {
    const float* p = &example_boxes[i * 4];
    centers.insert(centers.end(), {(p[1] + p[3]) / 2, (p[0] + p[2]) / 2, p[3] - p[1], p[2] - p[0]});
  }
  nms(make_tensor<float>(Shape{1, 6, 4}, centers), scores, 3, 0.5f, 0.0f)
      .attr("center_point_box", std::int64_t{1})
      .check({triples({0, 0, 3, 0, 0, 0, 0, 0, 5})});

  // Equal scores: the lower box index first.
  const Tensor apart = make_tensor<float>(Shape{1, 3, 4}, {0, 0, 1, 1, 0, 5, 1, 6, 0, 9, 1, 10});
  nms(apart, make_tensor<float>(Shape{1, 1, 3}, {0.5f, 0.7f, 0.5f}), 3, 0.5f, 0.0f)
      .check({triples({0, 0, 1, 0, 0, 0, 0, 0, 2})});

  // max_output_boxes_per_class 0 or absent: no boxes; iou and score thresholds absent.
  nms(boxes, scores, 0, 0.5f, 0.0f).check({triples({})});
  CHECK(OpTester("NonMaxSuppression", 10).in(boxes).in(scores).run1().shape() == (Shape{0, 3}));
  // Without thresholds any overlap suppresses and every score counts.
  OpTester("NonMaxSuppression", 10)
      .in(boxes)
      .in(scores)
      .in(i64_scalar(6))
      .check({triples({0, 0, 3, 0, 0, 0, 0, 0, 5})});

  // Two batches, two classes, f64.
  std::vector<double> boxes2, scores2;
  for (int b = 0; b < 2; ++b)
    for (float v : example_boxes) boxes2.push_back(v);
  for (int k = 0; k < 4; ++k)
    for (std::size_t i = 0; i < 6; ++i) scores2.push_back(example_scores[(i + k) % 6]);
  OpTester("NonMaxSuppression", 11)
      .in(make_tensor<double>(Shape{2, 6, 4}, boxes2))
      .in(make_tensor<double>(Shape{2, 2, 6}, scores2))
      .in(i64_scalar(2))
      .in(make_tensor<double>(Shape{}, {0.5}))
      .check({triples({0, 0, 3, 0, 0, 0, 0, 1, 2, 0, 1, 5, 1, 0, 1, 1, 0, 4, 1, 1, 0, 1, 1, 3})});
}

TEST_CASE("NonMaxSuppression matches a brute-force reference on random boxes",
          "[graph/ops/detection]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> pos(0, 10), size(0.5f, 4), score(0, 1);
  const std::int64_t batches = 2, classes = 3, n = 40;
  std::vector<float> boxes, scores;
  for (std::int64_t i = 0; i < batches * n; ++i) {
    const float y = pos(rng), x = pos(rng);
    boxes.insert(boxes.end(), {y, x, y + size(rng), x + size(rng)});
  }
  for (std::int64_t i = 0; i < batches * classes * n; ++i)
    scores.push_back(std::round(score(rng) * 8) / 8);  // many ties
  for (float iou : {0.0f, 0.3f, 0.7f}) {
    for (std::int64_t max_boxes : {std::int64_t{3}, std::int64_t{100}}) {
      INFO("iou " << iou << ", max " << max_boxes);
      const std::vector<std::int64_t> want =
          reference_nms(boxes, scores, batches, classes, n, max_boxes, iou, 0.25f);
      nms(make_tensor<float>(Shape{batches, n, 4}, boxes),
          make_tensor<float>(Shape{batches, classes, n}, scores), max_boxes, iou, 0.25f)
          .check({triples(want)});
    }
  }
}

TEST_CASE("NonMaxSuppression names what is wrong", "[graph/ops/detection]") {
  const Tensor boxes = make_tensor<float>(Shape{1, 6, 4}, example_boxes);
  const Tensor scores = make_tensor<float>(Shape{1, 1, 6}, example_scores);
  nms(Tensor(DType::f32, Shape{6, 4}), scores, 3, 0.5f, 0)
      .expect_run_error(ErrorKind::shape_mismatch, "boxes must be [batch, boxes, 4]");
  nms(Tensor(DType::f32, Shape{1, 6, 3}), scores, 3, 0.5f, 0)
      .expect_run_error(ErrorKind::shape_mismatch, "boxes must be [batch, boxes, 4]");
  nms(boxes, Tensor(DType::f32, Shape{1, 6}), 3, 0.5f, 0)
      .expect_run_error(ErrorKind::shape_mismatch, "scores must be [batch, classes, boxes]");
  nms(boxes, Tensor(DType::f32, Shape{1, 1, 5}), 3, 0.5f, 0)
      .expect_run_error(ErrorKind::shape_mismatch, "do not match boxes");
  nms(boxes, Tensor(DType::f32, Shape{2, 1, 6}), 3, 0.5f, 0)
      .expect_run_error(ErrorKind::shape_mismatch, "do not match boxes");
  nms(boxes, Tensor(DType::f64, Shape{1, 1, 6}), 3, 0.5f, 0)
      .expect_run_error(ErrorKind::invalid_model, "scores have dtype");
  nms(boxes, scores, 3, 1.5f, 0).expect_run_error(ErrorKind::invalid_argument, "iou_threshold");
  nms(Tensor(DType::i32, Shape{1, 6, 4}), Tensor(DType::i32, Shape{1, 1, 6}), 3, 0.5f, 0)
      .expect_run_error(ErrorKind::unsupported_op, "dtype i32");
  OpTester("NonMaxSuppression", 11)
      .in(boxes)
      .in(scores)
      .in(make_tensor<std::int32_t>(Shape{1}, {3}))
      .expect_run_error(ErrorKind::invalid_model, "max_output_boxes_per_class must be one int64");
  OpTester("NonMaxSuppression", 11)
      .in(boxes)
      .in(scores)
      .in(i64_scalar(3))
      .in(make_tensor<std::int64_t>(Shape{1}, {0}))
      .expect_run_error(ErrorKind::invalid_model, "iou_threshold must be float");
  OpTester("NonMaxSuppression", 11)
      .in(boxes)
      .in(scores)
      .attr("center_point_box", std::int64_t{2})
      .expect_load_error(ErrorKind::invalid_model, "center_point_box");
}
