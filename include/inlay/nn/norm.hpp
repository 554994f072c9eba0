// Normalization layers. BatchNorm normalizes each channel (the first sample dimension) over the
// batch and the remaining dimensions, keeping running statistics for inference
// (Ioffe & Szegedy 2015); LayerNorm normalizes each sample's last dimension (Ba et al. 2016).
// Forward runs kernels::batch_norm_f32 / layer_norm_f32.
#ifndef INLAY_NN_NORM_HPP
#define INLAY_NN_NORM_HPP

#include <string>
#include <vector>

#include "inlay/kernels/norm.hpp"
#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// Batch statistics of x [batch, channels, spatial] into mean/var (biased), and the running
// averages updated with `momentum` (running = (1 - momentum) running + momentum batch, the
// unbiased variance as PyTorch).
void batch_norm_statistics(const float* x, std::size_t batch, std::size_t channels,
                           std::size_t spatial, float* mean, float* var, float* running_mean,
                           float* running_var, float momentum);
void batch_norm_backward(const float* x, const float* dy, std::size_t batch, std::size_t channels,
                         std::size_t spatial, const float* mean, const float* var,
                         const float* scale, float eps, float* dx, float* dscale, float* dbias);
void layer_norm_backward(const float* x, const float* dy, std::size_t rows, std::size_t cols,
                         const float* mean, const float* inv_std, const float* scale, float* dx,
                         float* dscale, float* dbias);
std::string export_batch_norm(ExportContext& ctx, std::size_t channels, const float* scale,
                              const float* bias, const float* mean, const float* var, float eps,
                              const std::string& input);
std::string export_layer_norm(ExportContext& ctx, std::size_t cols, const float* scale,
                              const float* bias, float eps, const std::string& input);

namespace detail {
template <std::size_t First, std::size_t... Rest>
constexpr std::size_t first_dim(Dims<First, Rest...>) {
  return First;
}
template <std::size_t... D>
constexpr std::size_t last_dim(Dims<D...>) {
  const std::size_t d[] = {D...};
  return d[sizeof...(D) - 1];
}
}  // namespace detail

template <class In>
class BatchNormLayer {
 public:
  static constexpr std::size_t channels = detail::first_dim(In{});
  static constexpr std::size_t spatial = In::size / channels;
  using in_shape = In;
  using out_shape = In;
  template <class Shape>
  using bind = BatchNormLayer<Shape>;

  float eps = 1e-5f, momentum = 0.1f;
  std::vector<float> scale = std::vector<float>(channels, 1.0f);
  std::vector<float> bias = std::vector<float>(channels);
  std::vector<float> running_mean = std::vector<float>(channels);
  std::vector<float> running_var = std::vector<float>(channels, 1.0f);
  std::vector<float> scale_grad = std::vector<float>(channels);
  std::vector<float> bias_grad = std::vector<float>(channels);

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    const float* mean = running_mean.data();
    const float* var = running_var.data();
    if (ctx.training) {
      batch_norm_statistics(x, batch, channels, spatial, mean_.data(), var_.data(),
                            running_mean.data(), running_var.data(), momentum);
      mean = mean_.data();
      var = var_.data();
    }
    kernels::batch_norm_f32(x, y, batch, channels, spatial, mean, var, scale.data(), bias.data(),
                            eps);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    batch_norm_backward(x, dy, batch, channels, spatial, mean_.data(), var_.data(), scale.data(),
                        eps, dx, scale_grad.data(), bias_grad.data());
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"scale", scale.data(), scale_grad.data(), channels, false});
    f(Param{"bias", bias.data(), bias_grad.data(), channels, false});
    // Not trained (no gradient), but saved with the weights.
    f(Param{"running_mean", running_mean.data(), nullptr, channels, false});
    f(Param{"running_var", running_var.data(), nullptr, channels, false});
  }
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_batch_norm(ctx, channels, scale.data(), bias.data(), running_mean.data(),
                             running_var.data(), eps, input);
  }

 private:
  std::vector<float> mean_ = std::vector<float>(channels), var_ = std::vector<float>(channels);
};
template <>
class BatchNormLayer<void> {
 public:
  template <class Shape>
  using bind = BatchNormLayer<Shape>;
};
using BatchNorm = BatchNormLayer<void>;

template <class In>
class LayerNormLayer {
 public:
  static constexpr std::size_t cols = detail::last_dim(In{});
  using in_shape = In;
  using out_shape = In;
  template <class Shape>
  using bind = LayerNormLayer<Shape>;

  float eps = 1e-5f;
  std::vector<float> scale = std::vector<float>(cols, 1.0f);
  std::vector<float> bias = std::vector<float>(cols);
  std::vector<float> scale_grad = std::vector<float>(cols);
  std::vector<float> bias_grad = std::vector<float>(cols);

  void reserve(std::size_t batch) {
    mean_.resize(batch * In::size / cols);
    inv_std_.resize(batch * In::size / cols);
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    if (mean_.size() < batch * In::size / cols) reserve(batch);
    kernels::layer_norm_f32(x, y, batch * In::size / cols, cols, scale.data(), bias.data(), eps,
                            mean_.data(), inv_std_.data());
  }
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    layer_norm_backward(x, dy, batch * In::size / cols, cols, mean_.data(), inv_std_.data(),
                        scale.data(), dx, scale_grad.data(), bias_grad.data());
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"scale", scale.data(), scale_grad.data(), cols, false});
    f(Param{"bias", bias.data(), bias_grad.data(), cols, false});
  }
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_layer_norm(ctx, cols, scale.data(), bias.data(), eps, input);
  }

 private:
  std::vector<float> mean_, inv_std_;
};
template <>
class LayerNormLayer<void> {
 public:
  template <class Shape>
  using bind = LayerNormLayer<Shape>;
};
using LayerNorm = LayerNormLayer<void>;

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_NORM_HPP
