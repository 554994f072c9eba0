// Definitions behind quantize/quantize.hpp: options checked, nodes chosen, calibration, the
// rewrite, and the report (the quantized model run against the float one).
#ifndef INLAY_QUANTIZE_IMPL_QUANTIZE_HPP
#define INLAY_QUANTIZE_IMPL_QUANTIZE_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "inlay/graph/model.hpp"
#include "inlay/graph/session.hpp"
#include "inlay/onnx/file.hpp"
#include "inlay/quantize/impl/edit_graph.hpp"
#include "inlay/quantize/impl/observe.hpp"
#include "inlay/quantize/impl/parameters.hpp"
#include "inlay/quantize/impl/rewrite.hpp"
#include "inlay/quantize/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {
namespace detail {

// Ops whose inputs or attributes changed between their first versions and opset 13: a model
// below 13 that uses them cannot simply be relabelled 13 (per-axis DequantizeLinear needs 13).
inline void check_opset_raise(const EditGraph& g) {
  if (g.opset >= 13) return;
  static const std::set<std::string> changed = {
      "Clip",      "Pad",   "Slice",     "TopK",    "Resize",  "Upsample", "Squeeze",
      "Unsqueeze", "Split", "ReduceSum", "Dropout", "Scatter", "Gather",   "BatchNormalization"};
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const EditNode& n = g.nodes[i];
    if (is_default_domain(n.domain) && changed.count(n.op_type)) {
      fail(ErrorKind::unsupported_op,
           "quantize: the model is opset " + std::to_string(g.opset) + " and node '" + label(n, i) +
               "' (" + n.op_type +
               ") changed form by opset 13, which per-axis quantization needs; convert the "
               "model to opset 13 first");
    }
  }
}

inline std::size_t initializer_bytes(const EditGraph& g) {
  std::set<std::string> used;
  for (const EditNode& n : g.nodes) used.insert(n.inputs.begin(), n.inputs.end());
  for (const EditValue& v : g.outputs) used.insert(v.name);
  std::size_t bytes = 0;
  for (const auto& i : g.initializers) {
    if (used.count(i.first)) bytes += i.second.nbytes();
  }
  return bytes;
}

// Max |a - b| and, for f32 outputs shaped [rows, classes] or [classes], how often the argmax
// agrees, accumulated over the calibration sets.
struct ErrorAccumulator {
  double max_abs = 0.0;
  std::size_t rows = 0, agree = 0;
  bool scores = true;

  void add(const Tensor& a, const Tensor& b, const std::string& name) {
    if (a.dtype() != DType::f32 || b.dtype() != DType::f32 || a.shape() != b.shape()) {
      fail(ErrorKind::invalid_model, "quantize: output '" + name + "' of the quantized model is " +
                                         dtype_name(b.dtype()) + " " + b.shape().to_string() +
                                         ", the float model's " + dtype_name(a.dtype()) + " " +
                                         a.shape().to_string());
    }
    const float* x = a.data<float>();
    const float* y = b.data<float>();
    const std::int64_t n = a.numel();
    for (std::int64_t i = 0; i < n; ++i) {
      max_abs = std::max(max_abs, std::fabs(static_cast<double>(x[i]) - y[i]));
    }
    const std::int64_t classes = a.rank() ? a.shape()[a.rank() - 1] : 1;
    if (!(a.rank() == 1 || a.rank() == 2) || classes < 2) {
      scores = false;
      return;
    }
    for (std::int64_t r = 0; r < n / classes; ++r) {
      const float* xr = x + r * classes;
      const float* yr = y + r * classes;
      agree += std::max_element(xr, xr + classes) - xr == std::max_element(yr, yr + classes) - yr;
      ++rows;
    }
  }
};

inline std::vector<OutputError> compare_outputs(const std::string& float_bytes,
                                                const std::string& quantized_bytes,
                                                const std::vector<std::vector<Tensor>>& sets) {
  const Model f = Model::copy_from_bytes(float_bytes.data(), float_bytes.size());
  Model q = f;
  with_context("quantize: the quantized model does not load in inlay",
               [&] { q = Model::copy_from_bytes(quantized_bytes.data(), quantized_bytes.size()); });
  Session fs(f), qs(q);
  std::vector<ErrorAccumulator> acc(f.outputs().size());
  for (std::size_t s = 0; s < sets.size(); ++s) {
    std::vector<Tensor> a, b;
    with_context("quantize: calibration set " + std::to_string(s), [&] {
      a = fs.run(sets[s]);
      b = qs.run(sets[s]);
    });
    for (std::size_t i = 0; i < a.size(); ++i) acc[i].add(a[i], b[i], f.output_names()[i]);
  }
  std::vector<OutputError> out;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    OutputError e;
    e.name = f.output_names()[i];
    e.max_abs_error = acc[i].max_abs;
    if (acc[i].scores && acc[i].rows > 0)
      e.top1_agreement = static_cast<double>(acc[i].agree) / static_cast<double>(acc[i].rows);
    out.push_back(e);
  }
  return out;
}

}  // namespace detail
}  // namespace quantization

QuantizedModel quantize(const onnx::ModelProto& model,
                        const std::vector<std::vector<Tensor>>& calibration,
                        const QuantizeOptions& options, const std::string& directory) {
  using namespace quantization::detail;
  if (options.method == quantization::CalibrationMethod::percentile &&
      !(options.percentile > 0.0 && options.percentile <= 100.0)) {
    fail(ErrorKind::invalid_argument,
         "quantize: the percentile must be in (0, 100], not " + std::to_string(options.percentile));
  }
  if (!options.dynamic && calibration.empty()) {
    fail(ErrorKind::invalid_argument,
         "quantize: static quantization needs calibration inputs (or choose dynamic)");
  }
  EditGraph g = read_edit_graph(model, directory);
  fold_batch_norms(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const std::string& op = g.nodes[i].op_type;
    if (op == "QuantizeLinear" || op == "DequantizeLinear" || op == "DynamicQuantizeLinear" ||
        op.compare(0, 7, "QLinear") == 0 || op == "MatMulInteger" || op == "ConvInteger") {
      fail(ErrorKind::invalid_argument, "quantize: the model is quantized already (node '" +
                                            label(g.nodes[i], i) + "' is " + op + ")");
    }
  }
  check_opset_raise(g);
  std::set<std::string> excluded(options.exclude.begin(), options.exclude.end());
  std::set<std::string> named;
  for (const EditNode& n : g.nodes) named.insert(n.name);
  for (const std::string& e : excluded) {
    if (!named.count(e))
      fail(ErrorKind::invalid_argument,
           "quantize: exclude: the model has no node named '" + e + "'");
  }
  QuantizedModel result;
  QuantizeReport& report = result.report;
  report.dynamic = options.dynamic;
  std::vector<std::size_t> nodes;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const EditNode& n = g.nodes[i];
    const bool fits = options.dynamic ? dynamic_candidate(g, n)
                                      : is_default_domain(n.domain) && is_quantizable_op(n.op_type);
    if (!fits) continue;
    if (excluded.count(n.name)) {
      report.excluded_nodes.push_back(n.name);
      continue;
    }
    nodes.push_back(i);
  }
  if (nodes.empty()) {
    fail(ErrorKind::invalid_argument,
         options.dynamic
             ? "quantize: the model has no MatMul or Gemm with a constant weight to quantize"
             : "quantize: the model has no op to quantize (Conv, MatMul, Gemm, Add, Mul, Concat, "
               "pooling, Relu, Clip)" +
                   std::string(report.excluded_nodes.empty() ? "" : " that is not excluded"));
  }
  const std::string float_bytes = write_edit_graph(g, directory);
  const float weight_qmax = options.reduce_range ? 63.0f : 127.0f;
  EditGraph q;
  if (options.dynamic) {
    q = write_dynamic(g, nodes, weight_qmax, report);
  } else {
    const std::map<std::string, quantization::Range> ranges = quantization::detail::calibrate(
        g, directory, activation_candidates(g, nodes), calibration, options);
    std::map<std::string, ActivationParams> params;
    for (const auto& r : ranges)
      params[r.first] = activation_params(r.second, options.signed_activations);
    q = write_qdq(g, nodes, params, weight_qmax, report);
  }
  result.bytes = write_edit_graph(q, directory);
  if (!calibration.empty())
    report.outputs = compare_outputs(float_bytes, result.bytes, calibration);
  report.float_weight_bytes = initializer_bytes(g);
  report.quantized_weight_bytes = initializer_bytes(q);
  report.float_model_bytes = float_bytes.size();
  report.quantized_model_bytes = result.bytes.size();
  return result;
}

QuantizedModel quantize(const std::string& model_path,
                        const std::vector<std::vector<Tensor>>& calibration,
                        const QuantizeOptions& options) {
  const onnx::ModelFile file = onnx::read_model_file(model_path);
  return quantize(file.model, calibration, options, file.directory);
}

void QuantizedModel::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorKind::io, "cannot create ONNX file '" + path + "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(ErrorKind::io, "cannot write ONNX file '" + path + "'");
}

namespace quantization {
namespace detail {

// "812 B", "44.8 KB", "13.3 MB"
inline std::string size_text(std::size_t bytes) {
  char text[64];
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%zu B", bytes);
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KB", b / 1024.0);
  } else {
    std::snprintf(text, sizeof text, "%.1f MB", b / (1024.0 * 1024.0));
  }
  return text;
}

}  // namespace detail
}  // namespace quantization

std::string to_string(const QuantizeReport& r) {
  using quantization::detail::size_text;
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%s quantization: %zu nodes quantized, %zu excluded\n",
                r.dynamic ? "dynamic" : "static", r.quantized_nodes.size(),
                r.excluded_nodes.size());
  out += line;
  if (!r.excluded_nodes.empty()) {
    out += "  excluded (kept in float):";
    for (const std::string& n : r.excluded_nodes) out += " " + n;
    out += "\n";
  }
  for (const QuantizedTensorInfo& t : r.tensors) {
    if (t.channels > 1) {
      std::snprintf(line, sizeof line,
                    "  %-10s %s  range [%.6g, %.6g]  scale %.6g..%.6g over %lld channels\n",
                    t.kind.c_str(), t.name.c_str(), t.min, t.max, t.min_scale, t.scale,
                    static_cast<long long>(t.channels));
    } else {
      std::snprintf(line, sizeof line,
                    "  %-10s %s  range [%.6g, %.6g]  scale %.6g  zero point %lld\n", t.kind.c_str(),
                    t.name.c_str(), t.min, t.max, t.scale, static_cast<long long>(t.zero_point));
    }
    out += line;
  }
  for (const OutputError& e : r.outputs) {
    std::snprintf(line, sizeof line, "output %s: max abs error %.6g", e.name.c_str(),
                  e.max_abs_error);
    out += line;
    if (e.top1_agreement >= 0) {
      std::snprintf(line, sizeof line, ", top-1 agreement %.2f%%", 100.0 * e.top1_agreement);
      out += line;
    }
    out += "\n";
  }
  out += "size: weights fp32 " + size_text(r.float_weight_bytes) + ", int8 " +
         size_text(r.quantized_weight_bytes) + "; model file " + size_text(r.float_model_bytes) +
         " -> " + size_text(r.quantized_model_bytes) + "\n";
  return out;
}

INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_IMPL_QUANTIZE_HPP
