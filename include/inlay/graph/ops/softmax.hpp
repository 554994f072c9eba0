// Softmax and LogSoftmax. Opset 13 normalizes along one axis; before 13 the input is seen as a
// 2-D matrix [prod(dims < axis), prod(dims >= axis)] normalized along its rows. Implementation-only.
#ifndef INLAY_GRAPH_OPS_SOFTMAX_HPP
#define INLAY_GRAPH_OPS_SOFTMAX_HPP

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/softmax.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

class SoftmaxKernel final : public OpKernel {
 public:
  SoftmaxKernel(const OpInfo& info, bool log)
      : log_(log), axis_(info.get_int("axis", info.opset() >= 13 ? -1 : 1)),
        coerced_(info.opset() < 13) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "input");
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    const std::size_t rank = x.rank();
    if (rank == 0) {
      ctx.fail(ErrorKind::shape_mismatch, "the input must have rank >= 1");
    }
    const std::size_t axis = normalize_axis(ctx.info(), axis_, rank);
    std::size_t outer = 1, mid = 1, inner = 1;
    for (std::size_t d = 0; d < rank; ++d) {
      const auto n = static_cast<std::size_t>(x.shape()[d]);
      if (d < axis) outer *= n;
      else if (d == axis || coerced_) mid *= n;
      else inner *= n;
    }
    if (x.numel() == 0) return;
    if (log_) {
      kernels::log_softmax_f32(x.data<float>(), y.data<float>(), outer, mid, inner);
    } else {
      kernels::softmax_f32(x.data<float>(), y.data<float>(), outer, mid, inner);
    }
  }

 private:
  bool log_;
  std::int64_t axis_;
  bool coerced_;
};

inline void register_softmax_ops(OpSet& ops) {
  ops.add("", "Softmax", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<SoftmaxKernel>(i, false);
  });
  ops.add("", "LogSoftmax", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<SoftmaxKernel>(i, true);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SOFTMAX_HPP
