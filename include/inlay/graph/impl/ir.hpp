// The graph IR: values (named edges, some of them constants), nodes in topological order, and
// after compile() the kernel of every node. Built from an onnx::GraphProto by graph/import.hpp,
// rewritten by graph/passes.hpp, run by graph/runner.hpp. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_IR_HPP
#define INLAY_GRAPH_IMPL_IR_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/graph/op.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {

struct Value {
  std::string name;
  bool has_dtype = false;  // declared (graph inputs/outputs, value_info) or known (constants)
  DType dtype = DType::f32;
  bool has_shape = false;
  std::vector<std::int64_t> dims;       // -1: symbolic or unknown
  std::vector<std::string> dim_params;  // symbol where dims[i] == -1
  Tensor constant;                      // non-empty: the value is a constant of the model
  bool captured = false;                // defined by an enclosing graph (subgraphs only)
  // Declared a sequence, an optional (dtype, dims: its tensors'), a map or a sequence of maps
  // (dtype: the values', key_dtype: the keys'); see docs/graph.md.
  bool is_container = false;
  ContainerValue::Kind container_kind = ContainerValue::Kind::sequence;
  bool optional_of_sequence = false;
  DType key_dtype = DType::i64;
};

struct Node {
  std::string name, op_type, domain;  // domain "" is ONNX's default
  std::int64_t opset = 0;             // the model's version of `domain`
  std::vector<int> inputs;            // value ids; -1 marks an omitted optional input
  std::vector<int> outputs;           // value ids; -1 marks an unused optional output
  std::vector<int> implicit_inputs;   // outer values read by this node's subgraphs
  std::vector<Attribute> attributes;
  bool dead = false;         // removed by a pass (dropped by compact())
  bool host_kernel = false;  // served by the host's custom ops: fuse() leaves it as is
};

struct Graph {
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<int> inputs, outputs;
  std::vector<int> captures;  // ids of the captured values (Value::captured)

  // Filled by compile(): per node its OpInfo and kernel; per value the index of the last node
  // that reads it (nodes.size() for graph outputs, -1 for values nothing reads).
  std::vector<OpInfo> infos;
  std::vector<std::unique_ptr<OpKernel>> kernels;
  std::vector<std::int64_t> last_use;

  // "node 'name' (domain:Op)" for error messages about node i.
  std::string describe(std::size_t node) const;
};

// The OpInfo of a node: its constant inputs (as they are now), their known dtypes (`dtypes`, per
// value, from known_dtypes()) and its attributes.
OpInfo make_info(const Graph& g, const Node& node, const std::vector<std::optional<DType>>* dtypes);
// Creates the kernel of every node (custom ops first), computes last uses. After this the graph
// must not change.
void compile(Graph& g, const OpSet* custom_ops);
// The kernel factory for a node, or an Error (unsupported_op) naming op, domain, opset and node.
const OpFactory& find_factory(const Node& node, const OpSet* custom_ops, const Graph& g,
                              std::size_t index);

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_IR_HPP
