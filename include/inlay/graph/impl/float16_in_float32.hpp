// Half-precision models run in single precision: most of inlay's kernels compute in f32 only, and
// a model exported with `model.half()` (f16 inputs, weights and outputs) would otherwise load and
// then fail at its first node. This pass keeps the model's f16 inputs and outputs as declared,
// casts them at the graph's edges, and turns every f16 inside (weights, constants, Cast targets,
// dtype attributes, declared value types, subgraphs included) into f32, so the graph computes in
// f32 and rounds to f16 once, at the outputs. ONNX Runtime's CPU provider does the same per node
// (it inserts casts around nodes without an f16 kernel), so results agree to within f16 rounding.
//
// A graph whose nodes all move or convert data without arithmetic (Cast, Reshape, ...) is left
// as it is: those ops take f16 directly, and Cast(double -> f16) must round once, not twice. So is
// a graph with an output of undeclared type or a sequence/optional input or output (the ops that
// take f16 then run it as it is).
// Implementation-only.
#ifndef INLAY_GRAPH_IMPL_FLOAT16_IN_FLOAT32_HPP
#define INLAY_GRAPH_IMPL_FLOAT16_IN_FLOAT32_HPP

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/impl/ir.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace detail {

constexpr std::int64_t onnx_float = 1;
constexpr std::int64_t onnx_float16 = 10;

inline Tensor float16_to_float32(const Tensor& t) {
  Tensor out(DType::f32, t.shape());
  const float16* src = t.data<float16>();
  float* dst = out.data<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) dst[i] = to_float(src[i]);
  return out;
}

// Ops that take f16 as they are: no arithmetic on the values (or, for the Q/DQ ops, f16 support
// of their own). A graph made only of these is not rewritten.
inline bool moves_data_only(const Node& n) {
  if (!n.domain.empty()) return false;
  static const char* const ops[] = {"Cast",     "CastLike",       "Identity",        "Reshape",
                                    "Flatten",  "Squeeze",        "Unsqueeze",       "Transpose",
                                    "Concat",   "Split",          "Slice",           "Gather",
                                    "Expand",   "Tile",           "Shape",           "Size",
                                    "Constant", "QuantizeLinear", "DequantizeLinear"};
  for (const char* op : ops) {
    if (n.op_type == op) return true;
  }
  return false;
}

inline bool uses_float16(const Graph& g) {
  for (const Value& v : g.values) {
    if ((v.has_dtype && v.dtype == DType::f16) ||
        (!v.constant.empty() && v.constant.dtype() == DType::f16)) {
      return true;
    }
  }
  for (const Node& n : g.nodes) {
    for (const Attribute& a : n.attributes) {
      if (a.kind == Attribute::Kind::tensor && a.t.dtype() == DType::f16) return true;
      if (a.kind == Attribute::Kind::graph && a.g && uses_float16(*a.g)) return true;
      if (n.op_type == "Cast" && a.name == "to" && a.i == onnx_float16) return true;
    }
  }
  return false;
}

inline bool computes(const Graph& g) {
  for (const Node& n : g.nodes) {
    if (!moves_data_only(n)) return true;
  }
  return false;
}

// Every f16 inside `g` becomes f32; its inputs and outputs too (the main graph's edges are
// handled by the caller). Subgraphs are owned by the graph being loaded, hence the const_cast.
inline void retype_float16(Graph& g) {
  for (Value& v : g.values) {
    if (v.has_dtype && v.dtype == DType::f16) v.dtype = DType::f32;
    if (!v.constant.empty() && v.constant.dtype() == DType::f16) {
      v.constant = float16_to_float32(v.constant);
    }
  }
  for (Node& n : g.nodes) {
    if (!n.domain.empty()) continue;
    for (Attribute& a : n.attributes) {
      if (a.kind == Attribute::Kind::tensor && a.t.dtype() == DType::f16) {
        a.t = float16_to_float32(a.t);
      } else if (a.kind == Attribute::Kind::graph && a.g) {
        retype_float16(const_cast<Graph&>(*a.g));
      } else if (a.kind == Attribute::Kind::int_ && a.i == onnx_float16 &&
                 (a.name == "to" || a.name == "dtype" || a.name == "output_datatype")) {
        a.i = onnx_float;  // Cast, EyeLike, Random*, Bernoulli, the window ops
      }
    }
  }
}

inline int add_value(Graph& g, const Value& like, DType dtype) {
  Value v;
  v.name = like.name;  // the same name: sessions bind by id, subgraph captures by name
  v.has_dtype = true;
  v.dtype = dtype;
  v.has_shape = like.has_shape;
  v.dims = like.dims;
  v.dim_params = like.dim_params;
  g.values.push_back(v);
  return static_cast<int>(g.values.size()) - 1;
}

inline Node cast_node(const std::string& name, int from, int to, std::int64_t onnx_type,
                      std::int64_t opset) {
  Node n;
  n.name = name;
  n.op_type = "Cast";
  n.opset = opset;
  n.inputs = {from};
  n.outputs = {to};
  Attribute a;
  a.name = "to";
  a.kind = Attribute::Kind::int_;
  a.i = onnx_type;
  n.attributes.push_back(a);
  return n;
}

}  // namespace detail

// Returns true when the graph was rewritten.
inline bool compute_float16_in_float32(Graph& g) {
  if (!detail::uses_float16(g) || !detail::computes(g)) return false;
  // An output whose type the file leaves out might be f16: it could not be cast back. Sequences
  // and optionals at the edges cannot be cast either.
  for (int id : g.outputs) {
    if (!g.values[id].has_dtype || g.values[id].is_container) return false;
  }
  for (int id : g.inputs) {
    if (g.values[id].is_container) return false;
  }
  std::int64_t opset = 13;
  for (const Node& n : g.nodes) {
    if (n.domain.empty()) opset = std::max(opset, n.opset);
  }
  std::vector<int> f16_inputs, f16_outputs;
  for (int id : g.inputs) {
    if (g.values[id].dtype == DType::f16) f16_inputs.push_back(id);
  }
  for (int id : g.outputs) {
    if (g.values[id].has_dtype && g.values[id].dtype == DType::f16) f16_outputs.push_back(id);
  }
  detail::retype_float16(g);

  // An f16 input: a new value takes its place as the graph's input, and a Cast writes the old
  // value (now f32), which every node keeps reading.
  std::vector<Node> front;
  for (int id : f16_inputs) {
    const int outer = detail::add_value(g, g.values[id], DType::f16);
    std::replace(g.inputs.begin(), g.inputs.end(), id, outer);
    front.push_back(detail::cast_node("inlay:f16_in/" + g.values[id].name, outer, id,
                                      detail::onnx_float, opset));
  }
  g.nodes.insert(g.nodes.begin(), front.begin(), front.end());
  // An f16 output: the old value (now f32) is cast into a new one that the graph returns.
  for (int id : f16_outputs) {
    const int outer = detail::add_value(g, g.values[id], DType::f16);
    std::replace(g.outputs.begin(), g.outputs.end(), id, outer);
    g.nodes.push_back(detail::cast_node("inlay:f16_out/" + g.values[id].name, id, outer,
                                        detail::onnx_float16, opset));
  }
  return true;
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_FLOAT16_IN_FLOAT32_HPP
