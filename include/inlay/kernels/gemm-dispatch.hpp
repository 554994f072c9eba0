// Entry points of the gemm kernels (see gemm.hpp): each checks its parameters, then calls the body
// compiled for the CPU target in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_GEMM_DISPATCH_HPP
#define INLAY_KERNELS_GEMM_DISPATCH_HPP

#include <string>

#include "inlay/core/error.hpp"
#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/impl/paths.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {
namespace gemm_detail {

// A rows x cols row-major matrix `name` with leading dimension ld: present and not overlapping
// itself (ld >= cols), unless it is empty.
inline void check_matrix(const char* function, const char* name, const char* ld_name,
                         const float* p, std::size_t ld, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  if (p == nullptr) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": " + name + " is null but has " +
                                          std::to_string(rows) + " x " + std::to_string(cols) +
                                          " elements");
  }
  if (ld < cols) {
    fail(ErrorKind::shape_mismatch, std::string(function) + ": " + ld_name + " (" +
                                        std::to_string(ld) + ") is smaller than the " +
                                        std::to_string(cols) + " columns of " + name);
  }
}

// A vector `name` of `count` elements: present unless empty.
inline void check_vector(const char* function, const char* name, const float* p,
                         std::size_t count) {
  if (p == nullptr && count > 0) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": " + name + " is null but has " +
                                          std::to_string(count) + " elements");
  }
}

inline void check_epilogue(const char* function, const GemmEpilogue& e, std::size_t m,
                           std::size_t n) {
  switch (e.bias_kind) {
    case BiasKind::none: return;
    case BiasKind::per_row:
    case BiasKind::per_column:
      if (e.bias == nullptr && m > 0 && n > 0) {
        fail(ErrorKind::invalid_argument,
             std::string(function) + ": epilogue.bias is null but epilogue.bias_kind is " +
                 (e.bias_kind == BiasKind::per_row ? "per_row" : "per_column"));
      }
      return;
  }
  fail(ErrorKind::invalid_argument, std::string(function) + ": epilogue.bias_kind " +
                                        std::to_string(static_cast<int>(e.bias_kind)) +
                                        " is not a BiasKind");
}

}  // namespace gemm_detail

INLAY_EXPORT(gemm_f32);
INLAY_EXPORT(gemm_batched_f32);
INLAY_EXPORT(gemm_pack_b_f32);
INLAY_EXPORT(gemm_packed_f32);
INLAY_EXPORT(matvec_f32);
INLAY_EXPORT(conv_gemm_f32);

namespace detail {
void conv_gemm_group_f32(const Conv2dParams& p, const float* x, const float* w, const float* bias,
                         float* y, const Activation& activation, Executor* executor) {
  GemmEpilogue epilogue;
  epilogue.bias = bias;
  epilogue.bias_kind = bias ? BiasKind::per_row : BiasKind::none;
  epilogue.activation = activation;
  INLAY_DISPATCH(conv_gemm_f32)(p, x, w, y, epilogue, executor);
}
}  // namespace detail

void gemm_f32(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
              const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
              float* c, std::size_t ldc, const GemmEpilogue& epilogue, Executor* executor) {
  constexpr const char* f = "gemm_f32";
  gemm_detail::check_matrix(f, "A", "lda", a, lda, trans_a ? k : m, trans_a ? m : k);
  gemm_detail::check_matrix(f, "B", "ldb", b, ldb, trans_b ? n : k, trans_b ? k : n);
  gemm_detail::check_matrix(f, "C", "ldc", c, ldc, m, n);
  gemm_detail::check_epilogue(f, epilogue, m, n);
  INLAY_DISPATCH(gemm_f32)
  (trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue, executor);
}

void gemm_batched_f32(std::size_t batch, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                      std::size_t k, float alpha, const float* a, std::size_t lda,
                      std::size_t stride_a, const float* b, std::size_t ldb, std::size_t stride_b,
                      float beta, float* c, std::size_t ldc, std::size_t stride_c,
                      const GemmEpilogue& epilogue, Executor* executor) {
  constexpr const char* f = "gemm_batched_f32";
  if (batch == 0) return;
  gemm_detail::check_matrix(f, "A", "lda", a, lda, trans_a ? k : m, trans_a ? m : k);
  gemm_detail::check_matrix(f, "B", "ldb", b, ldb, trans_b ? n : k, trans_b ? k : n);
  gemm_detail::check_matrix(f, "C", "ldc", c, ldc, m, n);
  gemm_detail::check_epilogue(f, epilogue, m, n);
  // The outputs of the batch must not overlap (threads write them at the same time).
  if (batch > 1 && m > 0 && n > 0 && stride_c < (m - 1) * ldc + n) {
    fail(ErrorKind::shape_mismatch, std::string(f) + ": stride_c (" + std::to_string(stride_c) +
                                        ") makes the matrices of C overlap; each needs " +
                                        std::to_string((m - 1) * ldc + n) + " elements");
  }
  INLAY_DISPATCH(gemm_batched_f32)
  (batch, trans_a, trans_b, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
   stride_c, epilogue, executor);
}

std::size_t gemm_packed_b_size_f32(std::size_t n, std::size_t k) {
  return (n + gemm_panel_width - 1) / gemm_panel_width * gemm_panel_width * k;
}

void gemm_pack_b_f32(bool trans_b, std::size_t n, std::size_t k, const float* b, std::size_t ldb,
                     float* packed) {
  constexpr const char* f = "gemm_pack_b_f32";
  gemm_detail::check_matrix(f, "B", "ldb", b, ldb, trans_b ? n : k, trans_b ? k : n);
  gemm_detail::check_vector(f, "packed", packed, gemm_packed_b_size_f32(n, k));
  INLAY_DISPATCH(gemm_pack_b_f32)(trans_b, n, k, b, ldb, packed);
}

void gemm_packed_f32(bool trans_a, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* a, std::size_t lda, const float* packed_b, float beta, float* c,
                     std::size_t ldc, const GemmEpilogue& epilogue, Executor* executor) {
  constexpr const char* f = "gemm_packed_f32";
  gemm_detail::check_matrix(f, "A", "lda", a, lda, trans_a ? k : m, trans_a ? m : k);
  gemm_detail::check_vector(f, "packed_b", packed_b, gemm_packed_b_size_f32(n, k));
  gemm_detail::check_matrix(f, "C", "ldc", c, ldc, m, n);
  gemm_detail::check_epilogue(f, epilogue, m, n);
  INLAY_DISPATCH(gemm_packed_f32)
  (trans_a, m, n, k, alpha, a, lda, packed_b, beta, c, ldc, epilogue, executor);
}

void matvec_f32(bool trans_a, std::size_t m, std::size_t n, float alpha, const float* a,
                std::size_t lda, const float* x, float beta, float* y, const float* bias,
                const Activation& activation) {
  constexpr const char* f = "matvec_f32";
  gemm_detail::check_matrix(f, "A", "lda", a, lda, trans_a ? n : m, trans_a ? m : n);
  gemm_detail::check_vector(f, "x", x, n);
  gemm_detail::check_vector(f, "y", y, m);
  INLAY_DISPATCH(matvec_f32)(trans_a, m, n, alpha, a, lda, x, beta, y, bias, activation);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_GEMM_DISPATCH_HPP
