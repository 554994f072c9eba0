// Tensor files of the command-line tool: serialized ONNX TensorProto (.pb, as in the backend-test
// layout) and NumPy .npy, chosen by the file's extension.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "map_files.hpp"
#include "npy.hpp"

namespace inlay_cli {

namespace fs = std::filesystem;

inline bool has_extension(const fs::path& path, const char* ext) {
  return path.extension().string() == ext;
}

// A .npy file by its extension, anything else as a TensorProto.
inline inlay::Tensor read_tensor(const fs::path& path) {
  if (has_extension(path, ".npy")) return read_npy(path.string());
  const inlay::onnx::TensorFile f = inlay::onnx::read_tensor_file(path.string());
  return inlay::onnx::to_tensor(f.tensor, f.directory);
}

// Writes .npy when the path ends in .npy, else a TensorProto named `name`.
inline void write_tensor(const fs::path& path, const inlay::Tensor& t, const std::string& name) {
  if (has_extension(path, ".npy")) {
    write_npy(path.string(), t);
  } else {
    const std::string bytes = inlay::onnx::tensor_proto_bytes(name, t);
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) inlay::fail(inlay::ErrorKind::io, path.string() + ": cannot write");
  }
}

// <prefix>_0.pb, <prefix>_1.pb ... of a test_data_set folder, in index order.
inline std::vector<inlay::Tensor> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<inlay::Tensor> out;
  for (std::size_t i = 0;; ++i) {
    const fs::path p = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(read_tensor(p));
  }
  return out;
}

}  // namespace inlay_cli

namespace inlay_cli {

// A test-data file of a sequence or optional input or output (SequenceProto, OptionalProto), as
// the model declares it; `dtype` types an empty sequence or optional.
inline inlay::AnyValue read_container(const fs::path& path, inlay::ValueDesc::Kind kind,
                                      inlay::DType dtype) {
  std::ifstream in(path, std::ios::binary);
  if (!in) inlay::fail(inlay::ErrorKind::io, path.string() + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string dir = path.parent_path().string();
  auto value = std::make_shared<inlay::ContainerValue>();
  value->dtype = dtype;
  auto add_tensors = [&](const std::vector<inlay::onnx::TensorProto>& tensors) {
    for (const auto& t : tensors) value->tensors.push_back(inlay::onnx::to_tensor(t, dir));
    if (!value->tensors.empty()) value->dtype = value->tensors[0].dtype();
  };
  if (kind == inlay::ValueDesc::Kind::sequence) {
    value->kind = inlay::ContainerValue::Kind::sequence;
    add_tensors(inlay::onnx::parse_sequence(bytes.data(), bytes.size()).tensor_values);
  } else {
    const inlay::onnx::OptionalProto o = inlay::onnx::parse_optional(bytes.data(), bytes.size());
    value->kind = inlay::ContainerValue::Kind::optional;
    value->has_value = o.has_tensor || o.has_sequence;
    value->holds_sequence = o.has_sequence;
    if (o.has_tensor) add_tensors({o.tensor_value});
    if (o.has_sequence) add_tensors(o.sequence_value.tensor_values);
  }
  return inlay::AnyValue{inlay::Tensor(), std::move(value)};
}

// The bytes of a sequence (SequenceProto: name 1, elem_type 2 = TENSOR, tensor_values 3) or an
// optional (OptionalProto: name 1, elem_type 2, tensor_value 3 or sequence_value 5) named `name`.
inline std::string container_proto_bytes(const inlay::ContainerValue& c, const std::string& name) {
  auto sequence = [](const std::vector<inlay::Tensor>& tensors, const std::string& n) {
    std::string out;
    if (!n.empty()) detail::put_bytes(out, 1, n);
    detail::put_tag(out, 2, 0);
    detail::put_varint(out, 1);  // elem_type TENSOR
    for (const inlay::Tensor& t : tensors) {
      detail::put_bytes(out, 3, inlay::onnx::tensor_proto_bytes("", t));
    }
    return out;
  };
  if (c.kind == inlay::ContainerValue::Kind::sequence) return sequence(c.tensors, name);
  std::string out;
  detail::put_bytes(out, 1, name);
  if (!c.has_value) return out;  // elem_type 0: empty
  detail::put_tag(out, 2, 0);
  if (c.holds_sequence) {
    detail::put_varint(out, 3);  // elem_type SEQUENCE
    detail::put_bytes(out, 5, sequence(c.tensors, ""));
  } else {
    detail::put_varint(out, 1);  // elem_type TENSOR
    detail::put_bytes(out, 3, inlay::onnx::tensor_proto_bytes("", c.tensors.at(0)));
  }
  return out;
}

// A .pb (or, for a tensor, .npy) file of a value as `desc` declares it: a tensor, a sequence or
// optional (SequenceProto, OptionalProto) or a map or sequence of maps (MapProto, SequenceProto).
// Without a declaration the file is read as a tensor.
inline inlay::AnyValue read_value_file(const fs::path& p, const inlay::ValueDesc* desc) {
  using Kind = inlay::ValueDesc::Kind;
  if (desc == nullptr || desc->kind == Kind::tensor)
    return inlay::AnyValue{read_tensor(p), nullptr};
  if (desc->kind == Kind::map || desc->kind == Kind::map_sequence) {
    std::ifstream in(p, std::ios::binary);
    if (!in) inlay::fail(inlay::ErrorKind::io, p.string() + ": cannot open");
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return inlay::AnyValue{inlay::Tensor(), read_maps(bytes, p.parent_path().string(),
                                                      desc->kind == Kind::map_sequence,
                                                      desc->key_dtype, desc->dtype, p.string())};
  }
  return read_container(p, desc->kind, desc->dtype);
}

// <prefix>_<i>.pb of a test_data_set folder for values that may be sequences, optionals or maps.
inline std::vector<inlay::AnyValue> read_numbered_any(const fs::path& dir,
                                                      const std::string& prefix,
                                                      const std::vector<inlay::ValueDesc>& descs) {
  std::vector<inlay::AnyValue> out;
  for (std::size_t i = 0;; ++i) {
    const fs::path p = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(read_value_file(p, i < descs.size() ? &descs[i] : nullptr));
  }
  return out;
}

}  // namespace inlay_cli
