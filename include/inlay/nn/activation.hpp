// Activation layers: one per activation of the kernel layer (kernels/activation.hpp), all running
// kernels::unary_f32 forward; and Softmax over the last axis (kernels::softmax_f32).
#ifndef INLAY_NN_ACTIVATION_HPP
#define INLAY_NN_ACTIVATION_HPP

#include <string>

#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/elementwise.hpp"
#include "inlay/kernels/softmax.hpp"
#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// dx = dy * f'(x) element by element (y = f(x) is given too: several derivatives are cheaper
// from it). dx may alias dy.
void activation_backward(const kernels::Activation& f, const float* x, const float* y,
                         const float* dy, float* dx, std::size_t n);
// The ONNX nodes computing f on `input`; returns the output's name.
std::string export_activation(ExportContext& ctx, const kernels::Activation& f,
                              const std::string& input);
// dx = y * (dy - sum(dy * y)) per row of `cols` values, y = softmax(x).
void softmax_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                      std::size_t cols);
std::string export_softmax(ExportContext& ctx, const std::string& input);

// An element-wise layer computing kind::make() (a kernels::Activation); `activation` may be
// changed after construction (e.g. the slope of a LeakyReLU).
template <class Kind, class In = void>
class ActivationLayer {
 public:
  using in_shape = In;
  using out_shape = In;
  template <class Shape>
  using bind = ActivationLayer<Kind, Shape>;

  kernels::Activation activation = Kind::make();

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    kernels::unary_f32(x, y, batch * In::size, activation);
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr) activation_backward(activation, x, y, dy, dx, batch * In::size);
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_activation(ctx, activation, input);
  }
};

namespace activation_kind {
#define INLAY_NN_ACTIVATION_KIND(Name, expr)           \
  struct Name {                                        \
    static kernels::Activation make() { return expr; } \
  };
INLAY_NN_ACTIVATION_KIND(Identity, kernels::Activation::none())
INLAY_NN_ACTIVATION_KIND(ReLU, kernels::Activation::relu())
INLAY_NN_ACTIVATION_KIND(LeakyReLU, kernels::Activation::leaky_relu())
INLAY_NN_ACTIVATION_KIND(Sigmoid, kernels::Activation::sigmoid())
INLAY_NN_ACTIVATION_KIND(HardSigmoid, kernels::Activation::hard_sigmoid())
INLAY_NN_ACTIVATION_KIND(Tanh, kernels::Activation::tanh())
INLAY_NN_ACTIVATION_KIND(GELU, kernels::Activation::gelu())
INLAY_NN_ACTIVATION_KIND(GELUTanh, kernels::Activation::gelu_tanh())
INLAY_NN_ACTIVATION_KIND(SiLU, kernels::Activation::silu())
INLAY_NN_ACTIVATION_KIND(HardSwish, kernels::Activation::hard_swish())
INLAY_NN_ACTIVATION_KIND(Mish, kernels::Activation::mish())
INLAY_NN_ACTIVATION_KIND(Softplus, kernels::Activation::softplus())
INLAY_NN_ACTIVATION_KIND(ELU, kernels::Activation::elu())
INLAY_NN_ACTIVATION_KIND(SELU, kernels::Activation::selu())
INLAY_NN_ACTIVATION_KIND(ReLU6, kernels::Activation::relu6())
#undef INLAY_NN_ACTIVATION_KIND
}  // namespace activation_kind

using Identity = ActivationLayer<activation_kind::Identity>;
using ReLU = ActivationLayer<activation_kind::ReLU>;
using LeakyReLU = ActivationLayer<activation_kind::LeakyReLU>;
using Sigmoid = ActivationLayer<activation_kind::Sigmoid>;
using HardSigmoid = ActivationLayer<activation_kind::HardSigmoid>;
using Tanh = ActivationLayer<activation_kind::Tanh>;
using GELU = ActivationLayer<activation_kind::GELU>;
using GELUTanh = ActivationLayer<activation_kind::GELUTanh>;
using SiLU = ActivationLayer<activation_kind::SiLU>;
using HardSwish = ActivationLayer<activation_kind::HardSwish>;
using Mish = ActivationLayer<activation_kind::Mish>;
using Softplus = ActivationLayer<activation_kind::Softplus>;
using ELU = ActivationLayer<activation_kind::ELU>;
using SELU = ActivationLayer<activation_kind::SELU>;
using ReLU6 = ActivationLayer<activation_kind::ReLU6>;

// Softmax over the last dimension of each sample (for probabilities; train on logits with
// CrossEntropy instead, which is exact and cheaper).
template <class In>
class SoftmaxLayer {
 public:
  using in_shape = In;
  using out_shape = In;
  template <class Shape>
  using bind = SoftmaxLayer<Shape>;

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    kernels::softmax_f32(x, y, batch * In::size / last(), last(), 1);
  }
  void backward(const float*, const float* y, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr) softmax_backward(y, dy, dx, batch * In::size / last(), last());
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_softmax(ctx, input);
  }

 private:
  template <std::size_t... D>
  static constexpr std::size_t last_of(Dims<D...>) {
    std::size_t dims[] = {D...};
    return dims[sizeof...(D) - 1];
  }
  static constexpr std::size_t last() { return last_of(In{}); }
};

using Softmax = SoftmaxLayer<void>;

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_ACTIVATION_HPP
