// Object-detection post-processing: NonMaxSuppression (the step after SSD/YOLO/Faster R-CNN
// heads that keeps the best-scoring box of each cluster of overlapping boxes).
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_DETECTION_HPP
#define INLAY_GRAPH_OPS_DETECTION_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// A box as its corners, lo <= hi on both axes (which axis is y or x does not matter for IoU).
struct NmsBox {
  double y_lo, x_lo, y_hi, x_hi;
  double area() const { return (y_hi - y_lo) * (x_hi - x_lo); }
};

// Intersection over union; 0 where the boxes do not overlap or have no area (as onnxruntime's
// SuppressByIOU, so that degenerate boxes never suppress each other).
inline double nms_iou(const NmsBox& a, const NmsBox& b) {
  const double h = std::min(a.y_hi, b.y_hi) - std::max(a.y_lo, b.y_lo);
  const double w = std::min(a.x_hi, b.x_hi) - std::max(a.x_lo, b.x_lo);
  if (h <= 0 || w <= 0) return 0;
  const double inter = h * w;
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

// NonMaxSuppression (opset 10, 11): boxes [B, N, 4], scores [B, C, N], optional
// max_output_boxes_per_class (0 or absent: no boxes), iou_threshold (absent: 0) and
// score_threshold (absent: every score); selected_indices [K, 3] of (batch, class, box). Per
// batch and class, the candidates in descending score order (ties: lower box index first) are
// taken greedily, each dropping the later ones whose IoU with it exceeds iou_threshold.
class NonMaxSuppressionKernel final : public OpKernel {
 public:
  explicit NonMaxSuppressionKernel(const OpInfo& info)
      : center_point_box_(info.get_int("center_point_box", 0)) {
    if (center_point_box_ != 0 && center_point_box_ != 1) {
      info.fail(ErrorKind::invalid_model, "center_point_box " + std::to_string(center_point_box_) +
                                              " is not 0 (corners) or 1 (center and size)");
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (boxes.rank() != 3 || boxes.shape()[2] != 4) {
      info.fail(ErrorKind::shape_mismatch,
                "boxes must be [batch, boxes, 4], not " + boxes.shape().to_string());
    }
    if (scores.rank() != 3) {
      info.fail(ErrorKind::shape_mismatch,
                "scores must be [batch, classes, boxes], not " + scores.shape().to_string());
    }
    if (scores.shape()[0] != boxes.shape()[0] || scores.shape()[2] != boxes.shape()[1]) {
      info.fail(ErrorKind::shape_mismatch, "scores " + scores.shape().to_string() +
                                               " do not match boxes " + boxes.shape().to_string() +
                                               " (batch and box count must agree)");
    }
    if (scores.dtype() != boxes.dtype()) {
      info.fail(ErrorKind::invalid_model, std::string("scores have dtype ") +
                                              dtype_name(scores.dtype()) + ", boxes " +
                                              dtype_name(boxes.dtype()));
    }
    std::int64_t max_per_class = 0;
    if (ctx.has_input(2)) {
      const Tensor& m = ctx.input(2);
      if (m.dtype() != DType::i64 || m.numel() != 1) {
        info.fail(ErrorKind::invalid_model, "max_output_boxes_per_class must be one int64, not " +
                                                std::string(dtype_name(m.dtype())) + " " +
                                                m.shape().to_string());
      }
      max_per_class = std::max<std::int64_t>(*m.data<std::int64_t>(), 0);
    }
    const double iou_threshold =
        ctx.has_input(3) ? float_scalar(info, ctx.input(3), "iou_threshold") : 0.0;
    const bool has_score_threshold = ctx.has_input(4);
    const double score_threshold =
        has_score_threshold ? float_scalar(info, ctx.input(4), "score_threshold") : 0.0;
    if (!(iou_threshold >= 0 && iou_threshold <= 1)) {
      info.fail(ErrorKind::invalid_argument,
                "iou_threshold " + std::to_string(iou_threshold) + " is outside [0, 1]");
    }

    const std::int64_t batches = boxes.shape()[0], count = boxes.shape()[1];
    const std::int64_t classes = scores.shape()[1];
    std::vector<std::int64_t> selected;  // (batch, class, box) triples
    std::vector<NmsBox> corners(static_cast<std::size_t>(count));
    std::vector<std::int64_t> order;
    std::vector<std::int64_t> kept;
    visit_dtype(
        info, boxes.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* b = boxes.data<T>();
          const T* s = scores.data<T>();
          for (std::int64_t n = 0; n < batches && max_per_class > 0; ++n) {
            for (std::int64_t i = 0; i < count; ++i)
              corners[static_cast<std::size_t>(i)] = corners_of(b + (n * count + i) * 4);
            for (std::int64_t c = 0; c < classes; ++c) {
              const T* sc = s + (n * classes + c) * count;
              order.clear();
              for (std::int64_t i = 0; i < count; ++i) {
                if (!has_score_threshold || static_cast<double>(sc[i]) > score_threshold)
                  order.push_back(i);
              }
              std::stable_sort(order.begin(), order.end(), [&](std::int64_t x, std::int64_t y) {
                return static_cast<double>(sc[x]) > static_cast<double>(sc[y]);
              });
              kept.clear();
              for (std::int64_t i : order) {
                if (static_cast<std::int64_t>(kept.size()) >= max_per_class) break;
                bool suppressed = false;
                for (std::int64_t k : kept) {
                  if (nms_iou(corners[static_cast<std::size_t>(i)],
                              corners[static_cast<std::size_t>(k)]) > iou_threshold) {
                    suppressed = true;
                    break;
                  }
                }
                if (suppressed) continue;
                kept.push_back(i);
                selected.insert(selected.end(), {n, c, i});
              }
            }
          }
        },
        FloatTypes{});
    const auto k = static_cast<std::int64_t>(selected.size() / 3);
    Tensor& y = ctx.output(0, DType::i64, Shape{k, 3});
    if (k)
      std::memcpy(y.data<std::int64_t>(), selected.data(), selected.size() * sizeof(std::int64_t));
  }

 private:
  static double float_scalar(const OpInfo& info, const Tensor& t, const char* what) {
    if (t.dtype() != DType::f32 && t.dtype() != DType::f64) {
      info.fail(ErrorKind::invalid_model,
                std::string(what) + " must be float, not " + dtype_name(t.dtype()));
    }
    return read_scalar(info, t, what);
  }

  template <class T>
  NmsBox corners_of(const T* p) const {
    const double a = static_cast<double>(p[0]), b = static_cast<double>(p[1]);
    const double c = static_cast<double>(p[2]), d = static_cast<double>(p[3]);
    if (center_point_box_ == 1) {  // [x_center, y_center, width, height]
      return NmsBox{b - d / 2, a - c / 2, b + d / 2, a + c / 2};
    }
    return NmsBox{std::min(a, c), std::min(b, d), std::max(a, c), std::max(b, d)};
  }

  std::int64_t center_point_box_;
};

inline void register_detection_ops(OpSet& ops) {
  ops.add("", "NonMaxSuppression", 10, factory<NonMaxSuppressionKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_DETECTION_HPP
