// The rewrites: which nodes and tensors are quantized, and the QDQ (static) or
// DynamicQuantizeLinear + MatMulInteger (dynamic) graph that replaces them. The placement follows
// ONNX Runtime's quantizers (onnxruntime/python/tools/quantization: qdq_quantizer.py and
// onnx_quantizer.py): a Q -> DQ pair on each float input and output of a quantized node, weights
// and biases stored quantized behind a DequantizeLinear. Implementation-only.
#ifndef INLAY_QUANTIZE_IMPL_REWRITE_HPP
#define INLAY_QUANTIZE_IMPL_REWRITE_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "inlay/quantize/impl/edit_graph.hpp"
#include "inlay/quantize/impl/parameters.hpp"
#include "inlay/quantize/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {
namespace detail {

inline bool is_default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

// The ops whose inputs and outputs get Q -> DQ pairs.
inline bool is_quantizable_op(const std::string& op) {
  static const std::set<std::string> ops = {"Conv",          "MatMul",      "Gemm",
                                            "Add",           "Mul",         "Concat",
                                            "MaxPool",       "AveragePool", "GlobalAveragePool",
                                            "GlobalMaxPool", "Relu",        "Clip"};
  return ops.count(op) > 0;
}

inline std::int64_t int_attr(const EditNode& n, const char* name, std::int64_t fallback) {
  if (!n.source) return fallback;
  for (const onnx::AttributeProto& a : n.source->attribute) {
    if (a.name == name) return a.i;
  }
  return fallback;
}

inline float float_attr(const EditNode& n, const char* name, float fallback) {
  if (!n.source) return fallback;
  for (const onnx::AttributeProto& a : n.source->attribute) {
    if (a.name == name) return a.f;
  }
  return fallback;
}

inline std::string label(const EditNode& n, std::size_t index) {
  return n.name.empty() ? n.op_type + " #" + std::to_string(index) : n.name;
}

// The axis of input 1 that holds the output channels when it is a constant float weight: 0 for
// Conv W [M, C/group, kH, kW], 1 for MatMul B [K, N], 0 or 1 for Gemm B by transB; -1 otherwise.
inline int weight_axis(const EditGraph& g, const EditNode& n) {
  if (n.inputs.size() < 2) return -1;
  const Tensor* w = g.initializer(n.inputs[1]);
  if (!w || w->dtype() != DType::f32 || w->numel() == 0) return -1;
  if (n.op_type == "Conv" && w->rank() >= 3) return 0;
  if (n.op_type == "MatMul" && w->rank() == 2) return 1;
  if (n.op_type == "Gemm" && w->rank() == 2) return int_attr(n, "transB", 0) ? 0 : 1;
  return -1;
}

// The inputs of a quantized node that are activations (not constants).
inline std::vector<std::string> activation_inputs(const EditGraph& g, const EditNode& n) {
  std::vector<std::size_t> slots;
  if (n.op_type == "Add" || n.op_type == "Mul" || n.op_type == "Concat") {
    for (std::size_t i = 0; i < n.inputs.size(); ++i) slots.push_back(i);
  } else if (n.op_type == "MatMul" || n.op_type == "Gemm") {
    slots.push_back(0);
    if (weight_axis(g, n) < 0) slots.push_back(1);
  } else {
    slots.push_back(0);  // Conv's W and B, Clip's bounds: constants
  }
  std::vector<std::string> out;
  for (std::size_t s : slots) {
    if (s < n.inputs.size() && !n.inputs[s].empty() && !g.initializer(n.inputs[s]))
      out.push_back(n.inputs[s]);
  }
  return out;
}

// Activations to observe and quantize: the activation inputs and first output of each node.
inline std::vector<std::string> activation_candidates(const EditGraph& g,
                                                      const std::vector<std::size_t>& nodes) {
  std::vector<std::string> out;
  std::set<std::string> have;
  auto add = [&](const std::string& s) {
    if (!s.empty() && have.insert(s).second) out.push_back(s);
  };
  for (std::size_t i : nodes) {
    for (const std::string& s : activation_inputs(g, g.nodes[i])) add(s);
    if (!g.nodes[i].outputs.empty()) add(g.nodes[i].outputs[0]);
  }
  return out;
}

inline QuantizedTensorInfo weight_info(const std::string& name, const QuantizedWeight& q) {
  QuantizedTensorInfo t;
  t.name = name;
  t.kind = "weight";
  t.min = q.min;
  t.max = q.max;
  t.scale = *std::max_element(q.scale_values.begin(), q.scale_values.end());
  t.min_scale = *std::min_element(q.scale_values.begin(), q.scale_values.end());
  t.channels = static_cast<std::int64_t>(q.scale_values.size());
  return t;
}

// Conv -> BatchNormalization with constant statistics becomes one Conv whose weights and bias hold
// the normalization (W'[m] = W[m] s[m], B'[m] = (B[m] - mean[m]) s[m] + beta[m], s = scale /
// sqrt(var + eps)), as ORT's quant_pre_process does before quantizing: the int8 weights then
// carry the scale, and no float BatchNormalization runs between int8 ops.
inline void fold_batch_norms(EditGraph& g) {
  std::map<std::string, int> readers;
  std::map<std::string, std::size_t> reader;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (const std::string& in : g.nodes[i].inputs) {
      ++readers[in];
      reader[in] = i;
    }
  }
  for (const EditValue& v : g.outputs) readers[v.name] += 2;
  std::vector<bool> dead(g.nodes.size(), false);
  for (EditNode& n : g.nodes) {
    if (n.op_type != "Conv" || !is_default_domain(n.domain) || n.outputs.size() != 1 ||
        n.inputs.size() < 2 || readers[n.outputs[0]] != 1) {
      continue;
    }
    const std::size_t j = reader[n.outputs[0]];
    const EditNode& bn = g.nodes[j];
    if (bn.op_type != "BatchNormalization" || !is_default_domain(bn.domain) ||
        bn.inputs.size() != 5 || bn.inputs[0] != n.outputs[0] || bn.outputs.empty()) {
      continue;
    }
    bool extra_outputs = false;
    for (std::size_t k = 1; k < bn.outputs.size(); ++k) extra_outputs |= !bn.outputs[k].empty();
    const Tensor* w = g.initializer(n.inputs[1]);
    if (extra_outputs || w == nullptr || w->dtype() != DType::f32 || w->rank() < 3) continue;
    const std::int64_t m = w->shape()[0];
    const bool has_b = n.inputs.size() > 2 && !n.inputs[2].empty();
    const Tensor* b = has_b ? g.initializer(n.inputs[2]) : nullptr;
    if (has_b && (b == nullptr || b->dtype() != DType::f32 || b->numel() != m)) continue;
    const Tensor* p[4];
    bool ok = true;
    for (int k = 0; k < 4; ++k) {
      p[k] = g.initializer(bn.inputs[static_cast<std::size_t>(k) + 1]);
      ok = ok && p[k] != nullptr && p[k]->dtype() == DType::f32 && p[k]->numel() == m;
    }
    if (!ok) continue;
    const double eps = float_attr(bn, "epsilon", 1e-5f);
    Tensor w2 = w->clone();
    Tensor b2(DType::f32, Shape{m});
    const std::int64_t per = w->numel() / m;
    for (std::int64_t c = 0; c < m; ++c) {
      const double s =
          p[0]->data<float>()[c] / std::sqrt(static_cast<double>(p[3]->data<float>()[c]) + eps);
      for (std::int64_t e = 0; e < per; ++e) {
        float& v = w2.data<float>()[c * per + e];
        v = static_cast<float>(v * s);
      }
      const double bias = b != nullptr ? b->data<float>()[c] : 0.0;
      b2.data<float>()[c] =
          static_cast<float>((bias - p[2]->data<float>()[c]) * s + p[1]->data<float>()[c]);
    }
    const std::string wn = g.unique_name(n.inputs[1] + "_bn_folded");
    const std::string bname = g.unique_name((has_b ? n.inputs[2] : n.inputs[1]) + "_bn_bias");
    g.add_initializer(wn, std::move(w2));
    g.add_initializer(bname, std::move(b2));
    n.inputs[1] = wn;
    n.inputs.resize(3);
    n.inputs[2] = bname;
    n.outputs[0] = bn.outputs[0];
    dead[j] = true;
  }
  std::vector<EditNode> kept;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (!dead[i]) kept.push_back(g.nodes[i]);
  }
  g.nodes = std::move(kept);
}

// Outputs of chosen Conv/MatMul/Gemm/Add/Mul nodes read only by a chosen Relu or Clip (and not
// graph outputs): they get no Q -> DQ pair, as in ORT's QDQ quantizer, so that the activation's
// output quantization makes the pair run as one fused node (a Relu before a u8 Q with zero point 0
// is redundant; graph/impl/fuse_qdq.hpp).
inline std::set<std::string> fused_activation_inputs(const EditGraph& g,
                                                     const std::vector<std::size_t>& nodes) {
  const std::set<std::size_t> chosen(nodes.begin(), nodes.end());
  std::map<std::string, int> readers;
  std::map<std::string, std::size_t> reader;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (const std::string& in : g.nodes[i].inputs) {
      ++readers[in];
      reader[in] = i;
    }
  }
  for (const EditValue& v : g.outputs) readers[v.name] += 2;
  std::set<std::string> out;
  for (std::size_t i : nodes) {
    const EditNode& n = g.nodes[i];
    if (n.op_type != "Conv" && n.op_type != "MatMul" && n.op_type != "Gemm" && n.op_type != "Add" &&
        n.op_type != "Mul") {
      continue;
    }
    if (n.outputs.empty() || readers[n.outputs[0]] != 1) continue;
    const std::size_t r = reader[n.outputs[0]];
    const EditNode& act = g.nodes[r];
    if (chosen.count(r) && (act.op_type == "Relu" || act.op_type == "Clip") &&
        is_default_domain(act.domain)) {
      out.insert(n.outputs[0]);
    }
  }
  return out;
}

// Static QDQ: `params` holds the quantized activations.
inline EditGraph write_qdq(const EditGraph& g, const std::vector<std::size_t>& nodes,
                           const std::map<std::string, ActivationParams>& params, float weight_qmax,
                           QuantizeReport& report) {
  EditGraph q = g;
  q.nodes.clear();
  q.opset = std::max<std::int64_t>(g.opset, 13);
  std::vector<EditNode> front;  // the DQ nodes of weights and biases
  struct QdqNames {
    std::string scale, zero_point, dequantized;
  };
  std::map<std::string, QdqNames> dequantized;  // activation -> its parameters and DQ value
  auto new_node = [&](const std::string& op, std::vector<std::string> in,
                      std::vector<std::string> out, const std::string& name) {
    EditNode n;
    n.op_type = op;
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.name = q.unique_name(name);
    return n;
  };
  const std::set<std::string> fused = fused_activation_inputs(g, nodes);
  for (const auto& p : params) {
    const std::string& t = p.first;
    if (fused.count(t)) continue;
    const std::string scale = q.unique_name(t + "_scale"), zp = q.unique_name(t + "_zero_point");
    q.add_initializer(scale, scalar_f32(p.second.scale));
    q.add_initializer(zp, zero_point_tensor(p.second));
    dequantized[t] = QdqNames{scale, zp, q.unique_name(t + "_dequantized")};
    QuantizedTensorInfo info;
    info.name = t;
    info.kind = "activation";
    info.min = p.second.range.min;
    info.max = p.second.range.max;
    info.scale = info.min_scale = p.second.scale;
    info.zero_point = p.second.zero_point;
    report.tensors.push_back(info);
  }
  std::set<std::string> graph_outputs;
  for (const EditValue& v : g.outputs) graph_outputs.insert(v.name);
  // Q -> DQ on activation t, whose float value is `source` (t itself, or the renamed value of a
  // graph output, which the DQ then writes: the model's outputs stay float, with their names).
  auto qdq_nodes = [&](const std::string& t, const std::string& source,
                       std::vector<EditNode>& out) {
    const auto it = dequantized.find(t);
    if (it == dequantized.end()) return;
    const std::string &scale = it->second.scale, &zp = it->second.zero_point;
    const std::string quantized = q.unique_name(t + "_quantized");
    out.push_back(
        new_node("QuantizeLinear", {source, scale, zp}, {quantized}, t + "_QuantizeLinear"));
    out.push_back(new_node("DequantizeLinear", {quantized, scale, zp}, {it->second.dequantized},
                           t + "_DequantizeLinear"));
  };
  std::map<std::pair<std::string, int>, std::pair<std::string, std::vector<float>>> weights;
  std::vector<EditNode> body;
  for (const EditValue& v : g.inputs) qdq_nodes(v.name, v.name, body);
  const std::set<std::size_t> chosen(nodes.begin(), nodes.end());
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    EditNode n = g.nodes[i];
    for (std::string& in : n.inputs) {
      const auto it = dequantized.find(in);
      if (it != dequantized.end()) in = it->second.dequantized;
    }
    if (chosen.count(i)) {
      report.quantized_nodes.push_back(label(n, i));
      const int axis = weight_axis(g, g.nodes[i]);
      if (axis >= 0) {
        const std::string& w = g.nodes[i].inputs[1];
        auto key = std::make_pair(w, axis);
        if (!weights.count(key)) {
          const QuantizedWeight qw =
              quantize_weight(*g.initializer(w), static_cast<std::size_t>(axis), weight_qmax);
          const std::string values = q.unique_name(w + "_quantized");
          const std::string scale = q.unique_name(w + "_scale");
          const std::string zp = q.unique_name(w + "_zero_point");
          const std::string out = q.unique_name(w + "_dequantized");
          q.add_initializer(values, qw.values);
          q.add_initializer(scale, qw.scales);
          q.add_initializer(zp, qw.zero_points);
          EditNode dq =
              new_node("DequantizeLinear", {values, scale, zp}, {out}, w + "_DequantizeLinear");
          dq.int_attrs.emplace_back("axis", axis);
          front.push_back(dq);
          weights[key] = {out, qw.scale_values};
          report.tensors.push_back(weight_info(w, qw));
        }
        n.inputs[1] = weights[key].first;
        // The bias: int32 with scale x_scale * w_scale[c], when x is quantized.
        const std::vector<float>& w_scales = weights[key].second;
        const Tensor* b = n.inputs.size() > 2 ? g.initializer(n.inputs[2]) : nullptr;
        const auto x = params.find(g.nodes[i].inputs[0]);
        if (b && x != params.end() && b->dtype() == DType::f32 && b->rank() == 1 &&
            static_cast<std::size_t>(b->numel()) == w_scales.size()) {
          const QuantizedBias qb = quantize_bias(*b, x->second.scale, w_scales);
          const std::string& bn = g.nodes[i].inputs[2];
          const std::string values = q.unique_name(bn + "_quantized");
          const std::string scale = q.unique_name(bn + "_scale");
          const std::string out = q.unique_name(bn + "_dequantized");
          q.add_initializer(values, qb.values);
          q.add_initializer(scale, qb.scales);
          EditNode dq =
              new_node("DequantizeLinear", {values, scale}, {out}, bn + "_DequantizeLinear");
          dq.int_attrs.emplace_back("axis", 0);
          front.push_back(dq);
          n.inputs[2] = out;
          QuantizedTensorInfo info;
          info.name = bn;
          info.kind = "bias";
          info.min = qb.min;
          info.max = qb.max;
          info.scale = qb.max_scale;
          info.min_scale = qb.min_scale;
          info.channels = b->numel();
          report.tensors.push_back(info);
        }
      }
    }
    for (std::string& out : n.outputs) {
      const auto it = dequantized.find(out);
      if (it != dequantized.end() && graph_outputs.count(out)) {
        it->second.dequantized = out;
        out = q.unique_name(out + "_float");
      }
    }
    body.push_back(n);
    for (std::size_t k = 0; k < n.outputs.size(); ++k) {
      qdq_nodes(g.nodes[i].outputs[k], n.outputs[k], body);
    }
  }
  q.nodes = front;
  q.nodes.insert(q.nodes.end(), body.begin(), body.end());
  return q;
}

// A 2-D f32 tensor transposed.
inline Tensor transposed(const Tensor& w) {
  const std::int64_t r = w.shape()[0], c = w.shape()[1];
  Tensor t(DType::f32, Shape{c, r});
  for (std::int64_t i = 0; i < r; ++i)
    for (std::int64_t j = 0; j < c; ++j) t.data<float>()[j * r + i] = w.data<float>()[i * c + j];
  return t;
}

// Whether node n can take the dynamic rewrite: MatMul, or Gemm with transA 0 and alpha 1 (and a
// constant C when beta is not 1), with a constant 2-D weight.
inline bool dynamic_candidate(const EditGraph& g, const EditNode& n) {
  if (!is_default_domain(n.domain) || weight_axis(g, n) < 0) return false;
  if (n.op_type == "MatMul") return true;
  if (n.op_type != "Gemm") return false;
  if (int_attr(n, "transA", 0) != 0 || float_attr(n, "alpha", 1.0f) != 1.0f) return false;
  const bool has_c = n.inputs.size() > 2 && !n.inputs[2].empty();
  return !has_c || float_attr(n, "beta", 1.0f) == 1.0f || g.initializer(n.inputs[2]);
}

// Dynamic: y = Cast(MatMulInteger(DynamicQuantizeLinear(x), W_q)) * (x_scale * w_scale) [+ C].
inline EditGraph write_dynamic(const EditGraph& g, const std::vector<std::size_t>& nodes,
                               float weight_qmax, QuantizeReport& report) {
  EditGraph q = g;
  q.nodes.clear();
  q.opset = std::max<std::int64_t>(g.opset, 13);
  const std::set<std::size_t> chosen(nodes.begin(), nodes.end());
  std::map<std::string, std::vector<std::string>> quantized_x;  // x -> {x_q, x_scale, x_zp}
  std::map<std::pair<std::string, bool>, std::string> weights;  // (W, transposed) -> prefix
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const EditNode& n = g.nodes[i];
    if (!chosen.count(i)) {
      q.nodes.push_back(n);
      continue;
    }
    report.quantized_nodes.push_back(label(n, i));
    const std::string base = n.name.empty() ? n.outputs[0] : n.name;
    auto add = [&](const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                   const std::string& suffix) -> EditNode& {
      EditNode e;
      e.op_type = op;
      e.inputs = std::move(in);
      e.outputs = std::move(out);
      e.name = q.unique_name(base + "_" + suffix);
      q.nodes.push_back(e);
      return q.nodes.back();
    };
    const std::string& x = n.inputs[0];
    if (!quantized_x.count(x)) {
      std::vector<std::string> outs = {q.unique_name(x + "_quantized"), q.unique_name(x + "_scale"),
                                       q.unique_name(x + "_zero_point")};
      add("DynamicQuantizeLinear", {x}, outs, "DynamicQuantizeLinear");
      quantized_x[x] = outs;
    }
    const std::vector<std::string>& xq = quantized_x[x];
    const std::string& w = n.inputs[1];
    const bool transpose = n.op_type == "Gemm" && int_attr(n, "transB", 0) != 0;
    const auto key = std::make_pair(w, transpose);
    if (!weights.count(key)) {
      const Tensor& wf = *g.initializer(w);
      const QuantizedWeight qw = quantize_weight(transpose ? transposed(wf) : wf, 1, weight_qmax);
      const std::string prefix = q.unique_name(w + (transpose ? "_transposed" : ""));
      q.add_initializer(prefix + "_quantized", qw.values);
      q.add_initializer(prefix + "_scale", qw.scales);
      q.add_initializer(prefix + "_zero_point", qw.zero_points);
      weights[key] = prefix;
      report.tensors.push_back(weight_info(w, qw));
    }
    const std::string& wp = weights[key];
    const std::string acc = q.unique_name(base + "_int32");
    add("MatMulInteger", {xq[0], wp + "_quantized", xq[2], wp + "_zero_point"}, {acc},
        "MatMulInteger");
    const std::string accf = q.unique_name(base + "_int32_float");
    add("Cast", {acc}, {accf}, "Cast").int_attrs.emplace_back("to", 1);
    const std::string scale = q.unique_name(base + "_scale");
    add("Mul", {xq[1], wp + "_scale"}, {scale}, "scale");
    const bool has_c = n.op_type == "Gemm" && n.inputs.size() > 2 && !n.inputs[2].empty();
    const std::string product = has_c ? q.unique_name(base + "_product") : n.outputs[0];
    add("Mul", {accf, scale}, {product}, "Mul");
    if (has_c) {
      std::string c = n.inputs[2];
      const float beta = float_attr(n, "beta", 1.0f);
      if (beta != 1.0f) {  // a constant C (dynamic_candidate): scaled now
        Tensor scaled = g.initializer(c)->clone();
        for (std::int64_t k = 0; k < scaled.numel(); ++k) scaled.data<float>()[k] *= beta;
        c = q.unique_name(c + "_times_beta");
        q.add_initializer(c, scaled);
      }
      add("Add", {product, c}, {n.outputs[0]}, "bias");
    }
  }
  return q;
}

}  // namespace detail
}  // namespace quantization
INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_IMPL_REWRITE_HPP
