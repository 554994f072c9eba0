// Conv and ConvTranspose (1-D as 2-D with height 1, and 2-D) on the conv kernels, 3-D and more
// on im2col / col2im and the GEMM (conv_nd.hpp); ConvInteger and QLinearConv (1-D, 2-D) on the
// int8 GEMM; the sliding-window attributes (kernel_shape, strides, pads,
// dilations, auto_pad) that the pools share. A fused activation (graph/impl/fuse.hpp) runs in the
// kernel's epilogue.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_CONV_HPP
#define INLAY_GRAPH_OPS_CONV_HPP

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/conv_nd.hpp"
#include "inlay/graph/ops/int8_operands.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/conv_plan.hpp"
#include "inlay/kernels/qdepthwise.hpp"
#include "inlay/onnx/file.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>  // Int8Conv's im2col
#endif

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

// Refuses a window that does not fit its padded input (an output of no elements would hide a
// model error); an empty input axis gives an empty output instead.
inline void check_window_fits(const OpInfo& info, const Shape& x,
                              const std::vector<WindowAxis>& axes) {
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const WindowAxis& a = axes[i];
    const std::size_t extent = a.dilation * (a.kernel - 1) + 1;
    if (a.in > 0 && a.in + a.pad_begin + a.pad_end < extent) {
      info.fail(ErrorKind::shape_mismatch,
                "the window of spatial axis " + std::to_string(i) + " spans " +
                    std::to_string(extent) + " elements (kernel " + std::to_string(a.kernel) +
                    ", dilation " + std::to_string(a.dilation) + "), more than X " + x.to_string() +
                    " has there with its padding (" +
                    std::to_string(a.in + a.pad_begin + a.pad_end) + ")");
    }
  }
}

// The geometry of an N-D convolution from its window axes (Conv: image = X).
inline ConvNdGeometry conv_nd_geometry(const std::vector<WindowAxis>& axes) {
  ConvNdGeometry g;
  for (const WindowAxis& a : axes) {
    g.in.push_back(a.in);
    g.kernel.push_back(a.kernel);
    g.stride.push_back(a.stride);
    g.dilation.push_back(a.dilation);
    g.pad_begin.push_back(a.pad_begin);
  }
  return g;
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

// The shape checks Conv and ConvTranspose share: X [N, C, spatial...] of at least one spatial
// dimension, W of the same rank, B [out_channels].
inline void check_conv_operands(const OpInfo& info, const Shape& x, const Shape& w) {
  if (x.rank() < 3) {
    info.fail(ErrorKind::shape_mismatch, "X " + x.to_string() + " must be [N, C, spatial...]");
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
    require_f32_inputs(info, {"X", "W", "B"});
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
    check_window_fits(info, x.shape(), axes);
    if (axes.size() > 2) {
      run_nd(ctx, x, w, bias, axes);
      return;
    }
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
    // The prepared form now stands for the weights: a memory-mapped model's pages of them leave
    // resident memory (read again from the file if another shape needs them).
    // Checked only until it happened: later runs pay one relaxed load.
    if (constant && !released_.load(std::memory_order_relaxed)) {
      const kernels::Conv2dAlgorithm algorithm = plan.algorithm(p);
      if ((algorithm == kernels::Conv2dAlgorithm::winograd ||
           algorithm == kernels::Conv2dAlgorithm::packed) &&
          !released_.exchange(true, std::memory_order_relaxed)) {
        onnx::release_file_pages(w.raw_data(), w.nbytes());
      }
    }
  }

 private:
  // 3 and more spatial dimensions: im2col and the GEMM (conv_nd.hpp).
  void run_nd(OpContext& ctx, const Tensor& x, const Tensor& w, const float* bias,
              const std::vector<WindowAxis>& axes) const {
    ConvNdGeometry g = conv_nd_geometry(axes);
    g.batch = static_cast<std::size_t>(x.shape()[0]);
    g.channels = static_cast<std::size_t>(x.shape()[1]);
    g.out_channels = static_cast<std::size_t>(w.shape()[0]);
    g.groups = static_cast<std::size_t>(group_);
    std::vector<std::int64_t> out_dims{x.shape()[0], w.shape()[0]};
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const WindowAxis& a = axes[i];
      const std::size_t extent = a.dilation * (a.kernel - 1) + 1;
      const std::size_t padded = a.in + a.pad_begin + a.pad_end;
      g.out.push_back(padded < extent ? 0 : (padded - extent) / a.stride + 1);
      out_dims.push_back(static_cast<std::int64_t>(g.out.back()));
    }
    Tensor& y = ctx.output(0, DType::f32, make_shape(out_dims));
    if (y.numel() == 0) return;
    auto* workspace = static_cast<float*>(ctx.scratch(conv_nd_workspace_f32(g) * sizeof(float)));
    conv_nd_f32(g, x.data<float>(), w.data<float>(), bias, y.data<float>(), workspace, activation_,
                ctx.executor());
  }

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
  mutable std::atomic<bool> released_{false};  // the weights' file pages were released
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
    require_f32_inputs(info, {"X", "W", "B"});
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
    if (rank > 2) {
      run_nd(ctx, x, w, bias, axes, extra, out_channels);
      return;
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
  // 3 and more spatial dimensions: the GEMM and col2im (conv_nd.hpp). Any output padding is
  // allowed here: the positions no input reaches hold the bias.
  void run_nd(OpContext& ctx, const Tensor& x, const Tensor& w, const float* bias,
              const std::vector<WindowAxis>& axes, const std::vector<std::size_t>& extra,
              std::int64_t out_channels) const {
    // Y's geometry is a forward window whose outputs are X's positions.
    ConvNdGeometry g = conv_nd_geometry(axes);
    g.batch = static_cast<std::size_t>(x.shape()[0]);
    g.channels = static_cast<std::size_t>(x.shape()[1]);
    g.out_channels = static_cast<std::size_t>(out_channels);
    g.groups = static_cast<std::size_t>(group_);
    g.out = g.in;
    std::vector<std::int64_t> out_dims{x.shape()[0], out_channels};
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const WindowAxis& a = axes[i];
      const auto full = static_cast<std::int64_t>(a.stride * (a.in ? a.in - 1 : 0) + extra[i] +
                                                  a.dilation * (a.kernel - 1) + 1);
      const std::int64_t size = a.in == 0 ? 0
                                          : full - static_cast<std::int64_t>(a.pad_begin) -
                                                static_cast<std::int64_t>(a.pad_end);
      if (size < 0) {
        ctx.fail(ErrorKind::shape_mismatch, "the pads of spatial axis " + std::to_string(i) + " (" +
                                                std::to_string(a.pad_begin) + ", " +
                                                std::to_string(a.pad_end) +
                                                ") remove more than the " + std::to_string(full) +
                                                " outputs of X " + x.shape().to_string());
      }
      g.out[i] = a.in;
      g.in[i] = static_cast<std::size_t>(size);
      out_dims.push_back(size);
    }
    Tensor& y = ctx.output(0, DType::f32, make_shape(out_dims));
    if (y.numel() == 0) return;
    auto* workspace =
        static_cast<float*>(ctx.scratch(conv_transpose_nd_workspace_f32(g) * sizeof(float)));
    conv_transpose_nd_f32(g, x.data<float>(), w.data<float>(), bias, y.data<float>(), workspace,
                          activation_, ctx.executor());
  }

  WindowAttrs window_;
  std::int64_t group_;
  std::vector<std::int64_t> output_padding_, output_shape_;
  kernels::Activation activation_;
};

// ConvInteger and QLinearConv (1-D and 2-D) on the int8 GEMM (kernels/qgemm.hpp), the weights
// as the left operand: per (image, group) Y[Mg x OH*OW] = W_g[Mg x Cg*kh*kw] cols[Cg*kh*kw x
// OH*OW]. So Y comes out in NCHW order as it is, and the per-output-channel weight zero points,
// scales and biases apply per row. W is the kernel's uint8 operand (an int8 W flipped, once at
// load when it is constant), x its int8 operand (a uint8 x flipped while packed). A 1x1
// convolution with stride 1 and no padding packs x as it is; others go through an im2col
// matrix whose padding holds x_zero_point, so padded taps add nothing.
class Int8Conv {
 public:
  Int8Conv(const OpInfo& info, std::size_t w_input)
      : window_(info), group_(info.get_int("group", 1)) {
    if (group_ < 1 || group_ > max_window_value) {
      info.fail(ErrorKind::invalid_model, "group " + std::to_string(group_) + " must be >= 1");
    }
    const Tensor* w = info.constant_input(w_input);
    if (w != nullptr && w->dtype() == DType::i8) {
      w_flipped_.resize(static_cast<std::size_t>(w->numel()));
      kernels::qgemm_flip_sign(w->raw_data(), w_flipped_.size(), w_flipped_.data());
      w_narrow_ = kernels::qgemm_is_narrow_a(w_flipped_.data(), w_flipped_.size());
      w_source_ = *w;
    }
  }

  // The output channel count of W (for the callers' per-channel vectors).
  static std::int64_t out_channels(const OpContext& ctx, const Tensor& w) {
    if (w.rank() < 3) {
      ctx.fail(ErrorKind::shape_mismatch,
               "w " + w.shape().to_string() + " must be [M, C / group, kernel...]");
    }
    return w.shape()[0];
  }

  // x_zero: one value; w_zero: 1 or M values (in their own range). e: the output kind, scales
  // and biases (per row: all M channels); C is set here.
  void run(OpContext& ctx, const Tensor& x, const Tensor& w, std::int32_t x_zero,
           const std::vector<std::int32_t>& w_zero, kernels::QgemmEpilogue e,
           std::size_t scale_count, DType out) const {
    const OpInfo& info = ctx.info();
    require_8bit(info, x, "x");
    require_8bit(info, w, "w");
    check_conv_operands(info, x.shape(), w.shape());
    if (x.rank() > 4) {
      info.fail(
          ErrorKind::unsupported_op,
          "only 1-D and 2-D integer convolutions are supported; x is " + x.shape().to_string());
    }
    const std::int64_t batch = x.shape()[0], c = x.shape()[1], m = w.shape()[0];
    if (m % group_ != 0 || w.shape()[1] * group_ != c) {
      ctx.fail(ErrorKind::shape_mismatch, "w " + w.shape().to_string() + " with group " +
                                              std::to_string(group_) + " does not fit x " +
                                              x.shape().to_string());
    }
    const auto um = static_cast<std::size_t>(m);
    if (w_zero.size() != 1 && w_zero.size() != um) {
      ctx.fail(ErrorKind::shape_mismatch, "w_zero_point has " + std::to_string(w_zero.size()) +
                                              " values; W has " + std::to_string(m) + " channels");
    }
    if (e.scale_axis == kernels::QgemmAxis::per_row && scale_count != um) {
      ctx.fail(ErrorKind::shape_mismatch, "w_scale has " + std::to_string(scale_count) +
                                              " values; W has " + std::to_string(m) + " channels");
    }
    const auto axes =
        resolve_window(info, window_, x.shape(), kernel_from_weights(info, window_, w.shape()));
    kernels::Conv2dParams p;
    set_conv_axes(p, axes);
    const std::int64_t oh = static_cast<std::int64_t>(p.out_h()),
                       ow = static_cast<std::int64_t>(p.out_w());
    const std::int64_t dims2[4] = {batch, m, oh, ow}, dims1[3] = {batch, m, ow};
    Tensor& y = ctx.output(0, out, axes.size() == 2 ? Shape(dims2, 4) : Shape(dims1, 3));
    if (y.numel() == 0) return;
    const auto groups = static_cast<std::size_t>(group_);
    const std::size_t mg = static_cast<std::size_t>(m) / groups,
                      cg = static_cast<std::size_t>(c) / groups;
    const bool requantized =
        e.output == kernels::QgemmOutput::u8 || e.output == kernels::QgemmOutput::s8;
    if (mg == 1 && cg == 1 && groups > 1 && requantized) {
      depthwise(ctx, p, x, w, x_zero, w_zero, e, y, static_cast<std::size_t>(batch));
      return;
    }
    const std::size_t kk = cg * p.kernel_h * p.kernel_w, nn = p.out_h() * p.out_w();
    const std::size_t plane = p.in_h * p.in_w;
    const bool direct = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                        p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
    const bool w_signed = w.dtype() == DType::i8, x_unsigned = x.dtype() == DType::u8;
    const bool w_ready = !w_signed || (!w_source_.empty() && w.raw_data() == w_source_.raw_data() &&
                                       w.shape() == w_source_.shape());
    const auto round64 = [](std::size_t bytes) { return (bytes + 63) / 64 * 64; };
    const std::size_t w_room = w_ready ? 0 : round64(static_cast<std::size_t>(w.numel()));
    const std::size_t col_room = direct ? 0 : round64(kk * nn);
    const std::size_t work_room = round64(kernels::qgemm_workspace_size(mg, nn, kk));
    auto* scratch = static_cast<std::uint8_t*>(
        ctx.scratch(w_room + col_room + work_room + w_zero.size() * sizeof(std::int32_t)));
    const std::uint8_t* a = static_cast<const std::uint8_t*>(w.raw_data());
    if (w_signed) {
      if (w_ready) {
        a = w_flipped_.data();
      } else {
        kernels::qgemm_flip_sign(w.raw_data(), static_cast<std::size_t>(w.numel()), scratch);
        a = scratch;
      }
    }
    // 7-bit weights (all in [-64, 63]) take the kernel's vpmaddubsw path where it has one.
    const bool w_narrow = w_ready && w_signed
                              ? w_narrow_
                              : kernels::qgemm_is_narrow_a(a, static_cast<std::size_t>(w.numel()));
    std::uint8_t* cols = scratch + w_room;
    void* workspace = scratch + w_room + col_room;
    auto* wz = reinterpret_cast<std::int32_t*>(scratch + w_room + col_room + work_room);
    for (std::size_t o = 0; o < w_zero.size(); ++o) wz[o] = w_zero[o] + (w_signed ? 128 : 0);
    const std::int32_t xz = x_zero - (x_unsigned ? 128 : 0);
    const auto x_zero_byte = static_cast<std::uint8_t>(x_zero);
    const std::size_t out_size = out == DType::u8 || out == DType::i8 ? 1 : 4;
    const auto* xd = static_cast<const std::uint8_t*>(x.raw_data());
    for (std::size_t b = 0; b < static_cast<std::size_t>(batch); ++b) {
      for (std::size_t g = 0; g < groups; ++g) {
        const std::uint8_t* xg = xd + (b * static_cast<std::size_t>(c) + g * cg) * plane;
        const std::uint8_t* bmat = xg;
        if (!direct) {
          im2col(p, xg, cg, x_zero_byte, cols);
          bmat = cols;
        }
        kernels::QgemmZeroPoints zp;
        zp.a = wz + (w_zero.size() > 1 ? g * mg : 0);
        zp.a_per_row = w_zero.size() > 1;
        zp.b = &xz;
        kernels::QgemmEpilogue eg = e;
        eg.c = output_bytes(y) + (b * static_cast<std::size_t>(m) + g * mg) * nn * out_size;
        eg.ldc = nn;
        if (e.scale_axis == kernels::QgemmAxis::per_row) eg.scale = e.scale + g * mg;
        if (e.bias_axis == kernels::QgemmAxis::per_row) eg.bias = e.bias + g * mg;
        kernels::qgemm(mg, nn, kk, a + g * mg * kk, kk, false, bmat, direct ? plane : nn,
                       x_unsigned, zp, eg, workspace, ctx.executor(), w_narrow);
      }
    }
  }

 private:
  // One filter per channel (MobileNet's depthwise layers): one GEMM per group would be a 1-row
  // GEMM per channel; the int8 depthwise kernel runs each plane directly, with the GEMM's
  // epilogue arithmetic (kernels/qdepthwise.hpp).
  static void depthwise(OpContext& ctx, const kernels::Conv2dParams& conv, const Tensor& x,
                        const Tensor& w, std::int32_t x_zero,
                        const std::vector<std::int32_t>& w_zero, const kernels::QgemmEpilogue& e,
                        Tensor& y, std::size_t batch) {
    kernels::Conv2dParams p = conv;
    p.batch = batch;
    p.in_channels = p.out_channels = p.groups = static_cast<std::size_t>(x.shape()[1]);
    kernels::QDepthwiseOperands o;
    o.x = x.raw_data();
    o.x_signed = x.dtype() == DType::i8;
    o.x_zero = x_zero;
    o.w = w.raw_data();
    o.w_signed = w.dtype() == DType::i8;
    o.w_zero = w_zero.data();
    o.w_zero_per_channel = w_zero.size() > 1;
    kernels::QgemmEpilogue eg = e;
    eg.c = output_bytes(y);
    void* workspace = ctx.scratch(kernels::qdepthwise_workspace_size(p, ctx.executor()));
    kernels::qdepthwise_conv2d(p, o, eg, workspace, ctx.executor());
  }

  // cols[(ci * kh + i) * kw + j][oy * ow + ox] = x[ci][oy * sh + i * dh - pt][ox * sw + j * dw -
  // pl], or pad where that falls outside.
  static void im2col(const kernels::Conv2dParams& p, const std::uint8_t* x, std::size_t channels,
                     std::uint8_t pad, std::uint8_t* cols) {
    const std::size_t oh = p.out_h(), ow = p.out_w();
    // The vector steps (copies of stride 1 and 2, padding) read whole vectors within x and write
    // whole vectors within cols, past a row's end: the rows are made in address order, so the
    // bytes written past a row are written again (its padding or the next rows).
    const std::uint8_t* x_end = x + channels * p.in_h * p.in_w;
    const std::uint8_t* cols_end = cols + channels * p.kernel_h * p.kernel_w * oh * ow;
#if defined(__SSE2__)
    const __m128i vpad = _mm_set1_epi8(static_cast<char>(pad));
#endif
    // Padding of up to 16 bytes as one vector store (memset calls cost more on short rows).
    const auto fill = [&](std::uint8_t* at, std::size_t count) {
      if (count == 0) return;
#if defined(__SSE2__)
      if (count <= 16 && at + 16 <= cols_end) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at), vpad);
        return;
      }
#endif
      std::memset(at, pad, count);
    };
    for (std::size_t ci = 0; ci < channels; ++ci) {
      for (std::size_t i = 0; i < p.kernel_h; ++i) {
        for (std::size_t j = 0; j < p.kernel_w; ++j) {
          std::uint8_t* row = cols + ((ci * p.kernel_h + i) * p.kernel_w + j) * oh * ow;
          // Output columns [lo, hi) read inside a row of x; the others are padding (the same for
          // every output row, so computed once: the divisions cost more than the copies).
          const auto offset = static_cast<std::ptrdiff_t>(j * p.dilation_w) -
                              static_cast<std::ptrdiff_t>(p.pad_left);
          const auto sw = static_cast<std::ptrdiff_t>(p.stride_w);
          const auto width = static_cast<std::ptrdiff_t>(p.in_w);
          std::size_t lo = offset >= 0 ? 0 : static_cast<std::size_t>((-offset + sw - 1) / sw);
          std::size_t hi =
              offset >= width ? 0 : static_cast<std::size_t>((width - offset + sw - 1) / sw);
          lo = std::min(lo, ow);
          hi = std::max(lo, std::min(hi, ow));
          for (std::size_t oy = 0; oy < oh; ++oy) {
            const auto iy = static_cast<std::ptrdiff_t>(oy * p.stride_h + i * p.dilation_h) -
                            static_cast<std::ptrdiff_t>(p.pad_top);
            std::uint8_t* out = row + oy * ow;
            if (iy < 0 || iy >= static_cast<std::ptrdiff_t>(p.in_h)) {
              std::memset(out, pad, ow);
              continue;
            }
            const std::uint8_t* in = x + (ci * p.in_h + static_cast<std::size_t>(iy)) * p.in_w;
            fill(out, lo);
            if (sw == 1) {
              const std::uint8_t* src = in + (static_cast<std::ptrdiff_t>(lo) + offset);
              std::uint8_t* dst = out + lo;
              const std::size_t n = hi - lo;
              std::size_t t = 0;
#if defined(__SSE2__)
              for (; t < n && src + t + 16 <= x_end && dst + t + 16 <= cols_end; t += 16) {
                _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + t),
                                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + t)));
              }
#endif
              if (t < n) std::memcpy(dst + t, src + t, n - t);
            } else if (sw == 2) {
              const std::uint8_t* src = in + (2 * static_cast<std::ptrdiff_t>(lo) + offset);
              std::uint8_t* dst = out + lo;
              const std::size_t n = hi - lo;
              std::size_t t = 0;
#if defined(__SSE2__)
              // 16 outputs a step, the low bytes of 16 16-bit lanes packed (ResNet's stride-2
              // rows are 7 to 112 bytes: whole vectors past the row end beat a byte loop).
              const __m128i low = _mm_set1_epi16(0xFF);
              for (; t < n && src + 2 * t + 32 <= x_end && dst + t + 16 <= cols_end; t += 16) {
                const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * t));
                const __m128i b =
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * t + 16));
                _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + t),
                                 _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low)));
              }
#endif
              for (; t < n; ++t) dst[t] = src[2 * t];
            } else {
              for (std::size_t ox = lo; ox < hi; ++ox) {
                out[ox] = in[static_cast<std::ptrdiff_t>(ox) * sw + offset];
              }
            }
            fill(out + hi, ow - hi);
          }
        }
      }
    }
  }

  WindowAttrs window_;
  std::int64_t group_;
  Tensor w_source_;                      // a constant int8 W ...
  std::vector<std::uint8_t> w_flipped_;  // ... flipped to uint8 at load
  bool w_narrow_ = false;                // ... whose values all lie in [-64, 63]
};

// ConvInteger: int32 sums; x_zero_point a scalar, w_zero_point a scalar or [M].
class ConvIntegerKernel final : public OpKernel {
 public:
  explicit ConvIntegerKernel(const OpInfo& info) : conv_(info, 1), params_(info, where()) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    require_8bit(info, x, "x");
    require_8bit(info, w, "w");
    params_.check_zero_dtype(ctx, true, x, "x_zero_point");
    params_.check_zero_dtype(ctx, false, w, "w_zero_point");
    Int8Params storage;
    const Int8Params& q = params_.get(ctx, storage);
    if (q.a_zero.size() != 1) ctx.fail(ErrorKind::unsupported_op, "a per-axis x_zero_point");
    kernels::QgemmEpilogue e;
    e.output = kernels::QgemmOutput::s32;
    conv_.run(ctx, x, w, q.a_zero[0], q.b_zero, e, 0, DType::i32);
  }

 private:
  static Int8ParamInputs where() {
    Int8ParamInputs p;
    p.a_zero = 2;  // x's
    p.b_zero = 3;  // w's
    return p;
  }
  Int8Conv conv_;
  Int8ParamCache params_;
};

// QLinearConv: y = saturate(round_half_even((acc + B[o]) * (x_scale * w_scale[o] / y_scale)) +
// y_zero), the multiplier computed in float; w_scale and w_zero_point scalar or per output
// channel ([M]), B int32 [M]. Constant scales and zero points are read once at load.
class QLinearConvKernel final : public OpKernel {
 public:
  explicit QLinearConvKernel(const OpInfo& info) : conv_(info, 3), params_(info, where()) {
    require_f32_inputs(info, {nullptr, "x_scale", nullptr, nullptr, "w_scale", nullptr, "y_scale"});
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    require_8bit(info, x, "x");
    require_8bit(info, w, "w");
    params_.check_zero_dtype(ctx, true, x, "x_zero_point");
    params_.check_zero_dtype(ctx, false, w, "w_zero_point");
    static_cast<void>(ctx.input(6));  // y_scale and y_zero_point are required
    static_cast<void>(ctx.input(7));
    Int8Params storage;
    const Int8Params& q = params_.get(ctx, storage);
    if (q.a_zero.size() != 1) ctx.fail(ErrorKind::unsupported_op, "a per-axis x_zero_point");
    const std::int64_t m = Int8Conv::out_channels(ctx, w);
    kernels::QgemmEpilogue e;
    e.output = q.y_type == DType::u8 ? kernels::QgemmOutput::u8 : kernels::QgemmOutput::s8;
    e.scale = q.multiplier.data();
    e.scale_axis =
        q.multiplier.size() > 1 ? kernels::QgemmAxis::per_row : kernels::QgemmAxis::per_tensor;
    e.zero_point = q.y_zero;
    if (ctx.has_input(8)) {
      const Tensor& bias = ctx.input(8);
      if (bias.dtype() != DType::i32 || bias.numel() != m) {
        ctx.fail(ErrorKind::shape_mismatch, "B must be int32 [" + std::to_string(m) + "], not " +
                                                dtype_name(bias.dtype()) + " " +
                                                bias.shape().to_string());
      }
      e.bias = bias.data<std::int32_t>();
      e.bias_axis = kernels::QgemmAxis::per_row;
    }
    conv_.run(ctx, x, w, q.a_zero[0], q.b_zero, e, q.multiplier.size(), q.y_type);
  }

 private:
  static Int8ParamInputs where() {
    Int8ParamInputs p;
    p.a_scale = 1;  // x's
    p.a_zero = 2;
    p.b_scale = 4;  // w's
    p.b_zero = 5;
    p.y_scale = 6;
    p.y_zero = 7;
    return p;
  }
  Int8Conv conv_;
  Int8ParamCache params_;
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
