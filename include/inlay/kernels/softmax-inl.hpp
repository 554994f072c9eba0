// Per-target bodies of the softmax kernels (see softmax.hpp). Re-included once per CPU target.
#if defined(INLAY_KERNELS_SOFTMAX_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_SOFTMAX_INL_HPP
#undef INLAY_KERNELS_SOFTMAX_INL_HPP
#else
#define INLAY_KERNELS_SOFTMAX_INL_HPP
#endif

#include <cmath>
#include <cstddef>

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "inlay/kernels/row_ops-inl.hpp"  // row helpers: RowReduce, LoadN/StoreN, ExpNonPositive
#include "inlay/kernels/softmax.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Stable softmax (Goodfellow, Bengio, Courville, Deep Learning, 2016, sec. 4.1): with m the max,
// softmax = exp(x - m) / sum exp(x - m) and log_softmax = (x - m) - log(sum exp(x - m)).
// Infinite or NaN inputs follow the same formula (an all -inf row or a +inf gives NaN).

// inner == 1: each row of n contiguous floats, vectorized along the row.
inline void SoftmaxRows(const float* x, float* y, std::size_t outer, std::size_t n, bool log) {
  const hn::ScalableTag<float> d;
  const std::size_t L = hn::Lanes(d);
  for (std::size_t o = 0; o < outer; ++o) {
    const float* p = x + o * n;
    float* q = y + o * n;
    const auto m = hn::Set(d, RowReduce(Acc::max, p, n));
    if (log) {
      const auto ls = hn::Set(d, std::log(RowReduce(Acc::exp_sum, p, n, hn::GetLane(m))));
      for (std::size_t i = 0; i < n; i += L) {
        const std::size_t w = n - i < L ? n - i : L;
        StoreN(d, hn::Sub(hn::Sub(LoadN(d, p + i, w), m), ls), q + i, w);
      }
      continue;
    }
    auto s0 = hn::Zero(d), s1 = hn::Zero(d);
    std::size_t i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      const auto e0 = ExpNonPositive(d, hn::Sub(hn::LoadU(d, p + i), m));
      const auto e1 = ExpNonPositive(d, hn::Sub(hn::LoadU(d, p + i + L), m));
      hn::StoreU(e0, d, q + i);
      hn::StoreU(e1, d, q + i + L);
      s0 = hn::Add(s0, e0);
      s1 = hn::Add(s1, e1);
    }
    for (; i < n; i += L) {
      const std::size_t w = n - i < L ? n - i : L;
      // Tail lanes load 0 and give exp(-m) in unused lanes; mask them out of the sum.
      const auto e =
          hn::IfThenElseZero(hn::FirstN(d, w), ExpNonPositive(d, hn::Sub(LoadN(d, p + i, w), m)));
      StoreN(d, e, q + i, w);
      s0 = hn::Add(s0, e);
    }
    ScaleShift(q, q, n, 0.0f, 1.0f / hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, s1))), 0.0f);
  }
}

// inner > 1: lanes run along inner (one softmax per lane), stepping over the axis with stride
// inner, so every load is contiguous.
inline void SoftmaxColumns(const float* x, float* y, std::size_t outer, std::size_t n,
                           std::size_t inner, bool log) {
  const hn::ScalableTag<float> d;
  const std::size_t L = hn::Lanes(d);
  HWY_ALIGN float buf[hn::MaxLanes(decltype(d)())];
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t j = 0; j < inner; j += L) {
      const std::size_t w = inner - j < L ? inner - j : L;
      const float* p = x + o * n * inner + j;
      float* q = y + o * n * inner + j;
      auto m = LoadN(d, p, w);
      for (std::size_t a = 1; a < n; ++a) m = hn::Max(m, LoadN(d, p + a * inner, w));
      auto s = hn::Zero(d);
      for (std::size_t a = 0; a < n; ++a) {
        const auto e = ExpNonPositive(d, hn::Sub(LoadN(d, p + a * inner, w), m));
        if (!log) StoreN(d, e, q + a * inner, w);
        s = hn::Add(s, e);
      }
      if (log) {
        hn::Store(s, d, buf);
        for (std::size_t l = 0; l < L; ++l) buf[l] = std::log(buf[l]);
        const auto ls = hn::Load(d, buf);
        for (std::size_t a = 0; a < n; ++a) {
          StoreN(d, hn::Sub(hn::Sub(LoadN(d, p + a * inner, w), m), ls), q + a * inner, w);
        }
      } else {
        const auto r = hn::Div(hn::Set(d, 1.0f), s);
        for (std::size_t a = 0; a < n; ++a) {
          StoreN(d, hn::Mul(LoadN(d, q + a * inner, w), r), q + a * inner, w);
        }
      }
    }
  }
}

inline void Softmax(const float* x, float* y, std::size_t outer, std::size_t axis,
                    std::size_t inner, bool log) {
  if (axis == 0) return;
  if (inner == 1) {
    SoftmaxRows(x, y, outer, axis, log);
  } else {
    SoftmaxColumns(x, y, outer, axis, inner, log);
  }
}

void softmax_f32(const float* x, float* y, std::size_t outer, std::size_t axis, std::size_t inner) {
  Softmax(x, y, outer, axis, inner, false);
}

void log_softmax_f32(const float* x, float* y, std::size_t outer, std::size_t axis,
                     std::size_t inner) {
  Softmax(x, y, outer, axis, inner, true);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_SOFTMAX_INL_HPP
