// The definitions of cuda/device.hpp. Implementation-only (CUDA unit).
#ifndef INLAY_CUDA_IMPL_DEVICE_HPP
#define INLAY_CUDA_IMPL_DEVICE_HPP

#include <cuda_runtime_api.h>

#include <string>

#include "inlay/cuda/device.hpp"
#include "inlay/cuda/impl/check.hpp"

INLAY_NAMESPACE_BEGIN
namespace cuda {

int device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clears the sticky-free error so later calls start clean
    return 0;
  }
  return count;
}

std::string no_device_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status) + " (" +
           cudaGetErrorName(status) + ")";
  }
  return count == 0 ? "the CUDA runtime sees no GPU" : "";
}

std::string device_description(int device) {
  cudaDeviceProp prop{};
  INLAY_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return std::string(prop.name) + ", compute capability " + std::to_string(prop.major) + "." +
         std::to_string(prop.minor) + ", " + std::to_string(prop.totalGlobalMem >> 30) + " GiB";
}

bool has_cudnn() noexcept {
#ifdef INLAY_CUDA_HAVE_CUDNN
  return true;
#else
  return false;
#endif
}

}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_IMPL_DEVICE_HPP
