// Recurrent layers on sequences Dims<Seq, In> (batch dynamic): LSTM and GRU with PyTorch's and
// ONNX's gate math (https://onnx.ai/onnx/operators/onnx__LSTM.html, onnx__GRU.html): LSTM gates
// in ONNX order i, o, f, c; GRU gates z, r, h with linear_before_reset = 1 (as PyTorch). Weights
// are kept in ONNX's layout: W [gates * Hidden, In], R [gates * Hidden, Hidden]. Each step runs the
// cells of kernels/recurrent.hpp, the same code as the graph door's LSTM and GRU operators.
// The output is every step's hidden state, Dims<Seq, Hidden>, or with ReturnSequences = false the
// last step's, Dims<Hidden>. Initial states are zero. Backward is backpropagation through time.
#ifndef INLAY_NN_RECURRENT_HPP
#define INLAY_NN_RECURRENT_HPP

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// The sizes of a recurrent layer's call.
struct RecurrentSizes {
  std::size_t batch, seq, in, hidden;
};

// LSTM over x [batch, seq, in]: gates [batch, seq, 4 hidden] (activations i, o, f, c~),
// c, tanh_c, h [batch, seq, hidden]. bias [4 hidden] is W's (R has none).
void lstm_forward(const RecurrentSizes& s, const float* x, const float* w, const float* r,
                  const float* bias, float* gates, float* c, float* tanh_c, float* h,
                  Executor* executor);
// dy: dL/dh of every step [batch, seq, hidden] (sequences) or of the last [batch, hidden].
// Scratch: da [batch, seq, 4 hidden], dh, dc [batch, hidden]. Sets dw, dr, dbias; dx may be null.
void lstm_backward(const RecurrentSizes& s, bool sequences, const float* x, const float* w,
                   const float* r, const float* gates, const float* c, const float* tanh_c,
                   const float* h, const float* dy, float* da, float* dh, float* dc, float* dw,
                   float* dr, float* dbias, float* dx);
// GRU over x: x_proj, gates [batch, seq, 3 hidden] (W x + Wb; activations z, r, n), recurrent_h
// and h [batch, seq, hidden].
void gru_forward(const RecurrentSizes& s, const float* x, const float* w, const float* r,
                 const float* w_bias, const float* r_bias, float* x_proj, float* gates,
                 float* recurrent_h, float* h, Executor* executor);
// Scratch: dx_proj, dgates [batch, seq, 3 hidden], dh [batch, hidden].
void gru_backward(const RecurrentSizes& s, bool sequences, const float* x, const float* w,
                  const float* r, const float* gates, const float* recurrent_h, const float* h,
                  const float* dy, float* dx_proj, float* dgates, float* dh, float* dw, float* dr,
                  float* dw_bias, float* dr_bias, float* dx);
// ONNX Transpose -> LSTM / GRU -> Squeeze (-> Transpose back for sequences); returns the output.
std::string export_lstm(ExportContext& ctx, const RecurrentSizes& s, bool sequences, const float* w,
                        const float* r, const float* bias, const std::string& input);
std::string export_gru(ExportContext& ctx, const RecurrentSizes& s, bool sequences, const float* w,
                       const float* r, const float* w_bias, const float* r_bias,
                       const std::string& input);
void init_uniform(data::Rng& rng, float* w, std::size_t n, float limit);
// The layer's output from h [batch, seq, hidden]: all of it, or each sample's last step.
inline void copy_recurrent_output(const RecurrentSizes& s, bool sequences, const float* h,
                                  float* y) {
  if (sequences) {
    std::memcpy(y, h, s.batch * s.seq * s.hidden * sizeof(float));
    return;
  }
  for (std::size_t b = 0; b < s.batch; ++b) {
    std::memcpy(y + b * s.hidden, h + (b * s.seq + s.seq - 1) * s.hidden, s.hidden * sizeof(float));
  }
}

template <std::size_t In, std::size_t Hidden, std::size_t Seq, bool ReturnSequences = true>
class LSTM {
  static_assert(In > 0 && Hidden > 0 && Seq > 0,
                "inlay::nn::LSTM<In, Hidden, Seq>: sizes must be positive");
  static constexpr std::size_t G = 4 * Hidden;

 public:
  using expects = Dims<Seq, In>;
  using in_shape = Dims<Seq, In>;
  using out_shape = std::conditional_t<ReturnSequences, Dims<Seq, Hidden>, Dims<Hidden>>;
  template <class Shape>
  using bind = LSTM;

  std::vector<float> weight = std::vector<float>(G * In);         // W [4 Hidden, In], i o f c
  std::vector<float> recurrent = std::vector<float>(G * Hidden);  // R [4 Hidden, Hidden]
  std::vector<float> bias = std::vector<float>(G);
  std::vector<float> weight_grad = std::vector<float>(G * In);
  std::vector<float> recurrent_grad = std::vector<float>(G * Hidden);
  std::vector<float> bias_grad = std::vector<float>(G);

  void reserve(std::size_t batch) {
    if (h_.size() >= batch * Seq * Hidden) return;
    gates_.resize(batch * Seq * G);
    da_.resize(batch * Seq * G);
    c_.resize(batch * Seq * Hidden);
    tanh_c_.resize(batch * Seq * Hidden);
    h_.resize(batch * Seq * Hidden);
    dh_.resize(batch * Hidden);
    dc_.resize(batch * Hidden);
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    reserve(batch);
    lstm_forward(sizes(batch), x, weight.data(), recurrent.data(), bias.data(), gates_.data(),
                 c_.data(), tanh_c_.data(), h_.data(), ctx.executor);
    copy_recurrent_output(sizes(batch), ReturnSequences, h_.data(), y);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    lstm_backward(sizes(batch), ReturnSequences, x, weight.data(), recurrent.data(), gates_.data(),
                  c_.data(), tanh_c_.data(), h_.data(), dy, da_.data(), dh_.data(), dc_.data(),
                  weight_grad.data(), recurrent_grad.data(), bias_grad.data(), dx);
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"weight", weight.data(), weight_grad.data(), weight.size(), true});
    f(Param{"recurrent", recurrent.data(), recurrent_grad.data(), recurrent.size(), true});
    f(Param{"bias", bias.data(), bias_grad.data(), bias.size(), false});
  }
  // PyTorch's rule: every value uniform in [-1/sqrt(Hidden), 1/sqrt(Hidden)).
  void init(data::Rng& rng) {
    const float limit = 1.0f / std::sqrt(static_cast<float>(Hidden));
    init_uniform(rng, weight.data(), weight.size(), limit);
    init_uniform(rng, recurrent.data(), recurrent.size(), limit);
    init_uniform(rng, bias.data(), bias.size(), limit);
  }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_lstm(ctx, sizes(0), ReturnSequences, weight.data(), recurrent.data(), bias.data(),
                       input);
  }

 private:
  static RecurrentSizes sizes(std::size_t batch) { return {batch, Seq, In, Hidden}; }
  std::vector<float> gates_, da_, c_, tanh_c_, h_, dh_, dc_;
};

template <std::size_t In, std::size_t Hidden, std::size_t Seq, bool ReturnSequences = true>
class GRU {
  static_assert(In > 0 && Hidden > 0 && Seq > 0,
                "inlay::nn::GRU<In, Hidden, Seq>: sizes must be positive");
  static constexpr std::size_t G = 3 * Hidden;

 public:
  using expects = Dims<Seq, In>;
  using in_shape = Dims<Seq, In>;
  using out_shape = std::conditional_t<ReturnSequences, Dims<Seq, Hidden>, Dims<Hidden>>;
  template <class Shape>
  using bind = GRU;

  std::vector<float> weight = std::vector<float>(G * In);         // W [3 Hidden, In], z r h
  std::vector<float> recurrent = std::vector<float>(G * Hidden);  // R [3 Hidden, Hidden]
  std::vector<float> bias = std::vector<float>(G);                // Wb
  std::vector<float> recurrent_bias = std::vector<float>(G);      // Rb
  std::vector<float> weight_grad = std::vector<float>(G * In);
  std::vector<float> recurrent_grad = std::vector<float>(G * Hidden);
  std::vector<float> bias_grad = std::vector<float>(G);
  std::vector<float> recurrent_bias_grad = std::vector<float>(G);

  void reserve(std::size_t batch) {
    if (h_.size() >= batch * Seq * Hidden) return;
    x_proj_.resize(batch * Seq * G);
    gates_.resize(batch * Seq * G);
    dx_proj_.resize(batch * Seq * G);
    dgates_.resize(batch * Seq * G);
    recurrent_h_.resize(batch * Seq * Hidden);
    h_.resize(batch * Seq * Hidden);
    dh_.resize(batch * Hidden);
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    reserve(batch);
    gru_forward(sizes(batch), x, weight.data(), recurrent.data(), bias.data(),
                recurrent_bias.data(), x_proj_.data(), gates_.data(), recurrent_h_.data(),
                h_.data(), ctx.executor);
    copy_recurrent_output(sizes(batch), ReturnSequences, h_.data(), y);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    gru_backward(sizes(batch), ReturnSequences, x, weight.data(), recurrent.data(), gates_.data(),
                 recurrent_h_.data(), h_.data(), dy, dx_proj_.data(), dgates_.data(), dh_.data(),
                 weight_grad.data(), recurrent_grad.data(), bias_grad.data(),
                 recurrent_bias_grad.data(), dx);
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"weight", weight.data(), weight_grad.data(), weight.size(), true});
    f(Param{"recurrent", recurrent.data(), recurrent_grad.data(), recurrent.size(), true});
    f(Param{"bias", bias.data(), bias_grad.data(), bias.size(), false});
    f(Param{"recurrent_bias", recurrent_bias.data(), recurrent_bias_grad.data(),
            recurrent_bias.size(), false});
  }
  // PyTorch's rule: every value uniform in [-1/sqrt(Hidden), 1/sqrt(Hidden)).
  void init(data::Rng& rng) {
    const float limit = 1.0f / std::sqrt(static_cast<float>(Hidden));
    init_uniform(rng, weight.data(), weight.size(), limit);
    init_uniform(rng, recurrent.data(), recurrent.size(), limit);
    init_uniform(rng, bias.data(), bias.size(), limit);
    init_uniform(rng, recurrent_bias.data(), recurrent_bias.size(), limit);
  }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_gru(ctx, sizes(0), ReturnSequences, weight.data(), recurrent.data(), bias.data(),
                      recurrent_bias.data(), input);
  }

 private:
  static RecurrentSizes sizes(std::size_t batch) { return {batch, Seq, In, Hidden}; }
  std::vector<float> x_proj_, gates_, dx_proj_, dgates_, recurrent_h_, h_, dh_;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_RECURRENT_HPP
