// Per-target bodies of the elementwise kernels (see elementwise.hpp). Re-included once per CPU
// target.
//
// binary_f32 first reduces the broadcast to at most rank dimensions: dimensions of size 1 are
// dropped and adjacent dimensions that broadcast the same way (both inputs full, only a full, only
// b full) are merged. The innermost merged dimension is then one contiguous row per outer index,
// run by one vector row loop in one of three modes: both inputs contiguous (same shape, and
// [N, C] with [C] after merging), b one value per row (b a scalar, or [N, C, H*W] with
// [1, C, 1]) or a one value per row. The outer indices run as an odometer over the merged
// dimensions with their strides (0 where an input is broadcast).
#if defined(INLAY_KERNELS_ELEMENTWISE_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_ELEMENTWISE_INL_HPP
#undef INLAY_KERNELS_ELEMENTWISE_INL_HPP
#else
#define INLAY_KERNELS_ELEMENTWISE_INL_HPP
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/highway.h>

#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/elementwise.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void unary_f32(const float* x, float* y, std::size_t n, const Activation& f) {
  activate_f32(x, y, n, f);
}

// ---- one functor per BinaryOp --------------------------------------------------------------

struct AddOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V a, V b) const {
    return hn::Add(a, b);
  }
};
struct SubOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V a, V b) const {
    return hn::Sub(a, b);
  }
};
struct MulOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V a, V b) const {
    return hn::Mul(a, b);
  }
};
struct DivOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V a, V b) const {
    return hn::Div(a, b);
  }
};
struct BinaryPowOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V a, V b) const {
    return PowVec(d, a, b);
  }
};
struct MaxOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V a, V b) const {
    return NanMax(a, b);
  }
};
struct MinOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V a, V b) const {
    return NanMin(a, b);
  }
};
struct PreluOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V a, V b) const {
    return hn::IfThenElse(hn::Lt(a, hn::Zero(d)), hn::Mul(a, b), a);
  }
};

// ---- row loop ------------------------------------------------------------------------------
// out[i] = op(a[i], b[i]) for i < n; a (b) is one value for the whole row when scalar_a
// (scalar_b). The flags are run-time (predictable branches) and op has one call site, which keeps
// the code per op small. out may alias a contiguous input (each lane is read before it is
// written). The tail goes through stack buffers: no access past n.

template <class Op>
HWY_INLINE void BinaryRow(const float* a, bool scalar_a, const float* b, bool scalar_b, float* out,
                          std::size_t n, const Op& op) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto sa = hn::Set(d, a[0]);
  const auto sb = hn::Set(d, b[0]);
  HWY_ALIGN float buf_a[hn::MaxLanes(d)] = {};
  HWY_ALIGN float buf_b[hn::MaxLanes(d)] = {};
  for (std::size_t i = 0; i < n; i += N) {
    const std::size_t rest = n - i < N ? (n - i) * sizeof(float) : 0;
    if (rest) {
      if (!scalar_a) std::memcpy(buf_a, a + i, rest);
      if (!scalar_b) std::memcpy(buf_b, b + i, rest);
    }
    const auto va = scalar_a ? sa : rest ? hn::Load(d, buf_a) : hn::LoadU(d, a + i);
    const auto vb = scalar_b ? sb : rest ? hn::Load(d, buf_b) : hn::LoadU(d, b + i);
    const auto r = op(d, va, vb);
    if (rest) {
      hn::Store(r, d, buf_a);
      std::memcpy(out + i, buf_a, rest);
    } else {
      hn::StoreU(r, d, out + i);
    }
  }
}

// The broadcast reduced to merged dimensions (outermost first) with element strides of a and b
// (0 where broadcast). rank 0: a single element.
struct BroadcastPlan {
  std::size_t rank = 0;
  std::int64_t dims[Shape::max_rank] = {};
  std::int64_t stride_a[Shape::max_rank] = {};
  std::int64_t stride_b[Shape::max_rank] = {};
  bool empty = false;
};

static inline BroadcastPlan PlanBroadcast(const Shape& a, const Shape& b, const Shape& out) {
  BroadcastPlan p;
  bool full_a[Shape::max_rank] = {}, full_b[Shape::max_rank] = {};
  const std::size_t r = out.rank();
  for (std::size_t k = 0; k < r; ++k) {
    const std::int64_t n = out[k];
    if (n == 0) p.empty = true;
    if (n <= 1) continue;
    const bool fa = k + a.rank() >= r && a[k + a.rank() - r] == n;
    const bool fb = k + b.rank() >= r && b[k + b.rank() - r] == n;
    if (p.rank > 0 && full_a[p.rank - 1] == fa && full_b[p.rank - 1] == fb) {
      p.dims[p.rank - 1] *= n;
    } else {
      full_a[p.rank] = fa;
      full_b[p.rank] = fb;
      p.dims[p.rank++] = n;
    }
  }
  std::int64_t sa = 1, sb = 1;
  for (std::size_t k = p.rank; k-- > 0;) {
    p.stride_a[k] = full_a[k] ? sa : 0;
    p.stride_b[k] = full_b[k] ? sb : 0;
    if (full_a[k]) sa *= p.dims[k];
    if (full_b[k]) sb *= p.dims[k];
  }
  return p;
}

template <class Op>
HWY_NOINLINE void BinaryBroadcast(const BroadcastPlan& p, const float* a, const float* b,
                                  float* out, const Op& op) {
  if (p.empty) return;
  if (p.rank == 0) return BinaryRow(a, false, b, false, out, 1, op);
  const std::size_t inner_dim = p.rank - 1;
  const std::size_t n = static_cast<std::size_t>(p.dims[inner_dim]);
  const bool scalar_a = p.stride_a[inner_dim] == 0;
  const bool scalar_b = p.stride_b[inner_dim] == 0;
  std::int64_t rows = 1;
  for (std::size_t k = 0; k < inner_dim; ++k) rows *= p.dims[k];
  std::int64_t index[Shape::max_rank] = {};
  std::int64_t offset_a = 0, offset_b = 0;
  for (std::int64_t row = 0; row < rows; ++row) {
    float* o = out + row * static_cast<std::int64_t>(n);
    BinaryRow(a + offset_a, scalar_a, b + offset_b, scalar_b, o, n, op);
    for (std::size_t k = inner_dim; k-- > 0;) {  // odometer over the outer dimensions
      offset_a += p.stride_a[k];
      offset_b += p.stride_b[k];
      if (++index[k] < p.dims[k]) break;
      offset_a -= p.stride_a[k] * p.dims[k];
      offset_b -= p.stride_b[k] * p.dims[k];
      index[k] = 0;
    }
  }
}

void binary_f32(BinaryOp op, const float* a, const Shape& a_shape, const float* b,
                const Shape& b_shape, float* out, const Shape& out_shape) {
  const BroadcastPlan p = PlanBroadcast(a_shape, b_shape, out_shape);
  switch (op) {
    case BinaryOp::add: return BinaryBroadcast(p, a, b, out, AddOp{});
    case BinaryOp::sub: return BinaryBroadcast(p, a, b, out, SubOp{});
    case BinaryOp::mul: return BinaryBroadcast(p, a, b, out, MulOp{});
    case BinaryOp::div: return BinaryBroadcast(p, a, b, out, DivOp{});
    case BinaryOp::pow: return BinaryBroadcast(p, a, b, out, BinaryPowOp{});
    case BinaryOp::max: return BinaryBroadcast(p, a, b, out, MaxOp{});
    case BinaryOp::min: return BinaryBroadcast(p, a, b, out, MinOp{});
    case BinaryOp::prelu: return BinaryBroadcast(p, a, b, out, PreluOp{});
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_ELEMENTWISE_INL_HPP
