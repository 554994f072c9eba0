// onnx::ModelProto -> graph IR: names resolved to values (through enclosing graphs for the
// subgraphs of If/Loop/Scan), nodes sorted topologically (cycles and dangling names refused),
// model-local functions inlined, initializers turned into constants (used in place when the
// bytes allow it). Implementation-only.
#ifndef INLAY_GRAPH_IMPL_IMPORT_HPP
#define INLAY_GRAPH_IMPL_IMPORT_HPP

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "inlay/graph/impl/ir.hpp"
#include "inlay/onnx/file.hpp"
#include "inlay/onnx/proto.hpp"
#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {

struct ImportContext {
  std::string directory;                       // external data must lie inside ("" refuses it)
  std::shared_ptr<const void> bytes_owner;     // keeps the model's bytes alive for in-place weights
  std::map<std::string, std::int64_t> opsets;  // domain ("" = ONNX) -> version
  // Model-local functions by domain + '\0' + name.
  std::unordered_map<std::string, const onnx::FunctionProto*> functions;
  // Nodes that inlining model-local functions may add to one graph (ModelOptions).
  std::size_t max_function_nodes = std::size_t(1) << 16;
};

namespace detail {

inline std::string canonical_domain(std::string_view domain) {
  return domain == "ai.onnx" ? std::string() : std::string(domain);
}

inline bool little_endian_host() {
  const std::uint16_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// A constant from an initializer or tensor attribute. raw_data inside the model's bytes is used
// in place when it is suitably aligned (the kernels read elements through typed pointers);
// everything else is copied by onnx::to_tensor, which also checks every count.
inline Tensor import_tensor(const onnx::TensorProto& proto, const ImportContext& ctx) {
  DType dtype;
  if (ctx.bytes_owner && proto.has_raw_data && proto.data_location != onnx::TensorProto::external &&
      little_endian_host() && onnx::to_dtype(proto.data_type, dtype) && dtype != DType::boolean &&
      dtype != DType::string && proto.dims.size() <= Shape::max_rank &&
      reinterpret_cast<std::uintptr_t>(proto.raw_data.data()) % dtype_size(dtype) == 0) {
    std::int64_t count = 1;
    bool ok = true;
    for (std::int64_t d : proto.dims) {
      if (d < 0 || (d != 0 && count > (INT64_MAX / 8) / d)) {
        ok = false;
        break;
      }
      count *= d;
    }
    if (ok && static_cast<std::size_t>(count) * dtype_size(dtype) == proto.raw_data.size()) {
      return Tensor::view(dtype, proto.raw_data.data(), Shape(proto.dims.data(), proto.dims.size()),
                          ctx.bytes_owner);
    }
  }
  Tensor copy = onnx::to_tensor(proto, ctx.directory);
  // The copy replaces the model's bytes, which a memory-mapped model need not keep resident.
  if (proto.has_raw_data) onnx::release_file_pages(proto.raw_data.data(), proto.raw_data.size());
  return copy;
}

// Name -> value id within one graph, with the enclosing graph's scope for subgraphs.
class Scope {
 public:
  Scope(Graph& g, Scope* parent) : g_(g), parent_(parent) {}

  int find_local(const std::string& name) const {
    auto it = ids_.find(name);
    return it == ids_.end() ? -1 : it->second;
  }
  // Resolves a name read by a node: local, else captured from an enclosing graph (recorded in
  // `captures`), else -1.
  int resolve(const std::string& name) {
    int id = find_local(name);
    if (id >= 0 || parent_ == nullptr) return id;
    const int outer = parent_->resolve(name);
    if (outer < 0) return -1;
    id = add(name, "captured value");
    Value& v = g_.values[id];
    v.captured = true;
    const Value& ov = parent_->g_.values[outer];
    v.has_dtype = ov.has_dtype;
    v.dtype = ov.dtype;
    g_.captures.push_back(id);
    return id;
  }
  // A new value; duplicate names are an error (ONNX graphs are in SSA form).
  int add(const std::string& name, const char* what) {
    if (ids_.count(name)) {
      fail(ErrorKind::invalid_model, "graph '" + g_.name + "': " + what + " '" + name +
                                         "' has the name of another value (names must be unique)");
    }
    const int id = static_cast<int>(g_.values.size());
    g_.values.emplace_back();
    g_.values.back().name = name;
    ids_.emplace(name, id);
    return id;
  }

 private:
  Graph& g_;
  Scope* parent_;
  std::unordered_map<std::string, int> ids_;
};

// An initializer ("tensor") or graph input ("value") whose element type inlay has no dtype for
// (float8, int4 ...): unsupported_op naming it and the first node that reads it.
inline void refuse_element_type(const onnx::GraphProto& g, std::int32_t data_type, const char* what,
                                const std::string& name) {
  DType dtype;
  if (data_type == 0 || onnx::to_dtype(data_type, dtype)) return;
  std::string reader;
  for (const auto& n : g.node) {
    for (const auto& i : n.input) {
      if (i == name && reader.empty()) {
        reader = ", read by node '" + std::string(n.name) + "' (" +
                 (n.domain.empty() ? std::string() : std::string(n.domain) + ":") +
                 std::string(n.op_type) + ")";
      }
    }
  }
  fail(ErrorKind::unsupported_op, "graph '" + std::string(g.name) + "': " + what + " '" + name +
                                      "'" + reader + ", has element type " +
                                      onnx::data_type_name(data_type) +
                                      ", which inlay does not support");
}

inline void fill_type(Value& v, const onnx::ValueInfoProto& info, const std::string& graph) {
  // A value whose type the file leaves out is a tensor of a type found when it runs.
  using C = onnx::TypeProto::Container;
  const std::vector<C>& c = info.type.containers;
  if (!info.type.has_tensor_type && !info.type.has_other_type && c.empty()) return;
  if (info.type.has_other_type) {
    fail(ErrorKind::unsupported_op, "graph '" + graph + "': value '" + std::string(info.name) +
                                        "' is a sparse tensor (not supported)");
  }
  // The element type: of the tensor, or of the tensors a sequence or optional holds.
  DType dtype;
  if (info.type.elem_type != 0) {
    if (!onnx::to_dtype(info.type.elem_type, dtype)) {
      fail(ErrorKind::unsupported_op,
           "graph '" + graph + "': value '" + std::string(info.name) + "' has element type " +
               onnx::data_type_name(info.type.elem_type) + ", which inlay does not support");
    }
    v.has_dtype = true;
    v.dtype = dtype;
  }
  const auto map_at = [&](std::size_t i) { return c.size() == i + 1 && c[i] == C::map; };
  if (map_at(0) || (map_at(1) && c[0] == C::sequence)) {
    // Maps and sequences of maps (ZipMap, DictVectorizer): int64 or string keys.
    DType key;
    if (!onnx::to_dtype(info.type.map_key_type, key) ||
        (key != DType::i64 && key != DType::string)) {
      fail(ErrorKind::unsupported_op, "graph '" + graph + "': value '" + std::string(info.name) +
                                          "' is a map with " +
                                          onnx::data_type_name(info.type.map_key_type) +
                                          " keys; inlay's maps have int64 or string keys");
    }
    v.is_container = true;
    v.container_kind =
        c.size() == 1 ? ContainerValue::Kind::map : ContainerValue::Kind::map_sequence;
    v.key_dtype = key;
    return;
  }
  if (!c.empty()) {
    // Sequences of tensors, optional tensors and optional sequences of tensors (docs/graph.md).
    const bool ok = c.size() == 1 || (c.size() == 2 && c[0] == C::optional && c[1] == C::sequence);
    if (!ok) {
      fail(ErrorKind::unsupported_op, "graph '" + graph + "': value '" + std::string(info.name) +
                                          "' nests sequences or optionals in a way inlay does "
                                          "not support (only sequence(tensor), "
                                          "optional(tensor), optional(sequence(tensor)), "
                                          "map and sequence(map))");
    }
    v.is_container = true;
    v.container_kind =
        c[0] == C::sequence ? ContainerValue::Kind::sequence : ContainerValue::Kind::optional;
    v.optional_of_sequence = c.size() == 2;
    return;  // the shape of the tensors inside is not checked
  }
  if (info.type.has_shape) {
    if (info.type.shape.size() > Shape::max_rank) {
      fail(ErrorKind::unsupported_op, "graph '" + graph + "': value '" + std::string(info.name) +
                                          "' has rank " + std::to_string(info.type.shape.size()) +
                                          ", above inlay's maximum " +
                                          std::to_string(Shape::max_rank));
    }
    v.has_shape = true;
    v.dims.clear();
    v.dim_params.clear();
    for (const auto& d : info.type.shape) {
      if (d.has_value && d.value < 0) {
        fail(ErrorKind::invalid_model, "graph '" + graph + "': value '" + std::string(info.name) +
                                           "' has a negative dimension " + std::to_string(d.value));
      }
      v.dims.push_back(d.has_value ? d.value : -1);
      v.dim_params.emplace_back(d.has_value ? std::string_view() : d.param);
    }
  }
}

std::shared_ptr<const Graph> import_subgraph(const onnx::GraphProto& proto,
                                             const ImportContext& ctx, Scope& parent, Node& owner,
                                             const OpSet* custom_ops);

inline Attribute import_attribute(const onnx::AttributeProto& a, const ImportContext& ctx,
                                  Scope& scope, Node& node, const OpSet* custom_ops,
                                  const std::string& where) {
  using T = onnx::AttributeType;
  Attribute out;
  out.name = std::string(a.name);
  switch (a.type) {
    case T::float_:
      out.kind = Attribute::Kind::float_;
      out.f = a.f;
      break;
    case T::int_:
      out.kind = Attribute::Kind::int_;
      out.i = a.i;
      break;
    case T::string:
      out.kind = Attribute::Kind::string;
      out.s = std::string(a.s);
      break;
    case T::tensor:
      if (!a.has_t) {
        fail(ErrorKind::invalid_model,
             where + ": tensor attribute '" + out.name + "' has no tensor");
      }
      out.kind = Attribute::Kind::tensor;
      out.t = import_tensor(a.t, ctx);
      break;
    case T::graph:
      if (!a.g) {
        fail(ErrorKind::invalid_model, where + ": graph attribute '" + out.name + "' has no graph");
      }
      out.kind = Attribute::Kind::graph;
      out.g = import_subgraph(*a.g, ctx, scope, node, custom_ops);
      break;
    case T::floats:
      out.kind = Attribute::Kind::floats;
      out.floats = a.floats;
      break;
    case T::ints:
      out.kind = Attribute::Kind::ints;
      out.ints = a.ints;
      break;
    case T::strings:
      out.kind = Attribute::Kind::strings;
      for (auto s : a.strings) out.strings.emplace_back(s);
      break;
    default:
      fail(ErrorKind::unsupported_op, where + ": attribute '" + out.name + "' of type " +
                                          std::to_string(static_cast<int>(a.type)) +
                                          " (tensors, graphs, sparse tensors or type protos "
                                          "lists) is not supported");
  }
  return out;
}

// The names a subgraph reads from enclosing graphs: read by its nodes (or their subgraphs) or
// listed as its outputs, and defined nowhere inside it.
inline void outer_names(const onnx::GraphProto& g, std::unordered_set<std::string>& out) {
  std::unordered_set<std::string_view> defined;
  for (const auto& t : g.initializer) defined.insert(t.name);
  for (const auto& v : g.input) defined.insert(v.name);
  for (const auto& n : g.node) defined.insert(n.output.begin(), n.output.end());
  const auto read = [&](std::string_view name) {
    if (!name.empty() && !defined.count(name)) out.emplace(name);
  };
  for (const auto& n : g.node) {
    for (std::string_view name : n.input) read(name);
    for (const auto& a : n.attribute) {
      std::unordered_set<std::string> inner;
      if (a.g) outer_names(*a.g, inner);
      for (const auto& sub : a.graphs) outer_names(sub, inner);
      for (const std::string& name : inner) read(name);
    }
  }
  for (const auto& v : g.output) read(v.name);
}

// Nodes as written, with model-local functions expanded in place.
struct FlatNode {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<onnx::AttributeProto> attributes;
};

inline std::string function_key(const std::string& domain, const std::string& op_type) {
  return domain + '\0' + op_type;
}

inline const onnx::FunctionProto* find_function(const ImportContext& ctx, const std::string& domain,
                                                const std::string& op_type) {
  auto it = ctx.functions.find(function_key(domain, op_type));
  return it == ctx.functions.end() ? nullptr : it->second;
}

// Limits on model-local functions: a few functions calling each other twice per level would
// otherwise expand to billions of nodes, and a long chain of calls would exhaust the stack.
// (Inlining costs time and memory per node, and the names of inner values grow with the depth.)
// The node limit is ctx.max_function_nodes; the sizes are computed from the call graph, one pass
// over the functions, before anything is inlined.
constexpr int max_function_depth = 32;

// The number of nodes `op_type` of `domain` expands to (1 for an op), saturated at
// ctx.max_function_nodes + 1; recursion and too deep nesting are errors naming the function.
inline std::size_t expanded_size(const ImportContext& ctx, const std::string& domain,
                                 const std::string& op_type,
                                 std::unordered_map<const onnx::FunctionProto*, std::size_t>& memo,
                                 int depth) {
  const onnx::FunctionProto* fn = find_function(ctx, domain, op_type);
  if (fn == nullptr) return 1;
  constexpr std::size_t in_progress = 0;
  auto it = memo.find(fn);
  if (it != memo.end()) {
    if (it->second == in_progress) {
      fail(ErrorKind::invalid_model, "function '" + op_type +
                                         "' is recursive (it calls itself, directly or through "
                                         "other functions): recursive functions are not allowed");
    }
    return it->second;
  }
  if (depth >= max_function_depth) {
    fail(ErrorKind::invalid_model, "function '" + op_type + "' is called more than " +
                                       std::to_string(max_function_depth) +
                                       " function levels deep");
  }
  memo[fn] = in_progress;
  const std::size_t saturated =
      ctx.max_function_nodes == SIZE_MAX ? SIZE_MAX : ctx.max_function_nodes + 1;
  std::size_t total = 0;
  for (const auto& inner : fn->node) {
    const std::size_t size = expanded_size(ctx, canonical_domain(inner.domain),
                                           std::string(inner.op_type), memo, depth + 1);
    total = size >= saturated - total ? saturated : total + size;
  }
  memo[fn] = std::max<std::size_t>(total, 1);  // an empty function still counts as a node
  return memo[fn];
}

inline FlatNode flat_node(const onnx::NodeProto& n) {
  FlatNode f;
  f.name = std::string(n.name);
  f.op_type = std::string(n.op_type);
  f.domain = canonical_domain(n.domain);
  for (auto s : n.input) f.inputs.emplace_back(s);
  for (auto s : n.output) f.outputs.emplace_back(s);
  f.attributes = n.attribute;
  return f;
}

// Appends `f`, or the nodes of the model-local function it calls (recursively).
// expanded_size() has checked the functions: no recursion, bounded depth and size.
inline void flatten_node(FlatNode f, const ImportContext& ctx, std::vector<FlatNode>& out,
                         std::size_t& counter) {
  const onnx::FunctionProto* fn = find_function(ctx, f.domain, f.op_type);
  if (fn == nullptr) {
    out.push_back(std::move(f));
    return;
  }
  // The function's formal inputs/outputs become the caller's names; its internal values get
  // fresh names that cannot clash with the graph's.
  std::unordered_map<std::string, std::string> rename;
  for (std::size_t i = 0; i < fn->input.size(); ++i) {
    rename[std::string(fn->input[i])] = i < f.inputs.size() ? f.inputs[i] : std::string();
  }
  for (std::size_t i = 0; i < fn->output.size(); ++i) {
    rename[std::string(fn->output[i])] = i < f.outputs.size() ? f.outputs[i] : std::string();
  }
  const std::string prefix = "inlay:" + f.op_type + "#" + std::to_string(counter++) + "/";
  auto mapped = [&](std::string_view name) -> std::string {
    if (name.empty()) return std::string();
    auto it = rename.find(std::string(name));
    return it != rename.end() ? it->second : prefix + std::string(name);
  };
  for (const auto& inner : fn->node) {
    FlatNode g = flat_node(inner);
    g.name = prefix + g.name;
    for (auto& s : g.inputs) s = mapped(s);
    for (auto& s : g.outputs) s = mapped(s);
    // An attribute that refers to the caller's takes the caller's value (dropped when absent).
    g.attributes.clear();
    for (const auto& a : inner.attribute) {
      if (a.ref_attr_name.empty()) {
        g.attributes.push_back(a);
        continue;
      }
      for (const auto& ca : f.attributes) {
        if (ca.name == a.ref_attr_name) {
          onnx::AttributeProto c = ca;
          c.name = a.name;
          g.attributes.push_back(c);
        }
      }
    }
    flatten_node(std::move(g), ctx, out, counter);
  }
}

inline std::unique_ptr<Graph> import_graph(const onnx::GraphProto& proto, const ImportContext& ctx,
                                           Scope* parent, const OpSet* custom_ops) {
  auto g = std::make_unique<Graph>();
  g->name = std::string(proto.name);
  Scope scope(*g, parent);

  // Initializers first: ONNX (IR < 4) may also list them as graph inputs; such an input is the
  // constant (inlay does not let callers override initializers).
  std::unordered_map<std::string, const onnx::TensorProto*> initializers;
  for (const auto& t : proto.initializer) {
    const std::string name(t.name);
    if (name.empty())
      fail(ErrorKind::invalid_model, "graph '" + g->name + "': an initializer has no name");
    refuse_element_type(proto, t.data_type, "tensor", name);
    const int id = scope.add(name, "initializer");
    Value& v = g->values[id];
    v.constant = import_tensor(t, ctx);
    v.has_dtype = true;
    v.dtype = v.constant.dtype();
    v.has_shape = true;
    v.dims.assign(v.constant.shape().begin(), v.constant.shape().end());
    v.dim_params.assign(v.dims.size(), std::string());
    initializers.emplace(name, &t);
  }
  for (const auto& in : proto.input) {
    const std::string name(in.name);
    if (initializers.count(name)) continue;
    if (name.empty())
      fail(ErrorKind::invalid_model, "graph '" + g->name + "': an input has no name");
    if (in.type.has_tensor_type && in.type.containers.empty())
      refuse_element_type(proto, in.type.elem_type, "value", name);
    const int id = scope.add(name, "input");
    fill_type(g->values[id], in, g->name);
    // A subgraph's inputs (a Loop or Scan body's) are typed by what the node passes at run time;
    // the main graph's must say what the caller feeds.
    if (parent == nullptr && !g->values[id].has_dtype) {
      fail(ErrorKind::invalid_model,
           "graph '" + g->name + "': input '" + name + "' has no element type");
    }
    g->inputs.push_back(id);
  }

  std::vector<FlatNode> flat;
  {
    std::unordered_map<const onnx::FunctionProto*, std::size_t> memo;
    std::size_t total = 0, added = 0;
    for (const auto& n : proto.node) {
      const std::size_t size =
          expanded_size(ctx, canonical_domain(n.domain), std::string(n.op_type), memo, 0);
      total += size;
      added += size - 1;
      const std::size_t limit = ctx.max_function_nodes;
      if (size > limit || added > limit) {  // size saturates at limit + 1
        fail(ErrorKind::invalid_model,
             "graph '" + g->name + "': node '" + std::string(n.name) + "' calls function '" +
                 std::string(n.op_type) + "', which expands to " +
                 (size > limit ? "more than " + std::to_string(limit) : std::to_string(size)) +
                 " nodes; model-local functions may add at most " + std::to_string(limit) +
                 " nodes to a graph (ModelOptions::max_function_nodes)");
      }
    }
    flat.reserve(total);
    std::size_t counter = 0;
    for (const auto& n : proto.node) flatten_node(flat_node(n), ctx, flat, counter);
  }

  // Outputs of every node get their value first, so that nodes may be listed in any order.
  std::vector<std::vector<int>> outputs(flat.size());
  std::unordered_map<int, std::size_t> producer;
  for (std::size_t i = 0; i < flat.size(); ++i) {
    for (const auto& name : flat[i].outputs) {
      if (name.empty()) {
        outputs[i].push_back(-1);
        continue;
      }
      const std::string what = "output of node " + std::to_string(i) + " (" + flat[i].op_type + ")";
      const int id = scope.add(name, what.c_str());
      outputs[i].push_back(id);
      producer.emplace(id, i);
    }
  }
  // Kahn's algorithm, stable: nodes keep the file's order where the data allows.
  std::vector<std::vector<std::size_t>> users(flat.size());
  std::vector<std::size_t> pending(flat.size(), 0);
  std::vector<std::vector<int>> inputs(flat.size());
  for (std::size_t i = 0; i < flat.size(); ++i) {
    for (const auto& name : flat[i].inputs) {
      if (name.empty()) {
        inputs[i].push_back(-1);
        continue;
      }
      const int id = scope.resolve(name);
      if (id < 0) {
        fail(ErrorKind::invalid_model, "graph '" + g->name + "': node " + std::to_string(i) + " '" +
                                           flat[i].name + "' (" + flat[i].op_type + ") reads '" +
                                           name +
                                           "', which is no input, initializer or node output");
      }
      inputs[i].push_back(id);
      auto p = producer.find(id);
      if (p != producer.end()) {
        users[p->second].push_back(i);
        ++pending[i];
      }
    }
  }
  // A node with subgraphs also waits for the values its subgraphs capture from this graph.
  for (std::size_t i = 0; i < flat.size(); ++i) {
    std::unordered_set<std::string> captured;
    for (const auto& a : flat[i].attributes) {
      if (a.g) outer_names(*a.g, captured);
      for (const auto& sub : a.graphs) outer_names(sub, captured);
    }
    for (const std::string& name : captured) {
      auto p = producer.find(scope.find_local(name));
      if (p != producer.end()) {
        users[p->second].push_back(i);
        ++pending[i];
      }
    }
  }
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<std::size_t>> ready;
  for (std::size_t i = 0; i < flat.size(); ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (std::size_t u : users[i]) {
      if (--pending[u] == 0) ready.push(u);
    }
  }
  if (order.size() != flat.size()) {
    for (std::size_t i = 0; i < flat.size(); ++i) {
      if (pending[i] != 0) {
        fail(ErrorKind::invalid_model, "graph '" + g->name + "': node " + std::to_string(i) + " '" +
                                           flat[i].name + "' (" + flat[i].op_type +
                                           ") is part of a cycle");
      }
    }
  }

  for (std::size_t i : order) {
    const FlatNode& f = flat[i];
    Node node;
    node.name = f.name;
    node.op_type = f.op_type;
    node.domain = f.domain;
    auto opset = ctx.opsets.find(f.domain);
    if (opset == ctx.opsets.end()) {
      fail(ErrorKind::invalid_model, "node '" + f.name + "' (" + f.op_type + ") uses domain '" +
                                         f.domain + "', which the model does not import");
    }
    node.opset = opset->second;
    node.inputs = inputs[i];
    node.outputs = outputs[i];
    const std::string where = "node '" + f.name + "' (" + f.op_type + ")";
    for (const auto& a : f.attributes) {
      // Optional's 'type' (a TypeProto) types an empty optional; inlay needs no type for one.
      if (f.op_type == "Optional" && f.domain.empty() && a.type == onnx::AttributeType::type_proto)
        continue;
      node.attributes.push_back(import_attribute(a, ctx, scope, node, custom_ops, where));
    }
    g->nodes.push_back(std::move(node));
  }
  // value_info: declared types of intermediate values.
  for (const auto& vi : proto.value_info) {
    const int id = scope.find_local(std::string(vi.name));
    if (id >= 0 && g->values[id].constant.empty()) fill_type(g->values[id], vi, g->name);
  }
  for (const auto& out : proto.output) {
    const std::string name(out.name);
    const int id = scope.resolve(name);
    if (id < 0) {
      fail(ErrorKind::invalid_model, "graph '" + g->name + "': output '" + name +
                                         "' is no input, initializer or node output");
    }
    Value& v = g->values[id];
    if (v.constant.empty()) {
      const bool had = v.has_dtype;
      const DType before = v.dtype;
      fill_type(v, out, g->name);
      if (had && v.has_dtype && before != v.dtype) {
        fail(ErrorKind::invalid_model,
             "graph '" + g->name + "': output '" + name + "' is declared with two element types");
      }
    }
    g->outputs.push_back(id);
  }
  return g;
}

inline std::shared_ptr<const Graph> import_subgraph(const onnx::GraphProto& proto,
                                                    const ImportContext& ctx, Scope& parent,
                                                    Node& owner, const OpSet* custom_ops) {
  std::unique_ptr<Graph> g = import_graph(proto, ctx, &parent, custom_ops);
  // The owner node reads every captured value: it must stay alive until the node runs.
  for (int id : g->captures) {
    const int outer = parent.resolve(g->values[id].name);
    bool seen = false;
    for (int x : owner.implicit_inputs) seen = seen || x == outer;
    if (!seen) owner.implicit_inputs.push_back(outer);
  }
  compile(*g, custom_ops);
  return std::shared_ptr<const Graph>(std::move(g));
}

}  // namespace detail

// The main graph of a model.
inline std::unique_ptr<Graph> import_model(const onnx::ModelProto& model, ImportContext& ctx,
                                           const OpSet* custom_ops) {
  if (!model.has_graph) fail(ErrorKind::invalid_model, "the model has no graph");
  ctx.opsets.clear();
  for (const auto& o : model.opset_import) {
    ctx.opsets[detail::canonical_domain(o.domain)] = o.version;
  }
  if (model.opset_import.empty()) {
    if (model.ir_version >= 3) {  // from IR version 3 on, opset_import is required
      fail(ErrorKind::invalid_model,
           "the model imports no opset (opset_import is required from "
           "IR version 3 on; this model has IR version " +
               std::to_string(model.ir_version) + ")");
    }
    ctx.opsets[""] = 1;  // IR version 2 and before: opset 1
  }
  ctx.functions.clear();
  for (const auto& f : model.functions) {
    const std::string domain = detail::canonical_domain(f.domain);
    if (!ctx.functions.emplace(detail::function_key(domain, std::string(f.name)), &f).second) {
      fail(ErrorKind::invalid_model,
           "function '" + std::string(f.name) + "' of domain '" + domain + "' is defined twice");
    }
  }
  return detail::import_graph(model.graph, ctx, nullptr, custom_ops);
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_IMPORT_HPP
