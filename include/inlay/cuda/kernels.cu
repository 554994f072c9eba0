// The CUDA kernels of inlay's graph door (fp32). Compiled by nvcc into the CUDA implementation
// unit (inlay_add_implementation(<target> CUDA)); the launchers are declared in kernels.hpp.
// Every kernel walks its elements with a grid-stride loop, so one launch shape serves any size.
#include <cuda_runtime.h>

#include <cstdint>

#include "inlay/cuda/kernels.hpp"

namespace inlay_cuda {
namespace {

constexpr int kThreads = 256;
constexpr std::int64_t kMaxBlocks = 4096;

int blocks_for(std::int64_t n) {
  std::int64_t b = (n + kThreads - 1) / kThreads;
  if (b < 1) b = 1;
  return static_cast<int>(b < kMaxBlocks ? b : kMaxBlocks);
}

__device__ inline std::int64_t first_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline std::int64_t grid_stride() {
  return static_cast<std::int64_t>(gridDim.x) * blockDim.x;
}

__device__ inline float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
__device__ inline float clampf(float x, float lo, float hi) { return fminf(fmaxf(x, lo), hi); }

__device__ float apply(Unary op, float alpha, float beta, float x) {
  switch (op) {
    case Unary::identity: return x;
    case Unary::relu: return fmaxf(x, 0.0f);
    case Unary::leaky_relu: return x >= 0.0f ? x : alpha * x;
    case Unary::sigmoid: return sigmoid(x);
    case Unary::hard_sigmoid: return clampf(alpha * x + beta, 0.0f, 1.0f);
    case Unary::tanh: return tanhf(x);
    case Unary::gelu_erf: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case Unary::gelu_tanh:
      return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case Unary::silu: return x * sigmoid(x);
    case Unary::hard_swish: return x * clampf(x / 6.0f + 0.5f, 0.0f, 1.0f);
    case Unary::mish: return x * tanhf(log1pf(expf(x)));
    case Unary::softplus: return log1pf(expf(x));
    case Unary::elu: return x >= 0.0f ? x : alpha * (expf(x) - 1.0f);
    case Unary::selu: return beta * (x > 0.0f ? x : alpha * (expf(x) - 1.0f));
    case Unary::clip: return clampf(x, alpha, beta);
    case Unary::exp: return expf(x);
    case Unary::log: return logf(x);
    case Unary::sqrt: return sqrtf(x);
    case Unary::erf: return erff(x);
    case Unary::reciprocal: return 1.0f / x;
    case Unary::abs: return fabsf(x);
    case Unary::neg: return -x;
    case Unary::pow: return powf(x, alpha);
  }
  return x;
}

__device__ inline float apply(Binary op, float a, float b) {
  switch (op) {
    case Binary::add: return a + b;
    case Binary::sub: return a - b;
    case Binary::mul: return a * b;
    case Binary::div: return a / b;
    case Binary::pow: return powf(a, b);
    case Binary::max: return fmaxf(a, b);
    case Binary::min: return fminf(a, b);
  }
  return a;
}

__global__ void unary_kernel(Unary op, float alpha, float beta, const float* x, float* y,
                             std::int64_t n) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride())
    y[i] = apply(op, alpha, beta, x[i]);
}

__global__ void binary_kernel(Binary op, const float* a, const float* b, float* y, Broadcast s,
                              std::int64_t n) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    std::int64_t rest = i, ia = 0, ib = 0;
    for (int d = s.rank - 1; d >= 0; --d) {
      const std::int64_t k = rest % s.dims[d];
      rest /= s.dims[d];
      ia += k * s.a_strides[d];
      ib += k * s.b_strides[d];
    }
    y[i] = apply(op, a[ia], b[ib]);
  }
}

__global__ void transpose_kernel(const float* x, float* y, Broadcast s, std::int64_t n) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    std::int64_t rest = i, ix = 0;
    for (int d = s.rank - 1; d >= 0; --d) {
      ix += (rest % s.dims[d]) * s.a_strides[d];
      rest /= s.dims[d];
    }
    y[i] = x[ix];
  }
}

__global__ void channel_affine_kernel(const float* x, float* y, const float* scale,
                                      const float* shift, std::int64_t channels, std::int64_t inner,
                                      std::int64_t n, Unary op, float alpha, float beta) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    const std::int64_t c = (i / inner) % channels;
    float v = x[i];
    if (scale != nullptr) v *= scale[c];
    if (shift != nullptr) v += shift[c];
    y[i] = apply(op, alpha, beta, v);
  }
}

__global__ void pool2d_kernel(Pool2d p, const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    const std::int64_t ox = i % p.ow;
    const std::int64_t oy = (i / p.ow) % p.oh;
    const std::int64_t plane = i / (p.ow * p.oh);  // n * c + channel
    const float* src = x + plane * p.h * p.w;
    float acc = p.max ? -INFINITY : 0.0f;
    std::int64_t count = 0;
    for (std::int64_t ky = 0; ky < p.kh; ++ky) {
      const std::int64_t iy = oy * p.sh - p.ph + ky * p.dh;
      for (std::int64_t kx = 0; kx < p.kw; ++kx) {
        const std::int64_t ix = ox * p.sw - p.pw + kx * p.dw;
        const bool inside = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w;
        if (p.max) {
          if (inside) acc = fmaxf(acc, src[iy * p.w + ix]);
        } else if (inside) {
          acc += src[iy * p.w + ix];
          ++count;
        } else if (p.count_include_pad && iy < p.h + p.ph && ix < p.w + p.pw) {
          ++count;  // ONNX counts the pads, not the cells past them (ceil_mode)
        }
      }
    }
    y[i] = p.max ? acc : (count > 0 ? acc / static_cast<float>(count) : 0.0f);
  }
}

// One block per row: a strided sum, then a shared-memory tree.
__global__ void row_mean_kernel(const float* x, float* y, std::int64_t count) {
  __shared__ float partial[kThreads];
  const float* row = x + static_cast<std::int64_t>(blockIdx.x) * count;
  float sum = 0.0f;
  for (std::int64_t k = threadIdx.x; k < count; k += blockDim.x) sum += row[k];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) y[blockIdx.x] = partial[0] / static_cast<float>(count);
}

__global__ void softmax_kernel(const float* x, float* y, std::int64_t axis, std::int64_t inner,
                               std::int64_t lines, bool log) {
  for (std::int64_t line = first_index(); line < lines; line += grid_stride()) {
    const std::int64_t o = line / inner, in = line % inner;
    const float* src = x + o * axis * inner + in;
    float* dst = y + o * axis * inner + in;
    float top = -INFINITY;
    for (std::int64_t k = 0; k < axis; ++k) top = fmaxf(top, src[k * inner]);
    float sum = 0.0f;
    for (std::int64_t k = 0; k < axis; ++k) sum += expf(src[k * inner] - top);
    for (std::int64_t k = 0; k < axis; ++k) {
      const float shifted = src[k * inner] - top;
      dst[k * inner] = log ? shifted - logf(sum) : expf(shifted) / sum;
    }
  }
}

// One block per row: mean, then variance, each a shared-memory tree.
__global__ void layer_norm_kernel(const float* x, float* y, const float* scale, const float* shift,
                                  std::int64_t cols, float epsilon) {
  __shared__ float partial[kThreads];
  const std::int64_t r = blockIdx.x;
  const float* src = x + r * cols;
  float* dst = y + r * cols;
  const auto reduce = [&](float v) {
    partial[threadIdx.x] = v;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
      if (static_cast<int>(threadIdx.x) < half) partial[threadIdx.x] += partial[threadIdx.x + half];
      __syncthreads();
    }
    const float total = partial[0];
    __syncthreads();  // before the next reduction overwrites partial
    return total;
  };
  float sum = 0.0f;
  for (std::int64_t k = threadIdx.x; k < cols; k += blockDim.x) sum += src[k];
  const float mean = reduce(sum) / static_cast<float>(cols);
  float squares = 0.0f;
  for (std::int64_t k = threadIdx.x; k < cols; k += blockDim.x) {
    const float d = src[k] - mean;
    squares += d * d;
  }
  const float inv = rsqrtf(reduce(squares) / static_cast<float>(cols) + epsilon);
  for (std::int64_t k = threadIdx.x; k < cols; k += blockDim.x) {
    float v = (src[k] - mean) * inv;
    if (scale != nullptr) v *= scale[k];
    if (shift != nullptr) v += shift[k];
    dst[k] = v;
  }
}

__global__ void im2col_kernel(Im2col p, const float* x, float* cols, std::int64_t n) {
  const std::int64_t spatial = p.oh * p.ow;
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    const std::int64_t pos = i % spatial;
    const std::int64_t row = i / spatial;  // (c * kh + ky) * kw + kx
    const std::int64_t kx = row % p.kw;
    const std::int64_t ky = (row / p.kw) % p.kh;
    const std::int64_t c = row / (p.kw * p.kh);
    const std::int64_t iy = (pos / p.ow) * p.sh - p.ph + ky * p.dh;
    const std::int64_t ix = (pos % p.ow) * p.sw - p.pw + kx * p.dw;
    const bool inside = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w;
    cols[i] = inside ? x[(c * p.h + iy) * p.w + ix] : 0.0f;
  }
}

}  // namespace

cudaError_t launch_unary(Unary op, float alpha, float beta, const float* x, float* y,
                         std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  unary_kernel<<<blocks_for(n), kThreads, 0, stream>>>(op, alpha, beta, x, y, n);
  return cudaGetLastError();
}

cudaError_t launch_binary(Binary op, const float* a, const float* b, float* y,
                          const Broadcast& shape, cudaStream_t stream) {
  std::int64_t n = 1;
  for (int d = 0; d < shape.rank; ++d) n *= shape.dims[d];
  if (n <= 0) return cudaSuccess;
  binary_kernel<<<blocks_for(n), kThreads, 0, stream>>>(op, a, b, y, shape, n);
  return cudaGetLastError();
}

cudaError_t launch_transpose(const float* x, float* y, const Broadcast& shape,
                             cudaStream_t stream) {
  std::int64_t n = 1;
  for (int d = 0; d < shape.rank; ++d) n *= shape.dims[d];
  if (n <= 0) return cudaSuccess;
  transpose_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, shape, n);
  return cudaGetLastError();
}

cudaError_t launch_channel_affine(const float* x, float* y, const float* scale, const float* shift,
                                  std::int64_t outer, std::int64_t channels, std::int64_t inner,
                                  Unary op, float alpha, float beta, cudaStream_t stream) {
  const std::int64_t n = outer * channels * inner;
  if (n <= 0) return cudaSuccess;
  channel_affine_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, scale, shift, channels, inner,
                                                                n, op, alpha, beta);
  return cudaGetLastError();
}

cudaError_t launch_pool2d(const Pool2d& p, const float* x, float* y, cudaStream_t stream) {
  const std::int64_t n = p.n * p.c * p.oh * p.ow;
  if (n <= 0) return cudaSuccess;
  pool2d_kernel<<<blocks_for(n), kThreads, 0, stream>>>(p, x, y, n);
  return cudaGetLastError();
}

cudaError_t launch_row_mean(const float* x, float* y, std::int64_t rows, std::int64_t count,
                            cudaStream_t stream) {
  if (rows <= 0 || count <= 0) return cudaSuccess;
  if (rows > 0x7fffffff) return cudaErrorInvalidValue;
  row_mean_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, y, count);
  return cudaGetLastError();
}

cudaError_t launch_softmax(const float* x, float* y, std::int64_t outer, std::int64_t axis,
                           std::int64_t inner, bool log, cudaStream_t stream) {
  const std::int64_t lines = outer * inner;
  if (lines <= 0 || axis <= 0) return cudaSuccess;
  softmax_kernel<<<blocks_for(lines), kThreads, 0, stream>>>(x, y, axis, inner, lines, log);
  return cudaGetLastError();
}

cudaError_t launch_layer_norm(const float* x, float* y, const float* scale, const float* shift,
                              std::int64_t rows, std::int64_t cols, float epsilon,
                              cudaStream_t stream) {
  if (rows <= 0 || cols <= 0) return cudaSuccess;
  if (rows > 0x7fffffff) return cudaErrorInvalidValue;
  layer_norm_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, y, scale, shift, cols,
                                                                          epsilon);
  return cudaGetLastError();
}

cudaError_t launch_im2col(const Im2col& p, const float* x, float* cols, cudaStream_t stream) {
  const std::int64_t n = p.c * p.kh * p.kw * p.oh * p.ow;
  if (n <= 0) return cudaSuccess;
  im2col_kernel<<<blocks_for(n), kThreads, 0, stream>>>(p, x, cols, n);
  return cudaGetLastError();
}

}  // namespace inlay_cuda
