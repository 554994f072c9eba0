// com.microsoft DynamicQuantizeMatMul (ONNX Runtime's contrib op): a MatMul whose float input is
// quantized per run, the form dynamic quantization takes when it runs fast. ORT's quantize_dynamic
// writes DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul by the two scales [-> Add bias];
// graph/impl/fuse_qdq.hpp rewrites that chain into this op, and ORT's own optimizer does the same.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_DYNAMIC_QUANTIZE_MATMUL_HPP
#define INLAY_GRAPH_OPS_DYNAMIC_QUANTIZE_MATMUL_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/int8_operands.hpp"
#include "inlay/graph/ops/quantize.hpp"
#include "inlay/kernels/qgemm.hpp"
#include "inlay/kernels/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Y[..., n] = float(sum_p (a[..., p] - a_zero) (B[p, n] - b_zero[n])) * (a_scale * b_scale[n])
//             + bias[n]
// with a = DynamicQuantizeLinear(A) (uint8 over A's range widened to hold 0, computed per run),
// B int8 or uint8 [K, N], b_scale and b_zero_point per tensor or per column, bias float [N]
// (optional). The product then the sum, in float, as the chain's Cast, Mul and Add compute them,
// so the fused op gives the chain's bits.
class DynamicQuantizeMatMulKernel final : public OpKernel {
 public:
  explicit DynamicQuantizeMatMulKernel(const OpInfo& info) {
    require_f32(info, 0, "A");
    const Tensor* b = info.constant_input(1);
    if (b != nullptr) weights_.prepare(*b, false);
    const Tensor* s = info.constant_input(2);
    const Tensor* z = info.constant_input(3);
    if (b != nullptr && s != nullptr && (z != nullptr || !info.has_input(3))) {
      read_params(info, *b, *s, z, b_scale_, b_zero_);
      ready_ = true;
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_f32(ctx, a, "A");
    require_8bit(info, b, "B");
    if (b.rank() != 2 || a.rank() < 1) {
      ctx.fail(ErrorKind::unsupported_op, "A " + a.shape().to_string() + " and B " +
                                              b.shape().to_string() +
                                              ": B must be 2-D and A at least 1-D");
    }
    const auto k = static_cast<std::size_t>(b.shape()[0]);
    const auto n = static_cast<std::size_t>(b.shape()[1]);
    if (static_cast<std::size_t>(a.shape()[a.rank() - 1]) != k) {
      ctx.fail(ErrorKind::shape_mismatch, "A " + a.shape().to_string() + " and B " +
                                              b.shape().to_string() + " do not multiply");
    }
    std::vector<float> scale_storage;
    std::vector<std::int32_t> zero_storage;
    if (!ready_) {
      read_params(info, b, ctx.input(2), ctx.has_input(3) ? &ctx.input(3) : nullptr, scale_storage,
                  zero_storage);
    }
    const std::vector<float>& b_scale = ready_ ? b_scale_ : scale_storage;
    const std::vector<std::int32_t>& b_zero = ready_ ? b_zero_ : zero_storage;
    const float* bias = nullptr;
    if (ctx.has_input(4)) {
      const Tensor& c = ctx.input(4);
      if (c.dtype() != DType::f32 || c.numel() != static_cast<std::int64_t>(n)) {
        ctx.fail(ErrorKind::shape_mismatch, "bias " + c.shape().to_string() + " (" +
                                                dtype_name(c.dtype()) + ") must be float [" +
                                                std::to_string(n) + "]");
      }
      bias = c.data<float>();
    }
    std::vector<std::int64_t> dims(a.shape().begin(), a.shape().end());
    dims.back() = static_cast<std::int64_t>(n);
    Tensor& y = ctx.output(0, DType::f32, make_shape(dims));
    if (y.numel() == 0) return;
    // The rows from Y, not A: with K = 0, A has no elements but Y [..., N] holds the bias.
    const std::size_t m = static_cast<std::size_t>(y.numel()) / n;

    const bool packed = weights_.matches(b);
    const std::size_t a_room = (m * k + 63) / 64 * 64;
    const std::size_t ws_bytes =
        packed ? 0 : (kernels::qgemm_workspace_size(m, n, k) + 63) / 64 * 64;
    const std::size_t per = b_scale.size();
    auto* scratch = static_cast<std::uint8_t*>(
        ctx.scratch(a_room + ws_bytes + per * sizeof(float) + (1 + per) * sizeof(std::int32_t)));
    auto* aq = scratch;
    void* workspace = scratch + a_room;
    auto* multiplier = reinterpret_cast<float*>(scratch + a_room + ws_bytes);
    auto* zeros = reinterpret_cast<std::int32_t*>(multiplier + per);

    float a_scale = 1.0f;
    std::uint8_t a_zero = 0;
    dynamic_quantize_params(a.data<float>(), m * k, &a_scale, &a_zero);
    kernels::quantize_f32_u8(a.data<float>(), m * k, a_scale, a_zero, aq);
    for (std::size_t j = 0; j < per; ++j) multiplier[j] = a_scale * b_scale[j];
    // The kernel's operand form: B int8 (uint8 B flipped by 128 while packing, its zero too).
    zeros[0] = a_zero;
    const std::int32_t shift = b.dtype() == DType::u8 ? 128 : 0;
    for (std::size_t j = 0; j < per; ++j) zeros[1 + j] = b_zero[j] - shift;
    kernels::QgemmZeroPoints zp;
    zp.a = zeros;
    zp.b = zeros + 1;
    zp.b_per_column = per > 1;
    kernels::QgemmEpilogue e;
    e.output = kernels::QgemmOutput::f32;
    e.c = y.data<float>();
    e.ldc = n;
    e.scale = multiplier;
    e.scale_axis = per > 1 ? kernels::QgemmAxis::per_column : kernels::QgemmAxis::per_tensor;
    e.float_bias = bias;
    e.float_bias_axis = kernels::QgemmAxis::per_column;
    if (packed) {
      kernels::qgemm_packed(m, n, k, aq, k, weights_.packed[0].data(), weights_.col_sums[0].data(),
                            zp, e, ctx.executor(), weights_.narrow[0]);
    } else {
      kernels::qgemm(m, n, k, aq, k, false, b.raw_data(), n, b.dtype() == DType::u8, zp, e,
                     workspace, ctx.executor());
    }
  }

 private:
  // b_scale (finite, > 0) and b_zero_point (B's dtype), each one value or one per column.
  static void read_params(const OpInfo& info, const Tensor& b, const Tensor& s, const Tensor* z,
                          std::vector<float>& scale, std::vector<std::int32_t>& zero) {
    const std::int64_t n = b.rank() == 2 ? b.shape()[1] : 0;
    scale = read_scales(info, s, "b_scale");
    if (scale.size() != 1 && static_cast<std::int64_t>(scale.size()) != n) {
      info.fail(ErrorKind::shape_mismatch, "b_scale " + s.shape().to_string() +
                                               " must be a scalar or [" + std::to_string(n) +
                                               "], one per column of B");
    }
    zero = read_zero_points(info, z, "b_zero_point");
    if (z != nullptr && z->dtype() != b.dtype()) {
      info.fail(ErrorKind::invalid_model, std::string("b_zero_point has dtype ") +
                                              dtype_name(z->dtype()) + ", B " +
                                              dtype_name(b.dtype()));
    }
    if (zero.size() == 1 && scale.size() > 1) zero.assign(scale.size(), zero[0]);
    if (zero.size() != scale.size()) {
      info.fail(ErrorKind::shape_mismatch, "b_zero_point has " + std::to_string(zero.size()) +
                                               " values, b_scale " + std::to_string(scale.size()));
    }
  }

  PackedInt8Weights weights_;
  std::vector<float> b_scale_;
  std::vector<std::int32_t> b_zero_;
  bool ready_ = false;
};

inline void register_dynamic_quantize_matmul_ops(OpSet& ops) {
  ops.add("com.microsoft", "DynamicQuantizeMatMul", 1, factory<DynamicQuantizeMatMulKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_DYNAMIC_QUANTIZE_MATMUL_HPP
