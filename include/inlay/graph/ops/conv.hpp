// Conv and ConvTranspose (1-D as 2-D with height 1, and 2-D) on the conv kernels; ConvInteger and
// QLinearConv as scalar loops; the sliding-window attributes (kernel_shape, strides, pads,
// dilations, auto_pad) that the pools share. A fused activation (graph/impl/fuse.hpp) runs in the
// kernel's epilogue.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_CONV_HPP
#define INLAY_GRAPH_OPS_CONV_HPP

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/conv_plan.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Attribute values above this are refused: sizes computed from them stay far from overflow.
constexpr std::int64_t max_window_value = std::int64_t(1) << 30;

// The window attributes as the node gives them; empty lists mean "not given".
struct WindowAttrs {
  enum class AutoPad { notset, same_upper, same_lower, valid };
  AutoPad auto_pad = AutoPad::notset;
  std::vector<std::int64_t> kernel, strides, pads, dilations;

  explicit WindowAttrs(const OpInfo& info)
      : kernel(info.get_ints("kernel_shape")),
        strides(info.get_ints("strides")),
        pads(info.get_ints("pads")),
        dilations(info.get_ints("dilations")) {
    auto_pad = enum_attribute<AutoPad>(info, "auto_pad", "NOTSET",
                                       {{"NOTSET", AutoPad::notset},
                                        {"", AutoPad::notset},
                                        {"SAME_UPPER", AutoPad::same_upper},
                                        {"SAME_LOWER", AutoPad::same_lower},
                                        {"VALID", AutoPad::valid}},
                                       ErrorKind::invalid_model);
    check_values(info, "kernel_shape", kernel, 1);
    check_values(info, "strides", strides, 1);
    check_values(info, "dilations", dilations, 1);
    check_values(info, "pads", pads, 0);
  }

  // Checks the list lengths against `rank` spatial dimensions (pads: 2 * rank).
  void check_rank(const OpInfo& info, std::size_t rank) const {
    check_length(info, "kernel_shape", kernel, rank);
    check_length(info, "strides", strides, rank);
    check_length(info, "dilations", dilations, rank);
    check_length(info, "pads", pads, 2 * rank);
  }
  std::size_t stride(std::size_t i) const { return strides.empty() ? 1 : std::size_t(strides[i]); }
  std::size_t dilation(std::size_t i) const {
    return dilations.empty() ? 1 : std::size_t(dilations[i]);
  }

 private:
  static void check_values(const OpInfo& info, const char* name, const std::vector<std::int64_t>& v,
                           std::int64_t least) {
    for (std::int64_t x : v) {
      if (x < least || x > max_window_value) {
        info.fail(ErrorKind::invalid_model, std::string(name) + " holds " + std::to_string(x) +
                                                "; each must be in [" + std::to_string(least) +
                                                ", 2^30]");
      }
    }
  }
  static void check_length(const OpInfo& info, const char* name, const std::vector<std::int64_t>& v,
                           std::size_t want) {
    if (!v.empty() && v.size() != want) {
      info.fail(ErrorKind::invalid_model, std::string(name) + " has " + std::to_string(v.size()) +
                                              " values; the input needs " + std::to_string(want));
    }
  }
};

// One spatial dimension of a window: input size, kernel, stride, dilation, pads.
struct WindowAxis {
  std::size_t in = 1, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, pad_end = 0;
};

// The axes of a forward window (convolution, pooling) over the spatial dimensions of `x`
// ([N, C, spatial...]) with kernel sizes `kernel`; auto_pad SAME splits the padding that keeps
// out = ceil(in / stride), the odd element at the end (SAME_UPPER) or the beginning (SAME_LOWER).
inline std::vector<WindowAxis> resolve_window(const OpInfo& info, const WindowAttrs& a,
                                              const Shape& x,
                                              const std::vector<std::int64_t>& kernel) {
  const std::size_t rank = x.rank() - 2;
  a.check_rank(info, rank);
  std::vector<WindowAxis> axes(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    WindowAxis& ax = axes[i];
    ax.in = static_cast<std::size_t>(x[i + 2]);
    ax.kernel = static_cast<std::size_t>(kernel[i]);
    ax.stride = a.stride(i);
    ax.dilation = a.dilation(i);
    switch (a.auto_pad) {
      case WindowAttrs::AutoPad::notset:
        if (!a.pads.empty()) {
          ax.pad_begin = static_cast<std::size_t>(a.pads[i]);
          ax.pad_end = static_cast<std::size_t>(a.pads[i + rank]);
        }
        break;
      case WindowAttrs::AutoPad::valid: break;
      case WindowAttrs::AutoPad::same_upper:
      case WindowAttrs::AutoPad::same_lower: {
        const std::size_t out = (ax.in + ax.stride - 1) / ax.stride;
        const std::size_t need =
            (out ? out - 1 : 0) * ax.stride + ax.dilation * (ax.kernel - 1) + 1;
        const std::size_t total = need > ax.in ? need - ax.in : 0;
        const bool upper = a.auto_pad == WindowAttrs::AutoPad::same_upper;
        ax.pad_begin = upper ? total / 2 : total - total / 2;
        ax.pad_end = total - ax.pad_begin;
        break;
      }
    }
  }
  return axes;
}

// Kernel sizes from W's spatial dimensions; must agree with kernel_shape when that is given.
inline std::vector<std::int64_t> kernel_from_weights(const OpInfo& info, const WindowAttrs& a,
                                                     const Shape& w) {
  std::vector<std::int64_t> k(w.begin() + 2, w.end());
  for (std::int64_t d : k) {
    if (d < 1 || d > max_window_value) {
      info.fail(ErrorKind::shape_mismatch, "W " + w.to_string() + " has an empty or huge kernel");
    }
  }
  if (!a.kernel.empty() && a.kernel != k) {
    info.fail(ErrorKind::shape_mismatch,
              "kernel_shape does not match the spatial dimensions of W " + w.to_string());
  }
  return k;
}

// The shape checks Conv and ConvTranspose share: X [N, C, spatial...] of 1 or 2 spatial
// dimensions, W of the same rank, B [out_channels].
inline void check_conv_operands(const OpInfo& info, const Shape& x, const Shape& w) {
  if (x.rank() < 3) {
    info.fail(ErrorKind::shape_mismatch, "X " + x.to_string() + " must be [N, C, spatial...]");
  }
  if (x.rank() > 4) {
    info.fail(ErrorKind::unsupported_op,
              "only 1-D and 2-D convolutions are supported; X is " + x.to_string());
  }
  if (w.rank() != x.rank()) {
    info.fail(ErrorKind::shape_mismatch,
              "W " + w.to_string() + " must have the rank of X " + x.to_string());
  }
  if (x[1] == 0) info.fail(ErrorKind::shape_mismatch, "X " + x.to_string() + " has no channels");
}

inline const float* conv_bias(OpContext& ctx, std::size_t channels) {
  if (!ctx.has_input(2)) return nullptr;
  const Tensor& b = ctx.input(2);
  require_f32(ctx, b, "B");
  if (b.rank() != 1 || b.numel() != static_cast<std::int64_t>(channels)) {
    ctx.fail(ErrorKind::shape_mismatch,
             "B " + b.shape().to_string() + " must be [" + std::to_string(channels) + "]");
  }
  return b.data<float>();
}

// Fills the kernel's 2-D parameters from one (1-D, height 1) or two axes.
inline void set_conv_axes(kernels::Conv2dParams& p, const std::vector<WindowAxis>& axes) {
  const WindowAxis one;
  const WindowAxis& h = axes.size() == 2 ? axes[0] : one;
  const WindowAxis& w = axes.back();
  p.in_h = h.in;
  p.in_w = w.in;
  p.kernel_h = h.kernel;
  p.kernel_w = w.kernel;
  p.stride_h = h.stride;
  p.stride_w = w.stride;
  p.dilation_h = h.dilation;
  p.dilation_w = w.dilation;
  p.pad_top = h.pad_begin;
  p.pad_bottom = h.pad_end;
  p.pad_left = w.pad_begin;
  p.pad_right = w.pad_end;
}

// Y = act(conv(X, W) + B), W [M, C / group, kernel...]. The algorithm and the prepared forms of
// constant weights come from kernels::Conv2dPlan, as in the typed door; weights fed at run time
// are read as they come.
class ConvKernel final : public OpKernel {
 public:
  explicit ConvKernel(const OpInfo& info)
      : window_(info), group_(info.get_int("group", 1)), activation_(fused_activation(info)) {
    if (group_ < 1 || group_ > max_window_value) {
      info.fail(ErrorKind::invalid_model, "group " + std::to_string(group_) + " must be >= 1");
    }
    // Constant weights are checked at load, so a model with wrong ones fails there.
    if (const Tensor* w = info.constant_input(1)) {
      check_weights(info, w->shape());
      // A handle (no copy): the plan's prepared forms are built from these elements.
      if (w->dtype() == DType::f32) constant_weights_ = *w;
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    require_f32(ctx, x, "X");
    require_f32(ctx, w, "W");
    check_conv_operands(info, x.shape(), w.shape());
    check_weights(info, w.shape());
    const std::int64_t channels = x.shape()[1], out_channels = w.shape()[0];
    if (w.shape()[1] * group_ != channels) {
      ctx.fail(ErrorKind::shape_mismatch, "W " + w.shape().to_string() + " with group " +
                                              std::to_string(group_) + " does not fit X " +
                                              x.shape().to_string() + " (W[1] * group != C)");
    }
    const float* bias = conv_bias(ctx, static_cast<std::size_t>(out_channels));
    const auto axes =
        resolve_window(info, window_, x.shape(), kernel_from_weights(info, window_, w.shape()));
    kernels::Conv2dParams p;
    p.batch = static_cast<std::size_t>(x.shape()[0]);
    p.in_channels = static_cast<std::size_t>(channels);
    p.out_channels = static_cast<std::size_t>(out_channels);
    p.groups = static_cast<std::size_t>(group_);
    set_conv_axes(p, axes);
    std::vector<std::int64_t> out_dims{x.shape()[0], out_channels};
    if (axes.size() == 2) out_dims.push_back(static_cast<std::int64_t>(p.out_h()));
    out_dims.push_back(static_cast<std::int64_t>(p.out_w()));
    Tensor& y = ctx.output(0, DType::f32, make_shape(out_dims));
    if (y.numel() == 0) return;
    // Only the constant weights may be prepared; others change from one run to the next.
    const bool constant =
        !constant_weights_.empty() && w.raw_data() == constant_weights_.raw_data();
    const kernels::Conv2dPlan changing(kernels::Conv2dWeights::changing);
    const kernels::Conv2dPlan& plan = constant ? plan_ : changing;
    auto* workspace = static_cast<float*>(ctx.scratch(plan.workspace_size_f32(p) * sizeof(float)));
    plan.run(p, w.data<float>(), x.data<float>(), bias, y.data<float>(), workspace, activation_,
             ctx.executor());
  }

 private:
  void check_weights(const OpInfo& info, const Shape& w) const {
    if (w.rank() < 3) {
      info.fail(ErrorKind::shape_mismatch,
                "W " + w.to_string() + " must be [M, C / group, kernel...]");
    }
    if (w[0] % group_ != 0) {
      info.fail(ErrorKind::invalid_model, "group " + std::to_string(group_) +
                                              " does not divide the output channels of W " +
                                              w.to_string());
    }
  }

  WindowAttrs window_;
  std::int64_t group_;
  kernels::Activation activation_;
  Tensor constant_weights_;  // the constant f32 weights, or empty: only these are prepared
  kernels::Conv2dPlan plan_{kernels::Conv2dWeights::fixed};
};

// Y = act(conv_transpose(X, W) + B), W [C, M / group, kernel...]. The output size comes from
// output_shape when given (the pads are then derived), else from the pads and output_padding.
class ConvTransposeKernel final : public OpKernel {
 public:
  explicit ConvTransposeKernel(const OpInfo& info)
      : window_(info),
        group_(info.get_int("group", 1)),
        output_padding_(info.get_ints("output_padding")),
        output_shape_(info.get_ints("output_shape")),
        activation_(fused_activation(info)) {
    if (group_ < 1 || group_ > max_window_value) {
      info.fail(ErrorKind::invalid_model, "group " + std::to_string(group_) + " must be >= 1");
    }
    for (std::int64_t v : output_padding_) {
      if (v < 0 || v > max_window_value) {
        info.fail(ErrorKind::invalid_model, "output_padding holds " + std::to_string(v));
      }
    }
    for (std::int64_t v : output_shape_) {
      if (v < 0 || v > max_window_value) {
        info.fail(ErrorKind::invalid_model, "output_shape holds " + std::to_string(v));
      }
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    require_f32(ctx, x, "X");
    require_f32(ctx, w, "W");
    check_conv_operands(info, x.shape(), w.shape());
    const std::int64_t channels = x.shape()[1];
    const std::int64_t out_channels = w.shape()[1] * group_;
    if (w.shape()[0] != channels || channels % group_ != 0) {
      ctx.fail(ErrorKind::shape_mismatch, "W " + w.shape().to_string() + " with group " +
                                              std::to_string(group_) + " does not fit X " +
                                              x.shape().to_string() +
                                              " (W[0] must be C, a multiple of group)");
    }
    const float* bias = conv_bias(ctx, static_cast<std::size_t>(out_channels));
    const std::size_t rank = x.rank() - 2;
    window_.check_rank(info, rank);
    if (!output_padding_.empty() && output_padding_.size() != rank) {
      ctx.fail(ErrorKind::invalid_model, "output_padding has " +
                                             std::to_string(output_padding_.size()) +
                                             " values; the input needs " + std::to_string(rank));
    }
    // output_shape may list the spatial dimensions only or all of them.
    std::vector<std::int64_t> target(output_shape_);
    if (target.size() == rank + 2) target.erase(target.begin(), target.begin() + 2);
    if (!target.empty() && target.size() != rank) {
      ctx.fail(ErrorKind::invalid_model, "output_shape has " +
                                             std::to_string(output_shape_.size()) +
                                             " values; the input needs " + std::to_string(rank));
    }
    const std::vector<std::int64_t> kernel = kernel_from_weights(info, window_, w.shape());
    std::vector<WindowAxis> axes(rank);
    std::vector<std::size_t> extra(rank);  // output_padding, grown when output_shape asks more
    for (std::size_t i = 0; i < rank; ++i) {
      WindowAxis& ax = axes[i];
      ax.in = static_cast<std::size_t>(x.shape()[i + 2]);
      ax.kernel = static_cast<std::size_t>(kernel[i]);
      ax.stride = window_.stride(i);
      ax.dilation = window_.dilation(i);
      extra[i] = output_padding_.empty() ? 0 : static_cast<std::size_t>(output_padding_[i]);
      const bool same = window_.auto_pad == WindowAttrs::AutoPad::same_upper ||
                        window_.auto_pad == WindowAttrs::AutoPad::same_lower;
      if (target.empty() && !same) {
        if (window_.auto_pad == WindowAttrs::AutoPad::notset && !window_.pads.empty()) {
          ax.pad_begin = static_cast<std::size_t>(window_.pads[i]);
          ax.pad_end = static_cast<std::size_t>(window_.pads[i + rank]);
        }
        continue;
      }
      // The pads that give the wanted size (ONNX: total = full size - output_shape).
      const auto want = static_cast<std::int64_t>(
          target.empty() ? ax.in * ax.stride : static_cast<std::size_t>(target[i]));
      const auto full = static_cast<std::int64_t>(ax.stride * (ax.in ? ax.in - 1 : 0) + extra[i] +
                                                  ax.dilation * (ax.kernel - 1) + 1);
      const std::int64_t total = full - want;
      if (total < 0) {
        extra[i] += static_cast<std::size_t>(-total);  // rows past the full output
      } else {
        const auto t = static_cast<std::size_t>(total);
        const bool upper = window_.auto_pad != WindowAttrs::AutoPad::same_lower;
        ax.pad_begin = upper ? t / 2 : t - t / 2;
        ax.pad_end = t - ax.pad_begin;
      }
    }
    kernels::Conv2dParams p;
    p.batch = static_cast<std::size_t>(x.shape()[0]);
    p.in_channels = static_cast<std::size_t>(channels);
    p.out_channels = static_cast<std::size_t>(out_channels);
    p.groups = static_cast<std::size_t>(group_);
    set_conv_axes(p, axes);
    p.output_pad_w = extra.back();
    if (rank == 2) p.output_pad_h = extra[0];
    if ((p.output_pad_h >= p.stride_h && p.output_pad_h >= p.dilation_h) ||
        (p.output_pad_w >= p.stride_w && p.output_pad_w >= p.dilation_w)) {
      ctx.fail(ErrorKind::unsupported_op,
               "an output padding of " + std::to_string(std::max(p.output_pad_h, p.output_pad_w)) +
                   " that is not less than the stride or dilation");
    }
    std::vector<std::int64_t> out_dims{x.shape()[0], out_channels};
    if (rank == 2) out_dims.push_back(static_cast<std::int64_t>(p.transposed_out_h()));
    out_dims.push_back(static_cast<std::int64_t>(p.transposed_out_w()));
    Tensor& y = ctx.output(0, DType::f32, make_shape(out_dims));
    if (y.numel() == 0) return;
    auto* workspace = static_cast<float*>(
        ctx.scratch(kernels::conv_transpose2d_workspace_size_f32(p) * sizeof(float)));
    kernels::conv_transpose2d_nchw_f32(p, x.data<float>(), w.data<float>(), bias, y.data<float>(),
                                       workspace, activation_, ctx.executor());
  }

 private:
  WindowAttrs window_;
  std::int64_t group_;
  std::vector<std::int64_t> output_padding_, output_shape_;
  kernels::Activation activation_;
};

// The int32 sums of (x - x_zero) (w - w_zero[m]) of ConvInteger and QLinearConv (1-D and 2-D,
// 8-bit operands), as a scalar loop: no integer kernel family exists. Padding holds x_zero, so
// padded positions add nothing.
struct IntegerConv {
  std::vector<std::int64_t> out_dims;
  std::vector<std::int32_t> acc;

  static std::int32_t element(const Tensor& t, std::int64_t i) {
    return t.dtype() == DType::u8 ? t.data<std::uint8_t>()[i] : t.data<std::int8_t>()[i];
  }
  static void require_8bit(const OpContext& ctx, const Tensor& t, const char* what) {
    if (t.dtype() != DType::u8 && t.dtype() != DType::i8) {
      ctx.fail(ErrorKind::unsupported_op, std::string(what) + " has dtype " +
                                              dtype_name(t.dtype()) + "; uint8 or int8 expected");
    }
  }

  void run(OpContext& ctx, const WindowAttrs& window, std::int64_t group, const Tensor& x,
           const Tensor& w, const Tensor* x_zero, const Tensor* w_zero) {
    const OpInfo& info = ctx.info();
    require_8bit(ctx, x, "x");
    require_8bit(ctx, w, "w");
    check_conv_operands(info, x.shape(), w.shape());
    const std::int64_t n = x.shape()[0], c = x.shape()[1], m = w.shape()[0];
    if (m % group != 0 || w.shape()[1] * group != c) {
      ctx.fail(ErrorKind::shape_mismatch, "w " + w.shape().to_string() + " with group " +
                                              std::to_string(group) + " does not fit x " +
                                              x.shape().to_string());
    }
    std::int32_t xz = 0;
    if (x_zero != nullptr) {
      require_8bit(ctx, *x_zero, "x_zero_point");
      if (x_zero->numel() != 1) ctx.fail(ErrorKind::unsupported_op, "a per-axis x_zero_point");
      xz = element(*x_zero, 0);
    }
    if (w_zero != nullptr) {
      require_8bit(ctx, *w_zero, "w_zero_point");
      if (w_zero->numel() != 1 && w_zero->numel() != m) {
        ctx.fail(ErrorKind::shape_mismatch, "w_zero_point " + w_zero->shape().to_string() +
                                                " must be a scalar or [" + std::to_string(m) + "]");
      }
    }
    const auto axes =
        resolve_window(info, window, x.shape(), kernel_from_weights(info, window, w.shape()));
    kernels::Conv2dParams p;
    set_conv_axes(p, axes);
    const auto oh = static_cast<std::int64_t>(p.out_h()), ow = static_cast<std::int64_t>(p.out_w());
    out_dims = {n, m};
    if (axes.size() == 2) out_dims.push_back(oh);
    out_dims.push_back(ow);
    acc.assign(static_cast<std::size_t>(n * m * oh * ow), 0);
    const auto ih = static_cast<std::int64_t>(p.in_h), iw = static_cast<std::int64_t>(p.in_w);
    const auto kh = static_cast<std::int64_t>(p.kernel_h),
               kw = static_cast<std::int64_t>(p.kernel_w);
    const std::int64_t cg = c / group, mg = m / group;
    for (std::int64_t b = 0; b < n; ++b) {
      for (std::int64_t o = 0; o < m; ++o) {
        const std::int32_t wz = w_zero ? element(*w_zero, w_zero->numel() == 1 ? 0 : o) : 0;
        for (std::int64_t yy = 0; yy < oh; ++yy) {
          for (std::int64_t xx = 0; xx < ow; ++xx) {
            std::int64_t sum = 0;
            for (std::int64_t ci = 0; ci < cg; ++ci) {
              const std::int64_t ch = o / mg * cg + ci;
              for (std::int64_t a = 0; a < kh; ++a) {
                const std::int64_t iy = yy * std::int64_t(p.stride_h) +
                                        a * std::int64_t(p.dilation_h) - std::int64_t(p.pad_top);
                if (iy < 0 || iy >= ih) continue;
                for (std::int64_t e = 0; e < kw; ++e) {
                  const std::int64_t ix = xx * std::int64_t(p.stride_w) +
                                          e * std::int64_t(p.dilation_w) - std::int64_t(p.pad_left);
                  if (ix < 0 || ix >= iw) continue;
                  sum += std::int64_t(element(x, ((b * c + ch) * ih + iy) * iw + ix) - xz) *
                         (element(w, ((o * cg + ci) * kh + a) * kw + e) - wz);
                }
              }
            }
            acc[static_cast<std::size_t>(((b * m + o) * oh + yy) * ow + xx)] =
                static_cast<std::int32_t>(sum);
          }
        }
      }
    }
  }
};

class ConvIntegerKernel final : public OpKernel {
 public:
  explicit ConvIntegerKernel(const OpInfo& info) : window_(info), group_(info.get_int("group", 1)) {
    if (group_ < 1) info.fail(ErrorKind::invalid_model, "group must be >= 1");
  }
  void run(OpContext& ctx) const override {
    IntegerConv conv;
    conv.run(ctx, window_, group_, ctx.input(0), ctx.input(1),
             ctx.has_input(2) ? &ctx.input(2) : nullptr,
             ctx.has_input(3) ? &ctx.input(3) : nullptr);
    Tensor& y = ctx.output(0, DType::i32, make_shape(conv.out_dims));
    if (!conv.acc.empty())
      std::memcpy(y.data<std::int32_t>(), conv.acc.data(), conv.acc.size() * 4);
  }

 private:
  WindowAttrs window_;
  std::int64_t group_;
};

// y = saturate(round((acc + B[m]) x_scale w_scale[m] / y_scale) + y_zero), half to even.
class QLinearConvKernel final : public OpKernel {
 public:
  explicit QLinearConvKernel(const OpInfo& info) : window_(info), group_(info.get_int("group", 1)) {
    if (group_ < 1) info.fail(ErrorKind::invalid_model, "group must be >= 1");
  }
  void run(OpContext& ctx) const override {
    IntegerConv conv;
    conv.run(ctx, window_, group_, ctx.input(0), ctx.input(3), &ctx.input(2), &ctx.input(5));
    const Tensor& w_scale = ctx.input(4);
    const Tensor& y_zero = ctx.input(7);
    IntegerConv::require_8bit(ctx, y_zero, "y_zero_point");
    require_f32(ctx, w_scale, "w_scale");
    const std::int64_t m = conv.out_dims[1];
    if (y_zero.numel() != 1 || (w_scale.numel() != 1 && w_scale.numel() != m)) {
      ctx.fail(ErrorKind::unsupported_op, "per-axis y_zero_point or a w_scale not of [M]");
    }
    const Tensor* bias = ctx.has_input(8) ? &ctx.input(8) : nullptr;
    if (bias && (bias->dtype() != DType::i32 || bias->numel() != m)) {
      ctx.fail(ErrorKind::shape_mismatch, "B must be int32 [" + std::to_string(m) + "]");
    }
    const double x_scale = read_scalar(ctx.info(), ctx.input(1), "x_scale");
    const double y_scale = read_scalar(ctx.info(), ctx.input(6), "y_scale");
    Tensor& y = ctx.output(0, y_zero.dtype(), make_shape(conv.out_dims));
    const double zero = IntegerConv::element(y_zero, 0);
    const bool u8 = y_zero.dtype() == DType::u8;
    const std::size_t plane = conv.acc.size() / static_cast<std::size_t>(conv.out_dims[0] * m);
    for (std::size_t i = 0; i < conv.acc.size(); ++i) {
      const auto o = static_cast<std::int64_t>(i / plane % static_cast<std::size_t>(m));
      const double ws = w_scale.data<float>()[w_scale.numel() == 1 ? 0 : o];
      const double a = conv.acc[i] + (bias ? bias->data<std::int32_t>()[o] : 0);
      const double v = std::nearbyint(a * x_scale * ws / y_scale) + zero;
      if (u8)
        y.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(std::min(255.0, std::max(0.0, v)));
      else
        y.data<std::int8_t>()[i] = static_cast<std::int8_t>(std::min(127.0, std::max(-128.0, v)));
    }
  }

 private:
  WindowAttrs window_;
  std::int64_t group_;
};

inline void register_conv_ops(OpSet& ops) {
  ops.add("", "Conv", 1, factory<ConvKernel>());
  ops.add("", "ConvTranspose", 1, factory<ConvTransposeKernel>());
  ops.add("", "ConvInteger", 10, factory<ConvIntegerKernel>());
  ops.add("", "QLinearConv", 10, factory<QLinearConvKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_CONV_HPP
