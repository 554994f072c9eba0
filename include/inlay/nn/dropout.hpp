// Dropout (inverted): in training each value is zeroed with probability `rate` and the others
// scaled by 1 / (1 - rate); at inference the layer is the identity (Srivastava et al., JMLR 2014).
#ifndef INLAY_NN_DROPOUT_HPP
#define INLAY_NN_DROPOUT_HPP

#include <cstring>
#include <string>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// mask[i] = 0 with probability rate, else 1 / (1 - rate); y = x * mask. inlay::Error
// (invalid_argument) when rate is outside [0, 1) or rng is null.
void dropout_forward(data::Rng* rng, float rate, const float* x, float* y, float* mask,
                     std::size_t n);
// ONNX Identity (dropout does nothing at inference).
std::string export_identity(ExportContext& ctx, const std::string& input);

// RatePercent: the default drop rate in percent (changeable through `rate`).
template <std::size_t RatePercent = 50, class In = void>
class Dropout {
  static_assert(RatePercent < 100, "inlay::nn::Dropout<RatePercent>: the rate must be below 100");

 public:
  using in_shape = In;
  using out_shape = In;
  template <class Shape>
  using bind = Dropout<RatePercent, Shape>;

  float rate = RatePercent / 100.0f;

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    const std::size_t n = batch * In::size;
    training_ = ctx.training && rate > 0.0f;
    if (!training_) {
      if (x != y) std::memcpy(y, x, n * sizeof(float));
      return;
    }
    if (mask_.size() < n) mask_.resize(n);  // training only
    dropout_forward(ctx.rng, rate, x, y, mask_.data(), n);
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx == nullptr) return;
    const std::size_t n = batch * In::size;
    if (!training_) {
      if (dx != dy) std::memcpy(dx, dy, n * sizeof(float));
      return;
    }
    for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * mask_[i];
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_identity(ctx, input);
  }

 private:
  std::vector<float> mask_;
  bool training_ = false;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_DROPOUT_HPP
