// Per-target bodies of the pool kernels (see pool.hpp). Re-included once per CPU target.
// Windowed pools vectorize along the output width where the whole window lies inside the input
// row (the interior: contiguous loads for stride 1, deinterleaved pairs for stride 2, gathers
// otherwise); the borders and max pooling with indices take the scalar path. NaN in a max window
// gives NaN: x86 max instructions return their second operand when either is NaN, so the vector
// path tracks NaN lanes in a mask of its own.
#if defined(INLAY_KERNELS_POOL_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_POOL_INL_HPP
#undef INLAY_KERNELS_POOL_INL_HPP
#else
#define INLAY_KERNELS_POOL_INL_HPP
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <hwy/highway.h>

#include "inlay/kernels/window-inl.hpp"
#include "inlay/kernels/pool.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The window of output row oy: kernel rows [k.lo, k.hi) read input rows inside the image
// (consecutive ones dilation_h rows apart, starting at `first_row`); `padded_rows` counts the
// kernel rows inside the padded input (count_include_pad's divisor).
struct PoolRow {
  WindowRange k;
  std::size_t first_row;
  std::size_t padded_rows;
};

inline PoolRow pool_row(const Pool2dParams& p, std::size_t oy) {
  const std::ptrdiff_t top =
      static_cast<std::ptrdiff_t>(oy * p.stride_h) - static_cast<std::ptrdiff_t>(p.pad_top);
  const WindowRange k = window_range(top, p.dilation_h, p.in_h, p.kernel_h);
  const WindowRange padded =
      window_range(static_cast<std::ptrdiff_t>(oy * p.stride_h), p.dilation_h,
                   p.in_h + p.pad_top + p.pad_bottom, p.kernel_h);
  const std::ptrdiff_t first = top + static_cast<std::ptrdiff_t>(k.lo * p.dilation_h);
  return {k, k.hi > k.lo ? static_cast<std::size_t>(first) : 0, padded.hi - padded.lo};
}

// Scalar max over the window of (oy's row r, ox); the first maximum wins, a NaN beats any number.
inline void max_pool_scalar(const Pool2dParams& p, const float* plane, std::int64_t plane_index,
                            const PoolRow& r, std::size_t ox, float* y, std::int64_t* index) {
  float best = -std::numeric_limits<float>::infinity();
  std::int64_t best_at = -1;
  for (std::size_t ki = r.k.lo; ki < r.k.hi; ++ki) {
    const std::size_t iy = r.first_row + (ki - r.k.lo) * p.dilation_h;
    for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
      const std::size_t ix = ox * p.stride_w + kj * p.dilation_w;  // padded coordinates
      if (ix < p.pad_left || ix >= p.pad_left + p.in_w) continue;
      const std::size_t at = iy * p.in_w + ix - p.pad_left;
      const float v = plane[at];
      if (best_at < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
        best = v;
        best_at = static_cast<std::int64_t>(at);
      }
    }
  }
  *y = best;
  if (index) {
    *index = best_at < 0 ? -1 : plane_index * static_cast<std::int64_t>(p.in_h * p.in_w) + best_at;
  }
}

// Interior columns [lo, hi) of output row oy (hi - lo >= Lanes(d)), vectorized along the output
// width; the last vector may overlap the previous one (it rewrites equal values).
template <StridedLoad kMode, class D>
inline void max_pool_interior(D d, const Pool2dParams& p, const float* plane, const PoolRow& r,
                              WindowRange in, float* HWY_RESTRICT y) {
  const hn::RebindToSigned<D> di;
  const std::size_t N = hn::Lanes(d);
  const auto idx = hn::Mul(hn::Iota(di, 0), hn::Set(di, static_cast<std::int32_t>(p.stride_w)));
  const auto neg_inf = hn::Set(d, -std::numeric_limits<float>::infinity());
  for (std::size_t ox = in.lo; ox < in.hi; ox += N) {
    if (ox + N > in.hi) ox = in.hi - N;
    auto best = neg_inf;
    auto nan = hn::Lt(best, best);  // all false
    for (std::size_t ki = r.k.lo; ki < r.k.hi; ++ki) {
      const float* row = plane + (r.first_row + (ki - r.k.lo) * p.dilation_h) * p.in_w +
                         ox * p.stride_w - p.pad_left;
      for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
        const auto v = load_strided<kMode>(d, row + kj * p.dilation_w, idx);
        best = hn::Max(best, v);
        nan = hn::Or(nan, hn::IsNaN(v));
      }
    }
    hn::StoreU(hn::IfThenElse(nan, hn::Set(d, std::numeric_limits<float>::quiet_NaN()), best), d,
               y + ox);
  }
}

// Average of output row oy's window at column ox, with bound checks (the borders).
inline float avg_pool_scalar(const Pool2dParams& p, const float* plane, const PoolRow& r,
                             std::size_t ox) {
  const std::size_t padded_w = p.in_w + p.pad_left + p.pad_right;
  float sum = 0.0f;
  std::size_t cols = 0;
  for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
    const std::size_t ix = ox * p.stride_w + kj * p.dilation_w;  // padded coordinates
    if (ix < p.pad_left || ix >= p.pad_left + p.in_w) {
      cols += p.count_include_pad && ix < padded_w;
      continue;
    }
    ++cols;
    for (std::size_t ki = r.k.lo; ki < r.k.hi; ++ki) {
      sum += plane[(r.first_row + (ki - r.k.lo) * p.dilation_h) * p.in_w + ix - p.pad_left];
    }
  }
  const std::size_t rows = p.count_include_pad ? r.padded_rows : r.k.hi - r.k.lo;
  return sum / static_cast<float>(rows * cols);
}

// Interior columns of output row oy (every column of the window inside the input, so the divisor
// is rows * kernel_w), as max_pool_interior.
template <StridedLoad kMode, class D>
inline void avg_pool_interior(D d, const Pool2dParams& p, const float* plane, const PoolRow& r,
                              WindowRange in, float* HWY_RESTRICT y) {
  const hn::RebindToSigned<D> di;
  const std::size_t N = hn::Lanes(d);
  const auto idx = hn::Mul(hn::Iota(di, 0), hn::Set(di, static_cast<std::int32_t>(p.stride_w)));
  const std::size_t rows = p.count_include_pad ? r.padded_rows : r.k.hi - r.k.lo;
  const auto scale = hn::Set(d, 1.0f / static_cast<float>(rows * p.kernel_w));
  for (std::size_t ox = in.lo; ox < in.hi; ox += N) {
    if (ox + N > in.hi) ox = in.hi - N;
    auto sum = hn::Zero(d);
    for (std::size_t ki = r.k.lo; ki < r.k.hi; ++ki) {
      const float* row = plane + (r.first_row + (ki - r.k.lo) * p.dilation_h) * p.in_w +
                         ox * p.stride_w - p.pad_left;
      for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
        sum = hn::Add(sum, load_strided<kMode>(d, row + kj * p.dilation_w, idx));
      }
    }
    hn::StoreU(hn::Mul(sum, scale), d, y + ox);
  }
}

// The interior of output row oy, max (kMax) or average, with the vector `d` and load `mode`.
template <bool kMax, class D>
inline void pool_interior(D d, StridedLoad mode, const Pool2dParams& p, const float* plane,
                          const PoolRow& r, WindowRange in, float* HWY_RESTRICT y) {
  switch (mode) {
    case StridedLoad::unit:
      if constexpr (kMax) {
        max_pool_interior<StridedLoad::unit>(d, p, plane, r, in, y);
      } else {
        avg_pool_interior<StridedLoad::unit>(d, p, plane, r, in, y);
      }
      break;
    case StridedLoad::two:
      if constexpr (kMax) {
        max_pool_interior<StridedLoad::two>(d, p, plane, r, in, y);
      } else {
        avg_pool_interior<StridedLoad::two>(d, p, plane, r, in, y);
      }
      break;
    case StridedLoad::gather:
      if constexpr (kMax) {
        max_pool_interior<StridedLoad::gather>(d, p, plane, r, in, y);
      } else {
        avg_pool_interior<StridedLoad::gather>(d, p, plane, r, in, y);
      }
      break;
  }
}

// The interior columns of a pool and the vectors that run them: full vectors, or 4 lanes when
// the interior is narrower than a full vector (7x7 and 14x14 maps with AVX-512). Empty when
// narrower still or when `scalar_only`.
struct PoolInterior {
  WindowRange in;
  bool full;
  StridedLoad mode;
};
inline PoolInterior pool_interior_for(const Pool2dParams& p, std::size_t ow, bool scalar_only) {
  WindowRange in = interior_range(p.pad_left, p.kernel_w, p.dilation_w, p.stride_w, p.in_w, ow);
  if (scalar_only || in.hi - in.lo < hn::Lanes(hn::CappedTag<float, 4>())) in = {0, 0};
  return {in, in.hi - in.lo >= hn::Lanes(hn::ScalableTag<float>()), strided_load_for(p.stride_w)};
}

template <bool kMax>
inline void pool_interior(const PoolInterior& v, const Pool2dParams& p, const float* plane,
                          const PoolRow& r, float* HWY_RESTRICT y) {
  if (v.in.hi == v.in.lo) return;
  if (v.full) {
    pool_interior<kMax>(hn::ScalableTag<float>(), v.mode, p, plane, r, v.in, y);
  } else {
    pool_interior<kMax>(hn::CappedTag<float, 4>(), v.mode, p, plane, r, v.in, y);
  }
}

void max_pool2d_nchw_f32(const Pool2dParams& p, const float* x, float* y, std::int64_t* indices) {
  const std::size_t oh = p.out_h(), ow = p.out_w(), planes = p.batch * p.channels;
  // The vector path does not track the position of the maximum.
  const PoolInterior v = pool_interior_for(p, ow, indices != nullptr);
  const WindowRange in = v.in;
  for (std::size_t c = 0; c < planes; ++c) {
    const float* plane = x + c * p.in_h * p.in_w;
    const std::int64_t plane_index = static_cast<std::int64_t>(c);
    for (std::size_t oy = 0; oy < oh; ++oy) {
      const PoolRow r = pool_row(p, oy);
      const std::size_t o = (c * oh + oy) * ow;
      std::int64_t* idx = indices ? indices + o : nullptr;
      for (std::size_t ox = 0; ox < in.lo; ++ox) {
        max_pool_scalar(p, plane, plane_index, r, ox, y + o + ox, idx ? idx + ox : nullptr);
      }
      pool_interior<true>(v, p, plane, r, y + o);
      for (std::size_t ox = in.hi; ox < ow; ++ox) {
        max_pool_scalar(p, plane, plane_index, r, ox, y + o + ox, idx ? idx + ox : nullptr);
      }
    }
  }
}

// ONNX AveragePool's divisor: the window's elements inside the input, or with count_include_pad
// those inside the padded input (not the part a ceil_mode window runs past it).
void avg_pool2d_nchw_f32(const Pool2dParams& p, const float* x, float* y) {
  const std::size_t oh = p.out_h(), ow = p.out_w(), planes = p.batch * p.channels;
  const PoolInterior v = pool_interior_for(p, ow, false);
  const WindowRange in = v.in;
  for (std::size_t c = 0; c < planes; ++c) {
    const float* plane = x + c * p.in_h * p.in_w;
    for (std::size_t oy = 0; oy < oh; ++oy) {
      const PoolRow r = pool_row(p, oy);
      float* yr = y + (c * oh + oy) * ow;
      for (std::size_t ox = 0; ox < in.lo; ++ox) yr[ox] = avg_pool_scalar(p, plane, r, ox);
      pool_interior<false>(v, p, plane, r, yr);
      for (std::size_t ox = in.hi; ox < ow; ++ox) yr[ox] = avg_pool_scalar(p, plane, r, ox);
    }
  }
}

void global_avg_pool_f32(const float* x, float* y, std::size_t planes, std::size_t spatial) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  for (std::size_t c = 0; c < planes; ++c) {
    const float* xp = x + c * spatial;
    // Two accumulators: independent add chains (and pairwise-ish summation).
    auto s0 = hn::Zero(d), s1 = hn::Zero(d);
    std::size_t i = 0;
    for (; i + 2 * N <= spatial; i += 2 * N) {
      s0 = hn::Add(s0, hn::LoadU(d, xp + i));
      s1 = hn::Add(s1, hn::LoadU(d, xp + i + N));
    }
    float sum = hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, s1)));
    for (; i < spatial; ++i) sum += xp[i];
    y[c] = sum / static_cast<float>(spatial);
  }
}

void global_max_pool_f32(const float* x, float* y, std::size_t planes, std::size_t spatial) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  for (std::size_t c = 0; c < planes; ++c) {
    const float* xp = x + c * spatial;
    auto m0 = hn::Set(d, -std::numeric_limits<float>::infinity()), m1 = m0;
    auto nan = hn::Lt(m0, m0);  // all false
    std::size_t i = 0;
    for (; i + 2 * N <= spatial; i += 2 * N) {
      const auto v0 = hn::LoadU(d, xp + i), v1 = hn::LoadU(d, xp + i + N);
      m0 = hn::Max(m0, v0);
      m1 = hn::Max(m1, v1);
      nan = hn::Or(nan, hn::Or(hn::IsNaN(v0), hn::IsNaN(v1)));
    }
    // Lanes reduced by hand: Highway 1.0.3's EMU128 MaxOfLanes turns all -inf lanes into
    // -FLT_MAX.
    float lanes[HWY_MAX_BYTES / sizeof(float)];
    hn::StoreU(hn::Max(m0, m1), d, lanes);
    float best = lanes[0];
    for (std::size_t l = 1; l < N; ++l) best = lanes[l] > best ? lanes[l] : best;
    if (!hn::AllFalse(d, nan)) best = std::numeric_limits<float>::quiet_NaN();
    for (; i < spatial; ++i) {
      if (xp[i] > best || std::isnan(xp[i])) best = xp[i];
      if (std::isnan(best)) break;
    }
    y[c] = best;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_POOL_INL_HPP
