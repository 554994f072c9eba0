// 8-bit depthwise convolution (one filter per channel: MobileNet's depthwise layers in int8), NCHW,
// requantized to uint8 / int8 in registers. The int8 GEMM would see one row per channel (a 1-row
// GEMM per group); this kernel runs each plane directly instead:
//   y[b][c][oy][ox] = saturate(round_half_to_even(float(acc + bias[c]) * scale[c]) + y_zero),
//   acc = sum over the taps inside x of (x - x_zero) (w[c][i][j] - w_zero[c]),
// exact in int32 (wrapping as int32 does), the same arithmetic as the int8 GEMM's u8/s8 epilogue
// (kernels/qgemm.hpp), so a depthwise layer gives the same bits whichever kernel runs it.
// Part of the qgemm family (bodies in qdepthwise-inl.hpp, entry points in qdepthwise-dispatch.hpp).
#ifndef INLAY_KERNELS_QDEPTHWISE_HPP
#define INLAY_KERNELS_QDEPTHWISE_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/qgemm.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// The operands: x [batch, channels, in_h, in_w] and w [channels, 1, kernel_h, kernel_w], each
// uint8 or int8 (x_signed / w_signed), with their zero points in their own range; w_zero holds
// one value or one per channel (w_zero_per_channel). The output, bias and scale come in the int8
// GEMM's epilogue form with per_row meaning per channel: output u8 or s8, c the output (ldc
// unused), bias null or per tensor / per channel, scale per tensor / per channel, zero_point.
struct QDepthwiseOperands {
  const void* x = nullptr;
  bool x_signed = false;
  std::int32_t x_zero = 0;
  const void* w = nullptr;
  bool w_signed = true;
  const std::int32_t* w_zero = nullptr;  // null means 0
  bool w_zero_per_channel = false;
};

namespace qdepthwise_detail {
// Where one thread's scratch holds what (computed by the entry point, used by every target's
// body): the padded plane as rows of int16 pairs split by column phase (stride_w of them, so that
// each tap pair reads consecutive pairs whatever the stride), row_len pairs per phase row with
// room for whole vectors past the last output column; then the padded rows as int16, the pairs'
// source; then per tap pair its offset in the plane and its two weights minus the zero point.
struct Layout {
  std::size_t rows = 0;      // padded input rows that some output reads
  std::size_t phases = 1;    // stride_w
  std::size_t row_len = 0;   // pairs per phase row
  std::size_t used = 0;      // pairs of a phase row that can hold input; the rest stay 0
  std::size_t flat_len = 0;  // int16 values of a padded row
  std::size_t pairs = 0;     // tap pairs: kernel_h * ceil(kernel_w / 2)
  std::size_t worker_bytes = 0;
  std::size_t workers = 1;  // threads, each with worker_bytes of the workspace
};
Layout qdepthwise_layout(const Conv2dParams& p, Executor* executor);
}  // namespace qdepthwise_detail

// Scratch of qdepthwise_conv2d for these parameters and this executor (bytes, 64-byte aligned
// when the workspace is): a zero-padded copy of one plane as int16 tap pairs per thread.
std::size_t qdepthwise_workspace_size(const Conv2dParams& p, Executor* executor = nullptr);

// Runs the layer. p: in_channels == out_channels == groups (throws inlay::Error otherwise, or for
// a bad epilogue, null pointers, zero points out of range). The executor splits the planes;
// results do not depend on the number of threads. Allocates nothing.
void qdepthwise_conv2d(const Conv2dParams& p, const QDepthwiseOperands& operands,
                       const QgemmEpilogue& epilogue, void* workspace,
                       Executor* executor = nullptr);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_QDEPTHWISE_HPP
