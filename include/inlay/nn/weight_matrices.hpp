// The weight matrices of a Sequential that pruning and weight sharing act on: those of its Dense
// layers and convolutions (top level; nested blocks such as Residual are left alone), each with
// the geometry that says which weights feed which output neuron or channel.
#ifndef INLAY_NN_WEIGHT_MATRICES_HPP
#define INLAY_NN_WEIGHT_MATRICES_HPP

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "inlay/nn/conv.hpp"
#include "inlay/nn/core.hpp"
#include "inlay/nn/dense.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// One layer's weights: `outputs` neurons (channels) of `fan_in` weights each. Dense stores
// [fan_in, outputs] (output_major false), convolutions [outputs, fan_in] (output_major true).
struct WeightMatrix {
  std::string name;  // "<layer index>.weight", as in Sequential::params()
  std::size_t layer = 0;
  float* value = nullptr;
  float* grad = nullptr;
  float* bias = nullptr;  // [outputs]
  std::size_t outputs = 0, fan_in = 0;
  bool output_major = false;
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
void add_weight_matrix(std::vector<WeightMatrix>& out, std::size_t index, L& layer) {
  if constexpr (is_dense<L>::value || is_conv<L>::value) {
    WeightMatrix m;
    m.name = std::to_string(index) + ".weight";
    m.layer = index;
    m.value = layer.weight.data();
    m.grad = layer.weight_grad.data();
    m.bias = layer.bias.data();
    m.outputs = layer.bias.size();
    m.fan_in = layer.weight.size() / layer.bias.size();
    m.output_major = is_conv<L>::value;
    out.push_back(std::move(m));
  }
}
template <class Net, std::size_t... I>
std::vector<WeightMatrix> weight_matrices_of(Net& net, std::index_sequence<I...>) {
  std::vector<WeightMatrix> out;
  (add_weight_matrix(out, I, net.template layer<I>()), ...);
  return out;
}
}  // namespace detail

// Every Dense and convolution weight matrix of net, in layer order. The pointers stay valid as
// long as net does.
template <class Net>
std::vector<WeightMatrix> weight_matrices(Net& net) {
  return detail::weight_matrices_of(net, std::make_index_sequence<Net::num_layers>());
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_WEIGHT_MATRICES_HPP
