// ONNX export of a structurally pruned network without its removed neurons and channels, so that
// the graph door computes a smaller network (nn/prune.hpp, PruneUnit::outputs).
//
//   nn::save_onnx_pruned(net, "pruned.onnx");
//
// An output of a Dense layer or a convolution whose weights are all zero (from the inputs still
// present) computes a constant: its bias (a constant plane for a channel). It passes through the
// layers that act on each channel alone (activations, Dropout, BatchNorm, MaxPool2D, AvgPool2D,
// and Flatten or GlobalAvgPool, after which the channels are features) to the next weight layer,
// which folds it into its own bias, and the output is left out of both layers:
//   - a Dense layer folds any removed feature exactly (value times its row of the weights);
//   - a convolution (one group) folds a removed channel only when its plane is one value there
//     and, if that convolution pads, only a zero one: at the zero-padded borders a nonzero
//     constant plane is not constant. Such a channel is kept (computed) instead. Whether the
//     plane is one value is found by running the typed layers in between on it (average pooling
//     with padding, say, may break it).
// Dense layers nested in a Sequential inside TimeDistributed, Residual or another Sequential (the
// feed-forward network of a TransformerEncoderBlock) shrink the same way within that Sequential.
// Everything else is exported as nn::save_onnx does: grouped and depthwise convolutions, the
// last weight layer, recurrent gate rows, attention projections and embedding tables keep their
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
#include "inlay/nn/conv.hpp"
#include "inlay/nn/dropout.hpp"
#include "inlay/nn/fit.hpp"
#include "inlay/nn/norm.hpp"
#include "inlay/nn/pool.hpp"
#include "inlay/nn/reshape.hpp"
#include "inlay/nn/residual.hpp"
#include "inlay/nn/time_distributed.hpp"
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

template <class L>
struct is_batch_norm : std::false_type {};
template <class In>
struct is_batch_norm<BatchNormLayer<In>> : std::true_type {};
template <class L>
struct is_flatten : std::false_type {};
template <class In>
struct is_flatten<FlattenLayer<In>> : std::true_type {};
// After these the channels are the features of a vector, which only a Dense layer reads.
template <class L>
struct is_flattening : is_flatten<L> {};
template <class In>
struct is_flattening<GlobalAvgPoolLayer<In>> : std::true_type {};

// Layers computing each channel (feature) from that channel alone: a removed channel's constant
// plane goes through them, and at a smaller width they need no change (BatchNorm aside).
template <class L>
struct is_channelwise
    : std::integral_constant<bool, is_elementwise<L>::value || is_batch_norm<L>::value ||
                                       is_flattening<L>::value> {};
template <std::size_t K, std::size_t S, std::size_t P, class In>
struct is_channelwise<MaxPool2D<K, S, P, In>> : std::true_type {};
template <std::size_t K, std::size_t S, std::size_t P, class In>
struct is_channelwise<AvgPool2D<K, S, P, In>> : std::true_type {};

template <std::size_t InC, std::size_t OutC, std::size_t KH, std::size_t KW, std::size_t SH,
          std::size_t SW, std::size_t PH, std::size_t PW, std::size_t G, std::size_t H,
          std::size_t W, bool OneD>
std::integral_constant<bool, OneD> conv_one_d(
    const ConvBody<InC, OutC, KH, KW, SH, SW, PH, PW, G, H, W, OneD>*);
template <class L>
using is_conv_1d = decltype(conv_one_d(static_cast<const L*>(nullptr)));

// The features (channels) still present between layers, and the values the removed ones hold.
struct PrunedFlow {
  std::vector<std::size_t> kept;  // empty: all of them
  std::vector<float> constant;    // the whole activation of one sample; removed channels matter
  std::size_t spatial = 1;        // values per channel in `constant`
};

// The weight layer that reads layer I's outputs once the channelwise layers are passed.
struct PrunedConsumer {
  enum Kind { none, dense, conv } kind = none;
  bool pads = false;  // a convolution that zero-pads its input
};
// Flat: the outputs are features of a vector (a Dense layer's, or after Flatten).
template <class Layers, std::size_t I, bool Flat>
PrunedConsumer consumer_after() {
  if constexpr (I + 1 >= std::tuple_size<Layers>::value) {
    return {};
  } else {
    using Next = std::tuple_element_t<I + 1, Layers>;
    if constexpr (is_dense<Next>::value) {
      return Flat ? PrunedConsumer{PrunedConsumer::dense, false} : PrunedConsumer{};
    } else if constexpr (is_conv<Next>::value) {
      const kernels::Conv2dParams p = Next::params(1);
      if (Flat || p.groups != 1) return {};  // a group's channels cannot shrink alone
      return {PrunedConsumer::conv, p.pad_top + p.pad_bottom + p.pad_left + p.pad_right > 0};
    } else if constexpr (is_channelwise<Next>::value) {
      return consumer_after < Layers, I + 1, Flat || is_flattening<Next>::value > ();
    } else {
      return {};
    }
  }
}

// Layer I's output x (one sample) after the channelwise layers that follow it.
template <class Net, std::size_t I>
std::vector<float> after_channelwise(const Net& net, std::vector<float> x) {
  using Layers = typename Net::layers_type;
  (void)net;
  if constexpr (I + 1 < std::tuple_size<Layers>::value) {
    using Next = std::tuple_element_t<I + 1, Layers>;
    if constexpr (is_channelwise<Next>::value) {
      Next copy = net.template layer<I + 1>();  // forward is not const (pooling keeps indices)
      std::vector<float> y(Next::out_shape::size);
      copy.forward(x.data(), y.data(), 1, RunContext());
      return after_channelwise<Net, I + 1>(net, std::move(y));
    }
  }
  return x;
}

// A weight layer once the removed inputs are folded into its bias.
struct FoldedLayer {
  std::vector<std::size_t> inputs;  // the inputs (channels) still present
  std::vector<float> bias;          // plus the removed inputs' constants times their weights
  std::vector<bool> dead;           // outputs whose weights from `inputs` are all zero
};
FoldedLayer fold_dense(const float* w, const float* b, std::size_t in, std::size_t out,
                       const PrunedFlow& flow);
FoldedLayer fold_conv(const kernels::Conv2dParams& p, const float* w, const float* b,
                      const PrunedFlow& flow);
// bias[c] repeated over a plane of `spatial` values per channel.
std::vector<float> constant_planes(const std::vector<float>& bias, std::size_t spatial);
// Of the dead channels, those whose plane in x (the consumer's input) is one value, and zero
// when the consumer pads.
std::vector<bool> foldable_planes(const std::vector<float>& x, const std::vector<bool>& dead,
                                  bool pads);

// Which of layer I's dead outputs the export leaves out (Flat: layer I is a Dense layer).
template <class Net, std::size_t I, bool Flat>
std::vector<bool> removable_outputs(const Net& net, const FoldedLayer& f, std::size_t spatial) {
  const PrunedConsumer next = consumer_after<typename Net::layers_type, I, Flat>();
  if (next.kind == PrunedConsumer::dense) return f.dead;
  if (next.kind == PrunedConsumer::none) return std::vector<bool>(f.dead.size(), false);
  return foldable_planes(after_channelwise<Net, I>(net, constant_planes(f.bias, spatial)), f.dead,
                         next.pads);
}

// The layers without the removed inputs and outputs; they set flow for the layers that follow.
std::string emit_dense_pruned(ExportContext& ctx, const float* w, std::size_t in, std::size_t out,
                              const FoldedLayer& f, const std::vector<bool>& remove,
                              PrunedFlow& flow, const std::string& input);
std::string emit_conv_pruned(ExportContext& ctx, kernels::Conv2dParams p, const float* w,
                             bool one_d, const FoldedLayer& f, const std::vector<bool>& remove,
                             std::size_t out_spatial, PrunedFlow& flow, const std::string& input);
// flow after a channelwise layer that computed y from flow.constant.
void pass_channelwise(PrunedFlow& flow, std::vector<float> y, bool flatten);
// Fails (a bug of this export) when features were removed before a layer that cannot fold them.
void check_nothing_removed(const PrunedFlow& flow);

template <class In>
std::string export_batch_norm_pruned(ExportContext& ctx, const BatchNormLayer<In>& bn,
                                     const std::vector<std::size_t>& kept,
                                     const std::string& input) {
  if (kept.empty()) return bn.export_onnx(ctx, input);
  std::vector<float> scale, bias, mean, var;
  for (std::size_t c : kept) {
    scale.push_back(bn.scale[c]);
    bias.push_back(bn.bias[c]);
    mean.push_back(bn.running_mean[c]);
    var.push_back(bn.running_var[c]);
  }
  return export_batch_norm(ctx, kept.size(), scale.data(), bias.data(), mean.data(), var.data(),
                           bn.eps, input);
}

template <class Net>
std::string export_pruned_sequential(const Net& net, ExportContext& ctx, const std::string& input);

template <class Net, std::size_t I>
std::string export_pruned_layer(const Net& net, ExportContext& ctx, PrunedFlow& flow,
                                const std::string& input) {
  using L = std::tuple_element_t<I, typename Net::layers_type>;
  const L& layer = net.template layer<I>();
  if constexpr (is_dense<L>::value) {
    const std::size_t out = layer.bias.size(), in = layer.weight.size() / out;
    const FoldedLayer f = fold_dense(layer.weight.data(), layer.bias.data(), in, out, flow);
    return emit_dense_pruned(ctx, layer.weight.data(), in, out, f,
                             removable_outputs<Net, I, true>(net, f, 1), flow, input);
  } else if constexpr (is_conv<L>::value) {
    const kernels::Conv2dParams p = L::params(1);
    const std::size_t spatial = L::out_shape::size / p.out_channels;
    const FoldedLayer f = fold_conv(p, layer.weight.data(), layer.bias.data(), flow);
    return emit_conv_pruned(ctx, p, layer.weight.data(), is_conv_1d<L>::value, f,
                            removable_outputs<Net, I, false>(net, f, spatial), spatial, flow,
                            input);
  } else if constexpr (is_channelwise<L>::value) {
    std::string out;
    if constexpr (is_batch_norm<L>::value) {
      out = export_batch_norm_pruned(ctx, layer, flow.kept, input);
    } else {
      out = layer.export_onnx(ctx, input);
    }
    if (!flow.kept.empty()) {  // the removed channels' constants go through the layer too
      L copy = layer;
      std::vector<float> y(L::out_shape::size);
      copy.forward(flow.constant.data(), y.data(), 1, RunContext());
      pass_channelwise(flow, std::move(y), is_flatten<L>::value);
    }
    return out;
  } else {
    check_nothing_removed(flow);
    // Blocks: the Sequentials inside shrink on their own (a Transformer's feed-forward network).
    if constexpr (is_time_distributed<L>::value) {
      using Inner = typename L::inner_type;
      if constexpr (is_sequential<Inner>::value) {
        const std::string rows = export_reshape_rows(ctx, Inner::in_shape::to_vector(), input);
        return export_reshape_rows(ctx, L::out_shape::to_vector(),
                                   export_pruned_sequential(layer.layer, ctx, rows));
      } else {
        return layer.export_onnx(ctx, input);
      }
    } else if constexpr (is_residual<L>::value) {
      if constexpr (is_sequential<decltype(L::block)>::value) {
        return export_add(ctx, input, export_pruned_sequential(layer.block, ctx, input));
      } else {
        return layer.export_onnx(ctx, input);
      }
    } else if constexpr (is_sequential<L>::value) {
      return export_pruned_sequential(layer, ctx, input);
    } else {
      return layer.export_onnx(ctx, input);
    }
  }
}

template <class Net, std::size_t... I>
std::string export_pruned_body(const Net& net, ExportContext& ctx, const std::string& input,
                               std::index_sequence<I...>) {
  PrunedFlow flow;
  std::string name = input;
  ((name = export_pruned_layer<Net, I>(net, ctx, flow, name)), ...);
  return name;
}
template <class Net>
std::string export_pruned_sequential(const Net& net, ExportContext& ctx, const std::string& input) {
  return export_pruned_body(net, ctx, input, std::make_index_sequence<Net::num_layers>());
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
