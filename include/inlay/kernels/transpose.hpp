// Transposition (axis permutation) of a dense tensor.
#ifndef INLAY_KERNELS_TRANSPOSE_HPP
#define INLAY_KERNELS_TRANSPOSE_HPP

#include <cstddef>

#include "inlay/core/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// y = x with axes permuted: y's axis i is x's axis perm[i] (NumPy's transpose). perm has
// x_shape.rank() entries (its length cannot be checked: it is read for that many), a permutation
// of 0..rank-1; inlay::Error (invalid_argument) otherwise. x and y must not overlap.
void transpose_f32(const float* x, const Shape& x_shape, const std::size_t* perm, float* y);

// The same for elements of any size (1, 2, 4 or 8 bytes), for the graph door's other dtypes.
void transpose_bytes(const void* x, std::size_t element_size, const Shape& x_shape,
                     const std::size_t* perm, void* y);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_TRANSPOSE_HPP
