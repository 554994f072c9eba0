// Operators that produce or reshape data without arithmetic: Identity, Constant, Reshape,
// Flatten, Shape. Implementation-only.
#ifndef INLAY_GRAPH_OPS_SHAPE_HPP
#define INLAY_GRAPH_OPS_SHAPE_HPP

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Identity, and Dropout at inference (the mask output, when asked for, is all true).
class IdentityKernel final : public OpKernel {
 public:
  explicit IdentityKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // Dropout in training mode draws a random mask: inlay runs inference only.
    if (ctx.input_count() > 2 && ctx.has_input(2) && read_scalar(ctx.info(), ctx.input(2), "training_mode") != 0) {
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
      if (a->kind != Attribute::Kind::tensor) info.fail(ErrorKind::invalid_model, "'value' must be a tensor");
      value_ = a->t;
    } else if (const Attribute* a = info.find("value_float")) {
      value_ = Tensor(DType::f32, Shape{});
      *value_.data<float>() = info.get_float("value_float", 0.0f);
      (void)a;
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
    } else {
      info.fail(ErrorKind::unsupported_op,
                "needs a 'value', 'value_float(s)' or 'value_int(s)' attribute (sparse and string "
                "constants are not supported)");
    }
  }
  void run(OpContext& ctx) const override { copy_to_output(ctx, 0, value_, value_.shape()); }

 private:
  Tensor value_;
};

inline void register_shape_ops(OpSet& ops) {
  ops.add("", "Identity", 1, factory<IdentityKernel>());
  ops.add("", "Dropout", 1, factory<IdentityKernel>());
  ops.add("", "Constant", 1, factory<ConstantKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SHAPE_HPP
