// Entry points of the reduce kernels (see reduce.hpp): each calls the body compiled for the CPU target
// in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_REDUCE_DISPATCH_HPP
#define INLAY_KERNELS_REDUCE_DISPATCH_HPP

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/reduce.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_REDUCE_DISPATCH_HPP
