// Element-wise kernels: unary ops (activations and math) and binary ops with NumPy/ONNX
// broadcasting.
#ifndef INLAY_KERNELS_ELEMENTWISE_HPP
#define INLAY_KERNELS_ELEMENTWISE_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/shape.hpp"
#include "inlay/kernels/activation.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// y[i] = f(x[i]) for i < n. x == y (in place) is allowed.
void unary_f32(const float* x, float* y, std::size_t n, const Activation& f);

enum class BinaryOp : std::uint8_t {
  add,
  sub,
  mul,
  div,
  pow,  // a ^ b
  max,
  min,
  prelu,  // a >= 0 ? a : a * b (b: the slope, broadcast)
};

// The NumPy/ONNX broadcast of two shapes; inlay::Error (shape_mismatch) naming both when they
// do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// out = op(a, b) with broadcasting; out_shape must equal broadcast_shapes(a_shape, b_shape).
// out may alias a or b when that input has as many elements as out (it is then read in step
// with the writes and never broadcast).
void binary_f32(BinaryOp op, const float* a, const Shape& a_shape, const float* b,
                const Shape& b_shape, float* out, const Shape& out_shape);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_ELEMENTWISE_HPP
