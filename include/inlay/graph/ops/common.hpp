// What the operator files share: axis normalization, reading small integer tensors (shapes,
// axes), dtype dispatch, and the kernel-class helpers. Implementation-only.
#ifndef INLAY_GRAPH_OPS_COMMON_HPP
#define INLAY_GRAPH_OPS_COMMON_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/graph/op.hpp"
#include "inlay/kernels/activation.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// A kernel from a lambda `void(OpContext&)` with no load-time state.
template <class F>
class LambdaKernel final : public OpKernel {
 public:
  explicit LambdaKernel(F f) : f_(std::move(f)) {}
  void run(OpContext& context) const override { f_(context); }

 private:
  F f_;
};
template <class F>
std::unique_ptr<OpKernel> make_lambda_kernel(F f) {
  return std::make_unique<LambdaKernel<F>>(std::move(f));
}

// A factory for kernel class K constructed from the OpInfo.
template <class K>
OpFactory factory() {
  return [](const OpInfo& info) -> std::unique_ptr<OpKernel> { return std::make_unique<K>(info); };
}

// Product of dims [from, to).
inline std::int64_t span_of(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t i = from; i < to; ++i) n *= s[i];
  return n;
}

// A string attribute that names one of a fixed set of choices (mode, direction, auto_pad ...):
// the enum value that `value` spells; anything else fails with `kind`, listing the spellings.
template <class E>
E choice_of(const OpInfo& info, const char* attribute, const std::string& value,
            std::initializer_list<std::pair<const char*, E>> choices,
            ErrorKind kind = ErrorKind::unsupported_op) {
  std::string spellings;
  for (const auto& choice : choices) {
    if (value == choice.first) return choice.second;
    spellings += (spellings.empty() ? "'" : ", '") + std::string(choice.first) + "'";
  }
  info.fail(kind, std::string(attribute) + " '" + value +
                      "' is not supported (known: " + spellings + ")");
}

// choice_of for the node's attribute `attribute`, or `fallback` where the node has none.
template <class E>
E enum_attribute(const OpInfo& info, const char* attribute, const char* fallback,
                 std::initializer_list<std::pair<const char*, E>> choices,
                 ErrorKind kind = ErrorKind::unsupported_op) {
  return choice_of(info, attribute, info.get_string(attribute, fallback), choices, kind);
}

// Axis in [-rank, rank) -> [0, rank); an Error naming the node otherwise.
inline std::size_t normalize_axis(const OpInfo& info, std::int64_t axis, std::size_t rank,
                                  const char* what = "axis") {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    info.fail(ErrorKind::invalid_model, std::string(what) + " " + std::to_string(axis) +
                                            " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

// The elements of a 0-D or 1-D integer tensor (int64 or int32), e.g. a shape or axes input.
inline std::vector<std::int64_t> read_ints(const OpInfo& info, const Tensor& t, const char* what) {
  if (t.rank() > 1) {
    info.fail(
        ErrorKind::invalid_model,
        std::string(what) + " must be a scalar or 1-D, not of shape " + t.shape().to_string());
  }
  std::vector<std::int64_t> out(static_cast<std::size_t>(t.numel()));
  if (t.dtype() == DType::i64) {
    if (!out.empty()) std::memcpy(out.data(), t.raw_data(), out.size() * 8);
  } else if (t.dtype() == DType::i32) {
    const auto* p = t.data<std::int32_t>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = p[i];
  } else {
    info.fail(ErrorKind::invalid_model,
              std::string(what) + " must be int64 or int32, not " + dtype_name(t.dtype()));
  }
  return out;
}

// Reads a scalar (any numeric dtype) as double, e.g. Clip's min/max or Range's start.
inline double read_scalar(const OpInfo& info, const Tensor& t, const char* what) {
  if (t.numel() != 1) {
    info.fail(ErrorKind::invalid_model,
              std::string(what) + " must hold one element, not " + std::to_string(t.numel()));
  }
  switch (t.dtype()) {
    case DType::f32: return *t.data<float>();
    case DType::f64: return *t.data<double>();
    case DType::f16: return to_float(*t.data<float16>());
    case DType::bf16: return to_float(*t.data<bfloat16>());
    case DType::string:
      info.fail(ErrorKind::invalid_model, std::string(what) + " must be a number, not a string");
    case DType::i8: return *t.data<std::int8_t>();
    case DType::u8: return *t.data<std::uint8_t>();
    case DType::i16: return *t.data<std::int16_t>();
    case DType::u16: return *t.data<std::uint16_t>();
    case DType::i32: return *t.data<std::int32_t>();
    case DType::u32: return *t.data<std::uint32_t>();
    case DType::i64: return static_cast<double>(*t.data<std::int64_t>());
    case DType::u64: return static_cast<double>(*t.data<std::uint64_t>());
    case DType::boolean: return *t.data<bool>() ? 1.0 : 0.0;
  }
  return 0.0;
}

inline Shape make_shape(const std::vector<std::int64_t>& dims) {
  return Shape(dims.data(), dims.size());
}
inline std::vector<std::int64_t> dims_of(const Shape& s) {
  return std::vector<std::int64_t>(s.begin(), s.end());
}

// Calls f(T{}) with the C++ type of `dtype`; an Error naming the node for dtypes outside the
// list the op supports (`Ts...`).
template <class... Ts>
struct TypeList {};

template <class F>
void dispatch_failed(const OpInfo& info, DType dtype) {
  info.fail(ErrorKind::unsupported_op,
            std::string("dtype ") + dtype_name(dtype) + " is not supported by this op");
}
template <class F, class T, class... Ts>
void visit_dtype(const OpInfo& info, DType dtype, F&& f, TypeList<T, Ts...>) {
  if (dtype == dtype_of_v<T>) {
    f(T{});
    return;
  }
  if constexpr (sizeof...(Ts) > 0) {
    visit_dtype(info, dtype, std::forward<F>(f), TypeList<Ts...>{});
  } else {
    dispatch_failed<F>(info, dtype);
  }
}

using FloatTypes = TypeList<float, double>;
using NumericTypes = TypeList<float, double, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t,
                              std::int32_t, std::uint32_t, std::int64_t, std::uint64_t>;
using AllTypes =
    TypeList<float, double, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
             std::uint32_t, std::int64_t, std::uint64_t, bool, float16, bfloat16>;

// Checks that `t` has dtype f32 (for ops whose kernels are f32 only).
inline void require_f32(const OpContext& ctx, const Tensor& t, const char* what) {
  if (t.dtype() != DType::f32) {
    ctx.fail(ErrorKind::unsupported_op, std::string(what) + " has dtype " + dtype_name(t.dtype()) +
                                            "; this op supports f32 only");
  }
}

// Load-time counterparts of the two checks above: Model::load refuses input i when the loader
// knows its dtype (OpInfo::input_dtype) and the op cannot run it. Unknown dtypes pass here and
// are checked when the kernel runs; so do strings, which the runner refuses by input name.
template <class... Ts>
constexpr bool dtype_in(DType d, TypeList<Ts...>) noexcept {
  return ((d == dtype_of_v<Ts>) || ...);
}
template <class... Ts>
void require_dtype(const OpInfo& info, std::size_t i, const char* what, TypeList<Ts...> list) {
  const std::optional<DType> d = info.input_dtype(i);
  if (d && *d != DType::string && !dtype_in(*d, list)) {
    info.fail(ErrorKind::unsupported_op, std::string(what) + " (input " + std::to_string(i) +
                                             ") has dtype " + dtype_name(*d) +
                                             ", which this op does not support");
  }
}
inline void require_f32(const OpInfo& info, std::size_t i, const char* what) {
  const std::optional<DType> d = info.input_dtype(i);
  if (d && *d != DType::string && *d != DType::f32) {
    info.fail(ErrorKind::unsupported_op, std::string(what) + " (input " + std::to_string(i) +
                                             ") has dtype " + dtype_name(*d) +
                                             "; this op supports f32 only");
  }
}
// require_f32 at load for inputs 0, 1, ... named `names` (nullptr: an input not checked).
inline void require_f32_inputs(const OpInfo& info, std::initializer_list<const char*> names) {
  std::size_t i = 0;
  for (const char* what : names) {
    if (what != nullptr) require_f32(info, i, what);
    ++i;
  }
}

// Copies the bytes of `src` into a new output of the same dtype and the given shape.
inline void copy_to_output(OpContext& ctx, std::size_t i, const Tensor& src, const Shape& shape) {
  Tensor& out = ctx.output(i, src.dtype(), shape);
  if (src.dtype() == DType::string) {
    std::copy(src.data<std::string>(), src.data<std::string>() + src.numel(),
              out.data<std::string>());
  } else if (src.nbytes()) {
    std::memcpy(const_cast<void*>(out.raw_data()), src.raw_data(), src.nbytes());
  }
}

// NumPy broadcast of several shapes; an Error naming the node when they do not broadcast.
inline Shape broadcast(const OpInfo& info, const Shape* shapes, std::size_t count) {
  std::size_t rank = 0;
  for (std::size_t i = 0; i < count; ++i) rank = std::max(rank, shapes[i].rank());
  std::int64_t dims[Shape::max_rank];
  for (std::size_t k = 0; k < rank; ++k) {
    std::int64_t d = 1;
    for (std::size_t i = 0; i < count; ++i) {
      const Shape& s = shapes[i];
      const std::int64_t di = k + s.rank() >= rank ? s[k + s.rank() - rank] : 1;
      if (di == d || di == 1) continue;
      if (d != 1) {
        std::string list;
        for (std::size_t j = 0; j < count; ++j) list += (j ? " and " : "") + shapes[j].to_string();
        info.fail(ErrorKind::shape_mismatch, "input shapes " + list + " do not broadcast");
      }
      d = di;
    }
    dims[k] = d;
  }
  return Shape(dims, rank);
}
inline Shape broadcast(const OpInfo& info, const Shape& a, const Shape& b) {
  const Shape both[2] = {a, b};
  return broadcast(info, both, 2);
}

// Element strides of `in` when read as the broadcast shape `out` (0 along broadcast dims).
inline void broadcast_strides(const Shape& in, const Shape& out, std::int64_t* strides) {
  const std::size_t rank = out.rank();
  std::int64_t stride = 1;
  for (std::size_t k = rank; k-- > 0;) {
    const std::size_t j = k + in.rank();
    if (j < rank) {
      strides[k] = 0;
      continue;
    }
    const std::int64_t d = in[j - rank];
    strides[k] = d == 1 ? 0 : stride;
    stride *= d;
  }
}

// f(out_index, offsets...) for every element of `out`, with one offset per input shape.
template <std::size_t N, class F>
void for_each_broadcast(const Shape& out, const Shape (&ins)[N], F&& f) {
  const std::size_t rank = out.rank();
  std::int64_t strides[N][Shape::max_rank];
  for (std::size_t i = 0; i < N; ++i) broadcast_strides(ins[i], out, strides[i]);
  std::int64_t index[Shape::max_rank] = {};
  std::int64_t offs[N] = {};
  const std::int64_t n = out.numel();
  for (std::int64_t e = 0; e < n; ++e) {
    f(e, offs);
    for (std::size_t k = rank; k-- > 0;) {  // odometer step
      ++index[k];
      for (std::size_t i = 0; i < N; ++i) offs[i] += strides[i][k];
      if (index[k] < out[k]) break;
      for (std::size_t i = 0; i < N; ++i) offs[i] -= strides[i][k] * out[k];
      index[k] = 0;
    }
  }
}

// Scalar code on any dtype (elementwise, reduce and softmax ops): half floats are computed in
// float, every other type in itself; convert_to gives the value in another dtype the way Cast
// does, with float -> integer saturating (NaN -> 0) so that no conversion is undefined behaviour.
template <class T>
struct ScalarOf {
  using type = T;
};
template <>
struct ScalarOf<float16> {
  using type = float;
};
template <>
struct ScalarOf<bfloat16> {
  using type = float;
};
template <class T>
using scalar_t = typename ScalarOf<T>::type;
// The 16-bit storage floats (float16, bfloat16): computed in float.
template <class T>
constexpr bool is_half_v = std::is_same<T, float16>::value || std::is_same<T, bfloat16>::value;
template <class T>
constexpr bool is_float_v = std::is_floating_point<T>::value || is_half_v<T>;

// A float rounded (to nearest even) into the 16-bit float type T.
template <class T>
inline T to_half(float f) {
  if constexpr (std::is_same<T, float16>::value) {
    return to_float16(f);
  } else {
    return to_bfloat16(f);
  }
}

template <class T>
inline scalar_t<T> to_scalar(T v) {
  return v;
}
inline float to_scalar(float16 v) { return to_float(v); }
inline float to_scalar(bfloat16 v) { return to_float(v); }

// A double as a float rounded to odd: narrowing that float again to half or bfloat16 rounds
// exactly as narrowing the double once would (Boldo & Melquiond, "When double rounding is odd",
// 2005). Rounding to float to nearest first could land on a half-way point of the narrow type.
inline float float_rounded_to_odd(double d) noexcept {
  float f = static_cast<float>(d);
  if (!(d == d) || static_cast<double>(f) == d) return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) {
    f = std::nextafter(f, 0.0f);  // toward zero: the float just inside d
  }
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  bits |= 1u;  // odd: d lies strictly between this float and the next one out
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

template <class T, class S>
inline T convert_to(S v) {
  if constexpr (is_half_v<S>) {
    return convert_to<T>(to_float(v));
  } else if constexpr (std::is_same<T, bool>::value) {
    return v != S(0);
  } else if constexpr (is_half_v<T>) {
    if constexpr (std::is_same<S, double>::value) return to_half<T>(float_rounded_to_odd(v));
    return to_half<T>(static_cast<float>(v));
  } else if constexpr (std::is_integral<T>::value && std::is_floating_point<S>::value) {
    if (!(v == v)) return T(0);
    if (v <= static_cast<S>(std::numeric_limits<T>::lowest()))
      return std::numeric_limits<T>::lowest();
    if (v >= static_cast<S>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

// An activation fused into a Conv/ConvTranspose/Gemm/MatMul node by the fusion pass
// (graph/impl/fuse.hpp), read back by the node's kernel for its epilogue. The attribute names
// start with "inlay." so that no ONNX attribute can clash with them.
constexpr const char* fused_activation_attr = "inlay.activation";  // int: kernels::UnaryOp
constexpr const char* fused_alpha_attr = "inlay.alpha";
constexpr const char* fused_beta_attr = "inlay.beta";
// A node that fuses several layers (inlay:InvertedBottleneck) names each layer's activation with
// the layer's prefix: "inlay.expand." + "activation", ...; "inlay." is the single layer's.
inline kernels::Activation fused_activation(const OpInfo& info,
                                            const std::string& prefix = "inlay.") {
  const std::string name = prefix + "activation";
  const std::int64_t op = info.get_int(name, 0);
  if (op < 0 || op > static_cast<std::int64_t>(kernels::UnaryOp::pow)) {
    info.fail(ErrorKind::invalid_model,
              "attribute " + name + " " + std::to_string(op) + " is not an activation");
  }
  return kernels::Activation::of(static_cast<kernels::UnaryOp>(op),
                                 info.get_float(prefix + "alpha", 0.0f),
                                 info.get_float(prefix + "beta", 0.0f));
}

// One form of constant weights (Winograd's U, W^T packed for a GEMM), built the first time a
// run needs it: sessions on several threads may ask at once; one builds, the others wait, and
// the form stays. A build that throws leaves it unbuilt, for the next run to try again.
class PreparedWeights {
 public:
  // `build(std::vector<float>&)` fills the form; called at most once successfully.
  template <class Build>
  const float* get(Build&& build) const {
    std::call_once(once_, [&] { build(data_); });
    return data_.data();
  }

 private:
  mutable std::once_flag once_;
  mutable std::vector<float> data_;
};

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_COMMON_HPP
