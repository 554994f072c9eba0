// Operators of the graph door: what a kernel for one ONNX node sees, and the table that maps
// (domain, op type, opset) to a kernel. inlay's own operators are registered the same way a host
// registers its custom ones (OpSet, passed to Model::load through ModelOptions).
#ifndef INLAY_GRAPH_OP_HPP
#define INLAY_GRAPH_OP_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/core/executor.hpp"
#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN

class OpInfo;
namespace graph {
struct Graph;  // the IR (graph/impl/ir.hpp): only the implementation looks inside
struct Node;
// The loader fills an OpInfo; `dtypes` (one per value of g, when given) are the value dtypes it
// knows at load (graph/impl/dtype_rules.hpp).
OpInfo make_info(const Graph& g, const Node& node,
                 const std::vector<std::optional<DType>>* dtypes = nullptr);
}  // namespace graph

// One attribute of a node, with the value of its kind (onnx AttributeProto.type).
struct Attribute {
  enum class Kind : std::uint8_t { float_, int_, string, tensor, graph, floats, ints, strings };
  std::string name;
  Kind kind = Kind::int_;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<const graph::Graph> g;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::vector<std::string> strings;
};
const char* to_string(Attribute::Kind kind) noexcept;

// What an operator's factory knows when the model is loaded.
class OpInfo {
 public:
  const std::string& op_type() const noexcept { return op_type_; }
  const std::string& domain() const noexcept { return domain_; }
  const std::string& node_name() const noexcept { return node_name_; }
  std::int64_t opset() const noexcept { return opset_; }
  std::size_t input_count() const noexcept { return inputs_.size(); }
  std::size_t output_count() const noexcept { return output_count_; }
  // Whether input i is given (ONNX marks an omitted optional input with an empty name).
  bool has_input(std::size_t i) const noexcept { return i < inputs_.size() && inputs_[i].given; }
  // The value of input i when it is a constant of the model (an initializer or folded), else
  // null. Kernels use this to prepare work at load (e.g. prepack weights).
  const Tensor* constant_input(std::size_t i) const noexcept {
    return i < inputs_.size() && inputs_[i].given && !inputs_[i].constant.empty()
               ? &inputs_[i].constant
               : nullptr;
  }
  // The dtype of input i when the loader knows it (a declared graph input, a constant, or the
  // output of an earlier node whose dtype follows from its inputs); empty when unknown. Kernels
  // check it at load, so that Model::load refuses a dtype the kernel cannot run.
  std::optional<DType> input_dtype(std::size_t i) const noexcept {
    return i < inputs_.size() && inputs_[i].given ? inputs_[i].dtype : std::nullopt;
  }

  bool has(const std::string& name) const noexcept { return find(name) != nullptr; }
  const Attribute* find(const std::string& name) const noexcept;
  // Typed getters: the default when absent; an Error naming the node when present with another
  // kind.
  std::int64_t get_int(const std::string& name, std::int64_t fallback) const;
  float get_float(const std::string& name, float fallback) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  std::vector<std::int64_t> get_ints(const std::string& name,
                                     std::vector<std::int64_t> fallback = {}) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> fallback = {}) const;
  std::vector<std::string> get_strings(const std::string& name,
                                       std::vector<std::string> fallback = {}) const;
  // Required attributes: an Error naming the node when absent.
  const Attribute& require(const std::string& name, Attribute::Kind kind) const;

  // "node 'name' (domain:OpType, opset N)": the prefix of every error about this node.
  std::string where() const;
  [[noreturn]] void fail(ErrorKind kind, const std::string& message) const;

 private:
  friend OpInfo graph::make_info(const graph::Graph& g, const graph::Node& node,
                                 const std::vector<std::optional<DType>>* dtypes);
  struct Input {
    bool given = false;
    Tensor constant;
    std::optional<DType> dtype;
  };
  std::string op_type_, domain_, node_name_;
  std::int64_t opset_ = 0;
  std::vector<Input> inputs_;
  std::size_t output_count_ = 0;
  const std::vector<Attribute>* attributes_ = nullptr;
};

namespace graph {
class Runner;  // runs a planned graph (graph/runner.hpp)
}

// An ONNX value that is not a tensor: a sequence (a list of tensors of one dtype), an optional
// (empty, or holding one tensor or one sequence), a map (int64 or string keys to scalars, as
// ai.onnx.ml's ZipMap makes and DictVectorizer reads) or a sequence of maps. Shared and never
// changed once made: ops that "change" a sequence make a new one (the tensors themselves are
// shared, not copied).
struct ContainerValue {
  enum class Kind : std::uint8_t { sequence, optional, map, map_sequence };
  Kind kind = Kind::sequence;
  DType dtype = DType::f32;  // the elements' dtype (maps: the values'), known even when empty
  // sequence: its elements; optional: its tensor, or its sequence; map: {keys, values}, two 1-D
  // tensors of one length; map_sequence: keys and values of map 0, then of map 1, ...
  std::vector<Tensor> tensors;
  bool has_value = false;        // optional only: false for an empty optional
  bool holds_sequence = false;   // optional only: the value is a sequence (in `tensors`)
  DType key_dtype = DType::i64;  // map and map_sequence: the keys' dtype (int64 or string)
};

// Any value of a graph: a tensor, or (container non-null) a sequence or an optional.
struct AnyValue {
  Tensor tensor;
  std::shared_ptr<const ContainerValue> container;
  bool is_tensor() const noexcept { return container == nullptr; }
};

// What a kernel sees while it runs: its inputs, its outputs (allocated on request, from the
// session's arena once the shapes are known), scratch memory and the executor.
class OpContext {
 public:
  OpContext(graph::Runner& runner, std::size_t node) noexcept : runner_(runner), node_(node) {}

  std::size_t input_count() const noexcept;
  bool has_input(std::size_t i) const noexcept;
  // Input i; an Error naming the node when it was omitted.
  const Tensor& input(std::size_t i) const;
  std::size_t output_count() const noexcept;
  // Whether output i is used (named in the model).
  bool has_output(std::size_t i) const noexcept;
  // Output i with the given dtype and shape: call once per output before writing it. Contents
  // are unspecified (not zeroed). An output the model does not name gets scratch memory.
  Tensor& output(std::size_t i, DType dtype, const Shape& shape);
  // `bytes` of 64-byte-aligned memory valid until the kernel returns; one scratch per call.
  void* scratch(std::size_t bytes);
  Executor* executor() const noexcept;
  const OpInfo& info() const noexcept;
  [[noreturn]] void fail(ErrorKind kind, const std::string& message) const;

  // Sequences and optionals (ContainerValue). input_container is an Error naming the node and
  // the input when input i is a tensor; input() is one when it is a container.
  bool input_is_container(std::size_t i) const;
  const ContainerValue& input_container(std::size_t i) const;
  void set_output_container(std::size_t i, std::shared_ptr<const ContainerValue> value);
  // Input i whatever it is (Identity, If, Loop), and an output set to one.
  AnyValue input_any(std::size_t i) const;
  void set_output_any(std::size_t i, const AnyValue& value);

  // Control flow: runs subgraph `g` (an attribute of this node) with the given inputs; outer-
  // scope values it names are found through this node. Allocates: not on the planned path.
  std::vector<Tensor> run_subgraph(const graph::Graph& g, const std::vector<Tensor>& inputs);
  // The same for subgraphs that pass sequences or optionals.
  std::vector<AnyValue> run_subgraph_any(const graph::Graph& g,
                                         const std::vector<AnyValue>& inputs);

 private:
  graph::Runner& runner_;
  std::size_t node_;
};

// A kernel for one node, created once when the model is loaded. run() is const: one Model may
// be run by several sessions on several threads at once.
class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void run(OpContext& context) const = 0;
  // True for kernels written for DType::string inputs. The runner refuses a string input to
  // every other kernel: most kernels move elements as bytes, which std::string objects are not.
  virtual bool accepts_strings() const { return false; }
};

using OpFactory = std::function<std::unique_ptr<OpKernel>(const OpInfo& info)>;

// A table of operators. An entry serves every opset from `since_version` until the next entry
// of the same (domain, op type); the domain "" is ONNX's default (also spelled "ai.onnx").
class OpSet {
 public:
  void add(const std::string& domain, const std::string& op_type, std::int64_t since_version,
           OpFactory factory);
  // The entry for `opset`, or null.
  const OpFactory* find(const std::string& domain, const std::string& op_type,
                        std::int64_t opset) const;
  // Every (domain, op type) with its since-versions, sorted (for docs and `inlay info`).
  struct Entry {
    std::string domain, op_type;
    std::int64_t since_version;
    OpFactory factory;
  };
  const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  std::vector<Entry> entries_;
};

// inlay's built-in operators.
const OpSet& builtin_ops();

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OP_HPP
