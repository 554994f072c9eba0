// Resize and Upsample: nearest, linear and cubic interpolation over any axes.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_RESIZE_HPP
#define INLAY_GRAPH_OPS_RESIZE_HPP

#include <cmath>
#include <limits>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Keys' cubic convolution weights of the taps at -1, 0, 1, 2 around a sample `ratio` (in [0, 1])
// past tap 0, with coefficient `a` (-0.75 as in ONNX Resize, GridSample and PyTorch): Keys,
// "Cubic convolution interpolation for digital image processing", IEEE TASSP 29(6), 1981.
inline void cubic_weights(double ratio, double a, double* weight) {
  const double r = ratio, s = 1 - ratio;
  weight[0] = ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a;
  weight[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
  weight[2] = ((a + 2) * s - (a + 3)) * s * s + 1;
  weight[3] = ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a;
}

// Resize (opset 10: scales; 11+: roi, scales, sizes) and Upsample (7: scales attribute; 9:
// input). Interpolation is separable, so each resized axis is one pass over a double buffer;
// the sample positions and weights follow the reference in onnx/backend/test/case/node/
// resize.py (coordinate transformation, then the n nearest taps on the edge-padded axis).
class ResizeKernel final : public OpKernel {
 public:
  enum class Mode { nearest, linear, cubic };
  enum class Transform {
    half_pixel,
    asymmetric,
    align_corners,
    pytorch_half_pixel,
    tf_crop_and_resize
  };
  enum class Nearest { round_prefer_floor, round_prefer_ceil, floor, ceil };

  ResizeKernel(const OpInfo& info, bool upsample) : upsample_(upsample) {
    mode_ = enum_attribute<Mode>(info, "mode", "nearest",
                                 {{"nearest", Mode::nearest},
                                  {"linear", Mode::linear},
                                  {"bilinear", Mode::linear},
                                  {"cubic", Mode::cubic}});
    if (mode_ == Mode::cubic && upsample) {
      info.fail(ErrorKind::unsupported_op, "mode 'cubic' is not supported by Upsample");
    }
    // Upsample and Resize-10 sample at x / scale and take the floor for nearest.
    const bool legacy = upsample || info.opset() < 11;
    const std::string transform =
        legacy ? "asymmetric" : info.get_string("coordinate_transformation_mode", "half_pixel");
    transform_ = choice_of<Transform>(info, "coordinate_transformation_mode", transform,
                                      {{"half_pixel", Transform::half_pixel},
                                       {"asymmetric", Transform::asymmetric},
                                       {"align_corners", Transform::align_corners},
                                       {"pytorch_half_pixel", Transform::pytorch_half_pixel},
                                       {"tf_crop_and_resize", Transform::tf_crop_and_resize}});
    const std::string nearest =
        legacy ? "floor" : info.get_string("nearest_mode", "round_prefer_floor");
    nearest_ = choice_of<Nearest>(info, "nearest_mode", nearest,
                                  {{"round_prefer_floor", Nearest::round_prefer_floor},
                                   {"round_prefer_ceil", Nearest::round_prefer_ceil},
                                   {"floor", Nearest::floor},
                                   {"ceil", Nearest::ceil}});
    cubic_a_ = info.get_float("cubic_coeff_a", -0.75f);
    exclude_outside_ = info.get_int("exclude_outside", 0) != 0;
    extrapolation_ = info.get_float("extrapolation_value", 0.0f);
    if (info.get_int("antialias", 0) != 0 || info.has("axes") ||
        info.get_string("keep_aspect_ratio_policy", "stretch") != "stretch") {
      info.fail(ErrorKind::unsupported_op,
                "antialias, axes and keep_aspect_ratio_policy are not supported");
    }
    if (upsample && info.opset() < 9) {
      scales_attribute_ = info.require("scales", Attribute::Kind::floats).floats;
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    const Shape& in = x.shape();
    double scale[Shape::max_rank] = {}, roi[2 * Shape::max_rank] = {};
    Dims out;
    out.n = rank;
    // Where the scales and sizes come from, by op and opset.
    const Tensor* scales = nullptr;
    const Tensor* sizes = nullptr;
    const Tensor* roi_input = nullptr;
    auto optional = [&](std::size_t i) -> const Tensor* {
      return ctx.input_count() > i && ctx.has_input(i) && ctx.input(i).numel() > 0 ? &ctx.input(i)
                                                                                   : nullptr;
    };
    if (upsample_ && info.opset() < 9) {
      if (scales_attribute_.size() != rank) scales_mismatch(info, scales_attribute_.size(), rank);
      for (std::size_t k = 0; k < rank; ++k) scale[k] = scales_attribute_[k];
    } else if (upsample_ || info.opset() < 11) {
      scales = &ctx.input(1);
    } else {
      roi_input = optional(1);
      scales = optional(2);
      sizes = optional(3);
      if ((scales == nullptr) == (sizes == nullptr)) {
        info.fail(ErrorKind::invalid_model, "exactly one of scales and sizes must be given");
      }
    }
    if (scales) {
      if (scales->dtype() != DType::f32) info.fail(ErrorKind::invalid_model, "scales must be f32");
      if (static_cast<std::size_t>(scales->numel()) != rank)
        scales_mismatch(info, static_cast<std::size_t>(scales->numel()), rank);
      for (std::size_t k = 0; k < rank; ++k) scale[k] = scales->data<float>()[k];
    }
    if (sizes) {
      const Dims d = read_dims(info, *sizes, "sizes");
      if (d.n != rank) scales_mismatch(info, d.n, rank);
      for (std::size_t k = 0; k < rank; ++k) {
        out[k] = d[k];
        scale[k] = in[k] == 0 ? 1.0 : static_cast<double>(d[k]) / static_cast<double>(in[k]);
      }
    }
    for (std::size_t k = 0; k < rank; ++k) {
      if (!(scale[k] > 0 && scale[k] < 1e9)) {
        info.fail(ErrorKind::invalid_model, "scale " + std::to_string(scale[k]) + " of axis " +
                                                std::to_string(k) + " is not positive");
      }
      if (!sizes) out[k] = static_cast<std::int64_t>(scale[k] * static_cast<double>(in[k]));
    }
    for (std::size_t k = 0; k < rank; ++k) {
      roi[k] = 0;
      roi[k + rank] = 1;
    }
    if (transform_ == Transform::tf_crop_and_resize) {
      if (!roi_input || static_cast<std::size_t>(roi_input->numel()) != 2 * rank) {
        info.fail(ErrorKind::invalid_model, "tf_crop_and_resize needs a roi of 2 x rank entries");
      }
      visit_dtype(
          info, roi_input->dtype(),
          [&](auto tag) {
            using T = decltype(tag);
            for (std::size_t k = 0; k < 2 * rank; ++k) roi[k] = to_double(roi_input->data<T>()[k]);
          },
          TypeList<float, double, float16>{});
    }
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    if (y.numel() == 0) return;
    if (mode_ == Mode::nearest) {
      resize_nearest(ctx, x, scale, roi, y);
      return;
    }

    // Two buffers of doubles large enough for every intermediate shape.
    Dims cur = dims_of_shape(in);
    std::int64_t largest = x.numel();
    for (std::size_t k = 0; k < rank; ++k) {
      cur[k] = out[k];
      largest = std::max(largest, output_shape(info, cur).numel());
    }
    auto* a =
        static_cast<double*>(ctx.scratch(2 * static_cast<std::size_t>(largest) * sizeof(double)));
    double* b = a + largest;
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* p = x.data<T>();
          for (std::int64_t e = 0; e < x.numel(); ++e) a[e] = to_double(p[e]);
        },
        ResizeTypes{});
    cur = dims_of_shape(in);
    for (std::size_t k = 0; k < rank; ++k) {
      if (scale[k] == 1.0 && out[k] == in[k] && transform_ != Transform::tf_crop_and_resize)
        continue;
      resize_axis(a, b, cur, k, out[k], scale[k], roi[k], roi[k + rank]);
      cur[k] = out[k];
      std::swap(a, b);
    }
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          T* p = y.data<T>();
          for (std::int64_t e = 0; e < y.numel(); ++e) p[e] = from_double<T>(a[e]);
        },
        ResizeTypes{});
  }

 private:
  using ResizeTypes =
      TypeList<float, double, float16, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t,
               std::int32_t, std::uint32_t, std::int64_t, std::uint64_t>;
  template <class T>
  static double to_double(T v) {
    if constexpr (std::is_same<T, float16>::value) {
      return to_float(v);
    } else {
      return static_cast<double>(v);
    }
  }
  template <class T>
  static T from_double(double v) {
    if constexpr (std::is_same<T, float16>::value) {
      return to_float16(static_cast<float>(v));
    } else if constexpr (std::is_integral<T>::value) {
      const double r = std::nearbyint(v);
      const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
      const double hi = static_cast<double>(std::numeric_limits<T>::max());
      return r <= lo   ? std::numeric_limits<T>::lowest()
             : r >= hi ? std::numeric_limits<T>::max()
                       : static_cast<T>(r);
    } else {
      return static_cast<T>(v);
    }
  }
  [[noreturn]] static void scales_mismatch(const OpInfo& info, std::size_t n, std::size_t rank) {
    info.fail(ErrorKind::shape_mismatch, "scales/sizes have " + std::to_string(n) +
                                             " entries for an input of rank " +
                                             std::to_string(rank));
  }

  // The input taps and weights of output position x along one axis.
  struct Taps {
    int n = 0;
    std::int64_t index[4];
    double weight[4];
    bool extrapolate = false;
  };
  Taps taps(std::int64_t x, std::int64_t in, double scale, double roi_lo, double roi_hi) const {
    Taps t;
    const double width = scale * static_cast<double>(in);  // the reference's output_width
    const double xd = static_cast<double>(x), last = static_cast<double>(in - 1);
    double xo = 0;
    switch (transform_) {
      case Transform::align_corners: xo = width == 1 ? 0.0 : xd * last / (width - 1); break;
      case Transform::asymmetric: xo = xd / scale; break;
      case Transform::pytorch_half_pixel: xo = width == 1 ? -0.5 : (xd + 0.5) / scale - 0.5; break;
      case Transform::half_pixel: xo = (xd + 0.5) / scale - 0.5; break;
      case Transform::tf_crop_and_resize:
        xo =
            width == 1 ? (roi_hi - roi_lo) * last / 2 : xd * (roi_hi - roi_lo) * last / (width - 1);
        xo += roi_lo * last;
        if (!(xo >= 0 && xo <= last)) {  // also NaN from a NaN roi
          t.extrapolate = true;
          return t;
        }
        break;
    }
    // Far outside the input every tap clamps to the edge: keep xo where the integer cast is safe.
    xo = std::min(std::max(xo, -4.0), last + 4.0);
    // The taps start left of xo: ratio in (0, 1].
    const double f = std::floor(xo);
    const bool whole = xo == f;
    const double ratio = whole ? 1.0 : xo - f;
    const std::int64_t i0 = static_cast<std::int64_t>(f) - (whole ? 1 : 0);
    switch (mode_) {
      case Mode::nearest: {
        bool right = true;
        if (!whole) {
          switch (nearest_) {
            case Nearest::round_prefer_floor: right = ratio > 0.5; break;
            case Nearest::round_prefer_ceil: right = ratio >= 0.5; break;
            case Nearest::floor: right = false; break;
            case Nearest::ceil: right = true; break;
          }
        }
        t.n = 1;
        t.index[0] = right ? i0 + 1 : i0;
        t.weight[0] = 1;
        break;
      }
      case Mode::linear:
        t.n = 2;
        t.index[0] = i0;
        t.index[1] = i0 + 1;
        t.weight[0] = 1 - ratio;
        t.weight[1] = ratio;
        break;
      case Mode::cubic:
        t.n = 4;
        for (int j = 0; j < 4; ++j) t.index[j] = i0 - 1 + j;
        cubic_weights(ratio, cubic_a_, t.weight);
        break;
    }
    if (exclude_outside_ && mode_ != Mode::nearest) {
      double sum = 0;
      for (int j = 0; j < t.n; ++j) {
        if (t.index[j] < 0 || t.index[j] >= in) t.weight[j] = 0;
        sum += t.weight[j];
      }
      for (int j = 0; j < t.n; ++j) t.weight[j] /= sum;
    }
    for (int j = 0; j < t.n; ++j)
      t.index[j] = std::min(std::max(t.index[j], std::int64_t(0)), in - 1);
    return t;
  }

  // Nearest needs no arithmetic on the elements: a source index per output position and axis
  // (-1 for the extrapolation value), then a byte copy of each element.
  void resize_nearest(OpContext& ctx, const Tensor& x, const double* scale, const double* roi,
                      Tensor& y) const {
    const std::size_t rank = x.rank();
    const Shape& in = x.shape();
    const Shape& out = y.shape();
    std::int64_t total = 0;
    for (std::size_t k = 0; k < rank; ++k) total += out[k];
    auto* table = static_cast<std::int64_t*>(
        ctx.scratch(static_cast<std::size_t>(total) * sizeof(std::int64_t)));
    std::int64_t* axis_table[Shape::max_rank];
    std::int64_t strides[Shape::max_rank];
    strides_of(in, strides);
    for (std::size_t k = 0, at = 0; k < rank; at += static_cast<std::size_t>(out[k]), ++k) {
      axis_table[k] = table + at;
      for (std::int64_t o = 0; o < out[k]; ++o) {
        const Taps t = taps(o, in[k], scale[k], roi[k], roi[k + rank]);
        axis_table[k][o] = t.extrapolate ? -1 : t.index[0] * strides[k];
      }
    }
    unsigned char fill[8] = {};
    store_as(ctx.info(), x.dtype(), extrapolation_, fill);
    visit_element_size(dtype_size(x.dtype()), [&](auto tag) {
      using U = decltype(tag);
      const U* src = static_cast<const U*>(x.raw_data());
      U* dst = static_cast<U*>(writable(y));
      U value;
      std::memcpy(&value, fill, sizeof value);
      std::int64_t index[Shape::max_rank] = {};
      for (std::int64_t e = 0, n = out.numel(); e < n; ++e) {
        std::int64_t off = 0;
        bool inside = true;
        for (std::size_t k = 0; k < rank && inside; ++k) {
          const std::int64_t o = axis_table[k][index[k]];
          inside = o >= 0;
          off += o;
        }
        dst[e] = inside ? src[off] : value;
        for (std::size_t k = rank; k-- > 0;) {
          if (++index[k] < out[k]) break;
          index[k] = 0;
        }
      }
    });
  }

  // dst = src (shape `shape`) resized along `axis` to `out` positions.
  void resize_axis(const double* src, double* dst, const Dims& shape, std::size_t axis,
                   std::int64_t out, double scale, double roi_lo, double roi_hi) const {
    std::int64_t outer = 1, inner = 1;
    for (std::size_t k = 0; k < axis; ++k) outer *= shape[k];
    for (std::size_t k = axis + 1; k < shape.n; ++k) inner *= shape[k];
    const std::int64_t in = shape[axis];
    for (std::int64_t x = 0; x < out; ++x) {
      const Taps t = taps(x, in, scale, roi_lo, roi_hi);
      for (std::int64_t o = 0; o < outer; ++o) {
        double* d = dst + (o * out + x) * inner;
        if (t.extrapolate) {
          std::fill(d, d + inner, static_cast<double>(extrapolation_));
          continue;
        }
        const double* s = src + o * in * inner;
        for (std::int64_t i = 0; i < inner; ++i) {
          double acc = 0;
          for (int j = 0; j < t.n; ++j) acc += t.weight[j] * s[t.index[j] * inner + i];
          d[i] = acc;
        }
      }
    }
  }

  bool upsample_;
  Mode mode_ = Mode::nearest;
  Transform transform_ = Transform::half_pixel;
  Nearest nearest_ = Nearest::round_prefer_floor;
  float cubic_a_ = -0.75f, extrapolation_ = 0.0f;
  bool exclude_outside_ = false;
  std::vector<float> scales_attribute_;
};

inline void register_resize_ops(OpSet& ops) {
  ops.add("", "Resize", 10, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<ResizeKernel>(info, false);
  });
  ops.add("", "Upsample", 7, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<ResizeKernel>(info, true);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_RESIZE_HPP
