// TransformerEncoderBlock<Seq, Embed, Heads, Hidden, PreNorm = true, DropoutPercent = 10,
// Activation = ReLU, Causal = false>: one encoder layer of Vaswani et al. 2017 ("Attention Is All
// You Need", section 3.1) on Dims<Seq, Embed>: self-attention, then a position-wise feed-forward
// network (Dense<Embed, Hidden>, Activation, Dense<Hidden, Embed> at every position), each followed
// by dropout and wrapped in a residual connection, with LayerNorm
//   post-norm (the paper, PreNorm = false): x = LN(x + Drop(MHA(x))); y = LN(x + Drop(FFN(x)))
//   pre-norm  (GPT-2 and most later models): x = x + Drop(MHA(LN(x))); y = x + Drop(FFN(LN(x)))
// Pre-norm trains more stably without a learning-rate warm-up (Xiong et al. 2020); a stack of
// pre-norm blocks usually ends with one more LayerNorm.
//
// Masks: with Causal, position i attends to positions 0..i only (a decoder-style block, as GPT's);
// after an Embedding with MaskZero, no position attends to padding (nn/embedding.hpp).
//
// The block is a Sequential of the existing layers (Residual, LayerNorm, MultiHeadAttention,
// TimeDistributed<Sequential<Dense, Activation, Dense>>, Dropout), so its forward, backward,
// parameters (named by position, e.g. "0.1.q_weight") and ONNX export are theirs.
#ifndef INLAY_NN_TRANSFORMER_HPP
#define INLAY_NN_TRANSFORMER_HPP

#include <cstddef>
#include <type_traits>

#include "inlay/nn/activation.hpp"
#include "inlay/nn/attention.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/dropout.hpp"
#include "inlay/nn/norm.hpp"
#include "inlay/nn/residual.hpp"
#include "inlay/nn/sequential.hpp"
#include "inlay/nn/time_distributed.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace detail {
template <std::size_t Seq, std::size_t Embed, std::size_t Heads, std::size_t Hidden, bool PreNorm,
          std::size_t DropoutPercent, class Activation, bool Causal>
struct encoder_block_layers {
  using in = Input<Seq, Embed>;
  using attention = MultiHeadAttention<Embed, Heads, Seq, Causal>;
  using feed_forward =
      TimeDistributed<Sequential<Dense<Embed, Hidden>, Activation, Dense<Hidden, Embed>>>;
  using drop = Dropout<DropoutPercent>;
  using pre_norm = Sequential<in, Residual<Sequential<in, LayerNorm, attention, drop>>,
                              Residual<Sequential<in, LayerNorm, feed_forward, drop>>>;
  using post_norm = Sequential<in, Residual<Sequential<in, attention, drop>>, LayerNorm,
                               Residual<Sequential<in, feed_forward, drop>>, LayerNorm>;
  using type = std::conditional_t<PreNorm, pre_norm, post_norm>;
};
}  // namespace detail

template <std::size_t Seq, std::size_t Embed, std::size_t Heads, std::size_t Hidden,
          bool PreNorm = true, std::size_t DropoutPercent = 10, class Activation = ReLU,
          bool Causal = false>
class TransformerEncoderBlock
    : public detail::encoder_block_layers<Seq, Embed, Heads, Hidden, PreNorm, DropoutPercent,
                                          Activation, Causal>::type {
  static_assert(Hidden > 0, "inlay::nn::TransformerEncoderBlock: Hidden must be positive");

 public:
  using body_type = typename detail::encoder_block_layers<Seq, Embed, Heads, Hidden, PreNorm,
                                                          DropoutPercent, Activation, Causal>::type;
  template <class Shape>
  using bind = TransformerEncoderBlock;

  explicit TransformerEncoderBlock(std::size_t max_batch = 1) : body_type(max_batch) {}

  // The sublayers, whichever the norm placement.
  auto& attention() { return attention_branch().template layer < PreNorm ? 1 : 0 > (); }
  // The feed-forward network's two Dense layers: ffn_in() [Embed, Hidden], ffn_out() [Hidden,
  // Embed].
  auto& ffn_in() {
    return ffn_branch().template layer < PreNorm ? 1 : 0 > ().layer.template layer<0>();
  }
  auto& ffn_out() {
    return ffn_branch().template layer < PreNorm ? 1 : 0 > ().layer.template layer<2>();
  }
  // The LayerNorm before (pre-norm) or after (post-norm) the attention's residual, and the one
  // of the feed-forward network.
  auto& attention_norm() {
    if constexpr (PreNorm) {
      return attention_branch().template layer<0>();
    } else {
      return this->template layer<1>();
    }
  }
  auto& ffn_norm() {
    if constexpr (PreNorm) {
      return ffn_branch().template layer<0>();
    } else {
      return this->template layer<3>();
    }
  }

 private:
  auto& attention_branch() { return this->template layer<0>().block; }
  auto& ffn_branch() { return this->template layer < PreNorm ? 1 : 2 > ().block; }
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_TRANSFORMER_HPP
