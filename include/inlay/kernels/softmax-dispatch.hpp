// Entry points of the softmax kernels (see softmax.hpp): each calls the body compiled for the CPU
// target in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_SOFTMAX_DISPATCH_HPP
#define INLAY_KERNELS_SOFTMAX_DISPATCH_HPP

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/softmax.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(softmax_f32);
INLAY_EXPORT(log_softmax_f32);

// Every (outer, axis, inner) is valid; an empty tensor writes nothing.
void softmax_f32(const float* x, float* y, std::size_t outer, std::size_t axis, std::size_t inner) {
  if (outer == 0 || axis == 0 || inner == 0) return;
  INLAY_DISPATCH(softmax_f32)(x, y, outer, axis, inner);
}

void log_softmax_f32(const float* x, float* y, std::size_t outer, std::size_t axis,
                     std::size_t inner) {
  if (outer == 0 || axis == 0 || inner == 0) return;
  INLAY_DISPATCH(log_softmax_f32)(x, y, outer, axis, inner);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_SOFTMAX_DISPATCH_HPP
