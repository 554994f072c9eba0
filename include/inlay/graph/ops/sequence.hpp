// Operators on sequences and optionals (ContainerValue, docs/graph.md "Sequences and optionals"):
// SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt, SequenceErase, SequenceLength,
// SplitToSequence, ConcatFromSequence, SequenceMap, Optional, OptionalHasElement,
// OptionalGetElement. A sequence is never changed in place: each op makes a new ContainerValue
// that shares the tensors (tensors are reference-counted). Semantics: the ONNX operator spec.
#ifndef INLAY_GRAPH_OPS_SEQUENCE_HPP
#define INLAY_GRAPH_OPS_SEQUENCE_HPP

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/onnx/proto.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

namespace detail {

// Input i as a sequence: an Error naming the node and the input for a tensor or an optional.
inline const ContainerValue& input_sequence(const OpContext& ctx, std::size_t i) {
  const ContainerValue& c = ctx.input_container(i);
  if (c.kind != ContainerValue::Kind::sequence) {
    ctx.fail(ErrorKind::invalid_model,
             "input " + std::to_string(i) + " is an optional; this op needs a sequence");
  }
  return c;
}

// A tensor owned by the sequence: outputs may live in the session's arena, which the next run
// reuses, while a sequence outlives the node that made it.
inline Tensor owned(const Tensor& t) { return t.is_view() ? t.clone() : t; }

inline std::shared_ptr<ContainerValue> new_sequence(DType dtype) {
  auto s = std::make_shared<ContainerValue>();
  s->kind = ContainerValue::Kind::sequence;
  s->dtype = dtype;
  return s;
}

// A position input (a scalar int32/int64) checked against [-size, size - 1], or [-size, size]
// when `end_allowed`; returned as an index in [0, size].
inline std::size_t read_position(const OpContext& ctx, std::size_t input, std::size_t size,
                                 bool end_allowed) {
  const Tensor& t = ctx.input(input);
  // The spec says a scalar; ONNX's own test_sequence_insert_at_front passes shape [1].
  if (t.rank() > 1 || t.numel() != 1 || (t.dtype() != DType::i64 && t.dtype() != DType::i32)) {
    ctx.fail(ErrorKind::invalid_model, "the position must be one int32 or int64, not " +
                                           std::string(dtype_name(t.dtype())) + " " +
                                           t.shape().to_string());
  }
  const std::int64_t p = read_ints(ctx.info(), t, "position")[0];
  const auto n = static_cast<std::int64_t>(size);
  if (p < -n || p > (end_allowed ? n : n - 1)) {
    ctx.fail(ErrorKind::invalid_model, "position " + std::to_string(p) +
                                           " is out of range for a sequence of " +
                                           std::to_string(size) + " tensors");
  }
  return static_cast<std::size_t>(p < 0 ? p + n : p);
}

inline void check_element_dtype(const OpContext& ctx, const ContainerValue& s, const Tensor& t) {
  if (t.dtype() != s.dtype) {
    ctx.fail(ErrorKind::invalid_model, "the tensor has dtype " +
                                           std::string(dtype_name(t.dtype())) +
                                           ", the sequence holds " + dtype_name(s.dtype));
  }
}

inline void refuse_strings(const OpContext& ctx, DType dtype) {
  if (dtype == DType::string) {
    ctx.fail(ErrorKind::unsupported_op, "string tensors are not supported by this op");
  }
}

}  // namespace detail

class SequenceEmptyKernel final : public OpKernel {
 public:
  explicit SequenceEmptyKernel(const OpInfo& info) {
    const std::int64_t dt = info.get_int("dtype", 1);  // default: float
    if (!onnx::to_dtype(static_cast<std::int32_t>(dt), dtype_)) {
      info.fail(ErrorKind::unsupported_op,
                "attribute 'dtype' " + std::to_string(dt) + " is not a dtype inlay supports");
    }
  }
  void run(OpContext& ctx) const override {
    ctx.set_output_container(0, detail::new_sequence(dtype_));
  }

 private:
  DType dtype_ = DType::f32;
};

class SequenceConstructKernel final : public OpKernel {
 public:
  explicit SequenceConstructKernel(const OpInfo& info) {
    if (info.input_count() == 0) info.fail(ErrorKind::invalid_model, "needs at least one input");
  }
  bool accepts_strings() const override { return true; }  // tensors are shared, not read
  void run(OpContext& ctx) const override {
    auto s = detail::new_sequence(ctx.input(0).dtype());
    for (std::size_t i = 0; i < ctx.input_count(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != s->dtype) {
        ctx.fail(ErrorKind::invalid_model,
                 "input " + std::to_string(i) + " has dtype " + dtype_name(t.dtype()) +
                     ", input 0 " + dtype_name(s->dtype) + ": a sequence holds one dtype");
      }
      s->tensors.push_back(detail::owned(t));
    }
    ctx.set_output_container(0, std::move(s));
  }
};

class SequenceInsertKernel final : public OpKernel {
 public:
  explicit SequenceInsertKernel(const OpInfo&) {}
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    const ContainerValue& in = detail::input_sequence(ctx, 0);
    const Tensor& t = ctx.input(1);
    detail::check_element_dtype(ctx, in, t);
    const std::size_t at = ctx.has_input(2) ? detail::read_position(ctx, 2, in.tensors.size(), true)
                                            : in.tensors.size();
    auto s = std::make_shared<ContainerValue>(in);
    s->tensors.insert(s->tensors.begin() + static_cast<std::ptrdiff_t>(at), detail::owned(t));
    ctx.set_output_container(0, std::move(s));
  }
};

class SequenceAtKernel final : public OpKernel {
 public:
  explicit SequenceAtKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const ContainerValue& in = detail::input_sequence(ctx, 0);
    const Tensor& t = in.tensors[detail::read_position(ctx, 1, in.tensors.size(), false)];
    ctx.set_output_any(0, AnyValue{t, nullptr});
  }
};

class SequenceEraseKernel final : public OpKernel {
 public:
  explicit SequenceEraseKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const ContainerValue& in = detail::input_sequence(ctx, 0);
    if (in.tensors.empty()) ctx.fail(ErrorKind::invalid_model, "the sequence is empty");
    const std::size_t at = ctx.has_input(1)
                               ? detail::read_position(ctx, 1, in.tensors.size(), false)
                               : in.tensors.size() - 1;
    auto s = std::make_shared<ContainerValue>(in);
    s->tensors.erase(s->tensors.begin() + static_cast<std::ptrdiff_t>(at));
    ctx.set_output_container(0, std::move(s));
  }
};

class SequenceLengthKernel final : public OpKernel {
 public:
  explicit SequenceLengthKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const ContainerValue& in = detail::input_sequence(ctx, 0);
    *ctx.output(0, DType::i64, Shape{}).data<std::int64_t>() =
        static_cast<std::int64_t>(in.tensors.size());
  }
};

// SplitToSequence(input, split?): pieces along `axis`; without `split`, pieces of 1 (the axis
// dropped unless keepdims); a scalar split gives pieces of that size (the last may be shorter);
// a 1-D split gives the sizes, which must add up to the axis.
class SplitToSequenceKernel final : public OpKernel {
 public:
  explicit SplitToSequenceKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 0)), keepdims_(info.get_int("keepdims", 1) != 0) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    detail::refuse_strings(ctx, x.dtype());
    if (x.rank() == 0) ctx.fail(ErrorKind::invalid_model, "input 0 must have rank >= 1");
    const std::size_t axis = normalize_axis(ctx.info(), axis_, x.rank());
    const std::int64_t n = x.shape()[axis];
    std::vector<std::int64_t> sizes;
    bool drop_axis = false;
    if (!ctx.has_input(1)) {
      sizes.assign(static_cast<std::size_t>(n), 1);
      drop_axis = !keepdims_;
    } else {
      const Tensor& split = ctx.input(1);
      const std::vector<std::int64_t> v = read_ints(ctx.info(), split, "split");
      if (split.rank() == 0) {
        if (v[0] <= 0) {
          ctx.fail(ErrorKind::invalid_model, "split " + std::to_string(v[0]) + " must be > 0");
        }
        for (std::int64_t at = 0; at < n; at += v[0]) sizes.push_back(std::min(v[0], n - at));
      } else {
        std::int64_t total = 0;
        for (std::int64_t s : v) {
          if (s < 0) ctx.fail(ErrorKind::invalid_model, "split sizes must be >= 0");
          total += s;
        }
        if (total != n) {
          ctx.fail(ErrorKind::invalid_model, "split sizes add up to " + std::to_string(total) +
                                                 ", the axis has " + std::to_string(n));
        }
        sizes = v;
      }
    }
    const std::int64_t outer = span_of(x.shape(), 0, axis);
    const std::int64_t inner = span_of(x.shape(), axis + 1, x.rank());
    const std::size_t elem = dtype_size(x.dtype());
    auto seq = detail::new_sequence(x.dtype());
    std::int64_t start = 0;
    for (std::int64_t size : sizes) {
      std::vector<std::int64_t> dims = dims_of(x.shape());
      dims[axis] = size;
      if (drop_axis) dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(axis));
      Tensor piece(x.dtype(), make_shape(dims));
      const std::size_t row = static_cast<std::size_t>(size * inner) * elem;
      for (std::int64_t o = 0; o < outer && row; ++o) {
        std::memcpy(static_cast<char*>(const_cast<void*>(piece.raw_data())) +
                        static_cast<std::size_t>(o) * row,
                    static_cast<const char*>(x.raw_data()) +
                        static_cast<std::size_t>((o * n + start) * inner) * elem,
                    row);
      }
      seq->tensors.push_back(std::move(piece));
      start += size;
    }
    ctx.set_output_container(0, std::move(seq));
  }

 private:
  std::int64_t axis_;
  bool keepdims_;
};

// ConcatFromSequence: the tensors joined along `axis`, or stacked on a new axis (new_axis = 1).
class ConcatFromSequenceKernel final : public OpKernel {
 public:
  explicit ConcatFromSequenceKernel(const OpInfo& info)
      : axis_(info.require("axis", Attribute::Kind::int_).i),
        new_axis_(info.get_int("new_axis", 0)) {
    if (new_axis_ != 0 && new_axis_ != 1) {
      info.fail(ErrorKind::invalid_model,
                "attribute 'new_axis' must be 0 or 1, not " + std::to_string(new_axis_));
    }
  }
  void run(OpContext& ctx) const override {
    const ContainerValue& in = detail::input_sequence(ctx, 0);
    detail::refuse_strings(ctx, in.dtype);
    if (in.tensors.empty()) ctx.fail(ErrorKind::invalid_model, "the sequence is empty");
    const Shape& first = in.tensors[0].shape();
    const std::size_t rank = first.rank() + (new_axis_ ? 1 : 0);
    if (rank == 0) ctx.fail(ErrorKind::invalid_model, "cannot concatenate scalars");
    const std::size_t axis = normalize_axis(ctx.info(), axis_, rank);
    // Each tensor as [outer, len, inner] around the axis (len 1 for a new axis).
    std::vector<std::int64_t> dims = dims_of(first);
    if (new_axis_) dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(axis), 1);
    std::int64_t total = 0;
    for (std::size_t k = 0; k < in.tensors.size(); ++k) {
      std::vector<std::int64_t> d = dims_of(in.tensors[k].shape());
      if (new_axis_) d.insert(d.begin() + static_cast<std::ptrdiff_t>(axis), 1);
      bool ok = d.size() == dims.size();
      for (std::size_t j = 0; ok && j < d.size(); ++j) ok = j == axis || d[j] == dims[j];
      if (!ok) {
        ctx.fail(ErrorKind::shape_mismatch,
                 "tensor " + std::to_string(k) + " has shape " + in.tensors[k].shape().to_string() +
                     ", which does not fit tensor 0's " + first.to_string() + " along axis " +
                     std::to_string(axis));
      }
      total += d[axis];
    }
    const Shape dshape = make_shape(dims);
    const std::int64_t outer = span_of(dshape, 0, axis);
    const std::int64_t inner = span_of(dshape, axis + 1, dims.size());
    dims[axis] = total;
    const std::size_t elem = dtype_size(in.dtype);
    Tensor& out = ctx.output(0, in.dtype, make_shape(dims));
    char* dst = static_cast<char*>(const_cast<void*>(out.raw_data()));
    std::int64_t at = 0;
    for (const Tensor& t : in.tensors) {
      const std::int64_t len = new_axis_ ? 1 : t.shape()[axis];
      const std::size_t row = static_cast<std::size_t>(len * inner) * elem;
      for (std::int64_t o = 0; o < outer && row; ++o) {
        std::memcpy(dst + static_cast<std::size_t>((o * total + at) * inner) * elem,
                    static_cast<const char*>(t.raw_data()) + static_cast<std::size_t>(o) * row,
                    row);
      }
      at += len;
    }
  }

 private:
  std::int64_t axis_, new_axis_;
};

// SequenceMap(sequence, extra...): the body runs once per element of input 0; an extra input
// that is a sequence gives its element of the same index (same length required), a tensor is
// passed whole. Each body output is collected into an output sequence.
class SequenceMapKernel final : public OpKernel {
 public:
  explicit SequenceMapKernel(const OpInfo& info)
      : body_(*info.require("body", Attribute::Kind::graph).g) {
    if (body_.inputs.size() != info.input_count() || body_.outputs.size() != info.output_count()) {
      info.fail(ErrorKind::invalid_model,
                "the body has " + std::to_string(body_.inputs.size()) + " inputs and " +
                    std::to_string(body_.outputs.size()) + " outputs; the node " +
                    std::to_string(info.input_count()) + " and " +
                    std::to_string(info.output_count()));
    }
  }
  bool accepts_strings() const override { return true; }  // tensors are handed on, not read
  void run(OpContext& ctx) const override {
    const ContainerValue& first = detail::input_sequence(ctx, 0);
    const std::size_t n = first.tensors.size();
    for (std::size_t i = 1; i < ctx.input_count(); ++i) {
      if (ctx.input_is_container(i) && detail::input_sequence(ctx, i).tensors.size() != n) {
        ctx.fail(ErrorKind::shape_mismatch,
                 "input " + std::to_string(i) + " holds " +
                     std::to_string(detail::input_sequence(ctx, i).tensors.size()) +
                     " tensors, input 0 " + std::to_string(n));
      }
    }
    std::vector<std::shared_ptr<ContainerValue>> outs(ctx.output_count());
    for (std::size_t k = 0; k < n; ++k) {
      std::vector<AnyValue> in;
      for (std::size_t i = 0; i < ctx.input_count(); ++i) {
        in.push_back(ctx.input_is_container(i)
                         ? AnyValue{detail::input_sequence(ctx, i).tensors[k], nullptr}
                         : AnyValue{detail::owned(ctx.input(i)), nullptr});
      }
      const std::vector<AnyValue> out = ctx.run_subgraph_any(body_, in);
      for (std::size_t j = 0; j < out.size(); ++j) {
        if (!out[j].is_tensor()) {
          ctx.fail(ErrorKind::unsupported_op,
                   "body output " + std::to_string(j) + " is a sequence or optional");
        }
        if (!outs[j]) outs[j] = detail::new_sequence(out[j].tensor.dtype());
        detail::check_element_dtype(ctx, *outs[j], out[j].tensor);
        outs[j]->tensors.push_back(out[j].tensor);
      }
    }
    for (std::size_t j = 0; j < outs.size(); ++j) {
      if (!outs[j]) {  // no element: the body's declared dtype, else f32
        const Value& v = body_.values[body_.outputs[j]];
        outs[j] = detail::new_sequence(v.has_dtype ? v.dtype : DType::f32);
      }
      ctx.set_output_container(j, std::move(outs[j]));
    }
  }

 private:
  const Graph& body_;
};

// Optional(input?): holds the input, or is empty when there is none (the 'type' attribute, the
// type of an empty optional, is not kept: an empty optional needs none at run time).
class OptionalKernel final : public OpKernel {
 public:
  explicit OptionalKernel(const OpInfo&) {}
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    auto o = std::make_shared<ContainerValue>();
    o->kind = ContainerValue::Kind::optional;
    if (ctx.has_input(0)) {
      const AnyValue v = ctx.input_any(0);
      o->has_value = true;
      if (v.is_tensor()) {
        o->dtype = v.tensor.dtype();
        o->tensors.push_back(detail::owned(v.tensor));
      } else {
        if (v.container->kind != ContainerValue::Kind::sequence) {
          ctx.fail(ErrorKind::invalid_model, "input 0 is an optional: optionals do not nest");
        }
        o->dtype = v.container->dtype;
        o->holds_sequence = true;
        o->tensors = v.container->tensors;
      }
    }
    ctx.set_output_container(0, std::move(o));
  }
};

// OptionalHasElement: false for an empty optional (or, opset 18, an omitted input); true for a
// full one (and, opset 18, a tensor or sequence).
class OptionalHasElementKernel final : public OpKernel {
 public:
  explicit OptionalHasElementKernel(const OpInfo&) {}
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    bool has = false;
    if (ctx.has_input(0)) {
      if (ctx.input_is_container(0)) {
        const ContainerValue& c = ctx.input_container(0);
        has = c.kind == ContainerValue::Kind::sequence || c.has_value;
        if (c.kind == ContainerValue::Kind::sequence && ctx.info().opset() < 18) {
          ctx.fail(ErrorKind::invalid_model, "input 0 is a sequence; this op needs an optional");
        }
      } else {
        if (ctx.info().opset() < 18) {
          ctx.fail(ErrorKind::invalid_model, "input 0 is a tensor; this op needs an optional");
        }
        ctx.input(0);
        has = true;
      }
    }
    *ctx.output(0, DType::boolean, Shape{}).data<bool>() = has;
  }
};

// OptionalGetElement: the value inside (an Error for an empty optional); opset 18 also passes a
// tensor or a sequence through.
class OptionalGetElementKernel final : public OpKernel {
 public:
  explicit OptionalGetElementKernel(const OpInfo&) {}
  bool accepts_strings() const override { return true; }
  void run(OpContext& ctx) const override {
    if (!ctx.input_is_container(0) ||
        ctx.input_container(0).kind == ContainerValue::Kind::sequence) {
      if (ctx.info().opset() < 18) ctx.input_container(0);  // the error: not an optional
      if (!ctx.input_is_container(0)) {
        ctx.set_output_any(0, AnyValue{ctx.input(0), nullptr});
      } else {
        ctx.set_output_container(0, ctx.input_any(0).container);
      }
      return;
    }
    if (ctx.input_container(0).kind != ContainerValue::Kind::optional) {
      ctx.fail(ErrorKind::invalid_model, "input 0 must be an optional");
    }
    const ContainerValue& o = ctx.input_container(0);
    if (!o.has_value) ctx.fail(ErrorKind::invalid_model, "input 0 is an empty optional");
    if (!o.holds_sequence) {
      ctx.set_output_any(0, AnyValue{o.tensors[0], nullptr});
      return;
    }
    auto s = detail::new_sequence(o.dtype);
    s->tensors = o.tensors;
    ctx.set_output_container(0, std::move(s));
  }
};

inline void register_sequence_ops(OpSet& ops) {
  ops.add("", "SequenceEmpty", 11, factory<SequenceEmptyKernel>());
  ops.add("", "SequenceConstruct", 11, factory<SequenceConstructKernel>());
  ops.add("", "SequenceInsert", 11, factory<SequenceInsertKernel>());
  ops.add("", "SequenceAt", 11, factory<SequenceAtKernel>());
  ops.add("", "SequenceErase", 11, factory<SequenceEraseKernel>());
  ops.add("", "SequenceLength", 11, factory<SequenceLengthKernel>());
  ops.add("", "SplitToSequence", 11, factory<SplitToSequenceKernel>());
  ops.add("", "ConcatFromSequence", 11, factory<ConcatFromSequenceKernel>());
  ops.add("", "SequenceMap", 17, factory<SequenceMapKernel>());
  ops.add("", "Optional", 15, factory<OptionalKernel>());
  ops.add("", "OptionalHasElement", 15, factory<OptionalHasElementKernel>());
  ops.add("", "OptionalGetElement", 15, factory<OptionalGetElementKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SEQUENCE_HPP
