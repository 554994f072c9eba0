// The com.microsoft QOperator ops that ONNX Runtime's quantize_static(quant_format=QOperator)
// writes around its convolutions and matmuls: QLinearAdd, QLinearMul, QLinearSigmoid,
// QLinearLeakyRelu, QLinearConcat, QLinearGlobalAveragePool and QLinearAveragePool, on uint8 or
// int8 tensors with one (scale, zero point) pair per tensor. Implementation-only.
//
// The formula: every op dequantizes its inputs, x_f = (x - x_zero_point) * x_scale in float (one
// rounding), computes in float, and requantizes,
// y = saturate(round_half_to_even(y_f / y_scale) + y_zero_point), with kernels/quantize.hpp (a
// division, as QuantizeLinear), so that a fused DQ -> op -> Q gives what the three nodes give.
// Where ONNX Runtime (onnxruntime-node 1.31.1, CPU) may differ, by at most 1 LSB
// (tests/graph/ops/qlinear_elementwise_ort.py --compare: 200 random models per op, 16 of 1.6
// million Add/Mul elements, 1 of 51200 Sigmoid and 1 of 102400 AveragePool elements off by 1):
// - QLinearAdd/Mul: MLAS folds the scales into one multiplier, y = a * (sa / sc) + b * (sb / sc)
//   + shift, and Mul y = (a - za) (b - zb) * (sa sb / sc) + zc: other roundings of the same
//   value, so a y_f / y_scale next to a .5 tie can round the other way.
// - QLinearSigmoid: ORT's table uses MLAS's logistic approximation, not exp(); the two differ by
//   a few float ulps, enough for 1 LSB next to a tie.
// - QLinearAveragePool: the sum in another order (here in double).
// - QLinearGlobalAveragePool: computed as ORT does, float(sum(x) - n * x_zero_point) *
//   (x_scale / (y_scale * n)) rounded half to even (MLAS's requantization), the sum exact.
// QLinearSigmoid, QLinearLeakyRelu and QLinearConcat map each input byte through a 256-entry
// table (as ORT does), built at load when the scales and zero points are constants.
#ifndef INLAY_GRAPH_OPS_QLINEAR_ELEMENTWISE_HPP
#define INLAY_GRAPH_OPS_QLINEAR_ELEMENTWISE_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/conv.hpp"
#include "inlay/graph/ops/pool.hpp"
#include "inlay/kernels/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

namespace qlinear_detail {

// One tensor's quantization: x_f = (x - zero) * scale. `typed` is false where the zero point
// is absent (0, of whatever dtype the data has).
struct Quant {
  float scale = 1.0f;
  std::int32_t zero = 0;
  DType dtype = DType::u8;
  bool typed = false;
};

inline bool is_8bit(DType t) { return t == DType::u8 || t == DType::i8; }

// Scale: float, one element (scalar or [1]), finite and > 0.
template <class Where>
void check_scale(const Where& where, const Tensor& s, const std::string& name) {
  if (s.dtype() != DType::f32) {
    where.fail(ErrorKind::unsupported_op,
               name + " has dtype " + dtype_name(s.dtype()) + "; float expected");
  }
  if (s.rank() > 1 || s.numel() != 1) {
    where.fail(ErrorKind::invalid_model,
               name + " " + s.shape().to_string() + " must hold one element (per tensor)");
  }
  const float v = s.data<float>()[0];
  if (!(v > 0.0f) || !std::isfinite(v)) {
    where.fail(ErrorKind::invalid_model,
               name + " holds " + std::to_string(v) + "; a scale must be finite and > 0");
  }
}

// Zero point: uint8 or int8, one element.
template <class Where>
void check_zero(const Where& where, const Tensor& z, const std::string& name) {
  if (!is_8bit(z.dtype())) {
    where.fail(ErrorKind::unsupported_op,
               name + " has dtype " + dtype_name(z.dtype()) + "; uint8 or int8 expected");
  }
  if (z.rank() > 1 || z.numel() != 1) {
    where.fail(ErrorKind::invalid_model,
               name + " " + z.shape().to_string() + " must hold one element (per tensor)");
  }
}

template <class Where>
Quant read_quant(const Where& where, const Tensor& s, const Tensor* z, const std::string& sname,
                 const std::string& zname) {
  check_scale(where, s, sname);
  Quant q;
  q.scale = s.data<float>()[0];
  if (z != nullptr) {
    check_zero(where, *z, zname);
    q.dtype = z->dtype();
    q.typed = true;
    q.zero = z->dtype() == DType::u8 ? std::int32_t{z->data<std::uint8_t>()[0]}
                                     : std::int32_t{z->data<std::int8_t>()[0]};
  }
  return q;
}

// The (scale, zero point) pair at inputs (s, z) of a node: read and checked at load when both
// are constants (or the zero point is absent), else read and checked at each run.
class QuantInput {
 public:
  QuantInput() = default;
  QuantInput(const OpInfo& info, std::size_t s, std::size_t z, std::string scale_name,
             std::string zero_name)
      : s_(s), z_(z), scale_name_(std::move(scale_name)), zero_name_(std::move(zero_name)) {
    if (!info.has_input(s)) info.fail(ErrorKind::invalid_model, scale_name_ + " is required");
    const Tensor* st = info.constant_input(s);
    const Tensor* zt = info.constant_input(z);
    if (st != nullptr) check_scale(info, *st, scale_name_);
    if (zt != nullptr) check_zero(info, *zt, zero_name_);
    if (st != nullptr && (zt != nullptr || !info.has_input(z))) {
      q_ = read_quant(info, *st, zt, scale_name_, zero_name_);
      known_ = true;
    }
  }
  bool known() const { return known_; }
  const Quant& at_load() const { return q_; }
  Quant get(const OpContext& ctx) const {
    if (known_) return q_;
    return read_quant(ctx, ctx.input(s_), ctx.has_input(z_) ? &ctx.input(z_) : nullptr, scale_name_,
                      zero_name_);
  }
  // Checks that the zero point has the data's dtype `t` (the op's T: uint8 or int8).
  void check_dtype(const OpContext& ctx, const Quant& q, DType t, const std::string& data) const {
    if (q.typed && q.dtype != t) {
      ctx.fail(ErrorKind::invalid_model, zero_name_ + " has dtype " + dtype_name(q.dtype) +
                                             " but " + data + " has " + dtype_name(t));
    }
  }
  const std::string& zero_name() const { return zero_name_; }

 private:
  std::size_t s_ = 0, z_ = 0;
  std::string scale_name_, zero_name_;
  Quant q_;
  bool known_ = false;
};

// The data input's dtype: uint8 or int8.
inline DType data_dtype(const OpContext& ctx, const Tensor& x, const char* name) {
  if (!is_8bit(x.dtype())) {
    ctx.fail(ErrorKind::unsupported_op, std::string(name) + " has dtype " + dtype_name(x.dtype()) +
                                            "; uint8 or int8 expected");
  }
  return x.dtype();
}

// The dequantized value of every byte of dtype t: table[b] for the byte b's bit pattern.
inline std::array<float, 256> dequantize_table(const Quant& q, DType t) {
  std::array<float, 256> table{};
  for (int b = 0; b < 256; ++b) {
    const int v = t == DType::u8 ? b : static_cast<int>(static_cast<std::int8_t>(b));
    table[static_cast<std::size_t>(b)] = static_cast<float>(v - q.zero) * q.scale;
  }
  return table;
}

// y = QuantizeLinear(f[i], q) for n floats, into n bytes of dtype t.
inline void requantize(const float* f, std::size_t n, const Quant& q, DType t, void* y) {
  if (t == DType::u8) {
    kernels::quantize_f32_u8(f, n, q.scale, static_cast<std::uint8_t>(q.zero),
                             static_cast<std::uint8_t*>(y));
  } else {
    kernels::quantize_f32_s8(f, n, q.scale, static_cast<std::int8_t>(q.zero),
                             static_cast<std::int8_t*>(y));
  }
}

// The byte-to-byte table of y = requantize(f(dequantize(x))), x and y of dtype t.
template <class F>
std::array<std::uint8_t, 256> byte_table(const Quant& x, const Quant& y, DType t, F f) {
  std::array<float, 256> v = dequantize_table(x, t);
  for (float& e : v) e = f(e);
  std::array<std::uint8_t, 256> table{};
  requantize(v.data(), 256, y, t, table.data());
  return table;
}

inline const std::uint8_t* bytes_of(const Tensor& t) {
  return static_cast<const std::uint8_t*>(t.raw_data());
}
inline std::uint8_t* bytes_of(Tensor& t) {
  return static_cast<std::uint8_t*>(const_cast<void*>(t.raw_data()));
}

}  // namespace qlinear_detail

// QLinearAdd and QLinearMul (A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale,
// C_zero_point): C = requantize(dequantize(A) op dequantize(B)), NumPy broadcasting.
class QLinearBinaryKernel final : public OpKernel {
 public:
  QLinearBinaryKernel(const OpInfo& info, bool multiply)
      : multiply_(multiply),
        a_(info, 1, 2, "A_scale", "A_zero_point"),
        b_(info, 4, 5, "B_scale", "B_zero_point"),
        c_(info, 6, 7, "C_scale", "C_zero_point") {}

  void run(OpContext& ctx) const override {
    using namespace qlinear_detail;
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    const DType t = data_dtype(ctx, a, "A");
    if (b.dtype() != t) {
      ctx.fail(ErrorKind::invalid_model,
               std::string("B has dtype ") + dtype_name(b.dtype()) + " but A has " + dtype_name(t));
    }
    const Quant qa = a_.get(ctx), qb = b_.get(ctx), qc = c_.get(ctx);
    a_.check_dtype(ctx, qa, t, "A");
    b_.check_dtype(ctx, qb, t, "B");
    c_.check_dtype(ctx, qc, t, "A");
    const Shape out = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& c = ctx.output(0, t, out);
    const auto n = static_cast<std::size_t>(out.numel());
    if (n == 0) return;
    const std::array<float, 256> da = dequantize_table(qa, t), db = dequantize_table(qb, t);
    float* f = static_cast<float*>(ctx.scratch(n * sizeof(float)));
    const std::uint8_t* pa = bytes_of(a);
    const std::uint8_t* pb = bytes_of(b);
    auto op = [&](float x, float y) { return multiply_ ? x * y : x + y; };
    if (a.shape() == out && b.shape() == out) {
      for (std::size_t i = 0; i < n; ++i) f[i] = op(da[pa[i]], db[pb[i]]);
    } else if (a.shape() == out && b.numel() == 1) {
      const float y = db[pb[0]];
      for (std::size_t i = 0; i < n; ++i) f[i] = op(da[pa[i]], y);
    } else {
      const Shape ins[2] = {a.shape(), b.shape()};
      for_each_broadcast(out, ins, [&](std::int64_t e, const std::int64_t* off) {
        f[e] = op(da[pa[off[0]]], db[pb[off[1]]]);
      });
    }
    requantize(f, n, qc, t, bytes_of(c));
  }

 private:
  bool multiply_;
  qlinear_detail::QuantInput a_, b_, c_;
};

// QLinearSigmoid and QLinearLeakyRelu (X, X_scale, X_zero_point, Y_scale, Y_zero_point): each
// byte of X through the table of requantize(f(dequantize(x))); the table is built at load when
// the scales and zero points are constants (and the zero points say the dtype), else per run.
class QLinearLookupKernel final : public OpKernel {
 public:
  enum class Fn { sigmoid, leaky_relu };

  QLinearLookupKernel(const OpInfo& info, Fn fn)
      : fn_(fn),
        alpha_(info.get_float("alpha", 0.01f)),
        x_(info, 1, 2, "X_scale", "X_zero_point"),
        y_(info, 3, 4, "Y_scale", "Y_zero_point") {
    if (x_.known() && y_.known()) {
      const qlinear_detail::Quant &qx = x_.at_load(), &qy = y_.at_load();
      if (qx.typed && qy.typed && qx.dtype != qy.dtype) {
        info.fail(ErrorKind::invalid_model, std::string("Y_zero_point has dtype ") +
                                                dtype_name(qy.dtype) + " but X_zero_point has " +
                                                dtype_name(qx.dtype));
      }
      if (qx.typed || qy.typed) {
        table_dtype_ = qx.typed ? qx.dtype : qy.dtype;
        table_ = make_table(qx, qy, table_dtype_);
        has_table_ = true;
      }
    }
  }

  void run(OpContext& ctx) const override {
    using namespace qlinear_detail;
    const Tensor& x = ctx.input(0);
    const DType t = data_dtype(ctx, x, "X");
    std::array<std::uint8_t, 256> local{};
    const std::uint8_t* table = table_.data();
    if (!has_table_ || table_dtype_ != t) {
      const Quant qx = x_.get(ctx), qy = y_.get(ctx);
      x_.check_dtype(ctx, qx, t, "X");
      y_.check_dtype(ctx, qy, t, "X");
      local = make_table(qx, qy, t);
      table = local.data();
    }
    Tensor& y = ctx.output(0, t, x.shape());
    const std::uint8_t* px = bytes_of(x);
    std::uint8_t* py = bytes_of(y);
    const auto n = static_cast<std::size_t>(x.numel());
    for (std::size_t i = 0; i < n; ++i) py[i] = table[px[i]];
  }

 private:
  std::array<std::uint8_t, 256> make_table(const qlinear_detail::Quant& qx,
                                           const qlinear_detail::Quant& qy, DType t) const {
    const float alpha = alpha_;
    if (fn_ == Fn::sigmoid) {
      return qlinear_detail::byte_table(qx, qy, t,
                                        [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    }
    return qlinear_detail::byte_table(qx, qy, t,
                                      [alpha](float v) { return v >= 0.0f ? v : v * alpha; });
  }

  Fn fn_;
  float alpha_;
  qlinear_detail::QuantInput x_, y_;
  std::array<std::uint8_t, 256> table_{};
  DType table_dtype_ = DType::u8;
  bool has_table_ = false;
};

// QLinearConcat (Y_scale, Y_zero_point, then X_i, X_i_scale, X_i_zero_point per input; axis):
// each input requantized to Y's pair through a byte table (a copy where the pairs are equal).
class QLinearConcatKernel final : public OpKernel {
 public:
  explicit QLinearConcatKernel(const OpInfo& info)
      : axis_(info.require("axis", Attribute::Kind::int_).i) {
    const std::size_t count = info.input_count();
    if (count < 5 || (count - 2) % 3 != 0) {
      info.fail(ErrorKind::invalid_model,
                "needs Y_scale, Y_zero_point and (X, X_scale, X_zero_point) per input, not " +
                    std::to_string(count) + " inputs");
    }
    if (!info.has_input(1)) info.fail(ErrorKind::invalid_model, "Y_zero_point is required");
    y_ = qlinear_detail::QuantInput(info, 0, 1, "Y_scale", "Y_zero_point");
    for (std::size_t k = 0; 2 + 3 * k < count; ++k) {
      const std::string i = std::to_string(k);
      if (!info.has_input(4 + 3 * k)) {
        info.fail(ErrorKind::invalid_model, "X" + i + "_zero_point is required");
      }
      xs_.emplace_back(info, 3 + 3 * k, 4 + 3 * k, "X" + i + "_scale", "X" + i + "_zero_point");
    }
  }

  void run(OpContext& ctx) const override {
    using namespace qlinear_detail;
    const Quant qy = y_.get(ctx);
    const DType t = qy.dtype;
    const std::size_t inputs = xs_.size();
    const Tensor& first = ctx.input(2);
    const std::size_t axis = normalize_axis(ctx.info(), axis_, first.rank());
    std::vector<std::int64_t> dims = dims_of(first.shape());
    dims[axis] = 0;
    for (std::size_t k = 0; k < inputs; ++k) {
      const Tensor& x = ctx.input(2 + 3 * k);
      const std::string name = "X" + std::to_string(k);
      if (x.dtype() != t) {
        ctx.fail(ErrorKind::invalid_model, name + " has dtype " + dtype_name(x.dtype()) +
                                               " but Y_zero_point has " + dtype_name(t));
      }
      bool fits = x.rank() == first.rank();
      for (std::size_t d = 0; fits && d < x.rank(); ++d) {
        fits = d == axis || x.shape()[d] == first.shape()[d];
      }
      if (!fits) {
        ctx.fail(ErrorKind::shape_mismatch, name + " " + x.shape().to_string() + " and X0 " +
                                                first.shape().to_string() +
                                                " differ outside axis " + std::to_string(axis));
      }
      dims[axis] += x.shape()[axis];
    }
    Tensor& y = ctx.output(0, t, make_shape(dims));
    const auto outer = static_cast<std::size_t>(span_of(first.shape(), 0, axis));
    const auto inner = static_cast<std::size_t>(span_of(first.shape(), axis + 1, first.rank()));
    const std::size_t row = static_cast<std::size_t>(dims[axis]) * inner;
    std::uint8_t* py = bytes_of(y);
    std::size_t at = 0;  // where input k starts in a row of y
    for (std::size_t k = 0; k < inputs; ++k) {
      const Tensor& x = ctx.input(2 + 3 * k);
      const Quant qx = xs_[k].get(ctx);
      xs_[k].check_dtype(ctx, qx, t, "Y_zero_point");
      const std::size_t chunk = static_cast<std::size_t>(x.shape()[axis]) * inner;
      const std::uint8_t* px = bytes_of(x);
      if (qx.scale == qy.scale && qx.zero == qy.zero) {
        for (std::size_t o = 0; o < outer && chunk > 0; ++o) {
          std::memcpy(py + o * row + at, px + o * chunk, chunk);
        }
      } else {
        const std::array<std::uint8_t, 256> table =
            byte_table(qx, qy, t, [](float v) { return v; });
        for (std::size_t o = 0; o < outer; ++o) {
          for (std::size_t i = 0; i < chunk; ++i) py[o * row + at + i] = table[px[o * chunk + i]];
        }
      }
      at += chunk;
    }
  }

 private:
  std::int64_t axis_;
  qlinear_detail::QuantInput y_;
  std::vector<qlinear_detail::QuantInput> xs_;
};

// QLinearGlobalAveragePool (X, x_scale, x_zero_point, y_scale, y_zero_point; channels_last):
// y[n, c] = saturate(round_half_to_even(float(sum - count * x_zero_point) *
// (x_scale / (y_scale * count))) + y_zero_point), the sum exact in int64; NCHW [N, C, ...] ->
// [N, C, 1, ...] or NHWC [N, ..., C] -> [N, 1, ..., C].
class QLinearGlobalAveragePoolKernel final : public OpKernel {
 public:
  explicit QLinearGlobalAveragePoolKernel(const OpInfo& info)
      : channels_last_(info.get_int("channels_last", 0) != 0),
        x_(info, 1, 2, "x_scale", "x_zero_point"),
        y_(info, 3, 4, "y_scale", "y_zero_point") {}

  void run(OpContext& ctx) const override {
    using namespace qlinear_detail;
    const Tensor& x = ctx.input(0);
    const DType t = data_dtype(ctx, x, "X");
    const Quant qx = x_.get(ctx), qy = y_.get(ctx);
    x_.check_dtype(ctx, qx, t, "X");
    y_.check_dtype(ctx, qy, t, "X");
    if (x.rank() < 3) {
      ctx.fail(ErrorKind::shape_mismatch,
               "X " + x.shape().to_string() + " must have a batch, a channel and spatial axes");
    }
    const Shape& s = x.shape();
    std::vector<std::int64_t> dims(s.rank(), 1);
    dims[0] = s[0];
    const std::size_t c_axis = channels_last_ ? s.rank() - 1 : 1;
    dims[c_axis] = s[c_axis];
    Tensor& y = ctx.output(0, t, make_shape(dims));
    const auto batch = static_cast<std::size_t>(s[0]);
    const auto channels = static_cast<std::size_t>(s[c_axis]);
    const auto count =
        static_cast<std::size_t>(s.numel() / std::max<std::int64_t>(1, s[0] * s[c_axis]));
    if (y.numel() == 0) return;
    if (count == 0) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + s.to_string() + " has no spatial elements");
    }
    const float multiplier = qx.scale / (qy.scale * static_cast<float>(count));
    const std::int32_t lo = t == DType::u8 ? 0 : -128, hi = t == DType::u8 ? 255 : 127;
    std::vector<std::int64_t> sums(channels);
    const std::uint8_t* px = bytes_of(x);
    std::uint8_t* py = bytes_of(y);
    auto value = [t](std::uint8_t b) {
      return t == DType::u8 ? std::int64_t{b} : std::int64_t{static_cast<std::int8_t>(b)};
    };
    for (std::size_t n = 0; n < batch; ++n) {
      std::fill(sums.begin(), sums.end(), 0);
      const std::uint8_t* image = px + n * channels * count;
      if (channels_last_) {
        for (std::size_t i = 0; i < count; ++i) {
          for (std::size_t c = 0; c < channels; ++c) sums[c] += value(image[i * channels + c]);
        }
      } else {
        for (std::size_t c = 0; c < channels; ++c) {
          for (std::size_t i = 0; i < count; ++i) sums[c] += value(image[c * count + i]);
        }
      }
      for (std::size_t c = 0; c < channels; ++c) {
        const std::int64_t centered = sums[c] - static_cast<std::int64_t>(count) * qx.zero;
        const float q = std::nearbyint(static_cast<float>(centered) * multiplier);
        const float r = std::min<float>(hi, std::max<float>(lo, q + static_cast<float>(qy.zero)));
        py[n * channels + c] = static_cast<std::uint8_t>(static_cast<std::int32_t>(r));
      }
    }
  }

 private:
  bool channels_last_;
  qlinear_detail::QuantInput x_, y_;
};

// QLinearAveragePool (X, x_scale, x_zero_point, y_scale, y_zero_point; AveragePool's attributes
// and channels_last): the float AveragePool of dequantize(X) (the scalar N-D loop of pool.hpp),
// requantized. NHWC is pooled as NCHW through a transposed copy.
class QLinearAveragePoolKernel final : public OpKernel {
 public:
  explicit QLinearAveragePoolKernel(const OpInfo& info)
      : window_(info),
        channels_last_(info.get_int("channels_last", 0) != 0),
        x_(info, 1, 2, "x_scale", "x_zero_point"),
        y_(info, 3, 4, "y_scale", "y_zero_point") {
    options_.kind = PoolKind::average;
    options_.ceil_mode = info.get_int("ceil_mode", 0) != 0;
    options_.count_include_pad = info.get_int("count_include_pad", 0) != 0;
    if (window_.kernel.empty()) {
      info.fail(ErrorKind::invalid_model, "attribute 'kernel_shape' is required");
    }
    for (std::int64_t d : window_.dilations) {
      if (d != 1) info.fail(ErrorKind::unsupported_op, "dilations other than 1");
    }
  }

  void run(OpContext& ctx) const override {
    using namespace qlinear_detail;
    const Tensor& x = ctx.input(0);
    const DType t = data_dtype(ctx, x, "X");
    const Quant qx = x_.get(ctx), qy = y_.get(ctx);
    x_.check_dtype(ctx, qx, t, "X");
    y_.check_dtype(ctx, qy, t, "X");
    const std::size_t spatial = window_.kernel.size();
    if (x.rank() != spatial + 2) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be [N, C] and " +
                                              std::to_string(spatial) +
                                              " spatial dimensions (kernel_shape)");
    }
    // The NCHW shape of X, and its plane size.
    std::vector<std::int64_t> nchw = dims_of(x.shape());
    if (channels_last_) {
      nchw.insert(nchw.begin() + 1, nchw.back());
      nchw.pop_back();
    }
    const Shape xs = make_shape(nchw);
    const auto axes = resolve_window(ctx.info(), window_, xs, window_.kernel);
    std::vector<std::int64_t> out{nchw[0], nchw[1]};
    for (const WindowAxis& a : axes) {
      out.push_back(static_cast<std::int64_t>(pooled_size(a, options_.ceil_mode)));
    }
    std::vector<std::int64_t> y_dims = out;
    if (channels_last_) {
      y_dims.push_back(y_dims[1]);
      y_dims.erase(y_dims.begin() + 1);
    }
    Tensor& y = ctx.output(0, t, make_shape(y_dims));
    const auto in_n = static_cast<std::size_t>(x.numel());
    const auto out_n = static_cast<std::size_t>(y.numel());
    if (out_n == 0) return;
    const auto planes = static_cast<std::size_t>(nchw[0] * nchw[1]);
    const auto channels = static_cast<std::size_t>(nchw[1]);
    const std::size_t in_plane = planes == 0 ? 0 : in_n / planes;
    const std::size_t out_plane = out_n / planes;
    std::vector<float> f(in_n), g(out_n);
    const std::array<float, 256> dq = dequantize_table(qx, t);
    const std::uint8_t* px = bytes_of(x);
    for (std::size_t i = 0; i < in_n; ++i) {
      // NHWC element (n, p, c) goes to NCHW (n, c, p).
      const std::size_t to =
          channels_last_ ? (i / (in_plane * channels) * channels + i % channels) * in_plane +
                               i / channels % in_plane
                         : i;
      f[to] = dq[px[i]];
    }
    pool_nd<float>(options_, axes, planes, f.data(), g.data(), nullptr);
    if (channels_last_) {  // back to NHWC
      std::vector<float> h(out_n);
      for (std::size_t i = 0; i < out_n; ++i) {
        const std::size_t from =
            (i / (out_plane * channels) * channels + i % channels) * out_plane +
            i / channels % out_plane;
        h[i] = g[from];
      }
      g.swap(h);
    }
    requantize(g.data(), out_n, qy, t, bytes_of(y));
  }

 private:
  WindowAttrs window_;
  PoolOptions options_;
  bool channels_last_;
  qlinear_detail::QuantInput x_, y_;
};

inline void register_qlinear_elementwise_ops(OpSet& ops) {
  const std::string ms = "com.microsoft";
  ops.add(ms, "QLinearAdd", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<QLinearBinaryKernel>(info, false);
  });
  ops.add(ms, "QLinearMul", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<QLinearBinaryKernel>(info, true);
  });
  ops.add(ms, "QLinearSigmoid", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<QLinearLookupKernel>(info, QLinearLookupKernel::Fn::sigmoid);
  });
  ops.add(ms, "QLinearLeakyRelu", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<QLinearLookupKernel>(info, QLinearLookupKernel::Fn::leaky_relu);
  });
  ops.add(ms, "QLinearConcat", 1, factory<QLinearConcatKernel>());
  ops.add(ms, "QLinearGlobalAveragePool", 1, factory<QLinearGlobalAveragePoolKernel>());
  ops.add(ms, "QLinearAveragePool", 1, factory<QLinearAveragePoolKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_QLINEAR_ELEMENTWISE_HPP
