// The quantize family (kernels/quantize.hpp): QuantizeLinear, DequantizeLinear and
// DynamicQuantizeLinear, the ops of the QDQ models that ONNX Runtime's quantizer writes.
// A scale and a zero point hold one pair for the tensor (a scalar or one element) or, from
// opset 13, one pair per index along `axis` (1-D); the kernels run once per block of x that
// shares a pair. Opset 19 adds float16 x and scales (computed in float) and `saturate` (float8
// only: inlay has no float8, so such tensors are refused where the model is read); opset 21 adds
// int16/uint16 (scalar loops), `output_dtype` and blocked quantization (`block_size` B > 0: the
// scale has x's rank, ceil(x.shape[axis] / B) along `axis`, and element i along the axis uses
// pair i / B; scalar loops); int4/uint4/float8 are refused with unsupported_op naming the node.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_QUANTIZE_HPP
#define INLAY_GRAPH_OPS_QUANTIZE_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/quantize.hpp"
#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

namespace quantize_detail {

// Element i of a float or float16 scale.
inline float scale_at(const Tensor& s, std::int64_t i) {
  return s.dtype() == DType::f16 ? to_float(s.data<float16>()[i]) : s.data<float>()[i];
}

// Opset 21's block_size (0: per tensor or per axis); negative values are refused.
inline std::int64_t block_size_of(const OpInfo& info) {
  const std::int64_t block = info.opset() >= 21 ? info.get_int("block_size", 0) : 0;
  if (block < 0) {
    info.fail(ErrorKind::invalid_model,
              "block_size " + std::to_string(block) + " is negative (0: not blocked)");
  }
  return block;
}

// At load: input i, when its dtype is known, is float (float16 too from opset 19).
inline void require_float_input(const OpInfo& info, std::size_t i, const char* what) {
  const std::optional<DType> d = info.input_dtype(i);
  if (d && *d != DType::f32 && !(*d == DType::f16 && info.opset() >= 19)) {
    info.fail(ErrorKind::unsupported_op,
              std::string(what) + " (input " + std::to_string(i) + ") has dtype " + dtype_name(*d) +
                  (info.opset() >= 19 ? "; float or float16 expected" : "; float expected"));
  }
}

// The scale input: float (float16 too from opset 19), a scalar or 1-D (1-D with several elements
// from opset 13), every element finite and > 0.
inline void check_scale(const OpInfo& info, const Tensor& s, const std::string& name) {
  if (s.dtype() != DType::f32 && !(s.dtype() == DType::f16 && info.opset() >= 19)) {
    info.fail(ErrorKind::unsupported_op,
              name + " has dtype " + dtype_name(s.dtype()) +
                  (info.opset() >= 19 ? "; float or float16 expected" : "; float expected"));
  }
  if (block_size_of(info) > 0) {
    if (s.rank() == 0 || s.numel() == 0) {
      info.fail(ErrorKind::invalid_model, name + " " + s.shape().to_string() +
                                              " must have x's rank for blocked quantization");
    }
  } else if (s.rank() > 1 || s.numel() == 0) {
    info.fail(ErrorKind::invalid_model,
              name + " " + s.shape().to_string() + " must be a scalar or a non-empty 1-D tensor");
  }
  if (s.numel() > 1 && info.opset() < 13) {
    info.fail(ErrorKind::invalid_model,
              name + " " + s.shape().to_string() + ": per-axis quantization needs opset 13");
  }
  for (std::int64_t i = 0; i < s.numel(); ++i) {
    const float v = scale_at(s, i);
    if (!(v > 0.0f) || !std::isfinite(v)) {
      info.fail(ErrorKind::invalid_model, name + " holds " + std::to_string(v) + " (element " +
                                              std::to_string(i) +
                                              "); a scale must be finite and > 0");
    }
  }
}

// Whether the quantized dtype t is one the node's opset allows: uint8 and int8, int32 where
// `allow_i32` (DequantizeLinear's x), int16 and uint16 from opset 21.
inline bool quantized_dtype_ok(const OpInfo& info, DType t, bool allow_i32) {
  return t == DType::u8 || t == DType::i8 || (allow_i32 && t == DType::i32) ||
         (info.opset() >= 21 && (t == DType::u16 || t == DType::i16));
}
inline std::string quantized_dtypes(const OpInfo& info, bool allow_i32) {
  std::vector<const char*> names{"uint8", "int8"};
  if (allow_i32) names.push_back("int32");
  if (info.opset() >= 21) names.insert(names.end(), {"int16", "uint16"});
  std::string s = names[0];
  for (std::size_t i = 1; i < names.size(); ++i) {
    s += (i + 1 == names.size() ? " or " : ", ") + std::string(names[i]);
  }
  return s;
}

// The zero point's dtype: one of quantized_dtype_ok's.
inline void check_zero_dtype(const OpInfo& info, const Tensor& z, const std::string& name,
                             bool allow_i32) {
  if (!quantized_dtype_ok(info, z.dtype(), allow_i32)) {
    info.fail(ErrorKind::unsupported_op, name + " has dtype " + dtype_name(z.dtype()) + "; " +
                                             quantized_dtypes(info, allow_i32) + " expected");
  }
}

// Scale and zero point hold the same number of elements ([] and [1] are both one pair); the
// same shape when blocked.
inline void check_pair(const OpInfo& info, const Tensor& s, const Tensor& z,
                       const std::string& scale_name, const std::string& zero_name) {
  const bool blocked = block_size_of(info) > 0;
  if ((blocked && z.shape() != s.shape()) ||
      (!blocked && (z.rank() > 1 || z.numel() != s.numel()))) {
    info.fail(ErrorKind::shape_mismatch, scale_name + " " + s.shape().to_string() + " and " +
                                             zero_name + " " + z.shape().to_string() +
                                             " must have the same shape");
  }
}

// One pair per block of x: the scales and the zero points (0 where the input is absent).
struct Params {
  std::vector<float> scale;
  std::vector<std::int32_t> zero;
  Shape shape;  // the scale's (blocked quantization indexes it like x)
};

inline Params read_params(const OpInfo& info, const Tensor& s, const Tensor* z,
                          const std::string& scale_name, const std::string& zero_name,
                          bool allow_i32) {
  check_scale(info, s, scale_name);
  Params p;
  for (std::int64_t i = 0; i < s.numel(); ++i) p.scale.push_back(scale_at(s, i));
  p.zero.assign(p.scale.size(), 0);
  p.shape = s.shape();
  if (z != nullptr) {
    check_zero_dtype(info, *z, zero_name, allow_i32);
    check_pair(info, s, *z, scale_name, zero_name);
    for (std::size_t i = 0; i < p.zero.size(); ++i) {
      const auto k = static_cast<std::int64_t>(i);
      switch (z->dtype()) {
        case DType::u8: p.zero[i] = z->data<std::uint8_t>()[k]; break;
        case DType::i8: p.zero[i] = z->data<std::int8_t>()[k]; break;
        case DType::u16: p.zero[i] = z->data<std::uint16_t>()[k]; break;
        case DType::i16: p.zero[i] = z->data<std::int16_t>()[k]; break;
        default: p.zero[i] = z->data<std::int32_t>()[k]; break;
      }
    }
  }
  return p;
}

// Checks what the node's constant scale (input 1) and zero point (input 2) allow at load; the
// pair when neither is fed at run time (empty otherwise).
inline Params params_at_load(const OpInfo& info, const std::string& scale_name,
                             const std::string& zero_name, bool allow_i32) {
  if (!info.has_input(1)) {
    info.fail(ErrorKind::invalid_model, scale_name + " (input 1) is required but not given");
  }
  const Tensor* s = info.constant_input(1);
  const Tensor* z = info.constant_input(2);
  if (s != nullptr) check_scale(info, *s, scale_name);
  if (z != nullptr) check_zero_dtype(info, *z, zero_name, allow_i32);
  if (s != nullptr && (z != nullptr || !info.has_input(2))) {
    return read_params(info, *s, z, scale_name, zero_name, allow_i32);
  }
  return {};
}

// f(offset, length, pair) for each block of x that shares a pair: the whole tensor for one
// pair, else every run of x along the other axes at each index of `axis`.
template <class F>
void for_each_block(const OpContext& ctx, const Shape& xs, std::int64_t axis, std::size_t pairs,
                    const std::string& scale_name, F f) {
  if (pairs == 1) {
    f(std::size_t{0}, static_cast<std::size_t>(xs.numel()), std::size_t{0});
    return;
  }
  const std::size_t a = normalize_axis(ctx.info(), axis, xs.rank());
  if (xs[a] != static_cast<std::int64_t>(pairs)) {
    ctx.fail(ErrorKind::shape_mismatch, scale_name + " has " + std::to_string(pairs) +
                                            " elements but axis " + std::to_string(a) + " of x " +
                                            xs.to_string() + " has " + std::to_string(xs[a]));
  }
  const auto outer = static_cast<std::size_t>(span_of(xs, 0, a));
  const auto inner = static_cast<std::size_t>(span_of(xs, a + 1, xs.rank()));
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t c = 0; c < pairs; ++c) f((o * pairs + c) * inner, inner, c);
  }
}

// f(element, pair) for every element of x under blocked quantization: the scale `ss` has x's
// shape but ceil(x.shape[axis] / block) along `axis`; element j along the axis uses pair j / block.
template <class F>
void for_each_blocked(const OpContext& ctx, const Shape& xs, std::int64_t axis, std::int64_t block,
                      const Shape& ss, const std::string& scale_name, F f) {
  const std::size_t a = normalize_axis(ctx.info(), axis, xs.rank());
  bool fits = ss.rank() == xs.rank();
  for (std::size_t d = 0; fits && d < xs.rank(); ++d) {
    fits = d == a ? ss[d] == (xs[d] + block - 1) / block : ss[d] == xs[d];
  }
  if (!fits) {
    ctx.fail(ErrorKind::shape_mismatch,
             scale_name + " " + ss.to_string() + " does not fit x " + xs.to_string() +
                 " in blocks of " + std::to_string(block) + " along axis " + std::to_string(a));
  }
  const auto outer = static_cast<std::size_t>(span_of(xs, 0, a));
  const auto inner = static_cast<std::size_t>(span_of(xs, a + 1, xs.rank()));
  const auto along = static_cast<std::size_t>(xs[a]), blocks = static_cast<std::size_t>(ss[a]);
  const auto b = static_cast<std::size_t>(block);
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t j = 0; j < along; ++j) {
      const std::size_t row = (o * along + j) * inner, pair = (o * blocks + j / b) * inner;
      for (std::size_t i = 0; i < inner; ++i) f(row + i, pair + i);
    }
  }
}

// QuantizeLinear's output dtype without a zero point: opset 21's output_dtype (a TensorProto
// data type), else uint8.
inline DType output_dtype_of(const OpInfo& info) {
  const std::int64_t code = info.opset() >= 21 ? info.get_int("output_dtype", 0) : 0;
  if (code == 0) return DType::u8;
  DType t = DType::u8;
  if (!onnx::to_dtype(static_cast<std::int32_t>(code), t) || !quantized_dtype_ok(info, t, false)) {
    info.fail(ErrorKind::unsupported_op,
              "output_dtype " + onnx::data_type_name(static_cast<std::int32_t>(code)) +
                  " is not supported (" + quantized_dtypes(info, false) + ")");
  }
  return t;
}

// The 16-bit QuantizeLinear (no kernel): the u8/s8 kernels' formula in scalar code, NaN to the
// zero point.
template <class Q>
void quantize_scalar(const float* x, std::size_t n, float scale, std::int32_t zero, Q* y) {
  const float lo = static_cast<float>(std::numeric_limits<Q>::lowest());
  const float hi = static_cast<float>(std::numeric_limits<Q>::max());
  for (std::size_t i = 0; i < n; ++i) {
    float v = std::nearbyint(x[i] / scale);
    if (!(v == v)) v = 0.0f;
    v = std::min(hi, std::max(lo, v + static_cast<float>(zero)));
    y[i] = static_cast<Q>(v);
  }
}

// x as float: a float x itself, a float16 x converted into `buffer`.
inline const float* as_float(const Tensor& x, std::vector<float>& buffer) {
  if (x.dtype() == DType::f32) return x.data<float>();
  buffer.resize(static_cast<std::size_t>(x.numel()));
  const float16* p = x.data<float16>();
  for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = to_float(p[i]);
  return buffer.data();
}

}  // namespace quantize_detail

// y = saturate(round_half_to_even(x / y_scale) + y_zero_point), y of y_zero_point's dtype
// (uint8 when it is absent). NaN quantizes to the zero point (kernels/quantize.hpp).
class QuantizeLinearKernel final : public OpKernel {
 public:
  explicit QuantizeLinearKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 1)),
        block_(quantize_detail::block_size_of(info)),
        output_dtype_(quantize_detail::output_dtype_of(info)),
        params_(quantize_detail::params_at_load(info, "y_scale", "y_zero_point", false)) {
    quantize_detail::require_float_input(info, 0, "x");
    const Tensor* z = info.constant_input(2);
    if (z != nullptr && info.opset() >= 21 && info.get_int("output_dtype", 0) != 0 &&
        z->dtype() != output_dtype_) {
      info.fail(ErrorKind::invalid_model, std::string("y_zero_point has dtype ") +
                                              dtype_name(z->dtype()) + " but output_dtype is " +
                                              dtype_name(output_dtype_));
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::f32 && !(x.dtype() == DType::f16 && ctx.info().opset() >= 19)) {
      ctx.fail(ErrorKind::unsupported_op,
               std::string("x has dtype ") + dtype_name(x.dtype()) +
                   (ctx.info().opset() >= 19 ? "; float or float16 expected" : "; float expected"));
    }
    const Tensor* z = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    quantize_detail::Params read;
    if (params_.scale.empty()) {
      read = quantize_detail::read_params(ctx.info(), ctx.input(1), z, "y_scale", "y_zero_point",
                                          false);
    }
    const quantize_detail::Params& p = params_.scale.empty() ? read : params_;
    const DType out = z != nullptr ? z->dtype() : output_dtype_;
    Tensor& y = ctx.output(0, out, x.shape());
    std::vector<float> buffer;
    const float* px = quantize_detail::as_float(x, buffer);
    if (block_ > 0) {
      quantize_detail::for_each_blocked(
          ctx, x.shape(), axis_, block_, p.shape, "y_scale", [&](std::size_t e, std::size_t c) {
            switch (out) {
              case DType::u8:
                quantize_detail::quantize_scalar(px + e, 1, p.scale[c], p.zero[c],
                                                 y.data<std::uint8_t>() + e);
                break;
              case DType::i8:
                quantize_detail::quantize_scalar(px + e, 1, p.scale[c], p.zero[c],
                                                 y.data<std::int8_t>() + e);
                break;
              case DType::u16:
                quantize_detail::quantize_scalar(px + e, 1, p.scale[c], p.zero[c],
                                                 y.data<std::uint16_t>() + e);
                break;
              default:
                quantize_detail::quantize_scalar(px + e, 1, p.scale[c], p.zero[c],
                                                 y.data<std::int16_t>() + e);
                break;
            }
          });
      return;
    }
    quantize_detail::for_each_block(
        ctx, x.shape(), axis_, p.scale.size(), "y_scale",
        [&](std::size_t at, std::size_t n, std::size_t c) {
          switch (out) {
            case DType::u8:
              kernels::quantize_f32_u8(px + at, n, p.scale[c], static_cast<std::uint8_t>(p.zero[c]),
                                       y.data<std::uint8_t>() + at);
              break;
            case DType::i8:
              kernels::quantize_f32_s8(px + at, n, p.scale[c], static_cast<std::int8_t>(p.zero[c]),
                                       y.data<std::int8_t>() + at);
              break;
            case DType::u16:
              quantize_detail::quantize_scalar(px + at, n, p.scale[c], p.zero[c],
                                               y.data<std::uint16_t>() + at);
              break;
            default:
              quantize_detail::quantize_scalar(px + at, n, p.scale[c], p.zero[c],
                                               y.data<std::int16_t>() + at);
              break;
          }
        });
  }

 private:
  std::int64_t axis_;
  std::int64_t block_;              // 0: per tensor or per axis
  DType output_dtype_;              // without a zero point
  quantize_detail::Params params_;  // empty: read at run
};

// y = (x - x_zero_point) * x_scale in float; x of uint8, int8 or int32 (whose zero point must
// be 0), the zero point of x's dtype.
class DequantizeLinearKernel final : public OpKernel {
 public:
  explicit DequantizeLinearKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 1)),
        block_(quantize_detail::block_size_of(info)),
        params_(quantize_detail::params_at_load(info, "x_scale", "x_zero_point", true)) {
    quantize_detail::require_float_input(info, 1, "x_scale");
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType t = x.dtype();
    if (!quantize_detail::quantized_dtype_ok(ctx.info(), t, true)) {
      ctx.fail(ErrorKind::unsupported_op, std::string("x has dtype ") + dtype_name(t) + "; " +
                                              quantize_detail::quantized_dtypes(ctx.info(), true) +
                                              " expected");
    }
    const Tensor* z = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (z != nullptr && z->dtype() != t) {
      ctx.fail(ErrorKind::invalid_model, std::string("x_zero_point has dtype ") +
                                             dtype_name(z->dtype()) + " but x has " +
                                             dtype_name(t));
    }
    quantize_detail::Params read;
    if (params_.scale.empty()) {
      read = quantize_detail::read_params(ctx.info(), ctx.input(1), z, "x_scale", "x_zero_point",
                                          true);
    }
    const quantize_detail::Params& p = params_.scale.empty() ? read : params_;
    if (t == DType::i32 &&
        std::any_of(p.zero.begin(), p.zero.end(), [](std::int32_t v) { return v != 0; })) {
      ctx.fail(ErrorKind::invalid_model, "the zero point of an int32 x must be 0");
    }
    // y has the scale's dtype (float16 from opset 19: computed in float, then converted).
    const DType out = ctx.input(1).dtype();
    Tensor& y = ctx.output(0, out, x.shape());
    std::vector<float> buffer;
    if (out != DType::f32) buffer.resize(static_cast<std::size_t>(x.numel()));
    float* py = out == DType::f32 ? y.data<float>() : buffer.data();
    if (block_ > 0) {
      auto value = [&](std::size_t e) -> std::int32_t {
        switch (t) {
          case DType::u8: return x.data<std::uint8_t>()[e];
          case DType::i8: return x.data<std::int8_t>()[e];
          case DType::u16: return x.data<std::uint16_t>()[e];
          case DType::i16: return x.data<std::int16_t>()[e];
          default: return x.data<std::int32_t>()[e];
        }
      };
      // The zero point of int32 x is 0, so (x - 0) * scale is the kernel's float(x) * scale.
      quantize_detail::for_each_blocked(
          ctx, x.shape(), axis_, block_, p.shape, "x_scale", [&](std::size_t e, std::size_t c) {
            py[e] = static_cast<float>(value(e) - p.zero[c]) * p.scale[c];
          });
    }
    if (block_ == 0) {
      quantize_detail::for_each_block(
          ctx, x.shape(), axis_, p.scale.size(), "x_scale",
          [&](std::size_t at, std::size_t n, std::size_t c) {
            switch (t) {
              case DType::u8:
                kernels::dequantize_u8_f32(x.data<std::uint8_t>() + at, n, p.scale[c],
                                           static_cast<std::uint8_t>(p.zero[c]), py + at);
                break;
              case DType::i8:
                kernels::dequantize_s8_f32(x.data<std::int8_t>() + at, n, p.scale[c],
                                           static_cast<std::int8_t>(p.zero[c]), py + at);
                break;
              case DType::u16:
                for (std::size_t i = 0; i < n; ++i) {
                  py[at + i] =
                      static_cast<float>(x.data<std::uint16_t>()[at + i] - p.zero[c]) * p.scale[c];
                }
                break;
              case DType::i16:
                for (std::size_t i = 0; i < n; ++i) {
                  py[at + i] =
                      static_cast<float>(x.data<std::int16_t>()[at + i] - p.zero[c]) * p.scale[c];
                }
                break;
              default:
                kernels::dequantize_s32_f32(x.data<std::int32_t>() + at, n, p.scale[c], py + at);
                break;
            }
          });
    }
    if (out != DType::f32) {
      float16* ph = y.data<float16>();
      for (std::size_t i = 0; i < buffer.size(); ++i) ph[i] = to_float16(buffer[i]);
    }
  }

 private:
  std::int64_t axis_;
  std::int64_t block_;  // 0: per tensor or per axis
  quantize_detail::Params params_;
};

// uint8 quantization over the range of x widened to hold 0, as ORT computes it:
// y_scale = (max - min) / 255 (1 where max == min, i.e. x all 0), y_zero_point =
// round_half_to_even(saturate(0 - min / y_scale)), y = QuantizeLinear(x, y_scale, y_zero_point).
// The range counts finite elements only: NaN quantizes to the zero point, +-inf saturate.
// The uint8 parameters of x (n floats) by the rule above.
inline void dynamic_quantize_params(const float* x, std::size_t n, float* scale,
                                    std::uint8_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  kernels::finite_range_f32(x, n, &lo, &hi);
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float s = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  if (!std::isfinite(s)) s = hi / 255.0f - lo / 255.0f;  // hi - lo beyond FLT_MAX
  // A range of a few subnormals divides to 0: the smallest scale keeps the kernel's scale > 0.
  if (!(s > 0.0f)) s = std::numeric_limits<float>::denorm_min();
  *scale = s;
  *zero_point =
      static_cast<std::uint8_t>(std::nearbyint(std::min(255.0f, std::max(0.0f, 0.0f - lo / s))));
}

inline void dynamic_quantize_linear(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  require_f32(ctx, x, "x");
  const auto n = static_cast<std::size_t>(x.numel());
  float scale = 1.0f;
  std::uint8_t zero_point = 0;
  dynamic_quantize_params(x.data<float>(), n, &scale, &zero_point);
  Tensor& y = ctx.output(0, DType::u8, x.shape());
  kernels::quantize_f32_u8(x.data<float>(), n, scale, zero_point, y.data<std::uint8_t>());
  ctx.output(1, DType::f32, Shape()).data<float>()[0] = scale;
  ctx.output(2, DType::u8, Shape()).data<std::uint8_t>()[0] = zero_point;
}

inline void register_quantize_ops(OpSet& ops) {
  // Opset 13 adds the per-axis form (`axis`, 1-D scales); the kernels read the node's opset.
  ops.add("", "QuantizeLinear", 10, factory<QuantizeLinearKernel>());
  // Opset 19: float16, saturate; 21: int16/uint16, block_size, output_dtype.
  for (std::int64_t v : {10, 13, 19, 21}) {
    ops.add("", "QuantizeLinear", v, factory<QuantizeLinearKernel>());
    ops.add("", "DequantizeLinear", v, factory<DequantizeLinearKernel>());
  }
  ops.add("", "DynamicQuantizeLinear", 11, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    require_f32(info, 0, "x");
    return make_lambda_kernel([](OpContext& ctx) { dynamic_quantize_linear(ctx); });
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_QUANTIZE_HPP
