// Kernel creation for every node of a graph, and the value lifetimes the runner frees and plans
// memory by. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_COMPILE_HPP
#define INLAY_GRAPH_IMPL_COMPILE_HPP

#include <string>

#include "inlay/graph/impl/dtype_rules.hpp"
#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/op_families.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {

std::string Graph::describe(std::size_t node) const {
  const Node& n = nodes[node];
  return "node '" + n.name + "' (" + (n.domain.empty() ? std::string("ai.onnx") : n.domain) + ":" +
         n.op_type + ")";
}

OpInfo make_info(const Graph& g, const Node& node,
                 const std::vector<std::optional<DType>>* dtypes) {
  OpInfo info;
  info.op_type_ = node.op_type;
  info.domain_ = node.domain;
  info.node_name_ = node.name;
  info.opset_ = node.opset;
  info.output_count_ = node.outputs.size();
  info.attributes_ = &node.attributes;
  info.inputs_.resize(node.inputs.size());
  for (std::size_t i = 0; i < node.inputs.size(); ++i) {
    const int id = node.inputs[i];
    info.inputs_[i].given = id >= 0;
    if (id >= 0) info.inputs_[i].constant = g.values[id].constant;
    if (id >= 0 && dtypes != nullptr) info.inputs_[i].dtype = (*dtypes)[id];
  }
  return info;
}

const OpFactory& find_factory(const Node& node, const OpSet* custom_ops, const Graph& g,
                              std::size_t index) {
  const OpFactory* f =
      custom_ops ? custom_ops->find(node.domain, node.op_type, node.opset) : nullptr;
  if (f == nullptr) f = builtin_ops().find(node.domain, node.op_type, node.opset);
  if (f == nullptr) {
    std::string domain = node.domain.empty() ? std::string("ai.onnx") : node.domain;
    const char* family = builtin_op_family(node.domain, node.op_type);
    if (family != nullptr && builtin_op_selection() != "all") {  // left out of a selective build
      std::string upper = family;
      for (char& c : upper) c = static_cast<char>(c - (c >= 'a' && c <= 'z' ? 'a' - 'A' : 0));
      fail(ErrorKind::unsupported_op,
           g.describe(index) + ": op " + node.op_type + " (" + domain + ", opset " +
               std::to_string(node.opset) + ") is not in this build: it was built with INLAY_OPS=" +
               builtin_op_selection() + "; it needs the op family '" + family + "' (INLAY_OP_" +
               upper + ", or `inlay ops MODEL` for every family a model needs)");
    }
    fail(ErrorKind::unsupported_op, g.describe(index) + ": inlay has no kernel for op " +
                                        node.op_type + " of domain " + domain + " at opset " +
                                        std::to_string(node.opset));
  }
  return *f;
}

void compile(Graph& g, const OpSet* custom_ops) {
  g.infos.clear();
  g.kernels.clear();
  g.infos.reserve(g.nodes.size());
  const std::vector<std::optional<DType>> dtypes = known_dtypes(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    g.infos.push_back(make_info(g, g.nodes[i], &dtypes));
  }
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const OpFactory& factory = find_factory(g.nodes[i], custom_ops, g, i);
    std::unique_ptr<OpKernel> kernel = factory(g.infos[i]);
    if (!kernel)
      fail(ErrorKind::unsupported_op, g.infos[i].where() + ": the factory made no kernel");
    g.kernels.push_back(std::move(kernel));
  }
  g.last_use.assign(g.values.size(), -1);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (int id : g.nodes[i].inputs) {
      if (id >= 0) g.last_use[id] = static_cast<std::int64_t>(i);
    }
    for (int id : g.nodes[i].implicit_inputs) g.last_use[id] = static_cast<std::int64_t>(i);
  }
  for (int id : g.outputs) g.last_use[id] = static_cast<std::int64_t>(g.nodes.size());
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_COMPILE_HPP
