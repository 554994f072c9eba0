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
#include "inlay/kernels/qgemm.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(qgemm_packed);

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
  (void)zp;
}

// Packs what remains of panel q (columns 16q .. 16q + 15) of op(B) from row group t0 on (rows 4
// t0 and up): its bytes, flipped by `flip`, the zero padding, and its column sums (below n; added
// to those of the rows before 4 t0, which are 0 when t0 is 0).
inline void pack_panel_rest(bool trans_b, std::size_t n, std::size_t k, const std::uint8_t* b,
                            std::size_t ldb, std::uint8_t flip, std::int8_t* packed,
                            std::int32_t* col_sums, std::size_t q, std::size_t t0) {
  const std::size_t k4 = (k + 3) / 4 * 4, j0 = q * qgemm_panel_width;
  auto* out = reinterpret_cast<std::uint8_t*>(packed) + j0 * k4;
  const std::size_t width = j0 < n ? std::min(qgemm_panel_width, n - j0) : 0;
  if (width < qgemm_panel_width || trans_b || k % 4 != 0) {
    std::memset(out + t0 * 64, 0, qgemm_panel_width * k4 - t0 * 64);
  }
  if (t0 == 0) {
    for (std::size_t x = 0; x < width; ++x) col_sums[j0 + x] = 0;
  }
  for (std::size_t p = 4 * t0; p < k; ++p) {
    for (std::size_t x = 0; x < width; ++x) {
      const std::size_t j = j0 + x;
      const auto v = static_cast<std::int8_t>(b[trans_b ? j * ldb + p : p * ldb + j] ^ flip);
      out[(p / 4) * 64 + x * 4 + p % 4] = static_cast<std::uint8_t>(v);
      col_sums[j] += v;
    }
  }
}

// Panels [q0, q1). A plain B's full panels go row group by row group across the panels, so that
// each row of B is read in whole cache lines: four rows of 16 columns interleaved byte by byte
// into 64 bytes (column x: its 4 bytes at 4x); the column sums widen even and odd bytes to int16
// and add pairs into int32. The rest goes through pack_panel_rest.
inline void pack_group(bool trans_b, std::size_t n, std::size_t k, const std::uint8_t* b,
                       std::size_t ldb, std::uint8_t flip, std::int8_t* packed,
                       std::int32_t* col_sums, std::size_t q0, std::size_t q1) {
  std::size_t full_end = q0, done = 0;  // panels [q0, full_end) hold rows < 4 done
#if defined(__SSE2__)
  const std::size_t k4 = (k + 3) / 4 * 4;
  if (!trans_b) full_end = std::max(q0, std::min(q1, n / qgemm_panel_width));
  if (full_end > q0) {
    done = k / 4;
    const __m128i vflip = _mm_set1_epi8(static_cast<char>(flip)), ones = _mm_set1_epi16(1);
    for (std::size_t j = q0 * qgemm_panel_width; j < full_end * qgemm_panel_width; ++j) {
      col_sums[j] = 0;
    }
    for (std::size_t t = 0; t < done; ++t) {
      for (std::size_t q = q0; q < full_end; ++q) {
        const std::size_t j0 = q * qgemm_panel_width;
        __m128i r[4];
        for (std::size_t i = 0; i < 4; ++i) {
          r[i] = _mm_xor_si128(
              _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + (4 * t + i) * ldb + j0)), vflip);
        }
        const __m128i lo01 = _mm_unpacklo_epi8(r[0], r[1]), hi01 = _mm_unpackhi_epi8(r[0], r[1]);
        const __m128i lo23 = _mm_unpacklo_epi8(r[2], r[3]), hi23 = _mm_unpackhi_epi8(r[2], r[3]);
        const __m128i c[4] = {_mm_unpacklo_epi16(lo01, lo23), _mm_unpackhi_epi16(lo01, lo23),
                              _mm_unpacklo_epi16(hi01, hi23), _mm_unpackhi_epi16(hi01, hi23)};
        auto* out = reinterpret_cast<std::uint8_t*>(packed) + j0 * k4 + t * 64;
        for (std::size_t i = 0; i < 4; ++i) {
          _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * i), c[i]);
          const __m128i pairs =
              _mm_add_epi16(_mm_srai_epi16(_mm_slli_epi16(c[i], 8), 8), _mm_srai_epi16(c[i], 8));
          auto* sums = reinterpret_cast<__m128i*>(col_sums + j0 + 4 * i);
          _mm_storeu_si128(sums, _mm_add_epi32(_mm_loadu_si128(sums), _mm_madd_epi16(pairs, ones)));
        }
      }
    }
  }
#endif
  for (std::size_t q = q0; q < q1; ++q) {
    pack_panel_rest(trans_b, n, k, b, ldb, flip, packed, col_sums, q, q < full_end ? done : 0);
  }
}

// Whether every byte x of p[0, count) has (x + offset) mod 256 below 128: offset 64 tests int8
// values in [-64, 63], offset 192 uint8 values in [64, 191]. Stops at the first 64 bytes that
// fail, so full-range data costs little.
inline bool bytes_fit_7bit(const std::uint8_t* p, std::size_t count, std::uint8_t offset) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i off = _mm_set1_epi8(static_cast<char>(offset));
  for (; i + 64 <= count; i += 64) {
    __m128i any = _mm_setzero_si128();
    for (std::size_t x = 0; x < 64; x += 16) {
      any = _mm_or_si128(
          any, _mm_add_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + x)), off));
    }
    if (_mm_movemask_epi8(any) != 0) return false;
  }
#endif
  for (; i < count; ++i) {
    if (((p[i] + offset) & 0x80) != 0) return false;
  }
  return true;
}

// Every panel of the packed form (qgemm_packed_b_size bytes), on the executor when it is large
// (groups of 8 panels: 128 columns).
inline void pack_panels(bool trans_b, std::size_t n, std::size_t k, const std::uint8_t* b,
                        std::size_t ldb, std::uint8_t flip, std::int8_t* packed,
                        std::int32_t* col_sums, Executor* executor) {
  if (k == 0) {
    for (std::size_t j = 0; j < n; ++j) col_sums[j] = 0;
    return;
  }
  const std::size_t panels = qgemm_packed_b_size(n, k) / (qgemm_panel_width * ((k + 3) / 4 * 4));
  constexpr std::size_t group = 8;
  parallel_for(executor_for_work(executor, n * k * 8), (panels + group - 1) / group,
               [&](std::size_t g) {
                 pack_group(trans_b, n, k, b, ldb, flip, packed, col_sums, g * group,
                            std::min(panels, (g + 1) * group));
               });
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

std::size_t qgemm_workspace_size(std::size_t n, std::size_t k) {
  return qgemm_packed_b_size(n, k) + (n + 1) * sizeof(std::int32_t);
}

void qgemm(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a, std::size_t lda,
           bool trans_b, const void* b, std::size_t ldb, bool b_unsigned,
           const QgemmZeroPoints& zero_points, const QgemmEpilogue& epilogue, void* workspace,
           Executor* executor, bool a_narrow) {
  constexpr const char* f = "qgemm";
  qgemm_detail::check(f, m, n, k, a, lda, zero_points, epilogue);
  if (m == 0 || n == 0) return;
  qgemm_detail::check_pointer(f, "workspace", workspace, true);
  // The column sums first: 4-byte aligned when the workspace is.
  auto* col_sums = static_cast<std::int32_t*>(workspace);
  auto* packed = reinterpret_cast<std::int8_t*>(col_sums + n + 1);
  if (k > 0 && ldb < (trans_b ? k : n)) {
    fail(ErrorKind::shape_mismatch, std::string(f) + ": ldb (" + std::to_string(ldb) +
                                        ") is smaller than the row length of B");
  }
  qgemm_detail::check_pointer(f, "B", b, k > 0);
  qgemm_detail::pack_panels(trans_b, n, k, static_cast<const std::uint8_t*>(b), ldb,
                            b_unsigned ? 0x80 : 0x00, packed, col_sums, executor);
  // A narrow A needs no look at B; otherwise a B that packed narrow takes the 7-bit path.
  QgemmNarrow narrow = QgemmNarrow::a;
  if (!a_narrow) {
    narrow = qgemm_detail::bytes_fit_7bit(reinterpret_cast<const std::uint8_t*>(packed),
                                          k == 0 ? 0 : qgemm_packed_b_size(n, k), 64)
                 ? QgemmNarrow::b
                 : QgemmNarrow::none;
  }
  INLAY_DISPATCH(qgemm_packed)
  (m, n, k, a, lda, packed, col_sums, zero_points, epilogue, executor, narrow);
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
