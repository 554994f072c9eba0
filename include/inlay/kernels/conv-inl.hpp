// Per-target bodies of the conv kernels (see conv.hpp). Re-included once per CPU target.
// Convolution and transposed convolution run through the one GEMM of the library (gemm.hpp); the
// bodies here are the data movement around it (im2col, col2im) and the direct depthwise kernel.
#if defined(INLAY_KERNELS_CONV_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_CONV_INL_HPP
#undef INLAY_KERNELS_CONV_INL_HPP
#else
#define INLAY_KERNELS_CONV_INL_HPP
#endif

#include <cstddef>
#include <cstdint>

#include <hwy/highway.h>

#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/window-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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
      const std::size_t first = static_cast<std::size_t>(
          static_cast<std::ptrdiff_t>(cols.lo * p.stride_w) + col_off);
      copy_strided_f32(in_row + first, p.stride_w, p.in_w - first, o + cols.lo,
                       cols.hi - cols.lo);
      fill_f32(o + cols.hi, ow - cols.hi, 0.0f);
    }
    fill_f32(out + rows.hi * ow, (oh - rows.hi) * ow, 0.0f);
  }
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

// One output row of a depthwise convolution: its valid kernel rows (input row of the
// first one, weights of the first one, how many; consecutive ones are dilation_h input rows and
// kernel_w weights apart) and the bias.
struct DepthwiseRow {
  const float* x;
  const float* w;
  std::size_t rows;
  std::size_t x_step;
  float bias;
};

// Output columns [lo, hi) where every tap lies inside the input row, vectorized along the output
// width with vectors of `d`.
template <StridedLoad kMode, class D>
inline void depthwise_row_interior(D d, const Conv2dParams& p, const DepthwiseRow& r,
                                   std::size_t lo, std::size_t hi, float* HWY_RESTRICT y) {
  const hn::RebindToSigned<D> di;
  const std::size_t N = hn::Lanes(d);
  const std::size_t sw = p.stride_w, kw = p.kernel_w, dw = p.dilation_w;
  const auto idx = hn::Mul(hn::Iota(di, 0), hn::Set(di, static_cast<std::int32_t>(sw)));
  std::size_t ox = lo;
  // Two vectors per step: independent FMA chains hide the FMA latency.
  for (; ox + 2 * N <= hi; ox += 2 * N) {
    auto acc0 = hn::Set(d, r.bias), acc1 = acc0;
    for (std::size_t t = 0; t < r.rows; ++t) {
      const float* in = r.x + t * r.x_step + ox * sw - p.pad_left;
      const float* wr = r.w + t * kw;
      for (std::size_t kj = 0; kj < kw; ++kj) {
        const auto wv = hn::Set(d, wr[kj]);
        acc0 = hn::MulAdd(wv, load_strided<kMode>(d, in + kj * dw, idx), acc0);
        acc1 = hn::MulAdd(wv, load_strided<kMode>(d, in + kj * dw + N * sw, idx), acc1);
      }
    }
    hn::StoreU(acc0, d, y + ox);
    hn::StoreU(acc1, d, y + ox + N);
  }
  // The last vector may overlap the previous one (it rewrites equal values): no scalar tail.
  // The caller guarantees hi - lo >= N.
  for (; ox < hi; ox += N) {
    if (ox + N > hi) ox = hi - N;
    auto acc = hn::Set(d, r.bias);
    for (std::size_t t = 0; t < r.rows; ++t) {
      const float* in = r.x + t * r.x_step + ox * sw - p.pad_left;
      const float* wr = r.w + t * kw;
      for (std::size_t kj = 0; kj < kw; ++kj) {
        acc = hn::MulAdd(hn::Set(d, wr[kj]), load_strided<kMode>(d, in + kj * dw, idx), acc);
      }
    }
    hn::StoreU(acc, d, y + ox);
  }
}

template <class D>
inline void depthwise_row_interior(D d, StridedLoad mode, const Conv2dParams& p,
                                   const DepthwiseRow& r, std::size_t lo, std::size_t hi,
                                   float* HWY_RESTRICT y) {
  switch (mode) {
    case StridedLoad::unit: depthwise_row_interior<StridedLoad::unit>(d, p, r, lo, hi, y); break;
    case StridedLoad::two: depthwise_row_interior<StridedLoad::two>(d, p, r, lo, hi, y); break;
    case StridedLoad::gather:
      depthwise_row_interior<StridedLoad::gather>(d, p, r, lo, hi, y);
      break;
  }
}

// Output columns [lo, hi) of one row where some taps fall into the padding (the borders).
inline void depthwise_row_border(const Conv2dParams& p, const DepthwiseRow& r, std::size_t lo,
                                 std::size_t hi, float* HWY_RESTRICT y) {
  for (std::size_t ox = lo; ox < hi; ++ox) {
    float acc = r.bias;
    for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
      const std::size_t ix = ox * p.stride_w + kj * p.dilation_w;  // padded coordinates
      if (ix < p.pad_left || ix >= p.pad_left + p.in_w) continue;
      for (std::size_t t = 0; t < r.rows; ++t) {
        acc += r.w[t * p.kernel_w + kj] * r.x[t * r.x_step + ix - p.pad_left];
      }
    }
    y[ox] = acc;
  }
}

void depthwise_conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w,
                               const float* bias, float* y, const Activation& activation,
                               Executor* executor) {
  const std::size_t oh = p.out_h(), ow = p.out_w();
  const std::size_t multiplier = p.out_channels / p.in_channels;
  const std::size_t kk = p.kernel_h * p.kernel_w;
  // Interior columns, vectorized with full vectors, or 4 lanes when the interior is narrower
  // than a full vector (7x7 and 14x14 layers with AVX-512); narrower still: the border path.
  const hn::ScalableTag<float> full;
  const hn::CappedTag<float, 4> quarter;
  WindowRange in = interior_range(p.pad_left, p.kernel_w, p.dilation_w, p.stride_w, p.in_w, ow);
  if (in.hi - in.lo < hn::Lanes(quarter)) in = {0, 0};
  const bool use_full = in.hi - in.lo >= hn::Lanes(full);
  const StridedLoad mode = strided_load_for(p.stride_w);
  parallel_for(executor, p.batch * p.out_channels, [&](std::size_t plane) {
    const std::size_t oc = plane % p.out_channels, n = plane / p.out_channels;
    const float* xp = x + (n * p.in_channels + oc / multiplier) * p.in_h * p.in_w;
    float* yp = y + plane * oh * ow;
    for (std::size_t oy = 0; oy < oh; ++oy) {
      // Kernel rows whose input row oy*sh + ki*dh - pt lies inside the input: a range of ki.
      const WindowRange krows =
          window_range(static_cast<std::ptrdiff_t>(oy * p.stride_h) -
                           static_cast<std::ptrdiff_t>(p.pad_top),
                       p.dilation_h, p.in_h, p.kernel_h);
      const DepthwiseRow r{
          krows.hi == krows.lo
              ? xp
              : xp + (oy * p.stride_h + krows.lo * p.dilation_h - p.pad_top) * p.in_w,
          w + oc * kk + krows.lo * p.kernel_w, krows.hi - krows.lo, p.dilation_h * p.in_w,
          bias ? bias[oc] : 0.0f};
      float* yr = yp + oy * ow;
      depthwise_row_border(p, r, 0, in.lo, yr);
      if (use_full) {
        depthwise_row_interior(full, mode, p, r, in.lo, in.hi, yr);
      } else {
        depthwise_row_interior(quarter, mode, p, r, in.lo, in.hi, yr);
      }
      depthwise_row_border(p, r, in.hi, ow, yr);
    }
    if (activation.op != UnaryOp::identity) activate_f32(yp, yp, oh * ow, activation);
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_CONV_INL_HPP
