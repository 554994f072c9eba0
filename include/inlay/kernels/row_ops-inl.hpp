// Per-target helpers shared by the reduce, softmax, norm and transpose bodies: partial-vector
// loads and stores, row reductions with NaN-aware accumulators, the variance passes, and strided
// walks over collapsed dimensions. Inline functions and templates only (docs/kernels.md), so any
// body file may include it. Re-included once per CPU target.
#if defined(INLAY_KERNELS_ROW_OPS_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_ROW_OPS_INL_HPP
#undef INLAY_KERNELS_ROW_OPS_INL_HPP
#else
#define INLAY_KERNELS_ROW_OPS_INL_HPP
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "inlay/core/shape.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ------------------------------------------------------------------ shared vector helpers

// The first n (< Lanes) floats at p as a vector, the other lanes `fill`; reads only those n.
template <class D>
HWY_INLINE hn::Vec<D> LoadTail(D d, const float* p, std::size_t n, float fill) {
  HWY_ALIGN float buf[hn::MaxLanes(D())];
  for (std::size_t i = 0; i < hn::Lanes(d); ++i) buf[i] = i < n ? p[i] : fill;
  return hn::Load(d, buf);
}

// Stores the first n (< Lanes) lanes of v to p; writes only those n.
template <class D>
HWY_INLINE void StoreTail(D d, hn::Vec<D> v, float* p, std::size_t n) {
  HWY_ALIGN float buf[hn::MaxLanes(D())];
  hn::Store(v, d, buf);
  std::memcpy(p, buf, n * sizeof(float));
}

// width (<= Lanes) floats: a full vector or a tail (other lanes 0).
template <class D>
HWY_INLINE hn::Vec<D> LoadN(D d, const float* p, std::size_t width) {
  return width == hn::Lanes(d) ? hn::LoadU(d, p) : LoadTail(d, p, width, 0.0f);
}
template <class D>
HWY_INLINE void StoreN(D d, hn::Vec<D> v, float* p, std::size_t width) {
  if (width == hn::Lanes(d)) {
    hn::StoreU(v, d, p);
  } else {
    StoreTail(d, v, p, width);
  }
}

// exp(x) for x <= 0 or NaN. Highway's Exp maps NaN to 0; the formulas here need NaN to propagate.
template <class D>
HWY_INLINE hn::Vec<D> ExpNonPositive(D d, hn::Vec<D> x) {
  return hn::IfThenElse(hn::IsNaN(x), x, hn::Exp(d, x));
}

// The scalar NaN-propagating max and min (std::max drops a NaN in its second argument).
inline float MaxNaN(float a, float b) { return (std::isnan(a) || a >= b) ? a : b; }
inline float MinNaN(float a, float b) { return (std::isnan(a) || a <= b) ? a : b; }

// What the vector loops accumulate; ReduceOp maps onto these plus a scalar finishing step.
enum class Acc { sum, abs_sum, sq_sum, max, min, prod, exp_sum };

// The input value that leaves each accumulation unchanged (pads partial vectors).
inline float NeutralInput(Acc k) {
  switch (k) {
    case Acc::max:
    case Acc::exp_sum: return -std::numeric_limits<float>::infinity();
    case Acc::min: return std::numeric_limits<float>::infinity();
    case Acc::prod: return 1.0f;
    default: return 0.0f;
  }
}
inline float Identity(Acc k) { return k == Acc::exp_sum ? 0.0f : NeutralInput(k); }

// One accumulation step: acc (op) f(v). nan collects NaN lanes for max/min, whose x86
// instructions do not propagate NaN. `off` is the offset of exp_sum: exp(v - off).
template <Acc K, class D, class V>
HWY_INLINE void Step(D d, V& acc, V& nan, V v, V off) {
  switch (K) {
    case Acc::sum: acc = hn::Add(acc, v); break;
    case Acc::abs_sum: acc = hn::Add(acc, hn::Abs(v)); break;
    case Acc::sq_sum: acc = hn::MulAdd(v, v, acc); break;
    case Acc::max:
      acc = hn::Max(acc, v);
      nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
      break;
    case Acc::min:
      acc = hn::Min(acc, v);
      nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
      break;
    case Acc::prod: acc = hn::Mul(acc, v); break;
    case Acc::exp_sum: acc = hn::Add(acc, ExpNonPositive(d, hn::Sub(v, off))); break;
  }
}

template <Acc K, class V>
HWY_INLINE V Combine(V a, V b) {
  switch (K) {
    case Acc::max: return hn::Max(a, b);
    case Acc::min: return hn::Min(a, b);
    case Acc::prod: return hn::Mul(a, b);
    default: return hn::Add(a, b);
  }
}

inline float CombineScalar(Acc k, float a, float b) {
  switch (k) {
    case Acc::max: return MaxNaN(a, b);
    case Acc::min: return MinNaN(a, b);
    case Acc::prod: return a * b;
    default: return a + b;
  }
}

// Accumulation K over the n contiguous floats at p (exp_sum: of exp(p[i] - off)).
// Four independent accumulators hide the latency of the adds.
template <Acc K>
HWY_NOINLINE float RowReduce(const float* p, std::size_t n, float off) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t L = hn::Lanes(d);
  const V id = hn::Set(d, Identity(K)), vo = hn::Set(d, off);
  V a0 = id, a1 = id, a2 = id, a3 = id, nan = hn::Zero(d);
  std::size_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    Step<K>(d, a0, nan, hn::LoadU(d, p + i), vo);
    Step<K>(d, a1, nan, hn::LoadU(d, p + i + L), vo);
    Step<K>(d, a2, nan, hn::LoadU(d, p + i + 2 * L), vo);
    Step<K>(d, a3, nan, hn::LoadU(d, p + i + 3 * L), vo);
  }
  for (; i + L <= n; i += L) Step<K>(d, a0, nan, hn::LoadU(d, p + i), vo);
  if (i < n) Step<K>(d, a1, nan, LoadTail(d, p + i, n - i, NeutralInput(K)), vo);
  if (!hn::AllFalse(d, hn::MaskFromVec(nan))) return std::numeric_limits<float>::quiet_NaN();
  const V a = Combine<K>(Combine<K>(a0, a1), Combine<K>(a2, a3));
  if (K != Acc::max && K != Acc::min && K != Acc::prod) {
    return hn::GetLane(hn::SumOfLanes(d, a));
  }
  // Lane by lane: Highway 1.0.3's EMU128 MaxOfLanes starts from -FLT_MAX, not -inf.
  HWY_ALIGN float buf[hn::MaxLanes(decltype(d)())];
  hn::Store(a, d, buf);
  float r = buf[0];
  for (std::size_t j = 1; j < L; ++j) r = CombineScalar(K, r, buf[j]);
  return r;
}

inline float RowReduce(Acc k, const float* p, std::size_t n, float off = 0.0f) {
  switch (k) {
    case Acc::sum: return RowReduce<Acc::sum>(p, n, off);
    case Acc::abs_sum: return RowReduce<Acc::abs_sum>(p, n, off);
    case Acc::sq_sum: return RowReduce<Acc::sq_sum>(p, n, off);
    case Acc::max: return RowReduce<Acc::max>(p, n, off);
    case Acc::min: return RowReduce<Acc::min>(p, n, off);
    case Acc::prod: return RowReduce<Acc::prod>(p, n, off);
    case Acc::exp_sum: return RowReduce<Acc::exp_sum>(p, n, off);
  }
  return 0.0f;
}

// The second pass of a two-pass variance: sum(p[i] - mean) and sum((p[i] - mean)^2), which
// stay accurate when |mean| >> spread (the deviations are exact when x is within 2x of mean).
struct Deviations {
  float sum, sum_sq;
};
HWY_NOINLINE inline Deviations SumDeviations(const float* p, std::size_t n, float mean) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t L = hn::Lanes(d);
  const V m = hn::Set(d, mean);
  V s0 = hn::Zero(d), s1 = hn::Zero(d), q0 = hn::Zero(d), q1 = hn::Zero(d);
  std::size_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const V x0 = hn::Sub(hn::LoadU(d, p + i), m), x1 = hn::Sub(hn::LoadU(d, p + i + L), m);
    s0 = hn::Add(s0, x0);
    s1 = hn::Add(s1, x1);
    q0 = hn::MulAdd(x0, x0, q0);
    q1 = hn::MulAdd(x1, x1, q1);
  }
  if (i < n) {  // at most two vectors left; tail lanes pad with mean (deviation 0)
    const V x0 = hn::Sub(i + L <= n ? hn::LoadU(d, p + i) : LoadTail(d, p + i, n - i, mean), m);
    s0 = hn::Add(s0, x0);
    q0 = hn::MulAdd(x0, x0, q0);
    i += L;
    if (i < n) {
      const V x1 = hn::Sub(LoadTail(d, p + i, n - i, mean), m);
      s1 = hn::Add(s1, x1);
      q1 = hn::MulAdd(x1, x1, q1);
    }
  }
  return {hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, s1))),
          hn::GetLane(hn::SumOfLanes(d, hn::Add(q0, q1)))};
}

// y[i] = (x[i] - c) * a + b for i < n; x == y allowed. Subtracting c first keeps the digits
// that x * a + (b - c * a) would cancel when |c| >> |x - c|.
HWY_NOINLINE inline void ScaleShift(const float* x, float* y, std::size_t n, float c, float a,
                                    float b) {
  const hn::ScalableTag<float> d;
  const std::size_t L = hn::Lanes(d);
  const auto vc = hn::Set(d, c), va = hn::Set(d, a), vb = hn::Set(d, b);
  std::size_t i = 0;
  for (; i + L <= n; i += L) {
    hn::StoreU(hn::MulAdd(hn::Sub(hn::LoadU(d, x + i), vc), va, vb), d, y + i);
  }
  if (i < n) {
    StoreTail(d, hn::MulAdd(hn::Sub(LoadTail(d, x + i, n - i, 0.0f), vc), va, vb), y + i, n - i);
  }
}

// ------------------------------------------------------------------ strided walks

// Dimensions walked by an odometer: size and stride of each, innermost last.
struct Walk {
  std::size_t rank = 0;
  std::size_t size[Shape::max_rank] = {};
  std::size_t stride[Shape::max_rank] = {};
  std::size_t count() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= size[i];
    return n;
  }
};

// Iterates the offsets of a Walk: Next() moves to the next one, false after the last.
struct Odometer {
  const Walk& w;
  std::size_t idx[Shape::max_rank] = {};
  std::size_t offset = 0;
  explicit Odometer(const Walk& walk) : w(walk) {}
  bool Next() {
    for (std::size_t i = w.rank; i-- > 0;) {
      offset += w.stride[i];
      if (++idx[i] < w.size[i]) return true;
      offset -= w.stride[i] * w.size[i];
      idx[i] = 0;
    }
    return false;
  }
};

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_ROW_OPS_INL_HPP
