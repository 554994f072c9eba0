// Per-target bodies of the conv kernels (see conv.hpp). Re-included once per CPU target.
// Convolution and transposed convolution run through the one GEMM of the library (gemm.hpp); the
// bodies here are the data movement around it (im2col, col2im) and the direct kernel of small
// layers. The depthwise kernel: depthwise-inl.hpp.
#if defined(INLAY_KERNELS_CONV_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_CONV_INL_HPP
#undef INLAY_KERNELS_CONV_INL_HPP
#else
#define INLAY_KERNELS_CONV_INL_HPP
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <hwy/highway.h>

#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/window-inl.hpp"

// Complete unrolling of short tap loops whose trip count is known at compile time.
#ifndef INLAY_CONV_UNROLL
#define INLAY_CONV_UNROLL _Pragma("GCC unroll 8")
#endif

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Calls body(d) with the widest float tag of full, 8, 4 or 1 lanes that rows of `width` outputs
// fill: a row narrower than a full vector runs on a narrower one rather than on single lanes.
template <class Body>
HWY_INLINE void with_tag_for_width(std::size_t width, Body&& body) {
  const hn::ScalableTag<float> full;
  const hn::CappedTag<float, 8> eight;
  const hn::CappedTag<float, 4> four;
  const hn::CappedTag<float, 1> one;
  if (width >= hn::Lanes(full)) {
    body(full);
  } else if (width >= hn::Lanes(eight)) {
    body(eight);
  } else if (width >= hn::Lanes(four)) {
    body(four);
  } else {
    body(one);
  }
}

// Rows [row_begin, row_end) of the column matrix of one (image, group); x points at the group's
// first input channel. Row (c, ki, kj) holds x[c, oy*sh - pt + ki*dh, ox*sw - pl + kj*dw] for
// every output position (oy, ox), 0 in the padding (im2col: Chellapilla et al., "High Performance
// Convolutional Neural Networks for Document Processing", 2006).
void conv_im2col_f32(const Conv2dParams& p, const float* x, std::size_t row_begin,
                     std::size_t row_end, float* col) {
  const std::size_t oh = p.out_h(), ow = p.out_w(), kk = p.kernel_h * p.kernel_w;
  for (std::size_t r = row_begin; r < row_end; ++r) {
    const std::size_t c = r / kk, ki = (r % kk) / p.kernel_w, kj = r % p.kernel_w;
    const float* plane = x + c * p.in_h * p.in_w;
    float* out = col + (r - row_begin) * oh * ow;
    const WindowRange rows = window_range(
        static_cast<std::ptrdiff_t>(ki * p.dilation_h) - static_cast<std::ptrdiff_t>(p.pad_top),
        p.stride_h, p.in_h, oh);
    const std::ptrdiff_t col_off =
        static_cast<std::ptrdiff_t>(kj * p.dilation_w) - static_cast<std::ptrdiff_t>(p.pad_left);
    const WindowRange cols = window_range(col_off, p.stride_w, p.in_w, ow);
    fill_f32(out, rows.lo * ow, 0.0f);
    for (std::size_t oy = rows.lo; oy < rows.hi; ++oy) {
      const float* in_row = plane + (oy * p.stride_h + ki * p.dilation_h - p.pad_top) * p.in_w;
      float* o = out + oy * ow;
      fill_f32(o, cols.lo, 0.0f);
      if (cols.hi == cols.lo) {  // no tap inside the row (and no pointer before it)
        fill_f32(o, ow, 0.0f);
        continue;
      }
      const std::size_t first =
          static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cols.lo * p.stride_w) + col_off);
      copy_strided_f32(in_row + first, p.stride_w, p.in_w - first, o + cols.lo, cols.hi - cols.lo);
      fill_f32(o + cols.hi, ow - cols.hi, 0.0f);
    }
    fill_f32(out + rows.hi * ow, (oh - rows.hi) * ow, 0.0f);
  }
}

// The direct kernel of small stride-1 convolutions (conv_direct_applies in conv-dispatch.hpp:
// LeNet-sized layers, where building and packing the column matrix costs several times the
// FMAs). Output channels [oc0, oc0 + count) of one (image, group), count <= kConvDirectBlock: each
// input vector is loaded once and feeds one FMA per output channel of the block (eight or more
// independent chains, enough to cover the FMA latency), with the block's weights interleaved
// tap by tap in a stack buffer so that all of them are broadcast from one pointer. x points at
// the group's first (padded) input plane, with rows xw floats apart and planes xplane apart; no
// padding is left to handle.
constexpr std::size_t kConvDirectBlock = 8;
constexpr std::size_t kConvDirectMaxTaps = 1024;  // in_channels / groups * kernel_h * kernel_w

// Output rows computed together: two where there are 32 vector registers (2 x 8 accumulators,
// the 8 broadcast weights shared by both rows), one otherwise.
#if HWY_TARGET <= HWY_AVX3 && HWY_TARGET != HWY_SCALAR
constexpr std::size_t kConvDirectRows = 2;
#else
constexpr std::size_t kConvDirectRows = 1;
#endif

// kR output rows from oy, columns [ox, ox + Lanes(d)).
template <std::size_t kR, class D>
HWY_INLINE void conv_direct_tile(D d, const Conv2dParams& p, const float* x, std::size_t xw,
                                 std::size_t xplane, const float* wb, const float* bo,
                                 std::size_t oy, std::size_t ox, std::size_t count, float* y,
                                 const Activation& activation) {
  using V = hn::Vec<D>;
  constexpr std::size_t B = kConvDirectBlock;
  const std::size_t oh = p.out_h(), ow = p.out_w(), cg = p.in_channels / p.groups;
  V acc[kR][B];
  INLAY_CONV_UNROLL
  for (std::size_t r = 0; r < kR; ++r) {
    INLAY_CONV_UNROLL
    for (std::size_t o = 0; o < B; ++o) acc[r][o] = hn::Set(d, bo[o]);
  }
  const float* wt = wb;
  for (std::size_t c = 0; c < cg; ++c) {
    const float* base = x + c * xplane + oy * xw + ox;
    for (std::size_t ki = 0; ki < p.kernel_h; ++ki) {
      const float* row = base + ki * xw;
      for (std::size_t kj = 0; kj < p.kernel_w; ++kj, wt += B) {
        V v[kR];
        INLAY_CONV_UNROLL
        for (std::size_t r = 0; r < kR; ++r) v[r] = hn::LoadU(d, row + r * xw + kj);
        INLAY_CONV_UNROLL
        for (std::size_t o = 0; o < B; ++o) {
          const V wv = hn::Set(d, wt[o]);
          INLAY_CONV_UNROLL
          for (std::size_t r = 0; r < kR; ++r) acc[r][o] = hn::MulAdd(wv, v[r], acc[r][o]);
        }
      }
    }
  }
  const bool relu = activation.op == UnaryOp::relu, clip = activation.op == UnaryOp::clip;
  for (std::size_t r = 0; r < kR; ++r) {
    for (std::size_t o = 0; o < count; ++o) {
      V out = acc[r][o];
      if (relu) out = ReluOp{}(d, out);
      if (clip) out = ClipOp{activation.alpha, activation.beta}(d, out);
      hn::StoreU(out, d, y + o * oh * ow + (oy + r) * ow + ox);
    }
  }
}

template <class D>
void conv_direct_block(D d, const Conv2dParams& p, const float* x, std::size_t xw,
                       std::size_t xplane, const float* w, const float* bias, std::size_t oc0,
                       std::size_t count, float* y, const Activation& activation) {
  constexpr std::size_t B = kConvDirectBlock;
  const std::size_t N = hn::Lanes(d), oh = p.out_h(), ow = p.out_w();
  const std::size_t taps = p.in_channels / p.groups * p.kernel_h * p.kernel_w;
  // wb[t * B + o]: tap t of output channel oc0 + o; channels past `count` repeat the last one
  // (their results are not stored).
  HWY_ALIGN float wb[kConvDirectMaxTaps * B];
  float bo[B];
  for (std::size_t o = 0; o < B; ++o) {
    const std::size_t oc = oc0 + std::min(o, count - 1);
    for (std::size_t t = 0; t < taps; ++t) wb[t * B + o] = w[oc * taps + t];
    bo[o] = bias != nullptr ? bias[oc] : 0.0f;
  }
  float* yb = y + oc0 * oh * ow;
  for (std::size_t ox = 0; ox < ow; ox += N) {
    if (ox + N > ow) ox = ow - N;  // the last vector overlaps the previous one
    std::size_t oy = 0;
    for (; oy + kConvDirectRows <= oh; oy += kConvDirectRows) {
      conv_direct_tile<kConvDirectRows>(d, p, x, xw, xplane, wb, bo, oy, ox, count, yb, activation);
    }
    for (; oy < oh; ++oy) {
      conv_direct_tile<1>(d, p, x, xw, xplane, wb, bo, oy, ox, count, yb, activation);
    }
  }
  const bool fused = activation.op == UnaryOp::relu || activation.op == UnaryOp::clip;
  if (!fused && activation.op != UnaryOp::identity) {
    activate_f32(yb, yb, count * oh * ow, activation);
  }
}

// One (image, group): x at its first input plane (in_h x in_w, unpadded), y at its first output
// plane, w and bias at its first output channel. `padded` (conv_direct_padded_size floats) holds
// the zero-padded input when there is padding.
void conv_direct_f32(const Conv2dParams& p, const float* x, const float* w, const float* bias,
                     float* y, float* padded, const Activation& activation, Executor* executor) {
  const std::size_t cg = p.in_channels / p.groups, og = p.out_channels / p.groups;
  std::size_t xw = p.in_w, xplane = p.in_h * p.in_w;
  if (p.pad_top + p.pad_bottom + p.pad_left + p.pad_right != 0) {
    xw = p.pad_left + p.in_w + p.pad_right;
    xplane = (p.pad_top + p.in_h + p.pad_bottom) * xw;
    fill_f32(padded, cg * xplane, 0.0f);
    for (std::size_t c = 0; c < cg; ++c) {
      for (std::size_t iy = 0; iy < p.in_h; ++iy) {
        copy_f32(x + (c * p.in_h + iy) * p.in_w,
                 padded + c * xplane + (iy + p.pad_top) * xw + p.pad_left, p.in_w);
      }
    }
    x = padded;
  }
  const std::size_t blocks = (og + kConvDirectBlock - 1) / kConvDirectBlock, ow = p.out_w();
  parallel_for(executor, blocks, [&](std::size_t b) {
    const std::size_t oc0 = b * kConvDirectBlock, count = std::min(kConvDirectBlock, og - oc0);
    with_tag_for_width(ow, [&](auto d) {
      conv_direct_block(d, p, x, xw, xplane, w, bias, oc0, count, y, activation);
    });
  });
}

// `channels` output channels of one (image, group) of a transposed convolution: y[oc] =
// act(bias[oc] + sum over (ki, kj, iy, ix) of col[(oc, ki, kj), iy, ix]) where (iy, ix) lands on
// (iy*sh - pt + ki*dh, ix*sw - pl + kj*dw) (col2im, the adjoint of im2col). col, y and bias
// (may be null) point at the first of these channels.
void conv_col2im_f32(const Conv2dParams& p, const float* col, std::size_t channels,
                     const float* bias, float* y, const Activation& activation) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const std::size_t oh = p.transposed_out_h(), ow = p.transposed_out_w();
  const std::size_t in_plane = p.in_h * p.in_w;
  for (std::size_t oc = 0; oc < channels; ++oc) {
    float* plane = y + oc * oh * ow;
    fill_f32(plane, oh * ow, bias ? bias[oc] : 0.0f);
    for (std::size_t ki = 0; ki < p.kernel_h; ++ki) {
      // Input rows iy whose output row iy*sh + ki*dh - pt lies in [0, oh).
      const WindowRange rows = window_range(
          static_cast<std::ptrdiff_t>(ki * p.dilation_h) - static_cast<std::ptrdiff_t>(p.pad_top),
          p.stride_h, oh, p.in_h);
      for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
        const std::ptrdiff_t col_off = static_cast<std::ptrdiff_t>(kj * p.dilation_w) -
                                       static_cast<std::ptrdiff_t>(p.pad_left);
        const WindowRange cols = window_range(col_off, p.stride_w, ow, p.in_w);
        const std::size_t n = cols.hi - cols.lo;
        if (n == 0) continue;
        const float* src = col + ((oc * p.kernel_h + ki) * p.kernel_w + kj) * in_plane;
        for (std::size_t iy = rows.lo; iy < rows.hi; ++iy) {
          const float* s = src + iy * p.in_w + cols.lo;
          float* o = plane + (iy * p.stride_h + ki * p.dilation_h - p.pad_top) * ow +
                     static_cast<std::ptrdiff_t>(cols.lo * p.stride_w) + col_off;
          std::size_t i = 0;
          if (p.stride_w == 1) {
            for (; i + N <= n; i += N) {
              hn::StoreU(hn::Add(hn::LoadU(d, o + i), hn::LoadU(d, s + i)), d, o + i);
            }
          }
          for (; i < n; ++i) o[i * p.stride_w] += s[i];
        }
      }
    }
    if (activation.op != UnaryOp::identity) activate_f32(plane, plane, oh * ow, activation);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_CONV_INL_HPP
