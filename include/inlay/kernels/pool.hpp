// Pooling in NCHW layout: max and average windows (1D is 2D with height 1) and global pooling.
#ifndef INLAY_KERNELS_POOL_HPP
#define INLAY_KERNELS_POOL_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

struct Pool2dParams {
  std::size_t batch = 1, channels = 0, in_h = 0, in_w = 0;
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::size_t dilation_h = 1, dilation_w = 1;
  bool ceil_mode = false;          // round the output size up (ONNX ceil_mode)
  bool count_include_pad = false;  // average pooling divides by the full window, pads included

  // ONNX's output size; with ceil_mode a last window that would start in the padding is dropped.
  std::size_t out_h() const;
  std::size_t out_w() const;
};

// Throws inlay::Error (invalid_argument) naming the field when the parameters are inconsistent.
void validate_pool2d(const Pool2dParams& p);

// y[batch, channels, out_h, out_w]; indices (may be null) receive ONNX MaxPool's flat indices
// ((n * C + c) * H + h) * W + w of each maximum (the first one on ties). A NaN in a window gives
// NaN (index: its first NaN). Only elements inside the input count: padding never wins. A window
// with no element inside the input (possible with dilation) gives -inf and index -1.
void max_pool2d_nchw_f32(const Pool2dParams& p, const float* x, float* y, std::int64_t* indices);
// ONNX AveragePool: the sum of the window's elements inside the input divided by their count,
// or with count_include_pad by the count of window positions inside the padded input (positions
// a ceil_mode window runs past the padded input never count). An empty window gives NaN (0 / 0).
void avg_pool2d_nchw_f32(const Pool2dParams& p, const float* x, float* y);

// y[i] = mean (max) of x[i * spatial .. (i + 1) * spatial) for i < planes (planes = N * C). NaN
// propagates through the max; an empty plane gives NaN (mean) or -inf (max).
void global_avg_pool_f32(const float* x, float* y, std::size_t planes, std::size_t spatial);
void global_max_pool_f32(const float* x, float* y, std::size_t planes, std::size_t spatial);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_POOL_HPP
