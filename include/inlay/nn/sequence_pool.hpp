// Pooling over the positions of a Dims<Seq, F> sequence, to one Dims<F> vector per sample (before
// a classifier head): SequenceMean averages the positions, FirstToken keeps position 0 (the
// "[CLS]" token of BERT, whose output has attended to the whole sequence). After an Embedding with
// MaskZero, SequenceMean averages the real tokens only (all padding gives zeros).
#ifndef INLAY_NN_SEQUENCE_POOL_HPP
#define INLAY_NN_SEQUENCE_POOL_HPP

#include <cstdint>
#include <string>
#include <type_traits>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// y[b] = x[b] averaged over its seq rows of f values (mean) or its row 0 (first). padding
// [batch, seq] (may be null): the mean leaves out the rows marked 1.
void sequence_pool_forward(bool mean, const float* x, float* y, std::size_t batch, std::size_t seq,
                           std::size_t f, const std::uint8_t* padding);
void sequence_pool_backward(bool mean, const float* dy, float* dx, std::size_t batch,
                            std::size_t seq, std::size_t f, const std::uint8_t* padding);
// Mean: ReduceSum over axis 1 (axes as an input, opset 13 on) times 1 / seq; with ctx.keep_mask,
// the sum of x * keep over the count of real tokens (at least 1). First: Gather of index 0 on
// axis 1, then Flatten.
std::string export_sequence_pool(ExportContext& ctx, bool mean, std::size_t seq,
                                 const std::string& input);

namespace detail {
template <class In>
struct pooled_sequence {
  static constexpr bool ok = false;
  static constexpr std::size_t seq = 1, features = 1;
};
template <std::size_t S, std::size_t F>
struct pooled_sequence<Dims<S, F>> {
  static constexpr bool ok = true;
  static constexpr std::size_t seq = S, features = F;
};
}  // namespace detail

// Mean: average of the positions; else the first position.
template <bool Mean, class In = void>
class SequencePool {
  using dims = detail::pooled_sequence<In>;
  static_assert(dims::ok,
                "inlay::nn::SequenceMean / FirstToken: the input must be a sequence Dims<Seq, F>");

 public:
  using in_shape = In;
  using out_shape = Dims<dims::features>;
  template <class Shape>
  using bind = SequencePool<Mean, Shape>;

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    padding_ = Mean ? checked_padding(ctx, dims::seq) : nullptr;
    sequence_pool_forward(Mean, x, y, batch, dims::seq, dims::features, padding_);
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr)
      sequence_pool_backward(Mean, dy, dx, batch, dims::seq, dims::features, padding_);
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_sequence_pool(ctx, Mean, dims::seq, input);
  }

 private:
  const std::uint8_t* padding_ = nullptr;  // the mask of the last forward (owned by the Embedding)
};
template <bool Mean>
class SequencePool<Mean, void> {
 public:
  template <class Shape>
  using bind = SequencePool<Mean, Shape>;
};

using SequenceMean = SequencePool<true>;
using FirstToken = SequencePool<false>;

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_SEQUENCE_POOL_HPP
