// The 8-bit operands of the integer operators (MatMulInteger, QLinearMatMul, com.microsoft QGemm,
// ConvInteger, QLinearConv) in the int8 GEMM's form (kernels/qgemm.hpp): zero points and scales
// read and checked, weights packed once at load, and the batched matmul they share.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_INT8_OPERANDS_HPP
#define INLAY_GRAPH_OPS_INT8_OPERANDS_HPP

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/qgemm.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

inline void require_8bit(const OpInfo& info, const Tensor& t, const char* what) {
  if (t.dtype() != DType::u8 && t.dtype() != DType::i8) {
    info.fail(ErrorKind::unsupported_op, std::string(what) + " has dtype " + dtype_name(t.dtype()) +
                                             "; uint8 or int8 expected");
  }
}

// Zero point `what`: absent (0), a scalar, or 1-D (per row or column: the matmul and the
// convolution check the length). Values as int32, in the operand's own range.
inline std::vector<std::int32_t> read_zero_points(const OpInfo& info, const Tensor* z,
                                                  const char* what) {
  if (z == nullptr) return {0};
  require_8bit(info, *z, what);
  if (z->numel() != 1 && z->rank() != 1) {
    info.fail(ErrorKind::shape_mismatch,
              std::string(what) + " " + z->shape().to_string() + " must be a scalar or 1-D");
  }
  std::vector<std::int32_t> v(static_cast<std::size_t>(z->numel()));
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = z->dtype() == DType::u8 ? z->data<std::uint8_t>()[i] : z->data<std::int8_t>()[i];
  }
  if (v.empty()) info.fail(ErrorKind::shape_mismatch, std::string(what) + " is empty");
  return v;
}

// Float scale `what`: a scalar or 1-D, each value finite and > 0.
inline std::vector<float> read_scales(const OpInfo& info, const Tensor& s, const char* what) {
  if (s.dtype() != DType::f32) {
    info.fail(ErrorKind::unsupported_op,
              std::string(what) + " has dtype " + dtype_name(s.dtype()) + "; float expected");
  }
  if ((s.numel() != 1 && s.rank() != 1) || s.numel() == 0) {
    info.fail(ErrorKind::shape_mismatch,
              std::string(what) + " " + s.shape().to_string() + " must be a scalar or 1-D");
  }
  std::vector<float> v(s.data<float>(), s.data<float>() + s.numel());
  for (float x : v) {
    if (!(x > 0.0f) || !std::isfinite(x)) {
      info.fail(ErrorKind::invalid_model, std::string(what) + " holds " + std::to_string(x) +
                                              "; scales must be finite and > 0");
    }
  }
  return v;
}

// Where an integer op finds its quantization parameters: input indices, -1 where it has none.
struct Int8ParamInputs {
  int a_scale = -1, a_zero = -1, b_scale = -1, b_zero = -1, y_scale = -1, y_zero = -1;
  float alpha = 1.0f;
};

// An integer op's zero points (in their operands' own range) and requantization multipliers
// alpha * a_scale * b_scale[j] / y_scale computed in float (empty for int32 output; without a
// y_scale the output is float and the divisor 1).
struct Int8Params {
  std::vector<std::int32_t> a_zero, b_zero;
  std::vector<float> multiplier;
  std::int32_t y_zero = 0;
  DType y_type = DType::i32;
};

// The parameters, read once at load when every input they come from is a constant (so that a
// run allocates nothing), else at each run (parameters fed at run time).
class Int8ParamCache {
 public:
  Int8ParamCache(const OpInfo& info, const Int8ParamInputs& where) : where_(where) {
    for (int i :
         {where.a_scale, where.a_zero, where.b_scale, where.b_zero, where.y_scale, where.y_zero}) {
      if (i >= 0 && info.has_input(static_cast<std::size_t>(i)) &&
          info.constant_input(static_cast<std::size_t>(i)) == nullptr) {
        return;
      }
    }
    params_ = read(info, [&](int i) { return info.constant_input(static_cast<std::size_t>(i)); });
    ready_ = true;
  }

  // The parameters for this run: the ones read at load, or read now into `storage`.
  const Int8Params& get(OpContext& ctx, Int8Params& storage) const {
    if (ready_) return params_;
    storage = read(ctx.info(), [&](int i) {
      const auto u = static_cast<std::size_t>(i);
      return ctx.has_input(u) ? &ctx.input(u) : nullptr;
    });
    return storage;
  }

  // A zero point must have its operand's dtype (checked per run: operands may be fed).
  void check_zero_dtype(const OpContext& ctx, bool of_a, const Tensor& operand,
                        const char* what) const {
    const int i = of_a ? where_.a_zero : where_.b_zero;
    if (i < 0 || !ctx.has_input(static_cast<std::size_t>(i))) return;
    const DType z = ctx.input(static_cast<std::size_t>(i)).dtype();
    if (z != operand.dtype()) {
      ctx.fail(ErrorKind::invalid_model, std::string(what) + " has dtype " + dtype_name(z) +
                                             ", its operand " + dtype_name(operand.dtype()));
    }
  }

 private:
  template <class Get>
  Int8Params read(const OpInfo& info, Get get) const {
    const auto at = [&](int i) -> const Tensor* { return i < 0 ? nullptr : get(i); };
    Int8Params p;
    p.a_zero = read_zero_points(info, at(where_.a_zero), "the zero point of A");
    p.b_zero = read_zero_points(info, at(where_.b_zero), "the zero point of B");
    if (where_.a_scale < 0) return p;  // int32 output
    const Tensor* a_scale = at(where_.a_scale);
    const Tensor* b_scale = at(where_.b_scale);
    if (a_scale == nullptr || b_scale == nullptr) {
      info.fail(ErrorKind::invalid_model, "a scale input is missing");
    }
    const std::vector<float> sa = read_scales(info, *a_scale, "the scale of A");
    const std::vector<float> sb = read_scales(info, *b_scale, "the scale of B");
    if (sa.size() != 1) info.fail(ErrorKind::unsupported_op, "a per-axis scale of A");
    float divisor = 1.0f;
    p.y_type = DType::f32;
    if (const Tensor* y_scale = at(where_.y_scale)) {
      const std::vector<float> sy = read_scales(info, *y_scale, "y_scale");
      if (sy.size() != 1) info.fail(ErrorKind::unsupported_op, "a per-axis y_scale");
      divisor = sy[0];
      p.y_type = DType::u8;
      if (const Tensor* y_zero = at(where_.y_zero)) {
        require_8bit(info, *y_zero, "y_zero_point");
        if (y_zero->numel() != 1) info.fail(ErrorKind::unsupported_op, "a per-axis y_zero_point");
        p.y_type = y_zero->dtype();
        p.y_zero = read_zero_points(info, y_zero, "y_zero_point")[0];
      }
    }
    const float first = where_.alpha * sa[0];
    p.multiplier.resize(sb.size());
    for (std::size_t j = 0; j < sb.size(); ++j) p.multiplier[j] = first * sb[j] / divisor;
    return p;
  }

  Int8ParamInputs where_;
  Int8Params params_;
  bool ready_ = false;
};

// The bytes of an output of the integer ops (int32, float, uint8 or int8), for the kernel.
inline std::uint8_t* output_bytes(Tensor& y) {
  switch (y.dtype()) {
    case DType::i32: return reinterpret_cast<std::uint8_t*>(y.data<std::int32_t>());
    case DType::f32: return reinterpret_cast<std::uint8_t*>(y.data<float>());
    case DType::i8: return reinterpret_cast<std::uint8_t*>(y.data<std::int8_t>());
    default: return y.data<std::uint8_t>();
  }
}

// The B operand (k x n, the weights) packed once: one packed matrix per batch matrix of a
// constant B. `source` keeps the constant, so a run can tell that B is still it.
struct PackedInt8Weights {
  Tensor source;
  std::size_t k = 0, n = 0;
  std::vector<std::vector<std::int8_t>> packed;
  std::vector<std::vector<std::int32_t>> col_sums;
  std::vector<kernels::QgemmNarrow> narrow;  // b where the packed matrix fits 7 bits

  // B of rank >= 2 ([..., k, n], or [n, k] when trans_b and 2-D).
  void prepare(const Tensor& b, bool trans_b) {
    if ((b.dtype() != DType::u8 && b.dtype() != DType::i8) || b.rank() < 2) return;
    if (trans_b && b.rank() != 2) return;
    const Shape& s = b.shape();
    const auto rows = static_cast<std::size_t>(s[s.rank() - 2]);
    const auto cols = static_cast<std::size_t>(s[s.rank() - 1]);
    k = trans_b ? cols : rows;
    n = trans_b ? rows : cols;
    const std::size_t count =
        rows * cols == 0 ? 0 : static_cast<std::size_t>(b.numel()) / (rows * cols);
    packed.assign(count, {});
    col_sums.assign(count, {});
    narrow.assign(count, kernels::QgemmNarrow::none);
    for (std::size_t e = 0; e < count; ++e) {
      packed[e].resize(kernels::qgemm_packed_b_size(n, k));
      col_sums[e].resize(n + 1);
      if (kernels::qgemm_pack_b(
              trans_b, n, k, static_cast<const std::uint8_t*>(b.raw_data()) + e * rows * cols, cols,
              b.dtype() == DType::u8, packed[e].data(), col_sums[e].data())) {
        narrow[e] = kernels::QgemmNarrow::b;
      }
    }
    source = b;
  }
  // Whether b is the packed constant (an empty B packs nothing: it runs unpacked).
  bool matches(const Tensor& b) const {
    return !packed.empty() && b.raw_data() == source.raw_data() && b.dtype() == source.dtype() &&
           b.shape() == source.shape();
  }
};

// Y[..., m, n] = epilogue(A'[..., m, k] B'[..., k, n]) with NumPy broadcasting of the batch
// dimensions; A' = A or, 2-D only, A^T (trans_a), likewise B'. A and B 8-bit of either signedness,
// zero points scalar or per row (A) / per column (B) in their own range. The caller fills the
// epilogue's output kind, scales and biases; this sets C. Scratch: A in the kernel's form (int8
// or transposed A only) and the packed B (B not packed at load).
inline void run_int8_matmul(OpContext& ctx, const Tensor& a, bool trans_a, const Tensor& b,
                            bool trans_b, const std::vector<std::int32_t>& a_zero,
                            const std::vector<std::int32_t>& b_zero,
                            const PackedInt8Weights& weights, kernels::QgemmEpilogue e,
                            std::size_t scale_count, DType out_dtype) {
  const OpInfo& info = ctx.info();
  if (a.rank() < 2 || b.rank() < 2) {
    ctx.fail(ErrorKind::unsupported_op, "integer matmul of 1-D operands");
  }
  if ((trans_a && a.rank() != 2) || (trans_b && b.rank() != 2)) {
    ctx.fail(ErrorKind::unsupported_op, "a transposed operand of rank above 2");
  }
  const std::size_t ra = a.rank(), rb = b.rank();
  const std::int64_t m = a.shape()[trans_a ? ra - 1 : ra - 2],
                     k = a.shape()[trans_a ? ra - 2 : ra - 1];
  const std::int64_t n = b.shape()[trans_b ? rb - 2 : rb - 1],
                     kb = b.shape()[trans_b ? rb - 1 : rb - 2];
  if (kb != k) {
    ctx.fail(ErrorKind::shape_mismatch,
             "A " + a.shape().to_string() + (trans_a ? " (transposed)" : "") + " and B " +
                 b.shape().to_string() + (trans_b ? " (transposed)" : "") + " do not multiply");
  }
  if (a_zero.size() != 1 && static_cast<std::int64_t>(a_zero.size()) != m) {
    ctx.fail(ErrorKind::shape_mismatch,
             "the zero point of A must be a scalar or [" + std::to_string(m) + "]");
  }
  if (b_zero.size() != 1 && static_cast<std::int64_t>(b_zero.size()) != n) {
    ctx.fail(ErrorKind::shape_mismatch,
             "the zero point of B must be a scalar or [" + std::to_string(n) + "]");
  }
  const Shape ab(a.shape().data(), ra - 2), bb(b.shape().data(), rb - 2);
  const Shape batch = broadcast(info, ab, bb);
  std::int64_t out_dims[Shape::max_rank];
  for (std::size_t i = 0; i < batch.rank(); ++i) out_dims[i] = batch[i];
  out_dims[batch.rank()] = m;
  out_dims[batch.rank() + 1] = n;
  Tensor& y = ctx.output(0, out_dtype, Shape(out_dims, batch.rank() + 2));
  if (y.numel() == 0) return;
  const auto um = static_cast<std::size_t>(m), un = static_cast<std::size_t>(n),
             uk = static_cast<std::size_t>(k);
  if (e.scale_axis == kernels::QgemmAxis::per_column && scale_count != un) {
    ctx.fail(ErrorKind::shape_mismatch, "the scale of B has " + std::to_string(scale_count) +
                                            " values; B has " + std::to_string(un) + " columns");
  }
  const bool a_signed = a.dtype() == DType::i8, b_unsigned = b.dtype() == DType::u8;
  const bool packed = weights.matches(b);
  const std::size_t a_bytes = a_signed || trans_a ? static_cast<std::size_t>(a.numel()) : 0;
  const std::size_t a_room = (a_bytes + 63) / 64 * 64;
  const std::size_t zero_room = (a_zero.size() + b_zero.size()) * sizeof(std::int32_t);
  const std::size_t ws_bytes = packed ? 0 : kernels::qgemm_workspace_size(um, un, uk);
  auto* scratch = static_cast<std::uint8_t*>(ctx.scratch(a_room + ws_bytes + zero_room));
  // The zero points in the kernel's form: A +128 when int8, B -128 when uint8.
  auto* za = reinterpret_cast<std::int32_t*>(scratch + a_room + ws_bytes);
  std::int32_t* zb = za + a_zero.size();
  for (std::size_t i = 0; i < a_zero.size(); ++i) za[i] = a_zero[i] + (a_signed ? 128 : 0);
  for (std::size_t j = 0; j < b_zero.size(); ++j) zb[j] = b_zero[j] - (b_unsigned ? 128 : 0);
  kernels::QgemmZeroPoints zp;
  zp.a = za;
  zp.a_per_row = a_zero.size() > 1;
  zp.b = zb;
  zp.b_per_column = b_zero.size() > 1;
  const auto* a_data = static_cast<const std::uint8_t*>(a.raw_data());
  if (a_bytes > 0) {
    const std::uint8_t flip = a_signed ? 0x80 : 0x00;
    if (trans_a) {
      for (std::size_t p = 0; p < uk; ++p) {
        for (std::size_t i = 0; i < um; ++i) {
          scratch[i * uk + p] = static_cast<std::uint8_t>(a_data[p * um + i] ^ flip);
        }
      }
    } else {
      kernels::qgemm_flip_sign(a_data, a_bytes, scratch);
    }
    a_data = scratch;
  }
  void* workspace = scratch + a_room;
  const std::size_t out_size = out_dtype == DType::u8 || out_dtype == DType::i8 ? 1 : 4;
  const Shape ins[2] = {ab, bb};
  for_each_broadcast(batch, ins, [&](std::int64_t index, const std::int64_t* off) {
    kernels::QgemmEpilogue eb = e;
    eb.c = output_bytes(y) + static_cast<std::size_t>(index) * um * un * out_size;
    eb.ldc = un;
    const std::uint8_t* ap = a_data + static_cast<std::size_t>(off[0]) * um * uk;
    if (packed) {
      const auto q = static_cast<std::size_t>(off[1]);
      kernels::qgemm_packed(um, un, uk, ap, uk, weights.packed[q].data(),
                            weights.col_sums[q].data(), zp, eb, ctx.executor(), weights.narrow[q]);
    } else {
      const auto* bp = static_cast<const std::uint8_t*>(b.raw_data()) +
                       static_cast<std::size_t>(off[1]) * uk * un;
      kernels::qgemm(um, un, uk, ap, uk, trans_b, bp, trans_b ? uk : un, b_unsigned, zp, eb,
                     workspace, ctx.executor());
    }
  });
}

// The kernel's output for a uint8 or int8 Y.
inline kernels::QgemmOutput qgemm_output_of(DType t) {
  return t == DType::u8 ? kernels::QgemmOutput::u8 : kernels::QgemmOutput::s8;
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_INT8_OPERANDS_HPP
