// Per-target bodies of the int8 GEMM (see qgemm.hpp). Re-included once per CPU target.
//
// The inner step is a 4-byte dot product per 32-bit lane: acc += sum_r a[r] * b[r], a uint8
// (one 32-bit word of A broadcast), b int8 (a vector of packed B). Per target:
//   AVX3_DL and later (VNNI): vpdpbusd, one instruction.
//   SSE2 .. AVX3: vpmaddubsw would saturate (255 * -128 * 2 < -32768), so the bytes are widened
//     to int16 (even and odd bytes apart) and vpmaddwd sums pairs into int32, exactly. When one
//     operand fits 7 bits (QgemmNarrow), SSSE3 .. AVX3 use vpmaddubsw, exact there, then
//     vpmaddwd by ones: two instructions per 4-byte dot instead of four and the widening.
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
#include "inlay/kernels/impl/qgemm_pack.hpp"
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
// vpmaddubsw (the 7-bit forms) from SSSE3 on.
#undef INLAY_QGEMM_MADDUBS
#if defined(INLAY_QGEMM_MADD) && !(defined(HWY_SSE2) && HWY_TARGET == HWY_SSE2)
#define INLAY_QGEMM_MADDUBS 1
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
constexpr std::size_t kVecsPerPanel = qgemm_panel_width / kLanes;
constexpr std::size_t kMaxTileCols = 2 * qgemm_panel_width;  // packing pads n to 32 columns

// A form of the dot step: Prepared (one operand, made once and used for several of the other),
// PrepareB (a vector of packed B), PrepareA (a 32-bit word of A, broadcast), Dot, kPadA (the
// byte that pads A's last group of 4, where B is 0) and the micro-tile: kRows rows of A by
// kPanels panels (16 columns each) of B, sized to the registers.
#if defined(INLAY_QGEMM_VNNI)
struct WideForm {
  struct Prepared {
    VI v;
  };
  static constexpr std::size_t kRows = 8, kPanels = 2;  // 16 accumulators of 32
  static constexpr std::uint8_t kPadA = 0;
  static HWY_INLINE Prepared PrepareB(VI b) { return {b}; }
  static HWY_INLINE Prepared PrepareA(std::int32_t word) { return {hn::Set(DI(), word)}; }
  // Inline assembly, not _mm512_dpbusd_epi32: Highway 1.0.3 compiles AVX3_DL without the
  // avx512vnni attribute the intrinsic needs (its CPU check does require VNNI). AT&T operand
  // order: acc += (unsigned bytes of a) * (signed bytes of b), summed per 32-bit lane.
  static HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
    __m512i r = acc.raw;
    __asm__("vpdpbusd %[b], %[a], %[r]" : [r] "+v"(r) : [a] "v"(a.v.raw), [b] "v"(b.v.raw));
    return VI{r};
  }
};
#elif defined(INLAY_QGEMM_MADD)
// Per target: the widened bytes of one operand, lo: bytes 0 and 2 of each lane as int16, hi:
// bytes 1 and 3; vpmaddwd sums pairs into int32 exactly.
#if HWY_TARGET == HWY_AVX3
#define INLAY_QGEMM_X(name) _mm512_##name
#define INLAY_QGEMM_AND _mm512_and_si512
using RawI = __m512i;
#elif HWY_TARGET == HWY_AVX2
#define INLAY_QGEMM_X(name) _mm256_##name
#define INLAY_QGEMM_AND _mm256_and_si256
using RawI = __m256i;
#else  // 128-bit
#define INLAY_QGEMM_X(name) _mm_##name
#define INLAY_QGEMM_AND _mm_and_si128
using RawI = __m128i;
#endif
struct WideForm {
  struct Prepared {
    VI lo, hi;
  };
#if HWY_TARGET == HWY_AVX3
  static constexpr std::size_t kRows = 6, kPanels = 2;  // 12 accumulators, 4 widened B, 2 A
#elif HWY_TARGET == HWY_AVX2
  static constexpr std::size_t kRows = 4, kPanels = 1;  // 8 accumulators of 16
#else
  static constexpr std::size_t kRows = 2, kPanels = 1;
#endif
  static constexpr std::uint8_t kPadA = 0;
  static HWY_INLINE Prepared PrepareB(VI b) {
    const RawI r = b.raw;
    return {VI{INLAY_QGEMM_X(srai_epi16)(INLAY_QGEMM_X(slli_epi16)(r, 8), 8)},
            VI{INLAY_QGEMM_X(srai_epi16)(r, 8)}};
  }
  static HWY_INLINE Prepared PrepareA(std::int32_t word) {
    const RawI r = hn::Set(DI(), word).raw;
    return {VI{INLAY_QGEMM_AND(r, INLAY_QGEMM_X(set1_epi16)(0xFF))},
            VI{INLAY_QGEMM_X(srli_epi16)(r, 8)}};
  }
  // Each product pair added to the accumulator in turn (int32 sums wrap alike in any order): one
  // temporary register instead of two.
  static HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
    const RawI s = INLAY_QGEMM_X(add_epi32)(acc.raw, INLAY_QGEMM_X(madd_epi16)(a.lo.raw, b.lo.raw));
    return VI{INLAY_QGEMM_X(add_epi32)(s, INLAY_QGEMM_X(madd_epi16)(a.hi.raw, b.hi.raw))};
  }
};
#if defined(INLAY_QGEMM_MADDUBS)
// The 7-bit forms (see QgemmNarrow): vpmaddubsw multiplies unsigned bytes by signed bytes and
// sums pairs into int16, exact while the signed ones lie in [-64, 63] (|sum| <= 2 * 255 * 64 =
// 32640); vpmaddwd by ones then sums the two pairs of each lane into int32. Two vpmaddubsw
// results may not be added in int16 first: 4 * 255 * 64 > 32767.
HWY_INLINE VI DotBytes(VI acc, VI u, VI s) {
  const RawI pairs = INLAY_QGEMM_X(maddubs_epi16)(u.raw, s.raw);
  return VI{INLAY_QGEMM_X(add_epi32)(
      acc.raw, INLAY_QGEMM_X(madd_epi16)(pairs, INLAY_QGEMM_X(set1_epi16)(1)))};
}
struct NarrowTile {
  struct Prepared {
    VI v;
  };
#if HWY_TARGET == HWY_AVX3
  static constexpr std::size_t kRows = 8, kPanels = 2;  // 16 accumulators of 32
#elif HWY_TARGET == HWY_AVX2
  // 12 accumulators of 16: 6 rows ran 8-10 % faster than 4 or 8 (Zen 4, docs/bench.md).
  static constexpr std::size_t kRows = 6, kPanels = 1;
#else
  static constexpr std::size_t kRows = 2, kPanels = 1;  // 8 accumulators, 4 B of 16
#endif
};
// B narrow: A's bytes unsigned, B's signed.
struct NarrowBForm : NarrowTile {
  static constexpr std::uint8_t kPadA = 0;
  static HWY_INLINE Prepared PrepareB(VI b) { return {b}; }
  static HWY_INLINE Prepared PrepareA(std::int32_t word) { return {hn::Set(DI(), word)}; }
  static HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
    return DotBytes(acc, a.v, b.v);
  }
};
// A narrow: both flipped, B + 128 unsigned by A - 128 signed; ShiftedSums restores the sums.
// The padding of A is 128, flipped 0, so that the padding of B (0, flipped 128) adds nothing.
struct NarrowAForm : NarrowTile {
  static constexpr std::uint8_t kPadA = 128;
  static HWY_INLINE Prepared PrepareB(VI b) {
    return {hn::Xor(b, hn::Set(DI(), static_cast<std::int32_t>(0x80808080u)))};
  }
  // Flipped after the broadcast: a broadcast straight from memory costs no shuffle.
  static HWY_INLINE Prepared PrepareA(std::int32_t word) {
    return {hn::Xor(hn::Set(DI(), word), hn::Set(DI(), static_cast<std::int32_t>(0x80808080u)))};
  }
  static HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
    return DotBytes(acc, b.v, a.v);
  }
};
#endif
// The word form (qgemm with a plain B, RunWords below): both operands widened to int16 with their
// zero points subtracted before the loop (|a - za|, |b - zb| <= 255, so a pair sum is exact in
// int32), A once per call and B while it is packed. Each step of 2 values is then one broadcast
// load, one vpmaddwd and one add per accumulator, where WideForm spends four more operations per
// 4 values on widening inside the loop.
struct WordForm {
#if HWY_TARGET == HWY_AVX3
  static constexpr std::size_t kRows = 12, kPanels = 2;  // 24 accumulators of 32
#elif HWY_TARGET == HWY_AVX2
  static constexpr std::size_t kRows = 6, kPanels = 1;  // 12 accumulators of 16, 2 B, 1 A
#else
  static constexpr std::size_t kRows = 2, kPanels = 1;  // 8 accumulators, 4 B of 16, 1 A
#endif
  static HWY_INLINE VI Dot(VI acc, VI a, VI b) {
    return VI{INLAY_QGEMM_X(add_epi32)(acc.raw, INLAY_QGEMM_X(madd_epi16)(a.raw, b.raw))};
  }
};
#undef INLAY_QGEMM_X
#undef INLAY_QGEMM_AND
#else
// Generic: each byte extended to an int32 lane (shifts), four multiplies.
struct WideForm {
  struct Prepared {
    VI v[4];
  };
  static constexpr std::size_t kRows = 2, kPanels = 1;
  static constexpr std::uint8_t kPadA = 0;
  static HWY_INLINE Prepared PrepareB(VI b) {
    return {{hn::ShiftRight<24>(hn::ShiftLeft<24>(b)), hn::ShiftRight<24>(hn::ShiftLeft<16>(b)),
             hn::ShiftRight<24>(hn::ShiftLeft<8>(b)), hn::ShiftRight<24>(b)}};
  }
  static HWY_INLINE Prepared PrepareA(std::int32_t word) {
    const VI a = hn::Set(DI(), word), mask = hn::Set(DI(), 0xFF);
    return {{hn::And(a, mask), hn::And(hn::ShiftRight<8>(a), mask),
             hn::And(hn::ShiftRight<16>(a), mask), hn::And(hn::ShiftRight<24>(a), mask)}};
  }
  static HWY_INLINE VI Dot(VI acc, const Prepared& a, const Prepared& b) {
    for (int r = 0; r < 4; ++r) acc = hn::Add(acc, hn::Mul(a.v[r], b.v[r]));
    return acc;
  }
};
#endif

HWY_INLINE std::int32_t LoadWord(const std::uint8_t* p) {
  std::int32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// acc (Form::kRows x tile columns, row-major) = A rows (row pointers, k bytes each) times the
// packed panels starting at `b` (panel stride panel_bytes). The last, partial group of 4 reads
// A through a copy padded with Form::kPadA.
template <class Form>
HWY_INLINE void MicroKernel(const std::uint8_t* const* rows, std::size_t k, const std::int8_t* b,
                            std::size_t panel_bytes, std::int32_t* HWY_RESTRICT acc) {
  constexpr std::size_t kRows = Form::kRows, kVecs = Form::kPanels * kVecsPerPanel;
  constexpr std::size_t kTileCols = Form::kPanels * qgemm_panel_width;
  using Prepared = typename Form::Prepared;
  const DI d;
  VI c[kRows][kVecs];
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t v = 0; v < kVecs; ++v) c[r][v] = hn::Zero(d);
  }
  const std::size_t full = k / 4;
  // A's words are broadcast straight from memory (a load, no shuffle); gathering them first into
  // an array made the compiler build them in registers and spill accumulators.
  auto step = [&](std::size_t t, const std::uint8_t* const* a, std::size_t at) HWY_ATTR {
    Prepared pb[kVecs];
    for (std::size_t v = 0; v < kVecs; ++v) {
      const std::int8_t* p =
          b + (v / kVecsPerPanel) * panel_bytes + t * 64 + (v % kVecsPerPanel) * kLanes * 4;
      pb[v] = Form::PrepareB(hn::LoadU(d, reinterpret_cast<const std::int32_t*>(p)));
    }
    for (std::size_t r = 0; r < kRows; ++r) {
      const Prepared pa = Form::PrepareA(LoadWord(a[r] + at));
      for (std::size_t v = 0; v < kVecs; ++v) c[r][v] = Form::Dot(c[r][v], pa, pb[v]);
    }
  };
  for (std::size_t t = 0; t < full; ++t) step(t, rows, 4 * t);
  if (k % 4 != 0) {
    std::uint8_t tails[kRows][4];
    const std::uint8_t* tail_rows[kRows];
    for (std::size_t r = 0; r < kRows; ++r) {
      std::memset(tails[r], Form::kPadA, 4);
      std::memcpy(tails[r], rows[r] + 4 * full, k % 4);
      tail_rows[r] = tails[r];
    }
    step(full, tail_rows, 0);
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

// The per-column values of one tile (of the widest form), zero past the last column of C.
struct TileColumns {
  HWY_ALIGN std::int32_t col_sums[kMaxTileCols];
  HWY_ALIGN std::int32_t b_zero[kMaxTileCols];
  HWY_ALIGN std::int32_t bias[kMaxTileCols];
  HWY_ALIGN float scale[kMaxTileCols];
  HWY_ALIGN float float_bias[kMaxTileCols];
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
  bool need_row_sums;  // some zero point of B is not 0
};

// Writes rows [i0, i0 + rows) of the tile starting at column j0 (width cols, of kTileCols) from
// acc.
template <std::size_t kTileCols>
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
  for (std::size_t x = 0; x < kMaxTileCols; ++x) {
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

// The 7-bit form with a narrow A multiplies a' = a - 128 by b' = b + 128 (pads: a' 0, b' 128),
// and sum a b = sum a' b' - 128 rowsum(a) + 128 colsum(b) + 16384 k over the k real terms
// (a b = (a' + 128)(b' - 128) term by term), in wrapping int32 like every sum here.
template <std::size_t kRows, std::size_t kTileCols>
HWY_INLINE void ShiftedSums(std::size_t k, const TileColumns& tc, const std::int32_t* row_sums,
                            std::size_t rows, std::int32_t* acc) {
  const DI d;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto shift = static_cast<std::int32_t>(static_cast<std::uint32_t>(k) * 16384u -
                                                 static_cast<std::uint32_t>(row_sums[r]) * 128u);
    const VI vs = hn::Set(d, shift);
    for (std::size_t j = 0; j < kTileCols; j += kLanes) {
      const VI v = hn::LoadU(d, acc + r * kTileCols + j);
      const VI cs = hn::ShiftLeft<7>(hn::Load(d, tc.col_sums + j));
      hn::StoreU(hn::Add(hn::Add(v, cs), vs), d, acc + r * kTileCols + j);
    }
  }
}

constexpr std::size_t kBlockRows = 48;   // a multiple of every kRows
constexpr std::size_t kBlockCols = 256;  // a multiple of every tile width

// One block of C: rows [i0, i1), columns [j0, j1), in the dot form Form (shifted: NarrowAForm).
template <class Form, bool kShifted>
HWY_INLINE void Block(const Problem& pr, std::size_t i0, std::size_t i1, std::size_t j0,
                      std::size_t j1) {
  constexpr std::size_t kRows = Form::kRows, kTileCols = Form::kPanels * qgemm_panel_width;
  static_assert(kBlockRows % kRows == 0 && kBlockCols % kTileCols == 0, "tile does not divide");
  HWY_ALIGN std::int32_t row_sums[kBlockRows];
  if (pr.need_row_sums || kShifted) {
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
      MicroKernel<Form>(a_rows, pr.k, b, panel_bytes, acc);
      if (kShifted) ShiftedSums<kRows, kTileCols>(pr.k, tc, row_sums + (i - i0), rows, acc);
      Epilogue<kTileCols>(pr, tc, i, rows, j, cols, acc, row_sums + (i - i0));
    }
  }
}

// block(i0, i1, j0, j1) for each block of kBlockRows rows by block_cols columns of C, on the
// executor when the work pays for it.
template <class F>
HWY_INLINE void ForEachBlock(std::size_t m, std::size_t n, std::size_t k, std::size_t block_cols,
                             Executor* executor, const F& block) {
  const std::size_t row_blocks = (m + kBlockRows - 1) / kBlockRows;
  const std::size_t col_blocks = (n + block_cols - 1) / block_cols;
  parallel_for(executor_for_work(executor, m * n * k), row_blocks * col_blocks,
               [&](std::size_t t) HWY_ATTR {
                 const std::size_t rb = t % row_blocks, cb = t / row_blocks;
                 block(rb * kBlockRows, std::min(m, (rb + 1) * kBlockRows), cb * block_cols,
                       std::min(n, (cb + 1) * block_cols));
               });
}

template <class Form, bool kShifted>
HWY_INLINE void Run(const Problem& pr, Executor* executor) {
  ForEachBlock(pr.m, pr.n, pr.k, kBlockCols, executor,
               [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1)
                   HWY_ATTR { Block<Form, kShifted>(pr, i0, i1, j0, j1); });
}

#if defined(INLAY_QGEMM_MADD)
// The word form's operands: A as m rows of k2 (k rounded up to even) int16 a - za, B packed like
// the bytes (panels of qgemm_panel_width columns, an even number of panels) but one 32-bit lane
// per 2 values: op(B)(2t + r, 16q + x) - zb is b16[q * 16 * k2 + t * 32 + x * 2 + r]. Padding is 0.
constexpr std::size_t kChunkPairs = 128;

struct WordOperands {
  const std::int16_t* a;
  const std::int16_t* b;
  std::size_t k2;
};

HWY_INLINE std::int32_t LoadPair(const std::int16_t* p) {
  std::int32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// acc (kRows x tile columns, row-major) = (acc if `add`, else 0) + the word rows times the
// packed word panels at b, over `pairs` pairs of values.
HWY_INLINE void MicroKernelWords(const std::int16_t* const* rows, std::size_t pairs,
                                 const std::int16_t* b, std::size_t panel_elems, bool add,
                                 std::int32_t* HWY_RESTRICT acc) {
  constexpr std::size_t kRows = WordForm::kRows, kVecs = WordForm::kPanels * kVecsPerPanel;
  constexpr std::size_t kTileCols = WordForm::kPanels * qgemm_panel_width;
  const DI d;
  VI c[kRows][kVecs];
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t v = 0; v < kVecs; ++v)
      c[r][v] = add ? hn::LoadU(d, acc + r * kTileCols + v * kLanes) : hn::Zero(d);
  }
  for (std::size_t t = 0; t < pairs; ++t) {
    VI pb[kVecs];
    for (std::size_t v = 0; v < kVecs; ++v) {
      const std::int16_t* p =
          b + (v / kVecsPerPanel) * panel_elems + t * 32 + (v % kVecsPerPanel) * kLanes * 2;
      pb[v] = hn::LoadU(d, reinterpret_cast<const std::int32_t*>(p));
    }
    for (std::size_t r = 0; r < kRows; ++r) {
      const VI pa = hn::Set(d, LoadPair(rows[r] + 2 * t));
      for (std::size_t v = 0; v < kVecs; ++v) c[r][v] = WordForm::Dot(c[r][v], pa, pb[v]);
    }
  }
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t v = 0; v < kVecs; ++v)
      hn::StoreU(c[r][v], d, acc + r * kTileCols + v * kLanes);
  }
}

// One block of C in the word form; pr carries the epilogue (its zero points are already in the
// operands).
HWY_INLINE void BlockWords(const Problem& pr, const WordOperands& w, std::size_t i0, std::size_t i1,
                           std::size_t j0, std::size_t j1) {
  constexpr std::size_t kRows = WordForm::kRows;
  constexpr std::size_t kTileCols = WordForm::kPanels * qgemm_panel_width;
  static_assert(kBlockRows % kRows == 0 && kBlockCols % kTileCols == 0, "tile does not divide");
  const std::size_t panel_elems = qgemm_panel_width * w.k2, pairs = w.k2 / 2;
  // The sums of a strip of the block (its rows by one tile of columns), built over chunks of
  // kChunkPairs pairs: the chunk of the B panel (8 KiB on AVX2) stays in L1 while every row group
  // of the strip passes over it.
  HWY_ALIGN std::int32_t acc[kBlockRows * kTileCols];
  TileColumns tc;
  for (std::size_t j = j0; j < j1; j += kTileCols) {
    const std::size_t cols = std::min(kTileCols, j1 - j);
    const std::int16_t* b = w.b + (j / qgemm_panel_width) * panel_elems;
    for (std::size_t t0 = 0; t0 == 0 || t0 < pairs; t0 += kChunkPairs) {
      const std::size_t chunk = std::min(kChunkPairs, pairs - t0);
      for (std::size_t i = i0; i < i1; i += kRows) {
        const std::size_t rows = std::min(kRows, i1 - i);
        const std::int16_t* a_rows[kRows];
        for (std::size_t r = 0; r < kRows; ++r)
          a_rows[r] = w.a + (i + std::min(r, rows - 1)) * w.k2 + 2 * t0;
        MicroKernelWords(a_rows, chunk, b + t0 * 32, panel_elems, t0 > 0,
                         acc + (i - i0) * kTileCols);
      }
    }
    FillTileColumns(pr, j, cols, tc);
    for (std::size_t i = i0; i < i1; i += kRows) {
      Epilogue<kTileCols>(pr, tc, i, std::min(kRows, i1 - i), j, cols, acc + (i - i0) * kTileCols,
                          nullptr);
    }
  }
}

// Word panels [q0, q1) of op(B) (bytes, uint8 when b_unsigned, else int8) minus the zero points,
// which come in the kernel's form (zb[j], per column when zb_per_column: for a uint8 B the
// zero point minus 128, see qgemm.hpp) and go back to the bytes' own: value - zero. Plain B's
// full panels go 2 rows at a time across the panels (each row read in whole cache lines): 16
// bytes of each row extended to int16, the zero points subtracted, the two rows interleaved into
// 16 lanes of 2 values.
HWY_INLINE void PackWordPanels(bool trans_b, std::size_t n, std::size_t k, const std::uint8_t* b,
                               std::size_t ldb, bool b_unsigned, const std::int32_t* zb,
                               bool zb_per_column, std::size_t k2, std::int16_t* out,
                               std::size_t q0, std::size_t q1) {
  const std::int32_t shift = b_unsigned ? 128 : 0;
  const auto zero_of = [&](std::size_t j) {
    return (zb == nullptr ? 0 : zb[zb_per_column ? j : 0]) + shift;
  };
  std::size_t full_end = q0;  // panels [q0, full_end) have their first 2 * (k / 2) rows packed
  if (!trans_b) full_end = std::max(q0, std::min(q1, n / qgemm_panel_width));
  const std::size_t done = full_end > q0 ? k / 2 : 0;
  for (std::size_t q = q0; q < full_end && done > 0; ++q) {
    const std::size_t j0 = q * qgemm_panel_width;
    HWY_ALIGN std::int16_t z[qgemm_panel_width];
    for (std::size_t x = 0; x < qgemm_panel_width; ++x) {
      z[x] = static_cast<std::int16_t>(zero_of(j0 + x));
    }
    std::int16_t* dst = out + j0 * k2;
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3
    // One row's 16 bytes extend into one vector; unpacking works within 128-bit halves (columns
    // 0-3 and 8-11 in lo, 4-7 and 12-15 in hi), so the halves are put back in order to store.
    const __m256i vz = _mm256_load_si256(reinterpret_cast<const __m256i*>(z));
    for (std::size_t t = 0; t < done; ++t) {
      __m256i w[2];
      for (std::size_t r = 0; r < 2; ++r) {
        const __m128i v =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + (2 * t + r) * ldb + j0));
        w[r] = _mm256_sub_epi16(b_unsigned ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v), vz);
      }
      const __m256i lo = _mm256_unpacklo_epi16(w[0], w[1]);
      const __m256i hi = _mm256_unpackhi_epi16(w[0], w[1]);
      auto* d = reinterpret_cast<__m256i*>(dst + t * 32);
      _mm256_storeu_si256(d, _mm256_permute2x128_si256(lo, hi, 0x20));
      _mm256_storeu_si256(d + 1, _mm256_permute2x128_si256(lo, hi, 0x31));
    }
#else
    const __m128i z_lo = _mm_load_si128(reinterpret_cast<const __m128i*>(z));
    const __m128i z_hi = _mm_load_si128(reinterpret_cast<const __m128i*>(z + 8));
    const __m128i none = _mm_setzero_si128();
    for (std::size_t t = 0; t < done; ++t) {
      __m128i lo[2], hi[2];
      for (std::size_t r = 0; r < 2; ++r) {
        const __m128i v =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + (2 * t + r) * ldb + j0));
        // Unsigned: bytes unpacked with zeros. Signed: a byte repeated into both halves of a
        // 16-bit lane, shifted down.
        lo[r] =
            b_unsigned ? _mm_unpacklo_epi8(v, none) : _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
        hi[r] =
            b_unsigned ? _mm_unpackhi_epi8(v, none) : _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
        lo[r] = _mm_sub_epi16(lo[r], z_lo);
        hi[r] = _mm_sub_epi16(hi[r], z_hi);
      }
      auto* d = reinterpret_cast<__m128i*>(dst + t * 32);
      _mm_storeu_si128(d + 0, _mm_unpacklo_epi16(lo[0], lo[1]));
      _mm_storeu_si128(d + 1, _mm_unpackhi_epi16(lo[0], lo[1]));
      _mm_storeu_si128(d + 2, _mm_unpacklo_epi16(hi[0], hi[1]));
      _mm_storeu_si128(d + 3, _mm_unpackhi_epi16(hi[0], hi[1]));
    }
#endif
  }
  for (std::size_t q = q0; q < q1; ++q) {
    const std::size_t j0 = q * qgemm_panel_width;
    const std::size_t from = q < full_end ? 2 * done : 0;  // the first row still to pack
    std::int16_t* panel = out + j0 * k2;
    std::memset(panel + from * qgemm_panel_width, 0,
                (k2 - from) * qgemm_panel_width * sizeof(std::int16_t));
    const std::size_t width = j0 < n ? std::min(qgemm_panel_width, n - j0) : 0;
    for (std::size_t p = from; p < k; ++p) {
      for (std::size_t x = 0; x < width; ++x) {
        const std::size_t j = j0 + x;
        const std::uint8_t byte = b[trans_b ? j * ldb + p : p * ldb + j];
        const std::int32_t v = b_unsigned ? byte : static_cast<std::int8_t>(byte);
        panel[(p / 2) * 32 + x * 2 + p % 2] = static_cast<std::int16_t>(v - zero_of(j));
      }
    }
  }
}

// qgemm's word form: A widened (rows on the executor), B packed (groups of 8 panels), then the
// blocks of C.
HWY_INLINE void RunWords(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a,
                         std::size_t lda, bool trans_b, const std::uint8_t* b, std::size_t ldb,
                         bool b_unsigned, const QgemmZeroPoints& zp, const QgemmEpilogue& e,
                         void* workspace, Executor* executor) {
  const std::size_t k2 = (k + 1) / 2 * 2;
  auto* a16 = static_cast<std::int16_t*>(workspace);
  std::int16_t* b16 = a16 + m * k2;
  parallel_for(executor_for_work(executor, m * k * 8), m, [&](std::size_t i) HWY_ATTR {
    const std::int32_t za = zp.a == nullptr ? 0 : zp.a[zp.a_per_row ? i : 0];
    const std::uint8_t* src = a + i * lda;
    std::int16_t* dst = a16 + i * k2;
    for (std::size_t p = 0; p < k; ++p) dst[p] = static_cast<std::int16_t>(src[p] - za);
    if (k2 > k) dst[k] = 0;
  });
  const std::size_t panels = (n + kMaxTileCols - 1) / kMaxTileCols * 2;  // an even number
  constexpr std::size_t group = 8;
  if (k > 0) {
    parallel_for(executor_for_work(executor, n * k * 8), (panels + group - 1) / group,
                 [&](std::size_t g) HWY_ATTR {
                   PackWordPanels(trans_b, n, k, b, ldb, b_unsigned, zp.b, zp.b_per_column, k2, b16,
                                  g * group, std::min(panels, (g + 1) * group));
                 });
  }
  Problem pr{m, n, k, nullptr, 0, nullptr, nullptr, QgemmZeroPoints{}, e, false};
  const WordOperands w{a16, b16, k2};
  ForEachBlock(m, n, k, kBlockCols, executor,
               [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1)
                   HWY_ATTR { BlockWords(pr, w, i0, i1, j0, j1); });
}

// qgemm_packed's word form, for an A with enough rows that widening pays (the B of a MatMul-like
// op, packed as bytes at load): per block of kBlockRows rows by kPackedWordCols columns, each
// chunk of K is widened on the stack, the block's rows of A once and then each tile's panels of B
// from their packed bytes, both with their zero points subtracted (44 KiB of stack on AVX2).
constexpr std::size_t kPackedWordCols = 64;

// Pairs [t0, t0 + chunk) of one byte panel (4 values per lane) as a word panel chunk (2 per lane,
// pair t at out + (t - t0) * 32), minus zb (columns j0 .. j0 + 15; 0 past n, whose products are
// never stored). An odd chunk also writes pair t0 + chunk, which the caller leaves room for.
HWY_INLINE void WidenPanelChunk(const std::int8_t* panel, std::size_t t0, std::size_t chunk,
                                const QgemmZeroPoints& zp, std::size_t j0, std::size_t n,
                                std::int16_t* HWY_RESTRICT out) {
  HWY_ALIGN std::int16_t z[qgemm_panel_width * 4];  // each column's zero point 4 times
  for (std::size_t x = 0; x < qgemm_panel_width; ++x) {
    const std::size_t j = j0 + x;
    const std::int32_t v = zp.b == nullptr || j >= n ? 0 : zp.b[zp.b_per_column ? j : 0];
    for (std::size_t r = 0; r < 4; ++r) z[x * 4 + r] = static_cast<std::int16_t>(v);
  }
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3
  // 16 bytes are 4 columns x 4 values; as int16 their 32-bit lanes are (column, pair) in the
  // order c0p0 c0p1 c1p0 c1p1 ...: the permutation puts the even pairs in the low half.
  const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  for (std::size_t g = t0 / 2; 2 * g < t0 + chunk; ++g) {
    std::int16_t* even = out + (2 * g - t0) * 32;
    for (std::size_t quarter = 0; quarter < 4; ++quarter) {
      const __m128i v =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(panel + g * 64 + quarter * 16));
      const __m256i w = _mm256_permutevar8x32_epi32(
          _mm256_sub_epi16(_mm256_cvtepi8_epi16(v),
                           _mm256_load_si256(reinterpret_cast<const __m256i*>(z + quarter * 16))),
          order);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(even + quarter * 8), _mm256_castsi256_si128(w));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(even + 32 + quarter * 8),
                       _mm256_extracti128_si256(w, 1));
    }
  }
#else
  for (std::size_t t = t0; t < t0 + chunk; ++t) {
    for (std::size_t x = 0; x < qgemm_panel_width; ++x) {
      for (std::size_t r = 0; r < 2; ++r) {
        const std::size_t p = 2 * t + r;
        out[(t - t0) * 32 + x * 2 + r] =
            static_cast<std::int16_t>(panel[(p / 4) * 64 + x * 4 + p % 4] - z[x * 4]);
      }
    }
  }
#endif
}

HWY_INLINE void BlockPackedWords(const Problem& pr, std::size_t i0, std::size_t i1, std::size_t j0,
                                 std::size_t j1) {
  constexpr std::size_t kRows = WordForm::kRows, kPanels = WordForm::kPanels;
  constexpr std::size_t kTileCols = kPanels * qgemm_panel_width;
  constexpr std::size_t kRowLen = 2 * kChunkPairs, kPanelLen = kChunkPairs * 32;
  static_assert(kPackedWordCols % kTileCols == 0 && kChunkPairs % 2 == 0, "chunks do not divide");
  const std::size_t k2 = (pr.k + 1) / 2 * 2, pairs = k2 / 2;
  const std::size_t panel_bytes = qgemm_panel_width * ((pr.k + 3) / 4 * 4);
  HWY_ALIGN std::int16_t a_buf[kBlockRows * kRowLen];
  HWY_ALIGN std::int16_t b_buf[kPanels * kPanelLen];
  // Tile by tile, each a strip of the block's rows with row stride kTileCols.
  HWY_ALIGN std::int32_t acc[kBlockRows * kPackedWordCols];
  for (std::size_t t0 = 0; t0 == 0 || t0 < pairs; t0 += kChunkPairs) {
    const std::size_t chunk = std::min(kChunkPairs, pairs - t0);
    const std::size_t from = 2 * t0, valid = std::min(2 * chunk, pr.k - std::min(pr.k, from));
    for (std::size_t i = i0; i < i1; ++i) {
      const std::int32_t za = pr.zp.a == nullptr ? 0 : pr.zp.a[pr.zp.a_per_row ? i : 0];
      const std::uint8_t* src = pr.a + i * pr.lda + from;
      std::int16_t* dst = a_buf + (i - i0) * kRowLen;
      for (std::size_t p = 0; p < valid; ++p) dst[p] = static_cast<std::int16_t>(src[p] - za);
      for (std::size_t p = valid; p < 2 * chunk; ++p) dst[p] = 0;
    }
    for (std::size_t j = j0; j < j1; j += kTileCols) {
      for (std::size_t q = 0; q < kPanels; ++q) {
        WidenPanelChunk(pr.packed_b + (j / qgemm_panel_width + q) * panel_bytes, t0, chunk, pr.zp,
                        j + q * qgemm_panel_width, pr.n, b_buf + q * kPanelLen);
      }
      std::int32_t* tile = acc + (j - j0) * kBlockRows;
      for (std::size_t i = i0; i < i1; i += kRows) {
        const std::size_t rows = std::min(kRows, i1 - i);
        const std::int16_t* a_rows[kRows];
        for (std::size_t r = 0; r < kRows; ++r)
          a_rows[r] = a_buf + (i - i0 + std::min(r, rows - 1)) * kRowLen;
        MicroKernelWords(a_rows, chunk, b_buf, kPanelLen, t0 > 0, tile + (i - i0) * kTileCols);
      }
    }
  }
  Problem words = pr;  // the zero points are in the operands now
  words.zp = QgemmZeroPoints{};
  words.col_sums = nullptr;
  words.need_row_sums = false;
  TileColumns tc;
  for (std::size_t j = j0; j < j1; j += kTileCols) {
    const std::size_t cols = std::min(kTileCols, j1 - j);
    FillTileColumns(words, j, cols, tc);
    const std::int32_t* tile = acc + (j - j0) * kBlockRows;
    for (std::size_t i = i0; i < i1; i += kRows) {
      Epilogue<kTileCols>(words, tc, i, std::min(kRows, i1 - i), j, cols,
                          tile + (i - i0) * kTileCols, nullptr);
    }
  }
}

HWY_INLINE void RunPackedWords(const Problem& pr, Executor* executor) {
  ForEachBlock(pr.m, pr.n, pr.k, kPackedWordCols, executor,
               [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1)
                   HWY_ATTR { BlockPackedWords(pr, i0, i1, j0, j1); });
}
#endif

}  // namespace qgemm_impl

HWY_NOINLINE void qgemm_packed(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a,
                               std::size_t lda, const std::int8_t* packed_b,
                               const std::int32_t* b_col_sums, const QgemmZeroPoints& zero_points,
                               const QgemmEpilogue& epilogue, Executor* executor,
                               QgemmNarrow narrow) {
  using namespace qgemm_impl;
  Problem pr{m, n, k, a, lda, packed_b, b_col_sums, zero_points, epilogue, false};
  if (zero_points.b != nullptr) {
    const std::size_t count = zero_points.b_per_column ? n : 1;
    for (std::size_t j = 0; j < count; ++j) pr.need_row_sums |= zero_points.b[j] != 0;
  }
#if defined(INLAY_QGEMM_MADDUBS)
  if (narrow == QgemmNarrow::b) return Run<NarrowBForm, false>(pr, executor);
  if (narrow == QgemmNarrow::a) return Run<NarrowAForm, true>(pr, executor);
#else
  (void)narrow;  // VNNI is exact on full bytes; other targets have no narrow form
#endif
#if defined(INLAY_QGEMM_MADD)
  // From two row groups on, the widened chunk of B serves several groups.
  if (narrow == QgemmNarrow::none && m >= 2 * WordForm::kRows) return RunPackedWords(pr, executor);
#endif
  Run<WideForm, false>(pr, executor);
}

// qgemm (a plain B) on this target: the word form where the target multiplies with vpmaddwd,
// unless A fits 7 bits and vpmaddubsw is there (the 7-bit form needs no widening at all);
// otherwise B packed into bytes (with the check for 7 bits) and qgemm_packed's forms.
HWY_NOINLINE void qgemm_plain(std::size_t m, std::size_t n, std::size_t k, const std::uint8_t* a,
                              std::size_t lda, bool trans_b, const std::uint8_t* b, std::size_t ldb,
                              bool b_unsigned, const QgemmZeroPoints& zero_points,
                              const QgemmEpilogue& epilogue, void* workspace, Executor* executor,
                              bool a_narrow) {
  const std::uint8_t flip = b_unsigned ? 0x80 : 0x00;
#if defined(INLAY_QGEMM_MADD)
#if defined(INLAY_QGEMM_MADDUBS)
  if (!a_narrow)
#endif
  {
    return qgemm_impl::RunWords(m, n, k, a, lda, trans_b, b, ldb, b_unsigned, zero_points, epilogue,
                                workspace, executor);
  }
#endif
  // The column sums first: 4-byte aligned when the workspace is.
  auto* col_sums = static_cast<std::int32_t*>(workspace);
  auto* packed = reinterpret_cast<std::int8_t*>(col_sums + n + 1);
  qgemm_detail::pack_panels(trans_b, n, k, b, ldb, flip, packed, col_sums, executor);
  // A narrow A needs no look at B; otherwise a B that packed narrow takes the 7-bit path.
  QgemmNarrow narrow = QgemmNarrow::a;
  if (!a_narrow) {
    narrow = qgemm_detail::bytes_fit_7bit(reinterpret_cast<const std::uint8_t*>(packed),
                                          k == 0 ? 0 : qgemm_packed_b_size(n, k), 64)
                 ? QgemmNarrow::b
                 : QgemmNarrow::none;
  }
  HWY_NAMESPACE::qgemm_packed(m, n, k, a, lda, packed, col_sums, zero_points, epilogue, executor,
                              narrow);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
