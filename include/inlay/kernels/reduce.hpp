// Reductions over any set of axes, and arg-max/arg-min along one axis.
#ifndef INLAY_KERNELS_REDUCE_HPP
#define INLAY_KERNELS_REDUCE_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

enum class ReduceOp : std::uint8_t {
  sum,
  mean,
  max,
  min,
  prod,
  l1,           // sum |x|
  l2,           // sqrt(sum x^2)
  sum_square,   // sum x^2
  log_sum,      // log(sum x)
  log_sum_exp,  // log(sum exp x), computed stably
};

// Reduces x (shape x_shape) over the listed axes (each in [0, rank), no repeats; order does not
// matter). y has x's element layout with every reduced axis of size 1 (keepdims); dropping those
// axes from the shape is the caller's choice. No axes: each output reduces one element.
// An empty reduction gives the op's identity: sum/l1/l2/sum_square 0, prod 1, max -inf,
// min +inf, log_sum and log_sum_exp -inf, mean NaN.
void reduce_f32(ReduceOp op, const float* x, const Shape& x_shape, const std::int64_t* axes,
                std::size_t num_axes, float* y);

// Index of the largest (smallest) element along `axis`; y has x's layout with that axis of size 1.
// Ties give the first index, or the last one when select_last_index. NaN counts as larger than
// (for argmin: smaller than) every number, as in NumPy. The axis must not be empty.
void argmax_f32(const float* x, const Shape& x_shape, std::size_t axis, bool select_last_index,
                std::int64_t* y);
void argmin_f32(const float* x, const Shape& x_shape, std::size_t axis, bool select_last_index,
                std::int64_t* y);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_REDUCE_HPP
