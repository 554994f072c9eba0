// The dtypes of the values of a graph as far as the loader knows them: declared graph inputs,
// constants, and node outputs by one rule table (output_dtypes). Kernels read them through
// OpInfo::input_dtype and refuse at load a dtype they cannot run. An op missing from the table
// gives unknown outputs, and unknown is never refused: a rule must only be listed when every
// kernel of the op makes exactly that dtype. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_DTYPE_RULES_HPP
#define INLAY_GRAPH_IMPL_DTYPE_RULES_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "inlay/graph/impl/ir.hpp"
#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace dtype_rules {

using Known = std::optional<DType>;

// How an op's outputs get their dtypes.
enum class Rule {
  same_as_input0,       // every output has input 0's dtype (elementwise, movement, conv ...)
  first_same_rest_i64,  // output 0 as input 0, the others int64 (TopK, MaxPool, Unique)
  first_same,           // output 0 as input 0, the others unknown (their stash type may differ)
  int64,                // every output int64 (Shape, Size, NonZero, ArgMax ...)
  boolean,              // every output bool (comparisons, logic, IsNaN)
  output0_as_input1,    // Where (the condition is input 0), CastLike
  int32,                // MatMulInteger, ConvInteger
  special,              // an attribute decides: see special_rule()
};

inline const std::unordered_map<std::string, Rule>& table() {
  static const std::unordered_map<std::string, Rule> rules = [] {
    std::unordered_map<std::string, Rule> r;
    for (const char* op : {"Abs",
                           "Acos",
                           "Acosh",
                           "Add",
                           "Asin",
                           "Asinh",
                           "Atan",
                           "Atanh",
                           "AveragePool",
                           "Ceil",
                           "Celu",
                           "Clip",
                           "Compress",
                           "Concat",
                           "Conv",
                           "ConvTranspose",
                           "Cos",
                           "Cosh",
                           "CumSum",
                           "DepthToSpace",
                           "Div",
                           "Elu",
                           "Erf",
                           "Exp",
                           "Expand",
                           "Flatten",
                           "Floor",
                           "Gather",
                           "GatherElements",
                           "GatherND",
                           "Gelu",
                           "Gemm",
                           "GlobalAveragePool",
                           "GlobalMaxPool",
                           "GlobalLpPool",
                           "GRU",
                           "HardSigmoid",
                           "HardSwish",
                           "Hardmax",
                           "Identity",
                           "InstanceNormalization",
                           "LeakyRelu",
                           "Log",
                           "LogSoftmax",
                           "LpNormalization",
                           "LpPool",
                           "LRN",
                           "LSTM",
                           "MatMul",
                           "Max",
                           "Mean",
                           "MeanVarianceNormalization",
                           "Min",
                           "Mish",
                           "Mod",
                           "Mul",
                           "Neg",
                           "Pad",
                           "Pow",
                           "PRelu",
                           "Reciprocal",
                           "ReduceL1",
                           "ReduceL2",
                           "ReduceLogSum",
                           "ReduceLogSumExp",
                           "ReduceMax",
                           "ReduceMean",
                           "ReduceMin",
                           "ReduceProd",
                           "ReduceSum",
                           "ReduceSumSquare",
                           "Relu",
                           "Reshape",
                           "Resize",
                           "ReverseSequence",
                           "RNN",
                           "Round",
                           "Scatter",
                           "ScatterElements",
                           "ScatterND",
                           "Selu",
                           "Shrink",
                           "Sigmoid",
                           "Sign",
                           "Sin",
                           "Sinh",
                           "Slice",
                           "Softmax",
                           "Softplus",
                           "Softsign",
                           "SpaceToDepth",
                           "Split",
                           "Sqrt",
                           "Squeeze",
                           "Sub",
                           "Sum",
                           "Tan",
                           "Tanh",
                           "ThresholdedRelu",
                           "Tile",
                           "Transpose",
                           "Trilu",
                           "Unsqueeze",
                           "Upsample",
                           "Range"}) {
      r[op] = Rule::same_as_input0;
    }
    for (const char* op : {"TopK", "MaxPool", "Unique"}) r[op] = Rule::first_same_rest_i64;
    for (const char* op : {"BatchNormalization", "LayerNormalization"}) r[op] = Rule::first_same;
    for (const char* op : {"Shape", "Size", "NonZero", "ArgMax", "ArgMin", "NonMaxSuppression"}) {
      r[op] = Rule::int64;
    }
    for (const char* op : {"Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "And", "Or",
                           "Xor", "Not", "IsNaN", "IsInf"}) {
      r[op] = Rule::boolean;
    }
    for (const char* op : {"Where", "CastLike"}) r[op] = Rule::output0_as_input1;
    for (const char* op : {"MatMulInteger", "ConvInteger"}) r[op] = Rule::int32;
    for (const char* op :
         {"Cast", "Constant", "ConstantOfShape", "EyeLike", "RandomNormal", "RandomUniform",
          "RandomNormalLike", "RandomUniformLike", "QuantizeLinear", "DequantizeLinear",
          "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "Dropout"}) {
      r[op] = Rule::special;
    }
    return r;
  }();
  return rules;
}

// An ONNX DataType attribute (Cast's `to`, EyeLike's `dtype`) as a DType, or unknown.
inline Known dtype_attribute(const Node& node, const char* name) {
  for (const Attribute& a : node.attributes) {
    if (a.name != name || a.kind != Attribute::Kind::int_) continue;
    DType d;
    if (a.i >= 0 && a.i <= 0x7fffffff && onnx::to_dtype(static_cast<std::int32_t>(a.i), d))
      return d;
    return std::nullopt;
  }
  return std::nullopt;
}
inline bool has_attribute(const Node& node, const char* name) {
  for (const Attribute& a : node.attributes) {
    if (a.name == name) return true;
  }
  return false;
}
inline Known input(const std::vector<Known>& in, std::size_t i) {
  return i < in.size() ? in[i] : std::nullopt;
}

// The ops whose output dtype an attribute or an optional input decides (their ONNX defaults).
inline std::vector<Known> special_rule(const Node& node, const std::vector<Known>& in) {
  std::vector<Known> out(node.outputs.size());
  if (out.empty()) return out;
  const std::string& op = node.op_type;
  if (op == "Cast") {
    out[0] = dtype_attribute(node, "to");
  } else if (op == "Constant") {
    for (const Attribute& a : node.attributes) {
      if (a.name == "value" && a.kind == Attribute::Kind::tensor) out[0] = a.t.dtype();
      if (a.name == "value_float" || a.name == "value_floats") out[0] = DType::f32;
      if (a.name == "value_int" || a.name == "value_ints") out[0] = DType::i64;
    }
  } else if (op == "ConstantOfShape") {
    out[0] = DType::f32;
    for (const Attribute& a : node.attributes) {
      if (a.name == "value")
        out[0] = a.kind == Attribute::Kind::tensor ? Known(a.t.dtype()) : Known();
    }
  } else if (op == "RandomNormal" || op == "RandomUniform") {
    out[0] = has_attribute(node, "dtype") ? dtype_attribute(node, "dtype") : Known(DType::f32);
  } else if (op == "EyeLike" || op == "RandomNormalLike" || op == "RandomUniformLike") {
    out[0] = has_attribute(node, "dtype") ? dtype_attribute(node, "dtype") : input(in, 0);
  } else if (op == "QuantizeLinear") {
    // The zero point's dtype, uint8 without one; opset 21's output_dtype is left unknown.
    if (node.inputs.size() > 2 && node.inputs[2] >= 0) out[0] = input(in, 2);
    else if (!has_attribute(node, "output_dtype")) out[0] = DType::u8;
  } else if (op == "DequantizeLinear") {
    out[0] = input(in, 1);  // the scale's dtype
  } else if (op == "DynamicQuantizeLinear") {
    const Known dtypes[3] = {DType::u8, DType::f32, DType::u8};
    for (std::size_t i = 0; i < out.size() && i < 3; ++i) out[i] = dtypes[i];
  } else if (op == "QLinearConv" || op == "QLinearMatMul") {
    out[0] = input(in, 7);  // y_zero_point's dtype
  } else if (op == "Dropout") {
    out[0] = input(in, 0);
    if (out.size() > 1) out[1] = DType::boolean;  // the mask
  }
  return out;
}

// The dtypes of node's outputs given its inputs' (unknown where the table has no rule).
inline std::vector<Known> output_dtypes(const Node& node, const std::vector<Known>& in) {
  std::vector<Known> out(node.outputs.size());
  if (!node.domain.empty() && node.domain != "ai.onnx") return out;
  const auto& rules = table();
  const auto it = rules.find(node.op_type);
  if (it == rules.end()) return out;
  switch (it->second) {
    case Rule::same_as_input0:
      for (Known& d : out) d = input(in, 0);
      break;
    case Rule::first_same_rest_i64:
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = i == 0 ? input(in, 0) : DType::i64;
      break;
    case Rule::first_same:
      if (!out.empty()) out[0] = input(in, 0);
      break;
    case Rule::int64:
      for (Known& d : out) d = DType::i64;
      break;
    case Rule::boolean:
      for (Known& d : out) d = DType::boolean;
      break;
    case Rule::output0_as_input1:
      if (!out.empty()) out[0] = input(in, 1);
      break;
    case Rule::int32:
      for (Known& d : out) d = DType::i32;
      break;
    case Rule::special: return special_rule(node, in);
  }
  return out;
}

}  // namespace dtype_rules

// Per value of g, its dtype where the loader knows it: a declared graph input (the runner
// refuses any other), a constant, or a node output by output_dtypes(). Containers, captured
// values and declared value_info stay unknown: a wrong guess would refuse a model that runs.
inline std::vector<std::optional<DType>> known_dtypes(const Graph& g) {
  std::vector<std::optional<DType>> known(g.values.size());
  for (std::size_t i = 0; i < g.values.size(); ++i) {
    const Value& v = g.values[i];
    if (!v.constant.empty()) known[i] = v.constant.dtype();
  }
  for (int id : g.inputs) {
    const Value& v = g.values[id];
    if (v.has_dtype && !v.is_container && !v.captured) known[id] = v.dtype;
  }
  std::vector<std::optional<DType>> in;
  for (const Node& node : g.nodes) {
    if (node.dead) continue;
    in.assign(node.inputs.size(), std::nullopt);
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] >= 0) in[i] = known[node.inputs[i]];
    }
    const std::vector<std::optional<DType>> out = dtype_rules::output_dtypes(node, in);
    for (std::size_t i = 0; i < node.outputs.size() && i < out.size(); ++i) {
      const int id = node.outputs[i];
      if (id >= 0 && !g.values[id].is_container && g.values[id].constant.empty())
        known[id] = out[i];
    }
  }
  return known;
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_DTYPE_RULES_HPP
