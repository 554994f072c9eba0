// MultiHeadAttention<Embed, Heads, Seq, Causal = false>: self-attention on Dims<Seq, Embed>
// (Vaswani et al. 2017, "Attention Is All You Need", section 3.2): Q, K, V = x Wq + bq, x Wk + bk,
// x Wv + bv; per head h (Embed / Heads wide) softmax(Q_h K_h^T / sqrt(Embed / Heads)) V_h, the
// heads side by side, then y = O Wo + bo. With Causal, step i attends to steps 0..i only. After
// an Embedding with MaskZero, no step attends to a padded one (RunContext::padding). Runs
// kernels::gemm_f32 and softmax_f32; weights W [Embed, Embed] as Dense's ([in, out]).
#ifndef INLAY_NN_ATTENTION_HPP
#define INLAY_NN_ATTENTION_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

struct AttentionSizes {
  std::size_t batch, seq, embed, heads;
  bool causal;
  const std::uint8_t* padding = nullptr;  // [batch, seq], 1: a padded key (RunContext::padding)
};
// The four projections' weights [embed, embed] and biases [embed], in the order q, k, v, out.
struct AttentionWeights {
  const float* w[4];
  const float* b[4];
};
// q, k, v, o [batch, seq, embed] and probs [batch, heads, seq, seq] are kept for backward.
void attention_forward(const AttentionSizes& s, const AttentionWeights& p, const float* x, float* q,
                       float* k, float* v, float* probs, float* o, float* y, Executor* executor);
// Scratch: dq, dk, dv, dout [batch, seq, embed], dprobs [seq, seq]. dw [4], db [4] receive the
// gradients of the projections; dx may be null.
void attention_backward(const AttentionSizes& s, const AttentionWeights& p, const float* x,
                        const float* q, const float* k, const float* v, const float* probs,
                        const float* o, const float* dy, float* dq, float* dk, float* dv,
                        float* dout, float* dprobs, float* const* dw, float* const* db, float* dx);
// MatMul/Add/Reshape/Transpose/Mul/Softmax (opset 13); returns the output's name.
std::string export_attention(ExportContext& ctx, const AttentionSizes& s, const AttentionWeights& p,
                             const std::string& input);
void init_uniform(data::Rng& rng, float* w, std::size_t n, float limit);
float glorot_limit(std::size_t fan_in, std::size_t fan_out);

template <std::size_t Embed, std::size_t Heads, std::size_t Seq, bool Causal = false>
class MultiHeadAttention {
  static_assert(Embed > 0 && Heads > 0 && Seq > 0,
                "inlay::nn::MultiHeadAttention<Embed, Heads, Seq>: sizes must be positive");
  static_assert(Embed % Heads == 0,
                "inlay::nn::MultiHeadAttention<Embed, Heads, Seq>: Embed must be a multiple of "
                "Heads");
  static constexpr std::size_t E = Embed;

 public:
  using expects = Dims<Seq, Embed>;
  using in_shape = Dims<Seq, Embed>;
  using out_shape = Dims<Seq, Embed>;
  template <class Shape>
  using bind = MultiHeadAttention;

  // Projections q, k, v, out: weight[i] [Embed, Embed] ([in, out]), bias[i] [Embed].
  std::vector<float> weight[4] = {std::vector<float>(E * E), std::vector<float>(E* E),
                                  std::vector<float>(E* E), std::vector<float>(E* E)};
  std::vector<float> bias[4] = {std::vector<float>(E), std::vector<float>(E), std::vector<float>(E),
                                std::vector<float>(E)};
  std::vector<float> weight_grad[4] = {std::vector<float>(E * E), std::vector<float>(E* E),
                                       std::vector<float>(E* E), std::vector<float>(E* E)};
  std::vector<float> bias_grad[4] = {std::vector<float>(E), std::vector<float>(E),
                                     std::vector<float>(E), std::vector<float>(E)};

  void reserve(std::size_t batch) {
    if (q_.size() >= batch * Seq * E) return;
    for (std::vector<float>* b : {&q_, &k_, &v_, &o_, &dq_, &dk_, &dv_, &do_}) {
      b->resize(batch * Seq * E);
    }
    probs_.resize(batch * Heads * Seq * Seq);
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    reserve(batch);
    AttentionSizes s = sizes(batch);
    s.padding = checked_padding(ctx, Seq);
    attention_forward(s, weights(), x, q_.data(), k_.data(), v_.data(), probs_.data(), o_.data(), y,
                      ctx.executor);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    float* dw[4] = {weight_grad[0].data(), weight_grad[1].data(), weight_grad[2].data(),
                    weight_grad[3].data()};
    float* db[4] = {bias_grad[0].data(), bias_grad[1].data(), bias_grad[2].data(),
                    bias_grad[3].data()};
    attention_backward(sizes(batch), weights(), x, q_.data(), k_.data(), v_.data(), probs_.data(),
                       o_.data(), dy, dq_.data(), dk_.data(), dv_.data(), do_.data(),
                       dprobs_.data(), dw, db, dx);
  }
  template <class F>
  void for_each_param(F&& f) {
    const char* names[4] = {"q", "k", "v", "out"};
    for (int i = 0; i < 4; ++i) {
      f(Param{std::string(names[i]) + "_weight", weight[i].data(), weight_grad[i].data(), E * E,
              true});
      f(Param{std::string(names[i]) + "_bias", bias[i].data(), bias_grad[i].data(), E, false});
    }
  }
  void init(data::Rng& rng) {
    for (int i = 0; i < 4; ++i) {
      init_uniform(rng, weight[i].data(), E * E, glorot_limit(E, E));
      for (float& b : bias[i]) b = 0.0f;
    }
  }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_attention(ctx, sizes(0), weights(), input);
  }

 private:
  static AttentionSizes sizes(std::size_t batch) { return {batch, Seq, Embed, Heads, Causal}; }
  AttentionWeights weights() const {
    return {{weight[0].data(), weight[1].data(), weight[2].data(), weight[3].data()},
            {bias[0].data(), bias[1].data(), bias[2].data(), bias[3].data()}};
  }
  std::vector<float> q_, k_, v_, o_, dq_, dk_, dv_, do_, probs_;
  std::vector<float> dprobs_ = std::vector<float>(Seq * Seq);
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_ATTENTION_HPP
