// An ONNX graph held for rewriting: nodes with their inputs and outputs as strings, the
// initializers as tensors, and the source NodeProto whose attributes a copied node keeps. Read
// from a ModelProto and written back through onnx::GraphWriter. Implementation-only.
#ifndef INLAY_QUANTIZE_IMPL_EDIT_GRAPH_HPP
#define INLAY_QUANTIZE_IMPL_EDIT_GRAPH_HPP

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/onnx/proto.hpp"
#include "inlay/onnx/tensor.hpp"
#include "inlay/onnx/writer.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {
namespace detail {

struct EditNode {
  std::string op_type, name, domain;
  std::vector<std::string> inputs, outputs;
  const onnx::NodeProto* source = nullptr;  // attributes to copy (null: a new node)
  std::vector<std::pair<std::string, std::int64_t>> int_attrs;  // a new node's attributes
};

struct EditValue {
  std::string name;
  DType dtype = DType::f32;
  std::vector<std::int64_t> dims;
  std::vector<std::string> dim_params;
};

struct EditGraph {
  std::string name;
  std::vector<EditValue> inputs, outputs;
  std::vector<std::string> untyped_outputs;  // observed intermediate values
  std::vector<std::pair<std::string, Tensor>> initializers;
  std::map<std::string, std::size_t> initializer_index;
  std::vector<EditNode> nodes;
  std::int64_t opset = 13;  // the default domain's
  std::vector<std::pair<std::string, std::int64_t>> other_opsets;
  std::set<std::string> names;  // every value and node name in use

  const Tensor* initializer(const std::string& n) const {
    const auto it = initializer_index.find(n);
    return it == initializer_index.end() ? nullptr : &initializers[it->second].second;
  }
  void add_initializer(const std::string& n, Tensor t) {
    initializer_index[n] = initializers.size();
    initializers.emplace_back(n, std::move(t));
    names.insert(n);
  }
  // `base`, or base_1, base_2 ... : a name no value has yet (reserved on return).
  std::string unique_name(const std::string& base) {
    std::string n = base;
    for (int i = 1; names.count(n); ++i) n = base + "_" + std::to_string(i);
    names.insert(n);
    return n;
  }
};

inline EditValue edit_value(const onnx::ValueInfoProto& v, const char* what) {
  EditValue out;
  out.name = std::string(v.name);
  if (!v.type.has_tensor_type || !onnx::to_dtype(v.type.elem_type, out.dtype)) {
    fail(ErrorKind::unsupported_op, "quantize: graph " + std::string(what) + " '" + out.name +
                                        "' is not a tensor of a type inlay holds");
  }
  for (const onnx::TensorShapeDimension& d : v.type.shape) {
    out.dims.push_back(d.has_value ? d.value : -1);
    out.dim_params.emplace_back(d.has_value ? std::string_view() : d.param);
  }
  return out;
}

inline std::string node_label(const onnx::NodeProto& n, std::size_t index) {
  return n.name.empty() ? std::string(n.op_type) + " #" + std::to_string(index)
                        : "'" + std::string(n.name) + "' (" + std::string(n.op_type) + ")";
}

// The graph of `model`, every initializer read as a tensor (external data from `directory`).
inline EditGraph read_edit_graph(const onnx::ModelProto& model, const std::string& directory) {
  if (!model.has_graph) fail(ErrorKind::invalid_model, "quantize: the model has no graph");
  if (!model.functions.empty()) {
    fail(ErrorKind::unsupported_op, "quantize: model-local functions ('" +
                                        std::string(model.functions[0].name) +
                                        "') are not supported; inline them first");
  }
  EditGraph g;
  const onnx::GraphProto& graph = model.graph;
  g.name = graph.name.empty() ? "inlay_graph" : std::string(graph.name);
  bool has_default = false;
  for (const onnx::OperatorSetIdProto& o : model.opset_import) {
    if (o.domain.empty() || o.domain == "ai.onnx") {
      g.opset = o.version;
      has_default = true;
    } else {
      g.other_opsets.emplace_back(std::string(o.domain), o.version);
    }
  }
  if (!has_default) fail(ErrorKind::invalid_model, "quantize: the model imports no ai.onnx opset");
  for (const onnx::TensorProto& t : graph.initializer) {
    g.add_initializer(std::string(t.name), onnx::to_tensor(t, directory));
  }
  for (const onnx::ValueInfoProto& v : graph.input) {
    g.inputs.push_back(edit_value(v, "input"));
    g.names.insert(g.inputs.back().name);
  }
  for (const onnx::ValueInfoProto& v : graph.output) g.outputs.push_back(edit_value(v, "output"));
  for (std::size_t i = 0; i < graph.node.size(); ++i) {
    const onnx::NodeProto& n = graph.node[i];
    for (const onnx::AttributeProto& a : n.attribute) {
      if (a.g || !a.graphs.empty()) {
        fail(ErrorKind::unsupported_op, "quantize: node " + node_label(n, i) +
                                            " has a subgraph (attribute '" + std::string(a.name) +
                                            "'); models with control flow are not supported");
      }
    }
    EditNode e;
    e.op_type = std::string(n.op_type);
    e.name = std::string(n.name);
    e.domain = std::string(n.domain);
    for (std::string_view s : n.input) e.inputs.emplace_back(s);
    for (std::string_view s : n.output) {
      e.outputs.emplace_back(s);
      g.names.insert(e.outputs.back());
    }
    if (!e.name.empty()) g.names.insert(e.name);
    e.source = &n;
    g.nodes.push_back(std::move(e));
  }
  return g;
}

inline void copy_attributes(const onnx::NodeProto& n, onnx::NodeWriter& w,
                            const std::string& directory) {
  using onnx::AttributeType;
  for (const onnx::AttributeProto& a : n.attribute) {
    const std::string name(a.name);
    switch (a.type) {
      case AttributeType::float_: w.attr(name, a.f); break;
      case AttributeType::int_: w.attr(name, a.i); break;
      case AttributeType::string: w.attr(name, std::string(a.s)); break;
      case AttributeType::tensor: w.attr(name, onnx::to_tensor(a.t, directory)); break;
      case AttributeType::floats: w.attr(name, a.floats); break;
      case AttributeType::ints: w.attr(name, a.ints); break;
      case AttributeType::strings: {
        std::vector<std::string> v(a.strings.begin(), a.strings.end());
        w.attr(name, v);
        break;
      }
      default:
        fail(ErrorKind::unsupported_op, "quantize: node '" + std::string(n.name) + "' (" +
                                            std::string(n.op_type) + ") has attribute '" + name +
                                            "' of a type the quantizer cannot copy");
    }
  }
}

// The ModelProto bytes of `g`. Initializers no node reads and no output names are left out
// (the float weights that quantized ones replaced), with their entries among the inputs.
inline std::string write_edit_graph(const EditGraph& g, const std::string& directory) {
  std::set<std::string> used;
  for (const EditNode& n : g.nodes) used.insert(n.inputs.begin(), n.inputs.end());
  for (const EditValue& v : g.outputs) used.insert(v.name);
  for (const std::string& v : g.untyped_outputs) used.insert(v);
  onnx::GraphWriter w(g.name);
  for (const EditValue& v : g.inputs) {
    if (g.initializer(v.name) && !used.count(v.name)) continue;
    w.add_input(v.name, v.dtype, v.dims, v.dim_params);
  }
  for (const EditValue& v : g.outputs) w.add_output(v.name, v.dtype, v.dims, v.dim_params);
  for (const std::string& v : g.untyped_outputs) w.add_untyped_output(v);
  for (const auto& init : g.initializers) {
    if (used.count(init.first)) w.add_initializer(init.first, init.second);
  }
  for (const EditNode& n : g.nodes) {
    onnx::NodeWriter& nw = w.add_node(n.op_type, n.inputs, n.outputs, n.name, n.domain);
    if (n.source) copy_attributes(*n.source, nw, directory);
    for (const auto& a : n.int_attrs) nw.attr(a.first, a.second);
  }
  for (const auto& o : g.other_opsets) w.add_opset_import(o.first, o.second);
  return w.model_bytes(g.opset, "inlay");
}

}  // namespace detail
}  // namespace quantization
INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_IMPL_EDIT_GRAPH_HPP
