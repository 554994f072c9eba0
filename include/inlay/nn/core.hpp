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
};

// Collects the nodes of an exported graph; names are made unique with a counter.
struct ExportContext {
  onnx::GraphWriter* graph = nullptr;
  std::size_t counter = 0;
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
}  // namespace detail

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_CORE_HPP
