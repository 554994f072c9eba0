// Entry points of the conv kernels (see conv.hpp): each calls the body compiled for the CPU target
// in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_CONV_DISPATCH_HPP
#define INLAY_KERNELS_CONV_DISPATCH_HPP

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/conv.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_CONV_DISPATCH_HPP
