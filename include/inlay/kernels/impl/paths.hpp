// Private to the implementation and the tests (not in the public API, docs/api.md): which path a
// kernel call takes, where the graph door chooses before calling the public kernels, and the one
// piece of the conv family that the GEMM family defines.
#ifndef INLAY_KERNELS_IMPL_PATHS_HPP
#define INLAY_KERNELS_IMPL_PATHS_HPP

#include <atomic>
#include <cstddef>

#include "inlay/core/config.hpp"
#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/inverted_bottleneck.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {
namespace detail {

// winograd_supports(p) and the layer large enough for the Winograd path to beat im2col + GEMM:
// at least 16 input and 16 output channels and 16 output tiles of 4x4 over the batch (e.g. a
// 14x14 output; measured: docs/bench.md, "Tuning constants").
bool winograd_applies(const Conv2dParams& p);

// How many times a Conv2dPlan built each prepared form of its weights, over all plans: tests check
// through it that a form is built once, and only for a path that a call takes.
struct ConvFormCounts {
  std::atomic<std::size_t> winograd{0}, packed{0};
};
inline ConvFormCounts& conv_form_counts() {
  static ConvFormCounts counts;
  return counts;
}

// The inverted bottleneck's output rows per band: as many as keep the band's expanded and
// depthwise rows within kInvertedBottleneckBandBytes, at least 1.
constexpr std::size_t kInvertedBottleneckBandBytes = std::size_t{512} << 10;
std::size_t inverted_bottleneck_band_rows(const InvertedBottleneckParams& p);

// One (image, group) of conv2d_nchw_f32's GEMM path: x and y point at the group's first input
// and output planes, w and bias at its weights and biases. Defined with the GEMM
// (gemm-dispatch.hpp), whose packing it extends.
void conv_gemm_group_f32(const Conv2dParams& p, const float* x, const float* w, const float* bias,
                         float* y, const Activation& activation, Executor* executor);

}  // namespace detail
}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_IMPL_PATHS_HPP
