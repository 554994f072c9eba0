// ONNX export of the typed layers through onnx::GraphWriter.
#ifndef INLAY_NN_IMPL_EXPORT_HPP
#define INLAY_NN_IMPL_EXPORT_HPP

#include <cstring>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/onnx/writer.hpp"
#include "inlay/data/pipeline.hpp"
#include "inlay/nn/activation.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/dropout.hpp"
#include "inlay/nn/fit.hpp"
#include "inlay/nn/reshape.hpp"
#include "inlay/nn/sequential.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
// An f32 initializer holding a copy of `values` with the given dims; returns its name.
std::string add_constant(ExportContext& ctx, const char* prefix, const float* values,
                         const std::vector<std::int64_t>& dims) {
  Tensor t(DType::f32, Shape(dims.data(), dims.size()));
  if (t.numel() > 0) std::memcpy(t.data<float>(), values, t.nbytes());
  const std::string name = ctx.fresh(prefix);
  ctx.graph->add_initializer(name, t);
  return name;
}
std::string add_scalar(ExportContext& ctx, float v) { return add_constant(ctx, "const", &v, {}); }
// One node with one output; returns the output's name.
onnx::NodeWriter& node(ExportContext& ctx, const char* op, const std::vector<std::string>& inputs,
                       std::string& output) {
  output = ctx.fresh(op);
  return ctx.graph->add_node(op, inputs, {output}, output);
}
std::string unary(ExportContext& ctx, const char* op, const std::string& input) {
  std::string out;
  node(ctx, op, {input}, out);
  return out;
}
std::string binary(ExportContext& ctx, const char* op, const std::string& a, const std::string& b) {
  std::string out;
  node(ctx, op, {a, b}, out);
  return out;
}
}  // namespace

std::string export_activation(ExportContext& ctx, const kernels::Activation& f,
                              const std::string& x) {
  using kernels::UnaryOp;
  std::string out;
  switch (f.op) {
    case UnaryOp::identity: return unary(ctx, "Identity", x);
    case UnaryOp::relu: return unary(ctx, "Relu", x);
    case UnaryOp::leaky_relu: node(ctx, "LeakyRelu", {x}, out).attr("alpha", f.alpha); return out;
    case UnaryOp::sigmoid: return unary(ctx, "Sigmoid", x);
    case UnaryOp::hard_sigmoid:
      node(ctx, "HardSigmoid", {x}, out).attr("alpha", f.alpha).attr("beta", f.beta);
      return out;
    case UnaryOp::tanh: return unary(ctx, "Tanh", x);
    case UnaryOp::gelu_erf: {  // 0.5 x (1 + erf(x / sqrt 2)); Gelu itself is opset 20
      const std::string e =
          unary(ctx, "Erf", binary(ctx, "Mul", x, add_scalar(ctx, 0.70710678118654752f)));
      const std::string one_plus = binary(ctx, "Add", e, add_scalar(ctx, 1.0f));
      return binary(ctx, "Mul", binary(ctx, "Mul", x, one_plus), add_scalar(ctx, 0.5f));
    }
    case UnaryOp::gelu_tanh: {  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const std::string x3 = binary(ctx, "Mul", binary(ctx, "Mul", x, x), x);
      const std::string inner =
          binary(ctx, "Add", x, binary(ctx, "Mul", x3, add_scalar(ctx, 0.044715f)));
      const std::string t =
          unary(ctx, "Tanh", binary(ctx, "Mul", inner, add_scalar(ctx, 0.79788456080286536f)));
      const std::string one_plus = binary(ctx, "Add", t, add_scalar(ctx, 1.0f));
      return binary(ctx, "Mul", binary(ctx, "Mul", x, one_plus), add_scalar(ctx, 0.5f));
    }
    case UnaryOp::silu: return binary(ctx, "Mul", x, unary(ctx, "Sigmoid", x));
    case UnaryOp::hard_swish: return unary(ctx, "HardSwish", x);
    case UnaryOp::mish:  // Mish itself is opset 18
      return binary(ctx, "Mul", x, unary(ctx, "Tanh", unary(ctx, "Softplus", x)));
    case UnaryOp::softplus: return unary(ctx, "Softplus", x);
    case UnaryOp::elu: node(ctx, "Elu", {x}, out).attr("alpha", f.alpha); return out;
    case UnaryOp::selu:
      node(ctx, "Selu", {x}, out).attr("alpha", f.alpha).attr("gamma", f.beta);
      return out;
    case UnaryOp::clip:
      node(ctx, "Clip", {x, add_scalar(ctx, f.alpha), add_scalar(ctx, f.beta)}, out);
      return out;
    case UnaryOp::exp: return unary(ctx, "Exp", x);
    case UnaryOp::log: return unary(ctx, "Log", x);
    case UnaryOp::sqrt: return unary(ctx, "Sqrt", x);
    case UnaryOp::erf: return unary(ctx, "Erf", x);
    case UnaryOp::reciprocal: return unary(ctx, "Reciprocal", x);
    case UnaryOp::abs: return unary(ctx, "Abs", x);
    case UnaryOp::neg: return unary(ctx, "Neg", x);
    case UnaryOp::pow: return binary(ctx, "Pow", x, add_scalar(ctx, f.alpha));
  }
  fail(ErrorKind::unsupported_op, "nn export: unknown activation");
}

std::string export_softmax(ExportContext& ctx, const std::string& input) {
  std::string out;
  node(ctx, "Softmax", {input}, out).attr("axis", std::int64_t{-1});
  return out;
}

std::string export_flatten(ExportContext& ctx, const std::string& input) {
  std::string out;
  node(ctx, "Flatten", {input}, out).attr("axis", std::int64_t{1});
  return out;
}

std::string export_identity(ExportContext& ctx, const std::string& input) {
  return unary(ctx, "Identity", input);
}

std::string export_dense(ExportContext& ctx, const float* w, const float* b, std::size_t in,
                         std::size_t out_size, const std::string& input) {
  const auto i = static_cast<std::int64_t>(in), o = static_cast<std::int64_t>(out_size);
  const std::string wn = add_constant(ctx, "weight", w, {i, o});
  const std::string bn = add_constant(ctx, "bias", b, {o});
  std::string out;
  node(ctx, "Gemm", {input, wn, bn}, out);
  return out;
}

std::string export_model_bytes(const void* net,
                               std::string (*body)(const void*, ExportContext&, const std::string&),
                               const std::vector<std::int64_t>& input_dims,
                               const std::vector<std::int64_t>& output_dims, std::int64_t opset,
                               const data::Pipeline* preprocessing) {
  if (opset < 13) {
    fail(ErrorKind::invalid_argument,
         "nn export: opset " + std::to_string(opset) + " is older than 13, the oldest supported");
  }
  onnx::GraphWriter graph("inlay_nn");
  ExportContext ctx;
  ctx.graph = &graph;
  auto with_batch = [](std::vector<std::int64_t> dims) {
    dims.insert(dims.begin(), -1);
    return dims;
  };
  std::vector<std::string> params(input_dims.size() + 1);
  params[0] = "batch";
  std::vector<std::string> out_params(output_dims.size() + 1);
  out_params[0] = "batch";
  std::string first = "input";
  if (preprocessing) {
    // The pipeline gives rows of output_width() features; the network takes input_dims.
    std::int64_t features = 1;
    for (std::int64_t d : input_dims) features *= d;
    if (static_cast<std::int64_t>(preprocessing->output_width()) != features) {
      std::string dims;
      for (std::int64_t d : input_dims) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
      fail(ErrorKind::shape_mismatch, "nn export: the preprocessing pipeline (" +
                                          preprocessing->describe() + ") gives rows of " +
                                          std::to_string(preprocessing->output_width()) +
                                          " features, the network takes [" + dims + "]");
    }
    graph.add_input("input", DType::f32,
                    {-1, static_cast<std::int64_t>(preprocessing->input_width())}, {"batch", ""});
    first = preprocessing->to_onnx(graph, "input");
    if (input_dims.size() > 1) {  // e.g. 64 features into an Input<1, 8, 8> network
      Tensor shape(DType::i64, Shape{static_cast<std::int64_t>(input_dims.size() + 1)});
      shape.data<std::int64_t>()[0] = -1;
      for (std::size_t i = 0; i < input_dims.size(); ++i)
        shape.data<std::int64_t>()[i + 1] = input_dims[i];
      const std::string shape_name = ctx.fresh("preprocess_shape");
      graph.add_initializer(shape_name, shape);
      std::string reshaped;
      node(ctx, "Reshape", {first, shape_name}, reshaped);
      first = reshaped;
    }
  } else {
    graph.add_input("input", DType::f32, with_batch(input_dims), params);
  }
  const std::string last = body(net, ctx, first);
  graph.add_node("Identity", {last}, {"output"}, "output");
  graph.add_output("output", DType::f32, with_batch(output_dims), out_params);
  return graph.model_bytes(opset);
}

std::string with_model_info(std::string model_bytes, const OnnxOptions& options) {
  onnx::ModelInfo info;
  info.domain = options.domain;
  info.model_version = options.model_version;
  info.doc_string = options.doc_string;
  info.metadata_props = options.metadata;
  if (options.preprocessing)
    info.metadata_props.emplace_back("inlay.preprocessing", options.preprocessing->describe());
  onnx::append_model_info(model_bytes, info);
  return model_bytes;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_EXPORT_HPP
