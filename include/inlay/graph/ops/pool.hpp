// Pooling: MaxPool (with Indices), AveragePool, LpPool, their global forms, MaxUnpool.
// f32 with 1 or 2 spatial dimensions runs on the pool kernels; other dtypes, 3 and more spatial
// dimensions, and Lp pooling (no kernel family) run on a scalar N-D loop, planes split over the
// session's threads. Implementation-only.
#ifndef INLAY_GRAPH_OPS_POOL_HPP
#define INLAY_GRAPH_OPS_POOL_HPP

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/conv.hpp"
#include "inlay/kernels/pool.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

enum class PoolKind { max, average, lp };

struct PoolOptions {
  PoolKind kind = PoolKind::max;
  bool ceil_mode = false;
  bool count_include_pad = false;
  bool column_major = false;  // MaxPool storage_order 1: indices count along the last axis last
  float p = 2.0f;             // LpPool's exponent
};

// ONNX's pooled size of one axis (the pool kernels' rule, for any number of axes): with ceil_mode
// a last window that would start past the input and its leading padding is dropped.
inline std::size_t pooled_size(const WindowAxis& a, bool ceil_mode) {
  const std::size_t extent = a.dilation * (a.kernel - 1) + 1;
  const std::size_t padded = a.in + a.pad_begin + a.pad_end;
  if (padded < extent) return 0;
  std::size_t out = (padded - extent + (ceil_mode ? a.stride - 1 : 0)) / a.stride + 1;
  if (ceil_mode && (out - 1) * a.stride >= a.in + a.pad_begin) --out;
  return out;
}

// The scalar N-D pool over `planes` planes (N * C) of the axes' spatial size. Accumulates in
// double for averages and Lp norms. Indices count from plane `first_plane` of the whole tensor
// (x, y and indices point at that plane), so ranges of planes can run apart.
template <class T>
void pool_nd(const PoolOptions& o, const std::vector<WindowAxis>& axes, std::size_t planes,
             const T* x, T* y, std::int64_t* indices, std::size_t first_plane = 0) {
  const std::size_t rank = axes.size();
  std::vector<std::size_t> out(rank), in_stride(rank), col_stride(rank);
  std::size_t in_plane = 1, out_plane = 1, window = 1;
  for (std::size_t i = rank; i-- > 0;) {
    out[i] = pooled_size(axes[i], o.ceil_mode);
    in_stride[i] = in_plane;
    in_plane *= axes[i].in;
    out_plane *= out[i];
    window *= axes[i].kernel;
  }
  for (std::size_t i = 0, s = 1; i < rank; ++i) {  // column-major strides of the input plane
    col_stride[i] = s;
    s *= axes[i].in;
  }
  std::vector<std::size_t> opos(rank), wpos(rank);
  for (std::size_t plane = 0; plane < planes; ++plane) {
    const T* xp = x + plane * in_plane;
    for (std::size_t o_i = 0; o_i < out_plane; ++o_i) {
      for (std::size_t i = rank, r = o_i; i-- > 0;) {
        opos[i] = r % out[i];
        r /= out[i];
      }
      double acc = 0.0;
      std::size_t inside = 0, padded = 0;
      T best = std::numeric_limits<T>::lowest();
      if constexpr (std::numeric_limits<T>::has_infinity)
        best = -std::numeric_limits<T>::infinity();
      std::int64_t best_at = -1;
      bool is_nan = false;
      for (std::size_t w_i = 0; w_i < window; ++w_i) {
        for (std::size_t i = rank, r = w_i; i-- > 0;) {
          wpos[i] = r % axes[i].kernel;
          r /= axes[i].kernel;
        }
        bool in_input = true, in_padded = true;
        std::size_t off = 0, col = 0;
        for (std::size_t i = 0; i < rank; ++i) {
          const WindowAxis& a = axes[i];
          // Position in the padded input; inside the input when in [pad_begin, pad_begin + in).
          const std::size_t at = opos[i] * a.stride + wpos[i] * a.dilation;
          if (at < a.pad_begin || at >= a.pad_begin + a.in) in_input = false;
          if (at >= a.pad_begin + a.in + a.pad_end) in_padded = false;
          if (in_input) {
            off += (at - a.pad_begin) * in_stride[i];
            col += (at - a.pad_begin) * col_stride[i];
          }
        }
        padded += in_padded ? 1 : 0;
        if (!in_input) continue;
        ++inside;
        const T v = xp[off];
        if (o.kind == PoolKind::max) {
          if (is_nan) continue;
          if (v != v) {  // NaN wins, as in the kernel
            is_nan = true;
            best = v;
            best_at = static_cast<std::int64_t>(o.column_major ? col : off);
          } else if (v > best || best_at < 0) {
            best = v;
            best_at = static_cast<std::int64_t>(o.column_major ? col : off);
          }
        } else if (o.kind == PoolKind::average) {
          acc += static_cast<double>(v);
        } else {
          acc += std::pow(std::fabs(static_cast<double>(v)), static_cast<double>(o.p));
        }
      }
      T& dst = y[plane * out_plane + o_i];
      if (o.kind == PoolKind::max) {
        dst = best;
        if (indices) {
          indices[plane * out_plane + o_i] =
              best_at < 0 ? -1
                          : static_cast<std::int64_t>((first_plane + plane) * in_plane) + best_at;
        }
      } else if (o.kind == PoolKind::average) {
        const std::size_t count = o.count_include_pad ? padded : inside;
        dst = static_cast<T>(acc / static_cast<double>(count));
      } else {
        dst = static_cast<T>(std::pow(acc, 1.0 / static_cast<double>(o.p)));
      }
    }
  }
}

// MaxPool of 8-bit planes (the pools of int8 models) over 1 or 2 spatial axes, without Indices:
// the N-D loop's result (taps in the padding ignored, the lowest value where a window has no tap
// inside x) at a fraction of its cost. Per output row, the window rows inside x are reduced column
// by column into `row` (consecutive bytes, which the compiler vectorizes); each output then takes
// the largest of its window columns inside x.
template <class T>
void max_pool_planes_8bit(const WindowAxis& h, const WindowAxis& w, bool ceil_mode,
                          std::size_t planes, const T* x, T* y, T* row) {
  const std::size_t oh = pooled_size(h, ceil_mode), ow = pooled_size(w, ceil_mode);
  const T lowest = std::numeric_limits<T>::lowest();
  for (std::size_t plane = 0; plane < planes; ++plane) {
    const T* xp = x + plane * h.in * w.in;
    T* yp = y + plane * oh * ow;
    for (std::size_t oy = 0; oy < oh; ++oy) {
      std::fill(row, row + w.in, lowest);
      for (std::size_t i = 0; i < h.kernel; ++i) {
        const std::size_t at = oy * h.stride + i * h.dilation;  // in the padded input
        if (at < h.pad_begin || at >= h.pad_begin + h.in) continue;
        const T* in = xp + (at - h.pad_begin) * w.in;
        for (std::size_t q = 0; q < w.in; ++q) row[q] = std::max(row[q], in[q]);
      }
      T* out = yp + oy * ow;
      for (std::size_t ox = 0; ox < ow; ++ox) {
        T best = lowest;
        for (std::size_t j = 0; j < w.kernel; ++j) {
          const std::size_t at = ox * w.stride + j * w.dilation;
          if (at >= w.pad_begin && at < w.pad_begin + w.in) {
            best = std::max(best, row[at - w.pad_begin]);
          }
        }
        out[ox] = best;
      }
    }
  }
}

// MaxPool, AveragePool and LpPool: the window attributes, then the kernel or the scalar loop.
class PoolKernel final : public OpKernel {
 public:
  PoolKernel(const OpInfo& info, PoolKind kind) : window_(info) {
    if (kind == PoolKind::max) require_dtype(info, 0, "X", NumericTypes{});
    else require_dtype(info, 0, "X", FloatTypes{});
    options_.kind = kind;
    options_.ceil_mode = info.get_int("ceil_mode", 0) != 0;
    options_.count_include_pad = info.get_int("count_include_pad", 0) != 0;
    const std::int64_t order = info.get_int("storage_order", 0);
    if (order != 0 && order != 1) {
      info.fail(ErrorKind::invalid_model, "storage_order " + std::to_string(order) +
                                              " is not 0 (row major) or 1 (column major)");
    }
    options_.column_major = order == 1;
    if (kind == PoolKind::lp) {
      const Attribute* p = info.find("p");
      // p is a float before opset 11 and an int from 11 on.
      options_.p = p == nullptr                         ? 2.0f
                   : p->kind == Attribute::Kind::float_ ? p->f
                                                        : static_cast<float>(info.get_int("p", 2));
      if (!(options_.p > 0.0f) || std::isinf(options_.p)) {
        info.fail(ErrorKind::invalid_model, "p must be a positive number");
      }
    }
    if (window_.kernel.empty()) {
      info.fail(ErrorKind::invalid_model, "attribute 'kernel_shape' is required");
    }
    if (kind != PoolKind::max && !window_.dilations.empty()) {
      for (std::int64_t d : window_.dilations) {
        if (d != 1) info.fail(ErrorKind::unsupported_op, "dilations other than 1");
      }
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != window_.kernel.size() + 2) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be [N, C] and " +
                                              std::to_string(window_.kernel.size()) +
                                              " spatial dimensions (kernel_shape)");
    }
    const auto axes = resolve_window(ctx.info(), window_, x.shape(), window_.kernel);
    check_window_fits(ctx.info(), x.shape(), axes);
    std::vector<std::int64_t> out_dims{x.shape()[0], x.shape()[1]};
    for (const WindowAxis& a : axes) {
      out_dims.push_back(static_cast<std::int64_t>(pooled_size(a, options_.ceil_mode)));
    }
    const Shape out_shape = make_shape(out_dims);
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    std::int64_t* indices = nullptr;
    if (options_.kind == PoolKind::max && ctx.output_count() > 1 && ctx.has_output(1)) {
      indices = ctx.output(1, DType::i64, out_shape).data<std::int64_t>();
    }
    const auto planes = static_cast<std::size_t>(x.shape()[0] * x.shape()[1]);
    if (y.numel() == 0) return;
    if (x.dtype() == DType::f32 && axes.size() <= 2 && options_.kind != PoolKind::lp) {
      run_f32(ctx.executor(), x, y, indices, axes);
      return;
    }
    std::size_t window = 1;
    for (const WindowAxis& a : axes) window *= a.kernel;
    const bool bytes = x.dtype() == DType::u8 || x.dtype() == DType::i8;
    if (bytes && options_.kind == PoolKind::max && indices == nullptr && axes.size() <= 2) {
      // One row of maxima per plane, so that ranges of planes run apart.
      const WindowAxis one;
      const WindowAxis& h = axes.size() == 2 ? axes[0] : one;
      const WindowAxis& w = axes.back();
      auto* rows = static_cast<std::uint8_t*>(ctx.scratch(planes * w.in));
      const std::size_t in_plane = h.in * w.in,
                        out_plane = static_cast<std::size_t>(y.numel()) / planes;
      const auto* px = static_cast<const std::uint8_t*>(x.raw_data());
      std::uint8_t* py = output_bytes(y);
      parallel_ranges(ctx.executor(), planes,
                      kMinParallelElements / std::max<std::size_t>(1, out_plane * window),
                      [&](std::size_t b, std::size_t e) {
                        if (x.dtype() == DType::u8) {
                          max_pool_planes_8bit(h, w, options_.ceil_mode, e - b, px + b * in_plane,
                                               py + b * out_plane, rows + b * w.in);
                        } else {
                          max_pool_planes_8bit(
                              h, w, options_.ceil_mode, e - b,
                              reinterpret_cast<const std::int8_t*>(px + b * in_plane),
                              reinterpret_cast<std::int8_t*>(py + b * out_plane),
                              reinterpret_cast<std::int8_t*>(rows + b * w.in));
                        }
                      });
      return;
    }
    // Planes apart run apart: ranges of them split over the session's threads.
    const std::size_t out_plane = static_cast<std::size_t>(y.numel()) / planes;
    const std::size_t in_plane = static_cast<std::size_t>(x.numel()) / planes;
    auto pool = [&](auto tag) {
      using T = decltype(tag);
      const T* px = x.data<T>();
      T* py = y.data<T>();
      parallel_ranges(ctx.executor(), planes,
                      kMinParallelElements / std::max<std::size_t>(1, out_plane * window),
                      [&](std::size_t b, std::size_t e) {
                        pool_nd<T>(options_, axes, e - b, px + b * in_plane, py + b * out_plane,
                                   indices != nullptr ? indices + b * out_plane : nullptr, b);
                      });
    };
    // Averages and Lp norms are float-only in ONNX (an empty window would be 0 / 0).
    if (options_.kind == PoolKind::max) visit_dtype(ctx.info(), x.dtype(), pool, NumericTypes{});
    else visit_dtype(ctx.info(), x.dtype(), pool, FloatTypes{});
  }

 private:
  void run_f32(Executor* executor, const Tensor& x, Tensor& y, std::int64_t* indices,
               const std::vector<WindowAxis>& axes) const {
    kernels::Pool2dParams p;
    p.batch = static_cast<std::size_t>(x.shape()[0]);
    p.channels = static_cast<std::size_t>(x.shape()[1]);
    const WindowAxis one;
    const WindowAxis& h = axes.size() == 2 ? axes[0] : one;
    const WindowAxis& w = axes.back();
    p.in_h = h.in;
    p.in_w = w.in;
    p.kernel_h = h.kernel;
    p.kernel_w = w.kernel;
    p.stride_h = h.stride;
    p.stride_w = w.stride;
    p.dilation_h = h.dilation;
    p.dilation_w = w.dilation;
    p.pad_top = h.pad_begin;
    p.pad_bottom = h.pad_end;
    p.pad_left = w.pad_begin;
    p.pad_right = w.pad_end;
    p.ceil_mode = options_.ceil_mode;
    p.count_include_pad = options_.count_include_pad;
    if (indices == nullptr) {
      // The (n, c) planes are pooled independently: ranges of planes split over threads. (With
      // indices, which count from the first plane, the pool runs in one call.)
      const std::size_t planes = p.batch * p.channels, in_plane = p.in_h * p.in_w;
      const std::size_t out_plane = p.out_h() * p.out_w();
      const std::size_t work = std::max<std::size_t>(1, out_plane * p.kernel_h * p.kernel_w);
      const float* px = x.data<float>();
      float* py = y.data<float>();
      const bool average = options_.kind == PoolKind::average;
      parallel_ranges(
          executor, planes, kMinParallelElements / work, [&](std::size_t b, std::size_t e) {
            kernels::Pool2dParams part = p;
            part.batch = 1;
            part.channels = e - b;
            if (average) {
              kernels::avg_pool2d_nchw_f32(part, px + b * in_plane, py + b * out_plane);
            } else {
              kernels::max_pool2d_nchw_f32(part, px + b * in_plane, py + b * out_plane, nullptr);
            }
          });
      return;
    }
    kernels::max_pool2d_nchw_f32(p, x.data<float>(), y.data<float>(), indices);
    if (indices != nullptr && options_.column_major) {
      // Row-major plane offsets h * W + w become column-major w * H + h.
      const std::int64_t plane = static_cast<std::int64_t>(p.in_h * p.in_w);
      const auto in_w = static_cast<std::int64_t>(p.in_w), in_h = static_cast<std::int64_t>(p.in_h);
      for (std::int64_t i = 0; i < y.numel(); ++i) {
        std::int64_t& idx = indices[i];
        if (idx < 0) continue;
        const std::int64_t base = idx / plane * plane, r = idx % plane;
        idx = base + (r % in_w) * in_h + r / in_w;
      }
    }
  }

  WindowAttrs window_;
  PoolOptions options_;
};

// GlobalAveragePool, GlobalMaxPool, GlobalLpPool: one value per (n, c) plane.
class GlobalPoolKernel final : public OpKernel {
 public:
  GlobalPoolKernel(const OpInfo& info, PoolKind kind) : kind_(kind) {
    if (kind == PoolKind::max) require_dtype(info, 0, "X", NumericTypes{});
    else require_dtype(info, 0, "X", FloatTypes{});
    if (kind == PoolKind::lp) {
      const Attribute* p = info.find("p");
      p_ = p == nullptr                         ? 2.0f
           : p->kind == Attribute::Kind::float_ ? p->f
                                                : static_cast<float>(info.get_int("p", 2));
      if (!(p_ > 0.0f) || std::isinf(p_)) info.fail(ErrorKind::invalid_model, "p must be positive");
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) {
      ctx.fail(ErrorKind::shape_mismatch,
               "X " + x.shape().to_string() + " must be [N, C, spatial...]");
    }
    std::vector<std::int64_t> dims{x.shape()[0], x.shape()[1]};
    std::vector<WindowAxis> axes(x.rank() - 2);
    std::size_t spatial = 1;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      axes[i].in = axes[i].kernel = static_cast<std::size_t>(x.shape()[i + 2]);
      spatial *= axes[i].in;
      dims.push_back(1);
    }
    Tensor& y = ctx.output(0, x.dtype(), make_shape(dims));
    const auto planes = static_cast<std::size_t>(x.shape()[0] * x.shape()[1]);
    if (planes == 0) return;
    if (x.dtype() == DType::f32 && kind_ != PoolKind::lp) {
      const float* px = x.data<float>();
      float* py = y.data<float>();
      const bool max = kind_ == PoolKind::max;
      parallel_ranges(ctx.executor(), planes,
                      kMinParallelElements / std::max<std::size_t>(spatial, 1),
                      [&](std::size_t b, std::size_t e) {
                        if (max) {
                          kernels::global_max_pool_f32(px + b * spatial, py + b, e - b, spatial);
                        } else {
                          kernels::global_avg_pool_f32(px + b * spatial, py + b, e - b, spatial);
                        }
                      });
      return;
    }
    if (spatial == 0) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " has an empty plane");
    }
    PoolOptions o;
    o.kind = kind_;
    o.p = p_;
    auto pool = [&](auto tag) {
      using T = decltype(tag);
      pool_nd<T>(o, axes, planes, x.data<T>(), y.data<T>(), nullptr);
    };
    if (kind_ == PoolKind::max) visit_dtype(ctx.info(), x.dtype(), pool, NumericTypes{});
    else visit_dtype(ctx.info(), x.dtype(), pool, FloatTypes{});
  }

 private:
  PoolKind kind_;
  float p_ = 2.0f;
};

// MaxUnpool: a zero tensor of the unpooled shape (or output_shape) with X scattered to the flat
// positions I names.
class MaxUnpoolKernel final : public OpKernel {
 public:
  explicit MaxUnpoolKernel(const OpInfo& info) : window_(info) {
    if (window_.kernel.empty()) {
      info.fail(ErrorKind::invalid_model, "attribute 'kernel_shape' is required");
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    const std::size_t rank = window_.kernel.size();
    if (x.rank() != rank + 2 || idx.shape() != x.shape() || idx.dtype() != DType::i64) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " and I " +
                                              idx.shape().to_string() +
                                              " must be int64 of X's shape, [N, C] and " +
                                              std::to_string(rank) + " spatial dimensions");
    }
    window_.check_rank(ctx.info(), rank);
    std::vector<std::int64_t> dims{x.shape()[0], x.shape()[1]};
    for (std::size_t i = 0; i < rank; ++i) {
      const std::int64_t pads = window_.pads.empty() ? 0 : window_.pads[i] + window_.pads[i + rank];
      dims.push_back((x.shape()[i + 2] - 1) * static_cast<std::int64_t>(window_.stride(i)) +
                     window_.kernel[i] - pads);
    }
    // Indices count positions in the unpooled shape; a larger output_shape keeps each element
    // at the same coordinates.
    const std::vector<std::int64_t> unpooled = dims;
    if (ctx.has_input(2)) {
      const std::vector<std::int64_t> want = read_ints(ctx.info(), ctx.input(2), "output_shape");
      if (want.size() != dims.size() || want[0] != dims[0] || want[1] != dims[1]) {
        ctx.fail(ErrorKind::shape_mismatch, "output_shape does not fit X " + x.shape().to_string());
      }
      for (std::size_t i = 2; i < want.size(); ++i) {
        if (want[i] < dims[i]) {
          ctx.fail(ErrorKind::shape_mismatch, "output_shape is smaller than the unpooled shape");
        }
      }
      dims = want;
    }
    for (std::int64_t d : dims) {
      if (d < 0) ctx.fail(ErrorKind::shape_mismatch, "the unpooled shape is negative");
    }
    const Shape from = make_shape(unpooled);
    Tensor& y = ctx.output(0, x.dtype(), make_shape(dims));
    if (y.nbytes()) std::memset(const_cast<void*>(y.raw_data()), 0, y.nbytes());
    const std::int64_t* pi = idx.data<std::int64_t>();
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          T* py = y.data<T>();
          for (std::int64_t i = 0; i < x.numel(); ++i) {
            if (pi[i] < 0 || pi[i] >= from.numel()) {
              ctx.fail(ErrorKind::shape_mismatch, "index " + std::to_string(pi[i]) +
                                                      " is outside the unpooled shape " +
                                                      from.to_string());
            }
            std::int64_t rest = pi[i], at = 0, stride = 1;
            for (std::size_t d = dims.size(); d-- > 0;) {
              at += rest % unpooled[d] * stride;
              rest /= unpooled[d];
              stride *= dims[d];
            }
            py[at] = px[i];
          }
        },
        NumericTypes{});
  }

 private:
  WindowAttrs window_;
};

template <PoolKind kind>
OpFactory pool_factory() {
  return [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<PoolKernel>(info, kind);
  };
}
template <PoolKind kind>
OpFactory global_pool_factory() {
  return [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<GlobalPoolKernel>(info, kind);
  };
}

inline void register_pool_ops(OpSet& ops) {
  ops.add("", "MaxPool", 1, pool_factory<PoolKind::max>());
  ops.add("", "AveragePool", 1, pool_factory<PoolKind::average>());
  ops.add("", "LpPool", 1, pool_factory<PoolKind::lp>());
  ops.add("", "GlobalMaxPool", 1, global_pool_factory<PoolKind::max>());
  ops.add("", "GlobalAveragePool", 1, global_pool_factory<PoolKind::average>());
  ops.add("", "GlobalLpPool", 1, global_pool_factory<PoolKind::lp>());
  ops.add("", "MaxUnpool", 9, factory<MaxUnpoolKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_POOL_HPP
