// Elementwise operators: unary math and activations, Clip, arithmetic and comparisons with
// broadcasting, variadic Sum/Mean/Max/Min, logic, Where, Cast and CastLike. f32 goes through the
// shared unary/binary kernels wherever one exists; other dtypes, and ops without a kernel, run
// the scalar code here. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ELEMENTWISE_HPP
#define INLAY_GRAPH_OPS_ELEMENTWISE_HPP

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/number_text.hpp"
#include "inlay/kernels/elementwise.hpp"
#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {
namespace elementwise {

using NumericHalfTypes =
    TypeList<float, double, float16, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t,
             std::int32_t, std::uint32_t, std::int64_t, std::uint64_t>;
using FloatHalfTypes = TypeList<float, double, float16>;

// ---- integer arithmetic that wraps (as two's complement hardware does) instead of being UB

template <class T>
T wrap_add(T a, T b) {
  if constexpr (std::is_integral<T>::value) {
    return static_cast<T>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
  } else {
    return a + b;
  }
}
template <class T>
T wrap_sub(T a, T b) {
  if constexpr (std::is_integral<T>::value) {
    return static_cast<T>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
  } else {
    return a - b;
  }
}
template <class T>
T wrap_mul(T a, T b) {
  if constexpr (std::is_integral<T>::value) {
    return static_cast<T>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
  } else {
    return a * b;
  }
}
// Integer division by 0 is undefined in ONNX: inlay gives 0 rather than crashing; MIN / -1 wraps.
template <class T>
T safe_div(T a, T b) {
  if constexpr (std::is_integral<T>::value) {
    if (b == 0) return T(0);
    if constexpr (std::is_signed<T>::value) {
      if (b == T(-1)) return wrap_sub(T(0), a);
    }
    return static_cast<T>(a / b);
  } else {
    return a / b;
  }
}
// The remainder with the sign of the dividend (C's %, fmod) or of the divisor (Python's %).
template <class T>
T remainder(T a, T b, bool c_style) {
  if constexpr (std::is_integral<T>::value) {
    if (b == 0) return T(0);
    if constexpr (std::is_signed<T>::value) {
      if (b == T(-1)) return T(0);
      T r = static_cast<T>(a % b);
      if (!c_style && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    } else {
      return static_cast<T>(a % b);
    }
  } else {
    T r = std::fmod(a, b);
    if (!c_style && r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}
// NaN-propagating max and min (NumPy's maximum/minimum).
template <class T>
T max_of(T a, T b) {
  if (!(a == a)) return a;
  if (!(b == b)) return b;
  return a < b ? b : a;
}
template <class T>
T min_of(T a, T b) {
  if (!(a == a)) return a;
  if (!(b == b)) return b;
  return b < a ? b : a;
}

// y[e] = f(a[...], b[...]) over the broadcast shape of y.
template <class A, class B, class Y, class F>
void broadcast_map(const Tensor& a, const Tensor& b, Tensor& y, F f) {
  const A* pa = a.data<A>();
  const B* pb = b.data<B>();
  Y* py = y.data<Y>();
  if (a.shape() == b.shape()) {
    const std::int64_t n = y.numel();
    for (std::int64_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[i]);
    return;
  }
  const Shape ins[2] = {a.shape(), b.shape()};
  for_each_broadcast(y.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
    py[e] = f(pa[off[0]], pb[off[1]]);
  });
}

// Copies x into y of the broadcast shape y.shape(), any dtype.
template <std::size_t S>
void broadcast_copy_bytes(const Tensor& x, Tensor& y) {
  const auto* px = static_cast<const unsigned char*>(x.raw_data());
  auto* py = static_cast<unsigned char*>(const_cast<void*>(y.raw_data()));
  const Shape ins[1] = {x.shape()};
  for_each_broadcast(y.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
    std::memcpy(py + e * S, px + off[0] * S, S);
  });
}
inline void broadcast_copy(const Tensor& x, Tensor& y) {
  if (x.shape() == y.shape()) {
    if (x.nbytes()) std::memcpy(const_cast<void*>(y.raw_data()), x.raw_data(), x.nbytes());
    return;
  }
  switch (dtype_size(x.dtype())) {
    case 1: return broadcast_copy_bytes<1>(x, y);
    case 2: return broadcast_copy_bytes<2>(x, y);
    case 4: return broadcast_copy_bytes<4>(x, y);
    default: return broadcast_copy_bytes<8>(x, y);
  }
}

inline void require_same_dtype(const OpContext& ctx, const Tensor& a, const Tensor& b,
                               const char* what_a, const char* what_b) {
  if (a.dtype() != b.dtype()) {
    ctx.fail(ErrorKind::invalid_model, std::string(what_a) + " and " + what_b +
                                           " have different dtypes (" + dtype_name(a.dtype()) +
                                           " and " + dtype_name(b.dtype()) + ")");
  }
}
// Load-time form of require_same_dtype: when the loader knows both dtypes.
inline void require_same_dtype(const OpInfo& info, std::size_t a, std::size_t b, const char* what_a,
                               const char* what_b) {
  const std::optional<DType> da = info.input_dtype(a), db = info.input_dtype(b);
  if (da && db && *da != *db) {
    info.fail(ErrorKind::invalid_model, std::string(what_a) + " and " + what_b +
                                            " have different dtypes (" + dtype_name(*da) + " and " +
                                            dtype_name(*db) + ")");
  }
}
inline void require_bool(const OpContext& ctx, const Tensor& t, const char* what) {
  if (t.dtype() != DType::boolean) {
    ctx.fail(ErrorKind::unsupported_op,
             std::string(what) + " has dtype " + dtype_name(t.dtype()) + "; this op takes bool");
  }
}

// ---- unary math and activations

enum class Math : std::uint8_t {
  abs,
  neg,
  floor,
  ceil,
  round,
  sign,
  sqrt,
  reciprocal,
  exp,
  log,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  erf,
  relu,
  leaky_relu,
  elu,
  selu,
  celu,
  thresholded_relu,
  sigmoid,
  hard_sigmoid,
  hard_swish,
  softplus,
  softsign,
  tanh,
  mish,
  gelu,       // 0.5 x (1 + erf(x / sqrt 2)): Gelu with approximate "none"
  gelu_tanh,  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): approximate "tanh"
  shrink,     // x < -alpha ? x + beta : x > alpha ? x - beta : 0 (alpha: lambd, beta: bias)
};
// A unary op and its parameters (the meaning of alpha and beta is the Activation's, or above).
struct MathFn {
  Math op;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// The kernel activation that computes fn on f32, if there is one.
inline bool kernel_activation(const MathFn& fn, kernels::Activation& out) {
  using kernels::Activation;
  using kernels::UnaryOp;
  switch (fn.op) {
    case Math::abs: out = Activation::of(UnaryOp::abs); return true;
    case Math::neg: out = Activation::of(UnaryOp::neg); return true;
    case Math::sqrt: out = Activation::of(UnaryOp::sqrt); return true;
    case Math::reciprocal: out = Activation::of(UnaryOp::reciprocal); return true;
    case Math::exp: out = Activation::of(UnaryOp::exp); return true;
    case Math::log: out = Activation::of(UnaryOp::log); return true;
    case Math::erf: out = Activation::of(UnaryOp::erf); return true;
    case Math::relu: out = Activation::relu(); return true;
    case Math::leaky_relu: out = Activation::leaky_relu(fn.alpha); return true;
    case Math::elu: out = Activation::elu(fn.alpha); return true;
    case Math::selu: out = Activation::selu(fn.alpha, fn.beta); return true;
    case Math::sigmoid: out = Activation::sigmoid(); return true;
    case Math::hard_sigmoid: out = Activation::hard_sigmoid(fn.alpha, fn.beta); return true;
    case Math::hard_swish: out = Activation::hard_swish(); return true;
    case Math::softplus: out = Activation::softplus(); return true;
    case Math::tanh: out = Activation::tanh(); return true;
    case Math::mish: out = Activation::mish(); return true;
    case Math::gelu: out = Activation::gelu(); return true;
    case Math::gelu_tanh: out = Activation::gelu_tanh(); return true;
    default: return false;
  }
}

// fn(x) for a float or double x; formulas from the ONNX operator docs.
template <class C>
C apply_float(const MathFn& fn, C x) {
  const C alpha = fn.alpha, beta = fn.beta;
  switch (fn.op) {
    case Math::abs: return std::fabs(x);
    case Math::neg: return -x;
    case Math::floor: return std::floor(x);
    case Math::ceil: return std::ceil(x);
    case Math::round: return std::nearbyint(x);  // ties to even in the default rounding mode
    case Math::sign: return x > C(0) ? C(1) : x < C(0) ? C(-1) : x;  // 0 and NaN stay
    case Math::sqrt: return std::sqrt(x);
    case Math::reciprocal: return C(1) / x;
    case Math::exp: return std::exp(x);
    case Math::log: return std::log(x);
    case Math::sin: return std::sin(x);
    case Math::cos: return std::cos(x);
    case Math::tan: return std::tan(x);
    case Math::asin: return std::asin(x);
    case Math::acos: return std::acos(x);
    case Math::atan: return std::atan(x);
    case Math::sinh: return std::sinh(x);
    case Math::cosh: return std::cosh(x);
    case Math::asinh: return std::asinh(x);
    case Math::acosh: return std::acosh(x);
    case Math::atanh: return std::atanh(x);
    case Math::erf: return std::erf(x);
    case Math::relu: return x < C(0) ? C(0) : x;
    case Math::leaky_relu: return x < C(0) ? alpha * x : x;
    case Math::elu: return x < C(0) ? alpha * std::expm1(x) : x;
    case Math::selu: return x > C(0) ? beta * x : beta * alpha * std::expm1(x);
    case Math::celu: return std::max(C(0), x) + std::min(C(0), alpha * std::expm1(x / alpha));
    case Math::thresholded_relu: return x > alpha ? x : C(0);
    case Math::sigmoid: {
      const C e = std::exp(-std::fabs(x));  // never overflows
      return x >= C(0) ? C(1) / (C(1) + e) : e / (C(1) + e);
    }
    case Math::hard_sigmoid: return std::max(C(0), std::min(C(1), alpha * x + beta));
    case Math::hard_swish: return x * std::max(C(0), std::min(C(1), x / C(6) + C(0.5)));
    case Math::softplus: return std::max(x, C(0)) + std::log1p(std::exp(-std::fabs(x)));
    case Math::softsign: return x / (C(1) + std::fabs(x));
    case Math::tanh: return std::tanh(x);
    case Math::mish: return x * std::tanh(std::max(x, C(0)) + std::log1p(std::exp(-std::fabs(x))));
    case Math::gelu: return C(0.5) * x * (C(1) + std::erf(x * C(0.70710678118654752440)));
    case Math::gelu_tanh: {
      const C inner = C(0.79788456080286535588) * (x + C(0.044715) * x * x * x);
      return C(0.5) * x * (C(1) + std::tanh(inner));
    }
    case Math::shrink: return x < -alpha ? x + beta : x > alpha ? x - beta : C(0);
  }
  return x;
}

// The ops ONNX also defines on integers.
inline bool takes_integers(Math op) {
  return op == Math::abs || op == Math::neg || op == Math::sign || op == Math::relu ||
         op == Math::shrink;
}
template <class T>
T apply_integer(const MathFn& fn, T x) {
  bool negative = false;
  if constexpr (std::is_signed<T>::value) negative = x < T(0);
  switch (fn.op) {
    case Math::abs: return negative ? wrap_sub(T(0), x) : x;
    case Math::neg: return wrap_sub(T(0), x);
    case Math::sign: return negative ? static_cast<T>(-1) : x > T(0) ? T(1) : T(0);
    case Math::relu: return negative ? T(0) : x;
    case Math::shrink: return convert_to<T>(apply_float<double>(fn, static_cast<double>(x)));
    default: return x;
  }
}

class MathKernel final : public OpKernel {
 public:
  MathKernel(const OpInfo& info, MathFn fn) : fn_(fn), has_kernel_(kernel_activation(fn, kernel_)) {
    if (takes_integers(fn.op)) require_dtype(info, 0, "X", NumericHalfTypes{});
    else require_dtype(info, 0, "X", FloatHalfTypes{});
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const auto n = static_cast<std::size_t>(x.numel());
    if (x.dtype() == DType::f32 && has_kernel_) {
      const float* px = x.data<float>();
      float* py = y.data<float>();
      parallel_ranges(ctx.executor(), n, kMinParallelElements, [&](std::size_t b, std::size_t e) {
        kernels::unary_f32(px + b, py + b, e - b, kernel_);
      });
      return;
    }
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          T* py = y.data<T>();
          if constexpr (is_float_v<T>) {
            for (std::size_t i = 0; i < n; ++i) {
              py[i] = convert_to<T>(apply_float(fn_, to_scalar(px[i])));
            }
          } else {
            if (!takes_integers(fn_.op)) {
              ctx.fail(ErrorKind::unsupported_op, std::string("dtype ") + dtype_name(x.dtype()) +
                                                      " is not supported by this op (floats only)");
            }
            for (std::size_t i = 0; i < n; ++i) py[i] = apply_integer(fn_, px[i]);
          }
        },
        NumericHalfTypes{});
  }

 private:
  MathFn fn_;
  kernels::Activation kernel_;
  bool has_kernel_;
};

// A factory for the unary op that `make(info)` describes.
template <class Make>
OpFactory math(Make make) {
  return [make](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<MathKernel>(info, make(info));
  };
}
inline OpFactory math(Math op) {
  return math([op](const OpInfo&) { return MathFn{op}; });
}

// IsNaN and IsInf: float in, bool out.
class FloatTestKernel final : public OpKernel {
 public:
  FloatTestKernel(const OpInfo& info, bool nan)
      : nan_(nan),
        negative_(info.get_int("detect_negative", 1) != 0),
        positive_(info.get_int("detect_positive", 1) != 0) {
    require_dtype(info, 0, "X", FloatHalfTypes{});
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0, DType::boolean, x.shape());
    bool* py = y.data<bool>();
    const std::int64_t n = x.numel();
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          for (std::int64_t i = 0; i < n; ++i) {
            const auto v = to_scalar(px[i]);
            py[i] = nan_ ? std::isnan(v) : std::isinf(v) && (v > 0 ? positive_ : negative_);
          }
        },
        FloatHalfTypes{});
  }

 private:
  bool nan_, negative_, positive_;
};

class NotKernel final : public OpKernel {
 public:
  explicit NotKernel(const OpInfo& info) { require_dtype(info, 0, "X", TypeList<bool>{}); }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_bool(ctx, x, "the input");
    Tensor& y = ctx.output(0, DType::boolean, x.shape());
    const bool* px = x.data<bool>();
    bool* py = y.data<bool>();
    for (std::int64_t i = 0; i < x.numel(); ++i) py[i] = !px[i];
  }
};

// ---- Clip: bounds are attributes before opset 11, optional inputs from 11 on

class ClipKernel final : public OpKernel {
 public:
  explicit ClipKernel(const OpInfo& info)
      : bounds_are_inputs_(info.opset() >= 11),
        lo_(info.get_float("min", -std::numeric_limits<float>::infinity())),
        hi_(info.get_float("max", std::numeric_limits<float>::infinity())) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const std::int64_t n = x.numel();
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          using C = scalar_t<T>;
          C lo = std::numeric_limits<C>::lowest(), hi = std::numeric_limits<C>::max();
          if constexpr (std::is_floating_point<C>::value) {
            lo = -std::numeric_limits<C>::infinity();
            hi = std::numeric_limits<C>::infinity();
          }
          if (!bounds_are_inputs_) {
            if constexpr (!is_float_v<T>) {
              ctx.fail(ErrorKind::unsupported_op, std::string("dtype ") + dtype_name(x.dtype()) +
                                                      " is not supported before opset 12");
            }
            lo = static_cast<C>(lo_);
            hi = static_cast<C>(hi_);
          } else {
            if (ctx.has_input(1)) lo = bound<T>(ctx, 1, "min");
            if (ctx.has_input(2)) hi = bound<T>(ctx, 2, "max");
          }
          const T* px = x.data<T>();
          T* py = y.data<T>();
          if constexpr (std::is_same<T, float>::value) {
            kernels::unary_f32(px, py, static_cast<std::size_t>(n),
                               kernels::Activation::clip(lo, hi));
          } else {
            for (std::int64_t i = 0; i < n; ++i) {
              C v = to_scalar(px[i]);
              v = v < lo ? lo : v;  // NumPy's minimum(maximum(x, lo), hi): hi wins when lo > hi
              v = v > hi ? hi : v;
              py[i] = convert_to<T>(v);
            }
          }
        },
        NumericHalfTypes{});
  }

 private:
  template <class T>
  static scalar_t<T> bound(const OpContext& ctx, std::size_t i, const char* what) {
    const Tensor& t = ctx.input(i);
    if (t.dtype() != dtype_of_v<T>) {
      ctx.fail(ErrorKind::invalid_model, std::string(what) + " has dtype " + dtype_name(t.dtype()) +
                                             ", the input " + dtype_name(dtype_of_v<T>));
    }
    if (t.numel() != 1) {
      ctx.fail(ErrorKind::invalid_model,
               std::string(what) + " must hold one element, not " + std::to_string(t.numel()));
    }
    return to_scalar(t.data<T>()[0]);
  }
  bool bounds_are_inputs_;
  float lo_, hi_;
};

// ---- binary arithmetic with broadcasting

template <class C>
C arithmetic(kernels::BinaryOp op, C a, C b) {
  switch (op) {
    case kernels::BinaryOp::add: return wrap_add(a, b);
    case kernels::BinaryOp::sub: return wrap_sub(a, b);
    case kernels::BinaryOp::mul: return wrap_mul(a, b);
    case kernels::BinaryOp::div: return safe_div(a, b);
    case kernels::BinaryOp::max: return max_of(a, b);
    case kernels::BinaryOp::min: return min_of(a, b);
    default: return a;  // pow and prelu have kernels of their own
  }
}

// y = a op b (f32, y already shaped as the broadcast of a and b), split over the outermost axis
// of y that has more than one index: each range of that axis reads the matching rows of a and of
// b, or all of an operand that broadcasts along it. Every element is computed as in one call.
inline void binary_f32_parallel(Executor* executor, kernels::BinaryOp op, const Tensor& a,
                                const Tensor& b, Tensor& y) {
  const Shape& ys = y.shape();
  const std::size_t rank = ys.rank();
  std::size_t axis = 0;
  while (axis < rank && ys[axis] == 1) ++axis;
  const auto total = static_cast<std::size_t>(y.numel());
  if (executor == nullptr || axis == rank || total < 2 * kMinParallelElements) {
    kernels::binary_f32(op, a.data<float>(), a.shape(), b.data<float>(), b.shape(), y.data<float>(),
                        ys);
    return;
  }
  const auto rows = static_cast<std::size_t>(ys[axis]);
  const std::size_t row_elems = total / rows;
  // An operand's shape from `axis` on (its leading dimensions, aligned to y's, are all 1 there),
  // and the elements one index of `axis` spans in it (0 when it broadcasts along `axis`). Shapes
  // live inline: the split allocates nothing.
  struct Part {
    Shape dims;
    std::size_t stride = 0;
  };
  const auto part_of = [&](const Tensor& t) {
    std::int64_t dims[Shape::max_rank] = {};
    const std::size_t lead = rank - t.rank();  // t's dimensions align with y's last ones
    for (std::size_t d = axis; d < rank; ++d) dims[d - axis] = d < lead ? 1 : t.shape()[d - lead];
    Part p{Shape(dims, rank - axis), 0};
    if (dims[0] != 1) p.stride = static_cast<std::size_t>(t.numel() / dims[0]);
    return p;
  };
  const Part pa = part_of(a), pb = part_of(b);
  const Shape py_shape(ys.begin() + axis, rank - axis);
  const float* xa = a.data<float>();
  const float* xb = b.data<float>();
  float* py = y.data<float>();
  const std::size_t min_rows = (kMinParallelElements + row_elems - 1) / row_elems;
  parallel_ranges(executor, rows, min_rows, [&](std::size_t r0, std::size_t r1) {
    const auto n = static_cast<std::int64_t>(r1 - r0);
    Shape da = pa.dims, db = pb.dims, dy = py_shape;
    if (pa.stride) da.set_dim(0, n);
    if (pb.stride) db.set_dim(0, n);
    dy.set_dim(0, n);
    kernels::binary_f32(op, xa + r0 * pa.stride, da, xb + r0 * pb.stride, db, py + r0 * row_elems,
                        dy);
  });
}

// Add, Sub, Mul, Div.
class ArithmeticKernel final : public OpKernel {
 public:
  ArithmeticKernel(const OpInfo& info, kernels::BinaryOp op) : op_(op) {
    require_same_dtype(info, 0, 1, "A", "B");
    require_dtype(info, 0, "A", NumericHalfTypes{});
  }
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_same_dtype(ctx, a, b, "A", "B");
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, a.dtype(), shape);
    if (a.dtype() == DType::f32) {
      binary_f32_parallel(ctx.executor(), op_, a, b, y);
      return;
    }
    const kernels::BinaryOp op = op_;
    visit_dtype(
        ctx.info(), a.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          broadcast_map<T, T, T>(a, b, y, [op](T u, T v) {
            return convert_to<T>(arithmetic(op, to_scalar(u), to_scalar(v)));
          });
        },
        NumericHalfTypes{});
  }

 private:
  kernels::BinaryOp op_;
};

template <class A, class B>
A power(A a, B b) {
  if constexpr (std::is_integral<A>::value && std::is_integral<B>::value) {
    if constexpr (std::is_signed<B>::value) {
      if (b < 0) {  // only 1 and -1 have integer reciprocals
        if (a == A(1)) return A(1);
        if constexpr (std::is_signed<A>::value) {
          if (a == A(-1)) return (b & 1) ? A(-1) : A(1);
        }
        return A(0);
      }
    }
    A result = 1, base = a;
    for (auto e = static_cast<std::uint64_t>(b); e; e >>= 1) {
      if (e & 1) result = wrap_mul(result, base);
      base = wrap_mul(base, base);
    }
    return result;
  } else {
    return convert_to<A>(std::pow(static_cast<double>(a), static_cast<double>(b)));
  }
}

// Pow: the exponent may have another dtype than the base; the result has the base's.
class PowKernel final : public OpKernel {
 public:
  explicit PowKernel(const OpInfo& info) {
    require_dtype(info, 0, "X", TypeList<float, double, float16, std::int32_t, std::int64_t>{});
    require_dtype(info, 1, "Y", NumericHalfTypes{});
  }
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, a.dtype(), shape);
    if (a.dtype() == DType::f32 && b.dtype() == DType::f32) {
      binary_f32_parallel(ctx.executor(), kernels::BinaryOp::pow, a, b, y);
      return;
    }
    visit_dtype(
        ctx.info(), a.dtype(),
        [&](auto base_tag) {
          using A = decltype(base_tag);
          visit_dtype(
              ctx.info(), b.dtype(),
              [&](auto exponent_tag) {
                using B = decltype(exponent_tag);
                broadcast_map<A, B, A>(a, b, y, [](A u, B v) {
                  return convert_to<A>(power(to_scalar(u), to_scalar(v)));
                });
              },
              NumericHalfTypes{});
        },
        TypeList<float, double, float16, std::int32_t, std::int64_t>{});
  }
};

// Mod: fmod = 0 takes the divisor's sign (integers only), fmod = 1 the dividend's.
class ModKernel final : public OpKernel {
 public:
  explicit ModKernel(const OpInfo& info) : c_style_(info.get_int("fmod", 0) != 0) {}
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_same_dtype(ctx, a, b, "A", "B");
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, a.dtype(), shape);
    const bool c_style = c_style_;
    visit_dtype(
        ctx.info(), a.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          if constexpr (is_float_v<T>) {
            if (!c_style) {
              ctx.fail(ErrorKind::invalid_model, "fmod must be 1 for floating-point inputs");
            }
          }
          broadcast_map<T, T, T>(a, b, y, [c_style](T u, T v) {
            return convert_to<T>(remainder(to_scalar(u), to_scalar(v), c_style));
          });
        },
        NumericHalfTypes{});
  }

 private:
  bool c_style_;
};

class BitShiftKernel final : public OpKernel {
 public:
  explicit BitShiftKernel(const OpInfo& info) {
    left_ = enum_attribute<bool>(info, "direction", "", {{"LEFT", true}, {"RIGHT", false}},
                                 ErrorKind::invalid_model);
  }
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_same_dtype(ctx, a, b, "X", "Y");
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, a.dtype(), shape);
    const bool left = left_;
    visit_dtype(
        ctx.info(), a.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          broadcast_map<T, T, T>(a, b, y, [left](T u, T v) {
            if (v >= sizeof(T) * 8) return T(0);  // every bit shifted out
            return static_cast<T>(left ? u << v : u >> v);
          });
        },
        TypeList<std::uint8_t, std::uint16_t, std::uint32_t, std::uint64_t>{});
  }

 private:
  bool left_ = true;
};

// PRelu: the slope broadcasts to X (one direction only).
class PReluKernel final : public OpKernel {
 public:
  explicit PReluKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    require_same_dtype(ctx, x, slope, "X", "slope");
    if (broadcast(ctx.info(), x.shape(), slope.shape()) != x.shape()) {
      ctx.fail(ErrorKind::shape_mismatch, "slope of shape " + slope.shape().to_string() +
                                              " does not broadcast to X of shape " +
                                              x.shape().to_string());
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    if (x.dtype() == DType::f32) {
      kernels::binary_f32(kernels::BinaryOp::prelu, x.data<float>(), x.shape(), slope.data<float>(),
                          slope.shape(), y.data<float>(), x.shape());
      return;
    }
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          broadcast_map<T, T, T>(x, slope, y, [](T u, T v) {
            const auto a = to_scalar(u);
            if constexpr (std::is_signed<decltype(a)>::value) {
              if (a < 0) return convert_to<T>(wrap_mul(a, to_scalar(v)));
            }
            return u;
          });
        },
        NumericHalfTypes{});
  }
};

// ---- Sum, Mean, Max, Min of any number of inputs, all broadcast together

class VariadicKernel final : public OpKernel {
 public:
  VariadicKernel(const OpInfo& info, kernels::BinaryOp op, bool mean) : op_(op), mean_(mean) {
    if (info.input_count() == 0) info.fail(ErrorKind::invalid_model, "needs at least one input");
  }
  void run(OpContext& ctx) const override {
    const std::size_t count = ctx.input_count();
    Shape shapes[64];
    if (count > 64) ctx.fail(ErrorKind::unsupported_op, "more than 64 inputs");
    const Tensor& first = ctx.input(0);
    for (std::size_t i = 0; i < count; ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != first.dtype()) {
        ctx.fail(ErrorKind::invalid_model, "input " + std::to_string(i) + " has dtype " +
                                               dtype_name(t.dtype()) + ", input 0 " +
                                               dtype_name(first.dtype()));
      }
      shapes[i] = t.shape();
    }
    const Shape shape = broadcast(ctx.info(), shapes, count);
    Tensor& y = ctx.output(0, first.dtype(), shape);
    broadcast_copy(first, y);
    if (first.dtype() == DType::f32) {
      float* py = y.data<float>();
      for (std::size_t i = 1; i < count; ++i) {
        const Tensor& t = ctx.input(i);
        kernels::binary_f32(op_, py, shape, t.data<float>(), t.shape(), py, shape);
      }
      if (mean_) {
        const float n = static_cast<float>(count);
        kernels::binary_f32(kernels::BinaryOp::div, py, shape, &n, Shape{}, py, shape);
      }
      return;
    }
    const kernels::BinaryOp op = op_;
    visit_dtype(
        ctx.info(), first.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          for (std::size_t i = 1; i < count; ++i) {
            broadcast_map<T, T, T>(y, ctx.input(i), y, [op](T u, T v) {
              return convert_to<T>(arithmetic(op, to_scalar(u), to_scalar(v)));
            });
          }
          if (mean_) {
            T* py = y.data<T>();
            const auto n = static_cast<scalar_t<T>>(count);
            for (std::int64_t e = 0; e < y.numel(); ++e) {
              py[e] = convert_to<T>(safe_div(to_scalar(py[e]), n));
            }
          }
        },
        NumericHalfTypes{});
  }

 private:
  kernels::BinaryOp op_;
  bool mean_;
};

// ---- comparisons and logic: bool out

enum class Compare : std::uint8_t { equal, greater, greater_equal, less, less_equal };

class CompareKernel final : public OpKernel {
 public:
  CompareKernel(const OpInfo& info, Compare op) : op_(op) {
    require_same_dtype(info, 0, 1, "A", "B");
  }
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_same_dtype(ctx, a, b, "A", "B");
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, DType::boolean, shape);
    const Compare op = op_;
    visit_dtype(
        ctx.info(), a.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          broadcast_map<T, T, bool>(a, b, y, [op](T u, T v) {
            const auto p = to_scalar(u), q = to_scalar(v);
            switch (op) {
              case Compare::equal: return p == q;
              case Compare::greater: return p > q;
              case Compare::greater_equal: return p >= q;
              case Compare::less: return p < q;
              case Compare::less_equal: return p <= q;
            }
            return false;
          });
        },
        AllTypes{});
  }

 private:
  Compare op_;
};

enum class Logic : std::uint8_t { and_, or_, xor_ };

class LogicKernel final : public OpKernel {
 public:
  LogicKernel(const OpInfo& info, Logic op) : op_(op) {
    require_dtype(info, 0, "A", TypeList<bool>{});
    require_dtype(info, 1, "B", TypeList<bool>{});
  }
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_bool(ctx, a, "A");
    require_bool(ctx, b, "B");
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, DType::boolean, shape);
    const Logic op = op_;
    broadcast_map<bool, bool, bool>(a, b, y, [op](bool u, bool v) {
      return op == Logic::and_ ? u && v : op == Logic::or_ ? u || v : u != v;
    });
  }

 private:
  Logic op_;
};

// Where(condition, X, Y): X where the condition holds, else Y; all three broadcast together.
class WhereKernel final : public OpKernel {
 public:
  explicit WhereKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const Tensor& c = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    require_bool(ctx, c, "condition");
    require_same_dtype(ctx, x, y, "X", "Y");
    const Shape ins[3] = {c.shape(), x.shape(), y.shape()};
    const Shape shape = broadcast(ctx.info(), ins, 3);
    Tensor& out = ctx.output(0, x.dtype(), shape);
    switch (dtype_size(x.dtype())) {
      case 1: return select<1>(c, x, y, out, ins);
      case 2: return select<2>(c, x, y, out, ins);
      case 4: return select<4>(c, x, y, out, ins);
      default: return select<8>(c, x, y, out, ins);
    }
  }

 private:
  template <std::size_t S>
  static void select(const Tensor& c, const Tensor& x, const Tensor& y, Tensor& out,
                     const Shape (&ins)[3]) {
    const bool* pc = c.data<bool>();
    const auto* px = static_cast<const unsigned char*>(x.raw_data());
    const auto* py = static_cast<const unsigned char*>(y.raw_data());
    auto* po = static_cast<unsigned char*>(const_cast<void*>(out.raw_data()));
    for_each_broadcast(out.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
      std::memcpy(po + e * S, pc[off[0]] ? px + off[1] * S : py + off[2] * S, S);
    });
  }
};

// ---- Cast (to: an ONNX data type) and CastLike (to the dtype of input 1)

class CastKernel final : public OpKernel {
 public:
  CastKernel(const OpInfo& info, bool like) : like_(like) {
    if (like) return;
    const auto to = info.require("to", Attribute::Kind::int_).i;
    if (to < 0 || to > std::numeric_limits<std::int32_t>::max() ||
        !onnx::to_dtype(static_cast<std::int32_t>(to), to_)) {
      info.fail(
          ErrorKind::unsupported_op,
          "cast to " + onnx::data_type_name(static_cast<std::int32_t>(to)) + " is not supported");
    }
  }
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType to = like_ ? ctx.input(1).dtype() : to_;
    Tensor& y = ctx.output(0, to, x.shape());
    if (to == x.dtype()) {
      Tensor::copy_elements(x, y);
      return;
    }
    if (to == DType::string) return to_text(ctx, x, y);
    if (x.dtype() == DType::string) return from_text(ctx, x, y);
    const std::int64_t n = x.numel();
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto from_tag) {
          using From = decltype(from_tag);
          visit_dtype(
              ctx.info(), to,
              [&](auto to_tag) {
                using To = decltype(to_tag);
                const From* px = x.data<From>();
                To* py = y.data<To>();
                for (std::int64_t i = 0; i < n; ++i) py[i] = convert_to<To>(px[i]);
              },
              AllTypes{});
        },
        AllTypes{});
  }

 private:
  // Numbers to strings: floats as the shortest text that reads back the same (NumPy's str()
  // form, as ONNX's reference writes them), integers and bools as decimal integers.
  static void to_text(const OpContext& ctx, const Tensor& x, Tensor& y) {
    std::string* py = y.data<std::string>();
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using From = decltype(tag);
          const From* px = x.data<From>();
          for (std::int64_t i = 0; i < x.numel(); ++i) {
            if constexpr (is_float_v<From>) {
              py[i] = number_to_text(px[i]);
            } else {
              py[i] = integer_to_text(px[i]);
            }
          }
        },
        AllTypes{});
  }
  // Strings to numbers (ONNX: decimal or scientific text, "NaN", "INF", "+INF", "-INF"); whole
  // integers go straight to integer types so that large int64 values stay exact. Text that is
  // no number is an Error naming the element (ONNX leaves it undefined).
  static void from_text(const OpContext& ctx, const Tensor& x, Tensor& y) {
    const std::string* px = x.data<std::string>();
    visit_dtype(
        ctx.info(), y.dtype(),
        [&](auto tag) {
          using To = decltype(tag);
          To* py = y.data<To>();
          for (std::int64_t i = 0; i < x.numel(); ++i) {
            const std::string& s = px[i];
            if constexpr (!is_float_v<To>) {
              std::int64_t whole = 0;
              const auto r = std::from_chars(s.data(), s.data() + s.size(), whole);
              if (!s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size()) {
                py[i] = convert_to<To>(whole);
                continue;
              }
            }
            double v = 0;
            if (!text_to_number(s, v)) {
              ctx.fail(ErrorKind::invalid_argument, "element " + std::to_string(i) + " '" +
                                                        s.substr(0, 64) + "' is not a number");
            }
            py[i] = convert_to<To>(v);
          }
        },
        AllTypes{});
  }

  bool like_;
  DType to_ = DType::f32;
};

}  // namespace elementwise

inline void register_elementwise_ops(OpSet& ops) {
  using namespace elementwise;
  using kernels::BinaryOp;
  const auto alpha = [](float fallback) {
    return [fallback](const OpInfo& i) { return i.get_float("alpha", fallback); };
  };
  ops.add("", "Abs", 1, math(Math::abs));
  ops.add("", "Neg", 1, math(Math::neg));
  ops.add("", "Floor", 1, math(Math::floor));
  ops.add("", "Ceil", 1, math(Math::ceil));
  ops.add("", "Round", 11, math(Math::round));
  ops.add("", "Sign", 9, math(Math::sign));
  ops.add("", "Sqrt", 1, math(Math::sqrt));
  ops.add("", "Reciprocal", 1, math(Math::reciprocal));
  ops.add("", "Exp", 1, math(Math::exp));
  ops.add("", "Log", 1, math(Math::log));
  ops.add("", "Sin", 7, math(Math::sin));
  ops.add("", "Cos", 7, math(Math::cos));
  ops.add("", "Tan", 7, math(Math::tan));
  ops.add("", "Asin", 7, math(Math::asin));
  ops.add("", "Acos", 7, math(Math::acos));
  ops.add("", "Atan", 7, math(Math::atan));
  ops.add("", "Sinh", 9, math(Math::sinh));
  ops.add("", "Cosh", 9, math(Math::cosh));
  ops.add("", "Asinh", 9, math(Math::asinh));
  ops.add("", "Acosh", 9, math(Math::acosh));
  ops.add("", "Atanh", 9, math(Math::atanh));
  ops.add("", "Erf", 9, math(Math::erf));
  ops.add("", "Relu", 1, math(Math::relu));
  ops.add("", "Sigmoid", 1, math(Math::sigmoid));
  ops.add("", "Tanh", 1, math(Math::tanh));
  ops.add("", "Softplus", 1, math(Math::softplus));
  ops.add("", "Softsign", 1, math(Math::softsign));
  ops.add("", "HardSwish", 14, math(Math::hard_swish));
  ops.add("", "Mish", 18, math(Math::mish));
  ops.add("", "Gelu", 20, math([](const OpInfo& i) {
            const std::string approximate = i.get_string("approximate", "none");
            if (approximate != "none" && approximate != "tanh") {
              i.fail(ErrorKind::invalid_model,
                     "approximate '" + approximate + "' is neither 'none' nor 'tanh'");
            }
            return MathFn{approximate == "none" ? Math::gelu : Math::gelu_tanh};
          }));
  ops.add("", "LeakyRelu", 1, math([alpha](const OpInfo& i) {
            return MathFn{Math::leaky_relu, alpha(0.01f)(i)};
          }));
  ops.add("", "Elu", 1, math([alpha](const OpInfo& i) {
            return MathFn{Math::elu, alpha(1.0f)(i)};
          }));
  ops.add("", "Celu", 12, math([alpha](const OpInfo& i) {
            const float a = alpha(1.0f)(i);
            if (a == 0.0f) i.fail(ErrorKind::invalid_model, "alpha must not be 0");
            return MathFn{Math::celu, a};
          }));
  ops.add("", "ThresholdedRelu", 10, math([alpha](const OpInfo& i) {
            return MathFn{Math::thresholded_relu, alpha(1.0f)(i)};
          }));
  ops.add("", "Selu", 1, math([alpha](const OpInfo& i) {
            return MathFn{Math::selu, alpha(1.67326319217681884765625f)(i),
                          i.get_float("gamma", 1.05070102214813232421875f)};
          }));
  ops.add("", "HardSigmoid", 1, math([alpha](const OpInfo& i) {
            return MathFn{Math::hard_sigmoid, alpha(0.2f)(i), i.get_float("beta", 0.5f)};
          }));
  ops.add("", "Shrink", 9, math([](const OpInfo& i) {
            return MathFn{Math::shrink, i.get_float("lambd", 0.5f), i.get_float("bias", 0.0f)};
          }));
  ops.add("", "IsNaN", 9, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<FloatTestKernel>(i, true);
  });
  ops.add("", "IsInf", 10, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<FloatTestKernel>(i, false);
  });
  ops.add("", "Not", 1, factory<NotKernel>());
  ops.add("", "Clip", 1, factory<ClipKernel>());

  const auto arithmetic_op = [](BinaryOp op) -> OpFactory {
    return [op](const OpInfo& i) -> std::unique_ptr<OpKernel> {
      return std::make_unique<ArithmeticKernel>(i, op);
    };
  };
  ops.add("", "Add", 1, arithmetic_op(BinaryOp::add));
  ops.add("", "Sub", 1, arithmetic_op(BinaryOp::sub));
  ops.add("", "Mul", 1, arithmetic_op(BinaryOp::mul));
  ops.add("", "Div", 1, arithmetic_op(BinaryOp::div));
  ops.add("", "Pow", 1, factory<PowKernel>());
  ops.add("", "Mod", 10, factory<ModKernel>());
  ops.add("", "BitShift", 11, factory<BitShiftKernel>());
  ops.add("", "PRelu", 1, factory<PReluKernel>());

  const auto variadic = [](BinaryOp op, bool mean) -> OpFactory {
    return [op, mean](const OpInfo& i) -> std::unique_ptr<OpKernel> {
      return std::make_unique<VariadicKernel>(i, op, mean);
    };
  };
  ops.add("", "Sum", 1, variadic(BinaryOp::add, false));
  ops.add("", "Mean", 1, variadic(BinaryOp::add, true));
  ops.add("", "Max", 1, variadic(BinaryOp::max, false));
  ops.add("", "Min", 1, variadic(BinaryOp::min, false));

  const auto compare = [](Compare op) -> OpFactory {
    return [op](const OpInfo& i) -> std::unique_ptr<OpKernel> {
      return std::make_unique<CompareKernel>(i, op);
    };
  };
  ops.add("", "Equal", 1, compare(Compare::equal));
  ops.add("", "Greater", 1, compare(Compare::greater));
  ops.add("", "GreaterOrEqual", 12, compare(Compare::greater_equal));
  ops.add("", "Less", 1, compare(Compare::less));
  ops.add("", "LessOrEqual", 12, compare(Compare::less_equal));
  const auto logic = [](Logic op) -> OpFactory {
    return [op](const OpInfo& i) -> std::unique_ptr<OpKernel> {
      return std::make_unique<LogicKernel>(i, op);
    };
  };
  ops.add("", "And", 1, logic(Logic::and_));
  ops.add("", "Or", 1, logic(Logic::or_));
  ops.add("", "Xor", 1, logic(Logic::xor_));
  ops.add("", "Where", 9, factory<WhereKernel>());
  ops.add("", "Cast", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<CastKernel>(i, false);
  });
  ops.add("", "CastLike", 15, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<CastKernel>(i, true);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ELEMENTWISE_HPP
