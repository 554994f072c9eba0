// The CUDA implementation unit's host part: included once, by the file
// inlay_add_implementation(<target> CUDA) generates (which defines INLAY_CUDA_IMPLEMENTATION);
// the kernels are kernels.cu beside it. It registers the GPU runner that sessions with
// SessionOptions::device = "cuda:N" use (graph/impl/device_runner.hpp).
#ifndef INLAY_CUDA_CUDA_IMPLEMENTATION_HPP
#define INLAY_CUDA_CUDA_IMPLEMENTATION_HPP

#ifndef INLAY_CUDA_IMPLEMENTATION
#error \
    "inlay/cuda/cuda_implementation.hpp is the CUDA implementation unit: define INLAY_CUDA_IMPLEMENTATION (inlay_add_implementation(<target> CUDA) does)"
#endif

#include "inlay/cuda/impl/device.hpp"
#include "inlay/cuda/impl/runner.hpp"

// Referenced by the build (the linker option inlay_add_implementation adds) so that a static
// library holding this unit keeps it, and its registration, in every program.
extern "C" {
extern const int inlay_cuda_implementation_anchor;
const int inlay_cuda_implementation_anchor = 1;
}

INLAY_NAMESPACE_BEGIN
namespace cuda {
namespace detail {

extern const bool graph_runner_registered;
const bool graph_runner_registered = (graph::device_runner_factory() = &make_graph_runner, true);

}  // namespace detail
}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_CUDA_IMPLEMENTATION_HPP
