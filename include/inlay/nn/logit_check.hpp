// Compile-time check that a network trained with a loss on logits does not end with the squashing
// layer that loss already applies (Keras' Dense(10, activation="softmax") habit).
//
// CrossEntropy, KLDivergence and Distillation apply softmax to the network's output, and
// BinaryCrossEntropy applies sigmoid. A Softmax (Sigmoid) last layer would make them squash twice:
// training still runs, but the loss sees probabilities squeezed into [1/e, e] ratios, its gradient
// shrinks, and the model learns slowly and badly. Keras instead accepts probabilities
// (from_logits=False) by taking log of clipped probabilities; inlay refuses at compile time,
// because the logit form is the numerically sound one (log-sum-exp) and the fix is one line: drop
// the last layer from the trained network and apply softmax (sigmoid) to predict()'s logits when
// probabilities are wanted (argmax, and so accuracy, is the same on logits).
#ifndef INLAY_NN_LOGIT_CHECK_HPP
#define INLAY_NN_LOGIT_CHECK_HPP

#include <tuple>
#include <type_traits>

#include "inlay/nn/activation.hpp"
#include "inlay/nn/loss.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace detail {
template <class Net, class = void>
struct last_layer {
  using type = void;  // not a Sequential: nothing to check
};
template <class Net>
struct last_layer<Net, std::void_t<typename Net::layers_type>> {
  using layers = typename Net::layers_type;
  using type = std::tuple_element_t<std::tuple_size<layers>::value - 1, layers>;
};

template <class Layer>
struct is_softmax_layer : std::false_type {};
template <class In>
struct is_softmax_layer<SoftmaxLayer<In>> : std::true_type {};
template <class Layer>
struct is_sigmoid_layer : std::false_type {};
template <class In>
struct is_sigmoid_layer<ActivationLayer<activation_kind::Sigmoid, In>> : std::true_type {};
}  // namespace detail

// True when Net's last layer is the squashing that LossT applies to logits itself.
template <class Net, class LossT>
struct squashes_before_logit_loss {
  using last = typename detail::last_layer<Net>::type;
  static constexpr bool softmax_loss = std::is_same<LossT, CrossEntropy>::value ||
                                       std::is_same<LossT, KLDivergence>::value ||
                                       std::is_same<LossT, Distillation>::value;
  static constexpr bool value =
      (softmax_loss && detail::is_softmax_layer<last>::value) ||
      (std::is_same<LossT, BinaryCrossEntropy>::value && detail::is_sigmoid_layer<last>::value);
};

// The static_assert of fit() and evaluate(); its message says what to write instead.
template <class Net, class LossT>
constexpr void check_logit_loss() {
  static_assert(std::is_base_of<Loss, LossT>::value,
                "inlay::nn: the loss must derive from nn::Loss");
  static_assert(!squashes_before_logit_loss<Net, LossT>::value,
                "inlay::nn: the network ends with Softmax (or Sigmoid) but this loss takes logits "
                "and applies softmax (sigmoid) itself, so it would be applied twice. Remove the "
                "last Softmax/Sigmoid from the trained Sequential (Keras' Dense(10, "
                "activation='softmax') + categorical_crossentropy is Dense<64, 10> + "
                "nn::CrossEntropy) and apply softmax to predict()'s output if you need "
                "probabilities. See docs/typed-door.md.");
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_LOGIT_CHECK_HPP
