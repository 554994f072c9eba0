// Gemm and MatMul on the GEMM kernel. A constant B (the weights) is packed once at load.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_LINEAR_HPP
#define INLAY_GRAPH_OPS_LINEAR_HPP

#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/gemm.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Y = alpha * A' B' + beta * C, A' = A or A^T (transA), B' = B or B^T (transB), C broadcast.
class GemmKernel final : public OpKernel {
 public:
  explicit GemmKernel(const OpInfo& info)
      : alpha_(info.get_float("alpha", 1.0f)),
        beta_(info.get_float("beta", 1.0f)),
        trans_a_(info.get_int("transA", 0) != 0),
        trans_b_(info.get_int("transB", 0) != 0) {
    const Tensor* b = info.constant_input(1);
    if (b != nullptr && b->dtype() == DType::f32 && b->rank() == 2) {
      k_ = static_cast<std::size_t>(trans_b_ ? (*b).shape()[1] : (*b).shape()[0]);
      n_ = static_cast<std::size_t>(trans_b_ ? (*b).shape()[0] : (*b).shape()[1]);
      packed_.resize(kernels::gemm_packed_b_size_f32(n_, k_));
      kernels::gemm_pack_b_f32(trans_b_, n_, k_, b->data<float>(), static_cast<std::size_t>(b->shape()[1]),
                               packed_.data());
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_f32(ctx, a, "A");
    require_f32(ctx, b, "B");
    if (a.rank() != 2 || b.rank() != 2) {
      ctx.fail(ErrorKind::shape_mismatch, "A " + a.shape().to_string() + " and B " +
                                              b.shape().to_string() + " must be 2-D");
    }
    const auto m = static_cast<std::size_t>(trans_a_ ? a.shape()[1] : a.shape()[0]);
    const auto k = static_cast<std::size_t>(trans_a_ ? a.shape()[0] : a.shape()[1]);
    const auto kb = static_cast<std::size_t>(trans_b_ ? b.shape()[1] : b.shape()[0]);
    const auto n = static_cast<std::size_t>(trans_b_ ? b.shape()[0] : b.shape()[1]);
    if (k != kb) {
      ctx.fail(ErrorKind::shape_mismatch, "A " + a.shape().to_string() + (trans_a_ ? " (transposed)" : "") +
                                              " and B " + b.shape().to_string() +
                                              (trans_b_ ? " (transposed)" : "") + " do not multiply");
    }
    const Shape out_shape{static_cast<std::int64_t>(m), static_cast<std::int64_t>(n)};
    float* y = ctx.output(0, DType::f32, out_shape).data<float>();
    float beta = 0.0f;
    kernels::GemmEpilogue epilogue;
    if (ctx.has_input(2) && beta_ != 0.0f) {
      const Tensor& c = ctx.input(2);
      require_f32(ctx, c, "C");
      const Shape& cs = c.shape();
      const bool per_column = (cs.rank() == 1 && cs[0] == static_cast<std::int64_t>(n)) ||
                              (cs.rank() == 2 && cs[0] == 1 && cs[1] == static_cast<std::int64_t>(n));
      if (per_column && beta_ == 1.0f && n > 1) {
        epilogue.bias = c.data<float>();
        epilogue.bias_kind = kernels::BiasKind::per_column;
      } else {
        // General C: broadcast it into Y, then accumulate with beta.
        if (broadcast(ctx.info(), cs, out_shape) != out_shape) {
          ctx.fail(ErrorKind::shape_mismatch, "C " + cs.to_string() +
                                                  " does not broadcast to " + out_shape.to_string());
        }
        const Shape ins[1] = {cs};
        const float* cp = c.data<float>();
        for_each_broadcast(out_shape, ins, [&](std::int64_t e, const std::int64_t* off) {
          y[e] = cp[off[0]];
        });
        beta = beta_;
      }
    }
    const std::size_t lda = static_cast<std::size_t>(a.shape()[1]);
    if (m == 0 || n == 0) return;
    if (!packed_.empty() && n == n_ && k == k_) {
      kernels::gemm_packed_f32(trans_a_, m, n, k, alpha_, a.data<float>(), lda, packed_.data(),
                               beta, y, n, epilogue, ctx.executor());
    } else {
      kernels::gemm_f32(trans_a_, trans_b_, m, n, k, alpha_, a.data<float>(), lda, b.data<float>(),
                        static_cast<std::size_t>(b.shape()[1]), beta, y, n, epilogue,
                        ctx.executor());
    }
  }

 private:
  float alpha_, beta_;
  bool trans_a_, trans_b_;
  std::size_t n_ = 0, k_ = 0;
  std::vector<float> packed_;
};

// NumPy matmul: 1-D operands are promoted (and the added dimension removed), batch dimensions
// broadcast.
class MatMulKernel final : public OpKernel {
 public:
  explicit MatMulKernel(const OpInfo&) {}

  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_f32(ctx, a, "A");
    require_f32(ctx, b, "B");
    if (a.rank() == 0 || b.rank() == 0) {
      ctx.fail(ErrorKind::shape_mismatch, "MatMul operands must have rank >= 1");
    }
    // Promote to matrices.
    std::vector<std::int64_t> ad = dims_of(a.shape()), bd = dims_of(b.shape());
    const bool a_vec = ad.size() == 1, b_vec = bd.size() == 1;
    if (a_vec) ad.insert(ad.begin(), 1);
    if (b_vec) bd.push_back(1);
    const std::int64_t m = ad[ad.size() - 2], k = ad.back();
    const std::int64_t kb = bd[bd.size() - 2], n = bd.back();
    if (k != kb) {
      ctx.fail(ErrorKind::shape_mismatch, "A " + a.shape().to_string() + " and B " +
                                              b.shape().to_string() + " do not multiply");
    }
    const Shape a_batch(ad.data(), ad.size() - 2), b_batch(bd.data(), bd.size() - 2);
    const Shape batch = broadcast(ctx.info(), a_batch, b_batch);
    std::vector<std::int64_t> od = dims_of(batch);
    if (!a_vec) od.push_back(m);
    if (!b_vec) od.push_back(n);
    Tensor& out = ctx.output(0, DType::f32, make_shape(od));
    float* y = out.data<float>();
    const float* ap = a.data<float>();
    const float* bp = b.data<float>();
    const auto mm = static_cast<std::size_t>(m), nn = static_cast<std::size_t>(n),
               kk = static_cast<std::size_t>(k);
    if (out.numel() == 0) return;
    if (kk == 0) {
      std::memset(y, 0, out.nbytes());
      return;
    }
    const std::int64_t count = batch.numel();
    if (a_batch.numel() == count && b_batch.numel() == count) {
      kernels::gemm_batched_f32(static_cast<std::size_t>(count), false, false, mm, nn, kk, 1.0f, ap,
                                kk, mm * kk, bp, nn, kk * nn, 0.0f, y, nn, mm * nn, {},
                                ctx.executor());
      return;
    }
    if (b_batch.numel() == 1) {  // weights shared by every batch: one tall GEMM
      kernels::gemm_f32(false, false, static_cast<std::size_t>(count) * mm, nn, kk, 1.0f, ap, kk,
                        bp, nn, 0.0f, y, nn, {}, ctx.executor());
      return;
    }
    const Shape ins[2] = {a_batch, b_batch};
    for_each_broadcast(batch, ins, [&](std::int64_t e, const std::int64_t* off) {
      kernels::gemm_f32(false, false, mm, nn, kk, 1.0f, ap + off[0] * m * k, kk,
                        bp + off[1] * k * n, nn, 0.0f, y + e * m * n, nn, {}, ctx.executor());
    });
  }
};

inline void register_linear_ops(OpSet& ops) {
  ops.add("", "Gemm", 1, factory<GemmKernel>());
  ops.add("", "MatMul", 1, factory<MatMulKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_LINEAR_HPP
