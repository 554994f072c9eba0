// Embedding<vocabulary, dim, length, MaskZero = false>: a sequence of `length` token ids (stored
// as floats, whole numbers in [0, vocabulary)) becomes Dims<length, dim>, one row of the table
// per token.
//
// With MaskZero, id 0 is padding (Keras's `mask_zero=True`; PyTorch passes the same information as
// `src_key_padding_mask`): the layers after the Embedding in its Sequential see which positions
// are padding (RunContext::padding). MultiHeadAttention (and so TransformerEncoderBlock) leaves
// padded keys out of every softmax, and SequenceMean averages the real tokens only, so a sequence
// gives the same result whatever padding follows it. The exported model computes the same mask
// from its input (Equal(ids, 0)). Layers that mix positions in other ways (Conv1D, LSTM/GRU) see
// the padded positions as ordinary tokens.
#ifndef INLAY_NN_EMBEDDING_HPP
#define INLAY_NN_EMBEDDING_HPP

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// The row of each id (inlay::Error invalid_argument naming the position for a bad id).
void embedding_forward(const float* table, std::size_t vocabulary, std::size_t dim,
                       const float* ids, std::size_t count, float* y);
void embedding_backward(std::size_t vocabulary, std::size_t dim, const float* ids,
                        std::size_t count, const float* dy, float* dtable);
// ONNX Gather(table, Cast<int64>(input)).
std::string export_embedding(ExportContext& ctx, const float* table, std::size_t vocabulary,
                             std::size_t dim, const std::string& input);
// mask[i] = 1 where ids[i] == 0 (padding), else 0.
void padding_of(const float* ids, std::size_t count, std::uint8_t* mask);
// Sets ctx.keep_mask to Cast<float>(Not(Equal(input, 0))), [batch, length].
void export_padding_mask(ExportContext& ctx, std::size_t length, const std::string& input);

template <std::size_t Vocabulary, std::size_t Dim, std::size_t Length, bool MaskZero = false>
class Embedding {
 public:
  using expects = Dims<Length>;
  using in_shape = Dims<Length>;
  using out_shape = Dims<Length, Dim>;
  template <class Shape>
  using bind = Embedding;

  std::vector<float> weight = std::vector<float>(Vocabulary * Dim);
  std::vector<float> weight_grad = std::vector<float>(Vocabulary * Dim);

  void reserve(std::size_t batch) {
    if (MaskZero && padding_.size() < batch * Length) padding_.resize(batch * Length);
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    embedding_forward(weight.data(), Vocabulary, Dim, x, batch * Length, y);
    if (MaskZero) {
      reserve(batch);
      padding_of(x, batch * Length, padding_.data());
    }
  }
  // [batch, Length] of the last forward, 1 at padding (null without MaskZero).
  const std::uint8_t* padding_mask() const { return MaskZero ? padding_.data() : nullptr; }
  // Token ids have no gradient: dx is zero.
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    embedding_backward(Vocabulary, Dim, x, batch * Length, dy, weight_grad.data());
    if (dx != nullptr) std::memset(dx, 0, batch * Length * sizeof(float));
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"weight", weight.data(), weight_grad.data(), weight.size(), false});
  }
  void init(data::Rng& rng);
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    if (MaskZero) export_padding_mask(ctx, Length, input);
    return export_embedding(ctx, weight.data(), Vocabulary, Dim, input);
  }

 private:
  std::vector<std::uint8_t> padding_;
};

void init_normal(data::Rng& rng, float* w, std::size_t n, float stddev);
template <std::size_t V, std::size_t D, std::size_t L, bool M>
void Embedding<V, D, L, M>::init(data::Rng& rng) {
  init_normal(rng, weight.data(), weight.size(), 1.0f);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_EMBEDDING_HPP
