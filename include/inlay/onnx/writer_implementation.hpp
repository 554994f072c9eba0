// Definitions behind onnx/writer.hpp: the protobuf wire format written field by field.
// Repeated numbers are written unpacked (one tag each), which every protobuf reader accepts.
#ifndef INLAY_ONNX_WRITER_IMPLEMENTATION_HPP
#define INLAY_ONNX_WRITER_IMPLEMENTATION_HPP

#include <cstring>
#include <fstream>

#include "inlay/onnx/impl/tensor.hpp"
#include "inlay/onnx/proto.hpp"
#include "inlay/onnx/writer.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {
namespace detail {

// Appends fields to a message's bytes (wire types: 0 varint, 2 length-delimited, 5 fixed32).
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  void varint_field(std::uint32_t field, std::uint64_t value) {
    key(field, 0);
    varint(value);
  }
  void int_field(std::uint32_t field, std::int64_t value) {  // int64/int32: two's complement
    varint_field(field, static_cast<std::uint64_t>(value));
  }
  void bytes_field(std::uint32_t field, const void* data, std::size_t size) {
    key(field, 2);
    varint(size);
    out_.append(static_cast<const char*>(data), size);
  }
  void string_field(std::uint32_t field, const std::string& s) {
    bytes_field(field, s.data(), s.size());
  }
  void float_field(std::uint32_t field, float value) {
    key(field, 5);
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 4; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xffu);
  }

 private:
  void key(std::uint32_t field, unsigned wire_type) {
    varint((static_cast<std::uint64_t>(field) << 3) | wire_type);
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  std::string& out_;
};

// TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian elements).
inline std::string tensor_bytes(const std::string& name, const Tensor& value) {
  if (value.empty() && value.numel() != 0) {
    fail(ErrorKind::invalid_argument, "ONNX writer: tensor '" + name + "' has no elements");
  }
  std::string out;
  Encoder e(out);
  for (std::int64_t d : value.shape()) e.int_field(1, d);
  e.int_field(2, static_cast<std::int32_t>(data_type_of(value.dtype())));
  if (!name.empty()) e.string_field(8, name);
  if (value.dtype() == DType::string) {  // string_data (6), one field per element
    const std::string* s = value.data<std::string>();
    for (std::int64_t i = 0; i < value.numel(); ++i) e.string_field(6, s[i]);
    return out;
  }
  std::string raw(value.nbytes(), '\0');
  if (!raw.empty())
    copy_little_endian(&raw[0], value.raw_data(), raw.size(), dtype_size(value.dtype()));
  e.string_field(9, raw);
  return out;
}

// ValueInfoProto: name (1), type (2) = TypeProto{tensor_type (1) = {elem_type (1), shape (2)}};
// TensorShapeProto.dim (1) = {dim_value (1) | dim_param (2)}.
inline std::string value_info_bytes(const std::string& name, DType dtype,
                                    const std::vector<std::int64_t>& dims,
                                    const std::vector<std::string>& dim_params) {
  if (!dim_params.empty() && dim_params.size() != dims.size()) {
    fail(ErrorKind::invalid_argument, "ONNX writer: value '" + name + "' has " +
                                          std::to_string(dims.size()) + " dims but " +
                                          std::to_string(dim_params.size()) + " dim_params");
  }
  std::string shape;
  Encoder s(shape);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    std::string dim;
    Encoder d(dim);
    if (!dim_params.empty() && !dim_params[i].empty()) {
      d.string_field(2, dim_params[i]);
    } else if (dims[i] >= 0) {
      d.int_field(1, dims[i]);
    }  // else: an unknown dimension, neither field
    s.string_field(1, dim);
  }
  std::string tensor_type;
  Encoder t(tensor_type);
  t.int_field(1, static_cast<std::int32_t>(data_type_of(dtype)));
  t.string_field(2, shape);
  std::string type;
  Encoder(type).string_field(1, tensor_type);
  std::string out;
  Encoder v(out);
  v.string_field(1, name);
  v.string_field(2, type);
  return out;
}

// The IR version released with each opset (onnx/helper.py's VERSION_TABLE).
inline std::int64_t ir_version_for(std::int64_t opset) {
  if (opset <= 8) return 3;
  if (opset <= 11) return opset - 5;  // 9 -> 4, 10 -> 5, 11 -> 6
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

}  // namespace detail

// ---- NodeWriter: AttributeProto name (1), f (2), i (3), s (4), t (5), floats (7), ints (8),
// strings (9), type (20).

NodeWriter::NodeWriter(std::string op_type, std::vector<std::string> inputs,
                       std::vector<std::string> outputs, std::string name, std::string domain)
    : op_type_(std::move(op_type)),
      name_(std::move(name)),
      domain_(std::move(domain)),
      inputs_(std::move(inputs)),
      outputs_(std::move(outputs)) {
  if (op_type_.empty()) fail(ErrorKind::invalid_argument, "ONNX writer: a node without op_type");
}

namespace detail {

inline void add_attribute(std::string& attributes, const std::string& name, AttributeType type,
                          const std::string& value_fields) {
  if (name.empty()) fail(ErrorKind::invalid_argument, "ONNX writer: an attribute without a name");
  std::string a;
  Encoder e(a);
  e.string_field(1, name);
  a += value_fields;
  e.int_field(20, static_cast<std::int32_t>(type));
  Encoder(attributes).string_field(5, a);
}

}  // namespace detail

NodeWriter& NodeWriter::attr(const std::string& name, std::int64_t value) {
  std::string v;
  detail::Encoder(v).int_field(3, value);
  detail::add_attribute(attributes_, name, AttributeType::int_, v);
  return *this;
}

NodeWriter& NodeWriter::attr(const std::string& name, float value) {
  std::string v;
  detail::Encoder(v).float_field(2, value);
  detail::add_attribute(attributes_, name, AttributeType::float_, v);
  return *this;
}

NodeWriter& NodeWriter::attr(const std::string& name, const std::string& value) {
  std::string v;
  detail::Encoder(v).string_field(4, value);
  detail::add_attribute(attributes_, name, AttributeType::string, v);
  return *this;
}

NodeWriter& NodeWriter::attr(const std::string& name, const std::vector<std::int64_t>& values) {
  std::string v;
  detail::Encoder e(v);
  for (std::int64_t x : values) e.int_field(8, x);
  detail::add_attribute(attributes_, name, AttributeType::ints, v);
  return *this;
}

NodeWriter& NodeWriter::attr(const std::string& name, const std::vector<float>& values) {
  std::string v;
  detail::Encoder e(v);
  for (float x : values) e.float_field(7, x);
  detail::add_attribute(attributes_, name, AttributeType::floats, v);
  return *this;
}

NodeWriter& NodeWriter::attr(const std::string& name, const std::vector<std::string>& values) {
  std::string v;
  detail::Encoder e(v);
  for (const std::string& x : values) e.string_field(9, x);
  detail::add_attribute(attributes_, name, AttributeType::strings, v);
  return *this;
}

NodeWriter& NodeWriter::attr(const std::string& name, const Tensor& value) {
  std::string v;
  detail::Encoder(v).string_field(5, detail::tensor_bytes("", value));
  detail::add_attribute(attributes_, name, AttributeType::tensor, v);
  return *this;
}

// NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7).
std::string NodeWriter::bytes() const {
  std::string out;
  detail::Encoder e(out);
  for (const std::string& s : inputs_) e.string_field(1, s);
  for (const std::string& s : outputs_) e.string_field(2, s);
  if (!name_.empty()) e.string_field(3, name_);
  e.string_field(4, op_type_);
  out += attributes_;
  if (!domain_.empty()) e.string_field(7, domain_);
  return out;
}

// ---- GraphWriter: GraphProto node (1), name (2), initializer (5), input (11), output (12).

GraphWriter::GraphWriter(std::string graph_name) : name_(std::move(graph_name)) {
  if (name_.empty()) {
    fail(ErrorKind::invalid_argument,
         "ONNX writer: the graph needs a name (the checker requires one)");
  }
}

void GraphWriter::add_input(const std::string& name, DType dtype,
                            const std::vector<std::int64_t>& dims,
                            const std::vector<std::string>& dim_params) {
  detail::Encoder(inputs_).string_field(11,
                                        detail::value_info_bytes(name, dtype, dims, dim_params));
}

void GraphWriter::add_output(const std::string& name, DType dtype,
                             const std::vector<std::int64_t>& dims,
                             const std::vector<std::string>& dim_params) {
  detail::Encoder(outputs_).string_field(12,
                                         detail::value_info_bytes(name, dtype, dims, dim_params));
}

void GraphWriter::add_untyped_output(const std::string& name) {
  std::string info;
  detail::Encoder v(info);
  v.string_field(1, name);
  v.bytes_field(2, "", 0);  // an empty TypeProto
  detail::Encoder(outputs_).string_field(12, info);
}

void GraphWriter::add_initializer(const std::string& name, const Tensor& value) {
  if (name.empty()) fail(ErrorKind::invalid_argument, "ONNX writer: an initializer without a name");
  detail::Encoder(initializers_).string_field(5, detail::tensor_bytes(name, value));
}

NodeWriter& GraphWriter::add_node(const std::string& op_type,
                                  const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs, const std::string& name,
                                  const std::string& domain) {
  nodes_.push_back(std::make_unique<NodeWriter>(op_type, inputs, outputs, name, domain));
  return *nodes_.back();
}

void GraphWriter::add_opset_import(const std::string& domain, std::int64_t version) {
  std::string opset;
  detail::Encoder e(opset);
  e.string_field(1, domain);
  e.int_field(2, version);
  detail::Encoder(opset_imports_).string_field(8, opset);
}

// ModelProto: ir_version (1), producer_name (2), producer_version (3), graph (7),
// opset_import (8).
std::string GraphWriter::model_bytes(std::int64_t opset, const std::string& producer) const {
  if (opset < 1) {
    fail(ErrorKind::invalid_argument,
         "ONNX writer: opset " + std::to_string(opset) + " is not valid");
  }
  std::string graph;
  detail::Encoder g(graph);
  for (const auto& node : nodes_) g.string_field(1, node->bytes());
  g.string_field(2, name_);
  graph += initializers_;
  graph += inputs_;
  graph += outputs_;

  std::string default_opset;
  detail::Encoder(default_opset).int_field(2, opset);  // domain "" is the default: not written

  std::string model;
  detail::Encoder m(model);
  m.int_field(1, detail::ir_version_for(opset));
  m.string_field(2, producer);
  m.string_field(3, INLAY_VERSION_STRING);
  m.string_field(7, graph);
  m.string_field(8, default_opset);
  model += opset_imports_;
  return model;
}

void append_model_info(std::string& model_bytes, const ModelInfo& info) {
  detail::Encoder m(model_bytes);
  if (!info.domain.empty()) m.string_field(4, info.domain);
  if (info.model_version != 0) m.int_field(5, info.model_version);
  if (!info.doc_string.empty()) m.string_field(6, info.doc_string);
  for (const auto& kv : info.metadata_props) {
    std::string entry;
    detail::Encoder e(entry);
    e.string_field(1, kv.first);
    e.string_field(2, kv.second);
    m.string_field(14, entry);
  }
}

std::string GraphWriter::model_bytes(std::int64_t opset, const ModelInfo& info) const {
  std::string model = model_bytes(opset, info.producer);
  append_model_info(model, info);
  return model;
}

void GraphWriter::save(const std::string& path, std::int64_t opset,
                       const std::string& producer) const {
  const std::string bytes = model_bytes(opset, producer);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorKind::io, "cannot create ONNX file '" + path + "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(ErrorKind::io, "cannot write ONNX file '" + path + "'");
}

std::string tensor_proto_bytes(const std::string& name, const Tensor& value) {
  return detail::tensor_bytes(name, value);
}

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_WRITER_IMPLEMENTATION_HPP
