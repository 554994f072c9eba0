// The weight matrices of a Sequential that pruning and weight sharing act on: those of its Dense
// layers, convolutions, recurrent layers (W and R), attention projections, and of the same layers
// nested at any depth in Residual, TimeDistributed and inner Sequential blocks (a
// TransformerEncoderBlock is one), and the tables of Embedding and LearnedPositions, each with the
// geometry that says which weights feed which output neuron, channel or gate row. Biases and norm
// scales are left alone.
//
// A table is looked up, not computed: a row of it is no neuron, and a column left out would change
// the width every later layer reads. So tables are marked `structured = false`: unstructured
// pruning and weight sharing treat them like any matrix, structured pruning
// (PruneUnit::outputs) leaves them whole.
#ifndef INLAY_NN_WEIGHT_MATRICES_HPP
#define INLAY_NN_WEIGHT_MATRICES_HPP

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "inlay/nn/attention.hpp"
#include "inlay/nn/conv.hpp"
#include "inlay/nn/core.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/embedding.hpp"
#include "inlay/nn/positions.hpp"
#include "inlay/nn/recurrent.hpp"
#include "inlay/nn/residual.hpp"
#include "inlay/nn/sequential.hpp"
#include "inlay/nn/time_distributed.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// One weight tensor seen as `outputs` neurons (channels, gate rows) of `fan_in` weights each.
// Dense and attention projections store [fan_in, outputs] (output_major false); convolutions and
// recurrent W [gates * Hidden, In], R [gates * Hidden, Hidden] store [outputs, fan_in]
// (output_major true). Embedding [Vocabulary, Dim] and LearnedPositions [Seq, Embed] tables are
// seen as a Dense layer on one-hot inputs: Dim (Embed) outputs of Vocabulary (Seq) weights each.
struct WeightMatrix {
  std::string name;       // as in Sequential::params(): "0.weight", "2.0.1.q_weight", ...
  std::size_t layer = 0;  // the index of the top-level layer that holds it
  bool nested = false;    // false: the weight of that layer itself (Dense, convolution, table)
  float* value = nullptr;
  float* grad = nullptr;
  float* bias = nullptr;  // [outputs], or null (an LSTM's R has no bias of its own)
  std::size_t outputs = 0, fan_in = 0;
  bool output_major = false;
  bool structured = true;  // false: a lookup table, which structured pruning leaves whole
  std::size_t size() const { return outputs * fan_in; }
  // The position of the weight from input i to output o.
  std::size_t at(std::size_t o, std::size_t i) const {
    return output_major ? o * fan_in + i : i * outputs + o;
  }
};

namespace detail {
template <class L>
struct is_dense : std::false_type {};
template <std::size_t In, std::size_t Out>
struct is_dense<Dense<In, Out>> : std::true_type {};

template <std::size_t InC, std::size_t OutC, std::size_t KH, std::size_t KW, std::size_t SH,
          std::size_t SW, std::size_t PH, std::size_t PW, std::size_t G, std::size_t H,
          std::size_t W, bool OneD>
std::true_type conv_base(const ConvBody<InC, OutC, KH, KW, SH, SW, PH, PW, G, H, W, OneD>*);
std::false_type conv_base(const void*);
template <class L>
using is_conv = decltype(conv_base(static_cast<const L*>(nullptr)));

template <class L>
struct is_recurrent : std::false_type {};
template <std::size_t In, std::size_t Hidden, std::size_t Seq, bool Sequences>
struct is_recurrent<LSTM<In, Hidden, Seq, Sequences>> : std::true_type {};
template <std::size_t In, std::size_t Hidden, std::size_t Seq, bool Sequences>
struct is_recurrent<GRU<In, Hidden, Seq, Sequences>> : std::true_type {};
template <class L>
struct is_gru : std::false_type {};
template <std::size_t In, std::size_t Hidden, std::size_t Seq, bool Sequences>
struct is_gru<GRU<In, Hidden, Seq, Sequences>> : std::true_type {};

template <class L>
struct is_attention : std::false_type {};
template <std::size_t Embed, std::size_t Heads, std::size_t Seq, bool Causal>
struct is_attention<MultiHeadAttention<Embed, Heads, Seq, Causal>> : std::true_type {};

template <class L>
struct is_table : std::false_type {};
template <std::size_t Vocabulary, std::size_t Dim, std::size_t Length, bool MaskZero>
struct is_table<Embedding<Vocabulary, Dim, Length, MaskZero>> : std::true_type {
  static constexpr std::size_t width = Dim;
};
template <std::size_t Seq, std::size_t Embed>
struct is_table<LearnedPositions<Seq, Embed>> : std::true_type {
  static constexpr std::size_t width = Embed;
};

template <class L>
struct is_residual : std::false_type {};
template <class Block>
struct is_residual<Residual<Block>> : std::true_type {};

template <class L>
struct is_time_distributed : std::false_type {};
template <class Layer, class In>
struct is_time_distributed<TimeDistributed<Layer, In>> : std::true_type {};

// A base-class match, so that blocks derived from a Sequential (TransformerEncoderBlock) count.
template <class... Specs>
std::true_type sequential_base(const Sequential<Specs...>*);
std::false_type sequential_base(const void*);
template <class L>
using is_sequential = decltype(sequential_base(static_cast<const L*>(nullptr)));

// Where the walk stands: the top-level layer and the name prefix params() gives its parameters.
struct MatrixPlace {
  std::size_t layer;
  std::string prefix;  // "3." at the top, "3.0.1." two blocks down
  bool nested;
};

inline void add_matrix(std::vector<WeightMatrix>& out, const MatrixPlace& at, const char* name,
                       float* value, float* grad, float* bias, std::size_t outputs,
                       std::size_t fan_in, bool output_major, bool nested, bool structured = true) {
  WeightMatrix m;
  m.name = at.prefix + name;
  m.layer = at.layer;
  m.nested = at.nested || nested;
  m.value = value;
  m.grad = grad;
  m.bias = bias;
  m.outputs = outputs;
  m.fan_in = fan_in;
  m.output_major = output_major;
  m.structured = structured;
  out.push_back(std::move(m));
}

template <class Net, std::size_t... I>
void add_sequential_matrices(std::vector<WeightMatrix>& out, const MatrixPlace& at, Net& net,
                             std::index_sequence<I...>);

template <class L>
void add_weight_matrices(std::vector<WeightMatrix>& out, const MatrixPlace& at, L& layer) {
  if constexpr (is_dense<L>::value || is_conv<L>::value) {
    add_matrix(out, at, "weight", layer.weight.data(), layer.weight_grad.data(), layer.bias.data(),
               layer.bias.size(), layer.weight.size() / layer.bias.size(), is_conv<L>::value,
               false);
  } else if constexpr (is_recurrent<L>::value) {
    // Rows are gates * Hidden (the bias's length); W's fan-in is In, R's Hidden.
    const std::size_t rows = layer.bias.size();
    float* r_bias = nullptr;
    if constexpr (is_gru<L>::value) r_bias = layer.recurrent_bias.data();
    add_matrix(out, at, "weight", layer.weight.data(), layer.weight_grad.data(), layer.bias.data(),
               rows, layer.weight.size() / rows, true, true);
    add_matrix(out, at, "recurrent", layer.recurrent.data(), layer.recurrent_grad.data(), r_bias,
               rows, layer.recurrent.size() / rows, true, true);
  } else if constexpr (is_attention<L>::value) {
    const char* names[4] = {"q_weight", "k_weight", "v_weight", "out_weight"};
    const std::size_t embed = layer.bias[0].size();
    for (int i = 0; i < 4; ++i) {
      add_matrix(out, at, names[i], layer.weight[i].data(), layer.weight_grad[i].data(),
                 layer.bias[i].data(), embed, embed, false, true);
    }
  } else if constexpr (is_table<L>::value) {
    // The table's columns (its width) are the outputs; its rows (ids, positions) the fan-in.
    constexpr std::size_t width = is_table<L>::width;
    add_matrix(out, at, "weight", layer.weight.data(), layer.weight_grad.data(), nullptr, width,
               layer.weight.size() / width, false, false, false);
  } else if constexpr (is_residual<L>::value) {
    add_weight_matrices(out, MatrixPlace{at.layer, at.prefix, true}, layer.block);
  } else if constexpr (is_time_distributed<L>::value) {
    add_weight_matrices(out, MatrixPlace{at.layer, at.prefix, true}, layer.layer);
  } else if constexpr (is_sequential<L>::value) {
    add_sequential_matrices(out, MatrixPlace{at.layer, at.prefix, true}, layer,
                            std::make_index_sequence<L::num_layers>());
  }
}

template <class Net, std::size_t... I>
void add_sequential_matrices(std::vector<WeightMatrix>& out, const MatrixPlace& at, Net& net,
                             std::index_sequence<I...>) {
  (add_weight_matrices(out, MatrixPlace{at.layer, at.prefix + std::to_string(I) + ".", at.nested},
                       net.template layer<I>()),
   ...);
}
template <class Net, std::size_t... I>
std::vector<WeightMatrix> weight_matrices_of(Net& net, std::index_sequence<I...>) {
  std::vector<WeightMatrix> out;
  (add_weight_matrices(out, MatrixPlace{I, std::to_string(I) + ".", false},
                       net.template layer<I>()),
   ...);
  return out;
}
}  // namespace detail

// Every weight matrix of net, in params() order. The pointers stay valid as long as net does.
template <class Net>
std::vector<WeightMatrix> weight_matrices(Net& net) {
  return detail::weight_matrices_of(net, std::make_index_sequence<Net::num_layers>());
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_WEIGHT_MATRICES_HPP
