// The one place that chooses how a 2-D convolution runs and owns the forms of its weights that
// the chosen algorithm needs (ncnn's Layer::create_pipeline plays this role there). Both doors run
// their convolutions through it: the graph door's Conv (graph/ops/conv.hpp) and the typed door's
// Conv2D, DepthwiseConv2D and Conv1D (nn/conv.hpp).
#ifndef INLAY_KERNELS_CONV_PLAN_HPP
#define INLAY_KERNELS_CONV_PLAN_HPP

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/conv.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

enum class Conv2dAlgorithm {
  gemm,       // conv2d_nchw_f32: im2col + GEMM, or the direct kernel for small layers
  depthwise,  // depthwise_conv2d_nchw_f32
  winograd,   // winograd_conv2d_nchw_f32 on weights transformed once
  packed,     // conv2d_nchw_packed_f32 on W^T packed once (few output pixels)
};
const char* conv2d_algorithm_name(Conv2dAlgorithm algorithm);

// How the weights a plan runs with behave from one call to the next; it decides which prepared
// forms the plan may build.
enum class Conv2dWeights {
  // Never change (a loaded model's constant weights): each form is built once, on the first call
  // that takes its path, and kept.
  fixed,
  // May change between calls without notice (a typed layer's public weights at inference): the
  // plan keeps a copy of the weights its form was built from and compares it with the weights of
  // each call, rebuilding on a difference. That pass over the weights is small only against a
  // convolution that does much work per weight, so this takes Winograd (large planes) but not
  // the packed path (few output pixels).
  checked,
  // Change on every call (training): nothing is prepared, every call reads the weights as given.
  changing,
};

// The algorithm for p with weights that behave as `weights`: depthwise when groups ==
// in_channels > 1 and out_channels is a multiple of them; Winograd for 3x3 stride-1 layers large
// enough to gain (detail::winograd_applies); the packed path for layers with few output pixels
// (conv2d_packed_supports); otherwise im2col + GEMM or the direct kernel.
Conv2dAlgorithm choose_conv2d_algorithm(const Conv2dParams& p, Conv2dWeights weights);

class Conv2dPlan {
 public:
  explicit Conv2dPlan(Conv2dWeights weights = Conv2dWeights::fixed) : weights_(weights) {}
  // A copy carries the prepared forms (they stand for the same weight values).
  Conv2dPlan(const Conv2dPlan& other);
  Conv2dPlan& operator=(const Conv2dPlan& other);

  Conv2dWeights weights() const { return weights_; }
  Conv2dAlgorithm algorithm(const Conv2dParams& p) const {
    return choose_conv2d_algorithm(p, weights_);
  }
  // Floats of scratch that run(p, ...) needs.
  std::size_t workspace_size_f32(const Conv2dParams& p) const;
  // Sizes the storage of every form that layers of p's channels and kernel may take (the
  // algorithm also depends on the batch and the plane), so that later calls allocate nothing.
  void reserve(const Conv2dParams& p);

  // y[batch, out_channels, out_h, out_w] = act(conv(x, w) + bias), w [out_channels, in_channels /
  // groups, kernel_h, kernel_w], bias null or [out_channels], with workspace_size_f32(p) floats of
  // scratch. Every call of one plan must pass weights of one shape. Safe to call from several
  // threads at once (a form is built by the first call that needs it, under a lock).
  void run(const Conv2dParams& p, const float* w, const float* x, const float* bias, float* y,
           float* workspace, const Activation& activation = {}, Executor* executor = nullptr) const;

 private:
  // The prepared weights of `algorithm` (winograd or packed), built from w when not yet built (or,
  // for checked weights, when w differs from the copy they were built from).
  const float* form(Conv2dAlgorithm algorithm, const Conv2dParams& p, const float* w) const;

  Conv2dWeights weights_;
  mutable std::mutex mutex_;  // guards building the forms
  mutable std::atomic<bool> winograd_ready_{false}, packed_ready_{false};
  mutable std::vector<float> winograd_, packed_;
  mutable std::vector<float> built_from_;  // checked weights: the values the forms stand for
};

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_CONV_PLAN_HPP
