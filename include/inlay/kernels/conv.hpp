// Convolution in NCHW layout: 2D (1D is 2D with height 1), grouped, strided, padded, dilated;
// depthwise; transposed. Weights: [out_channels, in_channels / groups, kernel_h, kernel_w] for
// convolution, [in_channels, out_channels / groups, kernel_h, kernel_w] for transposed convolution
// (ONNX's layouts). The caller provides scratch memory of conv*_workspace_size_f32() floats, so a
// kernel never allocates.
#ifndef INLAY_KERNELS_CONV_HPP
#define INLAY_KERNELS_CONV_HPP

#include <cstddef>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

struct Conv2dParams {
  std::size_t batch = 1;
  std::size_t in_channels = 0, in_h = 0, in_w = 0;
  std::size_t out_channels = 0;
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::size_t dilation_h = 1, dilation_w = 1;
  std::size_t groups = 1;
  // Transposed convolution only: extra rows/columns added at the bottom/right of the output.
  std::size_t output_pad_h = 0, output_pad_w = 0;

  // floor((in + pads - dilation * (kernel - 1) - 1) / stride) + 1, or 0 when the window does
  // not fit.
  std::size_t out_h() const;
  std::size_t out_w() const;
  // stride * (in - 1) + output_pad + dilation * (kernel - 1) + 1 - pads.
  std::size_t transposed_out_h() const;
  std::size_t transposed_out_w() const;
};

// Throws inlay::Error (invalid_argument) naming the field when the parameters are inconsistent
// (zero stride or dilation, channels not divisible by groups, ...).
void validate_conv2d(const Conv2dParams& p);

// Scratch of conv2d_nchw_f32: the column matrix of one (image, group), in_channels / groups *
// kernel_h * kernel_w * out_h * out_w floats, whatever the Executor (the threads share it); 0 for
// a 1x1 convolution with stride 1 and no padding, which reads x directly, and for layers with at
// most 64 output channels per group and at least 64 taps per output (in_channels / groups *
// kernel_h * kernel_w), whose GEMM makes the column matrix block by block from x; for the small
// stride-1 layers of the direct kernel, the zero-padded input planes of one (image, group) (0
// without padding).
std::size_t conv2d_workspace_size_f32(const Conv2dParams& p);
// y[batch, out_channels, out_h, out_w] = act(conv(x, w) + bias); bias may be null. Runs as one
// GEMM per image and group, W * columns (im2col's column matrix, stored in the workspace or made
// by the GEMM as it packs; a 1x1 stride-1 convolution reads x as it is), or as a direct kernel
// for small stride-1 layers (LeNet-sized: a column matrix of at most 64 Ki floats, at most 64
// output channels per group).
void conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w, const float* bias,
                     float* y, float* workspace, const Activation& activation = {},
                     Executor* executor = nullptr);

// Convolutions with few output pixels (out_h * out_w <= 256: the late layers of CNNs, where a
// GEMM with out_channels rows and so few columns wastes most of its register tiles) run with the
// roles swapped, on weights packed once: Y^T [pixels, out_channels] = col^T * W^T with bias and
// activation in the GEMM's epilogue, then one transpose into NCHW. For groups == 1 and at least
// 16 output channels; layers of the direct kernel (above) keep it. The packed weights are
// conv2d_packed_weights_size_f32 floats (the gemm_pack_b_f32 layout of W^T); the workspace holds
// the column matrix (none for a pointwise layer) and Y^T of one image.
bool conv2d_packed_supports(const Conv2dParams& p);
std::size_t conv2d_packed_weights_size_f32(const Conv2dParams& p);
void conv2d_pack_weights_f32(const Conv2dParams& p, const float* w, float* packed);
std::size_t conv2d_packed_workspace_size_f32(const Conv2dParams& p);
// The same result as conv2d_nchw_f32 up to rounding (the sums run in another order). Throws
// inlay::Error (invalid_argument) when !conv2d_packed_supports(p).
void conv2d_nchw_packed_f32(const Conv2dParams& p, const float* x, const float* packed_w,
                            const float* bias, float* y, float* workspace,
                            const Activation& activation = {}, Executor* executor = nullptr);

// groups == in_channels and out_channels == in_channels * multiplier (output channel oc reads
// input channel oc / multiplier). A direct kernel: no workspace.
void depthwise_conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w,
                               const float* bias, float* y, const Activation& activation = {},
                               Executor* executor = nullptr);

// The column matrix of one (image, group): out_channels / groups * kernel_h * kernel_w * in_h *
// in_w floats, whatever the Executor.
std::size_t conv_transpose2d_workspace_size_f32(const Conv2dParams& p);
// y[batch, out_channels, transposed_out_h, transposed_out_w] = act(conv_transpose(x, w) + bias).
// output_pad_h (_w) must be less than stride_h (_w) or dilation_h (_w), as in ONNX.
void conv_transpose2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w,
                               const float* bias, float* y, float* workspace,
                               const Activation& activation = {}, Executor* executor = nullptr);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_CONV_HPP
