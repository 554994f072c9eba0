// Entry points of the reduce kernels (see reduce.hpp): each checks its parameters, then calls the
// body compiled for the CPU target in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_REDUCE_DISPATCH_HPP
#define INLAY_KERNELS_REDUCE_DISPATCH_HPP

#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/reduce.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(reduce_f32);
INLAY_EXPORT(argmax_f32);
INLAY_EXPORT(argmin_f32);

void reduce_f32(ReduceOp op, const float* x, const Shape& x_shape, const std::int64_t* axes,
                std::size_t num_axes, float* y) {
  const std::size_t rank = x_shape.rank();
  if (static_cast<unsigned>(op) > static_cast<unsigned>(ReduceOp::log_sum_exp)) {
    fail(ErrorKind::invalid_argument,
         "reduce_f32: unknown ReduceOp " + std::to_string(static_cast<unsigned>(op)));
  }
  bool seen[Shape::max_rank] = {};
  for (std::size_t i = 0; i < num_axes; ++i) {
    const std::int64_t a = axes[i];
    if (a < 0 || static_cast<std::size_t>(a) >= rank) {
      fail(ErrorKind::invalid_argument, "reduce_f32: axis " + std::to_string(a) +
                                            " is out of range for a tensor of rank " +
                                            std::to_string(rank));
    }
    if (seen[a]) {
      fail(ErrorKind::invalid_argument,
           "reduce_f32: axis " + std::to_string(a) + " is listed twice");
    }
    seen[a] = true;
  }
  INLAY_DISPATCH(reduce_f32)(op, x, x_shape, axes, num_axes, y);
}

namespace detail_reduce {
// The checks shared by argmax_f32 and argmin_f32.
inline void check_arg_axis(const char* function, const Shape& x_shape, std::size_t axis) {
  if (axis >= x_shape.rank()) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": axis " + std::to_string(axis) +
                                          " is out of range for a tensor of rank " +
                                          std::to_string(x_shape.rank()));
  }
  if (x_shape[axis] == 0 && x_shape.numel() == 0) {
    std::int64_t out = 1;
    for (std::size_t i = 0; i < x_shape.rank(); ++i) out *= i == axis ? 1 : x_shape[i];
    if (out != 0) {
      fail(ErrorKind::shape_mismatch, std::string(function) + ": axis " + std::to_string(axis) +
                                          " of shape " + x_shape.to_string() +
                                          " is empty (no index to return)");
    }
  }
}
}  // namespace detail_reduce

void argmax_f32(const float* x, const Shape& x_shape, std::size_t axis, bool select_last_index,
                std::int64_t* y) {
  detail_reduce::check_arg_axis("argmax_f32", x_shape, axis);
  if (x_shape.numel() == 0) return;
  INLAY_DISPATCH(argmax_f32)(x, x_shape, axis, select_last_index, y);
}

void argmin_f32(const float* x, const Shape& x_shape, std::size_t axis, bool select_last_index,
                std::int64_t* y) {
  detail_reduce::check_arg_axis("argmin_f32", x_shape, axis);
  if (x_shape.numel() == 0) return;
  INLAY_DISPATCH(argmin_f32)(x, x_shape, axis, select_last_index, y);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_REDUCE_DISPATCH_HPP
