// Positional encodings added to a Dims<Seq, Embed> sequence (attention alone does not see the
// order of the positions): LearnedPositions<Seq, Embed> trains one vector per position (BERT,
// GPT-2); SinusoidalPositions<Seq, Embed> adds the fixed table of Vaswani et al. 2017
// ("Attention Is All You Need", section 3.5): PE(p, 2i) = sin(p / 10000^(2i / Embed)),
// PE(p, 2i + 1) = cos(p / 10000^(2i / Embed)).
#ifndef INLAY_NN_POSITIONS_HPP
#define INLAY_NN_POSITIONS_HPP

#include <cstring>
#include <string>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// table [seq, embed] of the sinusoidal encoding.
void sinusoid_table(std::size_t seq, std::size_t embed, float* table);
// y[b] = x[b] + table for each of the batch samples of n values (y may alias x).
void add_positions(const float* table, std::size_t n, const float* x, float* y, std::size_t batch);
// dtable = the sum over the batch of dy.
void positions_backward(const float* dy, std::size_t n, std::size_t batch, float* dtable);
// ONNX Add(input, table [seq, embed]) (broadcast over the batch).
std::string export_positions(ExportContext& ctx, const float* table, std::size_t seq,
                             std::size_t embed, const std::string& input);
void init_normal(data::Rng& rng, float* w, std::size_t n, float stddev);

template <std::size_t Seq, std::size_t Embed>
class LearnedPositions {
  static_assert(Seq > 0 && Embed > 0,
                "inlay::nn::LearnedPositions<Seq, Embed>: sizes must be positive");

 public:
  using expects = Dims<Seq, Embed>;
  using in_shape = Dims<Seq, Embed>;
  using out_shape = Dims<Seq, Embed>;
  template <class Shape>
  using bind = LearnedPositions;

  std::vector<float> weight = std::vector<float>(Seq * Embed);  // [Seq, Embed]
  std::vector<float> weight_grad = std::vector<float>(Seq * Embed);

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    add_positions(weight.data(), Seq * Embed, x, y, batch);
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    positions_backward(dy, Seq * Embed, batch, weight_grad.data());
    if (dx != nullptr && dx != dy) std::memcpy(dx, dy, batch * Seq * Embed * sizeof(float));
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"weight", weight.data(), weight_grad.data(), weight.size(), false});
  }
  // Normal with standard deviation 0.02, as BERT and GPT-2 start theirs.
  void init(data::Rng& rng) { init_normal(rng, weight.data(), weight.size(), 0.02f); }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_positions(ctx, weight.data(), Seq, Embed, input);
  }
};

template <std::size_t Seq, std::size_t Embed>
class SinusoidalPositions {
  static_assert(Seq > 0 && Embed > 0,
                "inlay::nn::SinusoidalPositions<Seq, Embed>: sizes must be positive");

 public:
  using expects = Dims<Seq, Embed>;
  using in_shape = Dims<Seq, Embed>;
  using out_shape = Dims<Seq, Embed>;
  template <class Shape>
  using bind = SinusoidalPositions;

  SinusoidalPositions() { sinusoid_table(Seq, Embed, table_.data()); }
  const std::vector<float>& table() const { return table_; }

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    add_positions(table_.data(), Seq * Embed, x, y, batch);
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr && dx != dy) std::memcpy(dx, dy, batch * Seq * Embed * sizeof(float));
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_positions(ctx, table_.data(), Seq, Embed, input);
  }

 private:
  std::vector<float> table_ = std::vector<float>(Seq * Embed);
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_POSITIONS_HPP
