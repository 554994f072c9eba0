// Per-target bodies of the gemm kernels (see gemm.hpp). Re-included once per CPU target.
//
// The GEMM follows Goto & van de Geijn, "Anatomy of high-performance matrix multiplication"
// (ACM TOMS 34(3), 2008): K is cut into blocks of kGemmKC; each kGemmKC x kGemmNC block of op(B)
// is packed into panels of gemm_panel_width columns (the layout of gemm_pack_b_f32, so prepacked
// weights use the same loops) and stays in L1/L2 while a block of rows of A sweeps over it; a
// register-blocked micro-kernel computes an MR x NR tile of C with FMAs and the epilogue is
// applied to the tile as it is stored. An MC x KC block of A that serves at least
// kGemmPackAStrips micro-panels of B is packed into micro-panels of MR rows (element (r, p) at
// p * MR + r), so the micro-kernel broadcasts from one contiguous stream: broadcasting from MR
// rows of the caller's matrix (MR streams, rows often 4 KiB apart) held the AVX-512 kernel well
// below the FMA peak (docs/bench.md, "The GEMM's A operand"). A block used for one or two
// micro-panels (Winograd's GEMMs on 28x28 and 14x14 planes: N = 49 and 16 tiles) is read in place,
// where packing would cost more than it saves.
#if defined(INLAY_KERNELS_GEMM_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_GEMM_INL_HPP
#undef INLAY_KERNELS_GEMM_INL_HPP
#else
#define INLAY_KERNELS_GEMM_INL_HPP
#endif

#include <algorithm>
#include <cstddef>

#include <hwy/highway.h>

#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/gemm.hpp"

// Complete unrolling of the register-tile loops, so that the accumulator arrays live in registers
// also at -O2.
#ifndef INLAY_GEMM_UNROLL
#define INLAY_GEMM_UNROLL _Pragma("GCC unroll 16")
#endif

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Blocking of the whole problem, independent of the target and of the threads, so that the direct
// and the prepacked paths and any number of threads add the terms of a dot product in the same
// order. 192 x 64 floats = 48 KiB of packed B on the stack (L1 is 32-48 KiB, L2 1-2 MiB).
constexpr std::size_t kGemmKC = 192;
constexpr std::size_t kGemmNC = 64;
// Tasks take kGemmTaskNC columns, so that a packed MC x KC block of A is used for many
// micro-panels of B before it leaves L2 (B not prepacked is packed kGemmNC columns at a time).
constexpr std::size_t kGemmTaskNC = 8 * kGemmNC;
constexpr std::size_t kGemmPackAStrips = 3;
static_assert(kGemmNC % gemm_panel_width == 0, "an N block is whole panels");

// Register tile of the micro-kernel: MR rows x NV vectors. NR = NV * lanes is 32 columns (two
// panels) with 512-bit vectors and 16 columns (one panel) otherwise; MR * NV accumulators leave
// room for the B vectors and one broadcast of A (16 registers on AVX2/SSE, 32 on AVX-512).
template <class D>
struct GemmTile {
  static constexpr std::size_t kLanes = hn::MaxLanes(D());
  static constexpr std::size_t kNV = kLanes >= gemm_panel_width ? 2 : gemm_panel_width / kLanes;
  static constexpr std::size_t kNR = kNV * kLanes;
  static constexpr std::size_t kMR =
      kLanes >= gemm_panel_width ? 8 : (kLanes >= 8 ? 6 : (kLanes >= 4 ? 3 : 1));
  static_assert(kNR % gemm_panel_width == 0 || gemm_panel_width % kNR == 0,
                "tiles are whole panels");
};

// The problem as the task loops see it: A element (i, p) of op(A) is a[i * rsa + p * csa]; B is
// either the caller's op(B) (packed per block on the stack) or a prepacked buffer.
struct GemmProblem {
  std::size_t k;
  float alpha;
  const float* a;
  std::size_t rsa, csa;
  const float* b;  // unpacked op(B) source, or null when `packed` is set
  std::size_t ldb;
  bool trans_b;
  const float* packed;  // gemm_pack_b_f32 layout of all of op(B), or null
  // When set (and `packed` is null), op(B) is made on the fly: pack_b(b_source, j0, nb, p0, kb,
  // dst) writes rows [p0, p0 + kb) and columns [j0, j0 + nb) of op(B) in pack_b_block's layout
  // (a convolution's column matrix, conv_gemm-inl.hpp); b is unused.
  void (*pack_b)(const void* b_source, std::size_t j0, std::size_t nb, std::size_t p0,
                 std::size_t kb, float* dst);
  const void* b_source;
  float beta;
  float* c;
  std::size_t ldc;
  const GemmEpilogue* epilogue;
};

// out[q * out_ld + y] = src[y * ld + q] for q, y < 4.
static inline void transpose_4x4(const float* src, std::size_t ld, float* out,
                                 std::size_t out_ld = gemm_panel_width) {
#if HWY_TARGET == HWY_SCALAR
  for (std::size_t q = 0; q < 4; ++q) {
    for (std::size_t y = 0; y < 4; ++y) out[q * out_ld + y] = src[y * ld + q];
  }
#else
  const hn::FixedTag<float, 4> d;
  const auto v0 = hn::LoadU(d, src), v1 = hn::LoadU(d, src + ld);
  const auto v2 = hn::LoadU(d, src + 2 * ld), v3 = hn::LoadU(d, src + 3 * ld);
  const auto t0 = hn::InterleaveLower(d, v0, v1);  // v0[0] v1[0] v0[1] v1[1]
  const auto t1 = hn::InterleaveLower(d, v2, v3);  // v2[0] v3[0] v2[1] v3[1]
  const auto t2 = hn::InterleaveUpper(d, v0, v1);  // v0[2] v1[2] v0[3] v1[3]
  const auto t3 = hn::InterleaveUpper(d, v2, v3);  // v2[2] v3[2] v2[3] v3[3]
  hn::StoreU(hn::ConcatLowerLower(d, t1, t0), d, out);
  hn::StoreU(hn::ConcatUpperUpper(d, t1, t0), d, out + out_ld);
  hn::StoreU(hn::ConcatLowerLower(d, t3, t2), d, out + 2 * out_ld);
  hn::StoreU(hn::ConcatUpperUpper(d, t3, t2), d, out + 3 * out_ld);
#endif
}

// Packs rows [p0, p0 + kb) and columns [j0, j0 + nb) of op(B) into panels of gemm_panel_width
// columns: panel q holds columns j0 + 16q .. j0 + 16q + 15, row by row (kb * gemm_panel_width
// floats each); columns past nb are zero.
static inline void pack_b_block(bool trans_b, const float* b, std::size_t ldb, std::size_t j0,
                                std::size_t nb, std::size_t p0, std::size_t kb, float* dst) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t q = 0; q * gemm_panel_width < nb; ++q) {
    float* panel = dst + q * kb * gemm_panel_width;
    const std::size_t jq = j0 + q * gemm_panel_width;
    const std::size_t w = std::min(gemm_panel_width, nb - q * gemm_panel_width);
    if (!trans_b) {
      // op(B) = B: each panel row is a contiguous piece of a row of B.
      for (std::size_t p = 0; p < kb; ++p) {
        const float* src = b + (p0 + p) * ldb + jq;
        float* out = panel + p * gemm_panel_width;
        if (w == gemm_panel_width && lanes <= gemm_panel_width) {
          for (std::size_t x = 0; x < gemm_panel_width; x += lanes) {
            hn::StoreU(hn::LoadU(d, src + x), d, out + x);
          }
        } else {
          for (std::size_t x = 0; x < gemm_panel_width; ++x) out[x] = x < w ? src[x] : 0.0f;
        }
      }
    } else {
      // op(B) = B^T: column jq + x of op(B) is row jq + x of B, contiguous along p. Four rows
      // of B at a time are transposed in 4 x 4 blocks.
      const float* src = b + jq * ldb + p0;
      for (std::size_t x = 0; x < gemm_panel_width; x += 4) {
        float* out = panel + x;
        std::size_t p = 0;
        if (x + 4 <= w) {
          for (; p + 4 <= kb; p += 4) {
            transpose_4x4(src + x * ldb + p, ldb, out + p * gemm_panel_width);
          }
        }
        for (; p < kb; ++p) {
          for (std::size_t y = 0; y < 4; ++y) {
            out[p * gemm_panel_width + y] = x + y < w ? src[(x + y) * ldb + p] : 0.0f;
          }
        }
      }
    }
  }
}

// tile[MR x NV * lanes] = sum over p < kc of op(A)(i, p) * B(p, j). `a` points at element (0, 0)
// of the tile's rows of A, in place (row i read at a_off[i]; rows past the edge repeat the last
// one, their results are dropped) or packed by gemm_pack_a_block (a_off null, csa = the panel's
// row count GemmTile::kMR: the loop then addresses A with constants, which frees the MR offset
// registers, one of which was spilled on every step). b0/b1 are the panels of the tile's
// first/second 16 columns (b1 unused when NV * lanes = 16).
template <std::size_t MR, std::size_t NV, class D>
HWY_INLINE void gemm_accumulate(D d, std::size_t kc, const float* HWY_RESTRICT a,
                                const std::size_t* a_off, std::size_t csa,
                                const float* HWY_RESTRICT b0, const float* HWY_RESTRICT b1,
                                hn::Vec<D>* acc) {
  constexpr std::size_t L = GemmTile<D>::kLanes;
  using V = hn::Vec<D>;
  INLAY_GEMM_UNROLL
  for (std::size_t r = 0; r < MR * NV; ++r) acc[r] = hn::Zero(d);
  // acc += A(:, p) * B(p, :) with A(i, p) = ap[row(i)].
  const auto step = [&](std::size_t p, const float* ap, auto row) HWY_ATTR {
    V bv[NV];
    INLAY_GEMM_UNROLL
    for (std::size_t v = 0; v < NV; ++v) {
      const float* panel = (v * L) / gemm_panel_width == 0 ? b0 : b1;
      bv[v] = hn::LoadU(d, panel + p * gemm_panel_width + (v * L) % gemm_panel_width);
    }
    INLAY_GEMM_UNROLL
    for (std::size_t i = 0; i < MR; ++i) {
      const V ai = hn::Set(d, ap[row(i)]);
      INLAY_GEMM_UNROLL
      for (std::size_t v = 0; v < NV; ++v) acc[i * NV + v] = hn::MulAdd(ai, bv[v], acc[i * NV + v]);
    }
  };
  if (a_off == nullptr) {
    for (std::size_t p = 0; p < kc; ++p) step(p, a + p * csa, [](std::size_t i) { return i; });
    return;
  }
  std::size_t off[MR];
  INLAY_GEMM_UNROLL
  for (std::size_t i = 0; i < MR; ++i) off[i] = a_off[i];
  for (std::size_t p = 0; p < kc; ++p) {
    step(p, a + p * csa, [&off](std::size_t i) { return off[i]; });
  }
}

template <std::size_t MR, std::size_t NV, class D>
HWY_NOINLINE void gemm_micro_kernel(D d, std::size_t kc, const float* HWY_RESTRICT a,
                                    const std::size_t* a_off, std::size_t csa,
                                    const float* HWY_RESTRICT b0, const float* HWY_RESTRICT b1,
                                    float* HWY_RESTRICT tile) {
  constexpr std::size_t L = GemmTile<D>::kLanes;
  hn::Vec<D> acc[MR * NV];
  gemm_accumulate<MR, NV>(d, kc, a, a_off, csa, b0, b1, acc);
  INLAY_GEMM_UNROLL
  for (std::size_t r = 0; r < MR * NV; ++r) hn::Store(acc[r], d, tile + r * L);
}

// How a whole tile is stored straight from the registers (the same operations, in the same order,
// as gemm_store_tile, so both give the same bits): C = act(alpha * acc + beta * C + bias).
enum class GemmDirectAct { none, relu, clip };
struct GemmDirectStore {
  float* c;  // the tile's first element
  std::size_t ldc;
  float alpha, beta;
  bool read_c;
  const float* row_bias;  // MR values (per-row bias), or null
  const float* col_bias;  // NR values (per-column bias), or null
  float lo, hi;           // clip bounds
};

// Which tiles may take the direct store: the epilogue's activation must be one the store applies
// in registers (the ones CNNs fuse), or not applied in this K block.
inline bool gemm_direct_act(const GemmEpilogue& ep, bool last, GemmDirectAct* act) {
  if (!last || ep.activation.op == UnaryOp::identity) {
    *act = GemmDirectAct::none;
  } else if (ep.activation.op == UnaryOp::relu) {
    *act = GemmDirectAct::relu;
  } else if (ep.activation.op == UnaryOp::clip) {
    *act = GemmDirectAct::clip;
  } else {
    return false;
  }
  return true;
}

template <GemmDirectAct kAct, std::size_t MR, std::size_t NV, class D>
HWY_NOINLINE void gemm_micro_kernel_direct(D d, std::size_t kc, const float* HWY_RESTRICT a,
                                           const std::size_t* a_off, std::size_t csa,
                                           const float* HWY_RESTRICT b0,
                                           const float* HWY_RESTRICT b1,
                                           const GemmDirectStore& st) {
  constexpr std::size_t L = GemmTile<D>::kLanes;
  using V = hn::Vec<D>;
  V acc[MR * NV];
  gemm_accumulate<MR, NV>(d, kc, a, a_off, csa, b0, b1, acc);
  const V alpha = hn::Set(d, st.alpha), beta = hn::Set(d, st.beta);
  INLAY_GEMM_UNROLL
  for (std::size_t i = 0; i < MR; ++i) {
    float* crow = st.c + i * st.ldc;
    INLAY_GEMM_UNROLL
    for (std::size_t v = 0; v < NV; ++v) {
      V r = hn::Mul(alpha, acc[i * NV + v]);
      if (st.read_c) r = hn::MulAdd(beta, hn::LoadU(d, crow + v * L), r);
      if (st.row_bias != nullptr) r = hn::Add(r, hn::Set(d, st.row_bias[i]));
      if (st.col_bias != nullptr) r = hn::Add(r, hn::LoadU(d, st.col_bias + v * L));
      if constexpr (kAct == GemmDirectAct::relu) r = ReluOp{}(d, r);
      if constexpr (kAct == GemmDirectAct::clip) r = ClipOp{st.lo, st.hi}(d, r);
      hn::StoreU(r, d, crow + v * L);
    }
  }
}

// Stores the mr x nr corner of a tile (row stride nr_full) into C: alpha * tile + beta * C for the
// first K block, C + alpha * tile for the others; bias and activation after the last one.
template <class D>
static void gemm_store_tile(D d, const float* tile, std::size_t nr_full, std::size_t mr,
                            std::size_t nr, const GemmProblem& g, std::size_t i0, std::size_t j0,
                            bool first, bool last) {
  using V = hn::Vec<D>;
  const std::size_t lanes = hn::Lanes(d);
  const GemmEpilogue& ep = *g.epilogue;
  const bool read_c = !first || g.beta != 0.0f;
  const V alpha = hn::Set(d, g.alpha);
  const V beta = hn::Set(d, first ? g.beta : 1.0f);
  const bool add_bias = last && ep.bias_kind != BiasKind::none;
  HWY_ALIGN float part[hn::MaxLanes(d)];  // the tail of a row, so that C is never overrun
  for (std::size_t i = 0; i < mr; ++i) {
    float* crow = g.c + (i0 + i) * g.ldc + j0;
    const V row_bias = hn::Set(d, ep.bias_kind == BiasKind::per_row ? ep.bias[i0 + i] : 0.0f);
    for (std::size_t j = 0; j < nr; j += lanes) {
      const std::size_t w = std::min(lanes, nr - j);
      const bool whole = w == lanes;
      V r = hn::Mul(alpha, hn::Load(d, tile + i * nr_full + j));
      if (read_c) {
        V cv;
        if (whole) {
          cv = hn::LoadU(d, crow + j);
        } else {
          std::copy(crow + j, crow + j + w, part);
          std::fill(part + w, part + lanes, 0.0f);
          cv = hn::Load(d, part);
        }
        r = hn::MulAdd(beta, cv, r);
      }
      if (add_bias) {
        if (ep.bias_kind == BiasKind::per_row) {
          r = hn::Add(r, row_bias);
        } else if (whole) {
          r = hn::Add(r, hn::LoadU(d, ep.bias + j0 + j));
        } else {
          std::copy(ep.bias + j0 + j, ep.bias + j0 + j + w, part);
          std::fill(part + w, part + lanes, 0.0f);
          r = hn::Add(r, hn::Load(d, part));
        }
      }
      if (whole) {
        hn::StoreU(r, d, crow + j);
      } else {
        hn::Store(r, d, part);
        std::copy(part, part + w, crow + j);
      }
    }
    if (last && ep.activation.op != UnaryOp::identity) activate_f32(crow, crow, nr, ep.activation);
  }
}

// One MR x (NV * lanes) tile of C at (i, j) from K block [p0, p0 + kb), of which mr x nr are
// kept: stored straight from the registers when it is whole and the epilogue allows it
// (`direct`), else through `tile` and gemm_store_tile.
template <std::size_t MR, std::size_t NV, class D>
HWY_INLINE void gemm_tile(D d, const GemmProblem& g, std::size_t i, std::size_t j, std::size_t mr,
                          std::size_t nr, std::size_t kb, const float* ai, const std::size_t* offs,
                          std::size_t csa, const float* b0, const float* b1, bool first, bool last,
                          bool direct, GemmDirectAct act, GemmDirectStore& st, float* tile) {
  constexpr std::size_t L = GemmTile<D>::kLanes;
  const GemmEpilogue& ep = *g.epilogue;
  if (direct && mr == MR && nr == NV * L) {
    st.c = g.c + i * g.ldc + j;
    st.row_bias = ep.bias_kind == BiasKind::per_row && last ? ep.bias + i : nullptr;
    st.col_bias = ep.bias_kind == BiasKind::per_column && last ? ep.bias + j : nullptr;
    switch (act) {
      case GemmDirectAct::none:
        gemm_micro_kernel_direct<GemmDirectAct::none, MR, NV>(d, kb, ai, offs, csa, b0, b1, st);
        break;
      case GemmDirectAct::relu:
        gemm_micro_kernel_direct<GemmDirectAct::relu, MR, NV>(d, kb, ai, offs, csa, b0, b1, st);
        break;
      case GemmDirectAct::clip:
        gemm_micro_kernel_direct<GemmDirectAct::clip, MR, NV>(d, kb, ai, offs, csa, b0, b1, st);
        break;
    }
    return;
  }
  gemm_micro_kernel<MR, NV>(d, kb, ai, offs, csa, b0, b1, tile);
  gemm_store_tile(d, tile, NV * L, mr, nr, g, i, j, first, last);
}

// A tile of mr <= GemmTile::kMR rows: the last rows of a short C (49 pixels of a 7x7 plane are 6
// tiles of 8 and one of 1) run a kernel of 1 row, or of kMR / 2 rows where kMR >= 8, instead of
// computing kMR.
template <std::size_t NV, class D>
HWY_INLINE void gemm_tile_rows(D d, const GemmProblem& g, std::size_t i, std::size_t j,
                               std::size_t mr, std::size_t nr, std::size_t kb, const float* ai,
                               const std::size_t* offs, std::size_t csa, const float* b0,
                               const float* b1, bool first, bool last, bool direct,
                               GemmDirectAct act, GemmDirectStore& st, float* tile) {
  constexpr std::size_t MR = GemmTile<D>::kMR, kHalf = MR >= 8 ? MR / 2 : MR;
  if (MR > 1 && mr == 1) {
    gemm_tile<1, NV>(d, g, i, j, mr, nr, kb, ai, offs, csa, b0, b1, first, last, direct, act, st,
                     tile);
  } else if (mr <= kHalf) {
    gemm_tile<kHalf, NV>(d, g, i, j, mr, nr, kb, ai, offs, csa, b0, b1, first, last, direct, act,
                         st, tile);
  } else {
    gemm_tile<MR, NV>(d, g, i, j, mr, nr, kb, ai, offs, csa, b0, b1, first, last, direct, act, st,
                      tile);
  }
}

// Packs rows [i0, i1) and columns [p0, p0 + kb) of op(A) into micro-panels of MR rows: panel t
// holds rows i0 + t * MR .., element (r, p) at t * kb * MR + p * MR + r. Rows past i1 repeat the
// last row (their results are computed and dropped).
template <std::size_t MR>
static void gemm_pack_a_block(const GemmProblem& g, std::size_t i0, std::size_t i1, std::size_t p0,
                              std::size_t kb, float* dst) {
  for (std::size_t i = i0; i < i1; i += MR, dst += kb * MR) {
    const std::size_t mr = std::min(MR, i1 - i);
    const float* a = g.a + i * g.rsa + p0 * g.csa;
    std::size_t r = 0;
    if (g.rsa == 1 && mr == MR) {  // op(A) = A^T: the MR values of one p are contiguous
      for (std::size_t p = 0; p < kb; ++p) {
        std::copy(a + p * g.csa, a + p * g.csa + MR, dst + p * MR);
      }
      continue;
    }
    if (g.csa == 1) {  // rows of op(A) are contiguous: 4 x 4 transposes of whole row groups
      for (; r + 4 <= mr; r += 4) {
        std::size_t p = 0;
        for (; p + 4 <= kb; p += 4) transpose_4x4(a + r * g.rsa + p, g.rsa, dst + p * MR + r, MR);
        for (; p < kb; ++p) {
          for (std::size_t y = 0; y < 4; ++y) dst[p * MR + r + y] = a[(r + y) * g.rsa + p];
        }
      }
    }
    for (; r < MR; ++r) {
      const float* row = a + std::min(r, mr - 1) * g.rsa;
      for (std::size_t p = 0; p < kb; ++p) dst[p * MR + r] = row[p * g.csa];
    }
  }
}

// Rows [i0, i1) and columns [j0, j0 + nb) of C; j0 is a multiple of gemm_panel_width. Unless B is
// prepacked, its KC x kGemmNC sub-blocks are packed on the stack, once per block of MC rows (once
// in all when B is made on the fly by pack_b).
static void gemm_task(const GemmProblem& g, std::size_t i0, std::size_t i1, std::size_t j0,
                      std::size_t nb) {
  const hn::ScalableTag<float> d;
  using Tile = GemmTile<decltype(d)>;
  // MC x KC of packed A and KC x kGemmNC of packed B live on the stack (48 KiB each with
  // AVX-512): a heap buffer per thread would make a later run allocate when a pool thread packs
  // for the first time (Session::run allocates nothing once its shapes are planned).
  constexpr std::size_t MR = Tile::kMR, NR = Tile::kNR, MC = 8 * MR;
  HWY_ALIGN float tile[MR * NR];
  HWY_ALIGN float bbuf[kGemmKC * kGemmNC];  // the packed B block when B is not prepacked
  HWY_ALIGN float apack[MC * kGemmKC];
  // A is packed when its blocks serve enough micro-panels of B (the same count for every block).
  const bool pack_a = (nb + NR - 1) / NR >= kGemmPackAStrips;
  std::size_t a_off[MR];
  std::size_t p0 = 0;
  do {  // once also when k == 0: C = beta * C + bias
    const std::size_t kb = std::min(kGemmKC, g.k - p0);
    const bool first = p0 == 0, last = p0 + kb >= g.k;
    // Whole tiles store from the registers when the epilogue allows it (no round trip through
    // `tile`); edge tiles and other activations take gemm_store_tile.
    const GemmEpilogue& ep = *g.epilogue;
    GemmDirectAct act = GemmDirectAct::none;
    const bool direct = gemm_direct_act(ep, last, &act);
    GemmDirectStore st{};
    st.ldc = g.ldc;
    st.alpha = g.alpha;
    st.beta = first ? g.beta : 1.0f;
    st.read_c = !first || g.beta != 0.0f;
    st.lo = ep.activation.alpha;
    st.hi = ep.activation.beta;
    const std::size_t* offs = pack_a ? nullptr : a_off;
    const std::size_t csa = pack_a ? MR : g.csa;
    // Rows [ic, ic1) (A packed in apack when pack_a) times columns [jb, jb + nbs) of the B block
    // at bblock (panels panel_stride floats apart).
    const auto multiply = [&](std::size_t ic, std::size_t ic1, std::size_t jb, std::size_t nbs,
                              const float* bblock, std::size_t panel_stride) {
      const std::size_t panels = (nbs + gemm_panel_width - 1) / gemm_panel_width;
      for (std::size_t j = 0; j < nbs; j += NR) {
        const std::size_t q = j / gemm_panel_width;
        const float* b0 = bblock + q * panel_stride;
        const float* b1 = q + 1 < panels ? b0 + panel_stride : b0;
        for (std::size_t i = ic; i < ic1; i += MR) {
          const std::size_t mr = std::min(MR, ic1 - i);
          const float* ai;
          if (pack_a) {
            ai = apack + (i - ic) * kb;
          } else {
            for (std::size_t r = 0; r < MR; ++r) a_off[r] = std::min(r, mr - 1) * g.rsa;
            ai = g.a + i * g.rsa + p0 * g.csa;
          }
          const std::size_t nr = std::min(NR, nbs - j);
          // A strip of at most one vector of columns (Winograd's 16 tiles of a 14x14 plane, the
          // last 4 of a 56x56 plane's 196) runs the one-vector tile instead of computing two.
          if (Tile::kNV == 2 && nr <= Tile::kLanes) {
            gemm_tile_rows<1>(d, g, i, jb + j, mr, nr, kb, ai, offs, csa, b0, b1, first, last,
                              direct, act, st, tile);
          } else {
            gemm_tile_rows<Tile::kNV>(d, g, i, jb + j, mr, nr, kb, ai, offs, csa, b0, b1, first,
                                      last, direct, act, st, tile);
          }
        }
      }
    };
    if (g.pack_b != nullptr) {
      // B made on the fly (a convolution's columns) costs more than packing A: each B block is
      // made once, and the blocks of A are packed again for each (once, when there is one).
      const bool one_a_block = i1 - i0 <= MC;
      if (pack_a && one_a_block) gemm_pack_a_block<MR>(g, i0, i1, p0, kb, apack);
      for (std::size_t jb = j0; jb < j0 + nb; jb += kGemmNC) {
        const std::size_t nbs = std::min(kGemmNC, j0 + nb - jb);
        g.pack_b(g.b_source, jb, nbs, p0, kb, bbuf);
        for (std::size_t ic = i0; ic < i1; ic += MC) {
          const std::size_t ic1 = std::min(i1, ic + MC);
          if (pack_a && !one_a_block) gemm_pack_a_block<MR>(g, ic, ic1, p0, kb, apack);
          multiply(ic, ic1, jb, nbs, bbuf, kb * gemm_panel_width);
        }
      }
      p0 += kb;
      continue;
    }
    // An MC x KC block of A stays in L2 while the B micro-panels (KC x NR) pass through L1.
    for (std::size_t ic = i0; ic < i1; ic += MC) {
      const std::size_t ic1 = std::min(i1, ic + MC);
      if (pack_a) gemm_pack_a_block<MR>(g, ic, ic1, p0, kb, apack);
      const std::size_t sub = g.packed ? nb : kGemmNC;
      for (std::size_t jb = j0; jb < j0 + nb; jb += sub) {
        const std::size_t nbs = std::min(sub, j0 + nb - jb);
        if (g.packed) {
          const std::size_t panel_stride = g.k * gemm_panel_width;
          multiply(ic, ic1, jb, nbs,
                   g.packed + (jb / gemm_panel_width) * panel_stride + p0 * gemm_panel_width,
                   panel_stride);
        } else {
          pack_b_block(g.trans_b, g.b, g.ldb, jb, nbs, p0, kb, bbuf);
          multiply(ic, ic1, jb, nbs, bbuf, kb * gemm_panel_width);
        }
      }
    }
    p0 += kb;
  } while (p0 < g.k);
}

// Runs `batch` problems (problem(b) gives the b-th) as tasks over blocks of rows and columns of C,
// so that no two tasks write the same element and none splits K: threads do not change results.
template <class ProblemOf>
static void gemm_run(std::size_t batch, std::size_t m, std::size_t n, std::size_t nc,
                     ProblemOf problem_of, Executor* executor) {
  if (batch == 0 || m == 0 || n == 0) return;
  executor = executor_for_work(executor, batch * m * n * problem_of(0).k);
  constexpr std::size_t MR = GemmTile<hn::ScalableTag<float>>::kMR;
  constexpr std::size_t NR = GemmTile<hn::ScalableTag<float>>::kNR;
  const std::size_t row_tiles = (m + MR - 1) / MR;
  std::size_t row_blocks = 1;
  if (executor != nullptr && executor->concurrency() > 1) {
    // About four tasks per thread, for balance; a serial run keeps one B block for all rows.
    const std::size_t want = 4 * executor->concurrency();
    // Few rows (a convolution with the roles swapped: 49 pixels, 512 channels): split the
    // columns, so that each task reads its share of B; split by rows, every task would stream
    // all of B, several MiB of weights, from memory.
    if (batch * ((n + nc - 1) / nc) < want && m <= 8 * MR) {
      const std::size_t parts = want / batch;  // >= 1: batch < want here
      const std::size_t share = (n + parts - 1) / parts;
      nc = std::max(NR, std::min(nc, (share + NR - 1) / NR * NR));
    }
    const std::size_t have = batch * ((n + nc - 1) / nc);
    row_blocks = std::min(row_tiles, (want + have - 1) / have);
  }
  const std::size_t col_blocks = (n + nc - 1) / nc;
  const std::size_t rows_per_block = MR * ((row_tiles + row_blocks - 1) / row_blocks);
  row_blocks = (m + rows_per_block - 1) / rows_per_block;
  parallel_for(executor, batch * row_blocks * col_blocks, [&](std::size_t t) {
    const std::size_t jb = t % col_blocks, ib = (t / col_blocks) % row_blocks;
    const GemmProblem g = problem_of(t / (col_blocks * row_blocks));
    const std::size_t i0 = ib * rows_per_block, j0 = jb * nc;
    gemm_task(g, i0, std::min(m, i0 + rows_per_block), j0, std::min(nc, n - j0));
  });
}

static inline GemmProblem gemm_problem(bool trans_a, std::size_t k, float alpha, const float* a,
                                       std::size_t lda, float beta, float* c, std::size_t ldc,
                                       const GemmEpilogue& epilogue) {
  GemmProblem g{};
  g.k = k, g.alpha = alpha, g.a = a;
  // With k == 0, A may be null: no offset is then ever added to it.
  g.rsa = k == 0 ? 0 : (trans_a ? 1 : lda);
  g.csa = k == 0 ? 0 : (trans_a ? lda : 1);
  g.beta = beta, g.c = c, g.ldc = ldc, g.epilogue = &epilogue;
  return g;
}

void gemm_batched_f32(std::size_t batch, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                      std::size_t k, float alpha, const float* a, std::size_t lda,
                      std::size_t stride_a, const float* b, std::size_t ldb, std::size_t stride_b,
                      float beta, float* c, std::size_t ldc, std::size_t stride_c,
                      const GemmEpilogue& epilogue, Executor* executor) {
  gemm_run(
      batch, m, n, kGemmTaskNC,
      [&](std::size_t i) {
        // With k == 0, A and B may be null: offset them only when there is something.
        GemmProblem g = gemm_problem(trans_a, k, alpha, k ? a + i * stride_a : a, lda, beta,
                                     c + i * stride_c, ldc, epilogue);
        g.b = k ? b + i * stride_b : b, g.ldb = k ? ldb : 0, g.trans_b = trans_b;
        return g;
      },
      executor);
}

void gemm_f32(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
              const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
              float* c, std::size_t ldc, const GemmEpilogue& epilogue, Executor* executor) {
  HWY_NAMESPACE::gemm_batched_f32(1, trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta,
                                  c, ldc, 0, epilogue, executor);
}

void gemm_pack_b_f32(bool trans_b, std::size_t n, std::size_t k, const float* b, std::size_t ldb,
                     float* packed) {
  pack_b_block(trans_b, b, ldb, 0, n, 0, k, packed);
}

// Row i, columns [j0, j0 + nb) of C against prepacked B, for problems of a few rows (batch-1
// Dense/MatMul), where the MR-row micro-kernel would compute MR - m rows for nothing. Up to four
// panels run side by side (independent FMA chains). The K blocks, the order of the terms and the
// store (gemm_store_tile) are those of gemm_task, so the result is the same bit for bit.
static void gemm_packed_row_task(const GemmProblem& g, std::size_t i, std::size_t j0,
                                 std::size_t nb) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  constexpr std::size_t kPanels = 4, kW = gemm_panel_width;
  constexpr std::size_t kVecs = kW / hn::MaxLanes(d) > 0 ? kW / hn::MaxLanes(d) : 1;
  const std::size_t L = hn::Lanes(d);
  HWY_ALIGN float tile[kPanels * kW];
  const std::size_t panel_stride = g.k * kW;
  const float* arow = g.a + i * g.rsa;
  std::size_t p0 = 0;
  do {
    const std::size_t kb = std::min(kGemmKC, g.k - p0);
    const bool first = p0 == 0, last = p0 + kb >= g.k;
    for (std::size_t j = 0; j < nb; j += kPanels * kW) {
      const std::size_t panels = std::min(kPanels, (nb - j + kW - 1) / kW);
      const float* b = g.packed + ((j0 + j) / kW) * panel_stride + p0 * kW;
      V acc[kPanels * kVecs];
      for (std::size_t r = 0; r < kPanels * kVecs; ++r) acc[r] = hn::Zero(d);
      if (panels == kPanels) {
        for (std::size_t p = 0; p < kb; ++p) {
          const V av = hn::Set(d, arow[(p0 + p) * g.csa]);
          INLAY_GEMM_UNROLL
          for (std::size_t q = 0; q < kPanels; ++q) {
            INLAY_GEMM_UNROLL
            for (std::size_t v = 0; v < kVecs; ++v) {
              acc[q * kVecs + v] = hn::MulAdd(
                  av, hn::LoadU(d, b + q * panel_stride + p * kW + v * L), acc[q * kVecs + v]);
            }
          }
        }
      } else {
        for (std::size_t q = 0; q < panels; ++q) {
          for (std::size_t p = 0; p < kb; ++p) {
            const V av = hn::Set(d, arow[(p0 + p) * g.csa]);
            for (std::size_t v = 0; v < kVecs; ++v) {
              acc[q * kVecs + v] = hn::MulAdd(
                  av, hn::LoadU(d, b + q * panel_stride + p * kW + v * L), acc[q * kVecs + v]);
            }
          }
        }
      }
      for (std::size_t r = 0; r < panels * kVecs; ++r) hn::Store(acc[r], d, tile + r * L);
      gemm_store_tile(d, tile, kPanels * kW, 1, std::min(panels * kW, nb - j), g, i, j0 + j, first,
                      last);
    }
    p0 += kb;
  } while (p0 < g.k);
}

void gemm_packed_f32(bool trans_a, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* a, std::size_t lda, const float* packed_b, float beta, float* c,
                     std::size_t ldc, const GemmEpilogue& epilogue, Executor* executor) {
  if (m < 4 && n != 0) {
    GemmProblem g = gemm_problem(trans_a, k, alpha, a, lda, beta, c, ldc, epilogue);
    g.packed = packed_b;
    const std::size_t blocks = (n + kGemmNC - 1) / kGemmNC;
    parallel_for(executor_for_work(executor, m * n * k), m * blocks, [&](std::size_t t) {
      const std::size_t j0 = (t % blocks) * kGemmNC;
      gemm_packed_row_task(g, t / blocks, j0, std::min(kGemmNC, n - j0));
    });
    return;
  }
  gemm_run(
      1, m, n, kGemmTaskNC,
      [&](std::size_t) {
        GemmProblem g = gemm_problem(trans_a, k, alpha, a, lda, beta, c, ldc, epilogue);
        g.packed = packed_b;
        return g;
      },
      executor);
}

// dots = A x with A m x n row-major: each dot[i] is a dot product along a contiguous row; four
// rows at a time share the loads of x, with two accumulators each to hide the FMA latency.
static void matvec_rows(std::size_t m, std::size_t n, const float* a, std::size_t lda,
                        const float* x, float* dots) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float* r[4] = {a + i * lda, a + (i + 1) * lda, a + (i + 2) * lda, a + (i + 3) * lda};
    auto s0 = hn::Zero(d), s1 = hn::Zero(d), s2 = hn::Zero(d), s3 = hn::Zero(d);
    auto t0 = hn::Zero(d), t1 = hn::Zero(d), t2 = hn::Zero(d), t3 = hn::Zero(d);
    std::size_t j = 0;
    for (; j + 2 * lanes <= n; j += 2 * lanes) {
      const auto x0 = hn::LoadU(d, x + j), x1 = hn::LoadU(d, x + j + lanes);
      s0 = hn::MulAdd(hn::LoadU(d, r[0] + j), x0, s0);
      s1 = hn::MulAdd(hn::LoadU(d, r[1] + j), x0, s1);
      s2 = hn::MulAdd(hn::LoadU(d, r[2] + j), x0, s2);
      s3 = hn::MulAdd(hn::LoadU(d, r[3] + j), x0, s3);
      t0 = hn::MulAdd(hn::LoadU(d, r[0] + j + lanes), x1, t0);
      t1 = hn::MulAdd(hn::LoadU(d, r[1] + j + lanes), x1, t1);
      t2 = hn::MulAdd(hn::LoadU(d, r[2] + j + lanes), x1, t2);
      t3 = hn::MulAdd(hn::LoadU(d, r[3] + j + lanes), x1, t3);
    }
    for (; j + lanes <= n; j += lanes) {
      const auto x0 = hn::LoadU(d, x + j);
      s0 = hn::MulAdd(hn::LoadU(d, r[0] + j), x0, s0);
      s1 = hn::MulAdd(hn::LoadU(d, r[1] + j), x0, s1);
      s2 = hn::MulAdd(hn::LoadU(d, r[2] + j), x0, s2);
      s3 = hn::MulAdd(hn::LoadU(d, r[3] + j), x0, s3);
    }
    float sum[4] = {hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, t0))),
                    hn::GetLane(hn::SumOfLanes(d, hn::Add(s1, t1))),
                    hn::GetLane(hn::SumOfLanes(d, hn::Add(s2, t2))),
                    hn::GetLane(hn::SumOfLanes(d, hn::Add(s3, t3)))};
    for (; j < n; ++j) {
      for (std::size_t q = 0; q < 4; ++q) sum[q] += r[q][j] * x[j];
    }
    for (std::size_t q = 0; q < 4; ++q) dots[i + q] = sum[q];
  }
  for (; i < m; ++i) {
    const float* row = a + i * lda;
    auto s = hn::Zero(d);
    std::size_t j = 0;
    for (; j + lanes <= n; j += lanes)
      s = hn::MulAdd(hn::LoadU(d, row + j), hn::LoadU(d, x + j), s);
    float sum = hn::GetLane(hn::SumOfLanes(d, s));
    for (; j < n; ++j) sum += row[j] * x[j];
    dots[i] = sum;
  }
}

// dots = A^T x with A n x m row-major: a weighted sum of the rows of A, which are read in order
// (four at a time, so that dots is loaded and stored once per four rows).
static void matvec_cols(std::size_t m, std::size_t n, const float* a, std::size_t lda,
                        const float* x, float* dots) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  std::fill(dots, dots + m, 0.0f);
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* r[4] = {a + j * lda, a + (j + 1) * lda, a + (j + 2) * lda, a + (j + 3) * lda};
    const auto x0 = hn::Set(d, x[j]), x1 = hn::Set(d, x[j + 1]);
    const auto x2 = hn::Set(d, x[j + 2]), x3 = hn::Set(d, x[j + 3]);
    std::size_t i = 0;
    for (; i + lanes <= m; i += lanes) {
      auto s = hn::Load(d, dots + i);
      s = hn::MulAdd(hn::LoadU(d, r[0] + i), x0, s);
      s = hn::MulAdd(hn::LoadU(d, r[1] + i), x1, s);
      s = hn::MulAdd(hn::LoadU(d, r[2] + i), x2, s);
      s = hn::MulAdd(hn::LoadU(d, r[3] + i), x3, s);
      hn::Store(s, d, dots + i);
    }
    for (; i < m; ++i) {
      for (std::size_t q = 0; q < 4; ++q) dots[i] += r[q][i] * x[j + q];
    }
  }
  for (; j < n; ++j) {
    const float* row = a + j * lda;
    const auto xj = hn::Set(d, x[j]);
    std::size_t i = 0;
    for (; i + lanes <= m; i += lanes) {
      hn::Store(hn::MulAdd(hn::LoadU(d, row + i), xj, hn::Load(d, dots + i)), d, dots + i);
    }
    for (; i < m; ++i) dots[i] += row[i] * x[j];
  }
}

void matvec_f32(bool trans_a, std::size_t m, std::size_t n, float alpha, const float* a,
                std::size_t lda, const float* x, float beta, float* y, const float* bias,
                const Activation& activation) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  // Strips of y, so that the dot products need no scratch beyond the stack.
  constexpr std::size_t kStrip = 1024;
  HWY_ALIGN float dots[kStrip];
  for (std::size_t i0 = 0; i0 < m; i0 += kStrip) {
    const std::size_t mb = std::min(kStrip, m - i0);
    if (n == 0) {  // A and x may be null
      std::fill(dots, dots + mb, 0.0f);
    } else if (trans_a) {
      matvec_cols(mb, n, a + i0, lda, x, dots);
    } else {
      matvec_rows(mb, n, a + i0 * lda, lda, x, dots);
    }
    float* yb = y + i0;
    const auto va = hn::Set(d, alpha), vb = hn::Set(d, beta);
    std::size_t i = 0;
    for (; i + lanes <= mb; i += lanes) {
      auto r = hn::Mul(va, hn::Load(d, dots + i));
      if (beta != 0.0f) r = hn::MulAdd(vb, hn::LoadU(d, yb + i), r);
      if (bias != nullptr) r = hn::Add(r, hn::LoadU(d, bias + i0 + i));
      hn::StoreU(r, d, yb + i);
    }
    for (; i < mb; ++i) {
      float r = alpha * dots[i];
      if (beta != 0.0f) r = beta * yb[i] + r;
      if (bias != nullptr) r += bias[i0 + i];
      yb[i] = r;
    }
    if (activation.op != UnaryOp::identity) activate_f32(yb, yb, mb, activation);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_GEMM_INL_HPP
