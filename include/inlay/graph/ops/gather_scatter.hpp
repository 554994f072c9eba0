// Index-driven reads and writes: Gather, GatherElements, GatherND, ScatterND, ScatterElements
// (and opset 9's Scatter). Elements move as bytes; indices may count from the end and
// out-of-range ones are an Error.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_GATHER_SCATTER_HPP
#define INLAY_GRAPH_OPS_GATHER_SCATTER_HPP

#include <cmath>
#include <limits>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Gather: out[o, j..., i] = data[o, indices[j...], i] along `axis`.
class GatherKernel final : public OpKernel {
 public:
  explicit GatherKernel(const OpInfo& info) : axis_(info.get_int("axis", 0)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const std::size_t rank = data.rank();
    if (rank == 0) info.fail(ErrorKind::shape_mismatch, "cannot gather from a scalar");
    const std::size_t axis = normalize_axis(info, axis_, rank);
    const std::int64_t dim = data.shape()[axis];
    Dims out;
    for (std::size_t k = 0; k < axis; ++k) out[out.n++] = data.shape()[k];
    if (out.n + indices.rank() + (rank - axis - 1) > Shape::max_rank) {
      info.fail(ErrorKind::unsupported_op, "the output would have a rank above inlay's maximum " +
                                               std::to_string(Shape::max_rank));
    }
    for (std::size_t k = 0; k < indices.rank(); ++k) out[out.n++] = indices.shape()[k];
    for (std::size_t k = axis + 1; k < rank; ++k) out[out.n++] = data.shape()[k];
    const std::int64_t count = indices.numel();
    visit_indices(info, indices, "indices", [&](const auto* idx) {
      for (std::int64_t j = 0; j < count; ++j) checked_index(info, idx[j], dim, "index");
      Tensor& y = ctx.output(0, data.dtype(), output_shape(info, out));
      const std::size_t block = static_cast<std::size_t>(span_of(data.shape(), axis + 1, rank)) *
                                dtype_size(data.dtype());
      const std::int64_t outer = span_of(data.shape(), 0, axis);
      const auto* src = static_cast<const unsigned char*>(data.raw_data());
      auto* dst = static_cast<unsigned char*>(writable(y));
      if (block == 0) return;
      for (std::int64_t o = 0; o < outer; ++o) {
        for (std::int64_t j = 0; j < count; ++j) {
          const std::int64_t i = idx[j] < 0 ? idx[j] + dim : idx[j];
          std::memcpy(dst, src + (o * dim + i) * static_cast<std::int64_t>(block), block);
          dst += block;
        }
      }
    });
  }

 private:
  std::int64_t axis_;
};

// Calls f(e, offset) for every element e of `shape` in row-major order, with offset =
// sum_k index_k * strides[k] (strides of another tensor walked alongside).
template <class F>
void for_each_offset(const Shape& shape, const std::int64_t* strides, F&& f) {
  const std::size_t rank = shape.rank();
  const std::int64_t n = shape.numel();
  std::int64_t index[Shape::max_rank] = {};
  std::int64_t off = 0;
  for (std::int64_t e = 0; e < n; ++e) {
    f(e, off);
    for (std::size_t k = rank; k-- > 0;) {
      ++index[k];
      off += strides[k];
      if (index[k] < shape[k]) break;
      off -= strides[k] * shape[k];
      index[k] = 0;
    }
  }
}

// The element-wise ops (GatherElements, ScatterElements) need indices of the data's rank whose
// dims fit inside the data's (the indexed axis excepted, it is checked per index).
inline std::size_t check_elementwise_indices(const OpInfo& info, const Tensor& data,
                                             const Tensor& indices, std::int64_t axis) {
  const std::size_t a = normalize_axis(info, axis, data.rank());
  bool fits = indices.rank() == data.rank();
  for (std::size_t k = 0; fits && k < data.rank(); ++k)
    fits = k == a || indices.shape()[k] <= data.shape()[k];
  if (!fits) {
    info.fail(ErrorKind::shape_mismatch, "indices of shape " + indices.shape().to_string() +
                                             " do not fit data of shape " +
                                             data.shape().to_string());
  }
  return a;
}

class GatherElementsKernel final : public OpKernel {
 public:
  explicit GatherElementsKernel(const OpInfo& info) : axis_(info.get_int("axis", 0)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const std::size_t axis = check_elementwise_indices(info, data, indices, axis_);
    const std::int64_t dim = data.shape()[axis];
    std::int64_t strides[Shape::max_rank];
    strides_of(data.shape(), strides);
    const std::int64_t axis_stride = strides[axis];
    strides[axis] = 0;
    visit_indices(info, indices, "indices", [&](const auto* idx) {
      for (std::int64_t j = 0; j < indices.numel(); ++j) checked_index(info, idx[j], dim, "index");
      Tensor& y = ctx.output(0, data.dtype(), indices.shape());
      visit_element_size(dtype_size(data.dtype()), [&](auto tag) {
        using U = decltype(tag);
        const U* src = static_cast<const U*>(data.raw_data());
        U* dst = static_cast<U*>(writable(y));
        for_each_offset(indices.shape(), strides, [&](std::int64_t e, std::int64_t off) {
          const std::int64_t i = idx[e] < 0 ? idx[e] + dim : idx[e];
          dst[e] = src[off + i * axis_stride];
        });
      });
    });
  }

 private:
  std::int64_t axis_;
};

// The batch_dims/index-tuple geometry that GatherND and ScatterND share: `indices` ends in
// tuples of m coordinates into the dims [b, b + m) of `data`.
struct NdIndexing {
  std::int64_t batches = 1;               // product of the first b dims
  std::int64_t tuples = 1;                // index tuples per batch
  std::int64_t m = 0;                     // coordinates per tuple
  std::int64_t slice = 1;                 // elements of data per addressed slice
  std::int64_t batch_stride;              // elements of data per batch
  std::int64_t strides[Shape::max_rank];  // data strides of the m indexed dims
};
inline NdIndexing nd_indexing(const OpInfo& info, const Shape& data, const Shape& indices,
                              std::int64_t b) {
  const auto r = static_cast<std::int64_t>(data.rank()),
             q = static_cast<std::int64_t>(indices.rank());
  if (q < 1) info.fail(ErrorKind::shape_mismatch, "indices must have rank 1 or more");
  if (b < 0 || b >= std::min(q, r)) {
    info.fail(ErrorKind::invalid_model,
              "batch_dims " + std::to_string(b) + " must be below the ranks of data and indices");
  }
  NdIndexing g;
  g.m = indices[static_cast<std::size_t>(q - 1)];
  if (g.m < 1 || g.m > r - b) {
    info.fail(ErrorKind::shape_mismatch, "index tuples of length " + std::to_string(g.m) +
                                             " do not fit data of shape " + data.to_string() +
                                             " with batch_dims " + std::to_string(b));
  }
  for (std::size_t k = 0; k < static_cast<std::size_t>(b); ++k) {
    if (data[k] != indices[k]) {
      info.fail(ErrorKind::shape_mismatch, "batch dimension " + std::to_string(k) +
                                               " differs between data " + data.to_string() +
                                               " and indices " + indices.to_string());
    }
    g.batches *= data[k];
  }
  g.tuples = span_of(indices, static_cast<std::size_t>(b), static_cast<std::size_t>(q - 1));
  g.slice = span_of(data, static_cast<std::size_t>(b + g.m), data.rank());
  g.batch_stride = span_of(data, static_cast<std::size_t>(b), data.rank());
  std::int64_t st = g.slice;
  for (std::int64_t k = g.m; k-- > 0;) {
    g.strides[k] = st;
    st *= data[static_cast<std::size_t>(b + k)];
  }
  return g;
}
// The data offset (in elements) of tuple t of batch n; an Error for out-of-range coordinates.
template <class I>
std::int64_t nd_offset(const OpInfo& info, const NdIndexing& g, const Shape& data, std::int64_t b,
                       const I* idx, std::int64_t n, std::int64_t t) {
  const I* tuple = idx + (n * g.tuples + t) * g.m;
  std::int64_t off = n * g.batch_stride;
  for (std::int64_t k = 0; k < g.m; ++k) {
    off += checked_index(info, tuple[k], data[static_cast<std::size_t>(b + k)], "index") *
           g.strides[k];
  }
  return off;
}

class GatherNDKernel final : public OpKernel {
 public:
  explicit GatherNDKernel(const OpInfo& info) : batch_dims_(info.get_int("batch_dims", 0)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const NdIndexing g = nd_indexing(info, data.shape(), indices.shape(), batch_dims_);
    Dims out;
    for (std::size_t k = 0; k + 1 < indices.rank(); ++k) out[out.n++] = indices.shape()[k];
    for (std::size_t k = static_cast<std::size_t>(batch_dims_ + g.m); k < data.rank(); ++k) {
      if (out.n == Shape::max_rank)
        info.fail(ErrorKind::unsupported_op, "the output would have a rank above inlay's maximum");
      out[out.n++] = data.shape()[k];
    }
    visit_indices(info, indices, "indices", [&](const auto* idx) {
      for (std::int64_t n = 0; n < g.batches; ++n) {
        for (std::int64_t t = 0; t < g.tuples; ++t)
          nd_offset(info, g, data.shape(), batch_dims_, idx, n, t);
      }
      Tensor& y = ctx.output(0, data.dtype(), output_shape(info, out));
      const std::size_t e = dtype_size(data.dtype());
      const std::size_t block = static_cast<std::size_t>(g.slice) * e;
      const auto* src = static_cast<const unsigned char*>(data.raw_data());
      auto* dst = static_cast<unsigned char*>(writable(y));
      if (block == 0) return;
      for (std::int64_t n = 0; n < g.batches; ++n) {
        for (std::int64_t t = 0; t < g.tuples; ++t) {
          const std::int64_t off = nd_offset(info, g, data.shape(), batch_dims_, idx, n, t);
          std::memcpy(dst, src + off * static_cast<std::int64_t>(e), block);
          dst += block;
        }
      }
    });
  }

 private:
  std::int64_t batch_dims_;
};

// How scattered values combine with those already there.
enum class Reduction { none, add, mul, max, min };
inline Reduction reduction_of(const OpInfo& info) {
  return enum_attribute<Reduction>(info, "reduction", "none",
                                   {{"none", Reduction::none},
                                    {"add", Reduction::add},
                                    {"mul", Reduction::mul},
                                    {"max", Reduction::max},
                                    {"min", Reduction::min}});
}
template <class T>
T reduce_pair(Reduction r, T a, T b) {
  if constexpr (is_half_v<T>) {
    return to_half<T>(reduce_pair(r, to_float(a), to_float(b)));
  } else if constexpr (std::is_same<T, bool>::value) {
    switch (r) {
      case Reduction::add:
      case Reduction::max: return a || b;
      case Reduction::mul:
      case Reduction::min: return a && b;
      case Reduction::none: return b;
    }
    return b;
  } else {
    switch (r) {
      case Reduction::none: return b;
      case Reduction::add: return static_cast<T>(a + b);
      case Reduction::mul: return static_cast<T>(a * b);
      case Reduction::max: return a < b ? b : a;
      case Reduction::min: return b < a ? b : a;
    }
    return b;
  }
}

// Starts a scatter: checks dtypes and returns the output, a copy of data.
inline Tensor& scatter_output(OpContext& ctx, const Tensor& data, const Tensor& updates) {
  if (updates.dtype() != data.dtype()) {
    ctx.fail(ErrorKind::invalid_model, std::string("updates have dtype ") +
                                           dtype_name(updates.dtype()) + ", data has " +
                                           dtype_name(data.dtype()));
  }
  Tensor& y = ctx.output(0, data.dtype(), data.shape());
  if (data.nbytes()) std::memcpy(writable(y), data.raw_data(), data.nbytes());
  return y;
}

class ScatterNDKernel final : public OpKernel {
 public:
  explicit ScatterNDKernel(const OpInfo& info) : reduction_(reduction_of(info)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    const NdIndexing g = nd_indexing(info, data.shape(), indices.shape(), 0);
    // updates must have shape indices.shape[:-1] + data.shape[m:].
    bool fits = updates.rank() + 1 + static_cast<std::size_t>(g.m) == indices.rank() + data.rank();
    for (std::size_t k = 0; fits && k + 1 < indices.rank(); ++k)
      fits = updates.shape()[k] == indices.shape()[k];
    for (std::size_t k = static_cast<std::size_t>(g.m); fits && k < data.rank(); ++k) {
      fits = updates.shape()[indices.rank() - 1 + k - static_cast<std::size_t>(g.m)] ==
             data.shape()[k];
    }
    if (!fits) {
      info.fail(ErrorKind::shape_mismatch,
                "updates of shape " + updates.shape().to_string() + " do not fit indices " +
                    indices.shape().to_string() + " and data " + data.shape().to_string());
    }
    visit_indices(info, indices, "indices", [&](const auto* idx) {
      for (std::int64_t t = 0; t < g.tuples; ++t) nd_offset(info, g, data.shape(), 0, idx, 0, t);
      Tensor& y = scatter_output(ctx, data, updates);
      visit_dtype(
          info, data.dtype(),
          [&](auto tag) {
            using T = decltype(tag);
            T* dst = static_cast<T*>(writable(y));
            const T* src = updates.data<T>();
            for (std::int64_t t = 0; t < g.tuples; ++t) {
              T* d = dst + nd_offset(info, g, data.shape(), 0, idx, 0, t);
              const T* s = src + t * g.slice;
              for (std::int64_t i = 0; i < g.slice; ++i) d[i] = reduce_pair(reduction_, d[i], s[i]);
            }
          },
          AllTypes{});
    });
  }

 private:
  Reduction reduction_;
};

// ScatterElements (and the older Scatter): out[... idx ...] = updates[... j ...] along axis.
class ScatterElementsKernel final : public OpKernel {
 public:
  explicit ScatterElementsKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 0)), reduction_(reduction_of(info)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    const std::size_t axis = check_elementwise_indices(info, data, indices, axis_);
    if (updates.shape() != indices.shape()) {
      info.fail(ErrorKind::shape_mismatch, "updates of shape " + updates.shape().to_string() +
                                               " differ from indices of shape " +
                                               indices.shape().to_string());
    }
    const std::int64_t dim = data.shape()[axis];
    std::int64_t strides[Shape::max_rank];
    strides_of(data.shape(), strides);
    const std::int64_t axis_stride = strides[axis];
    strides[axis] = 0;
    visit_indices(info, indices, "indices", [&](const auto* idx) {
      for (std::int64_t j = 0; j < indices.numel(); ++j) checked_index(info, idx[j], dim, "index");
      Tensor& y = scatter_output(ctx, data, updates);
      visit_dtype(
          info, data.dtype(),
          [&](auto tag) {
            using T = decltype(tag);
            T* dst = static_cast<T*>(writable(y));
            const T* src = updates.data<T>();
            for_each_offset(indices.shape(), strides, [&](std::int64_t e, std::int64_t off) {
              const std::int64_t i = idx[e] < 0 ? idx[e] + dim : idx[e];
              T& d = dst[off + i * axis_stride];
              d = reduce_pair(reduction_, d, src[e]);
            });
          },
          AllTypes{});
    });
  }

 private:
  std::int64_t axis_;
  Reduction reduction_;
};

inline void register_gather_scatter_ops(OpSet& ops) {
  ops.add("", "Gather", 1, factory<GatherKernel>());
  ops.add("", "GatherElements", 11, factory<GatherElementsKernel>());
  ops.add("", "GatherND", 11, factory<GatherNDKernel>());
  ops.add("", "ScatterND", 11, factory<ScatterNDKernel>());
  ops.add("", "ScatterElements", 11, factory<ScatterElementsKernel>());
  ops.add("", "Scatter", 9, factory<ScatterElementsKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_GATHER_SCATTER_HPP
