// Plain scalar references of the gemm kernels (see inlay/kernels/gemm.hpp), computed in double.
// Written for clarity, not speed.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include <inlay/inlay.hpp>

#include "reference/elementwise.hpp"  // activation()

namespace inlay_ref {

using inlay::kernels::Activation;
using inlay::kernels::BiasKind;
using inlay::kernels::GemmEpilogue;
using inlay::kernels::UnaryOp;

// op(X)(r, col) of a row-major matrix with leading dimension ld.
inline double element(const float* x, std::size_t ld, bool trans, std::size_t r, std::size_t col) {
  return trans ? x[col * ld + r] : x[r * ld + col];
}

// C = act(alpha * op(A) op(B) + beta * C + bias). When `magnitude` is given, it receives for each
// element of C the size of what was summed before the activation,
// |alpha| sum_p |a_ip b_pj| + |beta c_ij| + |bias|, which bounds the rounding error of any order
// of summation (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., eq. 3.5).
inline void gemm_f32(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                     float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                     float beta, float* c, std::size_t ldc, const GemmEpilogue& epilogue = {},
                     std::vector<double>* magnitude = nullptr) {
  if (magnitude) magnitude->assign(m * n, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0, size = 0;
      for (std::size_t p = 0; p < k; ++p) {
        const double t = element(a, lda, trans_a, i, p) * element(b, ldb, trans_b, p, j);
        sum += t;
        size += std::fabs(t);
      }
      double v = alpha * sum;
      size *= std::fabs(alpha);
      if (beta != 0) {  // beta == 0: C is not read
        v += beta * static_cast<double>(c[i * ldc + j]);
        size += std::fabs(beta * static_cast<double>(c[i * ldc + j]));
      }
      if (epilogue.bias_kind != BiasKind::none) {
        const double bias = epilogue.bias[epilogue.bias_kind == BiasKind::per_row ? i : j];
        v += bias;
        size += std::fabs(bias);
      }
      c[i * ldc + j] = static_cast<float>(activation(epilogue.activation, v));
      if (magnitude) (*magnitude)[i * n + j] = size;
    }
  }
}

// y = act(alpha * op(A) x + beta * y + bias), op(A) m x n; magnitude as for gemm_f32.
inline void matvec_f32(bool trans_a, std::size_t m, std::size_t n, float alpha, const float* a,
                       std::size_t lda, const float* x, float beta, float* y,
                       const float* bias = nullptr, const Activation& activation = {},
                       std::vector<double>* magnitude = nullptr) {
  GemmEpilogue epilogue;
  epilogue.bias = bias;
  epilogue.bias_kind = bias ? BiasKind::per_row : BiasKind::none;
  epilogue.activation = activation;
  // y is an m x 1 matrix and x an n x 1 one.
  gemm_f32(trans_a, false, m, 1, n, alpha, a, lda, x, 1, beta, y, 1, epilogue, magnitude);
}

// The packed form of op(B) (k x n), by the layout documented in gemm.hpp.
inline std::vector<float> pack_b_f32(bool trans_b, std::size_t n, std::size_t k, const float* b,
                                     std::size_t ldb) {
  const std::size_t w = inlay::kernels::gemm_panel_width;
  const std::size_t panels = (n + w - 1) / w;
  std::vector<float> packed(panels * w * k, 0.0f);
  for (std::size_t q = 0; q < panels; ++q) {
    for (std::size_t p = 0; p < k; ++p) {
      for (std::size_t x = 0; x < w && q * w + x < n; ++x) {
        packed[q * w * k + p * w + x] = static_cast<float>(element(b, ldb, trans_b, p, q * w + x));
      }
    }
  }
  return packed;
}

}  // namespace inlay_ref
