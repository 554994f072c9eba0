// nn::MultiHeadAttention: forward, backward and ONNX export (nn/attention.hpp).
#ifndef INLAY_NN_IMPL_ATTENTION_HPP
#define INLAY_NN_IMPL_ATTENTION_HPP

#include <cmath>
#include <string>
#include <vector>

#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/softmax.hpp"
#include "inlay/nn/attention.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/impl/export.hpp"
#include "inlay/nn/impl/recurrent.hpp"  // int64_constant

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
// A masked score: exp of it underflows to exactly 0 in float, in the typed forward and in the
// exported graph alike.
constexpr float masked_score = -1e9f;

// The offset of head h's columns of sample b in a [batch, seq, embed] tensor.
std::size_t head_at(const AttentionSizes& s, std::size_t b, std::size_t h) {
  return b * s.seq * s.embed + h * (s.embed / s.heads);
}
}  // namespace

void attention_forward(const AttentionSizes& s, const AttentionWeights& p, const float* x, float* q,
                       float* k, float* v, float* probs, float* o, float* y, Executor* executor) {
  const std::size_t rows = s.batch * s.seq, e = s.embed, d = e / s.heads, n = s.seq;
  float* proj[3] = {q, k, v};
  for (int i = 0; i < 3; ++i) {
    kernels::GemmEpilogue ep;
    ep.bias = p.b[i];
    ep.bias_kind = kernels::BiasKind::per_column;
    kernels::gemm_f32(false, false, rows, e, e, 1.0f, x, e, p.w[i], e, 0.0f, proj[i], e, ep,
                      executor);
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t h = 0; h < s.heads; ++h) {
      float* pr = probs + (b * s.heads + h) * n * n;
      const std::size_t at = head_at(s, b, h);
      kernels::gemm_f32(false, true, n, n, d, scale, q + at, e, k + at, e, 0.0f, pr, n);
      if (s.causal) {
        for (std::size_t i = 0; i < n; ++i) {
          for (std::size_t j = i + 1; j < n; ++j) pr[i * n + j] = masked_score;
        }
      }
      if (s.padding != nullptr) {
        const std::uint8_t* pad = s.padding + b * n;
        for (std::size_t j = 0; j < n; ++j) {
          if (!pad[j]) continue;
          for (std::size_t i = 0; i < n; ++i) pr[i * n + j] = masked_score;
        }
      }
      kernels::softmax_f32(pr, pr, n, n, 1);
      kernels::gemm_f32(false, false, n, d, n, 1.0f, pr, n, v + at, e, 0.0f, o + at, e);
    }
  }
  kernels::GemmEpilogue ep;
  ep.bias = p.b[3];
  ep.bias_kind = kernels::BiasKind::per_column;
  kernels::gemm_f32(false, false, rows, e, e, 1.0f, o, e, p.w[3], e, 0.0f, y, e, ep, executor);
}

void attention_backward(const AttentionSizes& s, const AttentionWeights& p, const float* x,
                        const float* q, const float* k, const float* v, const float* probs,
                        const float* o, const float* dy, float* dq, float* dk, float* dv,
                        float* dout, float* dprobs, float* const* dw, float* const* db, float* dx) {
  const std::size_t rows = s.batch * s.seq, e = s.embed, d = e / s.heads, n = s.seq;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  // Output projection: dO = dy Wo^T, dWo = O^T dy.
  kernels::gemm_f32(false, true, rows, e, e, 1.0f, dy, e, p.w[3], e, 0.0f, dout, e);
  kernels::gemm_f32(true, false, e, e, rows, 1.0f, o, e, dy, e, 0.0f, dw[3], e);
  sum_rows(dy, db[3], rows, e);
  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t h = 0; h < s.heads; ++h) {
      const float* pr = probs + (b * s.heads + h) * n * n;
      const std::size_t at = head_at(s, b, h);
      // dP = dO_h V_h^T, dV_h = P^T dO_h.
      kernels::gemm_f32(false, true, n, n, d, 1.0f, dout + at, e, v + at, e, 0.0f, dprobs, n);
      kernels::gemm_f32(true, false, n, d, n, 1.0f, pr, n, dout + at, e, 0.0f, dv + at, e);
      // Softmax backward per row: dS = P (dP - sum(P dP)), times the score scale.
      for (std::size_t i = 0; i < n; ++i) {
        float dot = 0.0f;
        for (std::size_t j = 0; j < n; ++j) dot += pr[i * n + j] * dprobs[i * n + j];
        for (std::size_t j = 0; j < n; ++j) {
          dprobs[i * n + j] = pr[i * n + j] * (dprobs[i * n + j] - dot) * scale;
        }
      }
      // dQ_h = dS K_h, dK_h = dS^T Q_h.
      kernels::gemm_f32(false, false, n, d, n, 1.0f, dprobs, n, k + at, e, 0.0f, dq + at, e);
      kernels::gemm_f32(true, false, n, d, n, 1.0f, dprobs, n, q + at, e, 0.0f, dk + at, e);
    }
  }
  const float* dproj[3] = {dq, dk, dv};
  for (int i = 0; i < 3; ++i) {
    kernels::gemm_f32(true, false, e, e, rows, 1.0f, x, e, dproj[i], e, 0.0f, dw[i], e);
    sum_rows(dproj[i], db[i], rows, e);
    if (dx != nullptr) {
      kernels::gemm_f32(false, true, rows, e, e, 1.0f, dproj[i], e, p.w[i], e, i == 0 ? 0.0f : 1.0f,
                        dx, e);
    }
  }
}

// The additive mask [batch, 1, 1, seq] (0 for a real key, masked_score for padding), made once
// per export from ctx.keep_mask.
std::string export_attention_mask(ExportContext& ctx, std::size_t seq) {
  if (ctx.keep_length != seq) {
    fail(ErrorKind::invalid_argument, "nn export: attention over " + std::to_string(seq) +
                                          " positions after a padding mask " + "of " +
                                          std::to_string(ctx.keep_length) + " positions");
  }
  if (ctx.attention_mask.empty()) {
    // (keep - 1) * 1e9: 0 where keep is 1, -1e9 where it is 0.
    const std::string additive =
        binary(ctx, "Mul", binary(ctx, "Sub", ctx.keep_mask, add_scalar(ctx, 1.0f)),
               add_scalar(ctx, -masked_score));
    ctx.attention_mask = binary(ctx, "Reshape", additive,
                                int64_constant(ctx, {0, 1, 1, static_cast<std::int64_t>(seq)}));
  }
  return ctx.attention_mask;
}

std::string export_attention(ExportContext& ctx, const AttentionSizes& s, const AttentionWeights& p,
                             const std::string& input) {
  const auto e = static_cast<std::int64_t>(s.embed), n = static_cast<std::int64_t>(s.seq);
  const auto heads = static_cast<std::int64_t>(s.heads);
  auto project = [&](int i, const std::string& x) {
    const std::string w = add_constant(ctx, "weight", p.w[i], {e, e});
    return binary(ctx, "Add", binary(ctx, "MatMul", x, w), add_constant(ctx, "bias", p.b[i], {e}));
  };
  // [batch, seq, embed] -> [batch, seq, heads, head width] -> the permutation `perm`.
  const std::string split = int64_constant(ctx, {0, n, heads, e / heads});
  auto heads_of = [&](const std::string& x, std::initializer_list<int> perm) {
    std::string t;
    node(ctx, "Transpose", {binary(ctx, "Reshape", x, split)}, t).attr("perm", perm);
    return t;
  };
  const std::string q = heads_of(project(0, input), {0, 2, 1, 3});   // [b, h, seq, d]
  const std::string kt = heads_of(project(1, input), {0, 2, 3, 1});  // [b, h, d, seq]
  const std::string v = heads_of(project(2, input), {0, 2, 1, 3});
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.embed / s.heads));
  std::string scores = binary(ctx, "Mul", binary(ctx, "MatMul", q, kt), add_scalar(ctx, scale));
  if (s.causal) {
    std::vector<float> mask(s.seq * s.seq, 0.0f);
    for (std::size_t i = 0; i < s.seq; ++i) {
      for (std::size_t j = i + 1; j < s.seq; ++j) mask[i * s.seq + j] = masked_score;
    }
    scores = binary(ctx, "Add", scores, add_constant(ctx, "mask", mask.data(), {n, n}));
  }
  if (!ctx.keep_mask.empty())
    scores = binary(ctx, "Add", scores, export_attention_mask(ctx, s.seq));
  std::string probs, merged;
  node(ctx, "Softmax", {scores}, probs).attr("axis", std::int64_t{-1});
  node(ctx, "Transpose", {binary(ctx, "MatMul", probs, v)}, merged).attr("perm", {0, 2, 1, 3});
  const std::string joined = binary(ctx, "Reshape", merged, int64_constant(ctx, {0, n, e}));
  return project(3, joined);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_ATTENTION_HPP
