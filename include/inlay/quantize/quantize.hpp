// inlay::quantize: a float ONNX model -> an 8-bit QDQ model (QuantizeLinear/DequantizeLinear
// pairs around the float ops, the format ONNX Runtime's quantize_static writes by default), which
// inlay and ONNX Runtime both run.
//   Weights (Conv W, MatMul B, Gemm B): int8, symmetric, one scale per output channel
//     (max|w| / 127, zero point 0). Biases of Conv and Gemm: int32 with scale x_scale * w_scale.
//   Activations: u8 asymmetric (or s8), one scale and zero point per tensor, from the ranges seen
//     when the float model runs on the calibration inputs; a Q -> DQ pair on each float input and
//     output of the quantized nodes.
//   dynamic: no calibration; MatMul/Gemm become DynamicQuantizeLinear + MatMulInteger, the int32
//     sums scaled back to float (ONNX Runtime's quantize_dynamic).
// The model keeps its opset, raised to 13 when below (per-axis scales need 13).
#ifndef INLAY_QUANTIZE_QUANTIZE_HPP
#define INLAY_QUANTIZE_QUANTIZE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/onnx/proto.hpp"
#include "inlay/quantize/calibration.hpp"

INLAY_NAMESPACE_BEGIN

struct QuantizeOptions {
  quantization::CalibrationMethod method = quantization::CalibrationMethod::minmax;
  double percentile = 99.99;         // for CalibrationMethod::percentile, in (0, 100]
  bool dynamic = false;              // weights only; activations quantized at run time
  bool signed_activations = false;   // s8 activations instead of u8
  std::vector<std::string> exclude;  // names of nodes kept in float
  // Weights in [-63, 63] (7 bits): u8 x s8 products summed in pairs then fit int16, which the
  // x86 kernels without VNNI (VPMADDUBSW, e.g. ONNX Runtime's MatMulInteger on AVX2) saturate
  // otherwise (ONNX Runtime's reduce_range).
  bool reduce_range = false;
};

// One quantized tensor: a weight, a bias or an activation.
struct QuantizedTensorInfo {
  std::string name;
  std::string kind;              // "weight", "bias" or "activation"
  float min = 0.0f, max = 0.0f;  // the range quantized (activation: after calibration)
  float scale = 0.0f;            // per-channel: the largest of the scales
  float min_scale = 0.0f;        // per-channel: the smallest; else == scale
  std::int64_t zero_point = 0;
  std::int64_t channels = 1;  // scales along the axis (1: one for the tensor)
};

// The quantized model's outputs against the float model's on the calibration inputs.
struct OutputError {
  std::string name;
  double max_abs_error = 0.0;
  double top1_agreement = -1.0;  // fraction of rows with the same argmax; -1: not class scores
};

struct QuantizeReport {
  std::vector<QuantizedTensorInfo> tensors;
  std::vector<std::string> quantized_nodes, excluded_nodes;
  std::vector<OutputError> outputs;        // empty without calibration inputs
  std::size_t float_weight_bytes = 0;      // initializers of the float model
  std::size_t quantized_weight_bytes = 0;  // initializers of the quantized model
  std::size_t float_model_bytes = 0, quantized_model_bytes = 0;
  bool dynamic = false;
};

// Human-readable report: one line per quantized tensor, the output errors, the sizes.
std::string to_string(const QuantizeReport& report);

struct QuantizedModel {
  std::string bytes;  // the ONNX ModelProto
  QuantizeReport report;
  // Writes `bytes`; errors: io naming the path.
  void save(const std::string& path) const;
};

// Each element of `calibration` is one set of inputs in the model's input order. Static
// quantization needs at least one set; dynamic takes none, or some to measure the error.
// `directory`: the model's folder, for external data ("" refuses it).
// Errors: invalid_argument for bad options, a model with no op to quantize, or calibration
// inputs that do not fit the model (naming the set and the input); unsupported_op for models
// this quantizer cannot rewrite (subgraphs, functions), naming the node.
QuantizedModel quantize(const onnx::ModelProto& model,
                        const std::vector<std::vector<Tensor>>& calibration,
                        const QuantizeOptions& options = {},
                        const std::string& directory = std::string());
QuantizedModel quantize(const std::string& model_path,
                        const std::vector<std::vector<Tensor>>& calibration,
                        const QuantizeOptions& options = {});

INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_QUANTIZE_HPP
