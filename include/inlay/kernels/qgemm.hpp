// 8-bit integer GEMM (the int8 inference path): C[m x n] = epilogue(sum_p (A[i][p] - a_zero) *
// (B[p][j] - b_zero)), exact in int32 (wrapping only as int32 arithmetic does), then written as
// int32, as float, or requantized to uint8 / int8 without an int32 matrix in memory.
//
// The kernel has one operand form: A unsigned (uint8, the row operand, read in place) and B
// signed (int8, the column operand, packed into panels). Every other signedness maps onto it
// exactly: flipping the top bit of a byte (x ^ 0x80) turns an int8 v into the uint8 v + 128 and
// a uint8 v into the int8 v - 128; moving its zero point by the same 128 leaves every difference
// (x - zero) unchanged. So an int8 A is flipped (qgemm_flip_sign) with a_zero + 128, a uint8 B is
// flipped while packing (b_unsigned) with b_zero - 128.
//
// The zero points are folded in afterwards, from the exact identity
//   sum (a - za)(b - zb) = sum a b - za colsum_b[j] - zb[j] rowsum_a[i] + k za zb[j],
// with the column sums of B kept next to its packed form and the row sums of A summed per run.
#ifndef INLAY_KERNELS_QGEMM_HPP
#define INLAY_KERNELS_QGEMM_HPP

#include <cstddef>
#include <cstdint>

#include "inlay/core/executor.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// How a vector of per-row or per-column values applies to C.
enum class QgemmAxis : std::uint8_t {
  per_tensor,  // one value, element 0
  per_row,     // value i for row i (length m), e.g. a convolution's output channel
  per_column,  // value j for column j (length n), e.g. a MatMul's output feature
};

enum class QgemmOutput : std::uint8_t { s32, f32, u8, s8 };

// What happens to each exact int32 sum `acc` of C:
//   s32: c = acc + bias
//   f32: c = float(acc + bias) * scale + float_bias     (a product then a sum: no fused
//   multiply-add) u8/s8: c = saturate(round_half_to_even(float(acc + bias) * scale) + zero_point)
// bias (int32, wrapping) and float_bias may be null; scale is required for f32, u8 and s8 (the
// requantization multiplier, e.g. a_scale * b_scale[j] / y_scale computed in float).
struct QgemmEpilogue {
  QgemmOutput output = QgemmOutput::s32;
  void* c = nullptr;
  std::size_t ldc = 0;  // elements between rows of C
  const std::int32_t* bias = nullptr;
  QgemmAxis bias_axis = QgemmAxis::per_tensor;
  const float* scale = nullptr;
  QgemmAxis scale_axis = QgemmAxis::per_tensor;
  const float* float_bias = nullptr;  // f32 output only
  QgemmAxis float_bias_axis = QgemmAxis::per_tensor;
  std::int32_t zero_point = 0;  // u8/s8 output only
};

// The zero points in the kernel's operand form (after any 128 shift): a_zero per tensor or per
// row of A, in [0, 255]; b_zero per tensor or per column of B, in [-128, 127]. Null means 0.
// Others are an invalid_argument Error.
struct QgemmZeroPoints {
  const std::int32_t* a = nullptr;
  bool a_per_row = false;
  const std::int32_t* b = nullptr;
  bool b_per_column = false;
};

// Which operand is narrow: its values fit 7 bits, so that on SSSE3 .. AVX3 (no VNNI) the kernel
// may multiply with vpmaddubsw (uint8 x int8, pairs summed into saturating int16), twice as many
// multiply-adds per instruction as widening to int16. A pair sum is exact when the signed bytes
// lie in [-64, 63]: 2 * 255 * 64 = 32640 <= 32767 (ONNX Runtime's `reduce_range` 7-bit weights,
// `inlay quantize --reduce-range`). Results are bit for bit those of the full-range path; a
// narrow flag on an operand that does not fit is a caller error (sums would saturate). Targets
// with VNNI (AVX3_DL) and non-x86 targets ignore it.
enum class QgemmNarrow : std::uint8_t {
  none,  // full range
  a,     // every byte of A lies in [64, 191]: A - 128 fits [-64, 63] (a flipped 7-bit int8
         // weight, see qgemm_is_narrow_a); the kernel then multiplies (B + 128) by (A - 128)
  b,     // every packed byte of B lies in [-64, 63]: qgemm_pack_b returned true
};

// Whether the `count` bytes at a all lie in [64, 191] (QgemmNarrow::a).
bool qgemm_is_narrow_a(const std::uint8_t* a, std::size_t count);

// Packed B: op(B) (k x n) is cut into panels of qgemm_panel_width = 16 columns, padded to an even
// number of panels (32 columns, the widest micro-tile); k is padded to a multiple of 4. Panel q
// holds, for each group of 4 rows p = 4t .. 4t + 3, the 16 columns one after the other, each as
// its 4 bytes: op(B)(4t + r, 16q + x) is packed[q * 16 * k4 + t * 64 + x * 4 + r] (k4 = k
// rounded up to 4), so one 32-bit lane holds the 4 products an int8 dot instruction (vpdpbusd)
// sums. Padding is zero. The layout does not depend on the CPU target.
constexpr std::size_t qgemm_panel_width = 16;
std::size_t qgemm_packed_b_size(std::size_t n, std::size_t k);  // bytes

// Packs op(B) (trans_b: B is n x k) and writes col_sums[n] (sums of the packed int8 values, over
// p). b_unsigned: B holds uint8, flipped to int8 (v - 128) while packing. Returns whether every
// packed value lies in [-64, 63] (a uint8 B: every value in [64, 191]): then qgemm_packed may be
// told QgemmNarrow::b.
bool qgemm_pack_b(bool trans_b, std::size_t n, std::size_t k, const void* b, std::size_t ldb,
                  bool b_unsigned, std::int8_t* packed, std::int32_t* col_sums);

// C = epilogue(A * op(B)) with B packed by qgemm_pack_b. A is m x k uint8 with leading dimension
// lda. The executor splits C into blocks of rows and columns (never K), so the result does not
// depend on the number of threads. Allocates nothing; from 12 rows of A on, targets that multiply
// with vpmaddwd widen chunks of A and B to int16 in about 44 KiB (AVX2; 52 KiB AVX3) of the stack
// of each thread that runs blocks. narrow: which operand fits 7 bits (see QgemmNarrow;
// QgemmNarrow::a also needs b_col_sums).
void qgemm_packed(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a,
                  std::size_t lda, const std::int8_t* packed_b, const std::int32_t* b_col_sums,
                  const QgemmZeroPoints& zero_points, const QgemmEpilogue& epilogue,
                  Executor* executor = nullptr, QgemmNarrow narrow = QgemmNarrow::none);

// The same for a B given as a plain matrix (one that changes per run): packs it into
// `workspace` (qgemm_workspace_size bytes, 4-byte aligned) first. a_narrow: every byte of A lies
// in [64, 191] (QgemmNarrow::a); a B that packs narrow is found while packing. Targets that
// multiply with vpmaddwd (SSE2 .. AVX3 without VNNI) widen A and B to int16 in the workspace
// instead, their zero points subtracted, unless A is narrow (the 7-bit form is cheaper still):
// the same bits, with no widening inside the loop.
std::size_t qgemm_workspace_size(std::size_t m, std::size_t n, std::size_t k);
void qgemm(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a, std::size_t lda,
           bool trans_b, const void* b, std::size_t ldb, bool b_unsigned,
           const QgemmZeroPoints& zero_points, const QgemmEpilogue& epilogue, void* workspace,
           Executor* executor = nullptr, bool a_narrow = false);

// y[i] = x[i] ^ 0x80: int8 <-> uint8 with the value moved by 128 (see the top of this file).
void qgemm_flip_sign(const void* x, std::size_t n, void* y);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_QGEMM_HPP
