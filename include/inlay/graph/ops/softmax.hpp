// Softmax, LogSoftmax and Hardmax. Opset 13 normalizes along one axis; before 13 the input is seen
// as a 2-D matrix [prod(dims < axis), prod(dims >= axis)] normalized along its rows.
// Also the losses built on them: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
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
      : log_(log),
        axis_(info.get_int("axis", info.opset() >= 13 ? -1 : 1)),
        coerced_(info.opset() < 13) {
    require_f32(info, 0, "input");
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "input");
    const SoftmaxView v = softmax_view(ctx, x, axis_, coerced_);
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    if (x.numel() == 0) return;
    // Each of the `outer` blocks is normalized on its own: ranges of them split over threads.
    const std::size_t block = v.mid * v.inner;
    const float* px = x.data<float>();
    float* py = y.data<float>();
    const bool log = log_;
    parallel_ranges(ctx.executor(), v.outer, (kMinParallelElements + block - 1) / block,
                    [&](std::size_t b, std::size_t e) {
                      if (log) {
                        kernels::log_softmax_f32(px + b * block, py + b * block, e - b, v.mid,
                                                 v.inner);
                      } else {
                        kernels::softmax_f32(px + b * block, py + b * block, e - b, v.mid, v.inner);
                      }
                    });
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
      : axis_(info.get_int("axis", info.opset() >= 13 ? -1 : 1)), coerced_(info.opset() < 13) {
    require_dtype(info, 0, "input", TypeList<float, double, float16>{});
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const SoftmaxView v = softmax_view(ctx, x, axis_, coerced_);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    if (x.numel() == 0) return;
    const auto rows = static_cast<std::int64_t>(v.outer * v.inner);
    auto* at = static_cast<std::int64_t*>(ctx.scratch(static_cast<std::size_t>(rows) * 8));
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
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
                  const auto c = to_scalar(p[j * v.inner]), b = to_scalar(p[best * v.inner]);
                  if (c > b || (c != c && b == b)) best = j;  // NaN wins, as in the f32 kernel
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
        },
        TypeList<float, double, float16>{});
  }

 private:
  std::int64_t axis_;
  bool coerced_;
};

// NegativeLogLikelihoodLoss(input [N, C, d...], target [N, d...], weight [C]?) and
// SoftmaxCrossEntropyLoss (the same on log_softmax(scores) along axis 1, which is its optional
// second output): loss = -input[n, target, d...] * weight[target], 0 where target is
// ignore_index; reduction "none", "sum", or "mean" (divided by the sum of the weights used).
class LossKernel final : public OpKernel {
 public:
  LossKernel(const OpInfo& info, bool softmax)
      : softmax_(softmax),
        has_ignore_(info.has("ignore_index")),
        ignore_(info.get_int("ignore_index", 0)) {
    require_f32_inputs(info, {"the input", nullptr, "weight"});
    require_dtype(info, 1, "target", TypeList<std::int64_t, std::int32_t>{});
    reduction_ = enum_attribute<Reduction>(
        info, "reduction", "mean",
        {{"none", Reduction::none}, {"sum", Reduction::sum}, {"mean", Reduction::mean}},
        ErrorKind::invalid_model);
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& target = ctx.input(1);
    require_f32(ctx, x, "the input");
    if (x.rank() < 2) ctx.fail(ErrorKind::shape_mismatch, "the input must have rank >= 2");
    const std::int64_t n = x.shape()[0], c = x.shape()[1];
    std::int64_t inner = 1;
    for (std::size_t d = 2; d < x.rank(); ++d) inner *= x.shape()[d];
    bool fits = target.rank() + 1 == x.rank() && target.shape()[0] == n;
    for (std::size_t d = 2; fits && d < x.rank(); ++d) fits = target.shape()[d - 1] == x.shape()[d];
    if (!fits) {
      ctx.fail(ErrorKind::shape_mismatch, "target of shape " + target.shape().to_string() +
                                              " does not fit the input of shape " +
                                              x.shape().to_string());
    }
    if (target.dtype() != DType::i64 && target.dtype() != DType::i32) {
      ctx.fail(ErrorKind::unsupported_op,
               std::string("target must be int64 or int32, not ") + dtype_name(target.dtype()));
    }
    const float* weight = nullptr;
    if (ctx.input_count() > 2 && ctx.has_input(2)) {
      const Tensor& w = ctx.input(2);
      require_f32(ctx, w, "weight");
      if (w.rank() != 1 || w.shape()[0] != c) {
        ctx.fail(ErrorKind::shape_mismatch, "weight of shape " + w.shape().to_string() +
                                                " does not fit " + std::to_string(c) + " classes");
      }
      weight = w.data<float>();
    }
    const float* log_p = x.data<float>();
    if (softmax_) {
      float* buffer = ctx.output_count() > 1 ? ctx.output(1, DType::f32, x.shape()).data<float>()
                                             : static_cast<float*>(ctx.scratch(x.nbytes()));
      if (x.numel() != 0) {
        kernels::log_softmax_f32(x.data<float>(), buffer, static_cast<std::size_t>(n),
                                 static_cast<std::size_t>(c), static_cast<std::size_t>(inner));
      }
      log_p = buffer;
    }
    Tensor& y = ctx.output(0, DType::f32, reduction_ == Reduction::none ? target.shape() : Shape{});
    float* py = y.data<float>();
    double sum = 0.0, weights = 0.0;
    for (std::int64_t b = 0; b < n; ++b) {
      for (std::int64_t i = 0; i < inner; ++i) {
        const std::int64_t e = b * inner + i;
        const std::int64_t t = target.dtype() == DType::i64 ? target.data<std::int64_t>()[e]
                                                            : target.data<std::int32_t>()[e];
        float loss = 0.0f, w = 0.0f;
        if (!(has_ignore_ && t == ignore_)) {
          if (t < 0 || t >= c) {
            ctx.fail(ErrorKind::invalid_argument, "target " + std::to_string(t) +
                                                      " is not a class in [0, " +
                                                      std::to_string(c) + ")");
          }
          w = weight ? weight[t] : 1.0f;
          loss = -log_p[(b * c + t) * inner + i] * w;
        }
        if (reduction_ == Reduction::none) py[e] = loss;
        sum += loss;
        weights += w;
      }
    }
    if (reduction_ == Reduction::sum) py[0] = static_cast<float>(sum);
    if (reduction_ == Reduction::mean) py[0] = static_cast<float>(sum / weights);
  }

 private:
  enum class Reduction : std::uint8_t { none, sum, mean };
  bool softmax_, has_ignore_;
  std::int64_t ignore_;
  Reduction reduction_ = Reduction::mean;
};

inline void register_softmax_ops(OpSet& ops) {
  ops.add("", "Softmax", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<SoftmaxKernel>(i, false);
  });
  ops.add("", "LogSoftmax", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<SoftmaxKernel>(i, true);
  });
  ops.add("", "Hardmax", 1, factory<HardmaxKernel>());
  ops.add("", "NegativeLogLikelihoodLoss", 12, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<LossKernel>(i, false);
  });
  ops.add("", "SoftmaxCrossEntropyLoss", 12, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<LossKernel>(i, true);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SOFTMAX_HPP
