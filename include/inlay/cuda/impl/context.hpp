// cuda::Context: what one session runs with on its GPU: the device, a stream (its own, or the
// host's), a cuBLAS handle and, where cuDNN was found, a cuDNN handle, all bound to the stream,
// and a growing workspace for ops that need scratch memory. Implementation-only.
#ifndef INLAY_CUDA_IMPL_CONTEXT_HPP
#define INLAY_CUDA_IMPL_CONTEXT_HPP

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <memory>

#include "inlay/cuda/impl/check.hpp"
#include "inlay/cuda/impl/memory.hpp"

INLAY_NAMESPACE_BEGIN
namespace cuda {
namespace detail {

struct StreamDeleter {
  void operator()(CUstream_st* s) const noexcept { cudaStreamDestroy(s); }
};
struct CublasDeleter {
  void operator()(cublasContext* h) const noexcept { cublasDestroy(h); }
};
#ifdef INLAY_CUDA_HAVE_CUDNN
struct CudnnDeleter {
  void operator()(cudnnContext* h) const noexcept { cudnnDestroy(h); }
};
#endif

}  // namespace detail

class Context {
 public:
  // `host_stream`: a cudaStream_t of the host's, or null for a stream of the context's own.
  Context(int device, void* host_stream) : device_(device) {
    INLAY_CUDA_CHECK(cudaSetDevice(device));
    if (host_stream != nullptr) {
      stream_ = static_cast<cudaStream_t>(host_stream);
    } else {
      cudaStream_t s = nullptr;
      INLAY_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
      own_stream_.reset(s);
      stream_ = s;
    }
    cublasHandle_t blas = nullptr;
    INLAY_CUDA_CHECK(cublasCreate(&blas));
    blas_.reset(blas);
    INLAY_CUDA_CHECK(cublasSetStream(blas, stream_));
#ifdef INLAY_CUDA_HAVE_CUDNN
    cudnnHandle_t dnn = nullptr;
    INLAY_CUDA_CHECK(cudnnCreate(&dnn));
    dnn_.reset(dnn);
    INLAY_CUDA_CHECK(cudnnSetStream(dnn, stream_));
#endif
  }

  int device() const noexcept { return device_; }
  cudaStream_t stream() const noexcept { return stream_; }
  cublasHandle_t blas() const noexcept { return blas_.get(); }
#ifdef INLAY_CUDA_HAVE_CUDNN
  cudnnHandle_t dnn() const noexcept { return dnn_.get(); }
#endif
  // Scratch memory valid until the next call; growing it waits for the stream (cudaFree
  // synchronizes), which happens only while the sizes grow (first runs).
  void* workspace(std::size_t bytes) {
    workspace_.reserve(bytes);
    return workspace_.data();
  }
  void synchronize() const { INLAY_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  int device_;
  std::unique_ptr<CUstream_st, detail::StreamDeleter> own_stream_;
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<cublasContext, detail::CublasDeleter> blas_;
#ifdef INLAY_CUDA_HAVE_CUDNN
  std::unique_ptr<cudnnContext, detail::CudnnDeleter> dnn_;
#endif
  DeviceBuffer workspace_;
};

}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_IMPL_CONTEXT_HPP
