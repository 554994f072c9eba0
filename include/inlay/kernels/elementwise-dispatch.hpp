// Entry points of the elementwise kernels (see elementwise.hpp): each checks its parameters, then
// calls the body compiled for the CPU target in use. Compiled once, in the implementation
// translation unit.
#ifndef INLAY_KERNELS_ELEMENTWISE_DISPATCH_HPP
#define INLAY_KERNELS_ELEMENTWISE_DISPATCH_HPP

#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/elementwise.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(unary_f32);
INLAY_EXPORT(binary_f32);

void unary_f32(const float* x, float* y, std::size_t n, const Activation& f) {
  if (static_cast<unsigned>(f.op) > static_cast<unsigned>(UnaryOp::pow)) {
    fail(ErrorKind::invalid_argument,
         "unary_f32: unknown UnaryOp " + std::to_string(static_cast<unsigned>(f.op)));
  }
  if (n != 0 && (x == nullptr || y == nullptr)) {
    fail(ErrorKind::invalid_argument, "unary_f32: null " + std::string(x ? "y" : "x") + " for " +
                                          std::to_string(n) + " elements");
  }
  if (n == 0) return;
  INLAY_DISPATCH(unary_f32)(x, y, n, f);
}

namespace detail {
// The broadcast of a and b in *out; false (with the first offending dimension in *why) when they
// do not broadcast. Does not throw, so that binary_f32 can name its own parameters.
inline bool broadcast_into(const Shape& a, const Shape& b, Shape* out, std::string* why) {
  const std::size_t rank = a.rank() > b.rank() ? a.rank() : b.rank();
  std::int64_t dims[Shape::max_rank] = {};
  for (std::size_t k = 0; k < rank; ++k) {  // aligned at the innermost dimension
    const std::int64_t da = k + a.rank() >= rank ? a[k + a.rank() - rank] : 1;
    const std::int64_t db = k + b.rank() >= rank ? b[k + b.rank() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      *why = "dimension " + std::to_string(k) + " of the result: " + std::to_string(da) + " vs " +
             std::to_string(db);
      return false;
    }
    dims[k] = da == 1 ? db : da;
  }
  *out = Shape(dims, rank);
  return true;
}
}  // namespace detail

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out;
  std::string why;
  if (!detail::broadcast_into(a, b, &out, &why)) {
    fail(ErrorKind::shape_mismatch, "broadcast_shapes: " + a.to_string() + " and " + b.to_string() +
                                        " do not broadcast (" + why + ")");
  }
  return out;
}

void binary_f32(BinaryOp op, const float* a, const Shape& a_shape, const float* b,
                const Shape& b_shape, float* out, const Shape& out_shape) {
  if (static_cast<unsigned>(op) > static_cast<unsigned>(BinaryOp::prelu)) {
    fail(ErrorKind::invalid_argument,
         "binary_f32: unknown BinaryOp " + std::to_string(static_cast<unsigned>(op)));
  }
  Shape expected;
  std::string why;
  if (!detail::broadcast_into(a_shape, b_shape, &expected, &why)) {
    fail(ErrorKind::shape_mismatch, "binary_f32: a " + a_shape.to_string() + " and b " +
                                        b_shape.to_string() + " do not broadcast (" + why + ")");
  }
  if (out_shape != expected) {
    fail(ErrorKind::shape_mismatch, "binary_f32: out " + out_shape.to_string() +
                                        " is not the broadcast " + expected.to_string() + " of a " +
                                        a_shape.to_string() + " and b " + b_shape.to_string());
  }
  if (out_shape.numel() == 0) return;
  if (a == nullptr || b == nullptr || out == nullptr) {
    fail(ErrorKind::invalid_argument, "binary_f32: null pointer for a non-empty tensor");
  }
  // In place is safe when the aliased input is not broadcast (then it has out's layout).
  const std::int64_t n = out_shape.numel();
  if ((out == a && a_shape.numel() != n) || (out == b && b_shape.numel() != n)) {
    fail(ErrorKind::invalid_argument,
         "binary_f32: out aliases an input of shape " +
             (out == a && a_shape.numel() != n ? a_shape : b_shape).to_string() +
             " that is broadcast to out's shape " + out_shape.to_string());
  }
  INLAY_DISPATCH(binary_f32)(op, a, a_shape, b, b_shape, out, out_shape);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_ELEMENTWISE_DISPATCH_HPP
