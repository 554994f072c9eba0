// Graph-door tests of NonMaxSuppression and RoiAlign (include/inlay/graph/ops/detection.hpp): the
// box formats, thresholds, ties and limits, a brute-force reference on random boxes; RoiAlign by
// hand and against an element-by-element reference; and the errors for shapes, dtypes and
// attributes that do not fit.
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

namespace {

// X at (y, x) by bilinear interpolation: 0 more than a pixel outside, clamped to the edge within.
double bilinear_at(const std::vector<float>& plane, std::int64_t h, std::int64_t w, double y,
                   double x) {
  if (y < -1 || y > static_cast<double>(h) || x < -1 || x > static_cast<double>(w)) return 0;
  y = std::min(std::max(y, 0.0), static_cast<double>(h - 1));
  x = std::min(std::max(x, 0.0), static_cast<double>(w - 1));
  const auto y0 = static_cast<std::int64_t>(std::floor(y)), x0 = static_cast<std::int64_t>(x);
  const std::int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
  auto v = [&](std::int64_t yy, std::int64_t xx) {
    return static_cast<double>(plane[static_cast<std::size_t>(yy * w + xx)]);
  };
  const double fy = y - static_cast<double>(y0), fx = x - static_cast<double>(x0);
  return (1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) +
         fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1));
}

struct RoiAlignCase {
  std::int64_t n, c, h, w, oh, ow, sampling;
  float scale;
  bool half_pixel, max;
};

// RoiAlign output element by element, as the Mask R-CNN paper and the ONNX spec describe it.
std::vector<float> reference_roi_align(const RoiAlignCase& p, const std::vector<float>& x,
                                       const std::vector<float>& rois,
                                       const std::vector<std::int64_t>& batch) {
  std::vector<float> y;
  const double shift = p.half_pixel ? 0.5 : 0.0;
  for (std::size_t r = 0; r < batch.size(); ++r) {
    const double x1 = rois[r * 4] * p.scale - shift, y1 = rois[r * 4 + 1] * p.scale - shift;
    double rw = rois[r * 4 + 2] * p.scale - shift - x1, rh = rois[r * 4 + 3] * p.scale - shift - y1;
    if (!p.half_pixel) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    const double bh = rh / static_cast<double>(p.oh), bw = rw / static_cast<double>(p.ow);
    const std::int64_t gh = p.sampling ? p.sampling : static_cast<std::int64_t>(std::ceil(bh));
    const std::int64_t gw = p.sampling ? p.sampling : static_cast<std::int64_t>(std::ceil(bw));
    for (std::int64_t ch = 0; ch < p.c; ++ch) {
      const auto first = x.begin() + (batch[r] * p.c + ch) * p.h * p.w;
      const std::vector<float> plane(first, first + p.h * p.w);
      for (std::int64_t i = 0; i < p.oh; ++i) {
        for (std::int64_t j = 0; j < p.ow; ++j) {
          std::vector<double> samples;
          for (std::int64_t a = 0; a < gh; ++a)
            for (std::int64_t b = 0; b < gw; ++b)
              samples.push_back(
                  bilinear_at(plane, p.h, p.w,
                              y1 + bh * (static_cast<double>(i) +
                                         (static_cast<double>(a) + 0.5) / static_cast<double>(gh)),
                              x1 + bw * (static_cast<double>(j) + (static_cast<double>(b) + 0.5) /
                                                                      static_cast<double>(gw))));
          double out = 0;
          if (p.max && !samples.empty()) out = *std::max_element(samples.begin(), samples.end());
          if (!p.max)
            for (double s : samples) out += s / static_cast<double>(samples.size());
          y.push_back(static_cast<float>(out));
        }
      }
    }
  }
  return y;
}

OpTester roi_align(const Tensor& x, const Tensor& rois, const std::vector<std::int64_t>& batch,
                   int opset = 16) {
  OpTester t("RoiAlign", opset);
  t.in(x).in(rois).in(
      make_tensor<std::int64_t>(Shape{static_cast<std::int64_t>(batch.size())}, batch));
  return t;
}

}  // namespace

TEST_CASE("RoiAlign by hand", "[graph/ops/detection]") {
  // X = [[1, 2], [3, 4]], the roi (0, 0)..(1, 1), one output bin.
  const Tensor x = make_tensor<float>(Shape{1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor roi = make_tensor<float>(Shape{1, 4}, {0, 0, 1, 1});
  // output_half_pixel, one sample: the bin centre (0.5, 0.5) is the mean 2.5.
  roi_align(x, roi, {0})
      .attr("coordinate_transformation_mode", std::string("output_half_pixel"))
      .attr("sampling_ratio", std::int64_t{1})
      .check({make_tensor<float>(Shape{1, 1, 1, 1}, {2.5f})});
  // half_pixel shifts the roi by -0.5: the centre is pixel (0, 0).
  roi_align(x, roi, {0})
      .attr("sampling_ratio", std::int64_t{1})
      .check({make_tensor<float>(Shape{1, 1, 1, 1}, {1})});
  // Opset 10 has no half_pixel: it samples the centre as output_half_pixel does.
  roi_align(x, roi, {0}, 10)
      .attr("sampling_ratio", std::int64_t{1})
      .check({make_tensor<float>(Shape{1, 1, 1, 1}, {2.5f})});
  // 2 x 2 samples at 0.25 and 0.75: 1.75, 2.25, 2.75, 3.25; avg 2.5, max 3.25 (the spec's max
  // of the interpolated samples; the largest weighted corner term would be 4 * 0.5625 = 2.25).
  roi_align(x, roi, {0})
      .attr("coordinate_transformation_mode", std::string("output_half_pixel"))
      .attr("sampling_ratio", std::int64_t{2})
      .check({make_tensor<float>(Shape{1, 1, 1, 1}, {2.5f})});
  roi_align(x, roi, {0})
      .attr("coordinate_transformation_mode", std::string("output_half_pixel"))
      .attr("sampling_ratio", std::int64_t{2})
      .attr("mode", std::string("max"))
      .check({make_tensor<float>(Shape{1, 1, 1, 1}, {3.25f})});
  // Two bins across, one sample each: (y, x) = (0.5, 0.25) gives 2.25, (0.5, 0.75) 2.75.
  roi_align(x, roi, {0})
      .attr("coordinate_transformation_mode", std::string("output_half_pixel"))
      .attr("output_width", std::int64_t{2})
      .attr("sampling_ratio", std::int64_t{1})
      .check({make_tensor<float>(Shape{1, 1, 1, 2}, {2.25f, 2.75f})});
  // A roi far outside samples 0.
  roi_align(x, make_tensor<float>(Shape{1, 4}, {10, 10, 12, 12}), {0})
      .check({make_tensor<float>(Shape{1, 1, 1, 1}, {0})});
  // No rois: an empty output.
  roi_align(x, Tensor(DType::f32, Shape{0, 4}), {})
      .attr("output_height", std::int64_t{3})
      .check({Tensor(DType::f32, Shape{0, 1, 3, 1})});
}

TEST_CASE("RoiAlign matches an element-by-element reference", "[graph/ops/detection]") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-1, 1), corner(-2, 14), extent(0.5f, 9);
  for (bool half_pixel : {true, false}) {
    for (bool max : {false, true}) {
      for (std::int64_t sampling : {std::int64_t{0}, std::int64_t{2}}) {
        RoiAlignCase p{2, 3, 9, 11, 3, 4, sampling, 0.75f, half_pixel, max};
        INFO("half_pixel " << half_pixel << ", max " << max << ", sampling " << sampling);
        std::vector<float> x(static_cast<std::size_t>(p.n * p.c * p.h * p.w));
        for (float& v : x) v = value(rng);
        std::vector<float> rois;
        std::vector<std::int64_t> batch;
        for (int r = 0; r < 5; ++r) {
          const float x1 = corner(rng), y1 = corner(rng);
          rois.insert(rois.end(), {x1, y1, x1 + extent(rng), y1 + extent(rng)});
          batch.push_back(r % 2);
        }
        roi_align(make_tensor<float>(Shape{p.n, p.c, p.h, p.w}, x),
                  make_tensor<float>(Shape{5, 4}, rois), batch)
            .attr("coordinate_transformation_mode",
                  std::string(half_pixel ? "half_pixel" : "output_half_pixel"))
            .attr("mode", std::string(max ? "max" : "avg"))
            .attr("output_height", p.oh)
            .attr("output_width", p.ow)
            .attr("sampling_ratio", sampling)
            .attr("spatial_scale", p.scale)
            .check({make_tensor<float>(Shape{5, p.c, p.oh, p.ow},
                                       reference_roi_align(p, x, rois, batch))});
      }
    }
  }
}

TEST_CASE("RoiAlign names what is wrong", "[graph/ops/detection]") {
  const Tensor x = Tensor(DType::f32, Shape{1, 2, 4, 4});
  const Tensor roi = make_tensor<float>(Shape{1, 4}, {0, 0, 2, 2});
  roi_align(Tensor(DType::f32, Shape{2, 4, 4}), roi, {0})
      .expect_run_error(ErrorKind::shape_mismatch, "X must be [N, C, H, W]");
  roi_align(x, Tensor(DType::f32, Shape{1, 5}), {0})
      .expect_run_error(ErrorKind::shape_mismatch, "rois must be [num_rois, 4]");
  roi_align(x, roi, {0, 0}).expect_run_error(ErrorKind::shape_mismatch, "batch_indices [2]");
  roi_align(x, roi, {1}).expect_run_error(ErrorKind::invalid_argument, "batch_indices[0] = 1");
  roi_align(x, roi, {-1}).expect_run_error(ErrorKind::invalid_argument, "batch_indices[0] = -1");
  roi_align(x, Tensor(DType::f64, Shape{1, 4}), {0})
      .expect_run_error(ErrorKind::invalid_model, "rois have dtype f64");
  roi_align(x, make_tensor<float>(Shape{1, 4}, {0, 0, std::nanf(""), 2}), {0})
      .expect_run_error(ErrorKind::invalid_argument, "roi 0 is not finite");
  roi_align(x, make_tensor<float>(Shape{1, 4}, {0, 0, 1e9f, 2}), {0})
      .expect_run_error(ErrorKind::invalid_argument, "sampling grid");
  roi_align(x, roi, {0})
      .attr("mode", std::string("min"))
      .expect_load_error(ErrorKind::unsupported_op, "mode 'min'");
  roi_align(x, roi, {0})
      .attr("coordinate_transformation_mode", std::string("align_corners"))
      .expect_load_error(ErrorKind::unsupported_op, "coordinate_transformation_mode");
  roi_align(x, roi, {0})
      .attr("output_height", std::int64_t{0})
      .expect_load_error(ErrorKind::invalid_model, "output_height 0");
  roi_align(x, roi, {0})
      .attr("sampling_ratio", std::int64_t{-1})
      .expect_load_error(ErrorKind::invalid_model, "sampling_ratio -1");
}
