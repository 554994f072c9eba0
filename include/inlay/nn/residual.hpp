// Residual<Block>: y = x + Block(x) (He et al. 2016), Block being a Sequential whose output
// shape equals its input shape, e.g.
//   Residual<Sequential<Dense<32, 32>, ReLU, Dense<32, 32>>>
#ifndef INLAY_NN_RESIDUAL_HPP
#define INLAY_NN_RESIDUAL_HPP

#include <string>
#include <type_traits>

#include "inlay/kernels/elementwise.hpp"
#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// ONNX Add(a, b).
std::string export_add(ExportContext& ctx, const std::string& a, const std::string& b);

template <class Block>
class Residual {
  static_assert(std::is_same<typename Block::in_shape, typename Block::out_shape>::value,
                "inlay::nn::Residual<Block>: the block's output shape must equal its input shape");

 public:
  using expects = typename Block::in_shape;
  using in_shape = typename Block::in_shape;
  using out_shape = in_shape;
  template <class Shape>
  using bind = Residual;

  Block block;

  void reserve(std::size_t batch) { block.reserve(batch); }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    block.forward(x, y, batch, ctx);
    const std::size_t n = batch * in_shape::size;
    const Shape shape{static_cast<std::int64_t>(n)};
    kernels::binary_f32(kernels::BinaryOp::add, y, shape, x, shape, y, shape);
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, std::size_t batch) {
    // The block's backward overwrites dx; the skip path adds dy.
    block.backward(x, y, dy, dx, batch);
    if (dx == nullptr) return;
    const std::size_t n = batch * in_shape::size;
    const Shape shape{static_cast<std::int64_t>(n)};
    kernels::binary_f32(kernels::BinaryOp::add, dx, shape, dy, shape, dx, shape);
  }
  template <class F>
  void for_each_param(F&& f) {
    block.for_each_param(f);
  }
  void init(data::Rng& rng) { block.init(rng); }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_add(ctx, input, block.export_onnx(ctx, input));
  }
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_RESIDUAL_HPP
