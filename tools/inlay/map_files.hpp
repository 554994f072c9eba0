// Maps in test-data files (.pb), as the ONNX backend-test layout stores them: a MapProto, or a
// SequenceProto (elem_type MAP) of MapProtos, each value a one-element TensorProto in the map's
// `values` sequence (onnx.numpy_helper.from_dict). Read into and written from inlay's
// ContainerValue (kind map: {keys, values}; map_sequence: the pairs one after another).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_cli {

// Element i of a numeric tensor as a 0-D view (copy_elements moves it without a type switch).
inline inlay::Tensor element_view(const inlay::Tensor& t, std::size_t i) {
  // The views only feed copy_elements, which writes where the tensor `t` is owned and writable.
  char* base = static_cast<char*>(const_cast<void*>(t.raw_data()));
  return inlay::Tensor::view(t.dtype(), base + i * inlay::dtype_size(t.dtype()), inlay::Shape{});
}

// The keys and values tensors of one MapProto, appended to `out`.
inline void append_map(const inlay::onnx::MapProto& m, const std::string& dir,
                       const std::string& what, std::vector<inlay::Tensor>& out) {
  using inlay::DType;
  const bool strings = m.key_type == static_cast<std::int32_t>(inlay::onnx::DataType::string);
  const std::size_t n = strings ? m.string_keys.size() : m.keys.size();
  if (m.values.tensor_values.size() != n) {
    inlay::fail(inlay::ErrorKind::invalid_argument,
                what + ": a map has " + std::to_string(n) + " keys and " +
                    std::to_string(m.values.tensor_values.size()) + " values");
  }
  const auto count = static_cast<std::int64_t>(n);
  inlay::Tensor keys(strings ? DType::string : DType::i64, inlay::Shape{count});
  for (std::size_t i = 0; i < n; ++i) {
    if (strings) {
      keys.data<std::string>()[i] = std::string(m.string_keys[i]);
    } else {
      keys.data<std::int64_t>()[i] = m.keys[i];
    }
  }
  DType dtype = DType::f32;
  std::vector<inlay::Tensor> scalars;
  for (const auto& t : m.values.tensor_values) {
    scalars.push_back(inlay::onnx::to_tensor(t, dir));
    if (scalars.back().numel() != 1 || scalars.back().dtype() == DType::string) {
      inlay::fail(inlay::ErrorKind::unsupported_op,
                  what + ": map values must be numeric tensors of one element each");
    }
    dtype = scalars.front().dtype();
    if (scalars.back().dtype() != dtype) {
      inlay::fail(inlay::ErrorKind::invalid_argument, what + ": map values of mixed dtypes");
    }
  }
  inlay::Tensor values(dtype, inlay::Shape{count});
  for (std::size_t i = 0; i < n; ++i) {
    inlay::Tensor slot = element_view(values, i);
    inlay::Tensor::copy_elements(scalars[i].reshaped(inlay::Shape{}), slot);
  }
  out.push_back(std::move(keys));
  out.push_back(std::move(values));
}

// A map or sequence-of-maps file as the model declares it (`dtype`: of the values).
inline std::shared_ptr<inlay::ContainerValue> read_maps(const std::string& bytes,
                                                        const std::string& dir, bool sequence,
                                                        inlay::DType key, inlay::DType dtype,
                                                        const std::string& what) {
  auto value = std::make_shared<inlay::ContainerValue>();
  value->kind =
      sequence ? inlay::ContainerValue::Kind::map_sequence : inlay::ContainerValue::Kind::map;
  value->key_dtype = key;
  value->dtype = dtype;
  if (sequence) {
    const inlay::onnx::SequenceProto s = inlay::onnx::parse_sequence(bytes.data(), bytes.size());
    for (const auto& m : s.map_values) append_map(m, dir, what, value->tensors);
  } else {
    append_map(inlay::onnx::parse_map(bytes.data(), bytes.size()), dir, what, value->tensors);
  }
  if (!value->tensors.empty()) {
    value->key_dtype = value->tensors[0].dtype();
    value->dtype = value->tensors[1].dtype();
  }
  return value;
}

namespace detail {

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
inline void put_tag(std::string& out, std::uint32_t field, unsigned wire) {
  put_varint(out, (std::uint64_t(field) << 3) | wire);
}
inline void put_bytes(std::string& out, std::uint32_t field, const std::string& payload) {
  put_tag(out, field, 2);
  put_varint(out, payload.size());
  out += payload;
}

// MapProto: key_type (2), keys (3) or string_keys (4), values (5: SequenceProto of tensors).
inline std::string map_proto_bytes(const inlay::Tensor& keys, const inlay::Tensor& values) {
  std::string out, seq;
  const bool strings = keys.dtype() == inlay::DType::string;
  put_tag(out, 2, 0);
  put_varint(out, static_cast<std::uint64_t>(inlay::onnx::data_type_of(keys.dtype())));
  for (std::int64_t i = 0; i < keys.numel(); ++i) {
    if (strings) {
      put_bytes(out, 4, keys.data<std::string>()[i]);
    } else {
      put_tag(out, 3, 0);
      put_varint(out, static_cast<std::uint64_t>(keys.data<std::int64_t>()[i]));
    }
  }
  put_tag(seq, 2, 0);
  put_varint(seq, 1);  // elem_type TENSOR
  for (std::int64_t i = 0; i < values.numel(); ++i) {
    put_bytes(
        seq, 3,
        inlay::onnx::tensor_proto_bytes("", element_view(values, static_cast<std::size_t>(i))));
  }
  put_bytes(out, 5, seq);
  return out;
}

}  // namespace detail

// The bytes of a map (MapProto) or sequence of maps (SequenceProto, elem_type MAP) named `name`.
inline std::string maps_proto_bytes(const inlay::ContainerValue& c, const std::string& name) {
  if (c.kind == inlay::ContainerValue::Kind::map) {
    std::string out;
    detail::put_bytes(out, 1, name);
    return out + detail::map_proto_bytes(c.tensors.at(0), c.tensors.at(1));
  }
  std::string out;
  detail::put_bytes(out, 1, name);
  detail::put_tag(out, 2, 0);
  detail::put_varint(out, 4);  // elem_type MAP
  for (std::size_t i = 0; i + 1 < c.tensors.size(); i += 2) {
    detail::put_bytes(out, 6, detail::map_proto_bytes(c.tensors[i], c.tensors[i + 1]));
  }
  return out;
}

}  // namespace inlay_cli
