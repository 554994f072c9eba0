// Operators that produce data or change only its shape, without arithmetic: Identity, Dropout,
// Constant, Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, ConstantOfShape, Range, EyeLike,
// Expand. Also the helpers for ops that move elements as bytes (movement.hpp uses them).
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_SHAPE_HPP
#define INLAY_GRAPH_OPS_SHAPE_HPP

#include <cmath>
#include <type_traits>

#include "inlay/graph/ops/common.hpp"
#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// ---- Helpers for byte-moving ops ------------------------------------------------------------

// Up to Shape::max_rank integers without heap memory (run() must not allocate once planned).
struct Dims {
  std::int64_t v[Shape::max_rank] = {};
  std::size_t n = 0;
  std::int64_t& operator[](std::size_t i) { return v[i]; }
  std::int64_t operator[](std::size_t i) const { return v[i]; }
};

inline Dims dims_of_shape(const Shape& s) {
  Dims d;
  d.n = s.rank();
  for (std::size_t i = 0; i < d.n; ++i) d[i] = s[i];
  return d;
}

// The elements of a 0-D or 1-D int64/int32 tensor with at most Shape::max_rank of them (a
// shape, axes, starts ...); an Error naming the node otherwise.
inline Dims read_dims(const OpInfo& info, const Tensor& t, const char* what) {
  if (t.rank() > 1) {
    info.fail(
        ErrorKind::invalid_model,
        std::string(what) + " must be a scalar or 1-D, not of shape " + t.shape().to_string());
  }
  if (t.numel() > static_cast<std::int64_t>(Shape::max_rank)) {
    info.fail(ErrorKind::unsupported_op, std::string(what) + " has " + std::to_string(t.numel()) +
                                             " entries, above inlay's maximum rank " +
                                             std::to_string(Shape::max_rank));
  }
  Dims d;
  d.n = static_cast<std::size_t>(t.numel());
  if (t.dtype() == DType::i64) {
    for (std::size_t i = 0; i < d.n; ++i) d[i] = t.data<std::int64_t>()[i];
  } else if (t.dtype() == DType::i32) {
    for (std::size_t i = 0; i < d.n; ++i) d[i] = t.data<std::int32_t>()[i];
  } else {
    info.fail(ErrorKind::invalid_model,
              std::string(what) + " must be int64 or int32, not " + dtype_name(t.dtype()));
  }
  return d;
}

// The same for an ints attribute.
inline Dims dims_of_attribute(const OpInfo& info, const std::vector<std::int64_t>& v,
                              const char* what) {
  if (v.size() > Shape::max_rank) {
    info.fail(ErrorKind::unsupported_op, std::string(what) + " has " + std::to_string(v.size()) +
                                             " entries, above inlay's maximum rank " +
                                             std::to_string(Shape::max_rank));
  }
  Dims d;
  d.n = v.size();
  for (std::size_t i = 0; i < d.n; ++i) d[i] = v[i];
  return d;
}

// The shape of an output computed from data; an Error naming the node when a dimension is
// negative, the rank is above inlay's maximum or the element count overflows.
inline Shape output_shape(const OpInfo& info, const std::int64_t* dims, std::size_t rank) {
  if (rank > Shape::max_rank) {
    info.fail(ErrorKind::unsupported_op, "the output would have rank " + std::to_string(rank) +
                                             ", above inlay's maximum " +
                                             std::to_string(Shape::max_rank));
  }
  std::int64_t n = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    if (dims[i] < 0) {
      info.fail(ErrorKind::shape_mismatch, "output dimension " + std::to_string(i) +
                                               " would be negative (" + std::to_string(dims[i]) +
                                               ")");
    }
    if (dims[i] != 0 && n > (INT64_MAX / 8) / dims[i]) {
      info.fail(ErrorKind::shape_mismatch, "the output would have too many elements");
    }
    n *= dims[i];
  }
  return Shape(dims, rank);
}
inline Shape output_shape(const OpInfo& info, const Dims& d) {
  return output_shape(info, d.v, d.n);
}

inline void* writable(Tensor& t) { return const_cast<void*>(t.raw_data()); }

// Calls f(U{}) with an unsigned integer type of `size` bytes: ops that only move elements are
// written once per element size.
template <class F>
void visit_element_size(std::size_t size, F&& f) {
  switch (size) {
    case 1: f(std::uint8_t{}); return;
    case 2: f(std::uint16_t{}); return;
    case 4: f(std::uint32_t{}); return;
    default: f(std::uint64_t{}); return;
  }
}

// Calls f(p) with the typed pointer of an int32/int64 indices tensor.
template <class F>
void visit_indices(const OpInfo& info, const Tensor& t, const char* what, F&& f) {
  if (t.dtype() == DType::i64) {
    f(t.data<std::int64_t>());
  } else if (t.dtype() == DType::i32) {
    f(t.data<std::int32_t>());
  } else {
    info.fail(ErrorKind::invalid_model,
              std::string(what) + " must be int64 or int32, not " + dtype_name(t.dtype()));
  }
}

// An index in [-dim, dim) as a position in [0, dim); an Error naming the node otherwise (never
// an out-of-bounds read).
inline std::int64_t checked_index(const OpInfo& info, std::int64_t index, std::int64_t dim,
                                  const char* what) {
  if (index < -dim || index >= dim) {
    info.fail(ErrorKind::invalid_argument, std::string(what) + " " + std::to_string(index) +
                                               " is out of range for a dimension of size " +
                                               std::to_string(dim));
  }
  return index < 0 ? index + dim : index;
}

// Row-major element strides of a shape.
inline void strides_of(const Shape& s, std::int64_t* strides) {
  std::int64_t st = 1;
  for (std::size_t k = s.rank(); k-- > 0;) {
    strides[k] = st;
    st *= s[k];
  }
}

// dst[e] = src[offset + sum_k index_k * strides[k]] for every element e of `out` in row-major
// order; strides may be 0 (broadcast) or negative (reversed).
template <class T>
void strided_copy(const T* src, std::int64_t offset, const std::int64_t* strides, const Shape& out,
                  T* dst) {
  const std::size_t rank = out.rank();
  const std::int64_t n = out.numel();
  if (n == 0) return;
  if (rank == 0) {
    dst[0] = src[offset];
    return;
  }
  const std::int64_t inner = out[rank - 1], inner_stride = strides[rank - 1];
  std::int64_t index[Shape::max_rank] = {};
  std::int64_t off = offset;
  for (std::int64_t e = 0; e < n; e += inner) {
    const T* s = src + off;
    if (inner_stride == 1) {
      std::memcpy(dst + e, s, static_cast<std::size_t>(inner) * sizeof(T));
    } else {
      for (std::int64_t j = 0; j < inner; ++j) dst[e + j] = s[j * inner_stride];
    }
    for (std::size_t k = rank - 1; k-- > 0;) {  // odometer over the outer dims
      ++index[k];
      off += strides[k];
      if (index[k] < out[k]) break;
      off -= strides[k] * out[k];
      index[k] = 0;
    }
  }
}

// The strided copy for any dtype (by element size).
inline void strided_copy_bytes(const Tensor& src, std::int64_t offset, const std::int64_t* strides,
                               Tensor& dst) {
  visit_element_size(dtype_size(src.dtype()), [&](auto tag) {
    using U = decltype(tag);
    strided_copy(static_cast<const U*>(src.raw_data()), offset, strides, dst.shape(),
                 static_cast<U*>(writable(dst)));
  });
}

// Stores `value` converted to `dtype` at dst (for fill values given as a float attribute).
inline void store_as(const OpInfo& info, DType dtype, double value, void* dst) {
  visit_dtype(
      info, dtype,
      [&](auto tag) {
        using T = decltype(tag);
        T v;
        if constexpr (is_half_v<T>) {
          v = to_half<T>(static_cast<float>(value));
        } else if constexpr (std::is_same<T, bool>::value) {
          v = value != 0;
        } else {
          v = static_cast<T>(value);
        }
        std::memcpy(dst, &v, sizeof v);
      },
      AllTypes{});
}

// Fills `t` with copies of the element at `value` (dtype_size(t.dtype()) bytes).
inline void fill_bytes(Tensor& t, const void* value) {
  visit_element_size(dtype_size(t.dtype()), [&](auto tag) {
    using U = decltype(tag);
    U v;
    std::memcpy(&v, value, sizeof v);
    U* p = static_cast<U*>(writable(t));
    std::fill(p, p + t.numel(), v);
  });
}

// ---- Operators ------------------------------------------------------------------------------

// Identity, and Dropout at inference (the mask output, when asked for, is all true).
class IdentityKernel final : public OpKernel {
 public:
  explicit IdentityKernel(const OpInfo&) {}
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    if (ctx.input_is_container(0)) {  // Identity of a sequence or optional (opset 14+, 16+)
      if (ctx.info().op_type() != "Identity")
        ctx.fail(ErrorKind::invalid_model, "input 0 is a sequence or optional, not a tensor");
      ctx.set_output_container(0, ctx.input_any(0).container);
      return;
    }
    const Tensor& x = ctx.input(0);
    // Dropout in training mode draws a random mask (inlay runs inference only), unless the
    // ratio is 0.
    if (ctx.input_count() > 2 && ctx.has_input(2) &&
        read_scalar(ctx.info(), ctx.input(2), "training_mode") != 0) {
      const double ratio = ctx.has_input(1) ? read_scalar(ctx.info(), ctx.input(1), "ratio") : 0.5;
      if (ratio != 0)
        ctx.fail(ErrorKind::unsupported_op, "training mode (random dropout) is not supported");
    }
    copy_to_output(ctx, 0, x, x.shape());
    if (ctx.output_count() > 1 && ctx.has_output(1)) {
      Tensor& mask = ctx.output(1, DType::boolean, x.shape());
      if (mask.nbytes()) std::memset(mask.data<bool>(), 1, mask.nbytes());
    }
  }
};

// Constant: the value attribute (or value_float(s) / value_int(s)) as the output.
class ConstantKernel final : public OpKernel {
 public:
  explicit ConstantKernel(const OpInfo& info) {
    if (const Attribute* a = info.find("value")) {
      if (a->kind != Attribute::Kind::tensor)
        info.fail(ErrorKind::invalid_model, "'value' must be a tensor");
      value_ = a->t;
    } else if (info.has("value_float")) {
      value_ = Tensor(DType::f32, Shape{});
      *value_.data<float>() = info.get_float("value_float", 0.0f);
    } else if (info.has("value_floats")) {
      const auto v = info.get_floats("value_floats");
      value_ = Tensor(DType::f32, Shape{static_cast<std::int64_t>(v.size())});
      if (!v.empty()) std::memcpy(value_.data<float>(), v.data(), v.size() * 4);
    } else if (info.has("value_int")) {
      value_ = Tensor(DType::i64, Shape{});
      *value_.data<std::int64_t>() = info.get_int("value_int", 0);
    } else if (info.has("value_ints")) {
      const auto v = info.get_ints("value_ints");
      value_ = Tensor(DType::i64, Shape{static_cast<std::int64_t>(v.size())});
      if (!v.empty()) std::memcpy(value_.data<std::int64_t>(), v.data(), v.size() * 8);
    } else if (info.has("value_string")) {
      value_ = Tensor(DType::string, Shape{});
      *value_.data<std::string>() = info.get_string("value_string", "");
    } else if (info.has("value_strings")) {
      const auto v = info.get_strings("value_strings");
      value_ = Tensor(DType::string, Shape{static_cast<std::int64_t>(v.size())});
      std::copy(v.begin(), v.end(), value_.data<std::string>());
    } else {
      info.fail(ErrorKind::unsupported_op,
                "needs a 'value', 'value_float(s)', 'value_int(s)' or 'value_string(s)' attribute "
                "(sparse constants are not supported)");
    }
  }
  void run(OpContext& ctx) const override { copy_to_output(ctx, 0, value_, value_.shape()); }

 private:
  Tensor value_;
};

// Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred.
class ReshapeKernel final : public OpKernel {
 public:
  explicit ReshapeKernel(const OpInfo& info) : allowzero_(info.get_int("allowzero", 0) != 0) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    Dims d = read_dims(info, ctx.input(1), "shape");
    std::size_t inferred = d.n;
    std::int64_t known = 1;
    for (std::size_t i = 0; i < d.n; ++i) {
      if (d[i] == 0 && !allowzero_) {
        if (i >= x.rank()) {
          info.fail(ErrorKind::shape_mismatch,
                    "shape entry " + std::to_string(i) + " is 0 (copy) but the input " +
                        x.shape().to_string() + " has no such dimension");
        }
        d[i] = x.shape()[i];
      }
      if (d[i] == -1) {
        if (inferred != d.n) info.fail(ErrorKind::invalid_model, "shape has more than one -1");
        inferred = i;
        continue;
      }
      if (d[i] < 0) {
        info.fail(ErrorKind::invalid_model,
                  "shape entry " + std::to_string(i) + " is " + std::to_string(d[i]));
      }
      if (d[i] != 0 && known > (INT64_MAX / 8) / d[i]) {
        info.fail(ErrorKind::shape_mismatch, "shape has too many elements");
      }
      known *= d[i];
    }
    if (inferred != d.n) {
      if (known == 0 || x.numel() % known != 0) {
        info.fail(ErrorKind::shape_mismatch,
                  "cannot infer the -1 of the shape: " + std::to_string(x.numel()) +
                      " elements do not divide into pieces of " + std::to_string(known));
      }
      d[inferred] = x.numel() / known;
    }
    const Shape shape = output_shape(info, d);
    if (shape.numel() != x.numel()) {
      info.fail(ErrorKind::shape_mismatch, "cannot reshape " + x.shape().to_string() + " (" +
                                               std::to_string(x.numel()) + " elements) to " +
                                               shape.to_string());
    }
    copy_to_output(ctx, 0, x, shape);
  }

 private:
  bool allowzero_;
};

// Flatten: [d0 .. d(axis-1)] and [d(axis) ..] each become one dimension.
class FlattenKernel final : public OpKernel {
 public:
  explicit FlattenKernel(const OpInfo& info) : axis_(info.get_int("axis", 1)) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const auto r = static_cast<std::int64_t>(x.rank());
    if (axis_ < -r || axis_ > r) {
      ctx.fail(ErrorKind::invalid_model,
               "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    }
    const std::size_t axis = static_cast<std::size_t>(axis_ < 0 ? axis_ + r : axis_);
    std::int64_t outer = 1;
    for (std::size_t i = 0; i < axis; ++i) outer *= x.shape()[i];
    std::int64_t inner = 1;
    for (std::size_t i = axis; i < x.rank(); ++i) inner *= x.shape()[i];
    copy_to_output(ctx, 0, x, Shape{outer, inner});
  }

 private:
  std::int64_t axis_;
};

// The axes of Squeeze/Unsqueeze: the attribute before opset 13, the input from 13.
inline bool axes_of(const OpContext& ctx, const std::vector<std::int64_t>& attribute,
                    bool from_attribute, Dims& axes) {
  if (from_attribute) {
    axes = dims_of_attribute(ctx.info(), attribute, "axes");
    return ctx.info().has("axes");
  }
  if (ctx.input_count() < 2 || !ctx.has_input(1)) return false;
  axes = read_dims(ctx.info(), ctx.input(1), "axes");
  return true;
}

// Squeeze: removes the given dimensions of size 1, or all of them when no axes are given.
class SqueezeKernel final : public OpKernel {
 public:
  explicit SqueezeKernel(const OpInfo& info)
      : from_attribute_(info.opset() < 13), axes_(info.get_ints("axes")) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Shape& s = x.shape();
    bool drop[Shape::max_rank] = {};
    Dims axes;
    if (axes_of(ctx, axes_, from_attribute_, axes)) {
      for (std::size_t i = 0; i < axes.n; ++i) {
        const std::size_t a = normalize_axis(info, axes[i], s.rank());
        if (s[a] != 1) {
          info.fail(ErrorKind::shape_mismatch, "cannot squeeze axis " + std::to_string(axes[i]) +
                                                   " of " + s.to_string() + ": its size is not 1");
        }
        drop[a] = true;
      }
    } else {
      for (std::size_t a = 0; a < s.rank(); ++a) drop[a] = s[a] == 1;
    }
    Dims out;
    for (std::size_t a = 0; a < s.rank(); ++a) {
      if (!drop[a]) out[out.n++] = s[a];
    }
    copy_to_output(ctx, 0, x, output_shape(info, out));
  }

 private:
  bool from_attribute_;
  std::vector<std::int64_t> axes_;
};

// Unsqueeze: inserts dimensions of size 1 at the given axes of the output.
class UnsqueezeKernel final : public OpKernel {
 public:
  explicit UnsqueezeKernel(const OpInfo& info)
      : from_attribute_(info.opset() < 13), axes_(info.get_ints("axes")) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    Dims axes;
    if (!axes_of(ctx, axes_, from_attribute_, axes)) {
      info.fail(ErrorKind::invalid_model, "needs axes");
    }
    const std::size_t rank = x.rank() + axes.n;
    if (rank > Shape::max_rank) {
      info.fail(ErrorKind::unsupported_op, "the output would have rank " + std::to_string(rank) +
                                               ", above inlay's maximum " +
                                               std::to_string(Shape::max_rank));
    }
    bool insert[Shape::max_rank] = {};
    for (std::size_t i = 0; i < axes.n; ++i) {
      const std::size_t a = normalize_axis(info, axes[i], rank);
      if (insert[a])
        info.fail(ErrorKind::invalid_model, "axis " + std::to_string(axes[i]) + " is repeated");
      insert[a] = true;
    }
    Dims out;
    out.n = rank;
    for (std::size_t a = 0, j = 0; a < rank; ++a) out[a] = insert[a] ? 1 : x.shape()[j++];
    copy_to_output(ctx, 0, x, output_shape(info, out));
  }

 private:
  bool from_attribute_;
  std::vector<std::int64_t> axes_;
};

// Shape (with start/end from opset 15, clamped like Python slices).
class ShapeKernel final : public OpKernel {
 public:
  explicit ShapeKernel(const OpInfo& info)
      : start_(info.get_int("start", 0)), end_(info.get_int("end", INT64_MAX)) {}
  void run(OpContext& ctx) const override {
    const Shape& s = ctx.input(0).shape();
    const auto r = static_cast<std::int64_t>(s.rank());
    auto clamp = [r](std::int64_t i) {
      return std::min(std::max(i < 0 ? i + r : i, std::int64_t(0)), r);
    };
    const std::int64_t start = clamp(start_), end = std::max(clamp(end_), start);
    Tensor& y = ctx.output(0, DType::i64, Shape{end - start});
    for (std::int64_t i = start; i < end; ++i)
      y.data<std::int64_t>()[i - start] = s[static_cast<std::size_t>(i)];
  }

 private:
  std::int64_t start_, end_;
};

class SizeKernel final : public OpKernel {
 public:
  explicit SizeKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const std::int64_t n = ctx.input(0).numel();
    *ctx.output(0, DType::i64, Shape{}).data<std::int64_t>() = n;
  }
};

// ConstantOfShape: a tensor of the given shape filled with the one element of 'value' (f32 0
// by default).
class ConstantOfShapeKernel final : public OpKernel {
 public:
  explicit ConstantOfShapeKernel(const OpInfo& info) {
    if (const Attribute* a = info.find("value")) {
      if (a->kind != Attribute::Kind::tensor || a->t.numel() != 1) {
        info.fail(ErrorKind::invalid_model, "'value' must be a tensor of one element");
      }
      value_ = a->t;
    } else {
      value_ = Tensor(DType::f32, Shape{1});
    }
  }
  void run(OpContext& ctx) const override {
    const Tensor& shape = ctx.input(0);
    if (shape.rank() != 1) {
      ctx.fail(ErrorKind::invalid_model,
               "the shape input must be 1-D, not of shape " + shape.shape().to_string());
    }
    Tensor& y = ctx.output(0, value_.dtype(),
                           output_shape(ctx.info(), read_dims(ctx.info(), shape, "shape")));
    fill_bytes(y, value_.raw_data());
  }

 private:
  Tensor value_;
};

// Range: start, start + delta, ... while before limit; the count is
// max(ceil((limit - start) / delta), 0).
class RangeKernel final : public OpKernel {
 public:
  explicit RangeKernel(const OpInfo& info) {
    require_dtype(info, 0, "start",
                  TypeList<float, double, std::int16_t, std::int32_t, std::int64_t>{});
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& start = ctx.input(0);
    const Tensor& limit = ctx.input(1);
    const Tensor& delta = ctx.input(2);
    if (limit.dtype() != start.dtype() || delta.dtype() != start.dtype()) {
      info.fail(ErrorKind::invalid_model, "start, limit and delta must have the same dtype");
    }
    for (const Tensor* t : {&start, &limit, &delta}) {
      if (t->numel() != 1)
        info.fail(ErrorKind::invalid_model, "start, limit and delta must be scalars");
    }
    visit_dtype(
        info, start.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T s = *start.data<T>(), l = *limit.data<T>(), d = *delta.data<T>();
          if (d == T(0)) info.fail(ErrorKind::invalid_argument, "delta is 0");
          std::int64_t n;
          if constexpr (std::is_integral<T>::value) {
            const auto lo = static_cast<std::int64_t>(s), hi = static_cast<std::int64_t>(l);
            if ((lo < 0 && hi > INT64_MAX + lo) || (lo > 0 && hi < INT64_MIN + lo)) {
              info.fail(ErrorKind::invalid_argument, "the range has too many elements");
            }
            const std::int64_t span = hi - lo, step = d;
            n = span / step + ((span % step != 0) && ((span < 0) == (step < 0)) ? 1 : 0);
          } else {
            const double count = std::ceil((static_cast<double>(l) - static_cast<double>(s)) /
                                           static_cast<double>(d));
            if (!(count < 1e15)) {
              if (count > 0)
                info.fail(ErrorKind::invalid_argument, "the range has too many elements");
            }
            n = count > 0 ? static_cast<std::int64_t>(count) : 0;
          }
          n = std::max<std::int64_t>(n, 0);
          Tensor& y = ctx.output(0, start.dtype(), output_shape(info, &n, 1));
          T* p = y.data<T>();
          for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(s + static_cast<T>(i) * d);
        },
        TypeList<float, double, std::int16_t, std::int32_t, std::int64_t>{});
  }
};

// EyeLike: zeros of the input's 2-D shape with ones on diagonal k; the dtype attribute or the
// input's dtype.
class EyeLikeKernel final : public OpKernel {
 public:
  explicit EyeLikeKernel(const OpInfo& info) : k_(info.get_int("k", 0)) {
    if (info.has("dtype")) {
      has_dtype_ = true;
      if (!onnx::to_dtype(static_cast<std::int32_t>(info.get_int("dtype", 0)), dtype_)) {
        info.fail(ErrorKind::unsupported_op,
                  "dtype " + std::to_string(info.get_int("dtype", 0)) + " is not supported");
      }
    }
  }
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2)
      ctx.fail(ErrorKind::shape_mismatch, "the input must be 2-D, not " + x.shape().to_string());
    const DType dtype = has_dtype_ ? dtype_ : x.dtype();
    Tensor& y = ctx.output(0, dtype, x.shape());
    if (y.nbytes()) std::memset(writable(y), 0, y.nbytes());
    unsigned char one[8];
    store_as(ctx.info(), dtype, 1.0, one);
    const std::int64_t rows = x.shape()[0], cols = x.shape()[1];
    const std::size_t size = dtype_size(dtype);
    auto* p = static_cast<unsigned char*>(writable(y));
    for (std::int64_t i = std::max<std::int64_t>(0, -k_); i < rows && i + k_ < cols; ++i) {
      std::memcpy(p + static_cast<std::size_t>(i * cols + i + k_) * size, one, size);
    }
  }

 private:
  std::int64_t k_;
  bool has_dtype_ = false;
  DType dtype_ = DType::f32;
};

// Expand: NumPy broadcast of the input with the given shape (either may be the larger).
class ExpandKernel final : public OpKernel {
 public:
  explicit ExpandKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Shape target = output_shape(info, read_dims(info, ctx.input(1), "shape"));
    const Shape shape = broadcast(info, x.shape(), target);
    Tensor& y = ctx.output(0, x.dtype(), shape);
    std::int64_t strides[Shape::max_rank];
    broadcast_strides(x.shape(), shape, strides);
    strided_copy_bytes(x, 0, strides, y);
  }
};

inline void register_shape_ops(OpSet& ops) {
  ops.add("", "Identity", 1, factory<IdentityKernel>());
  ops.add("", "Dropout", 1, factory<IdentityKernel>());
  ops.add("", "Constant", 1, factory<ConstantKernel>());
  ops.add("", "Reshape", 5, factory<ReshapeKernel>());
  ops.add("", "Flatten", 1, factory<FlattenKernel>());
  ops.add("", "Squeeze", 1, factory<SqueezeKernel>());
  ops.add("", "Unsqueeze", 1, factory<UnsqueezeKernel>());
  ops.add("", "Shape", 1, factory<ShapeKernel>());
  ops.add("", "Size", 1, factory<SizeKernel>());
  ops.add("", "ConstantOfShape", 9, factory<ConstantOfShapeKernel>());
  ops.add("", "Range", 11, factory<RangeKernel>());
  ops.add("", "EyeLike", 9, factory<EyeLikeKernel>());
  ops.add("", "Expand", 8, factory<ExpandKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SHAPE_HPP
