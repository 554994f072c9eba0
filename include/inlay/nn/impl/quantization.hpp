// The typed door's 8-bit exports (nn/quantization.hpp): Dense in QDQ form with the ranges learned
// by quantization-aware training, and post-training quantization of the float export through
// inlay::quantize. The weight and bias grids are quantization::detail's, the ones inlay::quantize
// writes, so both paths give the graph door the same patterns to fuse.
#ifndef INLAY_NN_IMPL_QUANTIZATION_HPP
#define INLAY_NN_IMPL_QUANTIZATION_HPP

#include <cstring>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/nn/conv.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/quantization.hpp"
#include "inlay/onnx/parse.hpp"
#include "inlay/onnx/writer.hpp"
#include "inlay/quantize/impl/parameters.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace qdq_export {
namespace q = quantization::detail;

std::string initializer(ExportContext& ctx, const char* prefix, const Tensor& value) {
  const std::string name = ctx.fresh(prefix);
  ctx.graph->add_initializer(name, value);
  return name;
}

// QuantizeLinear -> DequantizeLinear of `input` on the grid the training forward used; returns
// the output's name and sets `scale` to the grid's scale.
std::string fake_quant_input(ExportContext& ctx, const QatState& qat, const std::string& input,
                             float& scale) {
  const q::ActivationParams xp =
      q::activation_params(quantization::Range{qat.input.min, qat.input.max}, qat.input.is_signed);
  scale = xp.scale;
  const std::string xs = initializer(ctx, "input_scale", q::scalar_f32(xp.scale));
  const std::string xz = initializer(ctx, "input_zero_point", q::zero_point_tensor(xp));
  const std::string xq = ctx.fresh("QuantizeLinear");
  ctx.graph->add_node("QuantizeLinear", {input, xs, xz}, {xq}, xq);
  const std::string xd = ctx.fresh("DequantizeLinear");
  ctx.graph->add_node("DequantizeLinear", {xq, xs, xz}, {xd}, xd);
  return xd;
}

// The weight `dims` as int8 with one scale per channel of `axis`, and the bias [channels] as int32
// with scale input_scale * weight_scale[c], each behind a DequantizeLinear.
struct DequantizedParams {
  std::string weight, bias;
};
DequantizedParams weight_and_bias(ExportContext& ctx, const float* w, const Shape& dims,
                                  std::int64_t axis, const float* b, float input_scale,
                                  float weight_qmax) {
  Tensor wf(DType::f32, dims);
  if (wf.numel() > 0) std::memcpy(wf.data<float>(), w, wf.nbytes());
  const q::QuantizedWeight qw = q::quantize_weight(wf, axis, weight_qmax);
  const std::string wv = initializer(ctx, "weight_quantized", qw.values);
  const std::string ws = initializer(ctx, "weight_scale", qw.scales);
  const std::string wz = initializer(ctx, "weight_zero_point", qw.zero_points);
  DequantizedParams out;
  out.weight = ctx.fresh("DequantizeLinear");
  ctx.graph->add_node("DequantizeLinear", {wv, ws, wz}, {out.weight}, out.weight)
      .attr("axis", axis);
  Tensor bf(DType::f32, Shape{dims[static_cast<std::size_t>(axis)]});
  if (bf.numel() > 0) std::memcpy(bf.data<float>(), b, bf.nbytes());
  const q::QuantizedBias qb = q::quantize_bias(bf, input_scale, qw.scale_values);
  const std::string bv = initializer(ctx, "bias_quantized", qb.values);
  const std::string bs = initializer(ctx, "bias_scale", qb.scales);
  out.bias = ctx.fresh("DequantizeLinear");
  ctx.graph->add_node("DequantizeLinear", {bv, bs}, {out.bias}, out.bias)
      .attr("axis", std::int64_t{0});
  return out;
}
}  // namespace qdq_export

std::string export_dense_qdq(ExportContext& ctx, const float* w, const float* b, std::size_t in,
                             std::size_t out, const QatState& qat, const std::string& input) {
  float input_scale = 1.0f;
  const std::string x = qdq_export::fake_quant_input(ctx, qat, input, input_scale);
  // The weight [in, out]: one scale per output column (axis 1).
  const qdq_export::DequantizedParams params = qdq_export::weight_and_bias(
      ctx, w, Shape{static_cast<std::int64_t>(in), static_cast<std::int64_t>(out)}, 1, b,
      input_scale, qat.weight_qmax);
  const std::string y = ctx.fresh("Gemm");
  ctx.graph->add_node("Gemm", {x, params.weight, params.bias}, {y}, y);
  return y;
}

std::string export_conv_qdq(ExportContext& ctx, const kernels::Conv2dParams& p, const float* w,
                            const float* b, bool one_d, const QatState& qat,
                            const std::string& input) {
  float input_scale = 1.0f;
  const std::string x = qdq_export::fake_quant_input(ctx, qat, input, input_scale);
  // The weight [out, in / groups, kh, kw]: one scale per output channel (axis 0).
  const qdq_export::DequantizedParams params = qdq_export::weight_and_bias(
      ctx, w, conv_weight_shape(p, one_d), 0, b, input_scale, qat.weight_qmax);
  return export_conv_node(ctx, p, one_d, x, params.weight, params.bias);
}

QuantizedModel quantize_export(const std::string& model_bytes,
                               const std::vector<std::int64_t>& input_dims,
                               const PostTrainingQuantization& ptq) {
  const Tensor& x = ptq.calibration;
  bool fits = x.dtype() == DType::f32 && x.rank() == input_dims.size() + 1 && x.numel() > 0;
  for (std::size_t d = 0; fits && d < input_dims.size(); ++d)
    fits = x.shape()[d + 1] == input_dims[d];
  if (!fits) {
    std::string want = "[n";
    for (std::int64_t d : input_dims) want += ", " + std::to_string(d);
    fail(ErrorKind::invalid_argument,
         "nn::save_onnx: OnnxOptions::quantization.calibration of dtype " +
             std::string(dtype_name(x.dtype())) + " and shape " + x.shape().to_string() +
             " is not the network's input, f32 " + want + "] with n > 0");
  }
  const onnx::ModelProto model = onnx::parse_model(model_bytes.data(), model_bytes.size());
  for (const auto& n : model.graph.node) {
    if (n.op_type == "QuantizeLinear") {
      fail(ErrorKind::invalid_argument,
           "nn::save_onnx: the network is under quantization-aware training (nn::enable_qat), "
           "so its export is QDQ already (node '" +
               std::string(n.name) + "'); leave OnnxOptions::quantization.calibration empty");
    }
  }
  return quantize(model, {{x}}, ptq.options);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_QUANTIZATION_HPP
