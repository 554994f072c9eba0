// Data movement: Transpose, Concat, Split, Slice, Gather, GatherElements, GatherND, ScatterND,
// ScatterElements, Tile, Pad, DepthToSpace, SpaceToDepth, NonZero, OneHot, Trilu,
// ReverseSequence, Compress, and Resize/Upsample. Elements move as bytes (one body per element
// size); indices may count from the end and out-of-range ones are an Error.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_MOVEMENT_HPP
#define INLAY_GRAPH_OPS_MOVEMENT_HPP

#include <cmath>
#include <limits>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/shape.hpp"
#include "inlay/kernels/transpose.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// y = x with axes permuted (perm has x's rank entries); the shared transpose kernels.
inline void transpose_into(const Tensor& x, const std::size_t* perm, Tensor& y) {
  if (y.numel() == 0) return;
  if (x.dtype() == DType::f32) {
    kernels::transpose_f32(x.data<float>(), x.shape(), perm, static_cast<float*>(writable(y)));
  } else {
    kernels::transpose_bytes(x.raw_data(), dtype_size(x.dtype()), x.shape(), perm, writable(y));
  }
}

class TransposeKernel final : public OpKernel {
 public:
  explicit TransposeKernel(const OpInfo& info) : has_perm_(info.has("perm")) {
    perm_ = dims_of_attribute(info, info.get_ints("perm"), "perm");
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    std::size_t perm[Shape::max_rank];
    if (has_perm_) {
      if (perm_.n != rank) {
        info.fail(ErrorKind::shape_mismatch, "perm has " + std::to_string(perm_.n) +
                                                 " entries for an input of rank " +
                                                 std::to_string(rank));
      }
      bool seen[Shape::max_rank] = {};
      for (std::size_t i = 0; i < rank; ++i) {
        const std::size_t p = normalize_axis(info, perm_[i], rank, "perm entry");
        if (seen[p])
          info.fail(ErrorKind::invalid_model,
                    "perm is not a permutation (repeats " + std::to_string(p) + ")");
        seen[p] = true;
        perm[i] = p;
      }
    } else {
      for (std::size_t i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
    }
    Dims out;
    out.n = rank;
    for (std::size_t i = 0; i < rank; ++i) out[i] = x.shape()[perm[i]];
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    transpose_into(x, perm, y);
  }

 private:
  bool has_perm_;
  Dims perm_;
};

// Product of dims [from, to).
inline std::int64_t span_of(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t i = from; i < to; ++i) n *= s[i];
  return n;
}

class ConcatKernel final : public OpKernel {
 public:
  explicit ConcatKernel(const OpInfo& info)
      : axis_(info.require("axis", Attribute::Kind::int_).i) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& first = ctx.input(0);
    const std::size_t rank = first.rank();
    if (rank == 0) info.fail(ErrorKind::shape_mismatch, "cannot concatenate scalars");
    const std::size_t axis = normalize_axis(info, axis_, rank);
    Dims out = dims_of_shape(first.shape());
    out[axis] = 0;
    for (std::size_t i = 0; i < ctx.input_count(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != first.dtype()) {
        info.fail(ErrorKind::invalid_model, "input " + std::to_string(i) + " has dtype " +
                                                dtype_name(t.dtype()) + ", input 0 has " +
                                                dtype_name(first.dtype()));
      }
      bool fits = t.rank() == rank;
      for (std::size_t k = 0; fits && k < rank; ++k)
        fits = k == axis || t.shape()[k] == first.shape()[k];
      if (!fits) {
        info.fail(ErrorKind::shape_mismatch,
                  "input " + std::to_string(i) + " of shape " + t.shape().to_string() +
                      " does not fit input 0 of shape " + first.shape().to_string() +
                      " along axis " + std::to_string(axis));
      }
      out[axis] += t.shape()[axis];
    }
    Tensor& y = ctx.output(0, first.dtype(), output_shape(info, out));
    const std::size_t e = dtype_size(first.dtype());
    const std::int64_t outer = span_of(first.shape(), 0, axis);
    const std::size_t inner = static_cast<std::size_t>(span_of(first.shape(), axis + 1, rank)) * e;
    auto* dst = static_cast<unsigned char*>(writable(y));
    for (std::int64_t o = 0; o < outer; ++o) {
      for (std::size_t i = 0; i < ctx.input_count(); ++i) {
        const Tensor& t = ctx.input(i);
        const std::size_t block = static_cast<std::size_t>(t.shape()[axis]) * inner;
        if (block == 0) continue;
        std::memcpy(dst, static_cast<const unsigned char*>(t.raw_data()) + o * block, block);
        dst += block;
      }
    }
  }

 private:
  std::int64_t axis_;
};

// Split: sizes from the 'split' attribute (before opset 13) or input (from 13), else equal
// parts (the last one smaller with num_outputs, opset 18).
class SplitKernel final : public OpKernel {
 public:
  explicit SplitKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 0)),
        from_attribute_(info.opset() < 13),
        split_(info.get_ints("split")),
        num_outputs_(info.get_int("num_outputs", 0)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t axis = normalize_axis(info, axis_, x.rank());
    const std::int64_t dim = x.shape()[axis];
    const std::size_t n = ctx.output_count();
    const Tensor* split_input =
        !from_attribute_ && ctx.input_count() > 1 && ctx.has_input(1) ? &ctx.input(1) : nullptr;
    const bool given = from_attribute_ ? !split_.empty() : split_input != nullptr;
    if (split_input) {
      if (split_input->rank() != 1 || split_input->dtype() != DType::i64) {
        info.fail(ErrorKind::invalid_model, "split must be a 1-D int64 tensor");
      }
    }
    const std::size_t count =
        given ? (split_input ? static_cast<std::size_t>(split_input->numel()) : split_.size()) : n;
    if (count != n) {
      info.fail(ErrorKind::invalid_model, "split has " + std::to_string(count) + " entries for " +
                                              std::to_string(n) + " outputs");
    }
    const std::int64_t chunk =
        n == 0 ? 0 : (dim + static_cast<std::int64_t>(n) - 1) / static_cast<std::int64_t>(n);
    if (!given && num_outputs_ == 0 && n != 0 && dim % static_cast<std::int64_t>(n) != 0) {
      info.fail(ErrorKind::shape_mismatch, "dimension " + std::to_string(dim) + " of axis " +
                                               std::to_string(axis) + " does not split into " +
                                               std::to_string(n) + " equal parts");
    }
    auto size_of = [&](std::size_t i) -> std::int64_t {
      if (split_input) return split_input->data<std::int64_t>()[i];
      if (given) return split_[i];
      return std::min(chunk, dim - chunk * static_cast<std::int64_t>(i));
    };
    std::int64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t s = size_of(i);
      if (s < 0 || s > dim)
        info.fail(ErrorKind::invalid_model,
                  "split entry " + std::to_string(i) + " is " + std::to_string(s));
      total += s;
    }
    if (total != dim) {
      info.fail(ErrorKind::shape_mismatch, "split sizes add up to " + std::to_string(total) +
                                               ", not the dimension " + std::to_string(dim) +
                                               " of axis " + std::to_string(axis));
    }
    const std::size_t e = dtype_size(x.dtype());
    const std::int64_t outer = span_of(x.shape(), 0, axis);
    const std::size_t inner = static_cast<std::size_t>(span_of(x.shape(), axis + 1, x.rank())) * e;
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t s = size_of(i);
      Dims d = dims_of_shape(x.shape());
      d[axis] = s;
      Tensor& y = ctx.output(i, x.dtype(), output_shape(info, d));
      const std::size_t block = static_cast<std::size_t>(s) * inner;
      auto* dst = static_cast<unsigned char*>(writable(y));
      for (std::int64_t o = 0; block && o < outer; ++o) {
        std::memcpy(dst + o * block, src + (o * dim + offset) * static_cast<std::int64_t>(inner),
                    block);
      }
      offset += s;
    }
  }

 private:
  std::int64_t axis_;
  bool from_attribute_;
  std::vector<std::int64_t> split_;
  std::int64_t num_outputs_;
};

// Slice: starts/ends/axes attributes before opset 10, inputs (with steps) from 10; ends and
// starts are clamped like NumPy's, negative steps walk backwards.
class SliceKernel final : public OpKernel {
 public:
  explicit SliceKernel(const OpInfo& info) : from_attributes_(info.opset() < 10) {
    if (from_attributes_) {
      starts_ =
          dims_of_attribute(info, info.require("starts", Attribute::Kind::ints).ints, "starts");
      ends_ = dims_of_attribute(info, info.require("ends", Attribute::Kind::ints).ints, "ends");
      has_axes_ = info.has("axes");
      axes_ = dims_of_attribute(info, info.get_ints("axes"), "axes");
    }
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    Dims starts = starts_, ends = ends_, axes = axes_, steps;
    bool has_axes = has_axes_, has_steps = false;
    if (!from_attributes_) {
      starts = read_dims(info, ctx.input(1), "starts");
      ends = read_dims(info, ctx.input(2), "ends");
      has_axes = ctx.input_count() > 3 && ctx.has_input(3);
      if (has_axes) axes = read_dims(info, ctx.input(3), "axes");
      has_steps = ctx.input_count() > 4 && ctx.has_input(4);
      if (has_steps) steps = read_dims(info, ctx.input(4), "steps");
    }
    if (ends.n != starts.n || (has_axes && axes.n != starts.n) ||
        (has_steps && steps.n != starts.n)) {
      info.fail(ErrorKind::invalid_model, "starts, ends, axes and steps must have the same length");
    }
    std::int64_t begin[Shape::max_rank] = {}, step[Shape::max_rank];
    Dims out = dims_of_shape(x.shape());
    bool seen[Shape::max_rank] = {};
    for (std::size_t k = 0; k < rank; ++k) step[k] = 1;
    for (std::size_t i = 0; i < starts.n; ++i) {
      const std::size_t a = has_axes ? normalize_axis(info, axes[i], rank) : i;
      if (a >= rank)
        info.fail(ErrorKind::invalid_model,
                  "more starts than the input's rank " + std::to_string(rank));
      if (seen[a])
        info.fail(ErrorKind::invalid_model, "axis " + std::to_string(a) + " is repeated");
      seen[a] = true;
      const std::int64_t d = x.shape()[a];
      const std::int64_t s = has_steps ? steps[i] : 1;
      if (s == 0)
        info.fail(ErrorKind::invalid_model, "step of axis " + std::to_string(a) + " is 0");
      std::int64_t b = starts[i], e = ends[i];
      if (b < 0) b += d;
      if (e < 0) e += d;
      std::int64_t count;
      if (s > 0) {
        b = std::min(std::max(b, std::int64_t(0)), d);
        e = std::min(std::max(e, std::int64_t(0)), d);
        count = e > b ? (e - b - 1) / s + 1 : 0;
      } else {
        b = std::min(std::max(b, std::int64_t(-1)), d - 1);
        e = std::min(std::max(e, std::int64_t(-1)), d - 1);
        const std::int64_t magnitude = s < -INT64_MAX ? INT64_MAX : -s;
        count = b > e ? (b - e - 1) / magnitude + 1 : 0;
      }
      begin[a] = b;
      step[a] = count > 1 ? s : 1;  // a huge step that takes one element must not overflow
      out[a] = count;
    }
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    if (y.numel() == 0) return;
    std::int64_t strides[Shape::max_rank];
    strides_of(x.shape(), strides);
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < rank; ++k) {
      offset += begin[k] * strides[k];
      strides[k] *= step[k];
    }
    strided_copy_bytes(x, offset, strides, y);
  }

 private:
  bool from_attributes_;
  Dims starts_, ends_, axes_;
  bool has_axes_ = false;
};

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
  const std::string r = info.get_string("reduction", "none");
  if (r == "none") return Reduction::none;
  if (r == "add") return Reduction::add;
  if (r == "mul") return Reduction::mul;
  if (r == "max") return Reduction::max;
  if (r == "min") return Reduction::min;
  info.fail(ErrorKind::unsupported_op, "reduction '" + r + "' is not supported");
}
template <class T>
T reduce_pair(Reduction r, T a, T b) {
  if constexpr (std::is_same<T, float16>::value) {
    return to_float16(reduce_pair(r, to_float(a), to_float(b)));
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

// Tile: the input repeated repeats[k] times along each axis k.
class TileKernel final : public OpKernel {
 public:
  explicit TileKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Dims repeats = read_dims(info, ctx.input(1), "repeats");
    const std::size_t rank = x.rank();
    if (repeats.n != rank) {
      info.fail(ErrorKind::shape_mismatch, "repeats has " + std::to_string(repeats.n) +
                                               " entries for an input of rank " +
                                               std::to_string(rank));
    }
    Dims out;
    out.n = rank;
    for (std::size_t k = 0; k < rank; ++k) {
      if (repeats[k] < 0) info.fail(ErrorKind::invalid_model, "repeats has a negative entry");
      const std::int64_t d = x.shape()[k];
      if (d != 0 && repeats[k] > (INT64_MAX / 8) / d)
        info.fail(ErrorKind::shape_mismatch, "the output would have too many elements");
      out[k] = d * repeats[k];
    }
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    const Shape& os = y.shape();
    const Shape& is = x.shape();
    std::int64_t strides[Shape::max_rank];
    strides_of(is, strides);
    visit_element_size(dtype_size(x.dtype()), [&](auto tag) {
      using U = decltype(tag);
      const U* src = static_cast<const U*>(x.raw_data());
      U* dst = static_cast<U*>(writable(y));
      std::int64_t index[Shape::max_rank] = {}, coord[Shape::max_rank] = {};
      std::int64_t off = 0;
      const std::int64_t n = os.numel();
      for (std::int64_t e = 0; e < n; ++e) {
        dst[e] = src[off];
        for (std::size_t k = rank; k-- > 0;) {  // odometer: coord = index mod input dim
          ++index[k];
          ++coord[k];
          off += strides[k];
          if (coord[k] == is[k]) {
            coord[k] = 0;
            off -= is[k] * strides[k];
          }
          if (index[k] < os[k]) break;
          index[k] = 0;
        }
      }
    });
  }
};

// Pad: pads (and value, mode) attributes before opset 11, inputs pads/constant_value/axes from
// 11; modes constant, reflect, edge, wrap. Negative pads crop.
class PadKernel final : public OpKernel {
 public:
  enum class Mode { constant, reflect, edge, wrap };
  explicit PadKernel(const OpInfo& info) : from_attributes_(info.opset() < 11) {
    const std::string mode = info.get_string("mode", "constant");
    if (mode == "constant") {
      mode_ = Mode::constant;
    } else if (mode == "reflect") {
      mode_ = Mode::reflect;
    } else if (mode == "edge") {
      mode_ = Mode::edge;
    } else if (mode == "wrap") {
      mode_ = Mode::wrap;
    } else {
      info.fail(ErrorKind::unsupported_op, "mode '" + mode + "' is not supported");
    }
    if (from_attributes_) {
      const Attribute& pads =
          info.require(info.opset() < 2 ? "paddings" : "pads", Attribute::Kind::ints);
      if (pads.ints.size() > 2 * Shape::max_rank)
        info.fail(ErrorKind::unsupported_op, "too many pads");
      pads_.assign(pads.ints.begin(), pads.ints.end());
      value_ = info.get_float("value", 0.0f);
    }
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    std::int64_t before[Shape::max_rank] = {}, after[Shape::max_rank] = {};
    unsigned char fill[8] = {};
    if (from_attributes_) {
      if (pads_.size() != 2 * rank) pads_mismatch(info, pads_.size(), rank);
      for (std::size_t k = 0; k < rank; ++k) {
        before[k] = pads_[k];
        after[k] = pads_[k + rank];
      }
      store_as(info, x.dtype(), value_, fill);
    } else {
      const Tensor& pads = ctx.input(1);
      if (pads.rank() != 1 || pads.dtype() != DType::i64)
        info.fail(ErrorKind::invalid_model, "pads must be a 1-D int64 tensor");
      Dims axes;
      const bool has_axes = ctx.input_count() > 3 && ctx.has_input(3);
      if (has_axes) {
        axes = read_dims(info, ctx.input(3), "axes");
      } else {
        axes.n = rank;
        for (std::size_t k = 0; k < rank; ++k) axes[k] = static_cast<std::int64_t>(k);
      }
      if (static_cast<std::size_t>(pads.numel()) != 2 * axes.n)
        pads_mismatch(info, static_cast<std::size_t>(pads.numel()), axes.n);
      const std::int64_t* p = pads.data<std::int64_t>();
      for (std::size_t i = 0; i < axes.n; ++i) {
        const std::size_t a = normalize_axis(info, axes[i], rank);
        before[a] = p[i];
        after[a] = p[i + axes.n];
      }
      if (ctx.input_count() > 2 && ctx.has_input(2)) {
        const Tensor& v = ctx.input(2);
        if (v.dtype() != x.dtype() || v.numel() != 1) {
          info.fail(ErrorKind::invalid_model,
                    "constant_value must be one element of the input's dtype");
        }
        std::memcpy(fill, v.raw_data(), dtype_size(x.dtype()));
      }
    }
    Dims out;
    out.n = rank;
    for (std::size_t k = 0; k < rank; ++k) {
      const std::int64_t d = x.shape()[k], limit = INT64_MAX / 8;
      if (before[k] < -limit || before[k] > limit || after[k] < -limit || after[k] > limit) {
        info.fail(ErrorKind::shape_mismatch,
                  "pads of axis " + std::to_string(k) + " are too large");
      }
      out[k] = d + before[k] + after[k];
      if (out[k] < 0) {
        info.fail(ErrorKind::shape_mismatch,
                  "pads " + std::to_string(before[k]) + ", " + std::to_string(after[k]) +
                      " crop more than the dimension " + std::to_string(d) + " of axis " +
                      std::to_string(k));
      }
      if (mode_ != Mode::constant && d == 0 && out[k] > 0) {
        info.fail(ErrorKind::shape_mismatch,
                  "cannot pad the empty axis " + std::to_string(k) + " in this mode");
      }
    }
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    std::int64_t strides[Shape::max_rank];
    strides_of(x.shape(), strides);
    const Mode mode = mode_;
    const Shape& is = x.shape();
    // Source coordinate of output coordinate o along axis k, or -1 for the fill value.
    auto source = [&](std::size_t k, std::int64_t o) -> std::int64_t {
      const std::int64_t d = is[k];
      std::int64_t c = o - before[k];
      if (c >= 0 && c < d) return c;
      switch (mode) {
        case Mode::constant: return -1;
        case Mode::edge: return c < 0 ? 0 : d - 1;
        case Mode::wrap: return ((c % d) + d) % d;
        case Mode::reflect: {
          if (d == 1) return 0;
          const std::int64_t period = 2 * (d - 1);
          c = ((c % period) + period) % period;
          return c < d ? c : period - c;
        }
      }
      return -1;
    };
    visit_element_size(dtype_size(x.dtype()), [&](auto tag) {
      using U = decltype(tag);
      const U* src = static_cast<const U*>(x.raw_data());
      U* dst = static_cast<U*>(writable(y));
      U value;
      std::memcpy(&value, fill, sizeof value);
      const Shape& os = y.shape();
      std::int64_t index[Shape::max_rank] = {};
      for (std::int64_t e = 0, n = os.numel(); e < n; ++e) {
        std::int64_t off = 0;
        bool inside = true;
        for (std::size_t k = 0; k < rank && inside; ++k) {
          const std::int64_t c = source(k, index[k]);
          inside = c >= 0;
          off += c * strides[k];
        }
        dst[e] = inside ? src[off] : value;
        for (std::size_t k = rank; k-- > 0;) {
          if (++index[k] < os[k]) break;
          index[k] = 0;
        }
      }
    });
  }

 private:
  [[noreturn]] static void pads_mismatch(const OpInfo& info, std::size_t pads, std::size_t axes) {
    info.fail(ErrorKind::shape_mismatch,
              "pads has " + std::to_string(pads) + " entries, not 2 x " + std::to_string(axes));
  }
  bool from_attributes_;
  Mode mode_ = Mode::constant;
  std::vector<std::int64_t> pads_;
  float value_ = 0.0f;
};

// DepthToSpace (DCR or CRD) and SpaceToDepth: a reshape to 6-D, a transpose, a reshape back.
class DepthSpaceKernel final : public OpKernel {
 public:
  DepthSpaceKernel(const OpInfo& info, bool to_space)
      : to_space_(to_space), block_(info.require("blocksize", Attribute::Kind::int_).i) {
    const std::string mode = info.get_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD")
      info.fail(ErrorKind::unsupported_op, "mode '" + mode + "' is not supported");
    crd_ = mode == "CRD";
    if (block_ < 1) info.fail(ErrorKind::invalid_model, "blocksize must be positive");
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    if (x.rank() != 4)
      info.fail(ErrorKind::shape_mismatch,
                "the input must be 4-D (NCHW), not " + x.shape().to_string());
    const std::int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3],
                       b = block_;
    std::int64_t view[6];
    std::size_t perm[6];
    Shape out;
    if (to_space_) {
      if (c % (b * b) != 0)
        info.fail(ErrorKind::shape_mismatch,
                  "channels " + std::to_string(c) + " do not divide by blocksize^2");
      const std::int64_t cc = c / (b * b);
      if (crd_) {
        const std::int64_t v[6] = {n, cc, b, b, h, w};
        const std::size_t p[6] = {0, 1, 4, 2, 5, 3};
        std::copy(v, v + 6, view);
        std::copy(p, p + 6, perm);
      } else {
        const std::int64_t v[6] = {n, b, b, cc, h, w};
        const std::size_t p[6] = {0, 3, 4, 1, 5, 2};
        std::copy(v, v + 6, view);
        std::copy(p, p + 6, perm);
      }
      const std::int64_t o[4] = {n, cc, h * b, w * b};
      out = output_shape(info, o, 4);
    } else {
      if (h % b != 0 || w % b != 0)
        info.fail(ErrorKind::shape_mismatch, "height and width must divide by blocksize");
      const std::int64_t v[6] = {n, c, h / b, b, w / b, b};
      const std::size_t p[6] = {0, 3, 5, 1, 2, 4};
      std::copy(v, v + 6, view);
      std::copy(p, p + 6, perm);
      const std::int64_t o[4] = {n, c * b * b, h / b, w / b};
      out = output_shape(info, o, 4);
    }
    Tensor& y = ctx.output(0, x.dtype(), out);
    transpose_into(x.reshaped(Shape(view, 6)), perm, y);
  }

 private:
  bool to_space_;
  std::int64_t block_;
  bool crd_ = false;
};

template <class T>
bool is_nonzero(T v) {
  if constexpr (std::is_same<T, float16>::value) {
    return (v.bits & 0x7fffu) != 0;
  } else {
    return v != T(0);
  }
}

// NonZero: the coordinates of the nonzero elements, [rank, count], in row-major order.
class NonZeroKernel final : public OpKernel {
 public:
  explicit NonZeroKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* p = x.data<T>();
          const std::int64_t n = x.numel();
          std::int64_t count = 0;
          for (std::int64_t e = 0; e < n; ++e) count += is_nonzero(p[e]) ? 1 : 0;
          const std::size_t rank = x.rank();
          const std::int64_t rows =
              rank == 0 ? 1 : static_cast<std::int64_t>(rank);  // a scalar as [1]
          Tensor& y = ctx.output(0, DType::i64, Shape{rows, count});
          std::int64_t* out = y.data<std::int64_t>();
          std::int64_t index[Shape::max_rank] = {};
          std::int64_t j = 0;
          for (std::int64_t e = 0; e < n; ++e) {
            if (is_nonzero(p[e])) {
              for (std::size_t k = 0; k < rank; ++k)
                out[static_cast<std::int64_t>(k) * count + j] = index[k];
              if (rank == 0) out[j] = 0;
              ++j;
            }
            for (std::size_t k = rank; k-- > 0;) {
              if (++index[k] < x.shape()[k]) break;
              index[k] = 0;
            }
          }
        },
        AllTypes{});
  }
};

// OneHot: off_value everywhere, on_value where the new axis equals the index (negative indices
// count from depth; indices outside [-depth, depth) give a row of off_value, as the spec says).
class OneHotKernel final : public OpKernel {
 public:
  explicit OneHotKernel(const OpInfo& info) : axis_(info.get_int("axis", -1)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& indices = ctx.input(0);
    const double depth_value = read_scalar(info, ctx.input(1), "depth");
    const Tensor& values = ctx.input(2);
    if (values.numel() != 2)
      info.fail(ErrorKind::invalid_model, "values must hold [off_value, on_value]");
    if (!(depth_value >= 1 && depth_value < 1e12)) {
      info.fail(ErrorKind::invalid_argument,
                "depth " + std::to_string(depth_value) + " is not a positive count");
    }
    const auto depth = static_cast<std::int64_t>(depth_value);
    const std::size_t rank = indices.rank() + 1;
    const std::size_t axis = normalize_axis(info, axis_, rank);
    Dims out;
    out.n = rank;
    for (std::size_t k = 0, j = 0; k < rank; ++k) out[k] = k == axis ? depth : indices.shape()[j++];
    Tensor& y = ctx.output(0, values.dtype(), output_shape(info, out));
    const std::size_t e = dtype_size(values.dtype());
    const auto* off_on = static_cast<const unsigned char*>(values.raw_data());
    fill_bytes(y, off_on);
    const std::int64_t outer = span_of(indices.shape(), 0, axis);
    const std::int64_t inner = span_of(indices.shape(), axis, indices.rank());
    auto* dst = static_cast<unsigned char*>(writable(y));
    visit_dtype(
        info, indices.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* idx = indices.data<T>();
          for (std::int64_t o = 0; o < outer; ++o) {
            for (std::int64_t i = 0; i < inner; ++i) {
              const auto v = static_cast<double>(idx[o * inner + i]);
              if (!(std::fabs(v) < static_cast<double>(depth) + 1)) continue;  // also NaN
              auto k = static_cast<std::int64_t>(v);
              if (k < 0) k += depth;
              if (k < 0 || k >= depth) continue;
              std::memcpy(dst + ((o * depth + k) * inner + i) * static_cast<std::int64_t>(e),
                          off_on + e, e);
            }
          }
        },
        NumericTypes{});
  }

 private:
  std::int64_t axis_;
};

// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of each matrix; zeros elsewhere.
class TriluKernel final : public OpKernel {
 public:
  explicit TriluKernel(const OpInfo& info) : upper_(info.get_int("upper", 1) != 0) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2)
      info.fail(ErrorKind::shape_mismatch,
                "the input must have rank 2 or more, not " + x.shape().to_string());
    std::int64_t k = 0;
    if (ctx.input_count() > 1 && ctx.has_input(1)) {
      const Tensor& kt = ctx.input(1);
      if (kt.dtype() != DType::i64 || kt.numel() != 1)
        info.fail(ErrorKind::invalid_model, "k must be one int64");
      k = *kt.data<std::int64_t>();
    }
    const std::int64_t rows_cols = x.shape()[x.rank() - 2] + x.shape()[x.rank() - 1];
    k = std::min(std::max(k, -rows_cols), rows_cols);  // beyond this every k gives the same
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const std::int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
    const std::int64_t mats = span_of(x.shape(), 0, x.rank() - 2);
    const std::size_t e = dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    for (std::int64_t m = 0; m < mats; ++m) {
      for (std::int64_t i = 0; i < rows; ++i) {
        const std::int64_t row = (m * rows + i) * cols;
        // Kept columns: [max(0, i + k), cols) for upper, [0, min(cols, i + k + 1)) for lower.
        const std::int64_t lo = upper_ ? std::min(std::max(i + k, std::int64_t(0)), cols) : 0;
        const std::int64_t hi =
            upper_ ? cols : std::min(std::max(i + k + 1, std::int64_t(0)), cols);
        std::memset(dst + row * static_cast<std::int64_t>(e), 0,
                    static_cast<std::size_t>(cols) * e);
        if (hi > lo) {
          std::memcpy(dst + (row + lo) * static_cast<std::int64_t>(e),
                      src + (row + lo) * static_cast<std::int64_t>(e),
                      static_cast<std::size_t>(hi - lo) * e);
        }
      }
    }
  }

 private:
  bool upper_;
};

// ReverseSequence: for each batch b the first sequence_lens[b] steps along the time axis are
// reversed; the rest are copied.
class ReverseSequenceKernel final : public OpKernel {
 public:
  explicit ReverseSequenceKernel(const OpInfo& info)
      : batch_axis_(info.get_int("batch_axis", 1)), time_axis_(info.get_int("time_axis", 0)) {
    if (!((batch_axis_ == 0 && time_axis_ == 1) || (batch_axis_ == 1 && time_axis_ == 0))) {
      info.fail(ErrorKind::invalid_model, "batch_axis and time_axis must be 0 and 1 in some order");
    }
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    if (x.rank() < 2) info.fail(ErrorKind::shape_mismatch, "the input must have rank 2 or more");
    const std::int64_t batch = x.shape()[static_cast<std::size_t>(batch_axis_)];
    const std::int64_t steps = x.shape()[static_cast<std::size_t>(time_axis_)];
    if (lens.rank() != 1 || lens.numel() != batch) {
      info.fail(ErrorKind::shape_mismatch, "sequence_lens of shape " + lens.shape().to_string() +
                                               " does not match the batch size " +
                                               std::to_string(batch));
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const std::size_t block =
        static_cast<std::size_t>(span_of(x.shape(), 2, x.rank())) * dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    auto at = [&](std::int64_t t, std::int64_t b) {
      return static_cast<std::size_t>(time_axis_ == 0 ? t * batch + b : b * steps + t) * block;
    };
    visit_indices(info, lens, "sequence_lens", [&](const auto* len) {
      for (std::int64_t b = 0; b < batch; ++b) {
        if (len[b] < 0 || len[b] > steps) {
          info.fail(ErrorKind::invalid_argument, "sequence length " + std::to_string(len[b]) +
                                                     " is outside [0, " + std::to_string(steps) +
                                                     "]");
        }
      }
      for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t t = 0; t < steps && block; ++t) {
          const std::int64_t from = t < len[b] ? len[b] - 1 - t : t;
          std::memcpy(dst + at(t, b), src + at(from, b), block);
        }
      }
    });
  }

 private:
  std::int64_t batch_axis_, time_axis_;
};

// Compress: the slices along axis (or of the flattened input) where condition is true.
class CompressKernel final : public OpKernel {
 public:
  explicit CompressKernel(const OpInfo& info)
      : has_axis_(info.has("axis")), axis_(info.get_int("axis", 0)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& input = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    if (condition.dtype() != DType::boolean || condition.rank() != 1) {
      info.fail(ErrorKind::invalid_model, "condition must be a 1-D bool tensor");
    }
    const Tensor x = has_axis_ ? input : input.reshaped(Shape{input.numel()});
    const std::size_t axis = has_axis_ ? normalize_axis(info, axis_, x.rank()) : 0;
    const std::int64_t dim = x.shape()[axis];
    const bool* c = condition.data<bool>();
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < condition.numel(); ++i) {
      if (!c[i]) continue;
      if (i >= dim) {
        info.fail(ErrorKind::shape_mismatch, "condition selects index " + std::to_string(i) +
                                                 " of an axis of size " + std::to_string(dim));
      }
      ++count;
    }
    Dims out = dims_of_shape(x.shape());
    out[axis] = count;
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    const std::int64_t outer = span_of(x.shape(), 0, axis);
    const std::size_t block =
        static_cast<std::size_t>(span_of(x.shape(), axis + 1, x.rank())) * dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    for (std::int64_t o = 0; o < outer && block; ++o) {
      for (std::int64_t i = 0; i < condition.numel(); ++i) {
        if (!c[i]) continue;
        std::memcpy(dst, src + static_cast<std::size_t>(o * dim + i) * block, block);
        dst += block;
      }
    }
  }

 private:
  bool has_axis_;
  std::int64_t axis_;
};

// Resize (opset 10: scales; 11+: roi, scales, sizes) and Upsample (7: scales attribute; 9:
// input). Interpolation is separable, so each resized axis is one pass over a double buffer;
// the sample positions and weights follow the reference in onnx/backend/test/case/node/
// resize.py (coordinate transformation, then the n nearest taps on the edge-padded axis).
class ResizeKernel final : public OpKernel {
 public:
  enum class Mode { nearest, linear, cubic };
  enum class Transform {
    half_pixel,
    asymmetric,
    align_corners,
    pytorch_half_pixel,
    tf_crop_and_resize
  };
  enum class Nearest { round_prefer_floor, round_prefer_ceil, floor, ceil };

  ResizeKernel(const OpInfo& info, bool upsample) : upsample_(upsample) {
    const std::string mode = info.get_string("mode", "nearest");
    if (mode == "nearest") {
      mode_ = Mode::nearest;
    } else if (mode == "linear" || mode == "bilinear") {
      mode_ = Mode::linear;
    } else if (mode == "cubic" && !upsample) {
      mode_ = Mode::cubic;
    } else {
      info.fail(ErrorKind::unsupported_op, "mode '" + mode + "' is not supported");
    }
    // Upsample and Resize-10 sample at x / scale and take the floor for nearest.
    const bool legacy = upsample || info.opset() < 11;
    const std::string transform =
        legacy ? "asymmetric" : info.get_string("coordinate_transformation_mode", "half_pixel");
    if (transform == "half_pixel") {
      transform_ = Transform::half_pixel;
    } else if (transform == "asymmetric") {
      transform_ = Transform::asymmetric;
    } else if (transform == "align_corners") {
      transform_ = Transform::align_corners;
    } else if (transform == "pytorch_half_pixel") {
      transform_ = Transform::pytorch_half_pixel;
    } else if (transform == "tf_crop_and_resize") {
      transform_ = Transform::tf_crop_and_resize;
    } else {
      info.fail(ErrorKind::unsupported_op,
                "coordinate_transformation_mode '" + transform + "' is not supported");
    }
    const std::string nearest =
        legacy ? "floor" : info.get_string("nearest_mode", "round_prefer_floor");
    if (nearest == "round_prefer_floor") {
      nearest_ = Nearest::round_prefer_floor;
    } else if (nearest == "round_prefer_ceil") {
      nearest_ = Nearest::round_prefer_ceil;
    } else if (nearest == "floor") {
      nearest_ = Nearest::floor;
    } else if (nearest == "ceil") {
      nearest_ = Nearest::ceil;
    } else {
      info.fail(ErrorKind::unsupported_op, "nearest_mode '" + nearest + "' is not supported");
    }
    cubic_a_ = info.get_float("cubic_coeff_a", -0.75f);
    exclude_outside_ = info.get_int("exclude_outside", 0) != 0;
    extrapolation_ = info.get_float("extrapolation_value", 0.0f);
    if (info.get_int("antialias", 0) != 0 || info.has("axes") ||
        info.get_string("keep_aspect_ratio_policy", "stretch") != "stretch") {
      info.fail(ErrorKind::unsupported_op,
                "antialias, axes and keep_aspect_ratio_policy are not supported");
    }
    if (upsample && info.opset() < 9) {
      scales_attribute_ = info.require("scales", Attribute::Kind::floats).floats;
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    const Shape& in = x.shape();
    double scale[Shape::max_rank] = {}, roi[2 * Shape::max_rank] = {};
    Dims out;
    out.n = rank;
    // Where the scales and sizes come from, by op and opset.
    const Tensor* scales = nullptr;
    const Tensor* sizes = nullptr;
    const Tensor* roi_input = nullptr;
    auto optional = [&](std::size_t i) -> const Tensor* {
      return ctx.input_count() > i && ctx.has_input(i) && ctx.input(i).numel() > 0 ? &ctx.input(i)
                                                                                   : nullptr;
    };
    if (upsample_ && info.opset() < 9) {
      if (scales_attribute_.size() != rank) scales_mismatch(info, scales_attribute_.size(), rank);
      for (std::size_t k = 0; k < rank; ++k) scale[k] = scales_attribute_[k];
    } else if (upsample_ || info.opset() < 11) {
      scales = &ctx.input(1);
    } else {
      roi_input = optional(1);
      scales = optional(2);
      sizes = optional(3);
      if ((scales == nullptr) == (sizes == nullptr)) {
        info.fail(ErrorKind::invalid_model, "exactly one of scales and sizes must be given");
      }
    }
    if (scales) {
      if (scales->dtype() != DType::f32) info.fail(ErrorKind::invalid_model, "scales must be f32");
      if (static_cast<std::size_t>(scales->numel()) != rank)
        scales_mismatch(info, static_cast<std::size_t>(scales->numel()), rank);
      for (std::size_t k = 0; k < rank; ++k) scale[k] = scales->data<float>()[k];
    }
    if (sizes) {
      const Dims d = read_dims(info, *sizes, "sizes");
      if (d.n != rank) scales_mismatch(info, d.n, rank);
      for (std::size_t k = 0; k < rank; ++k) {
        out[k] = d[k];
        scale[k] = in[k] == 0 ? 1.0 : static_cast<double>(d[k]) / static_cast<double>(in[k]);
      }
    }
    for (std::size_t k = 0; k < rank; ++k) {
      if (!(scale[k] > 0 && scale[k] < 1e9)) {
        info.fail(ErrorKind::invalid_model, "scale " + std::to_string(scale[k]) + " of axis " +
                                                std::to_string(k) + " is not positive");
      }
      if (!sizes) out[k] = static_cast<std::int64_t>(scale[k] * static_cast<double>(in[k]));
    }
    for (std::size_t k = 0; k < rank; ++k) {
      roi[k] = 0;
      roi[k + rank] = 1;
    }
    if (transform_ == Transform::tf_crop_and_resize) {
      if (!roi_input || static_cast<std::size_t>(roi_input->numel()) != 2 * rank) {
        info.fail(ErrorKind::invalid_model, "tf_crop_and_resize needs a roi of 2 x rank entries");
      }
      visit_dtype(
          info, roi_input->dtype(),
          [&](auto tag) {
            using T = decltype(tag);
            for (std::size_t k = 0; k < 2 * rank; ++k) roi[k] = to_double(roi_input->data<T>()[k]);
          },
          TypeList<float, double, float16>{});
    }
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    if (y.numel() == 0) return;
    if (mode_ == Mode::nearest) {
      resize_nearest(ctx, x, scale, roi, y);
      return;
    }

    // Two buffers of doubles large enough for every intermediate shape.
    Dims cur = dims_of_shape(in);
    std::int64_t largest = x.numel();
    for (std::size_t k = 0; k < rank; ++k) {
      cur[k] = out[k];
      largest = std::max(largest, output_shape(info, cur).numel());
    }
    auto* a =
        static_cast<double*>(ctx.scratch(2 * static_cast<std::size_t>(largest) * sizeof(double)));
    double* b = a + largest;
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* p = x.data<T>();
          for (std::int64_t e = 0; e < x.numel(); ++e) a[e] = to_double(p[e]);
        },
        ResizeTypes{});
    cur = dims_of_shape(in);
    for (std::size_t k = 0; k < rank; ++k) {
      if (scale[k] == 1.0 && out[k] == in[k] && transform_ != Transform::tf_crop_and_resize)
        continue;
      resize_axis(a, b, cur, k, out[k], scale[k], roi[k], roi[k + rank]);
      cur[k] = out[k];
      std::swap(a, b);
    }
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          T* p = y.data<T>();
          for (std::int64_t e = 0; e < y.numel(); ++e) p[e] = from_double<T>(a[e]);
        },
        ResizeTypes{});
  }

 private:
  using ResizeTypes =
      TypeList<float, double, float16, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t,
               std::int32_t, std::uint32_t, std::int64_t, std::uint64_t>;
  template <class T>
  static double to_double(T v) {
    if constexpr (std::is_same<T, float16>::value) {
      return to_float(v);
    } else {
      return static_cast<double>(v);
    }
  }
  template <class T>
  static T from_double(double v) {
    if constexpr (std::is_same<T, float16>::value) {
      return to_float16(static_cast<float>(v));
    } else if constexpr (std::is_integral<T>::value) {
      const double r = std::nearbyint(v);
      const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
      const double hi = static_cast<double>(std::numeric_limits<T>::max());
      return r <= lo   ? std::numeric_limits<T>::lowest()
             : r >= hi ? std::numeric_limits<T>::max()
                       : static_cast<T>(r);
    } else {
      return static_cast<T>(v);
    }
  }
  [[noreturn]] static void scales_mismatch(const OpInfo& info, std::size_t n, std::size_t rank) {
    info.fail(ErrorKind::shape_mismatch, "scales/sizes have " + std::to_string(n) +
                                             " entries for an input of rank " +
                                             std::to_string(rank));
  }

  // The input taps and weights of output position x along one axis.
  struct Taps {
    int n = 0;
    std::int64_t index[4];
    double weight[4];
    bool extrapolate = false;
  };
  Taps taps(std::int64_t x, std::int64_t in, double scale, double roi_lo, double roi_hi) const {
    Taps t;
    const double width = scale * static_cast<double>(in);  // the reference's output_width
    const double xd = static_cast<double>(x), last = static_cast<double>(in - 1);
    double xo = 0;
    switch (transform_) {
      case Transform::align_corners: xo = width == 1 ? 0.0 : xd * last / (width - 1); break;
      case Transform::asymmetric: xo = xd / scale; break;
      case Transform::pytorch_half_pixel: xo = width == 1 ? -0.5 : (xd + 0.5) / scale - 0.5; break;
      case Transform::half_pixel: xo = (xd + 0.5) / scale - 0.5; break;
      case Transform::tf_crop_and_resize:
        xo =
            width == 1 ? (roi_hi - roi_lo) * last / 2 : xd * (roi_hi - roi_lo) * last / (width - 1);
        xo += roi_lo * last;
        if (!(xo >= 0 && xo <= last)) {  // also NaN from a NaN roi
          t.extrapolate = true;
          return t;
        }
        break;
    }
    // Far outside the input every tap clamps to the edge: keep xo where the integer cast is safe.
    xo = std::min(std::max(xo, -4.0), last + 4.0);
    // The taps start left of xo: ratio in (0, 1].
    const double f = std::floor(xo);
    const bool whole = xo == f;
    const double ratio = whole ? 1.0 : xo - f;
    const std::int64_t i0 = static_cast<std::int64_t>(f) - (whole ? 1 : 0);
    switch (mode_) {
      case Mode::nearest: {
        bool right = true;
        if (!whole) {
          switch (nearest_) {
            case Nearest::round_prefer_floor: right = ratio > 0.5; break;
            case Nearest::round_prefer_ceil: right = ratio >= 0.5; break;
            case Nearest::floor: right = false; break;
            case Nearest::ceil: right = true; break;
          }
        }
        t.n = 1;
        t.index[0] = right ? i0 + 1 : i0;
        t.weight[0] = 1;
        break;
      }
      case Mode::linear:
        t.n = 2;
        t.index[0] = i0;
        t.index[1] = i0 + 1;
        t.weight[0] = 1 - ratio;
        t.weight[1] = ratio;
        break;
      case Mode::cubic: {
        const double A = cubic_a_, r = ratio, s = 1 - ratio;
        t.n = 4;
        for (int j = 0; j < 4; ++j) t.index[j] = i0 - 1 + j;
        t.weight[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
        t.weight[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
        t.weight[2] = ((A + 2) * s - (A + 3)) * s * s + 1;
        t.weight[3] = ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A;
        break;
      }
    }
    if (exclude_outside_ && mode_ != Mode::nearest) {
      double sum = 0;
      for (int j = 0; j < t.n; ++j) {
        if (t.index[j] < 0 || t.index[j] >= in) t.weight[j] = 0;
        sum += t.weight[j];
      }
      for (int j = 0; j < t.n; ++j) t.weight[j] /= sum;
    }
    for (int j = 0; j < t.n; ++j)
      t.index[j] = std::min(std::max(t.index[j], std::int64_t(0)), in - 1);
    return t;
  }

  // Nearest needs no arithmetic on the elements: a source index per output position and axis
  // (-1 for the extrapolation value), then a byte copy of each element.
  void resize_nearest(OpContext& ctx, const Tensor& x, const double* scale, const double* roi,
                      Tensor& y) const {
    const std::size_t rank = x.rank();
    const Shape& in = x.shape();
    const Shape& out = y.shape();
    std::int64_t total = 0;
    for (std::size_t k = 0; k < rank; ++k) total += out[k];
    auto* table = static_cast<std::int64_t*>(
        ctx.scratch(static_cast<std::size_t>(total) * sizeof(std::int64_t)));
    std::int64_t* axis_table[Shape::max_rank];
    std::int64_t strides[Shape::max_rank];
    strides_of(in, strides);
    for (std::size_t k = 0, at = 0; k < rank; at += static_cast<std::size_t>(out[k]), ++k) {
      axis_table[k] = table + at;
      for (std::int64_t o = 0; o < out[k]; ++o) {
        const Taps t = taps(o, in[k], scale[k], roi[k], roi[k + rank]);
        axis_table[k][o] = t.extrapolate ? -1 : t.index[0] * strides[k];
      }
    }
    unsigned char fill[8] = {};
    store_as(ctx.info(), x.dtype(), extrapolation_, fill);
    visit_element_size(dtype_size(x.dtype()), [&](auto tag) {
      using U = decltype(tag);
      const U* src = static_cast<const U*>(x.raw_data());
      U* dst = static_cast<U*>(writable(y));
      U value;
      std::memcpy(&value, fill, sizeof value);
      std::int64_t index[Shape::max_rank] = {};
      for (std::int64_t e = 0, n = out.numel(); e < n; ++e) {
        std::int64_t off = 0;
        bool inside = true;
        for (std::size_t k = 0; k < rank && inside; ++k) {
          const std::int64_t o = axis_table[k][index[k]];
          inside = o >= 0;
          off += o;
        }
        dst[e] = inside ? src[off] : value;
        for (std::size_t k = rank; k-- > 0;) {
          if (++index[k] < out[k]) break;
          index[k] = 0;
        }
      }
    });
  }

  // dst = src (shape `shape`) resized along `axis` to `out` positions.
  void resize_axis(const double* src, double* dst, const Dims& shape, std::size_t axis,
                   std::int64_t out, double scale, double roi_lo, double roi_hi) const {
    std::int64_t outer = 1, inner = 1;
    for (std::size_t k = 0; k < axis; ++k) outer *= shape[k];
    for (std::size_t k = axis + 1; k < shape.n; ++k) inner *= shape[k];
    const std::int64_t in = shape[axis];
    for (std::int64_t x = 0; x < out; ++x) {
      const Taps t = taps(x, in, scale, roi_lo, roi_hi);
      for (std::int64_t o = 0; o < outer; ++o) {
        double* d = dst + (o * out + x) * inner;
        if (t.extrapolate) {
          std::fill(d, d + inner, static_cast<double>(extrapolation_));
          continue;
        }
        const double* s = src + o * in * inner;
        for (std::int64_t i = 0; i < inner; ++i) {
          double acc = 0;
          for (int j = 0; j < t.n; ++j) acc += t.weight[j] * s[t.index[j] * inner + i];
          d[i] = acc;
        }
      }
    }
  }

  bool upsample_;
  Mode mode_ = Mode::nearest;
  Transform transform_ = Transform::half_pixel;
  Nearest nearest_ = Nearest::round_prefer_floor;
  float cubic_a_ = -0.75f, extrapolation_ = 0.0f;
  bool exclude_outside_ = false;
  std::vector<float> scales_attribute_;
};

inline void register_movement_ops(OpSet& ops) {
  ops.add("", "Transpose", 1, factory<TransposeKernel>());
  ops.add("", "Concat", 4, factory<ConcatKernel>());
  ops.add("", "Split", 2, factory<SplitKernel>());
  ops.add("", "Slice", 1, factory<SliceKernel>());
  ops.add("", "Gather", 1, factory<GatherKernel>());
  ops.add("", "GatherElements", 11, factory<GatherElementsKernel>());
  ops.add("", "GatherND", 11, factory<GatherNDKernel>());
  ops.add("", "ScatterND", 11, factory<ScatterNDKernel>());
  ops.add("", "ScatterElements", 11, factory<ScatterElementsKernel>());
  ops.add("", "Scatter", 9, factory<ScatterElementsKernel>());
  ops.add("", "Tile", 6, factory<TileKernel>());
  ops.add("", "Pad", 2, factory<PadKernel>());
  ops.add("", "DepthToSpace", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<DepthSpaceKernel>(info, true);
  });
  ops.add("", "SpaceToDepth", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<DepthSpaceKernel>(info, false);
  });
  ops.add("", "NonZero", 9, factory<NonZeroKernel>());
  ops.add("", "OneHot", 9, factory<OneHotKernel>());
  ops.add("", "Trilu", 14, factory<TriluKernel>());
  ops.add("", "ReverseSequence", 10, factory<ReverseSequenceKernel>());
  ops.add("", "Compress", 9, factory<CompressKernel>());
  ops.add("", "Resize", 10, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<ResizeKernel>(info, false);
  });
  ops.add("", "Upsample", 7, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<ResizeKernel>(info, true);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_MOVEMENT_HPP
