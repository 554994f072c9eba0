// cuda::DeviceBuffer: bytes of device memory, freed with the buffer. Implementation-only.
#ifndef INLAY_CUDA_IMPL_MEMORY_HPP
#define INLAY_CUDA_IMPL_MEMORY_HPP

#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>
#include <utility>

#include "inlay/cuda/impl/check.hpp"

INLAY_NAMESPACE_BEGIN
namespace cuda {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes) {
    if (bytes == 0) return;
    const cudaError_t status = cudaMalloc(&data_, bytes);
    if (status != cudaSuccess) {
      data_ = nullptr;
      detail::fail_call("cudaMalloc", std::to_string(bytes) +
                                          " bytes: " + cudaGetErrorString(status) + " (" +
                                          cudaGetErrorName(status) + ")");
    }
    size_ = bytes;
  }
  // A failing cudaFree at teardown has no one to tell: the runtime reports it again later.
  ~DeviceBuffer() {
    if (data_ != nullptr) cudaFree(data_);
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      if (data_ != nullptr) cudaFree(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const noexcept { return data_; }
  float* floats() const noexcept { return static_cast<float*>(data_); }
  std::size_t size() const noexcept { return size_; }
  // At least `bytes`, keeping nothing of the old contents (grows only).
  void reserve(std::size_t bytes) {
    if (bytes > size_) *this = DeviceBuffer(bytes);
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_IMPL_MEMORY_HPP
