// Every CUDA runtime, cuBLAS and cuDNN status becomes an inlay::Error naming the call and the
// library's own description of the failure. Implementation-only (CUDA unit).
#ifndef INLAY_CUDA_IMPL_CHECK_HPP
#define INLAY_CUDA_IMPL_CHECK_HPP

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <string>

#include "inlay/core/error.hpp"

#ifdef INLAY_CUDA_HAVE_CUDNN
#include <cudnn.h>
#endif

INLAY_NAMESPACE_BEGIN
namespace cuda {
namespace detail {

// ErrorKind has no kind for a failing device: a CUDA failure is reported as invalid_argument
// (most are: no such device, a launch the device refuses), with the call in the message.
[[noreturn]] inline void fail_call(const char* call, const std::string& why) {
  fail(ErrorKind::invalid_argument, std::string("CUDA: ") + call + " failed: " + why);
}

inline void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) {
    fail_call(call,
              std::string(cudaGetErrorString(status)) + " (" + cudaGetErrorName(status) + ")");
  }
}

inline void check(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    fail_call(call, std::string(cublasGetStatusString(status)) + " (cuBLAS status " +
                        std::to_string(static_cast<int>(status)) + ")");
  }
}

#ifdef INLAY_CUDA_HAVE_CUDNN
inline void check(cudnnStatus_t status, const char* call) {
  if (status != CUDNN_STATUS_SUCCESS) {
    fail_call(call, std::string(cudnnGetErrorString(status)) + " (cuDNN status " +
                        std::to_string(static_cast<int>(status)) + ")");
  }
}
#endif

}  // namespace detail
}  // namespace cuda
INLAY_NAMESPACE_END

// Checks the status of a CUDA, cuBLAS or cuDNN call; the call's text goes into the Error.
#define INLAY_CUDA_CHECK(call) ::inlay::cuda::detail::check((call), #call)

#endif  // INLAY_CUDA_IMPL_CHECK_HPP
