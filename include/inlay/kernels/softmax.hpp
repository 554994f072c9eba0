// Softmax and log-softmax along one axis. A tensor of any rank is seen as [outer, axis, inner]:
// outer = product of the dimensions before the axis, inner = product of those after it.
// Any of them may be 0 (nothing is written). Inputs that are infinite or NaN follow the formula:
// a row with NaN or +inf, or of only -inf, gives NaN.
#ifndef INLAY_KERNELS_SOFTMAX_HPP
#define INLAY_KERNELS_SOFTMAX_HPP

#include <cstddef>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// y = exp(x - max) / sum(exp(x - max)) along the axis. x == y allowed.
void softmax_f32(const float* x, float* y, std::size_t outer, std::size_t axis, std::size_t inner);
// y = x - max - log(sum(exp(x - max))) along the axis. x == y allowed.
void log_softmax_f32(const float* x, float* y, std::size_t outer, std::size_t axis,
                     std::size_t inner);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_SOFTMAX_HPP
