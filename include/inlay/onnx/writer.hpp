// Writing ONNX models: a graph described in memory (inputs, outputs, initializers, nodes with
// attributes) serialized as ModelProto bytes in the protobuf wire format (no libprotobuf).
// Field numbers are onnx.proto's (IR version 8), as in onnx/proto.hpp.
#ifndef INLAY_ONNX_WRITER_HPP
#define INLAY_ONNX_WRITER_HPP

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/dtype.hpp"
#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {

// One node; its attributes are encoded as they are added. Returned by GraphWriter::add_node,
// valid as long as the GraphWriter.
class NodeWriter {
 public:
  NodeWriter(std::string op_type, std::vector<std::string> inputs, std::vector<std::string> outputs,
             std::string name, std::string domain);

  NodeWriter& attr(const std::string& name, std::int64_t value);
  NodeWriter& attr(const std::string& name, int value) {
    return attr(name, static_cast<std::int64_t>(value));
  }
  NodeWriter& attr(const std::string& name, float value);
  NodeWriter& attr(const std::string& name, double value) {
    return attr(name, static_cast<float>(value));
  }
  NodeWriter& attr(const std::string& name, const std::string& value);
  NodeWriter& attr(const std::string& name, const char* value) {
    return attr(name, std::string(value));
  }
  NodeWriter& attr(const std::string& name, const std::vector<std::int64_t>& values);
  NodeWriter& attr(const std::string& name, std::initializer_list<int> values) {
    return attr(name, std::vector<std::int64_t>(values.begin(), values.end()));
  }
  NodeWriter& attr(const std::string& name, const std::vector<float>& values);
  NodeWriter& attr(const std::string& name, std::initializer_list<float> values) {
    return attr(name, std::vector<float>(values));
  }
  NodeWriter& attr(const std::string& name, const std::vector<std::string>& values);
  NodeWriter& attr(const std::string& name, const Tensor& value);

  const std::string& op_type() const noexcept { return op_type_; }
  // The NodeProto bytes.
  std::string bytes() const;

 private:
  std::string op_type_, name_, domain_;
  std::vector<std::string> inputs_, outputs_;
  std::string attributes_;  // encoded AttributeProto fields
};

// What a ModelProto says about the model besides its graph: who made it, which version, what it
// is (ModelProto fields 2-6 and 14 metadata_props, e.g. training data, metrics, date).
struct ModelInfo {
  std::string producer = "inlay";  // producer_version is always inlay's version
  std::string domain;              // reverse-DNS namespace, e.g. "com.example.digits"
  std::int64_t model_version = 0;  // 0: not written
  std::string doc_string;
  std::vector<std::pair<std::string, std::string>> metadata_props;  // keys should be unique
};

// Appends `info`'s domain, model_version, doc_string and metadata_props to ModelProto bytes
// (protobuf messages may carry their fields in any order, so the result is one valid model).
void append_model_info(std::string& model_bytes, const ModelInfo& info);

class GraphWriter {
 public:
  explicit GraphWriter(std::string graph_name = "inlay_graph");

  // dims[i] < 0 or dim_params[i] non-empty marks a symbolic dimension (dim_param, or no value at
  // all when the name is empty).
  void add_input(const std::string& name, DType dtype, const std::vector<std::int64_t>& dims,
                 const std::vector<std::string>& dim_params = {});
  void add_output(const std::string& name, DType dtype, const std::vector<std::int64_t>& dims,
                  const std::vector<std::string>& dim_params = {});
  // An output whose type the file leaves out (`type {}`), typed when the model runs: inlay
  // accepts it (e.g. to observe an intermediate value); the ONNX checker wants types.
  void add_untyped_output(const std::string& name);
  // The elements are copied now (little-endian raw_data).
  void add_initializer(const std::string& name, const Tensor& value);
  NodeWriter& add_node(const std::string& op_type, const std::vector<std::string>& inputs,
                       const std::vector<std::string>& outputs, const std::string& name = "",
                       const std::string& domain = "");
  // An operator set besides the default domain's (which model_bytes writes from `opset`).
  void add_opset_import(const std::string& domain, std::int64_t version);

  std::size_t node_count() const noexcept { return nodes_.size(); }

  // The ModelProto bytes. The IR version follows the opset (7 up to opset 14, 8 up to 18,
  // 9 for 19-20, 10 after), the pairs the ONNX releases introduced together.
  std::string model_bytes(std::int64_t opset = 17, const std::string& producer = "inlay") const;
  // The same with the model's version, description and metadata (info.producer replaces
  // `producer`).
  std::string model_bytes(std::int64_t opset, const ModelInfo& info) const;
  // Writes model_bytes to `path`; errors: io naming the path.
  void save(const std::string& path, std::int64_t opset = 17,
            const std::string& producer = "inlay") const;

 private:
  std::string name_;
  std::string inputs_, outputs_, initializers_;  // encoded repeated GraphProto fields
  std::vector<std::unique_ptr<NodeWriter>> nodes_;
  std::string opset_imports_;
};

// A TensorProto's bytes for `value` (raw_data), e.g. to write test data files (input_0.pb).
std::string tensor_proto_bytes(const std::string& name, const Tensor& value);

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_WRITER_HPP
