// The recurrent family (kernels/recurrent.hpp, nn/recurrent.hpp): RNN, GRU, LSTM (forward, reverse,
// bidirectional; initial states; sequence lengths; layouts 0 and 1; activation lists; clip; LSTM
// peepholes and input_forget). Per direction, the input projection of every time step is one GEMM
// (the biases in its epilogue); each step then runs one recurrent product (a matrix-vector product
// for batch 1, a GEMM against R packed once at load otherwise; two for GRU with linear_before_reset
// 0) and the gate functions. With the default gate functions, no clip and no peepholes (what
// PyTorch exports) the gates run the cells of kernels/recurrent.hpp, which the typed door's
// nn::LSTM and nn::GRU share. Implementation-only.
#ifndef INLAY_GRAPH_OPS_RECURRENT_HPP
#define INLAY_GRAPH_OPS_RECURRENT_HPP

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/elementwise.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/recurrent.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// One gate function of the `activations` attribute with its alpha/beta.
class GateFunction {
 public:
  // Reads the function `name`; those that take alpha (beta) consume the next value of
  // `alphas` (`betas`) when one is left, else keep ONNX's default.
  GateFunction(const OpInfo& info, const std::string& name, const std::vector<float>& alphas,
               std::size_t& next_alpha, const std::vector<float>& betas, std::size_t& next_beta) {
    std::string n;
    for (char ch : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    // ONNX's defaults of alpha and beta; `takes_*` says whether the function consumes a value.
    struct Spec {
      const char* name;
      Kind kind;
      kernels::UnaryOp op;
      float alpha, beta;
      bool takes_alpha, takes_beta;
    };
    using kernels::UnaryOp;
    static const Spec specs[] = {
        {"relu", Kind::kernel, UnaryOp::relu, 0.0f, 0.0f, false, false},
        {"tanh", Kind::kernel, UnaryOp::tanh, 0.0f, 0.0f, false, false},
        {"sigmoid", Kind::kernel, UnaryOp::sigmoid, 0.0f, 0.0f, false, false},
        {"softplus", Kind::kernel, UnaryOp::softplus, 0.0f, 0.0f, false, false},
        {"softsign", Kind::softsign, UnaryOp::identity, 0.0f, 0.0f, false, false},
        {"leakyrelu", Kind::kernel, UnaryOp::leaky_relu, 0.01f, 0.0f, true, false},
        {"elu", Kind::kernel, UnaryOp::elu, 1.0f, 0.0f, true, false},
        {"thresholdedrelu", Kind::thresholded_relu, UnaryOp::identity, 1.0f, 0.0f, true, false},
        {"hardsigmoid", Kind::kernel, UnaryOp::hard_sigmoid, 0.2f, 0.5f, true, true},
        {"affine", Kind::affine, UnaryOp::identity, 1.0f, 0.0f, true, true},
        {"scaledtanh", Kind::scaled_tanh, UnaryOp::identity, 1.0f, 1.0f, true, true},
    };
    const Spec* spec = nullptr;
    for (const Spec& candidate : specs) {
      if (n == candidate.name) spec = &candidate;
    }
    if (spec == nullptr) info.fail(ErrorKind::unsupported_op, "activation '" + name + "'");
    kind_ = spec->kind;
    op_ = spec->op;
    float alpha = spec->alpha, beta = spec->beta;
    const bool uses_alpha = spec->takes_alpha, uses_beta = spec->takes_beta;
    if (uses_alpha && next_alpha < alphas.size()) alpha = alphas[next_alpha++];
    if (uses_beta && next_beta < betas.size()) beta = betas[next_beta++];
    alpha_ = alpha;
    beta_ = beta;
  }

  // Whether this is the unary kernel's `op` (the cells of kernels/recurrent.hpp use them).
  bool is(kernels::UnaryOp op) const { return kind_ == Kind::kernel && op_ == op; }

  // v[i] = f(v[i]) for i < n.
  void apply(float* v, std::size_t n) const {
    switch (kind_) {
      case Kind::kernel:
        kernels::unary_f32(v, v, n, kernels::Activation::of(op_, alpha_, beta_));
        return;
      case Kind::affine:
        for (std::size_t i = 0; i < n; ++i) v[i] = alpha_ * v[i] + beta_;
        return;
      case Kind::scaled_tanh:
        for (std::size_t i = 0; i < n; ++i) v[i] = alpha_ * std::tanh(beta_ * v[i]);
        return;
      case Kind::thresholded_relu:
        for (std::size_t i = 0; i < n; ++i) v[i] = v[i] > alpha_ ? v[i] : 0.0f;
        return;
      case Kind::softsign:
        for (std::size_t i = 0; i < n; ++i) v[i] = v[i] / (1.0f + std::fabs(v[i]));
        return;
    }
  }

 private:
  enum class Kind { kernel, affine, scaled_tanh, thresholded_relu, softsign };
  Kind kind_ = Kind::kernel;
  kernels::UnaryOp op_ = kernels::UnaryOp::identity;
  float alpha_ = 0.0f, beta_ = 0.0f;
};

enum class CellKind { rnn, gru, lstm };

class RecurrentKernel final : public OpKernel {
 public:
  RecurrentKernel(const OpInfo& info, CellKind cell)
      : cell_(cell),
        gates_(cell == CellKind::rnn   ? 1
               : cell == CellKind::gru ? 3
                                       : 4),
        hidden_size_(info.get_int("hidden_size", -1)),
        clip_(info.get_float("clip", 0.0f)),
        has_clip_(info.has("clip")),
        input_forget_(info.get_int("input_forget", 0) != 0),
        linear_before_reset_(info.get_int("linear_before_reset", 0) != 0),
        layout_(info.get_int("layout", 0)) {
    // sequence_lens (input 4) is an integer tensor.
    require_f32_inputs(info, {"X", "W", "R", "B", nullptr, "initial_h", "initial_c", "P"});
    enum class Direction { forward, reverse, bidirectional };
    const Direction direction =
        enum_attribute<Direction>(info, "direction", "forward",
                                  {{"forward", Direction::forward},
                                   {"reverse", Direction::reverse},
                                   {"bidirectional", Direction::bidirectional}},
                                  ErrorKind::invalid_model);
    directions_ = direction == Direction::bidirectional ? 2 : 1;
    reverse_ = direction == Direction::reverse;
    if (layout_ != 0 && layout_ != 1) {
      info.fail(ErrorKind::invalid_model, "layout " + std::to_string(layout_) + " is not 0 or 1");
    }
    if (has_clip_ && !(clip_ > 0.0f)) {
      info.fail(ErrorKind::invalid_model, "clip must be > 0, got " + std::to_string(clip_));
    }
    if (info.has("hidden_size") && hidden_size_ < 1) {
      info.fail(ErrorKind::invalid_model, "hidden_size must be >= 1");
    }
    // Functions per direction: f (RNN); f, g (GRU); f, g, h (LSTM).
    const std::size_t per = cell == CellKind::rnn ? 1 : cell == CellKind::gru ? 2 : 3;
    std::vector<std::string> names = info.get_strings("activations");
    if (names.empty()) {
      names = cell == CellKind::rnn   ? std::vector<std::string>{"Tanh"}
              : cell == CellKind::gru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                      : std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"};
    }
    if (names.size() == per && directions_ == 2) {  // one list for both directions
      const std::vector<std::string> one = names;
      names.insert(names.end(), one.begin(), one.end());
    }
    if (names.size() != per * directions_) {
      info.fail(ErrorKind::invalid_model, "activations lists " + std::to_string(names.size()) +
                                              " functions; " + std::to_string(per * directions_) +
                                              " are needed");
    }
    const std::vector<float> alphas = info.get_floats("activation_alpha");
    const std::vector<float> betas = info.get_floats("activation_beta");
    std::size_t next_alpha = 0, next_beta = 0;
    for (const std::string& n : names) {
      functions_.emplace_back(info, n, alphas, next_alpha, betas, next_beta);
    }
    // The shared cells apply: sigmoid and tanh gates without clip (peepholes checked per run).
    using kernels::UnaryOp;
    for (std::size_t d = 0; d < directions_; ++d) {
      const GateFunction* fn = &functions_[d * per];
      const bool standard = fn[0].is(UnaryOp::sigmoid) && fn[1].is(UnaryOp::tanh) &&
                            (cell != CellKind::lstm || fn[2].is(UnaryOp::tanh));
      cell_kernel_ = d == 0 ? standard : cell_kernel_ && standard;
    }
    cell_kernel_ = cell_kernel_ && !has_clip_ &&
                   ((cell == CellKind::lstm && !input_forget_) ||
                    (cell == CellKind::gru && linear_before_reset_));
    if (const Tensor* r = info.constant_input(2)) {
      const std::size_t hs = hidden(info, r->shape());
      // R as constant: packed once for the GEMM of batches over one row (each direction's
      // [gates * hidden, hidden] as op(B) = R^T).
      if (r->dtype() == DType::f32 && r->numel() > 0) {  // empty R: nothing to pack
        const std::size_t n = gates_ * hs;
        packed_size_ = kernels::gemm_packed_b_size_f32(n, hs);
        packed_r_.resize(packed_size_ * directions_);
        for (std::size_t d = 0; d < directions_; ++d) {
          kernels::gemm_pack_b_f32(true, n, hs, r->data<float>() + d * n * hs, hs,
                                   packed_r_.data() + d * packed_size_);
        }
      }
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor& r = ctx.input(2);
    require_f32(ctx, x, "X");
    require_f32(ctx, w, "W");
    require_f32(ctx, r, "R");
    if (x.rank() != 3)
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be 3-D");
    const std::size_t hs = hidden(info, r.shape());
    const auto seq = static_cast<std::size_t>(x.shape()[layout_ == 0 ? 0 : 1]);
    const auto batch = static_cast<std::size_t>(x.shape()[layout_ == 0 ? 1 : 0]);
    const auto in = static_cast<std::size_t>(x.shape()[2]);
    const std::size_t gh = gates_ * hs, dirs = directions_;
    expect(ctx, w, "W", {dirs, gh, in});
    const float* bias = optional(ctx, 3, "B", {dirs, 2 * gh});
    std::vector<std::int64_t> lens(batch, static_cast<std::int64_t>(seq));
    if (ctx.has_input(4)) {
      lens = read_ints(info, ctx.input(4), "sequence_lens");
      if (lens.size() != batch) {
        ctx.fail(ErrorKind::shape_mismatch, "sequence_lens has " + std::to_string(lens.size()) +
                                                " values for a batch of " + std::to_string(batch));
      }
      for (std::int64_t l : lens) {
        if (l < 0 || l > static_cast<std::int64_t>(seq)) {
          ctx.fail(ErrorKind::invalid_model, "sequence length " + std::to_string(l) +
                                                 " is outside [0, " + std::to_string(seq) + "]");
        }
      }
    }
    const std::vector<std::size_t> state_dims = layout_ == 0
                                                    ? std::vector<std::size_t>{dirs, batch, hs}
                                                    : std::vector<std::size_t>{batch, dirs, hs};
    const float* init_h = optional(ctx, 5, "initial_h", state_dims);
    const float* init_c =
        cell_ == CellKind::lstm ? optional(ctx, 6, "initial_c", state_dims) : nullptr;
    const float* peep = cell_ == CellKind::lstm ? optional(ctx, 7, "P", {dirs, 3 * hs}) : nullptr;

    auto dims = [](std::initializer_list<std::size_t> d) {
      std::vector<std::int64_t> v;
      for (std::size_t e : d) v.push_back(static_cast<std::int64_t>(e));
      return make_shape(v);
    };
    float* y = nullptr;
    if (ctx.output_count() > 0 && ctx.has_output(0)) {
      Tensor& t =
          ctx.output(0, DType::f32,
                     layout_ == 0 ? dims({seq, dirs, batch, hs}) : dims({batch, seq, dirs, hs}));
      y = t.data<float>();
      if (t.nbytes()) std::memset(y, 0, t.nbytes());  // steps past a sequence's end stay 0
    }
    const Shape state_shape = layout_ == 0 ? dims({dirs, batch, hs}) : dims({batch, dirs, hs});
    float* y_h = ctx.output_count() > 1 && ctx.has_output(1)
                     ? ctx.output(1, DType::f32, state_shape).data<float>()
                     : nullptr;
    float* y_c = cell_ == CellKind::lstm && ctx.output_count() > 2 && ctx.has_output(2)
                     ? ctx.output(2, DType::f32, state_shape).data<float>()
                     : nullptr;

    // Scratch: projections of all steps, the step's gates, h, c, r * h (GRU), two bias rows.
    const std::size_t proj = seq * batch * gh, step = batch * gh, state = batch * hs;
    float* base =
        static_cast<float*>(ctx.scratch((proj + step + 3 * state + 2 * gh + hs) * sizeof(float)));
    float* xw = base;
    float* g = xw + proj;
    float* h = g + step;
    float* c = h + state;
    float* rh = c + state;
    float* bias_x = rh + state;
    float* bias_r = bias_x + gh;
    float* tanh_c = bias_r + gh;  // the LSTM cell's tanh(c) of one row

    for (std::size_t d = 0; d < dirs; ++d) {
      const bool backward = reverse_ || d == 1;
      const float* wd = w.data<float>() + d * gh * in;
      const float* rd = r.data<float>() + d * gh * hs;
      // The projection's bias is Wb + Rb, except GRU's Rb of h with linear_before_reset, which
      // is added to the recurrent product before r multiplies it.
      for (std::size_t i = 0; i < gh; ++i) {
        const float wb = bias ? bias[d * 2 * gh + i] : 0.0f;
        const float rb = bias ? bias[d * 2 * gh + gh + i] : 0.0f;
        const bool separate = cell_ == CellKind::gru && linear_before_reset_ && i >= 2 * hs;
        bias_x[i] = separate ? wb : wb + rb;
        bias_r[i] = separate ? rb : 0.0f;
      }
      kernels::GemmEpilogue ep;
      ep.bias = bias_x;
      ep.bias_kind = kernels::BiasKind::per_column;
      if (seq * batch != 0) {
        kernels::gemm_f32(false, true, seq * batch, gh, in, 1.0f, x.data<float>(), in, wd, in, 0.0f,
                          xw, gh, ep, ctx.executor());
      }
      for (std::size_t b = 0; b < batch; ++b) {
        const std::size_t at = layout_ == 0 ? (d * batch + b) * hs : (b * dirs + d) * hs;
        if (init_h) std::memcpy(h + b * hs, init_h + at, hs * sizeof(float));
        else std::fill(h + b * hs, h + (b + 1) * hs, 0.0f);
        if (init_c) std::memcpy(c + b * hs, init_c + at, hs * sizeof(float));
        else std::fill(c + b * hs, c + (b + 1) * hs, 0.0f);
      }
      std::fill(rh, rh + state, 0.0f);  // rows past their sequence still enter the GEMM
      const GateFunction* fn = &functions_[d * (cell_ == CellKind::rnn   ? 1
                                                : cell_ == CellKind::gru ? 2
                                                                         : 3)];
      const float* pd = peep ? peep + d * 3 * hs : nullptr;
      const bool use_cell = cell_kernel_ && pd == nullptr;
      const float* packed = packed_r_.empty() ? nullptr : packed_r_.data() + d * packed_size_;
      for (std::size_t s = 0; s < seq; ++s) {
        // Recurrent products for every batch row (rows past their sequence are ignored).
        const bool gru_split = cell_ == CellKind::gru && !linear_before_reset_;
        const float* step_bias = cell_ == CellKind::gru && linear_before_reset_ ? bias_r : nullptr;
        // An LSTM of batch 1 takes the step's input projection as the product's bias.
        const bool x_in_product = use_cell && cell_ == CellKind::lstm && batch == 1 &&
                                  s < static_cast<std::size_t>(lens[0]);
        if (x_in_product) step_bias = xw + (backward ? lens[0] - 1 - s : s) * gh;
        recurrent_product(ctx, batch, gru_split ? 2 * hs : gh, hs, h, rd,
                          gru_split ? nullptr : packed, g, gh, step_bias);
        for (std::size_t b = 0; b < batch; ++b) {
          const auto len = static_cast<std::size_t>(lens[b]);
          if (s >= len) continue;
          if (x_in_product || (use_cell && cell_ == CellKind::gru)) continue;  // x added already
          const std::size_t t = backward ? len - 1 - s : s;
          const float* xrow = xw + (layout_ == 0 ? t * batch + b : b * seq + t) * gh;
          float* grow = g + b * gh;
          const std::size_t n = cell_ == CellKind::gru ? 2 * hs : gh;  // GRU's h: step_gru
          for (std::size_t i = 0; i < n; ++i) grow[i] += xrow[i];
          if (cell_ == CellKind::gru) {  // r, then r * h for the second product
            clip(grow + hs, hs);
            fn[0].apply(grow + hs, hs);
            if (gru_split) {
              for (std::size_t i = 0; i < hs; ++i) rh[b * hs + i] = grow[hs + i] * h[b * hs + i];
            }
          }
        }
        if (cell_ == CellKind::gru && !linear_before_reset_) {
          recurrent_product(ctx, batch, hs, hs, rh, rd + 2 * hs * hs, nullptr, g + 2 * hs, gh,
                            nullptr);
        }
        for (std::size_t b = 0; b < batch; ++b) {
          const auto len = static_cast<std::size_t>(lens[b]);
          if (s >= len) continue;
          const std::size_t t = backward ? len - 1 - s : s;
          const float* xrow = xw + (layout_ == 0 ? t * batch + b : b * seq + t) * gh;
          float* grow = g + b * gh;
          float* hb = h + b * hs;
          float* cb = c + b * hs;
          if (use_cell && cell_ == CellKind::lstm) {
            kernels::lstm_cell_f32(grow, cb, cb, tanh_c, hb, hs);
          } else if (use_cell) {
            kernels::gru_cell_f32(xrow, grow, hb, hb, nullptr, hs);
          } else if (cell_ == CellKind::rnn) {
            clip(grow, hs);
            fn[0].apply(grow, hs);
            std::memcpy(hb, grow, hs * sizeof(float));
          } else if (cell_ == CellKind::gru) {
            step_gru(fn, grow, xrow, hb, hs);
          } else {
            step_lstm(fn, grow, pd, hb, cb, hs);
          }
          if (y) {
            float* dst =
                y + (layout_ == 0 ? (t * dirs + d) * batch + b : (b * seq + t) * dirs + d) * hs;
            std::memcpy(dst, hb, hs * sizeof(float));
          }
        }
      }
      for (std::size_t b = 0; b < batch; ++b) {
        const std::size_t at = layout_ == 0 ? (d * batch + b) * hs : (b * dirs + d) * hs;
        if (y_h) std::memcpy(y_h + at, h + b * hs, hs * sizeof(float));
        if (y_c) std::memcpy(y_c + at, c + b * hs, hs * sizeof(float));
      }
    }
  }

 private:
  // c[batch, n] (row stride ldc) = a[batch, hs] r[n, hs]^T + bias; batch 1 is a matrix-vector
  // product (the common inference case, bandwidth-bound); larger batches use `packed` (R packed
  // at load, may be null) when given.
  static void recurrent_product(OpContext& ctx, std::size_t batch, std::size_t n, std::size_t hs,
                                const float* a, const float* r, const float* packed, float* c,
                                std::size_t ldc, const float* bias) {
    if (batch == 1) {
      // Rows of R split over threads in blocks of 16: the kernel's groups of rows and vector
      // lanes fall as in one call, so every thread count gives the same bits.
      constexpr std::size_t kRowBlock = 16;
      const std::size_t blocks = (n + kRowBlock - 1) / kRowBlock;
      const std::size_t min_blocks =
          kMinParallelElements / (kRowBlock * std::max<std::size_t>(hs, 1));
      parallel_ranges(ctx.executor(), blocks, min_blocks, [&](std::size_t b0, std::size_t b1) {
        const std::size_t r0 = b0 * kRowBlock, r1 = std::min(n, b1 * kRowBlock);
        kernels::matvec_f32(false, r1 - r0, hs, 1.0f, r + r0 * hs, hs, a, 0.0f, c + r0,
                            bias ? bias + r0 : nullptr);
      });
      return;
    }
    kernels::GemmEpilogue ep;
    if (bias) {
      ep.bias = bias;
      ep.bias_kind = kernels::BiasKind::per_column;
    }
    if (packed != nullptr) {
      kernels::gemm_packed_f32(false, batch, n, hs, 1.0f, a, hs, packed, 0.0f, c, ldc, ep,
                               ctx.executor());
      return;
    }
    kernels::gemm_f32(false, true, batch, n, hs, 1.0f, a, hs, r, hs, 0.0f, c, ldc, ep,
                      ctx.executor());
  }

  // Gates z, r, h: grow holds z's pre-activation, r (already applied) and h's recurrent part.
  void step_gru(const GateFunction* fn, float* grow, const float* xrow, float* hb,
                std::size_t hs) const {
    float* z = grow;
    float* r = grow + hs;
    float* hh = grow + 2 * hs;
    clip(z, hs);
    fn[0].apply(z, hs);
    if (linear_before_reset_) {
      for (std::size_t i = 0; i < hs; ++i) hh[i] = xrow[2 * hs + i] + r[i] * hh[i];
    } else {
      for (std::size_t i = 0; i < hs; ++i) hh[i] += xrow[2 * hs + i];
    }
    clip(hh, hs);
    fn[1].apply(hh, hs);
    for (std::size_t i = 0; i < hs; ++i) hb[i] = (1.0f - z[i]) * hh[i] + z[i] * hb[i];
  }

  // Gates i, o, f, c (ONNX's order) with peepholes P = [Pi, Po, Pf].
  void step_lstm(const GateFunction* fn, float* grow, const float* p, float* hb, float* cb,
                 std::size_t hs) const {
    float* gi = grow;
    float* go = grow + hs;
    float* gf = grow + 2 * hs;
    float* gc = grow + 3 * hs;
    if (p) {
      for (std::size_t i = 0; i < hs; ++i) {
        gi[i] += p[i] * cb[i];
        gf[i] += p[2 * hs + i] * cb[i];
      }
    }
    clip(gi, hs);
    fn[0].apply(gi, hs);
    if (input_forget_) {
      for (std::size_t i = 0; i < hs; ++i) gf[i] = 1.0f - gi[i];
    } else {
      clip(gf, hs);
      fn[0].apply(gf, hs);
    }
    clip(gc, hs);
    fn[1].apply(gc, hs);
    for (std::size_t i = 0; i < hs; ++i) cb[i] = gf[i] * cb[i] + gi[i] * gc[i];
    if (p) {
      for (std::size_t i = 0; i < hs; ++i) go[i] += p[hs + i] * cb[i];
    }
    clip(go, hs);
    fn[0].apply(go, hs);
    std::memcpy(gc, cb, hs * sizeof(float));  // h(C) without touching C
    fn[2].apply(gc, hs);
    for (std::size_t i = 0; i < hs; ++i) hb[i] = go[i] * gc[i];
  }

  void clip(float* v, std::size_t n) const {
    if (!has_clip_) return;
    for (std::size_t i = 0; i < n; ++i) v[i] = std::min(clip_, std::max(-clip_, v[i]));
  }

  // The hidden size from R [directions, gates * hidden, hidden], checked against hidden_size.
  std::size_t hidden(const OpInfo& info, const Shape& r) const {
    if (r.rank() != 3 || r[0] != static_cast<std::int64_t>(directions_) || r[2] < 1 ||
        r[1] != static_cast<std::int64_t>(gates_) * r[2] ||
        (hidden_size_ > 0 && r[2] != hidden_size_)) {
      info.fail(ErrorKind::shape_mismatch,
                "R " + r.to_string() + " must be [" + std::to_string(directions_) + ", " +
                    std::to_string(gates_) + " * hidden_size, hidden_size]" +
                    (hidden_size_ > 0 ? " with hidden_size " + std::to_string(hidden_size_) : ""));
    }
    return static_cast<std::size_t>(r[2]);
  }

  static void expect(const OpContext& ctx, const Tensor& t, const char* what,
                     std::initializer_list<std::size_t> dims) {
    bool ok = t.rank() == dims.size();
    std::string want;
    std::size_t k = 0;
    for (std::size_t d : dims) {
      ok = ok && static_cast<std::size_t>(t.shape()[k]) == d;
      want += (k++ ? ", " : "") + std::to_string(d);
    }
    if (!ok) {
      ctx.fail(ErrorKind::shape_mismatch,
               std::string(what) + " " + t.shape().to_string() + " must be [" + want + "]");
    }
  }
  static const float* optional(OpContext& ctx, std::size_t i, const char* what,
                               const std::vector<std::size_t>& dims) {
    if (!ctx.has_input(i)) return nullptr;
    const Tensor& t = ctx.input(i);
    require_f32(ctx, t, what);
    if (dims.size() == 2) expect(ctx, t, what, {dims[0], dims[1]});
    else expect(ctx, t, what, {dims[0], dims[1], dims[2]});
    return t.data<float>();
  }

  CellKind cell_;
  std::size_t gates_;
  std::int64_t hidden_size_;
  float clip_;
  bool has_clip_, input_forget_, linear_before_reset_;
  std::int64_t layout_;
  std::size_t directions_ = 1;
  bool reverse_ = false;
  std::vector<GateFunction> functions_;
  bool cell_kernel_ = false;     // the gates run kernels::lstm_cell_f32 / gru_cell_f32
  std::vector<float> packed_r_;  // constant R packed for gemm_packed_f32, per direction
  std::size_t packed_size_ = 0;  // floats per direction in packed_r_
};

template <CellKind cell>
OpFactory recurrent_factory() {
  return [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<RecurrentKernel>(info, cell);
  };
}

inline void register_recurrent_ops(OpSet& ops) {
  ops.add("", "RNN", 1, recurrent_factory<CellKind::rnn>());
  ops.add("", "GRU", 1, recurrent_factory<CellKind::gru>());
  ops.add("", "LSTM", 1, recurrent_factory<CellKind::lstm>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_RECURRENT_HPP
