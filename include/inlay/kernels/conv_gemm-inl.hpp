// Per-target body of a convolution as one GEMM whose B operand, the column matrix of im2col, is
// never stored: the GEMM packs each KC x 64 block of it straight from the input image
// (pack_conv_columns, GemmProblem::pack_b), so the column matrix (7.4 MB for ResNet-18's 7x7
// stem) makes no round trip through memory and needs no workspace. The values and the GEMM's
// order of summation are those of im2col + gemm_f32: the result is the same bit for bit.
// Re-included once per CPU target.
#if defined(INLAY_KERNELS_CONV_GEMM_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_CONV_GEMM_INL_HPP
#undef INLAY_KERNELS_CONV_GEMM_INL_HPP
#else
#define INLAY_KERNELS_CONV_GEMM_INL_HPP
#endif

#include <algorithm>
#include <cstddef>

#include <hwy/highway.h>

#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/gemm-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The column matrix of one (image, group): row (c, ki, kj), column (oy, ox) holds input
// x[c][oy * stride_h + ki * dilation_h - pad_top][ox * stride_w + kj * dilation_w - pad_left],
// zero in the padding.
struct ConvColumns {
  const Conv2dParams* p;
  const float* x;  // the group's first input plane
};

// Rows [p0, p0 + kb) and columns [j0, j0 + nb) of the column matrix in pack_b_block's layout
// (panels of gemm_panel_width columns, kb rows each, columns past nb zero). A panel's columns
// are cut into runs within one output row; each run reads one input row with the stride.
static void pack_conv_columns(const void* source, std::size_t j0, std::size_t nb, std::size_t p0,
                              std::size_t kb, float* dst) {
  const ConvColumns& src = *static_cast<const ConvColumns*>(source);
  const Conv2dParams& p = *src.p;
  constexpr std::size_t W = gemm_panel_width;
  const hn::CappedTag<float, W> d;
  const std::size_t N = hn::Lanes(d);
  const std::size_t ow = p.out_w(), kw = p.kernel_w, taps = p.kernel_h * p.kernel_w;
  const std::size_t sw = p.stride_w, plane = p.in_h * p.in_w;
  const std::ptrdiff_t in_h = static_cast<std::ptrdiff_t>(p.in_h);
  const std::ptrdiff_t in_w = static_cast<std::ptrdiff_t>(p.in_w);
  struct Run {
    std::size_t begin, end;  // columns of the panel
    std::ptrdiff_t iy, ix;   // input row and column of tap (0, 0) for the run's first column
  };
  for (std::size_t q = 0; q * W < nb; ++q) {
    float* panel = dst + q * kb * W;
    const std::size_t jq = j0 + q * W, w = std::min(W, nb - q * W);
    Run runs[W];
    std::size_t run_count = 0;
    for (std::size_t x = 0; x < w;) {
      const std::size_t oy = (jq + x) / ow, ox = (jq + x) % ow;
      const std::size_t end = std::min(w, x + (ow - ox));
      runs[run_count++] = {
          x, end,
          static_cast<std::ptrdiff_t>(oy * p.stride_h) - static_cast<std::ptrdiff_t>(p.pad_top),
          static_cast<std::ptrdiff_t>(ox * sw) - static_cast<std::ptrdiff_t>(p.pad_left)};
      x = end;
    }
    const bool whole = run_count == 1 && w == W;  // the panel is 16 columns of one output row
    std::size_t c = p0 / taps, ki = (p0 % taps) / kw, kj = p0 % kw;
    for (std::size_t r = 0; r < kb; ++r) {
      const float* xc = src.x + c * plane;
      const std::ptrdiff_t dy = static_cast<std::ptrdiff_t>(ki * p.dilation_h);
      const std::ptrdiff_t dx = static_cast<std::ptrdiff_t>(kj * p.dilation_w);
      if (++kj == kw) {  // the next row's tap
        kj = 0;
        if (++ki == p.kernel_h) ki = 0, ++c;
      }
      float* out = panel + r * W;
      if (whole) {  // the common case: one input row, all inside, stride 1 or 2
        const std::ptrdiff_t iy = runs[0].iy + dy, ix = runs[0].ix + dx;
        if (iy >= 0 && iy < in_h && ix >= 0) {
          const float* row = xc + iy * in_w + ix;
          if (sw == 1 && ix + static_cast<std::ptrdiff_t>(W) <= in_w) {
            for (std::size_t x = 0; x < W; x += N) hn::StoreU(hn::LoadU(d, row + x), d, out + x);
            continue;
          }
          if (sw == 2 && ix + static_cast<std::ptrdiff_t>(2 * W) <= in_w) {
            for (std::size_t x = 0; x < W; x += N) {
              hn::Vec<decltype(d)> even, odd;
              hn::LoadInterleaved2(d, row + 2 * x, even, odd);
              hn::StoreU(even, d, out + x);
            }
            continue;
          }
        }
      }
      for (std::size_t u = 0; u < run_count; ++u) {
        const Run& run = runs[u];
        const std::size_t len = run.end - run.begin;
        const std::ptrdiff_t iy = run.iy + dy, ix = run.ix + dx;
        float* o = out + run.begin;
        if (iy < 0 || iy >= in_h || ix + static_cast<std::ptrdiff_t>((len - 1) * sw) < 0 ||
            ix >= in_w) {
          for (std::size_t x = 0; x < len; ++x) o[x] = 0.0f;
          continue;
        }
        // Columns [lo, hi) of the run read inside the input row.
        const std::size_t lo =
            ix >= 0 ? 0
                    : static_cast<std::size_t>((-ix + static_cast<std::ptrdiff_t>(sw) - 1) /
                                               static_cast<std::ptrdiff_t>(sw));
        const std::size_t hi = std::min(
            len, static_cast<std::size_t>((in_w - 1 - ix) / static_cast<std::ptrdiff_t>(sw)) + 1);
        const float* row = xc + iy * in_w + ix;
        for (std::size_t x = 0; x < lo; ++x) o[x] = 0.0f;
        for (std::size_t x = lo; x < hi; ++x) o[x] = row[x * sw];
        for (std::size_t x = hi; x < len; ++x) o[x] = 0.0f;
      }
      for (std::size_t x = w; x < W; ++x) out[x] = 0.0f;
    }
  }
}

// y [og, out_h * out_w] = act(w [og, k] * columns + bias) for one (image, group); x is the group's
// first input plane.
void conv_gemm_f32(const Conv2dParams& p, const float* x, const float* w, float* y,
                   const GemmEpilogue& epilogue, Executor* executor) {
  const std::size_t og = p.out_channels / p.groups, out_plane = p.out_h() * p.out_w();
  const std::size_t k = p.in_channels / p.groups * p.kernel_h * p.kernel_w;
  const ConvColumns columns{&p, x};
  GemmProblem g = gemm_problem(false, k, 1.0f, w, k, 0.0f, y, out_plane, epilogue);
  g.pack_b = &pack_conv_columns;
  g.b_source = &columns;
  gemm_run(
      1, og, out_plane, kGemmTaskNC, [&](std::size_t) { return g; }, executor);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_CONV_GEMM_INL_HPP
