// The inverted bottleneck of MobileNetV2 (Sandler et al. 2018, "MobileNetV2: Inverted Residuals
// and Linear Bottlenecks"): a pointwise (1x1) convolution that expands the channels, a depthwise
// convolution, and a pointwise convolution that projects them back, run band of rows by band of
// rows so the expanded tensors stay in the core's cache. Run one layer at a time, the expand
// layer's output (e.g. 96 x 112 x 112 floats, 4.6 MiB) goes out to memory and the depthwise layer
// reads it back; here each band is written, read and overwritten while it is cached. Each stage
// runs the library's own kernel (gemm_f32, depthwise_conv2d_nchw_f32) on the band, so the result
// equals the three layers run one by one, bit for bit.
#ifndef INLAY_KERNELS_INVERTED_BOTTLENECK_HPP
#define INLAY_KERNELS_INVERTED_BOTTLENECK_HPP

#include <cstddef>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/conv.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// One stage's weights (expand and project: [out, in]; depthwise: [channels, kernel_h, kernel_w]),
// its bias (may be null) and its activation.
struct BottleneckStage {
  const float* w = nullptr;
  const float* bias = nullptr;
  Activation activation;
};

struct InvertedBottleneckParams {
  // The depthwise layer: batch, in_channels = out_channels = groups (the expanded channels), the
  // input plane (x's), kernel, stride and pads; dilation 1.
  Conv2dParams depthwise;
  std::size_t in_channels = 0;   // x's channels (the expand layer's input)
  std::size_t out_channels = 0;  // y's channels (the project layer's output)
};

// Throws inlay::Error (invalid_argument) naming the field when the parameters are inconsistent.
void validate_inverted_bottleneck(const InvertedBottleneckParams& p);
// Scratch floats for one run with this executor (one band buffer per task).
std::size_t inverted_bottleneck_workspace_size_f32(const InvertedBottleneckParams& p,
                                                   Executor* executor);
// y [batch, out_channels, out_h, out_w] = project(depthwise(expand(x))), each stage with its bias
// and activation; x is [batch, in_channels, in_h, in_w]. The executor splits the output rows of
// each image into contiguous ranges, one per thread; results do not depend on the thread count.
void inverted_bottleneck_nchw_f32(const InvertedBottleneckParams& p, const float* x,
                                  const BottleneckStage& expand, const BottleneckStage& depthwise,
                                  const BottleneckStage& project, float* y, float* workspace,
                                  Executor* executor = nullptr);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_INVERTED_BOTTLENECK_HPP
