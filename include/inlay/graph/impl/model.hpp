// Model: read, import, optimize, compile. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_MODEL_HPP
#define INLAY_GRAPH_IMPL_MODEL_HPP

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "inlay/graph/impl/compile.hpp"
#include "inlay/graph/impl/float16_in_float32.hpp"
#include "inlay/graph/impl/fuse.hpp"
#include "inlay/graph/impl/fuse_qdq.hpp"
#include "inlay/graph/impl/import.hpp"
#include "inlay/graph/impl/passes.hpp"
#include "inlay/graph/model.hpp"
#include "inlay/onnx/file.hpp"
#include "inlay/onnx/parse.hpp"

INLAY_NAMESPACE_BEGIN

struct Model::Impl {
  std::shared_ptr<const void> bytes;  // the model's bytes, which in-place weights point into
  std::unique_ptr<graph::Graph> graph;
  std::vector<std::string> input_names, output_names;
  std::vector<ValueDesc> inputs, outputs;
  Summary summary;
  Metadata metadata;
};

namespace graph {
namespace detail {

inline ValueDesc describe_value(const Value& v) {
  ValueDesc d;
  d.name = v.name;
  if (v.is_container) {
    switch (v.container_kind) {
      case ContainerValue::Kind::sequence: d.kind = ValueDesc::Kind::sequence; break;
      case ContainerValue::Kind::map: d.kind = ValueDesc::Kind::map; break;
      case ContainerValue::Kind::map_sequence: d.kind = ValueDesc::Kind::map_sequence; break;
      case ContainerValue::Kind::optional:
        d.kind = v.optional_of_sequence ? ValueDesc::Kind::optional_sequence
                                        : ValueDesc::Kind::optional_tensor;
        break;
    }
    d.key_dtype = v.key_dtype;
  }
  d.dtype = v.dtype;
  d.has_shape = v.has_shape;
  d.dims = v.dims;
  d.dim_params = v.dim_params;
  return d;
}

inline std::shared_ptr<const Model::Impl> build_model(const onnx::ModelProto& proto,
                                                      std::shared_ptr<const void> bytes,
                                                      const std::string& directory,
                                                      const ModelOptions& options) {
  auto impl = std::make_shared<Model::Impl>();
  impl->bytes = bytes;
  ImportContext ctx;
  ctx.directory = directory;
  ctx.bytes_owner = bytes;
  ctx.max_function_nodes = options.max_function_nodes;
  impl->graph = import_model(proto, ctx, options.custom_ops);
  Graph& g = *impl->graph;

  Model::Summary& s = impl->summary;
  s.ir_version = proto.ir_version;
  s.producer = std::string(proto.producer_name);
  if (!proto.producer_version.empty()) s.producer += " " + std::string(proto.producer_version);
  s.opsets = ctx.opsets;
  Model::Metadata& m = impl->metadata;
  m.ir_version = proto.ir_version;
  m.model_version = proto.model_version;
  m.producer_name = std::string(proto.producer_name);
  m.producer_version = std::string(proto.producer_version);
  m.domain = std::string(proto.domain);
  m.doc_string = std::string(proto.doc_string);
  m.graph_name = std::string(proto.graph.name);
  for (const auto& kv : proto.metadata_props) m.props[std::string(kv.key)] = std::string(kv.value);
  for (const auto& n : proto.graph.node) ++s.op_counts[std::string(n.op_type)];
  s.nodes_loaded = proto.graph.node.size();
  for (const Value& v : g.values) {
    if (!v.constant.empty()) {
      s.parameters += v.constant.numel();
      s.weight_bytes += v.constant.nbytes();
    }
  }

  compute_float16_in_float32(g);
  if (options.optimize && fuse_qdq(g, builtin_ops(), options.custom_ops) > 0) {
    // Before folding, which would turn the int8 weights' DequantizeLinear into float weights.
    remove_dead_nodes(g);
    compact(g);
  }
  compile(g, options.custom_ops);
  if (options.optimize) {
    fold_constants(g);
    fuse(g, options.fuse_custom_ops ? nullptr : options.custom_ops);
    remove_dead_nodes(g);
    compact(g);
    compile(g, options.custom_ops);
  }
  s.nodes_planned = g.nodes.size();
  for (const Node& n : g.nodes) {
    ++s.planned_op_counts[n.domain.empty() ? n.op_type : n.domain + ":" + n.op_type];
  }
  for (int id : g.inputs) {
    impl->inputs.push_back(describe_value(g.values[id]));
    impl->input_names.push_back(g.values[id].name);
  }
  for (int id : g.outputs) {
    impl->outputs.push_back(describe_value(g.values[id]));
    impl->output_names.push_back(g.values[id].name);
  }
  return impl;
}

}  // namespace detail
}  // namespace graph

Model Model::load(const std::string& path, const ModelOptions& options) {
  onnx::ModelFile file = onnx::read_model_file(path);
#ifndef INLAY_NO_EXCEPTIONS
  try {  // errors about the graph say which file they are about
    return Model(graph::detail::build_model(file.model, file.bytes, file.directory, options));
  } catch (const Error& e) { fail(e.kind(), path + ": " + e.message()); }
#else
  return Model(graph::detail::build_model(file.model, file.bytes, file.directory, options));
#endif
}

Model Model::from_bytes(const void* data, std::size_t size, const ModelOptions& options) {
  const onnx::ModelProto proto = onnx::parse_model(data, size);
  // The caller keeps the bytes alive: an owner that owns nothing.
  std::shared_ptr<const void> bytes(data, [](const void*) {});
  return Model(graph::detail::build_model(proto, bytes, std::string(), options));
}

Model Model::copy_from_bytes(const void* data, std::size_t size, const ModelOptions& options) {
  if (data == nullptr && size != 0) {
    fail(ErrorKind::invalid_argument,
         "Model::copy_from_bytes: null data with size " + std::to_string(size));
  }
  std::shared_ptr<std::uint8_t> copy(new std::uint8_t[size ? size : 1],
                                     std::default_delete<std::uint8_t[]>());
  if (size) std::memcpy(copy.get(), data, size);
  const onnx::ModelProto proto = onnx::parse_model(copy.get(), size);
  return Model(graph::detail::build_model(proto, copy, std::string(), options));
}

const std::vector<std::string>& Model::input_names() const noexcept { return impl_->input_names; }
const std::vector<std::string>& Model::output_names() const noexcept { return impl_->output_names; }
const std::vector<ValueDesc>& Model::inputs() const noexcept { return impl_->inputs; }
const std::vector<ValueDesc>& Model::outputs() const noexcept { return impl_->outputs; }
const ValueDesc& Model::input(const std::string& name) const {
  for (const ValueDesc& d : impl_->inputs) {
    if (d.name == name) return d;
  }
  fail(ErrorKind::invalid_argument, "the model has no input named '" + name + "'");
}
const ValueDesc& Model::output(const std::string& name) const {
  for (const ValueDesc& d : impl_->outputs) {
    if (d.name == name) return d;
  }
  fail(ErrorKind::invalid_argument, "the model has no output named '" + name + "'");
}
const Model::Summary& Model::summary() const noexcept { return impl_->summary; }
const Model::Metadata& Model::metadata() const noexcept { return impl_->metadata; }

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_MODEL_HPP
