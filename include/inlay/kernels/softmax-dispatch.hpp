// Entry points of the softmax kernels (see softmax.hpp): each calls the body compiled for the CPU target
// in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_SOFTMAX_DISPATCH_HPP
#define INLAY_KERNELS_SOFTMAX_DISPATCH_HPP

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/softmax.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_SOFTMAX_DISPATCH_HPP
