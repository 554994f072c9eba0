// The pieces every typed layer shares: compile-time shapes (Dims), the run context, the view of
// a trainable parameter (Param) and the ONNX export context.
#ifndef INLAY_NN_CORE_HPP
#define INLAY_NN_CORE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "inlay/core/config.hpp"
#include "inlay/core/executor.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {
class Rng;
}
namespace onnx {
class GraphWriter;
}
namespace nn {

// The shape of one sample, known at compile time (the batch dimension is not part of it).
// Images are Dims<channels, height, width> (NCHW), sequences Dims<steps, features>.
template <std::size_t... D>
struct Dims {
  static constexpr std::size_t rank = sizeof...(D);
  static constexpr std::size_t size = (std::size_t{1} * ... * D);
  static std::vector<std::int64_t> to_vector() { return {static_cast<std::int64_t>(D)...}; }
};

// The first element of a Sequential when its first layer does not fix the input shape itself
// (e.g. Sequential<Input<1, 8, 8>, Conv2D<1, 8, 3>, ...>).
template <std::size_t... D>
struct Input {
  using shape = Dims<D...>;
};

// A parameter tensor of a layer and its gradient (same size). decay: whether L1/L2
// regularization and weight decay apply (weights yes, biases and norm scales no).
struct Param {
  std::string name;
  float* value = nullptr;
  float* grad = nullptr;
  std::size_t size = 0;
  bool decay = true;
};

// What a forward pass needs besides the data. rng may be null outside training.
struct RunContext {
  bool training = false;
  data::Rng* rng = nullptr;
  Executor* executor = nullptr;
  // The padded positions of the batch, [batch, padding_length], 1 where the token is padding: set
  // by an Embedding with MaskZero for the layers after it in its Sequential (attention leaves such
  // keys out, SequenceMean such positions); null when every position is a real token.
  const std::uint8_t* padding = nullptr;
  std::size_t padding_length = 0;
};

// ctx.padding for a layer over `seq` positions, null without one; inlay::Error invalid_argument
// when the mask was made for sequences of another length (a layer between changed it).
const std::uint8_t* checked_padding(const RunContext& ctx, std::size_t seq);

// Collects the nodes of an exported graph; names are made unique with a counter.
struct ExportContext {
  onnx::GraphWriter* graph = nullptr;
  std::size_t counter = 0;
  // The exported form of RunContext::padding: a float [batch, keep_length] tensor, 1 for a real
  // token and 0 for padding (empty: none), and the additive attention mask [batch, 1, 1,
  // keep_length] made from it (0 or -1e9), built once by the first attention layer.
  std::string keep_mask, attention_mask;
  std::size_t keep_length = 0;
  // "<prefix>_<counter>", a fresh tensor or node name.
  std::string fresh(const char* prefix) {
    return std::string(prefix) + "_" + std::to_string(counter++);
  }
};

namespace detail {
// The shape a layer spec expects; void when it takes the shape of whatever precedes it.
template <class Spec, class = void>
struct expected_input {
  using type = void;
};
template <class Spec>
struct expected_input<Spec, std::void_t<typename Spec::expects>> {
  using type = typename Spec::expects;
};

// Named so that a failed check shows the layer's position and both shapes in the compiler's
// "required from" lines.
template <std::size_t LayerIndex, class Expected, class Got>
struct check_layer_input {
  static constexpr bool ok = std::is_void<Expected>::value || std::is_same<Expected, Got>::value;
  static_assert(ok,
                "inlay::nn::Sequential: shape mismatch: layer number LayerIndex (counted from 0) "
                "expects an input shape Expected (Dims<...> per sample) but the layer before it "
                "produces Got; the compiler names check_layer_input<LayerIndex, Expected, Got>");
};

// A layer that marks padded positions (Embedding with MaskZero) has padding_mask(): after it,
// Sequential runs the following layers with ctx.padding set to that mask.
template <class L, class = void>
struct has_padding_mask : std::false_type {};
template <class L>
struct has_padding_mask<L, std::void_t<decltype(std::declval<const L&>().padding_mask())>>
    : std::true_type {};
template <class L>
void pass_padding(const L& layer, RunContext& ctx) {
  if constexpr (has_padding_mask<L>::value) {
    if (const std::uint8_t* mask = layer.padding_mask()) {
      ctx.padding = mask;
      ctx.padding_length = L::in_shape::size;
    }
  }
}
}  // namespace detail

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_CORE_HPP
