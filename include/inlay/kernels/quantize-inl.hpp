// Per-target bodies of the quantize kernels (see quantize.hpp). Re-included once per CPU target.
#if defined(INLAY_KERNELS_QUANTIZE_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_QUANTIZE_INL_HPP
#undef INLAY_KERNELS_QUANTIZE_INL_HPP
#else
#define INLAY_KERNELS_QUANTIZE_INL_HPP
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include <hwy/highway.h>

#include "inlay/kernels/quantize.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Runs f(d, in, out) on full vectors of n elements, then on the tail through zero-padded
// buffers, so that the tail takes the same arithmetic as the body (the same bits).
template <class In, class Out, class F>
HWY_INLINE void QuantizeRun(const In* HWY_RESTRICT x, std::size_t n, Out* HWY_RESTRICT y, F f) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) f(x + i, y + i);
  if (i < n) {
    HWY_ALIGN In xb[hn::MaxLanes(d)] = {};
    HWY_ALIGN Out yb[hn::MaxLanes(d)];
    std::memcpy(xb, x + i, (n - i) * sizeof(In));
    f(xb, yb);
    std::memcpy(y + i, yb, (n - i) * sizeof(Out));
  }
}

// Round to nearest, ties to even: adding 2^23 to |v| < 2^23 leaves no fraction bits, so the sum
// rounds once, in the default mode. Not hn::Round: Highway 1.0.3's EMU128 and SCALAR versions
// add 0.5 and truncate, which rounds 0.49999997 (the sum rounds up to 1) to 1.
template <class D>
HWY_INLINE hn::Vec<D> RoundHalfEven(D d, hn::Vec<D> v) {
  const auto big = hn::Set(d, 8388608.0f);
  const auto a = hn::Abs(v);
  const auto r = hn::Sub(hn::Add(a, big), big);
  return hn::IfThenElse(hn::Lt(a, big), hn::CopySignToAbs(r, v), v);
}

template <typename Q>
HWY_INLINE void QuantizeF32(const float* HWY_RESTRICT x, std::size_t n, float scale, Q zero_point,
                            Q* HWY_RESTRICT y) {
  const hn::ScalableTag<float> d;
  const hn::Rebind<std::int32_t, decltype(d)> di;
  const hn::Rebind<Q, decltype(d)> dq;
  const auto vscale = hn::Set(d, scale);
  const auto vzero = hn::Set(d, static_cast<float>(zero_point));
  const auto lo = hn::Set(d, static_cast<float>(std::numeric_limits<Q>::min()));
  const auto hi = hn::Set(d, static_cast<float>(std::numeric_limits<Q>::max()));
  QuantizeRun(x, n, y, [&](const float* in, Q* out) {
    auto q = hn::Div(hn::LoadU(d, in), vscale);
    q = hn::IfThenZeroElse(hn::IsNaN(q), q);  // NaN -> the zero point
    // |q| >= 2^24 saturates whatever the addition rounds; below it the sum is exact.
    q = hn::Add(RoundHalfEven(d, q), vzero);
    q = hn::Min(hn::Max(q, lo), hi);  // no NaN left: Min/Max agree on every target
    hn::StoreU(hn::DemoteTo(dq, hn::ConvertTo(di, q)), dq, out);
  });
}

template <typename Q>
HWY_INLINE void DequantizeI8(const Q* HWY_RESTRICT x, std::size_t n, float scale, Q zero_point,
                             float* HWY_RESTRICT y) {
  const hn::ScalableTag<float> d;
  const hn::Rebind<std::int32_t, decltype(d)> di;
  const hn::Rebind<Q, decltype(d)> dq;
  const auto vscale = hn::Set(d, scale);
  const auto vzero = hn::Set(di, static_cast<std::int32_t>(zero_point));
  QuantizeRun(x, n, y, [&](const Q* in, float* out) {
    const auto v = hn::Sub(hn::PromoteTo(di, hn::LoadU(dq, in)), vzero);  // exact in int32
    hn::StoreU(hn::Mul(hn::ConvertTo(d, v), vscale), d, out);
  });
}

void quantize_f32_u8(const float* x, std::size_t n, float scale, std::uint8_t zero_point,
                     std::uint8_t* y) {
  QuantizeF32(x, n, scale, zero_point, y);
}

void quantize_f32_s8(const float* x, std::size_t n, float scale, std::int8_t zero_point,
                     std::int8_t* y) {
  QuantizeF32(x, n, scale, zero_point, y);
}

void dequantize_u8_f32(const std::uint8_t* x, std::size_t n, float scale, std::uint8_t zero_point,
                       float* y) {
  DequantizeI8(x, n, scale, zero_point, y);
}

void dequantize_s8_f32(const std::int8_t* x, std::size_t n, float scale, std::int8_t zero_point,
                       float* y) {
  DequantizeI8(x, n, scale, zero_point, y);
}

void dequantize_s32_f32(const std::int32_t* x, std::size_t n, float scale, float* y) {
  const hn::ScalableTag<float> d;
  const hn::Rebind<std::int32_t, decltype(d)> di;
  const auto vscale = hn::Set(d, scale);
  QuantizeRun(x, n, y, [&](const std::int32_t* in, float* out) {
    hn::StoreU(hn::Mul(hn::ConvertTo(d, hn::LoadU(di, in)), vscale), d, out);
  });
}

void finite_range_f32(const float* x, std::size_t n, float* min, float* max) {
  const hn::ScalableTag<float> d;
  const auto inf = hn::Set(d, std::numeric_limits<float>::infinity());
  const auto neg_inf = hn::Neg(inf);
  auto lo = inf, hi = neg_inf;
  const std::size_t lanes = hn::Lanes(d);
  auto add = [&](hn::Vec<decltype(d)> v) {
    const auto finite = hn::IsFinite(v);
    lo = hn::Min(lo, hn::IfThenElse(finite, v, inf));  // no NaN reaches Min/Max
    hi = hn::Max(hi, hn::IfThenElse(finite, v, neg_inf));
  };
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) add(hn::LoadU(d, x + i));
  if (i < n) {
    HWY_ALIGN float buf[hn::MaxLanes(d)];
    for (std::size_t j = 0; j < lanes; ++j) {
      buf[j] = i + j < n ? x[i + j] : std::numeric_limits<float>::quiet_NaN();  // left out
    }
    add(hn::Load(d, buf));
  }
  // Lane by lane (EMU128's MinOfLanes starts from FLT_MAX, not inf).
  HWY_ALIGN float lo_lanes[hn::MaxLanes(d)], hi_lanes[hn::MaxLanes(d)];
  hn::Store(lo, d, lo_lanes);
  hn::Store(hi, d, hi_lanes);
  float mn = lo_lanes[0], mx = hi_lanes[0];
  for (std::size_t j = 1; j < lanes; ++j) {
    mn = lo_lanes[j] < mn ? lo_lanes[j] : mn;
    mx = hi_lanes[j] > mx ? hi_lanes[j] : mx;
  }
  *min = mn;
  *max = mx;
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_QUANTIZE_INL_HPP
