// Softmax, LogSoftmax and Hardmax. Opset 13 normalizes along one axis; before 13 the input is seen
// as a 2-D matrix [prod(dims < axis), prod(dims >= axis)] normalized along its rows.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_SOFTMAX_HPP
#define INLAY_GRAPH_OPS_SOFTMAX_HPP

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/reduce.hpp"
#include "inlay/kernels/softmax.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// The [outer, axis, inner] view of x that Softmax, LogSoftmax and Hardmax normalize along.
struct SoftmaxView {
  std::size_t outer = 1, mid = 1, inner = 1;
};
inline SoftmaxView softmax_view(const OpContext& ctx, const Tensor& x, std::int64_t axis_attr,
                                bool coerced) {
  const std::size_t rank = x.rank();
  if (rank == 0) ctx.fail(ErrorKind::shape_mismatch, "the input must have rank >= 1");
  const std::size_t axis = normalize_axis(ctx.info(), axis_attr, rank);
  SoftmaxView v;
  for (std::size_t d = 0; d < rank; ++d) {
    const auto n = static_cast<std::size_t>(x.shape()[d]);
    if (d < axis) v.outer *= n;
    else if (d == axis || coerced) v.mid *= n;
    else v.inner *= n;
  }
  return v;
}

class SoftmaxKernel final : public OpKernel {
 public:
  SoftmaxKernel(const OpInfo& info, bool log)
      : log_(log), axis_(info.get_int("axis", info.opset() >= 13 ? -1 : 1)),
        coerced_(info.opset() < 13) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "input");
    const SoftmaxView v = softmax_view(ctx, x, axis_, coerced_);
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    if (x.numel() == 0) return;
    if (log_) {
      kernels::log_softmax_f32(x.data<float>(), y.data<float>(), v.outer, v.mid, v.inner);
    } else {
      kernels::softmax_f32(x.data<float>(), y.data<float>(), v.outer, v.mid, v.inner);
    }
  }

 private:
  bool log_;
  std::int64_t axis_;
  bool coerced_;
};

// Hardmax: 1 at the first largest element along the axis, 0 elsewhere.
class HardmaxKernel final : public OpKernel {
 public:
  explicit HardmaxKernel(const OpInfo& info)
      : axis_(info.get_int("axis", info.opset() >= 13 ? -1 : 1)), coerced_(info.opset() < 13) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const SoftmaxView v = softmax_view(ctx, x, axis_, coerced_);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    if (x.numel() == 0) return;
    const auto rows = static_cast<std::int64_t>(v.outer * v.inner);
    auto* at = static_cast<std::int64_t*>(ctx.scratch(static_cast<std::size_t>(rows) * 8));
    visit_dtype(ctx.info(), x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* px = x.data<T>();
      if constexpr (std::is_same<T, float>::value) {
        const Shape s{static_cast<std::int64_t>(v.outer), static_cast<std::int64_t>(v.mid),
                      static_cast<std::int64_t>(v.inner)};
        kernels::argmax_f32(px, s, 1, false, at);
      } else {
        for (std::size_t o = 0; o < v.outer; ++o) {
          for (std::size_t i = 0; i < v.inner; ++i) {
            const T* p = px + o * v.mid * v.inner + i;
            std::size_t best = 0;
            for (std::size_t j = 1; j < v.mid; ++j) {
              if (to_scalar(p[j * v.inner]) > to_scalar(p[best * v.inner])) best = j;
            }
            at[o * v.inner + i] = static_cast<std::int64_t>(best);
          }
        }
      }
      T* py = y.data<T>();
      const T zero = convert_to<T>(0.0f), one = convert_to<T>(1.0f);
      for (std::int64_t e = 0; e < x.numel(); ++e) py[e] = zero;
      for (std::size_t o = 0; o < v.outer; ++o) {
        for (std::size_t i = 0; i < v.inner; ++i) {
          const auto j = static_cast<std::size_t>(at[o * v.inner + i]);
          py[(o * v.mid + j) * v.inner + i] = one;
        }
      }
    }, TypeList<float, double, float16>{});
  }

 private:
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
  ops.add("", "Hardmax", 1, factory<HardmaxKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SOFTMAX_HPP
