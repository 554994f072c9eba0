// Data movement: Transpose, Concat, Split, Slice, Tile, Pad, DepthToSpace, SpaceToDepth.
// Elements move as bytes (one body per element size); indices may count from the end and
// out-of-range ones are an Error. Gather/Scatter: gather_scatter.hpp; NonZero, OneHot, Trilu,
// ReverseSequence, Compress: selection.hpp; Resize/Upsample: resize.hpp.
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
    mode_ = enum_attribute<Mode>(info, "mode", "constant",
                                 {{"constant", Mode::constant},
                                  {"reflect", Mode::reflect},
                                  {"edge", Mode::edge},
                                  {"wrap", Mode::wrap}});
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
    crd_ = enum_attribute<bool>(info, "mode", "DCR", {{"DCR", false}, {"CRD", true}});
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

inline void register_movement_ops(OpSet& ops) {
  ops.add("", "Transpose", 1, factory<TransposeKernel>());
  ops.add("", "Concat", 4, factory<ConcatKernel>());
  ops.add("", "Split", 2, factory<SplitKernel>());
  ops.add("", "Slice", 1, factory<SliceKernel>());
  ops.add("", "Tile", 6, factory<TileKernel>());
  ops.add("", "Pad", 2, factory<PadKernel>());
  ops.add("", "DepthToSpace", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<DepthSpaceKernel>(info, true);
  });
  ops.add("", "SpaceToDepth", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<DepthSpaceKernel>(info, false);
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_MOVEMENT_HPP
