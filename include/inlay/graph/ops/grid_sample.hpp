// GridSample: samples an image at the positions a flow field (grid) gives, as the sampler of a
// Spatial Transformer Network. Implementation-only.
#ifndef INLAY_GRAPH_OPS_GRID_SAMPLE_HPP
#define INLAY_GRAPH_OPS_GRID_SAMPLE_HPP

#include <cmath>
#include <cstdint>
#include <string>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/resize.hpp"
#include "inlay/graph/ops/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// GridSample (opset 16; 20's spellings 'linear' and 'cubic' too, on 4-D inputs only): X
// [N, C, H, W], grid [N, H_out, W_out, 2] of (x, y) in [-1, 1] -> Y [N, C, H_out, W_out]. The
// coordinate mapping, padding and taps follow the semantics of torch.nn.functional.grid_sample,
// which the ONNX op is defined by: unnormalize, then for bilinear and nearest move the position
// inside the image (border: clamp, reflection: mirror) before taking the taps; bicubic takes
// its 4 x 4 taps around the raw position and moves each tap. Taps outside the image read 0.
// Each axis is independent, so the taps and weights are worked out per axis and combined.
class GridSampleKernel final : public OpKernel {
 public:
  enum class Mode { bilinear, nearest, bicubic };
  enum class Padding { zeros, border, reflection };

  explicit GridSampleKernel(const OpInfo& info) {
    require_dtype(info, 0, "X", TypeList<float, double, float16>{});
    require_dtype(info, 1, "grid", TypeList<float, double, float16>{});
    if (info.opset() >= 20) {
      mode_ = enum_attribute<Mode>(
          info, "mode", "linear",
          {{"linear", Mode::bilinear}, {"nearest", Mode::nearest}, {"cubic", Mode::bicubic}});
    } else {
      mode_ = enum_attribute<Mode>(
          info, "mode", "bilinear",
          {{"bilinear", Mode::bilinear}, {"nearest", Mode::nearest}, {"bicubic", Mode::bicubic}});
    }
    padding_ = enum_attribute<Padding>(info, "padding_mode", "zeros",
                                       {{"zeros", Padding::zeros},
                                        {"border", Padding::border},
                                        {"reflection", Padding::reflection}});
    const std::int64_t align = info.get_int("align_corners", 0);
    if (align != 0 && align != 1) {
      info.fail(ErrorKind::invalid_model,
                "align_corners " + std::to_string(align) + " is not 0 or 1");
    }
    align_corners_ = align == 1;
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    if (x.rank() != 4) {
      info.fail(info.opset() >= 20 ? ErrorKind::unsupported_op : ErrorKind::shape_mismatch,
                "X must be 4-D [N, C, H, W], not " + x.shape().to_string() +
                    " (only 2-D sampling is supported)");
    }
    if (grid.rank() != 4 || grid.shape()[3] != 2 || grid.shape()[0] != x.shape()[0]) {
      info.fail(ErrorKind::shape_mismatch,
                "grid must be [N, H_out, W_out, 2] with N = " + std::to_string(x.shape()[0]) +
                    ", not " + grid.shape().to_string());
    }
    const std::int64_t batch = x.shape()[0], channels = x.shape()[1];
    const std::int64_t height = x.shape()[2], width = x.shape()[3];
    const std::int64_t out_h = grid.shape()[1], out_w = grid.shape()[2];
    const std::int64_t dims[4] = {batch, channels, out_h, out_w};
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, dims, 4));
    if (y.numel() == 0) return;
    visit_dtype(
        info, grid.dtype(),
        [&](auto grid_tag) {
          using G = decltype(grid_tag);
          const G* g = grid.data<G>();
          visit_dtype(
              info, x.dtype(),
              [&](auto tag) {
                using T = decltype(tag);
                const T* src = x.data<T>();
                T* dst = y.data<T>();
                const std::int64_t plane = height * width, out_plane = out_h * out_w;
                for (std::int64_t n = 0; n < batch; ++n) {
                  for (std::int64_t p = 0; p < out_plane; ++p) {
                    const G* at = g + (n * out_plane + p) * 2;
                    const Taps tx = taps(static_cast<double>(to_scalar(at[0])), width);
                    const Taps ty = taps(static_cast<double>(to_scalar(at[1])), height);
                    for (std::int64_t c = 0; c < channels; ++c) {
                      const T* image = src + (n * channels + c) * plane;
                      double acc = 0;
                      for (int i = 0; i < ty.n; ++i) {
                        if (ty.index[i] < 0) continue;
                        const T* row = image + ty.index[i] * width;
                        double across = 0;
                        for (int j = 0; j < tx.n; ++j) {
                          if (tx.index[j] >= 0)
                            across +=
                                tx.weight[j] * static_cast<double>(to_scalar(row[tx.index[j]]));
                        }
                        acc += ty.weight[i] * across;
                      }
                      dst[(n * channels + c) * out_plane + p] = convert_to<T>(acc);
                    }
                  }
                }
              },
              TypeList<float, double, float16>{});
        },
        TypeList<float, double, float16>{});
  }

 private:
  // The taps of one axis: positions in the image, -1 where a tap falls outside (reads 0).
  struct Taps {
    int n = 0;
    std::int64_t index[4];
    double weight[4];
  };

  // Mirrors `x` at twice_low / 2 and twice_high / 2 until it lies between them (the bounds are
  // given doubled so that they stay whole numbers for align_corners = 0).
  static double reflect(double x, double twice_low, double twice_high) {
    if (twice_low == twice_high) return 0;
    const double low = twice_low / 2, span = (twice_high - twice_low) / 2;
    const double d = std::fabs(x - low);
    const double extra = std::fmod(d, span);
    const double flips = std::floor(d / span);
    return std::fmod(flips, 2.0) == 0 ? low + extra : low + span - extra;
  }

  // A position moved inside [0, size - 1] by the padding mode (zeros leaves it).
  double pad(double x, std::int64_t size) const {
    const double last = static_cast<double>(size - 1);
    if (padding_ == Padding::reflection) {
      x = align_corners_ ? reflect(x, 0, 2 * last) : reflect(x, -1, 2 * last + 1);
    }
    if (padding_ != Padding::zeros) x = std::min(std::max(x, 0.0), last);
    return x;
  }

  Taps taps(double g, std::int64_t size) const {
    Taps t;
    const double extent = static_cast<double>(size);
    double x = align_corners_ ? (g + 1) / 2 * (extent - 1) : ((g + 1) * extent - 1) / 2;
    if (!std::isfinite(x)) return t;  // no taps: the sample reads 0
    if (mode_ == Mode::bicubic) {
      if (padding_ == Padding::reflection) {
        // Reflection repeats with this period; a whole number of periods changes no tap.
        const double low = align_corners_ ? 0.0 : -0.5;
        const double period = align_corners_ ? 2 * (extent - 1) : 2 * extent;
        if (period > 0) {
          x = low + std::fmod(x - low, period);
          if (x < low) x += period;
        }
      } else {
        // Farther out every tap is outside (zeros) or on the edge (border, weights sum to 1).
        x = std::min(std::max(x, -8.0), extent + 8);
      }
      const double f = std::floor(x);
      cubic_weights(x - f, -0.75, t.weight);
      t.n = 4;
      for (int j = 0; j < 4; ++j) {
        const double tap = pad(f - 1 + j, size);
        t.index[j] = static_cast<std::int64_t>(tap);
      }
    } else {
      x = std::min(std::max(pad(x, size), -8.0), extent + 8);
      if (mode_ == Mode::nearest) {
        t.n = 1;
        t.index[0] = static_cast<std::int64_t>(std::nearbyint(x));  // ties to even, as PyTorch
        t.weight[0] = 1;
      } else {
        const double f = std::floor(x);
        t.n = 2;
        t.index[0] = static_cast<std::int64_t>(f);
        t.index[1] = t.index[0] + 1;
        t.weight[0] = 1 - (x - f);
        t.weight[1] = x - f;
      }
    }
    for (int j = 0; j < t.n; ++j) {
      if (t.index[j] < 0 || t.index[j] >= size) t.index[j] = -1;
    }
    return t;
  }

  Mode mode_ = Mode::bilinear;
  Padding padding_ = Padding::zeros;
  bool align_corners_ = false;
};

inline void register_grid_sample_ops(OpSet& ops) {
  ops.add("", "GridSample", 16, factory<GridSampleKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_GRID_SAMPLE_HPP
