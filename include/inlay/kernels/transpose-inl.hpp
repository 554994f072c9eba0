// Per-target bodies of the transpose kernels (see transpose.hpp). Re-included once per CPU target.
#if defined(INLAY_KERNELS_TRANSPOSE_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_TRANSPOSE_INL_HPP
#undef INLAY_KERNELS_TRANSPOSE_INL_HPP
#else
#define INLAY_KERNELS_TRANSPOSE_INL_HPP
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/highway.h>

#include "inlay/kernels/row_ops-inl.hpp"  // Walk, Odometer
#include "inlay/kernels/transpose.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR
// Transposes the 4x4 block of 4-byte elements at x (row stride ldx) into y (row stride ldy),
// with two rounds of interleaves (32-bit, then 64-bit lanes) in 128-bit vectors.
HWY_INLINE void Transpose4x4(const unsigned char* x, unsigned char* y, std::size_t ldx,
                             std::size_t ldy) {
  const hn::FixedTag<std::uint32_t, 4> d;
  const hn::Repartition<std::uint64_t, decltype(d)> d64;
  const auto* in = reinterpret_cast<const std::uint32_t*>(x);
  const auto r0 = hn::LoadU(d, in), r1 = hn::LoadU(d, in + ldx);
  const auto r2 = hn::LoadU(d, in + 2 * ldx), r3 = hn::LoadU(d, in + 3 * ldx);
  const auto t0 = hn::BitCast(d64, hn::InterleaveLower(d, r0, r1));  // a0 b0 a1 b1
  const auto t1 = hn::BitCast(d64, hn::InterleaveLower(d, r2, r3));  // c0 d0 c1 d1
  const auto t2 = hn::BitCast(d64, hn::InterleaveUpper(d, r0, r1));  // a2 b2 a3 b3
  const auto t3 = hn::BitCast(d64, hn::InterleaveUpper(d, r2, r3));  // c2 d2 c3 d3
  auto* out = reinterpret_cast<std::uint32_t*>(y);
  hn::StoreU(hn::BitCast(d, hn::InterleaveLower(d64, t0, t1)), d, out);
  hn::StoreU(hn::BitCast(d, hn::InterleaveUpper(d64, t0, t1)), d, out + ldy);
  hn::StoreU(hn::BitCast(d, hn::InterleaveLower(d64, t2, t3)), d, out + 2 * ldy);
  hn::StoreU(hn::BitCast(d, hn::InterleaveUpper(d64, t2, t3)), d, out + 3 * ldy);
}
#endif

// y[b * ldy + a] = x[a * ldx + b] for a < na, b < nb: a 2D transpose in square tiles so that both
// the strided reads and the strided writes stay within a few cache lines per tile; 4-byte
// elements move in 4x4 vector blocks inside a tile.
template <std::size_t E>
HWY_NOINLINE void Transpose2D(const unsigned char* x, unsigned char* y, std::size_t na,
                              std::size_t nb, std::size_t ldx, std::size_t ldy) {
  constexpr std::size_t kTile = 64 / E > 16 ? 64 / E : 16;  // a cache line of y per tile row
  for (std::size_t b0 = 0; b0 < nb; b0 += kTile) {
    const std::size_t b1 = b0 + kTile < nb ? b0 + kTile : nb;
    for (std::size_t a0 = 0; a0 < na; a0 += kTile) {
      const std::size_t a1 = a0 + kTile < na ? a0 + kTile : na;
      std::size_t b = b0;
#if HWY_TARGET != HWY_SCALAR
      if (E == 4) {
        for (; b + 4 <= b1; b += 4) {
          std::size_t a = a0;
          for (; a + 4 <= a1; a += 4) {
            Transpose4x4(x + (a * ldx + b) * E, y + (b * ldy + a) * E, ldx, ldy);
          }
          for (; a < a1; ++a) {
            for (std::size_t j = b; j < b + 4; ++j) {
              std::memcpy(y + (j * ldy + a) * E, x + (a * ldx + j) * E, E);
            }
          }
        }
      }
#endif
      for (; b < b1; ++b) {
        unsigned char* yr = y + (b * ldy) * E;
        for (std::size_t a = a0; a < a1; ++a) std::memcpy(yr + a * E, x + (a * ldx + b) * E, E);
      }
    }
  }
}

inline void Transpose2D(std::size_t e, const unsigned char* x, unsigned char* y, std::size_t na,
                        std::size_t nb, std::size_t ldx, std::size_t ldy) {
  switch (e) {
    case 1: return Transpose2D<1>(x, y, na, nb, ldx, ldy);
    case 2: return Transpose2D<2>(x, y, na, nb, ldx, ldy);
    case 4: return Transpose2D<4>(x, y, na, nb, ldx, ldy);
    default: return Transpose2D<8>(x, y, na, nb, ldx, ldy);
  }
}

// Strides are in elements; e is the element size in bytes. The entry point has checked perm.
void transpose_bytes(const void* xv, std::size_t e, const Shape& x_shape, const std::size_t* perm,
                     void* yv) {
  const auto* x = static_cast<const unsigned char*>(xv);
  auto* y = static_cast<unsigned char*>(yv);
  const std::size_t rank = x_shape.rank();
  std::size_t in_stride[Shape::max_rank];
  for (std::size_t i = rank, s = 1; i-- > 0;) {
    in_stride[i] = s;
    s *= static_cast<std::size_t>(x_shape[i]);
  }
  // Output dims in order, dropping size 1 and merging a dim into the previous one when they are
  // also adjacent and in order in x (then both walk as one).
  std::size_t size[Shape::max_rank], xs[Shape::max_rank], k = 0;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t s = static_cast<std::size_t>(x_shape[perm[i]]), st = in_stride[perm[i]];
    if (s == 1) continue;
    if (k > 0 && xs[k - 1] == st * s) {
      size[k - 1] *= s;
      xs[k - 1] = st;
    } else {
      size[k] = s;
      xs[k++] = st;
    }
  }
  std::size_t ys[Shape::max_rank];
  for (std::size_t i = k, s = 1; i-- > 0;) {
    ys[i] = s;
    s *= size[i];
  }
  if (k == 0 || xs[k - 1] == 1) {  // rows contiguous in both: copy them whole
    const std::size_t row = k == 0 ? 1 : size[k - 1];
    Walk w;
    for (std::size_t i = 0; i + 1 < k; ++i) {
      w.size[w.rank] = size[i];
      w.stride[w.rank++] = xs[i];
    }
    Odometer o(w);
    std::size_t out = 0;
    do {
      std::memcpy(y + out * e, x + o.offset * e, row * e);
      out += row;
    } while (o.Next());
    return;
  }
  // The last output dim (a, contiguous in y) and x's innermost dim (b, contiguous in x) form the
  // 2D transpose; the remaining dims are walked.
  std::size_t q = 0;
  while (xs[q] != 1) ++q;
  Walk wx, wy;
  for (std::size_t i = 0; i + 1 < k; ++i) {
    if (i == q) continue;
    wx.size[wx.rank] = wy.size[wy.rank] = size[i];
    wx.stride[wx.rank++] = xs[i];
    wy.stride[wy.rank++] = ys[i];
  }
  Odometer ox(wx), oy(wy);
  do {
    Transpose2D(e, x + ox.offset * e, y + oy.offset * e, size[k - 1], size[q], xs[k - 1], ys[q]);
    oy.Next();
  } while (ox.Next());
}

void transpose_f32(const float* x, const Shape& x_shape, const std::size_t* perm, float* y) {
  transpose_bytes(x, sizeof(float), x_shape, perm, y);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_TRANSPOSE_INL_HPP
