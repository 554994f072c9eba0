// inlay::cuda: the GPUs a program built with the CUDA implementation unit can use
// (inlay_add_implementation(<target> CUDA); docs/cuda.md). Sessions choose one with
// SessionOptions::device = "cuda:N". This header declares plain C++ only: no CUDA header.
#ifndef INLAY_CUDA_DEVICE_HPP
#define INLAY_CUDA_DEVICE_HPP

#include <string>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace cuda {

// The GPUs the CUDA runtime sees: 0 where there is no GPU or no driver (never an error).
int device_count() noexcept;
// Why device_count() is 0 ("no CUDA driver ...", "no GPU ..."), or "" when it is not.
std::string no_device_reason();
// "NVIDIA H100 80GB HBM3, compute capability 9.0, 79 GiB" for GPU `device`; an Error when the
// runtime has no such GPU.
std::string device_description(int device);
// Whether the CUDA unit was built with cuDNN (convolutions use it; without, im2col + cuBLAS).
bool has_cudnn() noexcept;

}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_DEVICE_HPP
