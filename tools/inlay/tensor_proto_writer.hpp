// Serializes an inlay::Tensor as an ONNX TensorProto (dims, data_type, name, raw_data; field
// numbers from onnx.proto), the format of the backend tests' input_*.pb / output_*.pb files.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include <inlay/inlay.hpp>

namespace inlay_cli {

// TensorProto.DataType of an inlay dtype.
inline std::int32_t onnx_data_type(inlay::DType t) {
  using inlay::DType;
  using D = inlay::onnx::DataType;
  switch (t) {
    case DType::f32: return static_cast<std::int32_t>(D::float32);
    case DType::f16: return static_cast<std::int32_t>(D::float16);
    case DType::f64: return static_cast<std::int32_t>(D::float64);
    case DType::i8: return static_cast<std::int32_t>(D::int8);
    case DType::u8: return static_cast<std::int32_t>(D::uint8);
    case DType::i16: return static_cast<std::int32_t>(D::int16);
    case DType::u16: return static_cast<std::int32_t>(D::uint16);
    case DType::i32: return static_cast<std::int32_t>(D::int32);
    case DType::u32: return static_cast<std::int32_t>(D::uint32);
    case DType::i64: return static_cast<std::int32_t>(D::int64);
    case DType::u64: return static_cast<std::int32_t>(D::uint64);
    case DType::boolean: return static_cast<std::int32_t>(D::boolean);
  }
  return 0;
}

namespace proto_detail {

inline void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

inline void key(std::string& out, std::uint32_t field, unsigned wire_type) {
  varint(out, (static_cast<std::uint64_t>(field) << 3) | wire_type);
}

inline void bytes_field(std::string& out, std::uint32_t field, const void* data, std::size_t n) {
  key(out, field, 2);
  varint(out, n);
  out.append(static_cast<const char*>(data), n);
}

}  // namespace proto_detail

// The TensorProto bytes: each dim as its own varint field (as protobuf writes proto2 repeated
// int64), then data_type, name and raw_data (little-endian elements: inlay runs on
// little-endian hosts).
inline std::string serialize_tensor_proto(const inlay::Tensor& t, const std::string& name) {
  using namespace proto_detail;
  std::string out;
  for (std::size_t i = 0; i < t.rank(); ++i) {
    key(out, 1, 0);
    varint(out, static_cast<std::uint64_t>(t.shape()[i]));
  }
  key(out, 2, 0);
  varint(out, static_cast<std::uint64_t>(onnx_data_type(t.dtype())));
  bytes_field(out, 8, name.data(), name.size());
  bytes_field(out, 9, t.raw_data(), t.nbytes());
  return out;
}

inline void write_tensor_proto(const std::string& path, const inlay::Tensor& t,
                               const std::string& name) {
  const std::string bytes = serialize_tensor_proto(t, name);
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) inlay::fail(inlay::ErrorKind::io, path + ": cannot write");
}

}  // namespace inlay_cli
