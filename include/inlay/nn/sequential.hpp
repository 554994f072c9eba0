// Sequential<Specs...>: layers applied one after the other, shapes checked at compile time.
//
//   using Net = Sequential<Dense<64, 128>, ReLU, Dense<128, 10>>;
//   using Cnn = Sequential<Input<1, 8, 8>, Conv2D<1, 8, 3, 1, 1>, ReLU, Flatten, Dense<512, 10>>;
//
// The first element fixes the input shape (Input<dims...>, or a layer that expects one shape such
// as Dense); every later shape is derived. Element-wise layers (ReLU, Dropout, ...) take the shape
// of what precedes them. The batch size is chosen per call. Buffers for `max_batch` rows are
// allocated when the network is built (or by reserve()), so forward() on at most that many rows
// never touches the heap.
#ifndef INLAY_NN_SEQUENTIAL_HPP
#define INLAY_NN_SEQUENTIAL_HPP

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {
class Pipeline;
}  // namespace data
namespace nn {

namespace detail {
template <class T, class Tuple>
struct prepend;
template <class T, class... U>
struct prepend<T, std::tuple<U...>> {
  using type = std::tuple<T, U...>;
};

// Binds each spec to the shape coming out of the previous layer.
template <std::size_t I, class In, class... Specs>
struct bind_chain {
  using type = std::tuple<>;
  using out = In;
};
template <std::size_t I, class In, class Spec, class... Rest>
struct bind_chain<I, In, Spec, Rest...> {
  static_assert(check_layer_input<I, typename expected_input<Spec>::type, In>::ok,
                "inlay::nn::Sequential: shape mismatch (see check_layer_input above)");
  using layer = typename Spec::template bind<In>;
  using next = bind_chain<I + 1, typename layer::out_shape, Rest...>;
  using type = typename prepend<layer, typename next::type>::type;
  using out = typename next::out;
};

template <class First, class = void>
struct input_of {
  using shape = typename expected_input<First>::type;
  static_assert(!std::is_void<shape>::value,
                "inlay::nn::Sequential: the first layer does not fix the input shape; start the "
                "list with inlay::nn::Input<dims...>");
  template <class... Specs>
  using chain = bind_chain<0, shape, First, Specs...>;
};
template <std::size_t... D>
struct input_of<Input<D...>> {
  using shape = Dims<D...>;
  template <class... Specs>
  using chain = bind_chain<0, shape, Specs...>;
};
}  // namespace detail

// Type-erased access to a trainable network, so that fit() and friends are compiled once.
struct NetRef {
  void* net = nullptr;
  std::size_t in_size = 0, out_size = 0;
  const float* (*forward_train)(void* net, const float* x, std::size_t batch,
                                const RunContext& ctx) = nullptr;
  void (*forward)(void* net, const float* x, std::size_t batch, float* y,
                  Executor* executor) = nullptr;
  void (*backward)(void* net, const float* dy, std::size_t batch) = nullptr;
  std::vector<Param> params;
};

// With `preprocessing` (fitted), its nodes come first and the model's input is the raw rows,
// f32 [batch, preprocessing->input_width()].
std::string export_model_bytes(const void* net,
                               std::string (*body)(const void* net, ExportContext& ctx,
                                                   const std::string& input),
                               const std::vector<std::int64_t>& input_dims,
                               const std::vector<std::int64_t>& output_dims, std::int64_t opset,
                               const data::Pipeline* preprocessing = nullptr);

template <class First, class... Specs>
class Sequential {
  using chain = typename detail::input_of<First>::template chain<Specs...>;

 public:
  using layers_type = typename chain::type;
  using in_shape = typename detail::input_of<First>::shape;
  using out_shape = typename chain::out;
  static constexpr std::size_t in_size = in_shape::size;
  static constexpr std::size_t out_size = out_shape::size;
  static constexpr std::size_t num_layers = std::tuple_size<layers_type>::value;
  static_assert(num_layers > 0, "inlay::nn::Sequential: no layers");
  template <class Shape>
  using bind = Sequential;  // a Sequential nested in another one (e.g. a residual branch)
  using expects = in_shape;

  explicit Sequential(std::size_t max_batch = 1) { reserve(max_batch); }

  template <std::size_t I>
  std::tuple_element_t<I, layers_type>& layer() {
    return std::get<I>(layers_);
  }
  template <std::size_t I>
  const std::tuple_element_t<I, layers_type>& layer() const {
    return std::get<I>(layers_);
  }

  // Buffers for `batch` rows; forward() on at most that many rows then allocates nothing.
  void reserve(std::size_t batch) {
    if (batch <= capacity_) return;
    reserve_layers(batch, std::make_index_sequence<num_layers>());
    capacity_ = batch;
  }
  std::size_t capacity() const { return capacity_; }

  // Random initial weights (each layer's own rule: Glorot uniform for Dense and convolutions).
  void init(data::Rng& rng) {
    std::apply([&](auto&... l) { (l.init(rng), ...); }, layers_);
  }

  // Inference: y [batch, out_size] from x [batch, in_size].
  void forward(const float* x, std::size_t batch, float* y, Executor* executor = nullptr) {
    reserve(batch);
    RunContext ctx;
    ctx.executor = executor;
    run(x, batch, y, ctx, std::make_index_sequence<num_layers>());
  }
  // Convenience for f32 [n, in dims...]; allocates the result.
  Tensor predict(const Tensor& x, Executor* executor = nullptr) {
    const std::size_t n = rows_of(x);
    std::vector<std::int64_t> dims = out_shape::to_vector();
    dims.insert(dims.begin(), static_cast<std::int64_t>(n));
    Tensor y(DType::f32, Shape(dims.data(), dims.size()));
    if (n > 0) forward(x.data<float>(), n, y.data<float>(), executor);
    return y;
  }

  // Training forward: keeps every layer's output for backward(); returns the network's output.
  // x must stay alive until backward() returns.
  const float* forward_train(const float* x, std::size_t batch, const RunContext& ctx) {
    reserve(batch);
    input_ = x;
    run(x, batch, nullptr, ctx, std::make_index_sequence<num_layers>());
    return outputs_[num_layers - 1].data();
  }
  // Given dL/dy of the last forward_train(), sets every parameter's gradient; dx (may be null)
  // receives dL/dx.
  void backward(const float* dy, std::size_t batch, float* dx = nullptr) {
    back(dy, batch, dx, std::integral_constant<std::size_t, num_layers>());
  }

  // Every parameter, named "<layer index>.<name>" (e.g. "0.weight", "3.1.bias" inside a nested
  // block), in a fixed order. A parameter without gradient (grad null: BatchNorm's running
  // statistics) is saved with the weights but not trained.
  std::vector<Param> params() {
    std::vector<Param> out;
    for_each_param([&](Param p) { out.push_back(std::move(p)); });
    return out;
  }
  template <class F>
  void for_each_param(F&& f) {
    each_param(f, std::make_index_sequence<num_layers>());
  }
  // Calls f(layer) for each layer in order (e.g. to switch nn::enable_qat on).
  template <class F>
  void for_each_layer(F&& f) {
    std::apply([&](auto&... l) { (f(l), ...); }, layers_);
  }
  NetRef ref() {
    NetRef r;
    r.net = this;
    r.in_size = in_size;
    r.out_size = out_size;
    r.forward_train = [](void* n, const float* x, std::size_t b, const RunContext& c) {
      return static_cast<Sequential*>(n)->forward_train(x, b, c);
    };
    r.forward = [](void* n, const float* x, std::size_t b, float* y, Executor* e) {
      static_cast<Sequential*>(n)->forward(x, b, y, e);
    };
    r.backward = [](void* n, const float* dy, std::size_t b) {
      static_cast<Sequential*>(n)->backward(dy, b);
    };
    r.params = params();
    return r;
  }

  // The ONNX nodes of every layer (for nesting); returns the last output's name.
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    std::string name = input;
    std::apply([&](const auto&... l) { ((name = l.export_onnx(ctx, name)), ...); }, layers_);
    return name;
  }
  // An ONNX model (opset >= 13): input "input" [batch, in dims...], output "output". With a
  // fitted `preprocessing` pipeline, the input is the raw rows it takes (data/pipeline.hpp).
  std::string to_onnx(std::int64_t opset = 17,
                      const data::Pipeline* preprocessing = nullptr) const {
    return export_model_bytes(
        this,
        [](const void* n, ExportContext& ctx, const std::string& input) {
          return static_cast<const Sequential*>(n)->export_onnx(ctx, input);
        },
        in_shape::to_vector(), out_shape::to_vector(), opset, preprocessing);
  }

  // Nested use as a layer (e.g. inside Residual): the same calls as any layer.
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    reserve(batch);
    input_ = x;
    run(x, batch, nullptr, ctx, std::make_index_sequence<num_layers>());
    std::memcpy(y, outputs_[num_layers - 1].data(), batch * out_size * sizeof(float));
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    backward(dy, batch, dx);
  }

 private:
  static std::size_t rows_of(const Tensor& x) {
    if (x.rank() == 0 || static_cast<std::size_t>(x.numel()) % in_size != 0 ||
        static_cast<std::size_t>(x.numel()) / in_size != static_cast<std::size_t>(x.shape()[0])) {
      fail(ErrorKind::shape_mismatch, "Sequential::predict: input of shape " +
                                          x.shape().to_string() + " is not [n, " +
                                          std::to_string(in_size) + " values per row]");
    }
    return static_cast<std::size_t>(x.shape()[0]);
  }
  template <std::size_t... I>
  void reserve_layers(std::size_t batch, std::index_sequence<I...>) {
    ((outputs_[I].resize(batch * std::tuple_element_t<I, layers_type>::out_shape::size),
      std::get<I>(layers_).reserve(batch)),
     ...);
    std::size_t widest = in_size;
    ((widest =
          std::max<std::size_t>(widest, std::tuple_element_t<I, layers_type>::out_shape::size)),
     ...);
    grad_a_.resize(batch * widest);
    grad_b_.resize(batch * widest);
  }
  // Layer I reads the previous output (or x) and writes outputs_[I] (or y for the last one when
  // y is given: inference needs no copy of the final output).
  // A layer that marks padding (Embedding with MaskZero) passes its mask to the layers after it.
  template <std::size_t... I>
  void run(const float* x, std::size_t batch, float* y, const RunContext& ctx,
           std::index_sequence<I...>) {
    RunContext local = ctx;
    ((std::get<I>(layers_).forward(I == 0 ? x : outputs_[I == 0 ? 0 : I - 1].data(),
                                   (y != nullptr && I + 1 == num_layers) ? y : outputs_[I].data(),
                                   batch, local),
      detail::pass_padding(std::get<I>(layers_), local)),
     ...);
  }
  template <std::size_t I>
  void back(const float* dy, std::size_t batch, float* dx, std::integral_constant<std::size_t, I>) {
    constexpr std::size_t L = I - 1;
    const float* x = L == 0 ? input_ : outputs_[L == 0 ? 0 : L - 1].data();
    float* out = L == 0 ? dx : (dy == grad_a_.data() ? grad_b_.data() : grad_a_.data());
    std::get<L>(layers_).backward(x, outputs_[L].data(), dy, out, batch);
    back(out, batch, dx, std::integral_constant<std::size_t, L>());
  }
  void back(const float*, std::size_t, float*, std::integral_constant<std::size_t, 0>) {}
  template <class F, std::size_t... I>
  void each_param(F& f, std::index_sequence<I...>) {
    ((std::get<I>(layers_).for_each_param([&](Param p) {
       p.name = std::to_string(I) + "." + p.name;
       f(std::move(p));
     })),
     ...);
  }

  layers_type layers_;
  std::vector<float> outputs_[num_layers];
  std::vector<float> grad_a_, grad_b_;
  const float* input_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_SEQUENTIAL_HPP
