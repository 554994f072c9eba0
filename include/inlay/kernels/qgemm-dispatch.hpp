// Entry points of the int8 GEMM (see qgemm.hpp): each checks its parameters, then calls the body
// compiled for the CPU target in use. Packing is plain C++ (it runs once per weight, or once per
// run for a changing B). Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_QGEMM_DISPATCH_HPP
#define INLAY_KERNELS_QGEMM_DISPATCH_HPP

#include <algorithm>
#include <cstring>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/impl/qgemm_pack.hpp"
#include "inlay/kernels/qgemm.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(qgemm_packed);
INLAY_EXPORT(qgemm_plain);

namespace qgemm_detail {

inline void check_pointer(const char* function, const char* name, const void* p, bool needed) {
  if (p == nullptr && needed) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": " + name + " is null");
  }
}

inline void check_axis(const char* function, const char* name, QgemmAxis axis) {
  if (axis != QgemmAxis::per_tensor && axis != QgemmAxis::per_row &&
      axis != QgemmAxis::per_column) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": " + name + " axis " +
                                          std::to_string(static_cast<int>(axis)) +
                                          " is not a QgemmAxis");
  }
}

inline void check(const char* function, std::size_t m, std::size_t n, std::size_t k,
                  const std::uint8_t* a, std::size_t lda, const QgemmZeroPoints& zp,
                  const QgemmEpilogue& e) {
  const bool any = m > 0 && n > 0;
  check_pointer(function, "A", a, any && k > 0);
  if (any && k > 0 && lda < k) {
    fail(ErrorKind::shape_mismatch, std::string(function) + ": lda (" + std::to_string(lda) +
                                        ") is smaller than k (" + std::to_string(k) + ")");
  }
  if (e.output != QgemmOutput::s32 && e.output != QgemmOutput::f32 && e.output != QgemmOutput::u8 &&
      e.output != QgemmOutput::s8) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": epilogue.output " +
                                          std::to_string(static_cast<int>(e.output)) +
                                          " is not a QgemmOutput");
  }
  check_pointer(function, "epilogue.c", e.c, any);
  if (any && e.ldc < n) {
    fail(ErrorKind::shape_mismatch, std::string(function) + ": ldc (" + std::to_string(e.ldc) +
                                        ") is smaller than n (" + std::to_string(n) + ")");
  }
  check_pointer(function, "epilogue.scale", e.scale, any && e.output != QgemmOutput::s32);
  check_axis(function, "bias", e.bias_axis);
  check_axis(function, "scale", e.scale_axis);
  check_axis(function, "float_bias", e.float_bias_axis);
  if (e.output == QgemmOutput::u8 && (e.zero_point < 0 || e.zero_point > 255)) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": uint8 zero point " +
                                          std::to_string(e.zero_point) + " out of range");
  }
  if (e.output == QgemmOutput::s8 && (e.zero_point < -128 || e.zero_point > 127)) {
    fail(ErrorKind::invalid_argument, std::string(function) + ": int8 zero point " +
                                          std::to_string(e.zero_point) + " out of range");
  }
  // The zero points in the kernel's form: A's a uint8, B's an int8 (qgemm.hpp). The word form
  // relies on it: every a - za and b - zb fits 9 bits, so a pair of products fits int32.
  const auto check_zeros = [&](const char* name, const std::int32_t* z, std::size_t count,
                               std::int32_t lo, std::int32_t hi) {
    for (std::size_t i = 0; z != nullptr && i < count; ++i) {
      if (z[i] < lo || z[i] > hi) {
        fail(ErrorKind::invalid_argument, std::string(function) + ": zero point " +
                                              std::to_string(z[i]) + " of " + name + " (index " +
                                              std::to_string(i) + ") is outside [" +
                                              std::to_string(lo) + ", " + std::to_string(hi) + "]");
      }
    }
  };
  check_zeros("A", zp.a, zp.a_per_row ? m : 1, 0, 255);
  check_zeros("B", zp.b, zp.b_per_column ? n : 1, -128, 127);
}

}  // namespace qgemm_detail

std::size_t qgemm_packed_b_size(std::size_t n, std::size_t k) {
  const std::size_t tile = 2 * qgemm_panel_width;
  return (n + tile - 1) / tile * tile * ((k + 3) / 4 * 4);
}

bool qgemm_is_narrow_a(const std::uint8_t* a, std::size_t count) {
  qgemm_detail::check_pointer("qgemm_is_narrow_a", "A", a, count > 0);
  return qgemm_detail::bytes_fit_7bit(a, count, 192);
}

bool qgemm_pack_b(bool trans_b, std::size_t n, std::size_t k, const void* b, std::size_t ldb,
                  bool b_unsigned, std::int8_t* packed, std::int32_t* col_sums) {
  constexpr const char* f = "qgemm_pack_b";
  qgemm_detail::check_pointer(f, "B", b, n > 0 && k > 0);
  qgemm_detail::check_pointer(f, "packed", packed, n > 0);
  qgemm_detail::check_pointer(f, "col_sums", col_sums, n > 0);
  if (n > 0 && k > 0 && ldb < (trans_b ? k : n)) {
    fail(ErrorKind::shape_mismatch, std::string(f) + ": ldb (" + std::to_string(ldb) +
                                        ") is smaller than the row length of B");
  }
  qgemm_detail::pack_panels(trans_b, n, k, static_cast<const std::uint8_t*>(b), ldb,
                            b_unsigned ? 0x80 : 0x00, packed, col_sums, nullptr);
  return qgemm_detail::bytes_fit_7bit(reinterpret_cast<const std::uint8_t*>(packed),
                                      n == 0 ? 0 : qgemm_packed_b_size(n, k), 64);
}

void qgemm_packed(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a,
                  std::size_t lda, const std::int8_t* packed_b, const std::int32_t* b_col_sums,
                  const QgemmZeroPoints& zero_points, const QgemmEpilogue& epilogue,
                  Executor* executor, QgemmNarrow narrow) {
  constexpr const char* f = "qgemm_packed";
  qgemm_detail::check(f, m, n, k, a, lda, zero_points, epilogue);
  if (narrow != QgemmNarrow::none && narrow != QgemmNarrow::a && narrow != QgemmNarrow::b) {
    fail(ErrorKind::invalid_argument, std::string(f) + ": narrow " +
                                          std::to_string(static_cast<int>(narrow)) +
                                          " is not a QgemmNarrow");
  }
  if (m == 0 || n == 0) return;
  qgemm_detail::check_pointer(f, "packed_b", packed_b, true);
  qgemm_detail::check_pointer(f, "b_col_sums", b_col_sums,
                              zero_points.a != nullptr || narrow == QgemmNarrow::a);
  INLAY_DISPATCH(qgemm_packed)
  (m, n, k, a, lda, packed_b, b_col_sums, zero_points, epilogue, executor, narrow);
}

std::size_t qgemm_workspace_size(std::size_t m, std::size_t n, std::size_t k) {
  // The larger of the two layouts qgemm_plain may use: the column sums and the packed bytes, or
  // the word form's widened A and B (k rounded up to even, 2 bytes each).
  const std::size_t k2 = (k + 1) / 2 * 2;
  const std::size_t bytes = (n + 1) * sizeof(std::int32_t) + qgemm_packed_b_size(n, k);
  const std::size_t words = (m * k2 + qgemm_packed_b_size(n, k2)) * sizeof(std::int16_t);
  return std::max(bytes, words);
}

void qgemm(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a, std::size_t lda,
           bool trans_b, const void* b, std::size_t ldb, bool b_unsigned,
           const QgemmZeroPoints& zero_points, const QgemmEpilogue& epilogue, void* workspace,
           Executor* executor, bool a_narrow) {
  constexpr const char* f = "qgemm";
  qgemm_detail::check(f, m, n, k, a, lda, zero_points, epilogue);
  if (m == 0 || n == 0) return;
  qgemm_detail::check_pointer(f, "workspace", workspace, true);
  if (k > 0 && ldb < (trans_b ? k : n)) {
    fail(ErrorKind::shape_mismatch, std::string(f) + ": ldb (" + std::to_string(ldb) +
                                        ") is smaller than the row length of B");
  }
  qgemm_detail::check_pointer(f, "B", b, k > 0);
  INLAY_DISPATCH(qgemm_plain)
  (m, n, k, a, lda, trans_b, static_cast<const std::uint8_t*>(b), ldb, b_unsigned, zero_points,
   epilogue, workspace, executor, a_narrow);
}

void qgemm_flip_sign(const void* x, std::size_t n, void* y) {
  const auto* in = static_cast<const std::uint8_t*>(x);
  auto* out = static_cast<std::uint8_t*>(y);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(in[i] ^ 0x80);
}

}  // namespace kernels
INLAY_NAMESPACE_END

// The 8-bit depthwise convolution belongs to this family (it shares the epilogue).
#include "inlay/kernels/qdepthwise-dispatch.hpp"

#endif  // INLAY_KERNELS_QGEMM_DISPATCH_HPP
