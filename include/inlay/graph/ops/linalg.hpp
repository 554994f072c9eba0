// Linear-algebra ops on stacks of small matrices: Det.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_LINALG_HPP
#define INLAY_GRAPH_OPS_LINALG_HPP

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// The determinant of the m x m row-major matrix `a` (overwritten): LU decomposition with partial
// pivoting (Golub and Van Loan, Matrix Computations, alg. 3.4.1), the product of U's diagonal
// with the sign of the row permutation. Computed in double so that float inputs lose nothing.
inline double lu_determinant(double* a, std::int64_t m) {
  double det = 1;
  for (std::int64_t k = 0; k < m; ++k) {
    std::int64_t pivot = k;
    for (std::int64_t i = k + 1; i < m; ++i) {
      if (std::fabs(a[i * m + k]) > std::fabs(a[pivot * m + k])) pivot = i;
    }
    if (a[pivot * m + k] == 0) return 0;  // singular (a NaN column goes on and gives NaN)
    if (pivot != k) {
      for (std::int64_t j = 0; j < m; ++j) std::swap(a[k * m + j], a[pivot * m + j]);
      det = -det;
    }
    const double d = a[k * m + k];
    det *= d;
    for (std::int64_t i = k + 1; i < m; ++i) {
      const double f = a[i * m + k] / d;
      for (std::int64_t j = k + 1; j < m; ++j) a[i * m + j] -= f * a[k * m + j];
    }
  }
  return det;
}

// Det (opset 11): [..., M, M] -> [...], float or double.
class DetKernel final : public OpKernel {
 public:
  explicit DetKernel(const OpInfo& info) { require_dtype(info, 0, "X", FloatTypes{}); }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    if (rank < 2 || x.shape()[rank - 1] != x.shape()[rank - 2]) {
      info.fail(ErrorKind::shape_mismatch,
                "the input must be square matrices [..., M, M], not " + x.shape().to_string());
    }
    const std::int64_t m = x.shape()[rank - 1];
    const std::int64_t mats = span_of(x.shape(), 0, rank - 2);
    std::vector<double> a(static_cast<std::size_t>(m * m));
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          Tensor& y = ctx.output(0, x.dtype(), Shape(x.shape().begin(), rank - 2));
          const T* src = x.data<T>();
          T* dst = y.data<T>();
          for (std::int64_t i = 0; i < mats; ++i) {
            for (std::int64_t e = 0; e < m * m; ++e)
              a[static_cast<std::size_t>(e)] = static_cast<double>(src[i * m * m + e]);
            dst[i] = static_cast<T>(lu_determinant(a.data(), m));
          }
        },
        FloatTypes{});
  }
};

inline void register_linalg_ops(OpSet& ops) { ops.add("", "Det", 11, factory<DetKernel>()); }

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_LINALG_HPP
