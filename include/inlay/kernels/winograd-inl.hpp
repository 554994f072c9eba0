// Per-target bodies of the Winograd F(2x2, 3x3) convolution (see winograd.hpp): the input
// transform V = B^T d B of 4x4 tiles and the output transform Y = A^T M A, with the matrices of
// Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016, section 4.1:
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  A^T = [1 1 1 0; 0 1 -1 -1].
// The 16 GEMMs between them run on the library's GEMM (winograd-dispatch.hpp). Re-included once
// per CPU target.
//
// Tiles: output tile (ty, tx) covers output rows 2ty, 2ty + 1 and columns 2tx, 2tx + 1; it reads
// the 4x4 input patch whose corner is (2ty - pad_top, 2tx - pad_left), zeros outside the input.
// "Tile row" g of a call counts over the images: image g / tiles_h, tile row g % tiles_h. Both
// transforms run across the tiles of a tile row, one tile per lane: the stride-2 columns of the
// patches come from LoadInterleaved2, and border tiles (padding, odd sizes) take a scalar path
// doing the same operations in the same order.
#if defined(INLAY_KERNELS_WINOGRAD_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_WINOGRAD_INL_HPP
#undef INLAY_KERNELS_WINOGRAD_INL_HPP
#else
#define INLAY_KERNELS_WINOGRAD_INL_HPP
#endif

#include <algorithm>
#include <cstddef>

#include <hwy/highway.h>

#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/conv.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One row of B^T applied to four values (the same combination serves rows and columns).
template <class T>
struct WinogradInput {
  T k0, k1, k2, k3;
};
inline WinogradInput<float> winograd_bt(float x0, float x1, float x2, float x3) {
  return {x0 - x2, x1 + x2, x2 - x1, x1 - x3};
}
template <class V>
HWY_INLINE WinogradInput<V> winograd_bt_vec(V x0, V x1, V x2, V x3) {
  return {hn::Sub(x0, x2), hn::Add(x1, x2), hn::Sub(x2, x1), hn::Sub(x1, x3)};
}

// Input channel c of the tile rows [row_begin, row_end) into v: element (a, b) of the transform of
// tile j (numbered from row_begin, tiles_w per row) goes to v[(a * 4 + b) * v_stride + c * ld + j].
void winograd_input_rows_f32(const Conv2dParams& p, const float* x, std::size_t c,
                             std::size_t row_begin, std::size_t row_end, float* v,
                             std::size_t v_stride, std::size_t ld) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const std::size_t tiles_h = (p.out_h() + 1) / 2, tiles_w = (p.out_w() + 1) / 2;
  const std::ptrdiff_t in_h = static_cast<std::ptrdiff_t>(p.in_h);
  const std::ptrdiff_t in_w = static_cast<std::ptrdiff_t>(p.in_w);
  const std::ptrdiff_t pl = static_cast<std::ptrdiff_t>(p.pad_left);
  // Tiles [tx_lo, tx_hi) read only columns inside the input.
  const std::size_t tx_lo = std::min((p.pad_left + 1) / 2, tiles_w);
  const std::size_t tx_hi =
      p.in_w + p.pad_left >= 4 ? std::min((p.in_w + p.pad_left - 4) / 2 + 1, tiles_w) : 0;
  float* out = v + c * ld;
  for (std::size_t g = row_begin; g < row_end; ++g) {
    const std::size_t n = g / tiles_h, ty = g % tiles_h;
    const float* plane = x + (n * p.in_channels + c) * p.in_h * p.in_w;
    const std::ptrdiff_t iy0 =
        static_cast<std::ptrdiff_t>(2 * ty) - static_cast<std::ptrdiff_t>(p.pad_top);
    // The four input rows of the tile row; null for a row in the padding.
    const float* rows[4];
    for (std::ptrdiff_t r = 0; r < 4; ++r) {
      const std::ptrdiff_t iy = iy0 + r;
      rows[r] = iy >= 0 && iy < in_h ? plane + iy * in_w : nullptr;
    }
    float* o = out + (g - row_begin) * tiles_w;
    // A tile with columns in the padding: scalar, bounds checked.
    const auto scalar_tile = [&](std::size_t tx) {
      const std::ptrdiff_t ix0 = static_cast<std::ptrdiff_t>(2 * tx) - pl;
      WinogradInput<float> h[4];
      for (std::size_t r = 0; r < 4; ++r) {
        float s[4];
        for (std::ptrdiff_t k = 0; k < 4; ++k) {
          const std::ptrdiff_t ix = ix0 + k;
          s[k] = rows[r] && ix >= 0 && ix < in_w ? rows[r][ix] : 0.0f;
        }
        h[r] = winograd_bt(s[0], s[1], s[2], s[3]);
      }
      const WinogradInput<float> c0 = winograd_bt(h[0].k0, h[1].k0, h[2].k0, h[3].k0);
      const WinogradInput<float> c1 = winograd_bt(h[0].k1, h[1].k1, h[2].k1, h[3].k1);
      const WinogradInput<float> c2 = winograd_bt(h[0].k2, h[1].k2, h[2].k2, h[3].k2);
      const WinogradInput<float> c3 = winograd_bt(h[0].k3, h[1].k3, h[2].k3, h[3].k3);
      const WinogradInput<float> cols[4] = {c0, c1, c2, c3};
      for (std::size_t b = 0; b < 4; ++b) {
        o[(0 * 4 + b) * v_stride + tx] = cols[b].k0;
        o[(1 * 4 + b) * v_stride + tx] = cols[b].k1;
        o[(2 * 4 + b) * v_stride + tx] = cols[b].k2;
        o[(3 * 4 + b) * v_stride + tx] = cols[b].k3;
      }
    };
    std::size_t tx = 0;
    for (; tx < tx_lo; ++tx) scalar_tile(tx);
    // Vectors of N tiles; the last one may overlap the previous one (it rewrites equal values),
    // so only rows shorter than a vector take the scalar path.
    const bool vectors = tx_hi >= tx_lo + N;
    for (; vectors && tx < tx_hi; tx += N) {
      if (tx + N > tx_hi) tx = tx_hi - N;
      using V = hn::Vec<decltype(d)>;
      WinogradInput<V> h[4];
      for (std::size_t r = 0; r < 4; ++r) {
        if (rows[r] == nullptr) {
          const V z = hn::Zero(d);
          h[r] = {z, z, z, z};
          continue;
        }
        const float* src = rows[r] + (static_cast<std::ptrdiff_t>(2 * tx) - pl);
        V x0, x1, x2, x3;
        hn::LoadInterleaved2(d, src, x0, x1);
        hn::LoadInterleaved2(d, src + 2, x2, x3);
        h[r] = winograd_bt_vec(x0, x1, x2, x3);
      }
      const WinogradInput<V> cols[4] = {winograd_bt_vec(h[0].k0, h[1].k0, h[2].k0, h[3].k0),
                                        winograd_bt_vec(h[0].k1, h[1].k1, h[2].k1, h[3].k1),
                                        winograd_bt_vec(h[0].k2, h[1].k2, h[2].k2, h[3].k2),
                                        winograd_bt_vec(h[0].k3, h[1].k3, h[2].k3, h[3].k3)};
      for (std::size_t b = 0; b < 4; ++b) {
        hn::StoreU(cols[b].k0, d, o + (0 * 4 + b) * v_stride + tx);
        hn::StoreU(cols[b].k1, d, o + (1 * 4 + b) * v_stride + tx);
        hn::StoreU(cols[b].k2, d, o + (2 * 4 + b) * v_stride + tx);
        hn::StoreU(cols[b].k3, d, o + (3 * 4 + b) * v_stride + tx);
      }
    }
    for (; tx < tiles_w; ++tx) scalar_tile(tx);
  }
}

// Output channel oc of the tile rows [row_begin, row_end): y = act(A^T M A + bias) from the 16
// GEMM products, element (a, b) of tile j at m[(a * 4 + b) * m_stride + oc * ld + j]. Writes only
// inside the output (the last tile row or column is half outside when out_h or out_w is odd).
void winograd_output_rows_f32(const Conv2dParams& p, const float* m, std::size_t oc,
                              std::size_t row_begin, std::size_t row_end, std::size_t m_stride,
                              std::size_t ld, const float* bias, float* y,
                              const Activation& activation) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const std::size_t oh = p.out_h(), ow = p.out_w();
  const std::size_t tiles_h = (oh + 1) / 2, tiles_w = (ow + 1) / 2;
  const float b = bias ? bias[oc] : 0.0f;
  const std::size_t full_w = ow / 2;  // tiles whose two columns are inside the output
  const float* in = m + oc * ld;
  for (std::size_t g = row_begin; g < row_end; ++g) {
    const std::size_t n = g / tiles_h, ty = g % tiles_h;
    float* row0 = y + ((n * p.out_channels + oc) * oh + 2 * ty) * ow;
    const bool second = 2 * ty + 1 < oh;
    float* row1 = row0 + ow;
    const float* t = in + (g - row_begin) * tiles_w;
    std::size_t tx = 0;
    using V = hn::Vec<decltype(d)>;
    // As in the input transform, the last vector may overlap the previous one.
    for (; full_w >= N && tx < full_w; tx += N) {
      if (tx + N > full_w) tx = full_w - N;
      V s0[4], s1[4];
      for (std::size_t a = 0; a < 4; ++a) {
        const V m0 = hn::LoadU(d, t + (a * 4 + 0) * m_stride + tx);
        const V m1 = hn::LoadU(d, t + (a * 4 + 1) * m_stride + tx);
        const V m2 = hn::LoadU(d, t + (a * 4 + 2) * m_stride + tx);
        const V m3 = hn::LoadU(d, t + (a * 4 + 3) * m_stride + tx);
        s0[a] = hn::Add(hn::Add(m0, m1), m2);
        s1[a] = hn::Sub(hn::Sub(m1, m2), m3);
      }
      const V bv = hn::Set(d, b);
      const V y00 = hn::Add(hn::Add(hn::Add(s0[0], s0[1]), s0[2]), bv);
      const V y01 = hn::Add(hn::Add(hn::Add(s1[0], s1[1]), s1[2]), bv);
      hn::StoreInterleaved2(y00, y01, d, row0 + 2 * tx);
      if (second) {
        const V y10 = hn::Add(hn::Sub(hn::Sub(s0[1], s0[2]), s0[3]), bv);
        const V y11 = hn::Add(hn::Sub(hn::Sub(s1[1], s1[2]), s1[3]), bv);
        hn::StoreInterleaved2(y10, y11, d, row1 + 2 * tx);
      }
    }
    for (; tx < tiles_w; ++tx) {
      float s0[4], s1[4];
      for (std::size_t a = 0; a < 4; ++a) {
        const float m0 = t[(a * 4 + 0) * m_stride + tx], m1 = t[(a * 4 + 1) * m_stride + tx];
        const float m2 = t[(a * 4 + 2) * m_stride + tx], m3 = t[(a * 4 + 3) * m_stride + tx];
        s0[a] = m0 + m1 + m2;
        s1[a] = m1 - m2 - m3;
      }
      const bool right = 2 * tx + 1 < ow;
      row0[2 * tx] = s0[0] + s0[1] + s0[2] + b;
      if (right) row0[2 * tx + 1] = s1[0] + s1[1] + s1[2] + b;
      if (second) {
        row1[2 * tx] = s0[1] - s0[2] - s0[3] + b;
        if (right) row1[2 * tx + 1] = s1[1] - s1[2] - s1[3] + b;
      }
    }
    if (activation.op != UnaryOp::identity) {
      activate_f32(row0, row0, second ? 2 * ow : ow, activation);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_WINOGRAD_INL_HPP
