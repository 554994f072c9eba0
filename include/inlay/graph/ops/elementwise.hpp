// Elementwise operators: activations and math on one tensor (f32 through the unary kernel),
// arithmetic on two with broadcasting (f32 through the binary kernel). Implementation-only.
#ifndef INLAY_GRAPH_OPS_ELEMENTWISE_HPP
#define INLAY_GRAPH_OPS_ELEMENTWISE_HPP

#include <cmath>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/elementwise.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// One f32 activation with its parameters read from the node's attributes at load.
class UnaryKernel final : public OpKernel {
 public:
  UnaryKernel(const OpInfo&, kernels::Activation f) : f_(f) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "input");
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    kernels::unary_f32(x.data<float>(), y.data<float>(), static_cast<std::size_t>(x.numel()), f_);
  }

 private:
  kernels::Activation f_;
};

// A factory for the activation that `make(info)` returns.
template <class Make>
OpFactory unary(Make make) {
  return [make](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<UnaryKernel>(info, make(info));
  };
}

class BinaryKernel final : public OpKernel {
 public:
  BinaryKernel(const OpInfo&, kernels::BinaryOp op) : op_(op) {}
  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype()) {
      ctx.fail(ErrorKind::invalid_model, std::string("inputs have different dtypes (") +
                                             dtype_name(a.dtype()) + " and " +
                                             dtype_name(b.dtype()) + ")");
    }
    const Shape shape = broadcast(ctx.info(), a.shape(), b.shape());
    Tensor& y = ctx.output(0, a.dtype(), shape);
    if (a.dtype() == DType::f32) {
      kernels::binary_f32(op_, a.data<float>(), a.shape(), b.data<float>(), b.shape(),
                          y.data<float>(), shape);
      return;
    }
    visit_dtype(ctx.info(), a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* py = y.data<T>();
      const Shape ins[2] = {a.shape(), b.shape()};
      const kernels::BinaryOp op = op_;
      for_each_broadcast(shape, ins, [&](std::int64_t e, const std::int64_t* off) {
        py[e] = apply(op, pa[off[0]], pb[off[1]]);
      });
    }, TypeList<double, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
                std::uint32_t, std::int64_t, std::uint64_t>{});
  }

 private:
  template <class T>
  static T apply(kernels::BinaryOp op, T a, T b) {
    switch (op) {
      case kernels::BinaryOp::add: return static_cast<T>(a + b);
      case kernels::BinaryOp::sub: return static_cast<T>(a - b);
      case kernels::BinaryOp::mul: return static_cast<T>(a * b);
      case kernels::BinaryOp::div:
        if constexpr (std::is_integral<T>::value) {
          return b == 0 ? T(0) : static_cast<T>(a / b);  // ONNX leaves x/0 undefined for ints
        } else {
          return a / b;
        }
      case kernels::BinaryOp::pow:
        return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
      case kernels::BinaryOp::max: return a < b ? b : a;
      case kernels::BinaryOp::min: return b < a ? b : a;
      case kernels::BinaryOp::prelu: return a < T(0) ? static_cast<T>(a * b) : a;
    }
    return a;
  }
  kernels::BinaryOp op_;
};

inline OpFactory binary(kernels::BinaryOp op) {
  return [op](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<BinaryKernel>(info, op);
  };
}

inline void register_elementwise_ops(OpSet& ops) {
  using kernels::Activation;
  using kernels::UnaryOp;
  auto fixed = [](UnaryOp op) { return unary([op](const OpInfo&) { return Activation::of(op); }); };
  ops.add("", "Relu", 1, fixed(UnaryOp::relu));
  ops.add("", "Sigmoid", 1, fixed(UnaryOp::sigmoid));
  ops.add("", "Tanh", 1, fixed(UnaryOp::tanh));
  ops.add("", "Exp", 1, fixed(UnaryOp::exp));
  ops.add("", "Log", 1, fixed(UnaryOp::log));
  ops.add("", "Sqrt", 1, fixed(UnaryOp::sqrt));
  ops.add("", "Erf", 9, fixed(UnaryOp::erf));
  ops.add("", "Reciprocal", 1, fixed(UnaryOp::reciprocal));
  ops.add("", "Abs", 1, fixed(UnaryOp::abs));
  ops.add("", "Neg", 1, fixed(UnaryOp::neg));
  ops.add("", "Softplus", 1, fixed(UnaryOp::softplus));
  ops.add("", "Mish", 18, fixed(UnaryOp::mish));
  ops.add("", "HardSwish", 14, fixed(UnaryOp::hard_swish));
  ops.add("", "LeakyRelu", 1, unary([](const OpInfo& i) {
            return Activation::leaky_relu(i.get_float("alpha", 0.01f));
          }));
  ops.add("", "Elu", 1, unary([](const OpInfo& i) { return Activation::elu(i.get_float("alpha", 1.0f)); }));
  ops.add("", "Selu", 1, unary([](const OpInfo& i) {
            return Activation::selu(i.get_float("alpha", 1.67326319217681884765625f),
                                    i.get_float("gamma", 1.05070102214813232421875f));
          }));
  ops.add("", "HardSigmoid", 1, unary([](const OpInfo& i) {
            return Activation::hard_sigmoid(i.get_float("alpha", 0.2f), i.get_float("beta", 0.5f));
          }));
  ops.add("", "Add", 1, binary(kernels::BinaryOp::add));
  ops.add("", "Sub", 1, binary(kernels::BinaryOp::sub));
  ops.add("", "Mul", 1, binary(kernels::BinaryOp::mul));
  ops.add("", "Div", 1, binary(kernels::BinaryOp::div));
  ops.add("", "Pow", 1, binary(kernels::BinaryOp::pow));
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ELEMENTWISE_HPP
