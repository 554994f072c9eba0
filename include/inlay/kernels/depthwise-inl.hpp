// Per-target body of the depthwise convolution (kernels/conv.hpp: depthwise_conv2d_nchw_f32, one
// filter per channel). Re-included once per CPU target; part of the conv family (its entry point
// is in conv-dispatch.hpp). Three paths: a row cache split by stride phase (most planes), channels
// across the vector for small planes, and a bounds-checked direct path for the rest.
#if defined(INLAY_KERNELS_DEPTHWISE_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_DEPTHWISE_INL_HPP
#undef INLAY_KERNELS_DEPTHWISE_INL_HPP
#else
#define INLAY_KERNELS_DEPTHWISE_INL_HPP
#endif

#include <algorithm>
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

// The cached path of the depthwise kernel. The input rows a plane's output rows read are copied
// once into a small cache of padded rows, each split by phase (padded column modulo stride_w):
// phase r of a row holds padded columns r, r + s, r + 2s, ... with zeros in the padding. Tap kj of
// output column ox then reads phase (kj * dw) % s at index ox + (kj * dw) / s: every load is
// contiguous and no column needs a bound check, whatever the stride, dilation and padding. Rows in
// the top and bottom padding read one shared row of zeros. Output rows are computed
// kDepthwiseRows at a time (independent FMA chains, one broadcast of each weight); input row iy
// sits in slot iy % slots, where `slots` is the span of input rows two such groups read, so the
// rows of this group and the next never share a slot and each input row is copied about once.
// Everything that is the same for every plane (the zero padding of each phase, where it starts) is
// worked out once per call: the per-plane work is the copies and the FMAs, with no division.
constexpr std::size_t kDepthwiseCacheFloats = 8192;  // 32 KiB of stack per task
constexpr std::size_t kDepthwiseMaxKernel = 32;      // taps per kernel row and kernel rows
constexpr std::size_t kDepthwiseMaxSlots = 128;
constexpr std::size_t kDepthwiseMaxPhases = 32;  // stride_w
constexpr std::size_t kDepthwiseRows = 4;

// The activation the cached path applies in registers as it stores; others are a second pass.
enum class DepthwiseAct { none, relu, clip };

struct DepthwiseCache {
  std::size_t slots = 0;      // input rows held (one more slot holds the zero row)
  std::size_t phase_len = 0;  // floats per phase of a row
  std::size_t row_floats = 0;
  bool fits = false;
  // Phase r of a row holds input columns first[r] + s * t at indices [lo[r], hi[r]); the rest of
  // the phase is zero padding.
  std::size_t lo[kDepthwiseMaxPhases] = {}, hi[kDepthwiseMaxPhases] = {},
              first[kDepthwiseMaxPhases] = {};
  std::size_t tap_off[kDepthwiseMaxKernel] = {};  // where tap kj starts in a cache row
  DepthwiseAct act = DepthwiseAct::none;
  float act_lo = 0.0f, act_hi = 0.0f;

  DepthwiseCache(const Conv2dParams& p, const Activation& activation) {
    if (p.kernel_h > kDepthwiseMaxKernel || p.kernel_w > kDepthwiseMaxKernel ||
        p.dilation_h > kDepthwiseMaxSlots || p.stride_h > kDepthwiseMaxSlots ||
        p.stride_w > kDepthwiseMaxPhases || p.in_w > kDepthwiseCacheFloats ||
        p.pad_left + p.pad_right > kDepthwiseCacheFloats) {
      return;
    }
    const std::size_t padded = p.pad_left + p.in_w + p.pad_right, s = p.stride_w;
    // Two groups of output rows: the next group's rows are copied while this group's are read.
    slots = (p.kernel_h - 1) * p.dilation_h + 1 + (2 * kDepthwiseRows - 1) * p.stride_h;
    phase_len = (padded + s - 1) / s;
    row_floats = phase_len * s;
    fits = slots <= kDepthwiseMaxSlots && row_floats <= kDepthwiseCacheFloats &&
           (slots + 1) * row_floats <= kDepthwiseCacheFloats;
    if (!fits) return;
    for (std::size_t r = 0; r < s; ++r) {
      // Index t holds padded column r + s * t, input column r + s * t - pad_left.
      lo[r] = std::min(phase_len, p.pad_left > r ? (p.pad_left - r + s - 1) / s : 0);
      const std::size_t end = p.pad_left + p.in_w > r ? (p.pad_left + p.in_w - r + s - 1) / s : 0;
      hi[r] = std::max(lo[r], std::min(end, phase_len));
      first[r] = hi[r] > lo[r] ? r + s * lo[r] - p.pad_left : 0;
    }
    for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
      const std::size_t col = kj * p.dilation_w;
      tap_off[kj] = (col % s) * phase_len + col / s;
    }
    if (activation.op == UnaryOp::relu) act = DepthwiseAct::relu;
    if (activation.op == UnaryOp::clip) {
      act = DepthwiseAct::clip;
      act_lo = activation.alpha;
      act_hi = activation.beta;
    }
  }
  bool fuses(const Activation& activation) const {
    return activation.op == UnaryOp::identity || act != DepthwiseAct::none;
  }
};

// Copies input row `in_row` (in_w floats) into the data part of each phase of a cache row; the
// padding part was zeroed once.
inline void depthwise_fill_row(const Conv2dParams& p, const DepthwiseCache& c, const float* in_row,
                               float* HWY_RESTRICT row) {
  const std::size_t s = p.stride_w;
  for (std::size_t r = 0; r < s; ++r) {
    if (c.hi[r] == c.lo[r]) continue;
    copy_strided_f32(in_row + c.first[r], s, p.in_w - c.first[r], row + r * c.phase_len + c.lo[r],
                     c.hi[r] - c.lo[r]);
  }
}

template <class D>
HWY_INLINE hn::Vec<D> depthwise_activate(D d, const DepthwiseCache& c, hn::Vec<D> v) {
  if (c.act == DepthwiseAct::relu) return ReluOp{}(d, v);
  if (c.act == DepthwiseAct::clip) return ClipOp{c.act_lo, c.act_hi}(d, v);
  return v;
}

// kG consecutive output rows, columns [0, ow): output row g, kernel row ki reads the cache row
// rows[g * kernel_h + ki]. The last vector may overlap the previous one (it rewrites equal
// values); ow >= Lanes(d). kKw: the kernel width when known at compile time (3: unrolled taps),
// else 0.
template <std::size_t kG, std::size_t kKw, class D>
inline void depthwise_cached_rows(D d, const Conv2dParams& p, const DepthwiseCache& c,
                                  const float* const* rows, const float* w, float bias,
                                  float* HWY_RESTRICT y, std::size_t ow) {
  const std::size_t N = hn::Lanes(d), kh = p.kernel_h, kw = kKw != 0 ? kKw : p.kernel_w;
  for (std::size_t ox = 0; ox < ow; ox += N) {
    if (ox + N > ow) ox = ow - N;
    hn::Vec<D> acc[kG];
    for (std::size_t g = 0; g < kG; ++g) acc[g] = hn::Set(d, bias);
    for (std::size_t ki = 0; ki < kh; ++ki) {
      INLAY_CONV_UNROLL
      for (std::size_t kj = 0; kj < kw; ++kj) {
        const auto wv = hn::Set(d, w[ki * kw + kj]);
        const std::size_t at = c.tap_off[kj] + ox;
        INLAY_CONV_UNROLL
        for (std::size_t g = 0; g < kG; ++g) {
          acc[g] = hn::MulAdd(wv, hn::LoadU(d, rows[g * kh + ki] + at), acc[g]);
        }
      }
    }
    for (std::size_t g = 0; g < kG; ++g) {
      hn::StoreU(depthwise_activate(d, c, acc[g]), d, y + g * ow + ox);
    }
  }
}

template <std::size_t kG, std::size_t kKw>
inline void depthwise_cached_rows(const Conv2dParams& p, const DepthwiseCache& c,
                                  const float* const* rows, const float* w, float bias,
                                  float* HWY_RESTRICT y, std::size_t ow) {
  with_tag_for_width(
      ow, [&](auto d) { depthwise_cached_rows<kG, kKw>(d, p, c, rows, w, bias, y, ow); });
}

// One plane (one image, one output channel) through the row cache `cache`
// (kDepthwiseCacheFloats), zeroed by the caller before its first plane: row copies write only the
// data part of a row, so the padding and the zero row stay zero from plane to plane. (Zeroing the
// cache for every plane cost as much as the row copies on the short bands of the inverted
// bottleneck, kernels/inverted_bottleneck.hpp.) The activation is applied when c.fuses(it); the
// caller applies the others.
inline void depthwise_cached_plane(const Conv2dParams& p, const DepthwiseCache& c,
                                   float* HWY_RESTRICT cache, const float* HWY_RESTRICT xp,
                                   const float* w, float bias, float* HWY_RESTRICT yp) {
  std::ptrdiff_t held[kDepthwiseMaxSlots];  // input row in each slot, -1 when none
  const float* rows[kDepthwiseRows * kDepthwiseMaxKernel];
  for (std::size_t s = 0; s < c.slots; ++s) held[s] = -1;
  const float* zeros = cache + c.slots * c.row_floats;
  const std::size_t oh = p.out_h(), ow = p.out_w();
  const std::ptrdiff_t in_h = static_cast<std::ptrdiff_t>(p.in_h);
  // Makes sure the input rows of the `group` output rows whose first input row is `top` (in
  // slot top_slot) are in the cache; stores their addresses in `out` unless it is null.
  auto cache_rows = [&](std::ptrdiff_t top, std::size_t top_slot, std::size_t group,
                        const float** out) {
    for (std::size_t g = 0; g < group; ++g) {
      for (std::size_t ki = 0; ki < p.kernel_h; ++ki) {
        const std::size_t off = g * p.stride_h + ki * p.dilation_h;  // < slots
        const std::ptrdiff_t iy = top + static_cast<std::ptrdiff_t>(off);
        const float* row = zeros;
        if (iy >= 0 && iy < in_h) {
          std::size_t slot = top_slot + off;
          if (slot >= c.slots) slot -= c.slots;
          float* cached = cache + slot * c.row_floats;
          if (held[slot] != iy) {
            depthwise_fill_row(p, c, xp + static_cast<std::size_t>(iy) * p.in_w, cached);
            held[slot] = iy;
          }
          row = cached;
        }
        if (out != nullptr) out[g * p.kernel_h + ki] = row;
      }
    }
  };
  auto group_at = [&](std::size_t oy) {
    return oh - oy >= kDepthwiseRows ? kDepthwiseRows : oh - oy >= 2 ? 2 : 1;
  };
  // The group's first input row (top of output row oy) and its slot, kept without division.
  std::ptrdiff_t top = -static_cast<std::ptrdiff_t>(p.pad_top);
  const std::ptrdiff_t slots = static_cast<std::ptrdiff_t>(c.slots);
  std::size_t top_slot = static_cast<std::size_t>((top % slots + slots) % slots);
  std::size_t oy = 0;
  while (oy < oh) {
    const std::size_t group = group_at(oy);
    cache_rows(top, top_slot, group, rows);
    const std::size_t advance = group * p.stride_h;  // < slots
    const std::ptrdiff_t next_top = top + static_cast<std::ptrdiff_t>(advance);
    std::size_t next_slot = top_slot + advance;
    if (next_slot >= c.slots) next_slot -= c.slots;
    // The next group's rows are copied before this group's FMAs read the cache, so that no load
    // waits on a copy's stores that are still in flight (a load spanning two recent stores cannot
    // take its data from the store buffer).
    if (oy + group < oh) cache_rows(next_top, next_slot, group_at(oy + group), nullptr);
    float* y = yp + oy * ow;
    if (group == kDepthwiseRows && p.kernel_w == 3) {
      depthwise_cached_rows<kDepthwiseRows, 3>(p, c, rows, w, bias, y, ow);
    } else if (group == kDepthwiseRows) {
      depthwise_cached_rows<kDepthwiseRows, 0>(p, c, rows, w, bias, y, ow);
    } else if (group == 2) {
      depthwise_cached_rows<2, 0>(p, c, rows, w, bias, y, ow);
    } else {
      depthwise_cached_rows<1, 0>(p, c, rows, w, bias, y, ow);
    }
    oy += group;
    top = next_top;
    top_slot = next_slot;
  }
}

// One plane with bound checks on the borders: rows too wide or windows too large for the cache.
inline void depthwise_direct_plane(const Conv2dParams& p, const float* xp, const float* w,
                                   float bias, float* HWY_RESTRICT yp) {
  const std::size_t oh = p.out_h(), ow = p.out_w();
  // Interior columns, vectorized with full vectors, or 4 lanes when the interior is narrower
  // than a full vector; narrower still: the border path.
  const hn::ScalableTag<float> full;
  const hn::CappedTag<float, 4> quarter;
  WindowRange in = interior_range(p.pad_left, p.kernel_w, p.dilation_w, p.stride_w, p.in_w, ow);
  if (in.hi - in.lo < hn::Lanes(quarter)) in = {0, 0};
  const bool use_full = in.hi - in.lo >= hn::Lanes(full);
  const StridedLoad mode = strided_load_for(p.stride_w);
  for (std::size_t oy = 0; oy < oh; ++oy) {
    const WindowRange krows = window_range(
        static_cast<std::ptrdiff_t>(oy * p.stride_h) - static_cast<std::ptrdiff_t>(p.pad_top),
        p.dilation_h, p.in_h, p.kernel_h);
    const DepthwiseRow r{
        krows.hi == krows.lo
            ? xp
            : xp + (oy * p.stride_h + krows.lo * p.dilation_h - p.pad_top) * p.in_w,
        w + krows.lo * p.kernel_w, krows.hi - krows.lo, p.dilation_h * p.in_w, bias};
    float* yr = yp + oy * ow;
    depthwise_row_border(p, r, 0, in.lo, yr);
    if (use_full) {
      depthwise_row_interior(full, mode, p, r, in.lo, in.hi, yr);
    } else {
      depthwise_row_interior(quarter, mode, p, r, in.lo, in.hi, yr);
    }
    depthwise_row_border(p, r, in.hi, ow, yr);
  }
}

// Small planes (7x7, 14x14: the late layers of MobileNets) leave too little work per plane for
// the row path's setup. There the channels go across the vector instead: the padded input planes
// of Lanes(d) output channels are interleaved into one buffer (lane l = channel oc0 + l), each
// output pixel is kernel_h * kernel_w FMAs of whole vectors with aligned loads, four pixels at a
// time (independent chains), and the result is de-interleaved into the planes. The channels-in-
// vector layout is the one of "NCHWc" blocked formats (as in oneDNN and ONNX Runtime's NCHWc
// transformer); here it exists only inside the kernel, so the graph keeps NCHW.
constexpr std::size_t kDepthwiseSmallPlane = 512;  // padded pixels (per lane: 32 KiB at 16 lanes)
constexpr std::size_t kDepthwiseSmallTaps = 64;

inline bool depthwise_small_plane(const Conv2dParams& p) {
  const std::size_t hp = p.pad_top + p.in_h + p.pad_bottom, wp = p.pad_left + p.in_w + p.pad_right;
  return p.in_h <= kDepthwiseSmallPlane && p.in_w <= kDepthwiseSmallPlane &&
         p.pad_top + p.pad_bottom <= kDepthwiseSmallPlane &&
         p.pad_left + p.pad_right <= kDepthwiseSmallPlane && hp * wp <= kDepthwiseSmallPlane &&
         p.kernel_h * p.kernel_w <= kDepthwiseSmallTaps;
}

// Output channels [oc0, oc0 + count) of image n, count <= Lanes(d).
template <class D>
void depthwise_small_group(D d, const Conv2dParams& p, const float* x, const float* w,
                           const float* bias, float* y, std::size_t n, std::size_t oc0,
                           std::size_t count) {
  constexpr std::size_t L = hn::MaxLanes(D());
  HWY_ALIGN float xb[kDepthwiseSmallPlane * L];
  HWY_ALIGN float wb[kDepthwiseSmallTaps * L];
  HWY_ALIGN float bb[L] = {};
  const std::size_t hp = p.pad_top + p.in_h + p.pad_bottom, wp = p.pad_left + p.in_w + p.pad_right;
  const std::size_t oh = p.out_h(), ow = p.out_w(), kk = p.kernel_h * p.kernel_w;
  const std::size_t multiplier = p.out_channels / p.in_channels;
  fill_f32(xb, hp * wp * L, 0.0f);
  fill_f32(wb, kk * L, 0.0f);
  for (std::size_t l = 0; l < count; ++l) {
    const std::size_t oc = oc0 + l;
    const float* plane = x + (n * p.in_channels + oc / multiplier) * p.in_h * p.in_w;
    for (std::size_t iy = 0; iy < p.in_h; ++iy) {
      float* dst = xb + ((iy + p.pad_top) * wp + p.pad_left) * L + l;
      const float* src = plane + iy * p.in_w;
      for (std::size_t ix = 0; ix < p.in_w; ++ix) dst[ix * L] = src[ix];
    }
    for (std::size_t t = 0; t < kk; ++t) wb[t * L + l] = w[oc * kk + t];
    if (bias != nullptr) bb[l] = bias[oc];
  }
  // Pixel (oy, ox), tap (ki, kj) reads padded pixel (oy*sh + ki*dh, ox*sw + kj*dw).
  const std::size_t step = p.stride_w * L;  // to the next output pixel of a row
  auto tap_at = [&](std::size_t oy, std::size_t ox, std::size_t ki, std::size_t kj) {
    return xb +
           ((oy * p.stride_h + ki * p.dilation_h) * wp + ox * p.stride_w + kj * p.dilation_w) * L;
  };
  HWY_ALIGN float ob[kDepthwiseSmallPlane * L];  // the output, interleaved like xb
  const auto b = hn::Load(d, bb);
  for (std::size_t oy = 0; oy < oh; ++oy) {
    std::size_t ox = 0;
    for (; ox + 4 <= ow; ox += 4) {
      auto a0 = b, a1 = b, a2 = b, a3 = b;
      for (std::size_t ki = 0; ki < p.kernel_h; ++ki) {
        for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
          const auto wv = hn::Load(d, wb + (ki * p.kernel_w + kj) * L);
          const float* at = tap_at(oy, ox, ki, kj);
          a0 = hn::MulAdd(wv, hn::Load(d, at), a0);
          a1 = hn::MulAdd(wv, hn::Load(d, at + step), a1);
          a2 = hn::MulAdd(wv, hn::Load(d, at + 2 * step), a2);
          a3 = hn::MulAdd(wv, hn::Load(d, at + 3 * step), a3);
        }
      }
      float* o = ob + (oy * ow + ox) * L;
      hn::Store(a0, d, o);
      hn::Store(a1, d, o + L);
      hn::Store(a2, d, o + 2 * L);
      hn::Store(a3, d, o + 3 * L);
    }
    for (; ox < ow; ++ox) {
      auto acc = b;
      for (std::size_t ki = 0; ki < p.kernel_h; ++ki) {
        for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
          acc = hn::MulAdd(hn::Load(d, wb + (ki * p.kernel_w + kj) * L),
                           hn::Load(d, tap_at(oy, ox, ki, kj)), acc);
        }
      }
      hn::Store(acc, d, ob + (oy * ow + ox) * L);
    }
  }
  for (std::size_t l = 0; l < count; ++l) {
    float* plane = y + (n * p.out_channels + oc0 + l) * oh * ow;
    for (std::size_t i = 0; i < oh * ow; ++i) plane[i] = ob[i * L + l];
  }
}

void depthwise_conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w,
                               const float* bias, float* y, const Activation& activation,
                               Executor* executor) {
  const std::size_t oh = p.out_h(), ow = p.out_w();
  const std::size_t multiplier = p.out_channels / p.in_channels;
  const std::size_t kk = p.kernel_h * p.kernel_w;
  executor = executor_for_work(executor, p.batch * p.out_channels * oh * ow * kk);
  if (depthwise_small_plane(p)) {
    const hn::ScalableTag<float> d;
    const std::size_t L = hn::Lanes(d), groups = (p.out_channels + L - 1) / L;
    parallel_for(executor, p.batch * groups, [&](std::size_t t) {
      const std::size_t n = t / groups, oc0 = (t % groups) * L;
      const std::size_t count = std::min(L, p.out_channels - oc0);
      depthwise_small_group(d, p, x, w, bias, y, n, oc0, count);
      if (activation.op != UnaryOp::identity) {
        float* first = y + (n * p.out_channels + oc0) * oh * ow;
        activate_f32(first, first, count * oh * ow, activation);
      }
    });
    return;
  }
  const DepthwiseCache cache(p, activation);
  const bool fused = cache.fits && cache.fuses(activation);
  // A few runs of consecutive planes per thread, each with one row cache zeroed once.
  const std::size_t planes = p.batch * p.out_channels;
  const std::size_t runs =
      executor != nullptr ? std::min(planes, 4 * executor->concurrency()) : std::size_t{1};
  parallel_for(executor, runs, [&](std::size_t r) {
    HWY_ALIGN float cache_floats[kDepthwiseCacheFloats];
    if (cache.fits) fill_f32(cache_floats, (cache.slots + 1) * cache.row_floats, 0.0f);
    for (std::size_t plane = planes * r / runs; plane < planes * (r + 1) / runs; ++plane) {
      const std::size_t oc = plane % p.out_channels, n = plane / p.out_channels;
      const float* xp = x + (n * p.in_channels + oc / multiplier) * p.in_h * p.in_w;
      float* yp = y + plane * oh * ow;
      const float b = bias ? bias[oc] : 0.0f;
      if (cache.fits) {
        depthwise_cached_plane(p, cache, cache_floats, xp, w + oc * kk, b, yp);
      } else {
        depthwise_direct_plane(p, xp, w + oc * kk, b, yp);
      }
      if (!fused && activation.op != UnaryOp::identity) activate_f32(yp, yp, oh * ow, activation);
    }
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_DEPTHWISE_INL_HPP
