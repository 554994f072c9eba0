// The CUDA kernels' launchers (defined in kernels.cu, compiled by nvcc): plain pointers to float
// device memory, every launch on the given stream, each returning the launch's status. The
// graph door's CUDA ops (cuda/impl/ops.hpp) call them. Implementation-only.
#ifndef INLAY_CUDA_KERNELS_HPP
#define INLAY_CUDA_KERNELS_HPP

#include <cuda_runtime_api.h>

#include <cstdint>

namespace inlay_cuda {

// The same functions, in the same order, as inlay::kernels::UnaryOp (the fused activation
// attribute "inlay.activation" holds that number).
enum class Unary : int {
  identity,
  relu,
  leaky_relu,
  sigmoid,
  hard_sigmoid,
  tanh,
  gelu_erf,
  gelu_tanh,
  silu,
  hard_swish,
  mish,
  softplus,
  elu,
  selu,
  clip,
  exp,
  log,
  sqrt,
  erf,
  reciprocal,
  abs,
  neg,
  pow,
};

enum class Binary : int { add, sub, mul, div, pow, max, min };

constexpr int kMaxRank = 8;

// Element strides of both operands over the output's dimensions (0 along a broadcast axis).
struct Broadcast {
  int rank = 0;
  std::int64_t dims[kMaxRank] = {};
  std::int64_t a_strides[kMaxRank] = {};
  std::int64_t b_strides[kMaxRank] = {};
};

struct Pool2d {
  std::int64_t n = 0, c = 0, h = 0, w = 0, oh = 0, ow = 0;
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  bool max = true;                 // false: average
  bool count_include_pad = false;  // average only
};

struct Im2col {
  std::int64_t c = 0, h = 0, w = 0, oh = 0, ow = 0;  // c: channels of one group
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// y = f(x) for n elements.
cudaError_t launch_unary(Unary op, float alpha, float beta, const float* x, float* y,
                         std::int64_t n, cudaStream_t stream);
// y = op(a, b) over shape.dims, with broadcasting.
cudaError_t launch_binary(Binary op, const float* a, const float* b, float* y,
                          const Broadcast& shape, cudaStream_t stream);
// y[o, c, i] = f(x[o, c, i] * scale[c] + shift[c]) over [outer, channels, inner]; scale and shift
// may be null (1 and 0). Bias epilogues, BatchNormalization.
cudaError_t launch_channel_affine(const float* x, float* y, const float* scale, const float* shift,
                                  std::int64_t outer, std::int64_t channels, std::int64_t inner,
                                  Unary op, float alpha, float beta, cudaStream_t stream);
cudaError_t launch_pool2d(const Pool2d& p, const float* x, float* y, cudaStream_t stream);
// y[r] = mean of x[r, 0..count).
cudaError_t launch_row_mean(const float* x, float* y, std::int64_t rows, std::int64_t count,
                            cudaStream_t stream);
// Softmax (or log-softmax) along the middle axis of [outer, axis, inner].
cudaError_t launch_softmax(const float* x, float* y, std::int64_t outer, std::int64_t axis,
                           std::int64_t inner, bool log, cudaStream_t stream);
// Layer normalization over the last `cols` of [rows, cols]; scale and shift (length cols) may be
// null.
cudaError_t launch_layer_norm(const float* x, float* y, const float* scale, const float* shift,
                              std::int64_t rows, std::int64_t cols, float epsilon,
                              cudaStream_t stream);
// cols[(c * kh + i) * kw + j, oy * ow + ox] of one image (one group's channels), zero padded.
cudaError_t launch_im2col(const Im2col& p, const float* x, float* cols, cudaStream_t stream);
// y = x with its axes permuted: shape.dims are y's, shape.a_strides x's element strides in y's
// axis order (b_strides unused).
cudaError_t launch_transpose(const float* x, float* y, const Broadcast& shape, cudaStream_t stream);

}  // namespace inlay_cuda

#endif  // INLAY_CUDA_KERNELS_HPP
