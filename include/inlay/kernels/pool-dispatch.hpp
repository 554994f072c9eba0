// Entry points of the pool kernels (see pool.hpp): each calls the body compiled for the CPU target
// in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_POOL_DISPATCH_HPP
#define INLAY_KERNELS_POOL_DISPATCH_HPP

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/pool.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_POOL_DISPATCH_HPP
