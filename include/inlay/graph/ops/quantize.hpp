// The quantize family (kernels/quantize.hpp): QuantizeLinear, DequantizeLinear and
// DynamicQuantizeLinear, the ops of the QDQ models that ONNX Runtime's quantizer writes.
// A scale and a zero point hold one pair for the tensor (a scalar or one element) or, from
// opset 13, one pair per index along `axis` (1-D); the kernels run once per block of x that
// shares a pair. Implementation-only.
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

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

namespace quantize_detail {

// The scale input: float, a scalar or 1-D (1-D with several elements from opset 13), every
// element finite and > 0.
inline void check_scale(const OpInfo& info, const Tensor& s, const std::string& name) {
  if (s.dtype() != DType::f32) {
    info.fail(ErrorKind::unsupported_op,
              name + " has dtype " + dtype_name(s.dtype()) + "; float expected");
  }
  if (s.rank() > 1 || s.numel() == 0) {
    info.fail(ErrorKind::invalid_model,
              name + " " + s.shape().to_string() + " must be a scalar or a non-empty 1-D tensor");
  }
  if (s.numel() > 1 && info.opset() < 13) {
    info.fail(ErrorKind::invalid_model,
              name + " " + s.shape().to_string() + ": per-axis quantization needs opset 13");
  }
  const float* p = s.data<float>();
  for (std::int64_t i = 0; i < s.numel(); ++i) {
    if (!(p[i] > 0.0f) || !std::isfinite(p[i])) {
      info.fail(ErrorKind::invalid_model, name + " holds " + std::to_string(p[i]) + " (element " +
                                              std::to_string(i) +
                                              "); a scale must be finite and > 0");
    }
  }
}

// The zero point's dtype: uint8 or int8 (int32 too where `allow_i32`).
inline void check_zero_dtype(const OpInfo& info, const Tensor& z, const std::string& name,
                             bool allow_i32) {
  const DType t = z.dtype();
  if (t != DType::u8 && t != DType::i8 && !(allow_i32 && t == DType::i32)) {
    info.fail(ErrorKind::unsupported_op,
              name + " has dtype " + dtype_name(t) +
                  (allow_i32 ? "; uint8, int8 or int32 expected" : "; uint8 or int8 expected"));
  }
}

// Scale and zero point hold the same number of elements ([] and [1] are both one pair).
inline void check_pair(const OpInfo& info, const Tensor& s, const Tensor& z,
                       const std::string& scale_name, const std::string& zero_name) {
  if (z.rank() > 1 || z.numel() != s.numel()) {
    info.fail(ErrorKind::shape_mismatch, scale_name + " " + s.shape().to_string() + " and " +
                                             zero_name + " " + z.shape().to_string() +
                                             " must have the same shape");
  }
}

// One pair per block of x: the scales and the zero points (0 where the input is absent).
struct Params {
  std::vector<float> scale;
  std::vector<std::int32_t> zero;
};

inline Params read_params(const OpInfo& info, const Tensor& s, const Tensor* z,
                          const std::string& scale_name, const std::string& zero_name,
                          bool allow_i32) {
  check_scale(info, s, scale_name);
  Params p;
  p.scale.assign(s.data<float>(), s.data<float>() + s.numel());
  p.zero.assign(p.scale.size(), 0);
  if (z != nullptr) {
    check_zero_dtype(info, *z, zero_name, allow_i32);
    check_pair(info, s, *z, scale_name, zero_name);
    for (std::size_t i = 0; i < p.zero.size(); ++i) {
      const auto k = static_cast<std::int64_t>(i);
      switch (z->dtype()) {
        case DType::u8: p.zero[i] = z->data<std::uint8_t>()[k]; break;
        case DType::i8: p.zero[i] = z->data<std::int8_t>()[k]; break;
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

}  // namespace quantize_detail

// y = saturate(round_half_to_even(x / y_scale) + y_zero_point), y of y_zero_point's dtype
// (uint8 when it is absent). NaN quantizes to the zero point (kernels/quantize.hpp).
class QuantizeLinearKernel final : public OpKernel {
 public:
  explicit QuantizeLinearKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 1)),
        params_(quantize_detail::params_at_load(info, "y_scale", "y_zero_point", false)) {}

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::f32) {
      ctx.fail(ErrorKind::unsupported_op,
               std::string("x has dtype ") + dtype_name(x.dtype()) + "; float expected");
    }
    const Tensor* z = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    quantize_detail::Params read;
    if (params_.scale.empty()) {
      read = quantize_detail::read_params(ctx.info(), ctx.input(1), z, "y_scale", "y_zero_point",
                                          false);
    }
    const quantize_detail::Params& p = params_.scale.empty() ? read : params_;
    const DType out = z != nullptr ? z->dtype() : DType::u8;
    Tensor& y = ctx.output(0, out, x.shape());
    const float* px = x.data<float>();
    quantize_detail::for_each_block(
        ctx, x.shape(), axis_, p.scale.size(), "y_scale",
        [&](std::size_t at, std::size_t n, std::size_t c) {
          if (out == DType::u8) {
            kernels::quantize_f32_u8(px + at, n, p.scale[c], static_cast<std::uint8_t>(p.zero[c]),
                                     y.data<std::uint8_t>() + at);
          } else {
            kernels::quantize_f32_s8(px + at, n, p.scale[c], static_cast<std::int8_t>(p.zero[c]),
                                     y.data<std::int8_t>() + at);
          }
        });
  }

 private:
  std::int64_t axis_;
  quantize_detail::Params params_;  // empty: read at run
};

// y = (x - x_zero_point) * x_scale in float; x of uint8, int8 or int32 (whose zero point must
// be 0), the zero point of x's dtype.
class DequantizeLinearKernel final : public OpKernel {
 public:
  explicit DequantizeLinearKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 1)),
        params_(quantize_detail::params_at_load(info, "x_scale", "x_zero_point", true)) {}

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType t = x.dtype();
    if (t != DType::u8 && t != DType::i8 && t != DType::i32) {
      ctx.fail(ErrorKind::unsupported_op,
               std::string("x has dtype ") + dtype_name(t) + "; uint8, int8 or int32 expected");
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
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    float* py = y.data<float>();
    quantize_detail::for_each_block(
        ctx, x.shape(), axis_, p.scale.size(), "x_scale",
        [&](std::size_t at, std::size_t n, std::size_t c) {
          if (t == DType::u8) {
            kernels::dequantize_u8_f32(x.data<std::uint8_t>() + at, n, p.scale[c],
                                       static_cast<std::uint8_t>(p.zero[c]), py + at);
          } else if (t == DType::i8) {
            kernels::dequantize_s8_f32(x.data<std::int8_t>() + at, n, p.scale[c],
                                       static_cast<std::int8_t>(p.zero[c]), py + at);
          } else {
            kernels::dequantize_s32_f32(x.data<std::int32_t>() + at, n, p.scale[c], py + at);
          }
        });
  }

 private:
  std::int64_t axis_;
  quantize_detail::Params params_;
};

// uint8 quantization over the range of x widened to hold 0, as ORT computes it:
// y_scale = (max - min) / 255 (1 where max == min, i.e. x all 0), y_zero_point =
// round_half_to_even(saturate(0 - min / y_scale)), y = QuantizeLinear(x, y_scale, y_zero_point).
// The range counts finite elements only: NaN quantizes to the zero point, +-inf saturate.
inline void dynamic_quantize_linear(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  require_f32(ctx, x, "x");
  const auto n = static_cast<std::size_t>(x.numel());
  float lo = 0.0f, hi = 0.0f;
  kernels::finite_range_f32(x.data<float>(), n, &lo, &hi);
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  if (!std::isfinite(scale)) scale = hi / 255.0f - lo / 255.0f;  // hi - lo beyond FLT_MAX
  // A range of a few subnormals divides to 0: the smallest scale keeps the kernel's scale > 0.
  if (!(scale > 0.0f)) scale = std::numeric_limits<float>::denorm_min();
  const float zero = std::nearbyint(std::min(255.0f, std::max(0.0f, 0.0f - lo / scale)));
  const auto zero_point = static_cast<std::uint8_t>(zero);
  Tensor& y = ctx.output(0, DType::u8, x.shape());
  kernels::quantize_f32_u8(x.data<float>(), n, scale, zero_point, y.data<std::uint8_t>());
  ctx.output(1, DType::f32, Shape()).data<float>()[0] = scale;
  ctx.output(2, DType::u8, Shape()).data<std::uint8_t>()[0] = zero_point;
}

inline void register_quantize_ops(OpSet& ops) {
  // Opset 13 adds the per-axis form (`axis`, 1-D scales); the kernels read the node's opset.
  ops.add("", "QuantizeLinear", 10, factory<QuantizeLinearKernel>());
  ops.add("", "QuantizeLinear", 13, factory<QuantizeLinearKernel>());
  ops.add("", "DequantizeLinear", 10, factory<DequantizeLinearKernel>());
  ops.add("", "DequantizeLinear", 13, factory<DequantizeLinearKernel>());
  ops.add("", "DynamicQuantizeLinear", 11, [](const OpInfo&) -> std::unique_ptr<OpKernel> {
    return make_lambda_kernel([](OpContext& ctx) { dynamic_quantize_linear(ctx); });
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_QUANTIZE_HPP
