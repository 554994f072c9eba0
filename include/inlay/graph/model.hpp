// inlay::Model: an ONNX model loaded, checked, optimized and ready to run. Immutable once loaded,
// so one Model may be shared by threads; each thread runs it through its own inlay::Session.
#ifndef INLAY_GRAPH_MODEL_HPP
#define INLAY_GRAPH_MODEL_HPP

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "inlay/core/dtype.hpp"
#include "inlay/graph/op.hpp"

INLAY_NAMESPACE_BEGIN

// A graph input or output as the model declares it.
struct ValueDesc {
  // What the value is: a tensor (the usual), or a sequence / optional (Session::run_any), whose
  // tensors have `dtype`, or a map / sequence of maps (keys `key_dtype`, values `dtype`).
  enum class Kind : std::uint8_t {
    tensor,
    sequence,
    optional_tensor,
    optional_sequence,
    map,
    map_sequence
  };
  std::string name;
  Kind kind = Kind::tensor;
  DType dtype = DType::f32;
  DType key_dtype = DType::i64;         // map and map_sequence only
  bool has_shape = false;               // false: the rank is unknown
  std::vector<std::int64_t> dims;       // -1 where the dimension is symbolic or unknown
  std::vector<std::string> dim_params;  // the symbol ("batch") where dims[i] == -1, else ""
};

struct ModelOptions {
  // Operators of the host, looked up before inlay's own (examples/custom_op). The fusions leave
  // the nodes they serve as written.
  const OpSet* custom_ops = nullptr;
  // Fuse those nodes too: only for custom ops that wrap inlay's own kernels (bench/model_bench's
  // profile), since a fused node carries inlay's attributes (inlay.activation, ...) or becomes an
  // inlay op (inlay:InvertedBottleneck).
  bool fuse_custom_ops = false;
  // Graph optimizations at load: constant folding, dead-node removal, fusions. Off: the graph
  // runs node by node as written (for debugging a model).
  bool optimize = true;
  // Nodes that inlining the model's local functions (FunctionProto) may add to one graph. The
  // expanded size is computed from the call graph before anything is inlined, so a small file
  // whose functions call each other twice per level is refused at once. A host that loads only
  // its own models may raise it; one that loads untrusted models may lower it.
  std::size_t max_function_nodes = std::size_t(1) << 16;
};

class Model {
 public:
  // From a file; the bytes are memory-mapped where possible and weights used in place.
  static Model load(const std::string& path, const ModelOptions& options = {});
  // From bytes that the caller keeps alive as long as the Model: weights are used in place (no
  // copy), e.g. a model compiled into the executable (examples/embed_model).
  static Model from_bytes(const void* data, std::size_t size, const ModelOptions& options = {});
  // From bytes that are copied first: the caller's buffer may go away after this returns.
  static Model copy_from_bytes(const void* data, std::size_t size,
                               const ModelOptions& options = {});

  const std::vector<std::string>& input_names() const noexcept;
  const std::vector<std::string>& output_names() const noexcept;
  const std::vector<ValueDesc>& inputs() const noexcept;
  const std::vector<ValueDesc>& outputs() const noexcept;
  // The description of the input/output with this name; an Error when there is none.
  const ValueDesc& input(const std::string& name) const;
  const ValueDesc& output(const std::string& name) const;

  // Facts for `inlay info`.
  struct Summary {
    std::int64_t ir_version = 0;
    std::string producer;
    std::map<std::string, std::int64_t> opsets;    // domain -> version
    std::map<std::string, std::size_t> op_counts;  // op type as written in the file -> count
    std::size_t nodes_loaded = 0;                  // nodes in the file (subgraphs excluded)
    std::size_t nodes_planned = 0;                 // nodes left after the optimizations
    // The nodes that run, by op type ("domain:Op" outside the default domain), after fusions.
    std::map<std::string, std::size_t> planned_op_counts;
    std::int64_t parameters = 0;  // elements of the initializers
    std::size_t weight_bytes = 0;
  };
  const Summary& summary() const noexcept;

  // What the file says about the model (ModelProto fields 1-6, the graph's name, 14
  // metadata_props), as written, e.g. by nn::save_onnx's OnnxOptions. A key given twice keeps
  // its last value.
  struct Metadata {
    std::int64_t ir_version = 0;
    std::int64_t model_version = 0;  // 0 when the file does not say
    std::string producer_name, producer_version;
    std::string domain;
    std::string doc_string;
    std::string graph_name;
    std::map<std::string, std::string> props;
  };
  const Metadata& metadata() const noexcept;

  struct Impl;

 private:
  friend class Session;
  const Impl& impl() const noexcept { return *impl_; }
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_MODEL_HPP
