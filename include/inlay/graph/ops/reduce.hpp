// Reductions: Reduce*, ArgMax/ArgMin, TopK, CumSum. f32 Reduce* and ArgMax/ArgMin go through the
// reduce kernels; other dtypes, TopK and CumSum run the scalar code here. Implementation-only.
#ifndef INLAY_GRAPH_OPS_REDUCE_HPP
#define INLAY_GRAPH_OPS_REDUCE_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/elementwise.hpp"
#include "inlay/kernels/reduce.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {
namespace reduce {

using elementwise::NumericHalfTypes;
using elementwise::wrap_add;
using elementwise::wrap_mul;
using elementwise::wrap_sub;
using kernels::ReduceOp;

// [outer, axis, inner] view of a shape around one axis.
struct AxisView {
  std::int64_t outer = 1, mid = 1, inner = 1;
};
inline AxisView view_around(const Shape& s, std::size_t axis) {
  AxisView v;
  for (std::size_t d = 0; d < s.rank(); ++d) {
    if (d < axis) v.outer *= s[d];
    else if (d == axis) v.mid = s[d];
    else v.inner *= s[d];
  }
  return v;
}

// The shape without `axis` (or with it of size `size` when keep).
inline Shape replace_axis(const Shape& s, std::size_t axis, bool keep, std::int64_t size) {
  std::int64_t dims[Shape::max_rank];
  std::size_t rank = 0;
  for (std::size_t d = 0; d < s.rank(); ++d) {
    if (d != axis) dims[rank++] = s[d];
    else if (keep) dims[rank++] = size;
  }
  return Shape(dims, rank);
}

// ---- Reduce*

// How a reduction accumulates in Acc: double for floats (and for the integer ops that end in
// sqrt or log), 64-bit wrapping integers otherwise.
// The identity of op on T (max and min: the ends of T's range) as an Acc.
template <class T, class Acc>
Acc reduce_init(ReduceOp op) {
  using L = std::numeric_limits<scalar_t<T>>;
  switch (op) {
    case ReduceOp::prod: return Acc(1);
    case ReduceOp::max: return static_cast<Acc>(L::has_infinity ? -L::infinity() : L::lowest());
    case ReduceOp::min: return static_cast<Acc>(L::has_infinity ? L::infinity() : L::max());
    default: return Acc(0);
  }
}
template <class Acc>
Acc reduce_step(ReduceOp op, Acc acc, Acc v, Acc shift) {
  switch (op) {
    case ReduceOp::l1:
      if constexpr (std::is_signed<Acc>::value) {
        if (v < Acc(0)) v = wrap_sub(Acc(0), v);
      }
      return wrap_add(acc, v);
    case ReduceOp::l2:
    case ReduceOp::sum_square: return wrap_add(acc, wrap_mul(v, v));
    case ReduceOp::prod: return wrap_mul(acc, v);
    case ReduceOp::max: return v > acc || !(v == v) ? v : acc;  // NaN sticks
    case ReduceOp::min: return v < acc || !(v == v) ? v : acc;
    case ReduceOp::log_sum_exp:
      if constexpr (std::is_floating_point<Acc>::value) return acc + std::exp(v - shift);
      return acc;
    default: return wrap_add(acc, v);  // sum, mean, log_sum
  }
}
template <class Acc>
Acc reduce_finish(ReduceOp op, Acc acc, std::int64_t count, Acc shift) {
  if constexpr (std::is_floating_point<Acc>::value) {
    switch (op) {
      case ReduceOp::mean: return acc / static_cast<Acc>(count);  // 0/0: NaN for an empty mean
      case ReduceOp::l2: return std::sqrt(acc);
      case ReduceOp::log_sum: return std::log(acc);
      case ReduceOp::log_sum_exp: return shift + std::log(acc);
      default: return acc;
    }
  } else {
    return op == ReduceOp::mean ? elementwise::safe_div(acc, static_cast<Acc>(count)) : acc;
  }
}

// y (keepdims layout `kept`) = op over x; acc and shift: scratch of y's element count.
template <class T, class Acc>
void reduce_scalar(ReduceOp op, const Tensor& x, const Shape& kept, T* y, Acc* acc, Acc* shift) {
  const std::int64_t n = kept.numel();
  const std::int64_t count = n ? x.numel() / n : 0;
  const T* px = x.data<T>();
  const Shape ins[1] = {kept};
  const auto value = [&](std::int64_t e) { return static_cast<Acc>(to_scalar(px[e])); };
  for (std::int64_t i = 0; i < n; ++i) shift[i] = Acc(0);
  if (op == ReduceOp::log_sum_exp) {  // subtract the max so that exp cannot overflow
    for (std::int64_t i = 0; i < n; ++i) shift[i] = reduce_init<T, Acc>(ReduceOp::max);
    for_each_broadcast(x.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
      shift[off[0]] = reduce_step(ReduceOp::max, shift[off[0]], value(e), Acc(0));
    });
    for (std::int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_floating_point<Acc>::value) {
        if (!std::isfinite(shift[i])) shift[i] = Acc(0);
      }
    }
  }
  for (std::int64_t i = 0; i < n; ++i) acc[i] = reduce_init<T, Acc>(op);
  for_each_broadcast(x.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
    acc[off[0]] = reduce_step(op, acc[off[0]], value(e), shift[off[0]]);
  });
  for (std::int64_t i = 0; i < n; ++i) {
    y[i] = convert_to<T>(reduce_finish(op, acc[i], count, shift[i]));
  }
}

class ReduceKernel final : public OpKernel {
 public:
  ReduceKernel(const OpInfo& info, ReduceOp op)
      : op_(op),
        keepdims_(info.get_int("keepdims", 1) != 0),
        noop_with_empty_axes_(info.get_int("noop_with_empty_axes", 0) != 0),
        axes_are_input_(info.opset() >= (op == ReduceOp::sum ? 13 : 18)) {
    if (axes_are_input_) {
      if (info.has("axes")) {
        info.fail(ErrorKind::invalid_model, "axes is an input at this opset, not an attribute");
      }
    } else {
      axes_ = info.get_ints("axes");
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    bool reduced[Shape::max_rank] = {};
    std::int64_t axes[Shape::max_rank];
    std::size_t count = 0;
    const auto add_axis = [&](std::int64_t a) {
      const std::size_t d = normalize_axis(ctx.info(), a, rank);
      if (reduced[d]) {
        ctx.fail(ErrorKind::invalid_model, "axis " + std::to_string(a) + " is listed twice");
      }
      reduced[d] = true;
      axes[count++] = static_cast<std::int64_t>(d);
    };
    if (axes_are_input_) {
      if (ctx.input_count() > 1 && ctx.has_input(1)) {
        const Tensor& t = ctx.input(1);
        if (t.dtype() != DType::i64 || t.rank() > 1) {
          ctx.fail(ErrorKind::invalid_model, std::string("axes must be a 1-D int64 tensor, not ") +
                                                 dtype_name(t.dtype()) + " of shape " +
                                                 t.shape().to_string());
        }
        for (std::int64_t i = 0; i < t.numel(); ++i) add_axis(t.data<std::int64_t>()[i]);
      }
    } else {
      for (std::int64_t a : axes_) add_axis(a);
    }
    if (count == 0) {
      if (noop_with_empty_axes_) {
        copy_to_output(ctx, 0, x, x.shape());
        return;
      }
      for (std::size_t d = 0; d < rank; ++d) add_axis(static_cast<std::int64_t>(d));
    }

    std::int64_t kept_dims[Shape::max_rank], out_dims[Shape::max_rank];
    std::size_t out_rank = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      kept_dims[d] = reduced[d] ? 1 : x.shape()[d];
      if (!reduced[d] || keepdims_) out_dims[out_rank++] = kept_dims[d];
    }
    const Shape kept(kept_dims, rank);
    Tensor& y = ctx.output(0, x.dtype(), Shape(out_dims, out_rank));
    if (x.dtype() == DType::f32) {
      kernels::reduce_f32(op_, x.data<float>(), x.shape(), axes, count, y.data<float>());
      return;
    }
    const std::int64_t n = kept.numel();
    void* scratch = ctx.scratch(static_cast<std::size_t>(n) * 16 + 16);
    const ReduceOp op = op_;
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          if constexpr (std::is_integral<T>::value) {
            if (op != ReduceOp::l2 && op != ReduceOp::log_sum && op != ReduceOp::log_sum_exp) {
              using Acc = std::conditional_t<std::is_signed<T>::value, std::int64_t, std::uint64_t>;
              auto* acc = static_cast<Acc*>(scratch);
              reduce_scalar<T, Acc>(op, x, kept, y.data<T>(), acc, acc + n);
              return;
            }
          }
          auto* acc = static_cast<double*>(scratch);
          reduce_scalar<T, double>(op, x, kept, y.data<T>(), acc, acc + n);
        },
        NumericHalfTypes{});
  }

 private:
  ReduceOp op_;
  bool keepdims_, noop_with_empty_axes_, axes_are_input_;
  std::vector<std::int64_t> axes_;
};

// ---- ArgMax, ArgMin

// a > b with NaN above every number (NumPy's argmax; TopK's order).
template <class C>
bool greater_nan_high(C a, C b) {
  return !(b != b) && ((a != a) || a > b);
}
// a < b with NaN below every number (NumPy's argmin).
template <class C>
bool less_nan_low(C a, C b) {
  return !(b != b) && ((a != a) || a < b);
}
template <class C>
bool same_value(C a, C b) {
  return a == b || (a != a && b != b);
}

class ArgKernel final : public OpKernel {
 public:
  ArgKernel(const OpInfo& info, bool max)
      : max_(max),
        axis_(info.get_int("axis", 0)),
        keepdims_(info.get_int("keepdims", 1) != 0),
        last_(info.get_int("select_last_index", 0) != 0) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() == 0) ctx.fail(ErrorKind::shape_mismatch, "the input must have rank >= 1");
    const std::size_t axis = normalize_axis(ctx.info(), axis_, x.rank());
    const Shape out_shape = replace_axis(x.shape(), axis, keepdims_, 1);
    if (x.shape()[axis] == 0 && out_shape.numel() != 0) {
      ctx.fail(ErrorKind::shape_mismatch, "cannot take the index of an extremum along axis " +
                                              std::to_string(axis) + ", which is empty");
    }
    Tensor& y = ctx.output(0, DType::i64, out_shape);
    std::int64_t* py = y.data<std::int64_t>();
    if (x.dtype() == DType::f32) {
      (max_ ? kernels::argmax_f32 : kernels::argmin_f32)(x.data<float>(), x.shape(), axis, last_,
                                                         py);
      return;
    }
    const AxisView v = view_around(x.shape(), axis);
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          for (std::int64_t o = 0; o < v.outer; ++o) {
            for (std::int64_t i = 0; i < v.inner; ++i) {
              const T* p = px + o * v.mid * v.inner + i;
              auto best = to_scalar(p[0]);
              std::int64_t at = 0;
              for (std::int64_t j = 1; j < v.mid; ++j) {
                const auto c = to_scalar(p[j * v.inner]);
                const bool better = max_ ? greater_nan_high(c, best) : less_nan_low(c, best);
                if (better || (last_ && same_value(c, best))) {
                  best = c;
                  at = j;
                }
              }
              py[o * v.inner + i] = at;
            }
          }
        },
        NumericHalfTypes{});
  }

 private:
  bool max_;
  std::int64_t axis_;
  bool keepdims_, last_;
};

// ---- TopK: k from an attribute before opset 10, from input 1 after; largest/sorted from 11

class TopKKernel final : public OpKernel {
 public:
  explicit TopKKernel(const OpInfo& info)
      : k_is_input_(info.opset() >= 10),
        k_(k_is_input_ ? 0 : info.require("k", Attribute::Kind::int_).i),
        axis_(info.get_int("axis", -1)),
        largest_(info.get_int("largest", 1) != 0) {
    if (!k_is_input_ && k_ < 0) info.fail(ErrorKind::invalid_model, "k must not be negative");
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() == 0) ctx.fail(ErrorKind::shape_mismatch, "the input must have rank >= 1");
    const std::size_t axis = normalize_axis(ctx.info(), axis_, x.rank());
    std::int64_t k = k_;
    if (k_is_input_) {
      const Tensor& kt = ctx.input(1);
      if (kt.dtype() != DType::i64 || kt.numel() != 1) {
        ctx.fail(ErrorKind::invalid_model, std::string("K must be one int64, not ") +
                                               dtype_name(kt.dtype()) + " of shape " +
                                               kt.shape().to_string());
      }
      k = kt.data<std::int64_t>()[0];
      if (k < 0)
        ctx.fail(ErrorKind::invalid_model, "K must not be negative, not " + std::to_string(k));
    }
    const AxisView v = view_around(x.shape(), axis);
    if (k > v.mid) {
      ctx.fail(ErrorKind::shape_mismatch, "K = " + std::to_string(k) + " is larger than axis " +
                                              std::to_string(axis) + " of size " +
                                              std::to_string(v.mid));
    }
    const Shape out_shape = replace_axis(x.shape(), axis, true, k);
    Tensor& values = ctx.output(0, x.dtype(), out_shape);
    Tensor& indices = ctx.output(1, DType::i64, out_shape);
    if (out_shape.numel() == 0) return;
    auto* order = static_cast<std::int64_t*>(ctx.scratch(static_cast<std::size_t>(v.mid) * 8));
    const bool largest = largest_;
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          T* pv = values.data<T>();
          std::int64_t* pi = indices.data<std::int64_t>();
          for (std::int64_t o = 0; o < v.outer; ++o) {
            for (std::int64_t i = 0; i < v.inner; ++i) {
              const T* p = px + o * v.mid * v.inner + i;
              const auto at = [&](std::int64_t j) { return to_scalar(p[j * v.inner]); };
              // Equal values keep their index order (the spec's tie rule).
              const auto before = [&](std::int64_t a, std::int64_t b) {
                const auto va = at(a), vb = at(b);
                const bool ab = largest ? greater_nan_high(va, vb) : greater_nan_high(vb, va);
                const bool ba = largest ? greater_nan_high(vb, va) : greater_nan_high(va, vb);
                return ab || (!ba && a < b);
              };
              for (std::int64_t j = 0; j < v.mid; ++j) order[j] = j;
              std::partial_sort(order, order + k, order + v.mid, before);
              for (std::int64_t j = 0; j < k; ++j) {
                const std::int64_t out = (o * k + j) * v.inner + i;
                pv[out] = p[order[j] * v.inner];
                pi[out] = order[j];
              }
            }
          }
        },
        NumericHalfTypes{});
  }

 private:
  bool k_is_input_;
  std::int64_t k_;
  std::int64_t axis_;
  bool largest_;
};

// ---- CumSum(x, axis): running sums, optionally exclusive and/or from the end

class CumSumKernel final : public OpKernel {
 public:
  explicit CumSumKernel(const OpInfo& info)
      : exclusive_(info.get_int("exclusive", 0) != 0), reverse_(info.get_int("reverse", 0) != 0) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& axis_t = ctx.input(1);
    if ((axis_t.dtype() != DType::i64 && axis_t.dtype() != DType::i32) || axis_t.numel() != 1) {
      ctx.fail(ErrorKind::invalid_model, std::string("axis must be one int32 or int64, not ") +
                                             dtype_name(axis_t.dtype()) + " of shape " +
                                             axis_t.shape().to_string());
    }
    if (x.rank() == 0) ctx.fail(ErrorKind::shape_mismatch, "the input must have rank >= 1");
    const auto a = static_cast<std::int64_t>(read_scalar(ctx.info(), axis_t, "axis"));
    const AxisView v = view_around(x.shape(), normalize_axis(ctx.info(), a, x.rank()));
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          using C = scalar_t<T>;
          const T* px = x.data<T>();
          T* py = y.data<T>();
          for (std::int64_t o = 0; o < v.outer; ++o) {
            for (std::int64_t i = 0; i < v.inner; ++i) {
              C sum = C(0);
              for (std::int64_t s = 0; s < v.mid; ++s) {
                const std::int64_t j = reverse_ ? v.mid - 1 - s : s;
                const std::int64_t e = (o * v.mid + j) * v.inner + i;
                const C value = to_scalar(px[e]);
                if (!exclusive_) sum = wrap_add(sum, value);
                py[e] = convert_to<T>(sum);
                if (exclusive_) sum = wrap_add(sum, value);
              }
            }
          }
        },
        NumericHalfTypes{});
  }

 private:
  bool exclusive_, reverse_;
};

}  // namespace reduce

inline void register_reduce_ops(OpSet& ops) {
  using reduce::ReduceKernel;
  const auto reduction = [](kernels::ReduceOp op) -> OpFactory {
    return [op](const OpInfo& i) -> std::unique_ptr<OpKernel> {
      return std::make_unique<ReduceKernel>(i, op);
    };
  };
  const struct {
    const char* name;
    kernels::ReduceOp op;
  } reductions[] = {
      {"ReduceSum", kernels::ReduceOp::sum},
      {"ReduceMean", kernels::ReduceOp::mean},
      {"ReduceMax", kernels::ReduceOp::max},
      {"ReduceMin", kernels::ReduceOp::min},
      {"ReduceProd", kernels::ReduceOp::prod},
      {"ReduceL1", kernels::ReduceOp::l1},
      {"ReduceL2", kernels::ReduceOp::l2},
      {"ReduceSumSquare", kernels::ReduceOp::sum_square},
      {"ReduceLogSum", kernels::ReduceOp::log_sum},
      {"ReduceLogSumExp", kernels::ReduceOp::log_sum_exp},
  };
  for (const auto& r : reductions) {
    ops.add("", r.name, 1, reduction(r.op));
    // Axes move from the attribute to an input (the kernel reads info.opset()).
    ops.add("", r.name, r.op == kernels::ReduceOp::sum ? 13 : 18, reduction(r.op));
  }
  ops.add("", "ArgMax", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<reduce::ArgKernel>(i, true);
  });
  ops.add("", "ArgMin", 1, [](const OpInfo& i) -> std::unique_ptr<OpKernel> {
    return std::make_unique<reduce::ArgKernel>(i, false);
  });
  ops.add("", "TopK", 1, factory<reduce::TopKKernel>());
  ops.add("", "CumSum", 11, factory<reduce::CumSumKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_REDUCE_HPP
