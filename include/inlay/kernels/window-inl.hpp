// Per-target helpers of sliding-window kernels (convolution, depthwise convolution, pooling):
// the range of outputs whose window lies inside the input, strided loads and copies. Inline
// functions and templates only (docs/kernels.md), so any body file may include it. Re-included
// once per CPU target.
#if defined(INLAY_KERNELS_WINDOW_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_WINDOW_INL_HPP
#undef INLAY_KERNELS_WINDOW_INL_HPP
#else
#define INLAY_KERNELS_WINDOW_INL_HPP
#endif

#include <cstddef>
#include <cstdint>

#include <hwy/highway.h>

#include "inlay/core/config.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The outputs o in [lo, hi) of a sliding window whose tap reads input o * stride + offset, where
// that input lies inside [0, in).
struct WindowRange {
  std::size_t lo, hi;
};
inline WindowRange window_range(std::ptrdiff_t offset, std::size_t stride, std::size_t in,
                                std::size_t out) {
  const std::ptrdiff_t s = static_cast<std::ptrdiff_t>(stride);
  const std::ptrdiff_t last = static_cast<std::ptrdiff_t>(in) - 1 - offset;  // o * s <= last
  if (last < 0) return {0, 0};
  std::size_t lo = offset >= 0 ? 0 : static_cast<std::size_t>((-offset + s - 1) / s);
  std::size_t hi = static_cast<std::size_t>(last / s) + 1;
  if (hi > out) hi = out;
  if (lo > hi) lo = hi;
  return {lo, hi};
}

// How a vector of outputs reads its inputs at[0], at[stride], ..., at[(N - 1) * stride]:
// contiguous, stride 2 by deinterleaving two contiguous vectors (reads at[2N - 1] too), or a
// gather. Chosen once per call, outside the loops.
enum class StridedLoad { unit, two, gather };
inline StridedLoad strided_load_for(std::size_t stride) {
  return stride == 1 ? StridedLoad::unit : stride == 2 ? StridedLoad::two : StridedLoad::gather;
}

template <StridedLoad kMode, class D, class VI>
HWY_INLINE hn::Vec<D> load_strided(D d, const float* at, VI idx) {
  if constexpr (kMode == StridedLoad::unit) {
    (void)idx;
    return hn::LoadU(d, at);
  }
#if HWY_TARGET != HWY_SCALAR  // one lane: the gather below is a plain load
  if constexpr (kMode == StridedLoad::two) {
    (void)idx;
    return hn::ConcatEven(d, hn::LoadU(d, at + hn::Lanes(d)), hn::LoadU(d, at));
  }
#endif
  return hn::GatherIndex(d, at, idx);
}

// The output columns [lo, hi) of a window of `kernel` taps `dilation` apart, starting at
// o * stride - pad, whose taps (and, for stride 2, the element after the last tap that
// load_strided reads) all lie inside [0, in): the interior, which needs no bound checks.
inline WindowRange interior_range(std::size_t pad, std::size_t kernel, std::size_t dilation,
                                  std::size_t stride, std::size_t in, std::size_t out) {
  const std::ptrdiff_t first_tap = -static_cast<std::ptrdiff_t>(pad);
  const std::ptrdiff_t last_read =
      first_tap + static_cast<std::ptrdiff_t>((kernel - 1) * dilation) + (stride == 2 ? 1 : 0);
  const WindowRange first = window_range(first_tap, stride, in, out);
  const WindowRange last = window_range(last_read, stride, in, out);
  return {first.lo, last.hi > first.lo ? last.hi : first.lo};
}

inline void fill_f32(float* HWY_RESTRICT y, std::size_t n, float value) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto v = hn::Set(d, value);
  std::size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(v, d, y + i);
  for (; i < n; ++i) y[i] = value;
}

// y[i] = x[i], i < n: whole vectors, the tail as one vector that overlaps the previous one, and
// rows shorter than a vector with the widest narrower vector that fits (im2col and the depthwise
// row cache copy many rows of 8-60 floats; a call to memcpy costs more than the copy there).
template <class D>
HWY_INLINE void copy_short_f32(D d, const float* HWY_RESTRICT x, float* HWY_RESTRICT y,
                               std::size_t n) {
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::LoadU(d, x + i), d, y + i);
  if (i < n) hn::StoreU(hn::LoadU(d, x + n - N), d, y + n - N);
}

inline void copy_f32(const float* HWY_RESTRICT x, float* HWY_RESTRICT y, std::size_t n) {
  const hn::ScalableTag<float> d;
  if (n >= hn::Lanes(d)) return copy_short_f32(d, x, y, n);
#if HWY_TARGET != HWY_SCALAR
  const hn::CappedTag<float, 8> d8;
  const hn::CappedTag<float, 4> d4;
  if (n >= hn::Lanes(d8)) return copy_short_f32(d8, x, y, n);
  if (n >= hn::Lanes(d4)) return copy_short_f32(d4, x, y, n);
#endif
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i];
}

// y[i] = x[i * stride] for i < n, where x[0 .. avail) may be read: contiguous loads for stride 1,
// deinterleaved pairs for stride 2 (while they stay inside `avail`), gathers otherwise.
inline void copy_strided_f32(const float* HWY_RESTRICT x, std::size_t stride, std::size_t avail,
                             float* HWY_RESTRICT y, std::size_t n) {
  const hn::ScalableTag<float> d;
  const hn::RebindToSigned<decltype(d)> di;
  const std::size_t N = hn::Lanes(d);
  const auto idx = hn::Mul(hn::Iota(di, 0), hn::Set(di, static_cast<std::int32_t>(stride)));
  std::size_t i = 0;
  if (stride == 1) return copy_f32(x, y, n);
  if (stride == 2) {
    for (; i + N <= n && 2 * (i + N) <= avail; i += N) {
      hn::StoreU(load_strided<StridedLoad::two>(d, x + 2 * i, idx), d, y + i);
    }
  }
  if (stride > 2) {
    for (; i + N <= n; i += N) {
      hn::StoreU(load_strided<StridedLoad::gather>(d, x + i * stride, idx), d, y + i);
    }
  }
  if (i < n && n >= N) {
    // The tail as one vector that overlaps the previous one (it rewrites equal values).
    const std::size_t t = n - N;
    if (stride == 2 && 2 * n <= avail) {
      hn::StoreU(load_strided<StridedLoad::two>(d, x + 2 * t, idx), d, y + t);
    } else {
      hn::StoreU(load_strided<StridedLoad::gather>(d, x + t * stride, idx), d, y + t);
    }
    return;
  }
  for (; i < n; ++i) y[i] = x[i * stride];
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_WINDOW_INL_HPP
