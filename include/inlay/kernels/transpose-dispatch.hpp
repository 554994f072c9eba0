// Entry points of the transpose kernels (see transpose.hpp): each checks its parameters, then
// calls the body compiled for the CPU target in use. Compiled once, in the implementation
// translation unit.
#ifndef INLAY_KERNELS_TRANSPOSE_DISPATCH_HPP
#define INLAY_KERNELS_TRANSPOSE_DISPATCH_HPP

#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/transpose.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(transpose_f32);
INLAY_EXPORT(transpose_bytes);

namespace detail_transpose {
// perm must hold each of 0..rank-1 exactly once.
inline void check_perm(const char* function, const Shape& x_shape, const std::size_t* perm) {
  const std::size_t rank = x_shape.rank();
  if (rank > 0 && !perm) {
    fail(ErrorKind::invalid_argument, std::string(function) +
                                          ": perm is null for a tensor of "
                                          "rank " +
                                          std::to_string(rank));
  }
  bool seen[Shape::max_rank] = {};
  for (std::size_t i = 0; i < rank; ++i) {
    if (perm[i] >= rank) {
      fail(ErrorKind::invalid_argument, std::string(function) + ": perm[" + std::to_string(i) +
                                            "] = " + std::to_string(perm[i]) +
                                            " is out of range for shape " + x_shape.to_string());
    }
    if (seen[perm[i]]) {
      fail(ErrorKind::invalid_argument, std::string(function) + ": perm repeats axis " +
                                            std::to_string(perm[i]) + " (at perm[" +
                                            std::to_string(i) + "])");
    }
    seen[perm[i]] = true;
  }
}
}  // namespace detail_transpose

void transpose_f32(const float* x, const Shape& x_shape, const std::size_t* perm, float* y) {
  detail_transpose::check_perm("transpose_f32", x_shape, perm);
  if (x_shape.numel() == 0) return;
  INLAY_DISPATCH(transpose_f32)(x, x_shape, perm, y);
}

void transpose_bytes(const void* x, std::size_t element_size, const Shape& x_shape,
                     const std::size_t* perm, void* y) {
  if (element_size != 1 && element_size != 2 && element_size != 4 && element_size != 8) {
    fail(ErrorKind::invalid_argument,
         "transpose_bytes: element_size must be 1, 2, 4 or 8, got " + std::to_string(element_size));
  }
  detail_transpose::check_perm("transpose_bytes", x_shape, perm);
  if (x_shape.numel() == 0) return;
  INLAY_DISPATCH(transpose_bytes)(x, element_size, x_shape, perm, y);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_TRANSPOSE_DISPATCH_HPP
