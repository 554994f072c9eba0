// Object-detection ops: NonMaxSuppression (the step after SSD/YOLO/Faster R-CNN heads that keeps
// the best-scoring box of each cluster of overlapping boxes) and RoiAlign (the pooling of each
// region proposal to a fixed-size feature map in two-stage detectors).
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_DETECTION_HPP
#define INLAY_GRAPH_OPS_DETECTION_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
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

// RoiAlign (opset 10, 16; He et al., Mask R-CNN, arXiv:1703.06870): X [N, C, H, W], rois [R, 4]
// as (x1, y1, x2, y2) in image coordinates, batch_indices [R] -> Y [R, C, output_height,
// output_width]. Each output bin holds a grid of sampling_ratio x sampling_ratio points (0:
// ceil(roi size / output size) per axis, per roi); each point is a bilinear sample of X and the
// bin is their mean (avg) or their maximum (max). The geometry is Detectron's: half_pixel shifts
// the scaled roi by -0.5 pixel; output_half_pixel (the only behaviour of opset 10) does not and
// widens a roi to at least 1 x 1. A point more than one pixel outside X samples 0; a point
// within clamps to the edge.
// max mode follows the spec (the largest bilinear sample of the bin); onnxruntime takes instead the
// largest of the four weighted corner terms w_i * v_i of each sample, so its max results differ.
class RoiAlignKernel final : public OpKernel {
 public:
  RoiAlignKernel(const OpInfo& info, bool opset16)
      : output_height_(info.get_int("output_height", 1)),
        output_width_(info.get_int("output_width", 1)),
        sampling_ratio_(info.get_int("sampling_ratio", 0)),
        spatial_scale_(info.get_float("spatial_scale", 1.0f)) {
    require_dtype(info, 0, "X", TypeList<float, double, float16>{});
    max_ = enum_attribute<bool>(info, "mode", "avg", {{"avg", false}, {"max", true}});
    half_pixel_ =
        opset16 && enum_attribute<bool>(info, "coordinate_transformation_mode", "half_pixel",
                                        {{"half_pixel", true}, {"output_half_pixel", false}});
    if (output_height_ < 1 || output_width_ < 1) {
      info.fail(ErrorKind::invalid_model, "output_height " + std::to_string(output_height_) +
                                              " and output_width " + std::to_string(output_width_) +
                                              " must be >= 1");
    }
    if (sampling_ratio_ < 0) {
      info.fail(ErrorKind::invalid_model,
                "sampling_ratio " + std::to_string(sampling_ratio_) + " is negative");
    }
    if (!std::isfinite(spatial_scale_)) {
      info.fail(ErrorKind::invalid_model, "spatial_scale is not finite");
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& indices = ctx.input(2);
    if (x.rank() != 4) {
      info.fail(ErrorKind::shape_mismatch, "X must be [N, C, H, W], not " + x.shape().to_string());
    }
    if (rois.rank() != 2 || rois.shape()[1] != 4) {
      info.fail(ErrorKind::shape_mismatch,
                "rois must be [num_rois, 4], not " + rois.shape().to_string());
    }
    if (indices.rank() != 1 || indices.shape()[0] != rois.shape()[0]) {
      info.fail(ErrorKind::shape_mismatch, "batch_indices " + indices.shape().to_string() +
                                               " must be [num_rois] for rois " +
                                               rois.shape().to_string());
    }
    if (rois.dtype() != x.dtype()) {
      info.fail(ErrorKind::invalid_model, std::string("rois have dtype ") +
                                              dtype_name(rois.dtype()) + ", X " +
                                              dtype_name(x.dtype()));
    }
    const std::vector<std::int64_t> batch = read_ints(info, indices, "batch_indices");
    const std::int64_t n = x.shape()[0], channels = x.shape()[1];
    const std::int64_t height = x.shape()[2], width = x.shape()[3];
    const std::int64_t count = rois.shape()[0];
    const std::int64_t bins = output_height_ * output_width_;
    std::vector<Tap> taps;
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          const T* pr = rois.data<T>();
          T* py = ctx.output(0, x.dtype(), Shape{count, channels, output_height_, output_width_})
                      .data<T>();
          for (std::int64_t r = 0; r < count; ++r) {
            const std::int64_t b = batch[static_cast<std::size_t>(r)];
            if (b < 0 || b >= n) {
              info.fail(ErrorKind::invalid_argument,
                        "batch_indices[" + std::to_string(r) + "] = " + std::to_string(b) +
                            " is outside [0, " + std::to_string(n) + ")");
            }
            double box[4];
            for (int k = 0; k < 4; ++k) box[k] = static_cast<double>(to_scalar(pr[r * 4 + k]));
            const std::int64_t grid = sample_taps(info, r, box, height, width, taps);
            const std::size_t per_bin = taps.size() / static_cast<std::size_t>(bins);
            for (std::int64_t c = 0; c < channels; ++c) {
              const T* plane = px + (b * channels + c) * height * width;
              T* out = py + (r * channels + c) * bins;
              for (std::int64_t bin = 0; bin < bins; ++bin) {
                const Tap* t = taps.data() + static_cast<std::size_t>(bin) * per_bin;
                double acc = 0;
                for (std::size_t s = 0; s < per_bin; ++s) {
                  double v = 0;
                  for (int k = 0; k < 4; ++k)
                    v += t[s].weight[k] * static_cast<double>(to_scalar(plane[t[s].offset[k]]));
                  acc = max_ ? (s == 0 ? v : std::max(acc, v)) : acc + v;
                }
                if (!max_) acc /= static_cast<double>(std::max<std::int64_t>(grid, 1));
                out[bin] = convert_to<T>(acc);
              }
            }
          }
        },
        TypeList<float, double, float16>{});
  }

 private:
  // A bilinear sample: four pixel offsets in a channel plane and their weights (all 0 outside).
  struct Tap {
    std::int64_t offset[4];
    double weight[4];
  };

  // The taps of roi r, bin after bin (row-major), each bin's grid points after one another;
  // returns the number of points per bin.
  std::int64_t sample_taps(const OpInfo& info, std::int64_t r, const double* box,
                           std::int64_t height, std::int64_t width, std::vector<Tap>& taps) const {
    const double shift = half_pixel_ ? 0.5 : 0.0;
    const double scale = static_cast<double>(spatial_scale_);
    const double x0 = box[0] * scale - shift, y0 = box[1] * scale - shift;
    double roi_w = box[2] * scale - shift - x0, roi_h = box[3] * scale - shift - y0;
    if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(roi_w) ||
        !std::isfinite(roi_h)) {
      info.fail(ErrorKind::invalid_argument, "roi " + std::to_string(r) + " is not finite");
    }
    if (!half_pixel_) {
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / static_cast<double>(output_height_);
    const double bin_w = roi_w / static_cast<double>(output_width_);
    // The adaptive grid grows with the roi; a limit keeps a huge roi from taking forever.
    constexpr double max_grid = 4096;
    const double grid_h =
        sampling_ratio_ > 0 ? static_cast<double>(sampling_ratio_) : std::ceil(bin_h);
    const double grid_w =
        sampling_ratio_ > 0 ? static_cast<double>(sampling_ratio_) : std::ceil(bin_w);
    if (grid_h > max_grid || grid_w > max_grid) {
      info.fail(ErrorKind::invalid_argument,
                "roi " + std::to_string(r) + " needs a sampling grid of " + std::to_string(grid_h) +
                    " x " + std::to_string(grid_w) +
                    " points per bin (at most 4096 per side; set sampling_ratio)");
    }
    const std::int64_t gh = std::max<std::int64_t>(static_cast<std::int64_t>(grid_h), 0);
    const std::int64_t gw = std::max<std::int64_t>(static_cast<std::int64_t>(grid_w), 0);
    taps.clear();
    for (std::int64_t ph = 0; ph < output_height_; ++ph) {
      for (std::int64_t pw = 0; pw < output_width_; ++pw) {
        for (std::int64_t iy = 0; iy < gh; ++iy) {
          const double y = y0 + static_cast<double>(ph) * bin_h +
                           (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(gh);
          for (std::int64_t ix = 0; ix < gw; ++ix) {
            const double xx = x0 + static_cast<double>(pw) * bin_w +
                              (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(gw);
            taps.push_back(bilinear_tap(y, xx, height, width));
          }
        }
      }
    }
    return gh * gw;
  }

  static Tap bilinear_tap(double y, double x, std::int64_t height, std::int64_t width) {
    Tap t{{0, 0, 0, 0}, {0, 0, 0, 0}};
    if (height == 0 || width == 0 || y < -1.0 || y > static_cast<double>(height) || x < -1.0 ||
        x > static_cast<double>(width)) {
      return t;
    }
    y = std::max(y, 0.0);
    x = std::max(x, 0.0);
    auto low = static_cast<std::int64_t>(y), left = static_cast<std::int64_t>(x);
    std::int64_t high = low + 1, right = left + 1;
    if (low >= height - 1) {
      low = high = height - 1;
      y = static_cast<double>(low);
    }
    if (left >= width - 1) {
      left = right = width - 1;
      x = static_cast<double>(left);
    }
    const double ly = y - static_cast<double>(low), lx = x - static_cast<double>(left);
    const double hy = 1 - ly, hx = 1 - lx;
    t.offset[0] = low * width + left;
    t.offset[1] = low * width + right;
    t.offset[2] = high * width + left;
    t.offset[3] = high * width + right;
    t.weight[0] = hy * hx;
    t.weight[1] = hy * lx;
    t.weight[2] = ly * hx;
    t.weight[3] = ly * lx;
    return t;
  }

  std::int64_t output_height_, output_width_, sampling_ratio_;
  float spatial_scale_;
  bool max_ = false, half_pixel_ = true;
};

inline void register_detection_ops(OpSet& ops) {
  ops.add("", "NonMaxSuppression", 10, factory<NonMaxSuppressionKernel>());
  ops.add("", "RoiAlign", 10, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<RoiAlignKernel>(info, false);
  });
  ops.add("", "RoiAlign", 16, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<RoiAlignKernel>(info, true);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_DETECTION_HPP
