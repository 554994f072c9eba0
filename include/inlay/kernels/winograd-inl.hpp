// Per-target bodies of the Winograd F(4x4, 3x3) convolution (see winograd.hpp): the input
// transform V = B^T d B of 6x6 tiles and the output transform Y = A^T M A, with the matrices of
// Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016, section 4.2
// (interpolation points 0, 1, -1, 2, -2 and infinity):
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0;
//          0 4 0 -5 0 1],
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
// The 36 GEMMs between them run on the library's GEMM (winograd-dispatch.hpp). Re-included once
// per CPU target.
//
// Tiles: output tile (ty, tx) covers output rows 4ty .. 4ty + 3 and columns 4tx .. 4tx + 3; it
// reads the 6x6 input patch whose corner is (4ty - pad_top, 4tx - pad_left), zeros outside the
// input. "Tile row" g of a call counts over the images: image g / tiles_h, tile row g % tiles_h.
// Both transforms run with one tile per lane. The input transform first combines the six input
// rows of a tile row (contiguous loads) into a small buffer padded with zeros, then combines its
// columns with LoadInterleaved4; the buffer makes padding, odd sizes and short rows one path.
#if defined(INLAY_KERNELS_WINOGRAD_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_WINOGRAD_INL_HPP
#undef INLAY_KERNELS_WINOGRAD_INL_HPP
#else
#define INLAY_KERNELS_WINOGRAD_INL_HPP
#endif

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <hwy/highway.h>

#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/conv.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// k = B^T x for six vectors (rows of a tile, or columns): 13 operations instead of 20.
template <class D, class V = hn::Vec<D>>
HWY_INLINE void winograd_bt6(D d, const V x[6], V k[6]) {
  const V two = hn::Set(d, 2.0f), four = hn::Set(d, 4.0f);
  const V x42 = hn::Sub(x[4], x[2]);
  const V x13 = hn::Sub(x[1], x[3]);
  k[0] = hn::MulAdd(four, hn::Sub(x[0], x[2]), x42);
  k[1] = hn::NegMulAdd(four, hn::Add(x[1], x[2]), hn::Add(x[3], x[4]));
  k[2] = hn::MulAdd(four, hn::Sub(x[1], x[2]), hn::Sub(x[4], x[3]));
  k[3] = hn::NegMulAdd(two, x13, x42);
  k[4] = hn::MulAdd(two, x13, x42);
  k[5] = hn::MulAdd(four, x13, hn::Sub(x[5], x[3]));
}

// y = A^T m for six vectors: four results.
template <class D, class V = hn::Vec<D>>
HWY_INLINE void winograd_at6(D d, const V m[6], V y[4]) {
  const V sum12 = hn::Add(m[1], m[2]), dif12 = hn::Sub(m[1], m[2]);
  const V sum34 = hn::Add(m[3], m[4]), dif34 = hn::Sub(m[3], m[4]);
  y[0] = hn::Add(hn::Add(m[0], sum12), sum34);
  y[1] = hn::MulAdd(hn::Set(d, 2.0f), dif34, dif12);
  y[2] = hn::MulAdd(hn::Set(d, 4.0f), sum34, sum12);
  y[3] = hn::MulAdd(hn::Set(d, 8.0f), dif34, hn::Add(dif12, m[5]));
}

// Tiles per pass of the input transform: a multiple of any vector's lanes; its row buffer is
// 6 x (4 * 64 + 4) floats (6.1 KiB) on AVX-512.
constexpr std::size_t kWinogradChunk = HWY_MAX_BYTES / sizeof(float) > 64
                                           ? HWY_MAX_BYTES / sizeof(float)
                                           : 64;

// Input channel c of the tile rows [row_begin, row_end) into v: element (a, b) of the transform of
// tile j (numbered from row_begin, tiles_w per row) goes to v[(a * 6 + b) * v_stride + c * ld + j].
void winograd_input_rows_f32(const Conv2dParams& p, const float* x, std::size_t c,
                             std::size_t row_begin, std::size_t row_end, float* v,
                             std::size_t v_stride, std::size_t ld) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 1> d1;
  using V = hn::Vec<decltype(d)>;
  using V1 = hn::Vec<decltype(d1)>;
  const std::size_t N = hn::Lanes(d);
  const std::size_t tiles_h = (p.out_h() + 3) / 4, tiles_w = (p.out_w() + 3) / 4;
  const std::ptrdiff_t in_h = static_cast<std::ptrdiff_t>(p.in_h);
  const std::ptrdiff_t in_w = static_cast<std::ptrdiff_t>(p.in_w);
  const std::ptrdiff_t pl = static_cast<std::ptrdiff_t>(p.pad_left);
  // B^T applied down the columns of a chunk of tiles: buf[a][X] for the chunk's column X. The
  // column pass reads up to 4 * kWinogradChunk + 3.
  constexpr std::size_t W = 4 * kWinogradChunk + 4;
  HWY_ALIGN float buf[6][W];
  float* out = v + c * ld;
  for (std::size_t g = row_begin; g < row_end; ++g) {
    const std::size_t n = g / tiles_h, ty = g % tiles_h;
    const float* plane = x + (n * p.in_channels + c) * p.in_h * p.in_w;
    const std::ptrdiff_t iy0 =
        static_cast<std::ptrdiff_t>(4 * ty) - static_cast<std::ptrdiff_t>(p.pad_top);
    // The six input rows of the tile row; null for a row in the padding.
    const float* rows[6];
    for (std::ptrdiff_t r = 0; r < 6; ++r) {
      const std::ptrdiff_t iy = iy0 + r;
      rows[r] = iy >= 0 && iy < in_h ? plane + iy * in_w : nullptr;
    }
    float* o = out + (g - row_begin) * tiles_w;
    for (std::size_t tx0 = 0; tx0 < tiles_w; tx0 += kWinogradChunk) {
      const std::size_t cnt = std::min(kWinogradChunk, tiles_w - tx0);
      const std::size_t cols = 4 * cnt + 2;
      // Chunk column X is input column ix0 + X; columns outside the input are zeros.
      const std::ptrdiff_t ix0 = static_cast<std::ptrdiff_t>(4 * tx0) - pl;
      const std::size_t lo = static_cast<std::size_t>(
          std::min<std::ptrdiff_t>(std::max<std::ptrdiff_t>(-ix0, 0), cols));
      const std::size_t hi = static_cast<std::size_t>(std::max<std::ptrdiff_t>(
          std::min<std::ptrdiff_t>(in_w - ix0, static_cast<std::ptrdiff_t>(cols)),
          static_cast<std::ptrdiff_t>(lo)));
      const std::size_t used = std::min(W, 4 * ((cnt + N - 1) / N * N) + 4);
      for (std::size_t a = 0; a < 6; ++a) {
        std::fill(buf[a], buf[a] + lo, 0.0f);
        std::fill(buf[a] + hi, buf[a] + used, 0.0f);
      }
      std::size_t X = lo;
      for (; X + N <= hi; X += N) {
        V xr[6], k[6];
        for (std::size_t r = 0; r < 6; ++r) {
          xr[r] =
              rows[r] ? hn::LoadU(d, rows[r] + ix0 + static_cast<std::ptrdiff_t>(X)) : hn::Zero(d);
        }
        winograd_bt6(d, xr, k);
        for (std::size_t a = 0; a < 6; ++a) hn::StoreU(k[a], d, buf[a] + X);
      }
      for (; X < hi; ++X) {
        V1 xr[6], k[6];
        for (std::size_t r = 0; r < 6; ++r) {
          xr[r] = rows[r] ? hn::LoadU(d1, rows[r] + ix0 + static_cast<std::ptrdiff_t>(X))
                          : hn::Zero(d1);
        }
        winograd_bt6(d1, xr, k);
        for (std::size_t a = 0; a < 6; ++a) hn::StoreU(k[a], d1, buf[a] + X);
      }
      // B^T along the rows of the patches: lane j takes tile t + j's columns 4j .. 4j + 5.
      for (std::size_t t = 0; t < cnt; t += N) {
        for (std::size_t a = 0; a < 6; ++a) {
          V xc[6], k[6], unused0, unused1;
          hn::LoadInterleaved4(d, buf[a] + 4 * t, xc[0], xc[1], xc[2], xc[3]);
          hn::LoadInterleaved4(d, buf[a] + 4 * t + 4, xc[4], xc[5], unused0, unused1);
          winograd_bt6(d, xc, k);
          float* dst = o + a * 6 * v_stride + tx0 + t;
          if (t + N <= cnt) {
            for (std::size_t b = 0; b < 6; ++b) hn::StoreU(k[b], d, dst + b * v_stride);
          } else {
            const auto m = hn::FirstN(d, cnt - t);
            for (std::size_t b = 0; b < 6; ++b) hn::BlendedStore(k[b], m, d, dst + b * v_stride);
          }
        }
      }
    }
  }
}

// Output channel oc of the tile rows [row_begin, row_end): y = act(A^T M A + bias) from the 36
// GEMM products, element (a, b) of tile j at m[(a * 6 + b) * m_stride + oc * ld + j]. Lanes take
// consecutive tiles of the block, across tile rows (a row of a 28x28 output is only 7 tiles);
// each tile's four rows of four then go to y through a small buffer, only the part inside the
// output (the last tile row or column is partly outside when out_h or out_w is not a multiple
// of 4).
void winograd_output_rows_f32(const Conv2dParams& p, const float* m, std::size_t oc,
                              std::size_t row_begin, std::size_t row_end, std::size_t m_stride,
                              std::size_t ld, const float* bias, float* y,
                              const Activation& activation) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t N = hn::Lanes(d);
  const std::size_t oh = p.out_h(), ow = p.out_w();
  const std::size_t tiles_h = (oh + 3) / 4, tiles_w = (ow + 3) / 4;
  const std::size_t tiles = (row_end - row_begin) * tiles_w;
  const V bv = hn::Set(d, bias ? bias[oc] : 0.0f);
  const float* in = m + oc * ld;
  constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(float);
  HWY_ALIGN float rows[4][4 * kMaxLanes];  // rows[i][4 * lane + j]: row i, column j of a tile
  HWY_ALIGN float edge[kMaxLanes];         // the block's last, partial vector of products
  for (std::size_t t0 = 0; t0 < tiles; t0 += N) {
    const std::size_t cnt = std::min(N, tiles - t0);
    // A^T along each row a of the 6x6 products, then down the columns.
    V s[6][4];
    for (std::size_t a = 0; a < 6; ++a) {
      V mv[6];
      for (std::size_t b = 0; b < 6; ++b) {
        const float* src = in + (a * 6 + b) * m_stride + t0;
        if (cnt == N) {
          mv[b] = hn::LoadU(d, src);
        } else {  // copied: MaskedLoad reads the whole vector on some targets
          std::fill(std::copy(src, src + cnt, edge), edge + N, 0.0f);
          mv[b] = hn::Load(d, edge);
        }
      }
      winograd_at6(d, mv, s[a]);
    }
    V out[4][4];  // out[i][j]: row i, column j of each lane's tile
    for (std::size_t j = 0; j < 4; ++j) {
      const V col[6] = {s[0][j], s[1][j], s[2][j], s[3][j], s[4][j], s[5][j]};
      V r[4];
      winograd_at6(d, col, r);
      for (std::size_t i = 0; i < 4; ++i) out[i][j] = hn::Add(r[i], bv);
    }
    for (std::size_t i = 0; i < 4; ++i) {
      hn::StoreInterleaved4(out[i][0], out[i][1], out[i][2], out[i][3], d, rows[i]);
      if (activation.op != UnaryOp::identity) {
        activate_f32(rows[i], rows[i], 4 * cnt, activation);
      }
    }
    for (std::size_t l = 0; l < cnt; ++l) {
      const std::size_t g = row_begin + (t0 + l) / tiles_w, tx = (t0 + l) % tiles_w;
      const std::size_t n = g / tiles_h, ty = g % tiles_h;
      float* dst = y + ((n * p.out_channels + oc) * oh + 4 * ty) * ow + 4 * tx;
      const std::size_t h = std::min<std::size_t>(4, oh - 4 * ty);
      const std::size_t w = std::min<std::size_t>(4, ow - 4 * tx);
      if (w == 4) {
        for (std::size_t i = 0; i < h; ++i) {
          std::memcpy(dst + i * ow, rows[i] + 4 * l, 4 * sizeof(float));
        }
      } else {
        for (std::size_t i = 0; i < h; ++i) {
          std::copy(rows[i] + 4 * l, rows[i] + 4 * l + w, dst + i * ow);
        }
      }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_WINOGRAD_INL_HPP
