// Matrix multiplication: GEMM with transposes, alpha/beta and a fused bias + activation epilogue;
// batched GEMM; GEMM against weights packed once ahead of time; matrix-vector.
// All matrices are row-major with a leading dimension (elements between rows).
#ifndef INLAY_KERNELS_GEMM_HPP
#define INLAY_KERNELS_GEMM_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

enum class BiasKind : std::uint8_t {
  none,
  per_row,     // bias[i] added to row i   (length m), e.g. a convolution's per-channel bias
  per_column,  // bias[j] added to column j (length n), e.g. a dense layer's bias
};

// Applied after alpha*op(A)*op(B) + beta*C: first the bias, then the activation.
struct GemmEpilogue {
  const float* bias = nullptr;
  BiasKind bias_kind = BiasKind::none;
  Activation activation;
};

// C[m x n] = act(alpha * op(A) * op(B) + beta * C + bias), op(X) = X or X^T.
// op(A) is m x k, op(B) is k x n. With beta == 0, C is not read (it may hold NaN); with k == 0,
// C = act(beta * C + bias). A matrix with no elements may be null. The executor splits C into
// blocks of rows and columns (never K), so the result is the same bit for bit with any number of
// threads. Uses about 50 KiB of stack per thread and no heap.
void gemm_f32(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
              const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
              float* c, std::size_t ldc, const GemmEpilogue& epilogue = {},
              Executor* executor = nullptr);

// `batch` independent GEMMs; matrix i of A starts at a + i * stride_a (likewise B, C). A stride
// of 0 shares one matrix across the batch (broadcast); the matrices of C must not overlap.
void gemm_batched_f32(std::size_t batch, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                      std::size_t k, float alpha, const float* a, std::size_t lda,
                      std::size_t stride_a, const float* b, std::size_t ldb, std::size_t stride_b,
                      float beta, float* c, std::size_t ldc, std::size_t stride_c,
                      const GemmEpilogue& epilogue = {}, Executor* executor = nullptr);

// Weights packed once (at model load) into the layout the GEMM micro-kernel streams. The layout
// does not depend on the CPU target, so packed weights stay valid after set_cpu_target():
// op(B) (k x n) is cut into ceil(n / 16) panels of gemm_panel_width = 16 columns (one 512-bit,
// two 256-bit or four 128-bit vectors). Panel q holds columns 16q .. 16q + 15 row after row:
// op(B)(p, 16q + x) is packed[q * 16 * k + p * 16 + x]; columns past n are zero.
// gemm_packed_b_size_f32 gives the number of floats of the packed form, 16 * k * ceil(n / 16).
// The buffer needs no particular alignment (64-byte alignment makes the loads a little faster).
// gemm_packed_f32 gives the same result as gemm_f32 on the unpacked op(B), bit for bit.
constexpr std::size_t gemm_panel_width = 16;
std::size_t gemm_packed_b_size_f32(std::size_t n, std::size_t k);
void gemm_pack_b_f32(bool trans_b, std::size_t n, std::size_t k, const float* b, std::size_t ldb,
                     float* packed);
void gemm_packed_f32(bool trans_a, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* a, std::size_t lda, const float* packed_b, float beta, float* c,
                     std::size_t ldc, const GemmEpilogue& epilogue = {},
                     Executor* executor = nullptr);

// y[m] = act(alpha * op(A) * x + beta * y + bias), op(A) is m x n (A is m x n, or n x m when
// trans_a). Batch-1 dense layers; bandwidth-bound, so it streams A once.
void matvec_f32(bool trans_a, std::size_t m, std::size_t n, float alpha, const float* a,
                std::size_t lda, const float* x, float beta, float* y, const float* bias = nullptr,
                const Activation& activation = {});

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_GEMM_HPP
