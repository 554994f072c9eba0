// Private to the implementation: the int8 GEMM's byte packing of B (kernels/qgemm.hpp), plain
// C++ compiled once, used by the entry points (qgemm-dispatch.hpp) and by the per-target body of
// qgemm with a plain B (qgemm-inl.hpp), which chooses between it and the word form.
#ifndef INLAY_KERNELS_IMPL_QGEMM_PACK_HPP
#define INLAY_KERNELS_IMPL_QGEMM_PACK_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "inlay/core/config.hpp"
#include "inlay/core/executor.hpp"
#include "inlay/kernels/qgemm.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

INLAY_NAMESPACE_BEGIN
namespace kernels {
namespace qgemm_detail {

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
}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_IMPL_QGEMM_PACK_HPP
