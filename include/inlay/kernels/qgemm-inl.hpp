// Per-target bodies of the int8 GEMM (see qgemm.hpp). Re-included once per CPU target.
//
// The inner step is a 4-byte dot product per 32-bit lane: acc += sum_r a[r] * b[r], a uint8
// (one 32-bit word of A broadcast), b int8 (a vector of packed B). Per target:
//   AVX3_DL and later (VNNI): vpdpbusd, one instruction.
//   SSE2 .. AVX3: vpmaddubsw would saturate (255 * -128 * 2 < -32768), so the bytes are widened
//     to int16 (even and odd bytes apart) and vpmaddwd sums pairs into int32, exactly.
//   Other targets: the four bytes sign/zero-extended to int32 and multiplied, in Highway ops.
#if defined(INLAY_KERNELS_QGEMM_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_QGEMM_INL_HPP
#undef INLAY_KERNELS_QGEMM_INL_HPP
#else
#define INLAY_KERNELS_QGEMM_INL_HPP
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/highway.h>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/qgemm.hpp"

// Which form of the dot step this target compiles (newer Highway versions add AVX3_ZEN4 and
// AVX3_SPR, both with VNNI).
#undef INLAY_QGEMM_VNNI
#undef INLAY_QGEMM_MADD
#if HWY_TARGET == HWY_AVX3_DL || (defined(HWY_AVX3_ZEN4) && HWY_TARGET == HWY_AVX3_ZEN4) || \
    (defined(HWY_AVX3_SPR) && HWY_TARGET == HWY_AVX3_SPR)
#define INLAY_QGEMM_VNNI 1
#elif HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_SSE4 || \
    (defined(HWY_SSSE3) && HWY_TARGET == HWY_SSSE3) ||                              \
    (defined(HWY_SSE2) && HWY_TARGET == HWY_SSE2)
#define INLAY_QGEMM_MADD 1
#endif
#if defined(INLAY_QGEMM_VNNI) || defined(INLAY_QGEMM_MADD)
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace qgemm_impl {

using DI = hn::ScalableTag<std::int32_t>;
using VI = hn::Vec<DI>;
constexpr std::size_t kLanes = hn::MaxLanes(DI());
// Micro-tile: kRows rows of A by kPanels panels (16 columns each) of B, sized to the registers.
#if defined(INLAY_QGEMM_VNNI)
constexpr std::size_t kRows = 8, kPanels = 2;  // 16 accumulators of 32
#elif HWY_TARGET == HWY_AVX3
constexpr std::size_t kRows = 6, kPanels = 2;  // 12 accumulators, 4 widened B, 2 widened A
#elif HWY_TARGET == HWY_AVX2
constexpr std::size_t kRows = 4, kPanels = 1;  // 8 accumulators of 16
#else
constexpr std::size_t kRows = 2, kPanels = 1;
#endif
constexpr std::size_t kTileCols = kPanels * qgemm_panel_width;
constexpr std::size_t kVecsPerPanel = qgemm_panel_width / kLanes;
constexpr std::size_t kVecs = kPanels * kVecsPerPanel;

// One operand of the dot step, prepared once and used for several of the other.
#if defined(INLAY_QGEMM_VNNI)
struct Prepared {
  VI v;
};
HWY_INLINE Prepared PrepareB(VI b) { return {b}; }
HWY_INLINE Prepared PrepareA(VI a) { return {a}; }
// Inline assembly, not _mm512_dpbusd_epi32: Highway 1.0.3 compiles AVX3_DL without the
// avx512vnni attribute the intrinsic needs (its CPU check does require VNNI). AT&T operand
// order: acc += (unsigned bytes of a) * (signed bytes of b), summed per 32-bit lane.
HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
  __m512i r = acc.raw;
  __asm__("vpdpbusd %[b], %[a], %[r]" : [r] "+v"(r) : [a] "v"(a.v.raw), [b] "v"(b.v.raw));
  return VI{r};
}
#elif defined(INLAY_QGEMM_MADD)
// lo: bytes 0 and 2 of each lane as int16; hi: bytes 1 and 3.
struct Prepared {
  VI lo, hi;
};
#if HWY_TARGET == HWY_AVX3
HWY_INLINE Prepared PrepareB(VI b) {
  return {VI{_mm512_srai_epi16(_mm512_slli_epi16(b.raw, 8), 8)}, VI{_mm512_srai_epi16(b.raw, 8)}};
}
HWY_INLINE Prepared PrepareA(VI a) {
  return {VI{_mm512_and_si512(a.raw, _mm512_set1_epi16(0xFF))}, VI{_mm512_srli_epi16(a.raw, 8)}};
}
HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
  const __m512i s = _mm512_add_epi32(_mm512_madd_epi16(a.lo.raw, b.lo.raw),
                                     _mm512_madd_epi16(a.hi.raw, b.hi.raw));
  return VI{_mm512_add_epi32(acc.raw, s)};
}
#elif HWY_TARGET == HWY_AVX2
HWY_INLINE Prepared PrepareB(VI b) {
  return {VI{_mm256_srai_epi16(_mm256_slli_epi16(b.raw, 8), 8)}, VI{_mm256_srai_epi16(b.raw, 8)}};
}
HWY_INLINE Prepared PrepareA(VI a) {
  return {VI{_mm256_and_si256(a.raw, _mm256_set1_epi16(0xFF))}, VI{_mm256_srli_epi16(a.raw, 8)}};
}
HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
  const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(a.lo.raw, b.lo.raw),
                                     _mm256_madd_epi16(a.hi.raw, b.hi.raw));
  return VI{_mm256_add_epi32(acc.raw, s)};
}
#else  // 128-bit
HWY_INLINE Prepared PrepareB(VI b) {
  return {VI{_mm_srai_epi16(_mm_slli_epi16(b.raw, 8), 8)}, VI{_mm_srai_epi16(b.raw, 8)}};
}
HWY_INLINE Prepared PrepareA(VI a) {
  return {VI{_mm_and_si128(a.raw, _mm_set1_epi16(0xFF))}, VI{_mm_srli_epi16(a.raw, 8)}};
}
HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
  const __m128i s =
      _mm_add_epi32(_mm_madd_epi16(a.lo.raw, b.lo.raw), _mm_madd_epi16(a.hi.raw, b.hi.raw));
  return VI{_mm_add_epi32(acc.raw, s)};
}
#endif
#else
// Generic: each byte extended to an int32 lane (shifts), four multiplies.
struct Prepared {
  VI v[4];
};
HWY_INLINE Prepared PrepareB(VI b) {
  return {{hn::ShiftRight<24>(hn::ShiftLeft<24>(b)), hn::ShiftRight<24>(hn::ShiftLeft<16>(b)),
           hn::ShiftRight<24>(hn::ShiftLeft<8>(b)), hn::ShiftRight<24>(b)}};
}
HWY_INLINE Prepared PrepareA(VI a) {
  const VI mask = hn::Set(DI(), 0xFF);
  return {{hn::And(a, mask), hn::And(hn::ShiftRight<8>(a), mask),
           hn::And(hn::ShiftRight<16>(a), mask), hn::And(hn::ShiftRight<24>(a), mask)}};
}
HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
  for (int r = 0; r < 4; ++r) acc = hn::Add(acc, hn::Mul(a.v[r], b.v[r]));
  return acc;
}
#endif

HWY_INLINE std::int32_t LoadWord(const std::uint8_t* p) {
  std::int32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// acc (kRows x kTileCols, row-major) = A rows (row pointers, k bytes each) times the packed panels
// starting at `b` (panel stride panel_bytes). The last, partial group of 4 reads A through a
// zero-padded copy.
HWY_INLINE void MicroKernel(const std::uint8_t* const* rows, std::size_t k, const std::int8_t* b,
                            std::size_t panel_bytes, std::int32_t* HWY_RESTRICT acc) {
  const DI d;
  VI c[kRows][kVecs];
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t v = 0; v < kVecs; ++v) c[r][v] = hn::Zero(d);
  }
  const std::size_t full = k / 4;
  auto step = [&](std::size_t t, const std::int32_t* words) HWY_ATTR {
    Prepared pb[kVecs];
    for (std::size_t v = 0; v < kVecs; ++v) {
      const std::int8_t* p =
          b + (v / kVecsPerPanel) * panel_bytes + t * 64 + (v % kVecsPerPanel) * kLanes * 4;
      pb[v] = PrepareB(hn::LoadU(d, reinterpret_cast<const std::int32_t*>(p)));
    }
    for (std::size_t r = 0; r < kRows; ++r) {
      const Prepared pa = PrepareA(hn::Set(d, words[r]));
      for (std::size_t v = 0; v < kVecs; ++v) c[r][v] = Dot(c[r][v], pa, pb[v]);
    }
  };
  std::int32_t words[kRows];
  for (std::size_t t = 0; t < full; ++t) {
    for (std::size_t r = 0; r < kRows; ++r) words[r] = LoadWord(rows[r] + 4 * t);
    step(t, words);
  }
  if (k % 4 != 0) {
    for (std::size_t r = 0; r < kRows; ++r) {
      std::uint8_t tail[4] = {0, 0, 0, 0};
      std::memcpy(tail, rows[r] + 4 * full, k % 4);
      words[r] = LoadWord(tail);
    }
    step(full, words);
  }
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t v = 0; v < kVecs; ++v)
      hn::StoreU(c[r][v], d, acc + r * kTileCols + v * kLanes);
  }
}

// Round to nearest, ties to even, in the default rounding mode (2^23 has no fraction bits); not
// hn::Round, which Highway 1.0.3 emulates by adding 0.5 on EMU128 and SCALAR.
template <class D>
HWY_INLINE hn::Vec<D> RoundHalfEven(D d, hn::Vec<D> v) {
  const auto big = hn::Set(d, 8388608.0f);
  const auto a = hn::Abs(v);
  const auto r = hn::Sub(hn::Add(a, big), big);
  return hn::IfThenElse(hn::Lt(a, big), hn::CopySignToAbs(r, v), v);
}

// The per-column values of one tile, zero past the last column of C.
struct TileColumns {
  HWY_ALIGN std::int32_t col_sums[kTileCols];
  HWY_ALIGN std::int32_t b_zero[kTileCols];
  HWY_ALIGN std::int32_t bias[kTileCols];
  HWY_ALIGN float scale[kTileCols];
  HWY_ALIGN float float_bias[kTileCols];
};

template <typename T>
HWY_INLINE T ValueAt(const T* p, QgemmAxis axis, QgemmAxis here, std::size_t index) {
  if (p == nullptr) return T(0);
  return axis == QgemmAxis::per_tensor ? p[0] : axis == here ? p[index] : T(0);
}

struct Problem {
  std::size_t m, n, k;
  const std::uint8_t* a;
  std::size_t lda;
  const std::int8_t* packed_b;
  const std::int32_t* col_sums;
  QgemmZeroPoints zp;
  QgemmEpilogue e;
  bool need_row_sums;
};

// Writes rows [i0, i0 + rows) of the tile starting at column j0 (width cols) from acc.
HWY_INLINE void Epilogue(const Problem& pr, const TileColumns& tc, std::size_t i0, std::size_t rows,
                         std::size_t j0, std::size_t cols, const std::int32_t* acc,
                         const std::int32_t* row_sums) {
  const DI di;
  const hn::Rebind<float, DI> df;
  const QgemmEpilogue& e = pr.e;
  const bool per_col_scale = e.scale_axis == QgemmAxis::per_column;
  const bool per_col_bias = e.bias_axis == QgemmAxis::per_column;
  const bool per_col_fbias = e.float_bias_axis == QgemmAxis::per_column;
  const auto lo = hn::Set(df, e.output == QgemmOutput::u8 ? 0.0f : -128.0f);
  const auto hi = hn::Set(df, e.output == QgemmOutput::u8 ? 255.0f : 127.0f);
  const auto zero = hn::Set(df, static_cast<float>(e.zero_point));
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t i = i0 + r;
    const auto az =
        static_cast<std::uint32_t>(pr.zp.a == nullptr ? 0 : pr.zp.a[pr.zp.a_per_row ? i : 0]);
    // sum (a - za)(b - zb) = dot - za colsum - zb (rowsum - k za): wrapping unsigned arithmetic.
    const std::uint32_t rs = pr.need_row_sums ? static_cast<std::uint32_t>(row_sums[r]) -
                                                    static_cast<std::uint32_t>(pr.k) * az
                                              : 0u;
    const auto vaz = hn::Set(di, static_cast<std::int32_t>(az));
    const auto vrs = hn::Set(di, static_cast<std::int32_t>(rs));
    const std::int32_t row_bias = ValueAt(e.bias, e.bias_axis, QgemmAxis::per_row, i);
    const float row_scale = ValueAt(e.scale, e.scale_axis, QgemmAxis::per_row, i);
    const float row_fbias = ValueAt(e.float_bias, e.float_bias_axis, QgemmAxis::per_row, i);
    HWY_ALIGN std::uint8_t line[kTileCols * 4];  // the row of the tile, when it is partial
    const bool partial = cols < kTileCols;
    for (std::size_t j = 0; j < kTileCols; j += kLanes) {
      if (j >= cols) break;
      auto v = hn::LoadU(di, acc + r * kTileCols + j);
      if (az != 0) v = hn::Sub(v, hn::Mul(vaz, hn::Load(di, tc.col_sums + j)));
      if (pr.need_row_sums) v = hn::Sub(v, hn::Mul(vrs, hn::Load(di, tc.b_zero + j)));
      if (e.bias != nullptr) {
        v = hn::Add(v, per_col_bias ? hn::Load(di, tc.bias + j) : hn::Set(di, row_bias));
      }
      const std::size_t at = i * e.ldc + j0 + j;
      if (e.output == QgemmOutput::s32) {
        std::int32_t* out = partial ? reinterpret_cast<std::int32_t*>(line) + j
                                    : static_cast<std::int32_t*>(e.c) + at;
        hn::StoreU(v, di, out);
        continue;
      }
      auto f = hn::Mul(hn::ConvertTo(df, v),
                       per_col_scale ? hn::Load(df, tc.scale + j) : hn::Set(df, row_scale));
      if (e.output == QgemmOutput::f32) {
        if (e.float_bias != nullptr) {
          f = hn::Add(f, per_col_fbias ? hn::Load(df, tc.float_bias + j) : hn::Set(df, row_fbias));
        }
        float* out = partial ? reinterpret_cast<float*>(line) + j : static_cast<float*>(e.c) + at;
        hn::StoreU(f, df, out);
        continue;
      }
      // |f| >= 2^24 saturates whatever the addition rounds; below it the sum is exact.
      f = hn::Min(hn::Max(hn::Add(RoundHalfEven(df, f), zero), lo), hi);
      const auto q = hn::ConvertTo(di, f);
      if (e.output == QgemmOutput::u8) {
        const hn::Rebind<std::uint8_t, DI> d8;
        std::uint8_t* out = partial ? line + j : static_cast<std::uint8_t*>(e.c) + at;
        hn::StoreU(hn::DemoteTo(d8, q), d8, out);
      } else {
        const hn::Rebind<std::int8_t, DI> d8;
        std::int8_t* out = partial ? reinterpret_cast<std::int8_t*>(line) + j
                                   : static_cast<std::int8_t*>(e.c) + at;
        hn::StoreU(hn::DemoteTo(d8, q), d8, out);
      }
    }
    if (partial) {
      const std::size_t size = e.output == QgemmOutput::s32 || e.output == QgemmOutput::f32 ? 4 : 1;
      std::memcpy(static_cast<std::uint8_t*>(e.c) + (i * e.ldc + j0) * size, line, cols * size);
    }
  }
}

HWY_INLINE void FillTileColumns(const Problem& pr, std::size_t j0, std::size_t cols,
                                TileColumns& tc) {
  const QgemmEpilogue& e = pr.e;
  for (std::size_t x = 0; x < kTileCols; ++x) {
    const bool in = x < cols;
    const std::size_t j = j0 + x;
    tc.col_sums[x] = in && pr.col_sums ? pr.col_sums[j] : 0;
    tc.b_zero[x] = in && pr.zp.b ? pr.zp.b[pr.zp.b_per_column ? j : 0] : 0;
    tc.bias[x] = in ? ValueAt(e.bias, e.bias_axis, QgemmAxis::per_column, j) : 0;
    tc.scale[x] = in ? ValueAt(e.scale, e.scale_axis, QgemmAxis::per_column, j) : 0.0f;
    tc.float_bias[x] =
        in ? ValueAt(e.float_bias, e.float_bias_axis, QgemmAxis::per_column, j) : 0.0f;
  }
}

constexpr std::size_t kBlockRows = 48;   // a multiple of every kRows
constexpr std::size_t kBlockCols = 256;  // a multiple of every kTileCols

// One block of C: rows [i0, i1), columns [j0, j1).
HWY_INLINE void Block(const Problem& pr, std::size_t i0, std::size_t i1, std::size_t j0,
                      std::size_t j1) {
  HWY_ALIGN std::int32_t row_sums[kBlockRows];
  if (pr.need_row_sums) {
    for (std::size_t i = i0; i < i1; ++i) {
      const std::uint8_t* a = pr.a + i * pr.lda;
      std::uint32_t s = 0;
      for (std::size_t p = 0; p < pr.k; ++p) s += a[p];
      row_sums[i - i0] = static_cast<std::int32_t>(s);
    }
  }
  const std::size_t k4 = (pr.k + 3) / 4 * 4;
  const std::size_t panel_bytes = qgemm_panel_width * k4;
  HWY_ALIGN std::int32_t acc[kRows * kTileCols];
  TileColumns tc;
  for (std::size_t j = j0; j < j1; j += kTileCols) {
    const std::size_t cols = std::min(kTileCols, j1 - j);
    FillTileColumns(pr, j, cols, tc);
    const std::int8_t* b = pr.packed_b + (j / qgemm_panel_width) * panel_bytes;
    for (std::size_t i = i0; i < i1; i += kRows) {
      const std::size_t rows = std::min(kRows, i1 - i);
      const std::uint8_t* a_rows[kRows];
      for (std::size_t r = 0; r < kRows; ++r)
        a_rows[r] = pr.a + (i + std::min(r, rows - 1)) * pr.lda;
      MicroKernel(a_rows, pr.k, b, panel_bytes, acc);
      Epilogue(pr, tc, i, rows, j, cols, acc, row_sums + (i - i0));
    }
  }
}

}  // namespace qgemm_impl

HWY_NOINLINE void qgemm_packed(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a,
                               std::size_t lda, const std::int8_t* packed_b,
                               const std::int32_t* b_col_sums, const QgemmZeroPoints& zero_points,
                               const QgemmEpilogue& epilogue, Executor* executor) {
  using namespace qgemm_impl;
  Problem pr{m, n, k, a, lda, packed_b, b_col_sums, zero_points, epilogue, false};
  if (zero_points.b != nullptr) {
    const std::size_t count = zero_points.b_per_column ? n : 1;
    for (std::size_t j = 0; j < count; ++j) pr.need_row_sums |= zero_points.b[j] != 0;
  }
  const std::size_t row_blocks = (m + kBlockRows - 1) / kBlockRows;
  const std::size_t col_blocks = (n + kBlockCols - 1) / kBlockCols;
  parallel_for(executor_for_work(executor, m * n * k), row_blocks * col_blocks,
               [&](std::size_t t) HWY_ATTR {
                 const std::size_t rb = t % row_blocks, cb = t / row_blocks;
                 Block(pr, rb * kBlockRows, std::min(m, (rb + 1) * kBlockRows), cb * kBlockCols,
                       std::min(n, (cb + 1) * kBlockCols));
               });
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
