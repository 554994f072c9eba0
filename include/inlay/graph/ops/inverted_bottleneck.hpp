// inlay:InvertedBottleneck, made at load by the fusion pass (graph/impl/fuse.hpp) from
// Conv 1x1 -> depthwise Conv -> Conv 1x1 (MobileNetV2's block without its residual Add), run by
// kernels::inverted_bottleneck_nchw_f32 in bands of rows when the expanded tensor is large, else
// layer by layer on the kernels the three Conv nodes would have run. Inputs: X, W_expand [E, C, 1,
// 1], B_expand, W_depthwise [E, 1, kh, kw], B_depthwise, W_project [M, E, 1, 1], B_project (biases
// optional). Attributes: the depthwise layer's "strides" and "pads" (2 and 4 values), and each
// layer's fused activation ("inlay.expand.", "inlay.depthwise.", "inlay.project." prefixes).
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_INVERTED_BOTTLENECK_HPP
#define INLAY_GRAPH_OPS_INVERTED_BOTTLENECK_HPP

#include <algorithm>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/inverted_bottleneck.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

constexpr const char* inverted_bottleneck_op = "InvertedBottleneck";

class InvertedBottleneckKernel final : public OpKernel {
 public:
  // Expanded tensors below this many bytes stay in the core's cache when the layers run one by
  // one; banding pays only above (measured: docs/bench.md, "Tuning constants").
  static constexpr std::size_t kBandedFromBytes = std::size_t{1} << 20;

  explicit InvertedBottleneckKernel(const OpInfo& info)
      : strides_(info.get_ints("strides", {1, 1})),
        pads_(info.get_ints("pads", {0, 0, 0, 0})),
        expand_(fused_activation(info, "inlay.expand.")),
        depthwise_(fused_activation(info, "inlay.depthwise.")),
        project_(fused_activation(info, "inlay.project.")),
        constant_weights_(info.constant_input(1) != nullptr && info.constant_input(5) != nullptr) {
    if (strides_.size() != 2 || pads_.size() != 4) {
      info.fail(ErrorKind::invalid_model, "strides needs 2 values and pads 4");
    }
    for (std::int64_t v : strides_) {
      if (v < 1 || v > 1024) info.fail(ErrorKind::invalid_model, "strides must be in [1, 1024]");
    }
    for (std::int64_t v : pads_) {
      if (v < 0 || v > 1024) info.fail(ErrorKind::invalid_model, "pads must be in [0, 1024]");
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "X");
    if (x.rank() != 4) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be [N, C, H, W]");
    }
    const Tensor& we = weights(ctx, 1, "W_expand", 4);
    const Tensor& wd = weights(ctx, 3, "W_depthwise", 4);
    const Tensor& wp = weights(ctx, 5, "W_project", 4);
    const std::int64_t c = x.shape()[1], e = we.shape()[0], m = wp.shape()[0];
    if (we.shape() != Shape{e, c, 1, 1} || wd.shape()[0] != e || wd.shape()[1] != 1 ||
        wp.shape() != Shape{m, e, 1, 1}) {
      ctx.fail(ErrorKind::shape_mismatch,
               "weights " + we.shape().to_string() + ", " + wd.shape().to_string() + ", " +
                   wp.shape().to_string() + " do not chain from X " + x.shape().to_string());
    }
    kernels::InvertedBottleneckParams p;
    kernels::Conv2dParams& d = p.depthwise;
    d.batch = static_cast<std::size_t>(x.shape()[0]);
    d.in_channels = d.out_channels = d.groups = static_cast<std::size_t>(e);
    d.in_h = static_cast<std::size_t>(x.shape()[2]);
    d.in_w = static_cast<std::size_t>(x.shape()[3]);
    d.kernel_h = static_cast<std::size_t>(wd.shape()[2]);
    d.kernel_w = static_cast<std::size_t>(wd.shape()[3]);
    d.stride_h = static_cast<std::size_t>(strides_[0]);
    d.stride_w = static_cast<std::size_t>(strides_[1]);
    d.pad_top = static_cast<std::size_t>(pads_[0]);
    d.pad_left = static_cast<std::size_t>(pads_[1]);
    d.pad_bottom = static_cast<std::size_t>(pads_[2]);
    d.pad_right = static_cast<std::size_t>(pads_[3]);
    p.in_channels = static_cast<std::size_t>(c);
    p.out_channels = static_cast<std::size_t>(m);
    if (d.kernel_h == 0 || d.kernel_w == 0 || d.pad_top >= d.kernel_h ||
        d.pad_bottom >= d.kernel_h || d.in_h + d.pad_top + d.pad_bottom < d.kernel_h ||
        d.in_w + d.pad_left + d.pad_right < d.kernel_w) {
      ctx.fail(ErrorKind::shape_mismatch, "the depthwise window " + wd.shape().to_string() +
                                              " does not fit X " + x.shape().to_string());
    }
    Tensor& y = ctx.output(0, DType::f32,
                           Shape{x.shape()[0], m, static_cast<std::int64_t>(d.out_h()),
                                 static_cast<std::int64_t>(d.out_w())});
    if (y.numel() == 0) return;
    const kernels::BottleneckStage expand{we.data<float>(), bias(ctx, 2, e), expand_};
    const kernels::BottleneckStage depthwise{wd.data<float>(), bias(ctx, 4, e), depthwise_};
    const kernels::BottleneckStage project{wp.data<float>(), bias(ctx, 6, m), project_};
    if (static_cast<std::size_t>(e) * d.in_h * d.in_w * sizeof(float) < kBandedFromBytes) {
      run_layers(ctx, p, x.data<float>(), expand, depthwise, project, y.data<float>());
      return;
    }
    auto* workspace = static_cast<float*>(ctx.scratch(
        kernels::inverted_bottleneck_workspace_size_f32(p, ctx.executor()) * sizeof(float)));
    kernels::inverted_bottleneck_nchw_f32(p, x.data<float>(), expand, depthwise, project,
                                          y.data<float>(), workspace, ctx.executor());
  }

 private:
  // The three layers one after the other, the 1x1 ones on weights packed at their first use when
  // their plane is small (conv2d_packed_supports), as ConvKernel runs them.
  void run_layers(OpContext& ctx, const kernels::InvertedBottleneckParams& p, const float* x,
                  const kernels::BottleneckStage& expand, const kernels::BottleneckStage& depthwise,
                  const kernels::BottleneckStage& project, float* y) const {
    const kernels::Conv2dParams& d = p.depthwise;
    kernels::Conv2dParams pe, pp;
    pe.batch = pp.batch = d.batch;
    pe.in_channels = p.in_channels;
    pe.out_channels = pp.in_channels = d.in_channels;
    pp.out_channels = p.out_channels;
    pe.in_h = d.in_h, pe.in_w = d.in_w;
    pp.in_h = d.out_h(), pp.in_w = d.out_w();
    const std::size_t expanded = d.batch * d.in_channels * d.in_h * d.in_w;
    const std::size_t dw = d.batch * d.in_channels * pp.in_h * pp.in_w;
    const std::size_t work = std::max(workspace_floats(pe), workspace_floats(pp));
    auto* scratch = static_cast<float*>(ctx.scratch((expanded + dw + work) * sizeof(float)));
    pointwise(pe, x, expand, expand_packed_, scratch, scratch + expanded + dw, ctx.executor());
    kernels::depthwise_conv2d_nchw_f32(d, scratch, depthwise.w, depthwise.bias, scratch + expanded,
                                       depthwise.activation, ctx.executor());
    pointwise(pp, scratch + expanded, project, project_packed_, y, scratch + expanded + dw,
              ctx.executor());
  }
  bool packs(const kernels::Conv2dParams& p) const {
    return constant_weights_ && kernels::conv2d_packed_supports(p);
  }
  std::size_t workspace_floats(const kernels::Conv2dParams& p) const {
    return packs(p) ? kernels::conv2d_packed_workspace_size_f32(p)
                    : kernels::conv2d_workspace_size_f32(p);
  }
  void pointwise(const kernels::Conv2dParams& p, const float* x,
                 const kernels::BottleneckStage& stage, const PreparedWeights& packed, float* y,
                 float* work, Executor* executor) const {
    if (!packs(p)) {
      kernels::conv2d_nchw_f32(p, x, stage.w, stage.bias, y, work, stage.activation, executor);
      return;
    }
    const float* w = packed.get([&](std::vector<float>& form) {
      form.resize(kernels::conv2d_packed_weights_size_f32(p));
      kernels::conv2d_pack_weights_f32(p, stage.w, form.data());
    });
    kernels::conv2d_nchw_packed_f32(p, x, w, stage.bias, y, work, stage.activation, executor);
  }

  static const Tensor& weights(OpContext& ctx, std::size_t i, const char* what, std::size_t rank) {
    const Tensor& w = ctx.input(i);
    require_f32(ctx, w, what);
    if (w.rank() != rank || w.numel() == 0) {
      ctx.fail(ErrorKind::shape_mismatch,
               std::string(what) + " " + w.shape().to_string() + " must be a non-empty 4-D tensor");
    }
    return w;
  }
  static const float* bias(OpContext& ctx, std::size_t i, std::int64_t n) {
    if (!ctx.has_input(i)) return nullptr;
    const Tensor& b = ctx.input(i);
    require_f32(ctx, b, "B");
    if (b.rank() != 1 || b.numel() != n) {
      ctx.fail(ErrorKind::shape_mismatch, "input " + std::to_string(i) + " " +
                                              b.shape().to_string() + " must be [" +
                                              std::to_string(n) + "]");
    }
    return b.data<float>();
  }

  std::vector<std::int64_t> strides_, pads_;
  kernels::Activation expand_, depthwise_, project_;
  bool constant_weights_;                           // W_expand and W_project: packed once when used
  PreparedWeights expand_packed_, project_packed_;  // built by the first run that needs them
};

inline void register_inverted_bottleneck_ops(OpSet& ops) {
  ops.add("inlay", inverted_bottleneck_op, 1, factory<InvertedBottleneckKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_INVERTED_BOTTLENECK_HPP
