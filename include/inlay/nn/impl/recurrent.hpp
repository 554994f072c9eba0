// nn::LSTM and nn::GRU: forward over all steps, backpropagation through time and ONNX export.
// The per-step gate math is kernels::lstm_cell_f32 / gru_cell_f32 (shared with the graph door).
#ifndef INLAY_NN_IMPL_RECURRENT_HPP
#define INLAY_NN_IMPL_RECURRENT_HPP

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/recurrent.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/impl/export.hpp"
#include "inlay/nn/recurrent.hpp"
#include "inlay/onnx/writer.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
// c[batch rows, n] (row stride ldc) = a[batch rows, k] (stride lda) r[n, k]^T + beta c + bias.
void recurrent_product(std::size_t batch, std::size_t n, std::size_t k, const float* a,
                       std::size_t lda, const float* r, float beta, float* c, std::size_t ldc,
                       const float* bias, Executor* executor) {
  if (batch == 1) {
    kernels::matvec_f32(false, n, k, 1.0f, r, k, a, beta, c, bias);
    return;
  }
  kernels::GemmEpilogue ep;
  if (bias != nullptr) {
    ep.bias = bias;
    ep.bias_kind = kernels::BiasKind::per_column;
  }
  kernels::gemm_f32(false, true, batch, n, k, 1.0f, a, lda, r, k, beta, c, ldc, ep, executor);
}

// The gradient a step's dL/dh receives from the layer's output.
const float* output_grad(const RecurrentSizes& s, bool sequences, const float* dy, std::size_t b,
                         std::size_t t) {
  if (sequences) return dy + (b * s.seq + t) * s.hidden;
  return t + 1 == s.seq ? dy + b * s.hidden : nullptr;
}

// After the steps: dW = da^T x, dx = da W (da [batch * seq, gates]).
void input_grads(const RecurrentSizes& s, std::size_t g, const float* x, const float* w,
                 const float* da, float* dw, float* dx) {
  const std::size_t rows = s.batch * s.seq;
  kernels::gemm_f32(true, false, g, s.in, rows, 1.0f, da, g, x, s.in, 0.0f, dw, s.in);
  if (dx != nullptr) {
    kernels::gemm_f32(false, false, rows, s.in, g, 1.0f, da, g, w, s.in, 0.0f, dx, s.in);
  }
}

std::string int64_constant(ExportContext& ctx, const std::vector<std::int64_t>& values) {
  Tensor t(DType::i64, Shape{static_cast<std::int64_t>(values.size())});
  std::memcpy(t.data<std::int64_t>(), values.data(), values.size() * sizeof(std::int64_t));
  const std::string name = ctx.fresh("axes");
  ctx.graph->add_initializer(name, t);
  return name;
}

// [batch, seq, in] -> [seq, batch, in] -> `op` -> [batch, seq, hidden] or [batch, hidden].
std::string export_recurrent(ExportContext& ctx, const char* op, const RecurrentSizes& s,
                             bool sequences, std::size_t gates, const float* w, const float* r,
                             const std::vector<float>& bias, bool linear_before_reset,
                             const std::string& input) {
  const auto in = static_cast<std::int64_t>(s.in), hs = static_cast<std::int64_t>(s.hidden);
  const auto g = static_cast<std::int64_t>(gates) * hs;
  std::string x_seq;
  node(ctx, "Transpose", {input}, x_seq).attr("perm", {1, 0, 2});
  const std::string wn = add_constant(ctx, "W", w, {1, g, in});
  const std::string rn = add_constant(ctx, "R", r, {1, g, hs});
  const std::string bn = add_constant(ctx, "B", bias.data(), {1, 2 * g});
  const std::string y = ctx.fresh(op), y_h = ctx.fresh("Y_h");
  onnx::NodeWriter& n = ctx.graph->add_node(op, {x_seq, wn, rn, bn}, {y, y_h}, y);
  n.attr("hidden_size", hs);
  if (linear_before_reset) n.attr("linear_before_reset", std::int64_t{1});
  std::string out;
  if (!sequences) {  // Y_h [1, batch, hidden]
    node(ctx, "Squeeze", {y_h, int64_constant(ctx, {0})}, out);
    return out;
  }
  std::string squeezed;  // Y [seq, 1, batch, hidden]
  node(ctx, "Squeeze", {y, int64_constant(ctx, {1})}, squeezed);
  node(ctx, "Transpose", {squeezed}, out).attr("perm", {1, 0, 2});
  return out;
}
}  // namespace

void lstm_forward(const RecurrentSizes& s, const float* x, const float* w, const float* r,
                  const float* bias, float* gates, float* c, float* tanh_c, float* h,
                  Executor* executor) {
  const std::size_t hs = s.hidden, g = 4 * hs;
  kernels::GemmEpilogue ep;
  ep.bias = bias;
  ep.bias_kind = kernels::BiasKind::per_column;
  kernels::gemm_f32(false, true, s.batch * s.seq, g, s.in, 1.0f, x, s.in, w, s.in, 0.0f, gates, g,
                    ep, executor);
  for (std::size_t t = 0; t < s.seq; ++t) {
    if (t > 0) {  // gates += h_{t-1} R^T for every row
      recurrent_product(s.batch, g, hs, h + (t - 1) * hs, s.seq * hs, r, 1.0f, gates + t * g,
                        s.seq * g, nullptr, executor);
    }
    for (std::size_t b = 0; b < s.batch; ++b) {
      const std::size_t at = b * s.seq + t;
      float* ct = c + at * hs;
      if (t == 0) std::fill(ct, ct + hs, 0.0f);  // c_{-1} = 0, read in place
      kernels::lstm_cell_f32(gates + at * g, t == 0 ? ct : ct - hs, ct, tanh_c + at * hs,
                             h + at * hs, hs);
    }
  }
}

void lstm_backward(const RecurrentSizes& s, bool sequences, const float* x, const float* w,
                   const float* r, const float* gates, const float* c, const float* tanh_c,
                   const float* h, const float* dy, float* da, float* dh, float* dc, float* dw,
                   float* dr, float* dbias, float* dx) {
  const std::size_t hs = s.hidden, g = 4 * hs;
  std::fill(dh, dh + s.batch * hs, 0.0f);
  std::fill(dc, dc + s.batch * hs, 0.0f);
  std::fill(dr, dr + g * hs, 0.0f);
  for (std::size_t t = s.seq; t-- > 0;) {
    for (std::size_t b = 0; b < s.batch; ++b) {
      const std::size_t at = b * s.seq + t;
      const float* gi = gates + at * g;
      const float* go = gi + hs;
      const float* gf = gi + 2 * hs;
      const float* gc = gi + 3 * hs;
      const float* tc = tanh_c + at * hs;
      const float* c_prev = t > 0 ? c + (at - 1) * hs : nullptr;
      const float* out = output_grad(s, sequences, dy, b, t);
      float* dhb = dh + b * hs;
      float* dcb = dc + b * hs;
      float* d = da + at * g;
      for (std::size_t k = 0; k < hs; ++k) {
        const float dh_k = dhb[k] + (out ? out[k] : 0.0f);
        const float dc_k = dcb[k] + dh_k * go[k] * (1.0f - tc[k] * tc[k]);
        const float cp = c_prev ? c_prev[k] : 0.0f;
        d[k] = dc_k * gc[k] * gi[k] * (1.0f - gi[k]);
        d[hs + k] = dh_k * tc[k] * go[k] * (1.0f - go[k]);
        d[2 * hs + k] = dc_k * cp * gf[k] * (1.0f - gf[k]);
        d[3 * hs + k] = dc_k * gi[k] * (1.0f - gc[k] * gc[k]);
        dcb[k] = dc_k * gf[k];
      }
    }
    // dh_{t-1} = da_t R; dR += da_t^T h_{t-1}.
    kernels::gemm_f32(false, false, s.batch, hs, g, 1.0f, da + t * g, s.seq * g, r, hs, 0.0f, dh,
                      hs);
    if (t > 0) {
      kernels::gemm_f32(true, false, g, hs, s.batch, 1.0f, da + t * g, s.seq * g, h + (t - 1) * hs,
                        s.seq * hs, 1.0f, dr, hs);
    }
  }
  sum_rows(da, dbias, s.batch * s.seq, g);
  input_grads(s, g, x, w, da, dw, dx);
}

void gru_forward(const RecurrentSizes& s, const float* x, const float* w, const float* r,
                 const float* w_bias, const float* r_bias, float* x_proj, float* gates,
                 float* recurrent_h, float* h, Executor* executor) {
  const std::size_t hs = s.hidden, g = 3 * hs;
  kernels::GemmEpilogue ep;
  ep.bias = w_bias;
  ep.bias_kind = kernels::BiasKind::per_column;
  kernels::gemm_f32(false, true, s.batch * s.seq, g, s.in, 1.0f, x, s.in, w, s.in, 0.0f, x_proj, g,
                    ep, executor);
  for (std::size_t t = 0; t < s.seq; ++t) {
    if (t > 0) {  // gates = h_{t-1} R^T + Rb
      recurrent_product(s.batch, g, hs, h + (t - 1) * hs, s.seq * hs, r, 0.0f, gates + t * g,
                        s.seq * g, r_bias, executor);
    }
    for (std::size_t b = 0; b < s.batch; ++b) {
      const std::size_t at = b * s.seq + t;
      float* ht = h + at * hs;
      if (t == 0) {  // h_{-1} = 0: the recurrent part is Rb alone
        std::memcpy(gates + at * g, r_bias, g * sizeof(float));
        std::fill(ht, ht + hs, 0.0f);
      }
      kernels::gru_cell_f32(x_proj + at * g, gates + at * g, t == 0 ? ht : ht - hs, ht,
                            recurrent_h + at * hs, hs);
    }
  }
}

void gru_backward(const RecurrentSizes& s, bool sequences, const float* x, const float* w,
                  const float* r, const float* gates, const float* recurrent_h, const float* h,
                  const float* dy, float* dx_proj, float* dgates, float* dh, float* dw, float* dr,
                  float* dw_bias, float* dr_bias, float* dx) {
  const std::size_t hs = s.hidden, g = 3 * hs;
  std::fill(dh, dh + s.batch * hs, 0.0f);
  std::fill(dr, dr + g * hs, 0.0f);
  for (std::size_t t = s.seq; t-- > 0;) {
    for (std::size_t b = 0; b < s.batch; ++b) {
      const std::size_t at = b * s.seq + t;
      const float* z = gates + at * g;
      const float* rr = z + hs;
      const float* n = z + 2 * hs;
      const float* hh = recurrent_h + at * hs;
      const float* h_prev = t > 0 ? h + (at - 1) * hs : nullptr;
      const float* out = output_grad(s, sequences, dy, b, t);
      float* dhb = dh + b * hs;
      float* dxp = dx_proj + at * g;
      float* dg = dgates + at * g;
      for (std::size_t k = 0; k < hs; ++k) {
        const float dh_k = dhb[k] + (out ? out[k] : 0.0f);
        const float hp = h_prev ? h_prev[k] : 0.0f;
        const float dn = dh_k * (1.0f - z[k]) * (1.0f - n[k] * n[k]);
        const float dz = dh_k * (hp - n[k]) * z[k] * (1.0f - z[k]);
        const float dr_k = dn * hh[k] * rr[k] * (1.0f - rr[k]);
        dxp[k] = dg[k] = dz;
        dxp[hs + k] = dg[hs + k] = dr_k;
        dxp[2 * hs + k] = dn;
        dg[2 * hs + k] = dn * rr[k];
        dhb[k] = dh_k * z[k];
      }
    }
    // dh_{t-1} += dg_t R; dR += dg_t^T h_{t-1}.
    kernels::gemm_f32(false, false, s.batch, hs, g, 1.0f, dgates + t * g, s.seq * g, r, hs, 1.0f,
                      dh, hs);
    if (t > 0) {
      kernels::gemm_f32(true, false, g, hs, s.batch, 1.0f, dgates + t * g, s.seq * g,
                        h + (t - 1) * hs, s.seq * hs, 1.0f, dr, hs);
    }
  }
  sum_rows(dx_proj, dw_bias, s.batch * s.seq, g);
  sum_rows(dgates, dr_bias, s.batch * s.seq, g);
  input_grads(s, g, x, w, dx_proj, dw, dx);
}

std::string export_lstm(ExportContext& ctx, const RecurrentSizes& s, bool sequences, const float* w,
                        const float* r, const float* bias, const std::string& input) {
  std::vector<float> b(8 * s.hidden, 0.0f);  // [Wb, Rb]; R has no bias of its own
  std::copy(bias, bias + 4 * s.hidden, b.begin());
  return export_recurrent(ctx, "LSTM", s, sequences, 4, w, r, b, false, input);
}

std::string export_gru(ExportContext& ctx, const RecurrentSizes& s, bool sequences, const float* w,
                       const float* r, const float* w_bias, const float* r_bias,
                       const std::string& input) {
  std::vector<float> b(w_bias, w_bias + 3 * s.hidden);
  b.insert(b.end(), r_bias, r_bias + 3 * s.hidden);
  return export_recurrent(ctx, "GRU", s, sequences, 3, w, r, b, true, input);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_RECURRENT_HPP
