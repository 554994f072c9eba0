// Flatten: a sample of any shape becomes a vector (the data does not move).
#ifndef INLAY_NN_RESHAPE_HPP
#define INLAY_NN_RESHAPE_HPP

#include <cstring>
#include <string>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// ONNX Flatten(axis = 1); returns the output name.
std::string export_flatten(ExportContext& ctx, const std::string& input);

template <class In>
class FlattenLayer {
 public:
  using in_shape = In;
  using out_shape = Dims<In::size>;
  template <class Shape>
  using bind = FlattenLayer<Shape>;

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    if (x != y) std::memcpy(y, x, batch * In::size * sizeof(float));
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr && dx != dy) std::memcpy(dx, dy, batch * In::size * sizeof(float));
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_flatten(ctx, input);
  }
};

template <>
class FlattenLayer<void> {
 public:
  using in_shape = void;
  template <class Shape>
  using bind = FlattenLayer<Shape>;
};

using Flatten = FlattenLayer<void>;

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_RESHAPE_HPP
