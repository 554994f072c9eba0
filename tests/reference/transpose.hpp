// Plain scalar reference of transposition (transpose.hpp): y[j] = x[i] where y's multi-index at
// axis k equals x's multi-index at axis perm[k].
#pragma once

#include <cstddef>
#include <cstring>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_ref {

// Elements of any size, as bytes.
inline std::vector<unsigned char> transpose(const std::vector<unsigned char>& x, std::size_t e,
                                            const inlay::Shape& s,
                                            const std::vector<std::size_t>& perm) {
  const std::size_t rank = s.rank();
  std::vector<std::size_t> x_stride(rank), y_dims(rank);
  std::size_t n = 1;
  for (std::size_t i = rank; i-- > 0;) {
    x_stride[i] = n;
    n *= static_cast<std::size_t>(s[i]);
  }
  for (std::size_t k = 0; k < rank; ++k) y_dims[k] = static_cast<std::size_t>(s[perm[k]]);
  std::vector<unsigned char> y(n * e);
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t rest = j, src = 0;
    for (std::size_t k = rank; k-- > 0;) {
      const std::size_t idx = rest % y_dims[k];
      rest /= y_dims[k];
      src += idx * x_stride[perm[k]];
    }
    std::memcpy(&y[j * e], &x[src * e], e);
  }
  return y;
}

}  // namespace inlay_ref
