// ONNX export of a structurally pruned network without its removed neurons, so that the graph
// door computes a smaller network (nn/prune.hpp, PruneUnit::outputs).
//
//   nn::save_onnx_pruned(net, "pruned.onnx");
//
// An output neuron of a Dense layer whose weights are all zero (from the inputs still present)
// computes a constant: its bias, passed through the element-wise layers that follow (activations,
// Dropout). When the next layer that is not element-wise is a Dense layer, the neuron is left out
// and its constant times its row of the next weights is added to the next bias, so the outputs
// are those of the typed network. Every other layer is exported as nn::save_onnx does: pruned
// convolutions, recurrent gate rows, attention projections and layers nested in blocks keep their
// shape and hold zeros, which computes the same outputs without shrinking them.
#ifndef INLAY_NN_PRUNED_EXPORT_HPP
#define INLAY_NN_PRUNED_EXPORT_HPP

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "inlay/nn/activation.hpp"
#include "inlay/nn/dropout.hpp"
#include "inlay/nn/fit.hpp"
#include "inlay/nn/weight_matrices.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace detail {
template <class L>
struct is_elementwise : std::false_type {};
template <class Kind, class Shape>
struct is_elementwise<ActivationLayer<Kind, Shape>> : std::true_type {};
template <std::size_t Rate, class Shape>
struct is_elementwise<Dropout<Rate, Shape>> : std::true_type {};

// Whether the first layer after I that is not element-wise is a Dense layer.
template <class Layers, std::size_t I>
constexpr bool next_weights_are_dense() {
  constexpr std::size_t n = std::tuple_size<Layers>::value;
  if constexpr (I + 1 >= n) {
    return false;
  } else {
    using Next = std::tuple_element_t<I + 1, Layers>;
    if constexpr (is_dense<Next>::value) {
      return true;
    } else if constexpr (is_elementwise<Next>::value) {
      return next_weights_are_dense<Layers, I + 1>();
    } else {
      return false;
    }
  }
}

// The features still present between layers, and the constants the removed ones hold.
struct PrunedFlow {
  std::vector<std::size_t> kept;  // empty: all of them
  std::vector<float> constant;    // per feature of the full width (removed ones matter)
};

// Gemm of W[kept rows, kept columns]; folds removed inputs into the bias; updates flow.
std::string export_dense_pruned(ExportContext& ctx, const float* w, const float* b, std::size_t in,
                                std::size_t out, bool may_remove_outputs, PrunedFlow& flow,
                                const std::string& input);

template <class Layers, std::size_t I, class L>
std::string export_pruned_layer(const L& layer, ExportContext& ctx, PrunedFlow& flow,
                                const std::string& input) {
  if constexpr (is_dense<L>::value) {
    return export_dense_pruned(ctx, layer.weight.data(), layer.bias.data(),
                               layer.weight.size() / layer.bias.size(), layer.bias.size(),
                               next_weights_are_dense<Layers, I>(), flow, input);
  } else if constexpr (is_elementwise<L>::value) {
    if (!flow.kept.empty()) {  // the removed features' constants go through the layer too
      L copy = layer;
      std::vector<float> y(flow.constant.size());
      copy.forward(flow.constant.data(), y.data(), 1, RunContext());
      flow.constant = std::move(y);
    }
    return layer.export_onnx(ctx, input);
  } else {
    return layer.export_onnx(ctx, input);  // flow.kept is empty here (see the Dense case)
  }
}

template <class Net, std::size_t... I>
std::string export_pruned_body(const Net& net, ExportContext& ctx, const std::string& input,
                               std::index_sequence<I...>) {
  using Layers = typename Net::layers_type;
  PrunedFlow flow;
  std::string name = input;
  ((name = export_pruned_layer<Layers, I>(net.template layer<I>(), ctx, flow, name)), ...);
  return name;
}
}  // namespace detail

// An ONNX model like net.to_onnx(opset), without the neurons structured pruning removed.
template <class Net>
std::string to_onnx_pruned(const Net& net, std::int64_t opset = 17) {
  return export_model_bytes(
      &net,
      [](const void* n, ExportContext& ctx, const std::string& input) {
        return detail::export_pruned_body(*static_cast<const Net*>(n), ctx, input,
                                          std::make_index_sequence<Net::num_layers>());
      },
      Net::in_shape::to_vector(), Net::out_shape::to_vector(), opset);
}
template <class Net>
void save_onnx_pruned(const Net& net, const std::string& path, std::int64_t opset = 17) {
  save_bytes(to_onnx_pruned(net, opset), path);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_PRUNED_EXPORT_HPP
