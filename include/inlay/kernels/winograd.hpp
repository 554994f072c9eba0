// Winograd convolution F(4x4, 3x3) in NCHW, fp32 (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016): a 3x3 convolution with stride 1, dilation 1 and one
// group, computed as 36 GEMMs between transformed weights and transformed 6x6 input tiles. Each
// 4x4 output tile costs 36 multiplications per (input, output) channel pair instead of 144.
//
// Use: winograd_transform_weights_f32 once (at model load) into winograd_weights_size_f32 floats,
// then winograd_conv2d_nchw_f32 per call with winograd_workspace_size_f32 floats of scratch. The
// result equals conv2d_nchw_f32 up to rounding; the transforms add error, about ten times that of
// im2col + GEMM (see docs/kernels.md for the measured bound).
#ifndef INLAY_KERNELS_WINOGRAD_HPP
#define INLAY_KERNELS_WINOGRAD_HPP

#include <cstddef>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/conv.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// Whether winograd_conv2d_nchw_f32 accepts p: kernel 3x3, stride 1, dilation 1, groups 1, any
// padding, output at least 2x2 (tiles may lie partly outside the output).
bool winograd_supports(const Conv2dParams& p);

// Floats of the transformed weights: 36 matrices [out_channels x in_channels].
std::size_t winograd_weights_size_f32(std::size_t out_channels, std::size_t in_channels);
// u = G g G^T for each 3x3 filter g of w [out_channels, in_channels, 3, 3]; element (a, b) of the
// 6x6 result for (oc, ic) goes to u[((a * 6 + b) * out_channels + oc) * in_channels + ic].
void winograd_transform_weights_f32(const Conv2dParams& p, const float* w, float* u);

// Floats of scratch one call needs: the transformed tiles of one block of tile rows (at most a
// few hundred tiles, or one tile row when that is longer) and their 36 GEMM products; bounded by
// the channels and the image width, not the image height or the batch.
std::size_t winograd_workspace_size_f32(const Conv2dParams& p);
// y[batch, out_channels, out_h, out_w] = act(conv(x, w) + bias), u from
// winograd_transform_weights_f32; bias may be null. Throws inlay::Error (invalid_argument) when
// winograd_supports(p) is false.
void winograd_conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* u,
                              const float* bias, float* y, float* workspace,
                              const Activation& activation = {}, Executor* executor = nullptr);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_WINOGRAD_HPP
