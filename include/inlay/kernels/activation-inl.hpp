// Per-target element-wise evaluation of an Activation (activation.hpp), shared by the element-wise
// kernels and the GEMM/convolution epilogues. Re-included once per CPU target.
//
// What this file provides (namespace inlay::kernels::HWY_NAMESPACE):
// - activate_f32(x, y, n, f): y[i] = f(x[i]), x == y allowed. Switches on f.op once, then runs a
//   vector loop of that op. An epilogue that has just stored a row segment applies the activation
//   to it in place with activate_f32(row, row, len, f) while the segment is still in L1.
// - ActivateVec(d, v, f): the same function on one register (switches on f.op per call; for
//   epilogues that want to activate before storing).
// - The vector math the element-wise bodies share: ExpVec, LogVec, ErfVec, SigmoidVec, PowVec,
//   NanMax/NanMin, each defined for every input including NaN and +-Inf.
// Every op propagates NaN. Highway's Exp/Log/Log1p are only valid on part of the float range
// (Exp(NaN) = 0, Log(0) and Log(-1) are finite, Log1p(inf) = NaN), so the *Vec wrappers below
// clamp the argument and patch the special values.
#if defined(INLAY_KERNELS_ACTIVATION_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_ACTIVATION_INL_HPP
#undef INLAY_KERNELS_ACTIVATION_INL_HPP
#else
#define INLAY_KERNELS_ACTIVATION_INL_HPP
#endif

#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "inlay/kernels/activation.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ---- shared vector math --------------------------------------------------------------------

template <class D, class V = hn::Vec<D>>
HWY_INLINE V InfVec(D d) {
  return hn::Set(d, std::numeric_limits<float>::infinity());
}

// x where x is NaN, else r: restores NaN after ops that drop it (x86 min/max, clamped math).
template <class V>
HWY_INLINE V KeepNaN(V x, V r) {
  return hn::IfThenElse(hn::IsNaN(x), x, r);
}

// NaN-propagating max/min (NumPy/ONNX semantics): if either is NaN, a + b is NaN.
template <class V>
HWY_INLINE V NanMax(V a, V b) {
  return hn::IfThenElse(hn::Or(hn::IsNaN(a), hn::IsNaN(b)), hn::Add(a, b), hn::Max(a, b));
}
template <class V>
HWY_INLINE V NanMin(V a, V b) {
  return hn::IfThenElse(hn::Or(hn::IsNaN(a), hn::IsNaN(b)), hn::Add(a, b), hn::Min(a, b));
}

// clamp(x, lo, hi) = min(max(x, lo), hi), NaN stays NaN.
template <class V>
HWY_INLINE V ClampKeepNaN(V x, V lo, V hi) {
  return KeepNaN(x, hn::Min(hn::Max(x, lo), hi));
}

// e^x for every float: Highway's Exp is valid up to x = 104 and maps NaN to 0.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V ExpVec(D d, V x) {
  // Above the largest float below ln(FLT_MAX) the result overflows.
  const V r = hn::Exp(d, hn::Min(x, hn::Set(d, 89.0f)));
  return KeepNaN(x, hn::IfThenElse(hn::Gt(x, hn::Set(d, 88.7228317f)), InfVec(d), r));
}

// ln x for every float: Highway's Log assumes finite x > 0.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V LogVec(D d, V x) {
  V r = hn::Log(d, x);
  r = hn::IfThenElse(hn::Eq(x, hn::Zero(d)), hn::Neg(InfVec(d)), r);
  r = hn::IfThenElse(hn::Eq(x, InfVec(d)), x, r);
  // Negative or NaN: NaN.
  return hn::IfThenElse(hn::Not(hn::Ge(x, hn::Zero(d))), hn::Set(d, std::nanf("")), r);
}

// tanh x; Highway's Tanh is valid everywhere except that NaN needs care.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V TanhVec(D d, V x) {
  return KeepNaN(x, hn::Tanh(d, x));
}

// 1 / (1 + e^-x) without overflow: with e = e^-|x| in (0, 1], sigmoid is 1 / (1 + e) for x >= 0
// and e / (1 + e) for x < 0 (no cancellation, no overflow).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V SigmoidVec(D d, V x) {
  const V one = hn::Set(d, 1.0f);
  const V e = ExpVec(d, hn::Neg(hn::Abs(x)));
  return hn::Div(hn::IfThenElse(hn::Lt(x, hn::Zero(d)), e, one), hn::Add(one, e));
}

// erf x with at most ~2.5 ulp error (measured against double std::erf on a dense grid).
// |x| < 1: erf x = x P(x^2), the odd series of A&S 7.1.5 with P refitted as a least-squares
// polynomial in x^2 on Chebyshev nodes. 1 <= |x| < 4: erf x = 1 - exp(Q(t)), Q a least-squares
// polynomial fit of ln erfc x (smooth and close to -x^2) in t = (2x - 5) / 3 in [-1, 1]; like
// A&S 7.1.26 and Cody (Math. Comp. 23, 1969) it writes erfc as an exponential of a smooth fit.
// |x| >= 4: erfc x < 2^-25, so erf x = +-1.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V ErfVec(D d, V x) {
  const V ax = hn::Min(hn::Abs(x), hn::Set(d, 4.0f));
  const V u = hn::Mul(ax, ax);
  V p = hn::Set(d, 7.88249712e-05f);
  p = hn::MulAdd(p, u, hn::Set(d, -0.000801885499f));
  p = hn::MulAdd(p, u, hn::Set(d, 0.00518931194f));
  p = hn::MulAdd(p, u, hn::Set(d, -0.0268543288f));
  p = hn::MulAdd(p, u, hn::Set(d, 0.112835975f));
  p = hn::MulAdd(p, u, hn::Set(d, -0.376126269f));
  p = hn::MulAdd(p, u, hn::Set(d, 1.12837917f));
  const V small = hn::Mul(ax, p);
  const V t = hn::MulAdd(ax, hn::Set(d, 2.0f / 3.0f), hn::Set(d, -5.0f / 3.0f));
  V q = hn::Set(d, -2.36707185e-06f);
  q = hn::MulAdd(q, t, hn::Set(d, -2.5306723e-06f));
  q = hn::MulAdd(q, t, hn::Set(d, 4.72843134e-05f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.0002217094f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.000876392909f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.00319474332f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.0109629733f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.0366463087f));
  q = hn::MulAdd(q, t, hn::Set(d, -2.12376092f));
  q = hn::MulAdd(q, t, hn::Set(d, -8.02902111f));
  q = hn::MulAdd(q, t, hn::Set(d, -7.80681527f));
  const V large = hn::Sub(hn::Set(d, 1.0f), hn::Exp(d, q));  // q >= -16.5: in Exp's range
  const V r = hn::IfThenElse(hn::Lt(ax, hn::Set(d, 1.0f)), small, large);
  return KeepNaN(x, hn::CopySignToAbs(r, x));
}

// x^y with the special values of std::pow (C99 F.9.4.4): |x|^y = e^(y ln|x|); negative x gives
// NaN for non-integer y and the sign of x for odd integer y; x^0 = 1^y = (-1)^(+-inf) = 1.
// The error grows with |y ln x| (float ln x carries ~1 ulp, which e^ scales by |y ln x|).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V PowVec(D d, V x, V y) {
  const V one = hn::Set(d, 1.0f);
  const V ax = hn::Abs(x);
  V r = ExpVec(d, hn::Mul(y, LogVec(d, ax)));
  const auto y_int = hn::Eq(hn::Round(y), y);
  const V half_y = hn::Mul(y, hn::Set(d, 0.5f));
  const auto y_odd = hn::And(y_int, hn::Ne(hn::Round(half_y), half_y));
  r = hn::IfThenElse(y_odd, hn::Or(r, hn::And(x, hn::Set(d, -0.0f))), r);
  const auto neg_finite = hn::And(hn::Lt(x, hn::Zero(d)), hn::Gt(x, hn::Neg(InfVec(d))));
  r = hn::IfThenElse(hn::AndNot(y_int, neg_finite), hn::Set(d, std::nanf("")), r);
  const auto is_one = hn::Or(hn::Or(hn::Eq(y, hn::Zero(d)), hn::Eq(x, one)),
                             hn::And(hn::Eq(ax, one), hn::IsInf(y)));
  return hn::IfThenElse(is_one, one, r);
}

// ---- one functor per UnaryOp ---------------------------------------------------------------
// Each maps a register; parameters are captured once. Where x * g(x) would give -inf * 0 = NaN
// at x = -inf (SiLU, GELU, mish, hard swish), the result is the limit, -0.

template <class D, class V>
HWY_INLINE V ZeroAtNegInf(D d, V x, V r) {
  return hn::IfThenZeroElse(hn::Eq(x, hn::Neg(InfVec(d))), r);
}

struct ReluOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return hn::IfThenZeroElse(hn::Lt(x, hn::Zero(d)), x);
  }
};
struct LeakyReluOp {
  float alpha;
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Mul(x, hn::Set(d, alpha)), x);
  }
};
struct SigmoidOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return SigmoidVec(d, x);
  }
};
struct HardSigmoidOp {
  float alpha, beta;
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V t = hn::MulAdd(x, hn::Set(d, alpha), hn::Set(d, beta));
    return ClampKeepNaN(t, hn::Zero(d), hn::Set(d, 1.0f));
  }
};
struct TanhOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return TanhVec(d, x);
  }
};
struct GeluErfOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V e = ErfVec(d, hn::Mul(x, hn::Set(d, 0.70710678118654752f)));
    const V r = hn::Mul(hn::Mul(x, hn::Set(d, 0.5f)), hn::Add(e, hn::Set(d, 1.0f)));
    return ZeroAtNegInf(d, x, r);
  }
};
// 0.5 (1 + tanh u) = sigmoid(2u): no cancellation for negative x, no overflow.
struct GeluTanhOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V x3 = hn::Mul(hn::Mul(x, x), x);
    const V u2 =
        hn::Mul(hn::MulAdd(x3, hn::Set(d, 0.044715f), x), hn::Set(d, 2.0f * 0.79788456080286536f));
    return ZeroAtNegInf(d, x, hn::Mul(x, SigmoidVec(d, u2)));
  }
};
struct SiluOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return ZeroAtNegInf(d, x, hn::Mul(x, SigmoidVec(d, x)));
  }
};
struct HardSwishOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V t = hn::MulAdd(x, hn::Set(d, 1.0f / 6.0f), hn::Set(d, 0.5f));
    const V g = hn::Min(hn::Max(t, hn::Zero(d)), hn::Set(d, 1.0f));
    return KeepNaN(x, ZeroAtNegInf(d, x, hn::Mul(x, g)));
  }
};
// tanh(ln(1 + e)) = n / (n + 2) with n = e (e + 2), e = e^x: exact algebra, no cancellation for
// x << 0; for x >= 20 the ratio is 1 in float, so e is computed at min(x, 20) (no overflow).
struct MishOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V two = hn::Set(d, 2.0f);
    const V e = ExpVec(d, hn::Min(x, hn::Set(d, 20.0f)));
    const V n = hn::Mul(e, hn::Add(e, two));
    const V r = hn::Mul(x, hn::Div(n, hn::Add(n, two)));
    return KeepNaN(x, ZeroAtNegInf(d, x, r));
  }
};
// ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the exponential is in (0, 1], no overflow.
struct SoftplusOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V e = ExpVec(d, hn::Neg(hn::Abs(x)));
    const V r = hn::Add(hn::Max(x, hn::Zero(d)), hn::Log1p(d, e));
    return KeepNaN(x, r);
  }
};
// alpha (e^x - 1) for x < 0 via expm1 (accurate near 0), scaled by gamma (1 for ELU).
struct EluOp {
  float alpha, gamma;
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    const V neg = hn::Mul(hn::Expm1(d, hn::Min(x, hn::Zero(d))), hn::Set(d, alpha));
    return hn::Mul(hn::IfThenElse(hn::Lt(x, hn::Zero(d)), neg, x), hn::Set(d, gamma));
  }
};
struct ClipOp {
  float lo, hi;
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return ClampKeepNaN(x, hn::Set(d, lo), hn::Set(d, hi));
  }
};
struct ExpOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return ExpVec(d, x);
  }
};
struct LogOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return LogVec(d, x);
  }
};
struct SqrtOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V x) const {
    return hn::Sqrt(x);
  }
};
struct ErfOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return ErfVec(d, x);
  }
};
struct ReciprocalOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return hn::Div(hn::Set(d, 1.0f), x);
  }
};
struct AbsOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V x) const {
    return hn::Abs(x);
  }
};
struct NegOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V x) const {
    return hn::Neg(x);
  }
};
struct PowOp {
  float alpha;
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return PowVec(d, x, hn::Set(d, alpha));
  }
};
// Exponents computed exactly by multiplication: x^2, x^3 (<= 1.5 ulp, like std::pow's result up
// to rounding).
struct SquareOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V x) const {
    return hn::Mul(x, x);
  }
};
struct CubeOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V x) const {
    return hn::Mul(hn::Mul(x, x), x);
  }
};

// y[i] = op(x[i]) for i < n; the tail goes through a stack buffer (no access past n). One call
// site of op keeps the compiled code small (the math ops are long when inlined).
template <class Op>
HWY_NOINLINE void ActivateLoop(const float* x, float* y, std::size_t n, const Op& op) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  HWY_ALIGN float buf[hn::MaxLanes(d)] = {};
  for (std::size_t i = 0; i < n; i += N) {
    const std::size_t rest = n - i < N ? (n - i) * sizeof(float) : 0;
    if (rest) std::memcpy(buf, x + i, rest);
    const auto r = op(d, rest ? hn::Load(d, buf) : hn::LoadU(d, x + i));
    if (rest) {
      hn::Store(r, d, buf);
      std::memcpy(y + i, buf, rest);
    } else {
      hn::StoreU(r, d, y + i);
    }
  }
}

// y[i] = f(x[i]) for i < n; x == y allowed. Callers: unary_f32 and every fused epilogue.
inline void activate_f32(const float* x, float* y, std::size_t n, const Activation& f) {
  switch (f.op) {
    case UnaryOp::identity:
      if (x != y && n != 0) std::memmove(y, x, n * sizeof(float));
      return;
    case UnaryOp::relu: return ActivateLoop(x, y, n, ReluOp{});
    case UnaryOp::leaky_relu: return ActivateLoop(x, y, n, LeakyReluOp{f.alpha});
    case UnaryOp::sigmoid: return ActivateLoop(x, y, n, SigmoidOp{});
    case UnaryOp::hard_sigmoid: return ActivateLoop(x, y, n, HardSigmoidOp{f.alpha, f.beta});
    case UnaryOp::tanh: return ActivateLoop(x, y, n, TanhOp{});
    case UnaryOp::gelu_erf: return ActivateLoop(x, y, n, GeluErfOp{});
    case UnaryOp::gelu_tanh: return ActivateLoop(x, y, n, GeluTanhOp{});
    case UnaryOp::silu: return ActivateLoop(x, y, n, SiluOp{});
    case UnaryOp::hard_swish: return ActivateLoop(x, y, n, HardSwishOp{});
    case UnaryOp::mish: return ActivateLoop(x, y, n, MishOp{});
    case UnaryOp::softplus: return ActivateLoop(x, y, n, SoftplusOp{});
    case UnaryOp::elu: return ActivateLoop(x, y, n, EluOp{f.alpha, 1.0f});
    case UnaryOp::selu: return ActivateLoop(x, y, n, EluOp{f.alpha, f.beta});
    case UnaryOp::clip: return ActivateLoop(x, y, n, ClipOp{f.alpha, f.beta});
    case UnaryOp::exp: return ActivateLoop(x, y, n, ExpOp{});
    case UnaryOp::log: return ActivateLoop(x, y, n, LogOp{});
    case UnaryOp::sqrt: return ActivateLoop(x, y, n, SqrtOp{});
    case UnaryOp::erf: return ActivateLoop(x, y, n, ErfOp{});
    case UnaryOp::reciprocal: return ActivateLoop(x, y, n, ReciprocalOp{});
    case UnaryOp::abs: return ActivateLoop(x, y, n, AbsOp{});
    case UnaryOp::neg: return ActivateLoop(x, y, n, NegOp{});
    case UnaryOp::pow:
      if (f.alpha == 1.0f) return activate_f32(x, y, n, Activation::none());
      if (f.alpha == 2.0f) return ActivateLoop(x, y, n, SquareOp{});
      if (f.alpha == 3.0f) return ActivateLoop(x, y, n, CubeOp{});
      if (f.alpha == -1.0f) return ActivateLoop(x, y, n, ReciprocalOp{});
      return ActivateLoop(x, y, n, PowOp{f.alpha});
  }
}

// f applied to one register (a switch per call: prefer activate_f32 on a stored segment in loops).
template <class D, class V>
HWY_INLINE V ActivateVec(D d, V x, const Activation& f) {
  switch (f.op) {
    case UnaryOp::identity: return x;
    case UnaryOp::relu: return ReluOp{}(d, x);
    case UnaryOp::leaky_relu: return LeakyReluOp{f.alpha}(d, x);
    case UnaryOp::sigmoid: return SigmoidOp{}(d, x);
    case UnaryOp::hard_sigmoid: return HardSigmoidOp{f.alpha, f.beta}(d, x);
    case UnaryOp::tanh: return TanhOp{}(d, x);
    case UnaryOp::gelu_erf: return GeluErfOp{}(d, x);
    case UnaryOp::gelu_tanh: return GeluTanhOp{}(d, x);
    case UnaryOp::silu: return SiluOp{}(d, x);
    case UnaryOp::hard_swish: return HardSwishOp{}(d, x);
    case UnaryOp::mish: return MishOp{}(d, x);
    case UnaryOp::softplus: return SoftplusOp{}(d, x);
    case UnaryOp::elu: return EluOp{f.alpha, 1.0f}(d, x);
    case UnaryOp::selu: return EluOp{f.alpha, f.beta}(d, x);
    case UnaryOp::clip: return ClipOp{f.alpha, f.beta}(d, x);
    case UnaryOp::exp: return ExpOp{}(d, x);
    case UnaryOp::log: return LogOp{}(d, x);
    case UnaryOp::sqrt: return SqrtOp{}(d, x);
    case UnaryOp::erf: return ErfOp{}(d, x);
    case UnaryOp::reciprocal: return ReciprocalOp{}(d, x);
    case UnaryOp::abs: return AbsOp{}(d, x);
    case UnaryOp::neg: return NegOp{}(d, x);
    case UnaryOp::pow: return PowOp{f.alpha}(d, x);
  }
  return x;
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_ACTIVATION_INL_HPP
