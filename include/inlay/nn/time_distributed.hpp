// TimeDistributed<Layer>: applies a layer to every position of a Dims<Steps, F...> sample, e.g.
// TimeDistributed<Dense<16, 64>> maps Dims<Seq, 16> to Dims<Seq, 64> with one weight matrix shared
// by all positions (the position-wise feed-forward layer of a Transformer). The positions are
// folded into the batch: the layer runs once on batch * Steps rows.
//
// Why a wrapper rather than a Dense that accepts Dims<S, In>: Dense<In, Out> expects exactly
// Dims<In>, so a Sequential may start with it and a forgotten Flatten stays a compile error (CTest
// nn.shape_mismatch); a Dense that took any Dims<..., In> would silently turn such a mistake into
// a different network. The wrapper makes the per-position use visible in the type, and works for
// any layer, a nested Sequential included.
#ifndef INLAY_NN_TIME_DISTRIBUTED_HPP
#define INLAY_NN_TIME_DISTRIBUTED_HPP

#include <string>
#include <type_traits>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// ONNX Reshape of `input` to [-1, dims...]; returns the output's name.
std::string export_reshape_rows(ExportContext& ctx, const std::vector<std::int64_t>& dims,
                                const std::string& input);

namespace detail {
template <std::size_t First, class Rest>
struct prepend_dim;
template <std::size_t First, std::size_t... D>
struct prepend_dim<First, Dims<D...>> {
  using type = Dims<First, D...>;
};
}  // namespace detail

// In: the bound sample shape Dims<Steps, F...>; void before binding (as written by the user).
template <class Layer, class In = void>
class TimeDistributed {
  static_assert(std::is_void<In>::value,
                "inlay::nn::TimeDistributed<Layer>: the input must be Dims<Steps, features...> "
                "(at least two dimensions)");
};

template <class Layer>
class TimeDistributed<Layer, void> {
 public:
  template <class Shape>
  using bind = TimeDistributed<Layer, Shape>;
};

template <class Layer, std::size_t Steps, std::size_t... F>
class TimeDistributed<Layer, Dims<Steps, F...>> {
  static_assert(sizeof...(F) > 0,
                "inlay::nn::TimeDistributed<Layer>: the input must be Dims<Steps, features...> "
                "(at least two dimensions)");
  using position = Dims<F...>;
  static_assert(
      detail::check_layer_input<0, typename detail::expected_input<Layer>::type, position>::ok,
      "inlay::nn::TimeDistributed<Layer>: the layer does not take one position of the "
      "sequence (see check_layer_input above)");

 public:
  using inner_type = typename Layer::template bind<position>;
  using in_shape = Dims<Steps, F...>;
  using out_shape = typename detail::prepend_dim<Steps, typename inner_type::out_shape>::type;
  template <class Shape>
  using bind = TimeDistributed<Layer, Shape>;

  inner_type layer;  // the shared layer (its weights: layer.weight, ...)

  void reserve(std::size_t batch) { layer.reserve(batch * Steps); }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    RunContext rows = ctx;  // the inner layer sees positions as rows: no sequence to mask
    rows.padding = nullptr;
    rows.padding_length = 0;
    layer.forward(x, y, batch * Steps, rows);
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, std::size_t batch) {
    layer.backward(x, y, dy, dx, batch * Steps);
  }
  template <class Fn>
  void for_each_param(Fn&& f) {
    layer.for_each_param(f);
  }
  void init(data::Rng& rng) { layer.init(rng); }
  // [batch, Steps, F...] -> [batch * Steps, F...] -> layer -> [batch, Steps, out...].
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    const std::string rows = export_reshape_rows(ctx, position::to_vector(), input);
    return export_reshape_rows(ctx, out_shape::to_vector(), layer.export_onnx(ctx, rows));
  }
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_TIME_DISTRIBUTED_HPP
