// Graph rewrites at load: constant folding (a node whose inputs are all constants runs once and
// its outputs become constants) and dead-node removal. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_PASSES_HPP
#define INLAY_GRAPH_IMPL_PASSES_HPP

#include <string>
#include <vector>

#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/impl/runner.hpp"
#include "inlay/onnx/file.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {

namespace detail {
inline bool may_fold(const Node& n) {
  static const char* const random_ops[] = {"RandomNormal",      "RandomUniform", "RandomNormalLike",
                                           "RandomUniformLike", "Multinomial",   "Bernoulli"};
  for (const char* op : random_ops) {
    if (n.op_type == op) return false;
  }
  // Sequences, optionals and maps are never constants (only tensors are): their ops stay.
  if (n.op_type.find("Sequence") != std::string::npos ||
      n.op_type.find("Optional") != std::string::npos || n.op_type == "ZipMap") {
    return false;
  }
  for (const Attribute& a : n.attributes) {
    if (a.kind == Attribute::Kind::graph) return false;  // control flow stays
  }
  return !n.outputs.empty();
}
}  // namespace detail

// Runs every node whose inputs are all constants (in order, so chains fold) and marks it dead.
// The graph must be compiled; returns the number of nodes folded.
inline std::size_t fold_constants(Graph& g) {
  Runner runner(g, nullptr);
  std::size_t folded = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.dead || !detail::may_fold(n) || !n.implicit_inputs.empty()) continue;
    bool constant = true;
    for (int id : n.inputs) constant = constant && (id < 0 || !g.values[id].constant.empty());
    if (!constant) continue;
    runner.run_single(i);
    for (int id : n.outputs) {
      if (id < 0) continue;
      Value& v = g.values[id];
      v.constant = runner.value(id);
      v.has_dtype = true;
      v.dtype = v.constant.dtype();
    }
    n.dead = true;
    ++folded;
  }
  return folded;
}

// Marks the nodes no graph output depends on as dead.
inline void remove_dead_nodes(Graph& g) {
  std::vector<char> needed(g.values.size(), 0);
  for (int id : g.outputs) needed[id] = 1;
  for (std::size_t k = g.nodes.size(); k-- > 0;) {
    Node& n = g.nodes[k];
    if (n.dead) continue;
    bool live = false;
    for (int id : n.outputs) live = live || (id >= 0 && needed[id]);
    if (!live) {
      n.dead = true;
      continue;
    }
    for (int id : n.inputs) {
      if (id >= 0) needed[id] = 1;
    }
    for (int id : n.implicit_inputs) needed[id] = 1;
  }
}

// Drops dead nodes (kernels must be compiled again afterwards), and the constants no node reads
// any more (a fusion's folded copy replaced them, or only dead nodes read them): their memory is
// freed, or for a view of a memory-mapped model its pages leave resident memory.
inline void compact(Graph& g) {
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (Node& n : g.nodes) {
    if (!n.dead) kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
  g.infos.clear();
  g.kernels.clear();
  std::vector<char> read(g.values.size(), 0);
  for (const Node& n : g.nodes) {
    for (int id : n.inputs) {
      if (id >= 0) read[id] = 1;
    }
    for (int id : n.implicit_inputs) read[id] = 1;
  }
  for (int id : g.inputs) read[id] = 1;
  for (int id : g.outputs) read[id] = 1;
  for (std::size_t id = 0; id < g.values.size(); ++id) {
    Tensor& c = g.values[id].constant;
    if (read[id] || c.empty()) continue;
    onnx::release_file_pages(c.raw_data(), c.nbytes());
    c = Tensor();
  }
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_PASSES_HPP
