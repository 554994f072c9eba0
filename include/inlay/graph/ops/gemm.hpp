// The gemm family (kernels/gemm.hpp; the typed door's nn::Dense): Gemm, MatMul and Einsum on the
// GEMM kernel; MatMulInteger, QLinearMatMul and com.microsoft QGemm on the int8 GEMM
// (kernels/qgemm.hpp). A constant B (the weights) is packed once at load. A bias and an activation
// fused by graph/impl/fuse.hpp run in the GEMM epilogue (MatMul then has a third input: the bias).
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_GEMM_HPP
#define INLAY_GRAPH_OPS_GEMM_HPP

#include <cmath>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/int8_operands.hpp"
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
        trans_b_(info.get_int("transB", 0) != 0),
        activation_(fused_activation(info)) {
    require_f32_inputs(info, {"A", "B", beta_ != 0.0f ? "C" : nullptr});
    const Tensor* b = info.constant_input(1);
    // An empty B is not packed: its other dimension may still be huge (the fuzzer's [0, 2^40]
    // took minutes to pack nothing).
    if (b != nullptr && b->dtype() == DType::f32 && b->rank() == 2 && b->numel() > 0) {
      k_ = static_cast<std::size_t>(trans_b_ ? (*b).shape()[1] : (*b).shape()[0]);
      n_ = static_cast<std::size_t>(trans_b_ ? (*b).shape()[0] : (*b).shape()[1]);
      packed_.resize(kernels::gemm_packed_b_size_f32(n_, k_));
      kernels::gemm_pack_b_f32(trans_b_, n_, k_, b->data<float>(),
                               static_cast<std::size_t>(b->shape()[1]), packed_.data());
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_f32(ctx, a, "A");
    require_f32(ctx, b, "B");
    if (a.rank() != 2 || b.rank() != 2) {
      ctx.fail(ErrorKind::shape_mismatch,
               "A " + a.shape().to_string() + " and B " + b.shape().to_string() + " must be 2-D");
    }
    const auto m = static_cast<std::size_t>(trans_a_ ? a.shape()[1] : a.shape()[0]);
    const auto k = static_cast<std::size_t>(trans_a_ ? a.shape()[0] : a.shape()[1]);
    const auto kb = static_cast<std::size_t>(trans_b_ ? b.shape()[1] : b.shape()[0]);
    const auto n = static_cast<std::size_t>(trans_b_ ? b.shape()[0] : b.shape()[1]);
    if (k != kb) {
      ctx.fail(ErrorKind::shape_mismatch,
               "A " + a.shape().to_string() + (trans_a_ ? " (transposed)" : "") + " and B " +
                   b.shape().to_string() + (trans_b_ ? " (transposed)" : "") + " do not multiply");
    }
    const Shape out_shape{static_cast<std::int64_t>(m), static_cast<std::int64_t>(n)};
    float* y = ctx.output(0, DType::f32, out_shape).data<float>();
    float beta = 0.0f;
    kernels::GemmEpilogue epilogue;
    epilogue.activation = activation_;
    if (ctx.has_input(2) && beta_ != 0.0f) {
      const Tensor& c = ctx.input(2);
      require_f32(ctx, c, "C");
      const Shape& cs = c.shape();
      const bool per_column =
          (cs.rank() == 1 && cs[0] == static_cast<std::int64_t>(n)) ||
          (cs.rank() == 2 && cs[0] == 1 && cs[1] == static_cast<std::int64_t>(n));
      if (per_column && beta_ == 1.0f && n > 1) {
        epilogue.bias = c.data<float>();
        epilogue.bias_kind = kernels::BiasKind::per_column;
      } else {
        // General C: broadcast it into Y, then accumulate with beta.
        if (broadcast(ctx.info(), cs, out_shape) != out_shape) {
          ctx.fail(ErrorKind::shape_mismatch,
                   "C " + cs.to_string() + " does not broadcast to " + out_shape.to_string());
        }
        const Shape ins[1] = {cs};
        const float* cp = c.data<float>();
        for_each_broadcast(out_shape, ins,
                           [&](std::int64_t e, const std::int64_t* off) { y[e] = cp[off[0]]; });
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
  kernels::Activation activation_;
  std::size_t n_ = 0, k_ = 0;
  std::vector<float> packed_;
};

// NumPy matmul: 1-D operands are promoted (and the added dimension removed), batch dimensions
// broadcast. A fused per-column bias (input 2, [N]) and activation run in the epilogue.
class MatMulKernel final : public OpKernel {
 public:
  explicit MatMulKernel(const OpInfo& info) : activation_(fused_activation(info)) {
    require_f32_inputs(info, {"A", "B", "bias"});
    const Tensor* b = info.constant_input(1);
    // An empty B is not packed: its other dimension may still be huge (the fuzzer's [0, 2^40]
    // took minutes to pack nothing).
    if (b != nullptr && b->dtype() == DType::f32 && b->rank() == 2 && b->numel() > 0) {
      k_ = static_cast<std::size_t>(b->shape()[0]);
      n_ = static_cast<std::size_t>(b->shape()[1]);
      packed_.resize(kernels::gemm_packed_b_size_f32(n_, k_));
      kernels::gemm_pack_b_f32(false, n_, k_, b->data<float>(), n_, packed_.data());
    }
  }

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
    kernels::GemmEpilogue epilogue;
    epilogue.activation = activation_;
    if (ctx.input_count() > 2 && ctx.has_input(2)) {
      const Tensor& bias = ctx.input(2);
      require_f32(ctx, bias, "bias");
      if (bias.numel() != n || bias.rank() != 1) {
        ctx.fail(ErrorKind::shape_mismatch, "the fused bias " + bias.shape().to_string() +
                                                " must be [" + std::to_string(n) + "]");
      }
      epilogue.bias = bias.data<float>();
      epilogue.bias_kind = kernels::BiasKind::per_column;
    }
    Tensor& out = ctx.output(0, DType::f32, make_shape(od));
    float* y = out.data<float>();
    const float* ap = a.data<float>();
    const float* bp = b.data<float>();
    const auto mm = static_cast<std::size_t>(m), nn = static_cast<std::size_t>(n),
               kk = static_cast<std::size_t>(k);
    if (out.numel() == 0) return;
    const std::int64_t count = batch.numel();
    if (b_batch.numel() == 1) {  // weights shared by every batch: one tall GEMM
      const std::size_t rows = static_cast<std::size_t>(count) * mm;
      if (!packed_.empty() && nn == n_ && kk == k_ && a_batch.numel() == count) {
        kernels::gemm_packed_f32(false, rows, nn, kk, 1.0f, ap, kk, packed_.data(), 0.0f, y, nn,
                                 epilogue, ctx.executor());
      } else if (a_batch.numel() == count) {
        kernels::gemm_f32(false, false, rows, nn, kk, 1.0f, ap, kk, bp, nn, 0.0f, y, nn, epilogue,
                          ctx.executor());
      } else {  // A broadcast too (count > 1 only when batch dims of size 1 meet): per matrix
        for (std::int64_t e = 0; e < count; ++e) {
          kernels::gemm_f32(false, false, mm, nn, kk, 1.0f, ap, kk, bp, nn, 0.0f, y + e * m * n, nn,
                            epilogue, ctx.executor());
        }
      }
      return;
    }
    if (a_batch.numel() == count && b_batch.numel() == count) {
      kernels::gemm_batched_f32(static_cast<std::size_t>(count), false, false, mm, nn, kk, 1.0f, ap,
                                kk, mm * kk, bp, nn, kk * nn, 0.0f, y, nn, mm * nn, epilogue,
                                ctx.executor());
      return;
    }
    const Shape ins[2] = {a_batch, b_batch};
    for_each_broadcast(batch, ins, [&](std::int64_t e, const std::int64_t* off) {
      kernels::gemm_f32(false, false, mm, nn, kk, 1.0f, ap + off[0] * m * k, kk,
                        bp + off[1] * k * n, nn, 0.0f, y + e * m * n, nn, epilogue, ctx.executor());
    });
  }

 private:
  kernels::Activation activation_;
  std::size_t n_ = 0, k_ = 0;
  std::vector<float> packed_;
};

// Einsum as one loop over every label (output labels outer, summed labels inner), accumulating
// in double; ellipses broadcast, a label repeated in one operand takes its diagonal.
class EinsumKernel final : public OpKernel {
 public:
  explicit EinsumKernel(const OpInfo& info) {
    const std::string eq = info.require("equation", Attribute::Kind::string).s;
    std::string lhs = eq, rhs;
    const std::size_t arrow = eq.find("->");
    explicit_ = arrow != std::string::npos;
    if (explicit_) {
      lhs = eq.substr(0, arrow);
      rhs = eq.substr(arrow + 2);
    }
    std::string term;
    for (char ch : lhs + ",") {
      if (ch == ' ') continue;
      if (ch == ',') {
        terms_.push_back(parse(info, term));
        term.clear();
      } else {
        term += ch;
      }
    }
    if (explicit_) output_ = parse(info, rhs);
    if (terms_.size() != info.input_count()) {
      info.fail(ErrorKind::invalid_model, "equation '" + eq + "' has " +
                                              std::to_string(terms_.size()) + " operands for " +
                                              std::to_string(info.input_count()) + " inputs");
    }
  }

  void run(OpContext& ctx) const override {
    const std::size_t count = ctx.input_count();
    // Labels: letters 0..51, ellipsis dimensions 52.. (right-aligned across operands).
    constexpr int ellipsis_base = 52;
    std::size_t ell_rank = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const Tensor& t = ctx.input(i);
      const Term& term = terms_[i];
      if (t.dtype() != ctx.input(0).dtype()) {
        ctx.fail(ErrorKind::invalid_model, "the inputs have different dtypes");
      }
      if (term.ellipsis ? t.rank() < term.letters.size() : t.rank() != term.letters.size()) {
        ctx.fail(ErrorKind::shape_mismatch, "input " + std::to_string(i) + " " +
                                                t.shape().to_string() +
                                                " does not fit its term of the equation");
      }
      if (term.ellipsis) ell_rank = std::max(ell_rank, t.rank() - term.letters.size());
    }
    std::vector<std::int64_t> size(ellipsis_base + Shape::max_rank, -1);
    std::vector<std::vector<int>> labels(count);
    std::vector<int> seen(ellipsis_base + Shape::max_rank, 0);
    for (std::size_t i = 0; i < count; ++i) {
      const Tensor& t = ctx.input(i);
      labels[i] = expand(terms_[i], t.rank(), ell_rank);
      for (std::size_t d = 0; d < t.rank(); ++d) {
        const int l = labels[i][d];
        const std::int64_t n = t.shape()[d];
        ++seen[l];
        if (size[l] == -1 || size[l] == 1) size[l] = n;
        else if (n != size[l] && n != 1) {
          ctx.fail(ErrorKind::shape_mismatch, "a label of the equation has sizes " +
                                                  std::to_string(size[l]) + " and " +
                                                  std::to_string(n));
        }
      }
    }
    std::vector<int> out;
    if (explicit_) {
      out = expand(output_, output_.letters.size() + (output_.ellipsis ? ell_rank : 0), ell_rank);
    } else {  // the ellipsis, then the letters seen once, in alphabetical order
      for (std::size_t e = 0; e < ell_rank; ++e) out.push_back(ellipsis_base + static_cast<int>(e));
      for (int l = 0; l < ellipsis_base; ++l) {
        if (seen[l] == 1) out.push_back(l);
      }
    }
    std::vector<std::int64_t> out_dims;
    std::vector<char> is_out(size.size(), 0);
    for (int l : out) {
      if (size[l] < 0) ctx.fail(ErrorKind::invalid_model, "an output label appears in no input");
      if (is_out[l]) ctx.fail(ErrorKind::invalid_model, "an output label appears twice");
      is_out[l] = 1;
      out_dims.push_back(size[l]);
    }
    std::vector<int> all(out);
    for (int l = 0; l < static_cast<int>(size.size()); ++l) {
      if (size[l] >= 0 && !is_out[l]) all.push_back(l);
    }
    // Element strides of every operand (and the output) along every label.
    const std::size_t nl = all.size();
    std::vector<std::int64_t> strides((count + 1) * nl, 0), extent(nl);
    for (std::size_t j = 0; j < nl; ++j) extent[j] = size[all[j]];
    for (std::size_t i = 0; i < count; ++i) {
      const Shape& s = ctx.input(i).shape();
      std::int64_t st = 1;
      for (std::size_t d = s.rank(); d-- > 0;) {
        const std::size_t j =
            static_cast<std::size_t>(std::find(all.begin(), all.end(), labels[i][d]) - all.begin());
        if (s[d] != 1) strides[i * nl + j] += st;
        st *= s[d];
      }
    }
    for (std::size_t j = out.size(), st = 1; j-- > 0;) {
      strides[count * nl + j] = static_cast<std::int64_t>(st);
      st *= static_cast<std::size_t>(extent[j]);
    }
    Tensor& y = ctx.output(0, ctx.input(0).dtype(), make_shape(out_dims));
    auto* acc =
        static_cast<double*>(ctx.scratch(static_cast<std::size_t>(y.numel()) * sizeof(double)));
    std::fill(acc, acc + y.numel(), 0.0);
    visit_dtype(
        ctx.info(), y.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          std::vector<const T*> in(count);
          for (std::size_t i = 0; i < count; ++i) in[i] = ctx.input(i).template data<T>();
          std::int64_t total = 1;
          for (std::int64_t e : extent) total *= e;
          std::vector<std::int64_t> index(nl, 0), off(count + 1, 0);
          for (std::int64_t it = 0; it < total; ++it) {
            double prod = 1.0;
            for (std::size_t i = 0; i < count; ++i) prod *= static_cast<double>(in[i][off[i]]);
            acc[off[count]] += prod;
            for (std::size_t j = nl; j-- > 0;) {  // odometer step over the labels
              ++index[j];
              for (std::size_t i = 0; i <= count; ++i) off[i] += strides[i * nl + j];
              if (index[j] < extent[j]) break;
              for (std::size_t i = 0; i <= count; ++i) off[i] -= strides[i * nl + j] * extent[j];
              index[j] = 0;
            }
          }
          T* py = y.data<T>();
          for (std::int64_t e = 0; e < y.numel(); ++e) py[e] = static_cast<T>(acc[e]);
        },
        NumericTypes{});
  }

 private:
  struct Term {
    std::vector<int> letters;  // label ids of the letters
    bool ellipsis = false;
    std::size_t ellipsis_at = 0;  // the ellipsis stands before letters[ellipsis_at]
  };

  static Term parse(const OpInfo& info, const std::string& s) {
    Term t;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char ch = s[i];
      if (ch == ' ') continue;
      if (ch == '.') {
        if (t.ellipsis || s.compare(i, 3, "...") != 0) {
          info.fail(ErrorKind::invalid_model, "malformed ellipsis in the equation");
        }
        t.ellipsis = true;
        t.letters.push_back(-1);
        i += 2;
      } else if (ch >= 'a' && ch <= 'z') {
        t.letters.push_back(ch - 'a');
      } else if (ch >= 'A' && ch <= 'Z') {
        t.letters.push_back(26 + ch - 'A');
      } else {
        info.fail(ErrorKind::invalid_model,
                  std::string("character '") + ch + "' in the equation is not a letter");
      }
    }
    if (t.ellipsis) {  // keep only real letters; remember where the ellipsis was
      const auto at = std::find(t.letters.begin(), t.letters.end(), -1);
      t.letters.erase(at);
      t.ellipsis_at = static_cast<std::size_t>(at - t.letters.begin());
    }
    return t;
  }

  // The label of each dimension of a tensor of `rank` with this term.
  static std::vector<int> expand(const Term& t, std::size_t rank, std::size_t ell_rank) {
    std::vector<int> out;
    const std::size_t ell = t.ellipsis ? rank - t.letters.size() : 0;
    for (std::size_t i = 0; i <= t.letters.size(); ++i) {
      if (t.ellipsis && i == t.ellipsis_at) {
        for (std::size_t e = 0; e < ell; ++e)
          out.push_back(52 + static_cast<int>(ell_rank - ell + e));
      }
      if (i < t.letters.size()) out.push_back(t.letters[i]);
    }
    return out;
  }

  bool explicit_ = false;
  std::vector<Term> terms_;
  Term output_;
};

// MatMulInteger: int32 A B with zero points (a_zero_point scalar or per row of A, b_zero_point
// scalar or per column of B), on the int8 GEMM. A constant B is packed once at load; constant zero
// points are read once at load.
class MatMulIntegerKernel final : public OpKernel {
 public:
  explicit MatMulIntegerKernel(const OpInfo& info) : params_(info, where()) {
    if (const Tensor* b = info.constant_input(1)) weights_.prepare(*b, false);
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    require_8bit(info, a, "A");
    require_8bit(info, b, "B");
    params_.check_zero_dtype(ctx, true, a, "a_zero_point");
    params_.check_zero_dtype(ctx, false, b, "b_zero_point");
    Int8Params storage;
    const Int8Params& q = params_.get(ctx, storage);
    kernels::QgemmEpilogue e;
    e.output = kernels::QgemmOutput::s32;
    run_int8_matmul(ctx, a, false, b, false, q.a_zero, q.b_zero, weights_, e, 0, DType::i32);
  }

 private:
  static Int8ParamInputs where() {
    Int8ParamInputs w;
    w.a_zero = 2;
    w.b_zero = 3;
    return w;
  }
  Int8ParamCache params_;
  PackedInt8Weights weights_;
};

// The kernel's epilogue for requantized or float output with the multipliers of `q` per
// column (or per tensor).
inline kernels::QgemmEpilogue int8_epilogue(const Int8Params& q, kernels::QgemmAxis axis) {
  kernels::QgemmEpilogue e;
  e.output = q.y_type == DType::f32  ? kernels::QgemmOutput::f32
             : q.y_type == DType::u8 ? kernels::QgemmOutput::u8
                                     : kernels::QgemmOutput::s8;
  e.scale = q.multiplier.data();
  e.scale_axis = q.multiplier.size() > 1 ? axis : kernels::QgemmAxis::per_tensor;
  e.zero_point = q.y_zero;
  return e;
}

// QLinearMatMul: y = saturate(round_half_even(acc * (a_scale * b_scale[j] / y_scale)) + y_zero),
// the multiplier computed in float; b_scale and b_zero_point scalar or per column of B.
class QLinearMatMulKernel final : public OpKernel {
 public:
  explicit QLinearMatMulKernel(const OpInfo& info) : params_(info, where()) {
    require_f32_inputs(info, {nullptr, "a_scale", nullptr, nullptr, "b_scale", nullptr, "y_scale"});
    if (const Tensor* b = info.constant_input(3)) weights_.prepare(*b, false);
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    require_8bit(info, a, "a");
    require_8bit(info, b, "b");
    params_.check_zero_dtype(ctx, true, a, "a_zero_point");
    params_.check_zero_dtype(ctx, false, b, "b_zero_point");
    static_cast<void>(ctx.input(6));  // y_scale and y_zero_point are required
    static_cast<void>(ctx.input(7));
    Int8Params storage;
    const Int8Params& q = params_.get(ctx, storage);
    run_int8_matmul(ctx, a, false, b, false, q.a_zero, q.b_zero, weights_,
                    int8_epilogue(q, kernels::QgemmAxis::per_column), q.multiplier.size(),
                    q.y_type);
  }

 private:
  static Int8ParamInputs where() {
    Int8ParamInputs w;
    w.a_scale = 1;
    w.a_zero = 2;
    w.b_scale = 4;
    w.b_zero = 5;
    w.y_scale = 6;
    w.y_zero = 7;
    return w;
  }
  Int8ParamCache params_;
  PackedInt8Weights weights_;
};

// com.microsoft QGemm (ONNX Runtime's contrib op): Y = alpha * A' B' with A' = A or A^T
// (transA), B' = B or B^T (transB), 8-bit A and B with zero points (b per column allowed), an
// optional int32 C added to the sums (scalar, [N] or [1, N]: per column; [M, 1]: per row). Without
// y_scale Y is float: (acc + C) * (alpha * a_scale * b_scale[j]); with it Y is requantized to the
// type of y_zero_point (uint8 when absent) with multiplier alpha * a_scale * b_scale[j] / y_scale.
class QGemmKernel final : public OpKernel {
 public:
  explicit QGemmKernel(const OpInfo& info)
      : trans_a_(info.get_int("transA", 0) != 0),
        trans_b_(info.get_int("transB", 0) != 0),
        params_(info, where(info.get_float("alpha", 1.0f))) {
    if (const Tensor* b = info.constant_input(3)) {
      if (b->rank() == 2) weights_.prepare(*b, trans_b_);
    }
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    require_8bit(info, a, "A");
    require_8bit(info, b, "B");
    if (a.rank() != 2 || b.rank() != 2) {
      ctx.fail(ErrorKind::shape_mismatch,
               "A " + a.shape().to_string() + " and B " + b.shape().to_string() + " must be 2-D");
    }
    params_.check_zero_dtype(ctx, true, a, "a_zero_point");
    params_.check_zero_dtype(ctx, false, b, "b_zero_point");
    Int8Params storage;
    const Int8Params& q = params_.get(ctx, storage);
    kernels::QgemmEpilogue e = int8_epilogue(q, kernels::QgemmAxis::per_column);
    if (ctx.has_input(6)) {
      const Tensor& c = ctx.input(6);
      if (c.dtype() != DType::i32) {
        ctx.fail(ErrorKind::unsupported_op,
                 "C has dtype " + std::string(dtype_name(c.dtype())) + "; int32 expected");
      }
      const Shape& cs = c.shape();
      const std::int64_t m = a.shape()[trans_a_ ? 1 : 0], n = b.shape()[trans_b_ ? 0 : 1];
      if (c.numel() == 1) {
        e.bias_axis = kernels::QgemmAxis::per_tensor;
      } else if ((cs.rank() == 1 && cs[0] == n) || (cs.rank() == 2 && cs[0] == 1 && cs[1] == n)) {
        e.bias_axis = kernels::QgemmAxis::per_column;
      } else if (cs.rank() == 2 && cs[0] == m && cs[1] == 1) {
        e.bias_axis = kernels::QgemmAxis::per_row;
      } else {
        ctx.fail(ErrorKind::unsupported_op,
                 "C " + cs.to_string() + " (only a scalar, [N], [1, N] or [M, 1] C is supported)");
      }
      e.bias = c.data<std::int32_t>();
    }
    run_int8_matmul(ctx, a, trans_a_, b, trans_b_, q.a_zero, q.b_zero, weights_, e,
                    q.multiplier.size(), q.y_type);
  }

 private:
  static Int8ParamInputs where(float alpha) {
    Int8ParamInputs w;
    w.a_scale = 1;
    w.a_zero = 2;
    w.b_scale = 4;
    w.b_zero = 5;
    w.y_scale = 7;
    w.y_zero = 8;
    w.alpha = alpha;
    return w;
  }
  bool trans_a_, trans_b_;
  Int8ParamCache params_;
  PackedInt8Weights weights_;
};

inline void register_gemm_ops(OpSet& ops) {
  ops.add("", "Gemm", 1, factory<GemmKernel>());
  ops.add("", "MatMul", 1, factory<MatMulKernel>());
  ops.add("", "Einsum", 12, factory<EinsumKernel>());
  ops.add("", "MatMulInteger", 10, factory<MatMulIntegerKernel>());
  ops.add("", "QLinearMatMul", 10, factory<QLinearMatMulKernel>());
  ops.add("com.microsoft", "QGemm", 1, factory<QGemmKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_GEMM_HPP
