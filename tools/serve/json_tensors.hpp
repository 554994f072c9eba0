// The tensors of the KServe / Open Inference Protocol v2 in JSON: datatype names, an input object
// ({"name", "shape", "datatype", "data"}, data flat or nested in row-major order) to an
// inlay::Tensor, and a tensor back to an output object. Every malformed field is a RequestError
// (HTTP 400) that names the tensor.
// Protocol: https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>
#include <nlohmann/json.hpp>

#include "request_error.hpp"

namespace inlay_serve {

using json = nlohmann::json;

// The protocol's datatype names of the dtypes inlay holds.
inline const char* datatype_name(inlay::DType t) {
  using inlay::DType;
  switch (t) {
    case DType::f32: return "FP32";
    case DType::f16: return "FP16";
    case DType::f64: return "FP64";
    case DType::i8: return "INT8";
    case DType::u8: return "UINT8";
    case DType::i16: return "INT16";
    case DType::u16: return "UINT16";
    case DType::i32: return "INT32";
    case DType::u32: return "UINT32";
    case DType::i64: return "INT64";
    case DType::u64: return "UINT64";
    case DType::boolean: return "BOOL";
    case DType::bf16: return "BF16";
    case DType::string: return "BYTES";
  }
  return "?";
}

inline bool datatype_from_name(const std::string& name, inlay::DType& out) {
  using inlay::DType;
  for (DType t : {DType::f32, DType::f16, DType::f64, DType::i8, DType::u8, DType::i16, DType::u16,
                  DType::i32, DType::u32, DType::i64, DType::u64, DType::boolean, DType::bf16,
                  DType::string}) {
    if (name == datatype_name(t)) {
      out = t;
      return true;
    }
  }
  return false;
}

// Limits on one request, so that a client cannot make the server allocate without bound.
struct TensorLimits {
  std::int64_t max_elements = 16 << 20;  // over all input tensors of a request
};

namespace detail {

// A JSON value for an error message: scalars as written, containers by kind only (dumping a
// container an attacker nested deeply would recurse without bound).
inline std::string describe(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > 40 ? s.substr(0, 40) + "..." : s;
}

// Appends the leaves of `data` (arrays nested to any depth) to `leaves`; stops early past `limit`.
inline void flatten(const json& data, std::vector<const json*>& leaves, std::size_t limit,
                    const std::string& name, int depth = 0) {
  if (depth > 64) throw RequestError(400, "input '" + name + "': data nested too deeply");
  if (!data.is_array()) {
    leaves.push_back(&data);
    return;
  }
  for (const json& d : data) {
    if (leaves.size() > limit) return;
    flatten(d, leaves, limit, name, depth + 1);
  }
}

template <class T>
void store_integer(const json& v, void* dst, std::size_t i, const std::string& name) {
  T value{};
  bool ok = false;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    ok = u <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    value = static_cast<T>(u);
  } else if (v.is_number_integer()) {
    const auto s = v.get<std::int64_t>();
    ok = std::numeric_limits<T>::is_signed
             ? (s >= static_cast<std::int64_t>(std::numeric_limits<T>::lowest()) &&
                s <= static_cast<std::int64_t>(std::numeric_limits<T>::max()))
             : s >= 0 && static_cast<std::uint64_t>(s) <=
                             static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    value = static_cast<T>(s);
  }
  if (!ok) {
    throw RequestError(400, "input '" + name + "': element " + std::to_string(i) + " (" +
                                describe(v) + ") is not an integer of its datatype");
  }
  static_cast<T*>(dst)[i] = value;
}

// A double as a float; values beyond float's range become infinities (converting them directly
// is undefined behaviour).
inline float to_float(double d) {
  const double top = static_cast<double>(std::numeric_limits<float>::max());
  if (d > top) return std::numeric_limits<float>::infinity();
  if (d < -top) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(d);
}

inline double number(const json& v, std::size_t i, const std::string& name) {
  if (!v.is_number()) {
    throw RequestError(400, "input '" + name + "': element " + std::to_string(i) + " (" +
                                describe(v) + ") is not a number");
  }
  return v.get<double>();
}

}  // namespace detail

// The bytes after the JSON header of a request in the binary tensor data extension
// (Inference-Header-Content-Length); inputs take their bytes in order.
// https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_binary_data.md
struct BinaryData {
  const char* data = nullptr;
  std::size_t size = 0, used = 0;
};

namespace detail {

// An input whose "parameters" give "binary_data_size": its elements from `binary`, little-endian
// as the extension defines them (BOOL one byte each).
inline inlay::Tensor tensor_from_binary(const std::string& name, inlay::DType dtype,
                                        const std::vector<std::int64_t>& dims, const json& size,
                                        BinaryData* binary) {
  if (binary == nullptr) {
    throw RequestError(400, "input '" + name +
                                "': binary_data_size without binary data (the request has no "
                                "Inference-Header-Content-Length header)");
  }
  if (!size.is_number_integer() || size.get<std::int64_t>() < 0)
    throw RequestError(400, "input '" + name + "': binary_data_size must be an integer >= 0");
  inlay::Tensor t(dtype, inlay::Shape(dims.data(), dims.size()));
  const auto bytes = static_cast<std::size_t>(size.get<std::int64_t>());
  if (binary->size - binary->used < bytes)
    throw RequestError(400, "input '" + name + "': the binary data ends before its bytes");
  if (dtype == inlay::DType::string) {
    // BYTES: each element a 4-byte little-endian length and that many bytes.
    const auto* p = reinterpret_cast<const unsigned char*>(binary->data + binary->used);
    std::size_t at = 0;
    for (std::int64_t i = 0; i < t.numel(); ++i) {
      if (bytes - at < 4) {
        throw RequestError(400, "input '" + name + "': the binary data ends inside element " +
                                    std::to_string(i) + "'s length");
      }
      const std::size_t length = std::size_t(p[at]) | std::size_t(p[at + 1]) << 8 |
                                 std::size_t(p[at + 2]) << 16 | std::size_t(p[at + 3]) << 24;
      at += 4;
      if (bytes - at < length) {
        throw RequestError(400, "input '" + name + "': element " + std::to_string(i) +
                                    " is longer than the binary data left");
      }
      t.data<std::string>()[i].assign(reinterpret_cast<const char*>(p + at), length);
      at += length;
    }
    if (at != bytes) {
      throw RequestError(400, "input '" + name + "': binary_data_size " + std::to_string(bytes) +
                                  ", its elements take " + std::to_string(at) + " bytes");
    }
    binary->used += bytes;
    return t;
  }
  if (bytes != t.nbytes()) {
    throw RequestError(400, "input '" + name + "': binary_data_size " + std::to_string(bytes) +
                                ", its shape and datatype take " + std::to_string(t.nbytes()) +
                                " bytes");
  }
  if (binary->size - binary->used < bytes)
    throw RequestError(400, "input '" + name + "': the binary data ends before its bytes");
  const char* src = binary->data + binary->used;
  auto* dst = static_cast<unsigned char*>(const_cast<void*>(t.raw_data()));
  if (dtype == inlay::DType::boolean) {
    // Any nonzero byte is true; a bool must hold 0 or 1.
    for (std::size_t i = 0; i < bytes; ++i) dst[i] = src[i] != 0;
  } else if (bytes) {
    std::memcpy(dst, src, bytes);
  }
  binary->used += bytes;
  return t;
}

}  // namespace detail

// A protocol input object to a tensor, its elements in "data" or, with binary_data_size in its
// "parameters", in `binary`. `elements_left` is decreased by its element count.
inline inlay::Tensor tensor_from_json(const json& in, std::int64_t& elements_left,
                                      BinaryData* binary = nullptr) {
  using inlay::DType;
  if (!in.is_object()) throw RequestError(400, "each entry of \"inputs\" must be an object");
  const auto name_it = in.find("name");
  if (name_it == in.end() || !name_it->is_string())
    throw RequestError(400, "an input has no \"name\" string");
  const std::string name = name_it->get<std::string>();
  const auto type_it = in.find("datatype");
  DType dtype{};
  if (type_it == in.end() || !type_it->is_string() ||
      !datatype_from_name(type_it->get<std::string>(), dtype)) {
    throw RequestError(400, "input '" + name +
                                "': \"datatype\" must be one of FP32, FP16, BF16, FP64, INT8, "
                                "UINT8, INT16, UINT16, INT32, UINT32, INT64, UINT64, BOOL, BYTES");
  }
  const auto shape_it = in.find("shape");
  if (shape_it == in.end() || !shape_it->is_array())
    throw RequestError(400, "input '" + name + "': \"shape\" must be an array of integers");
  if (shape_it->size() > inlay::Shape::max_rank)
    throw RequestError(400, "input '" + name + "': rank " + std::to_string(shape_it->size()) +
                                " exceeds inlay's maximum " +
                                std::to_string(inlay::Shape::max_rank));
  std::vector<std::int64_t> dims;
  std::int64_t count = 1;
  for (const json& d : *shape_it) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
      throw RequestError(400, "input '" + name + "': \"shape\" must be an array of integers >= 0");
    const std::int64_t v = d.get<std::int64_t>();
    if (v != 0 && count > elements_left / v) {
      throw RequestError(413, "input '" + name + "': more elements than the server's limit");
    }
    count *= v;
    dims.push_back(v);
  }
  elements_left -= count;
  const auto params = in.find("parameters");
  if (params != in.end() && params->is_object() && params->contains("binary_data_size"))
    return detail::tensor_from_binary(name, dtype, dims, (*params)["binary_data_size"], binary);
  const auto data_it = in.find("data");
  if (data_it == in.end()) throw RequestError(400, "input '" + name + "': no \"data\"");
  std::vector<const json*> leaves;
  detail::flatten(*data_it, leaves, static_cast<std::size_t>(count), name);
  if (static_cast<std::int64_t>(leaves.size()) != count) {
    throw RequestError(400, "input '" + name + "': \"data\" holds " +
                                (static_cast<std::int64_t>(leaves.size()) > count
                                     ? "more than " + std::to_string(count)
                                     : std::to_string(leaves.size())) +
                                " elements, the shape " + std::to_string(count));
  }
  inlay::Tensor t(dtype, inlay::Shape(dims.data(), dims.size()));
  void* dst = const_cast<void*>(t.raw_data());  // a new tensor of its own: writable
  const std::size_t n = leaves.size();
  for (std::size_t i = 0; i < n; ++i) {
    const json& v = *leaves[i];
    switch (dtype) {
      case DType::string:
        if (!v.is_string()) {
          throw RequestError(400, "input '" + name + "': element " + std::to_string(i) + " (" +
                                      detail::describe(v) + ") is not a string");
        }
        t.data<std::string>()[i] = v.get<std::string>();
        break;
      case DType::bf16:
        static_cast<inlay::bfloat16*>(dst)[i] =
            inlay::to_bfloat16(detail::to_float(detail::number(v, i, name)));
        break;
      case DType::f32:
        static_cast<float*>(dst)[i] = detail::to_float(detail::number(v, i, name));
        break;
      case DType::f64: static_cast<double*>(dst)[i] = detail::number(v, i, name); break;
      case DType::f16:
        static_cast<inlay::float16*>(dst)[i] =
            inlay::to_float16(detail::to_float(detail::number(v, i, name)));
        break;
      case DType::i8: detail::store_integer<std::int8_t>(v, dst, i, name); break;
      case DType::u8: detail::store_integer<std::uint8_t>(v, dst, i, name); break;
      case DType::i16: detail::store_integer<std::int16_t>(v, dst, i, name); break;
      case DType::u16: detail::store_integer<std::uint16_t>(v, dst, i, name); break;
      case DType::i32: detail::store_integer<std::int32_t>(v, dst, i, name); break;
      case DType::u32: detail::store_integer<std::uint32_t>(v, dst, i, name); break;
      case DType::i64: detail::store_integer<std::int64_t>(v, dst, i, name); break;
      case DType::u64: detail::store_integer<std::uint64_t>(v, dst, i, name); break;
      case DType::boolean:
        if (!v.is_boolean()) {
          throw RequestError(400, "input '" + name + "': element " + std::to_string(i) + " (" +
                                      detail::describe(v) + ") is not true or false");
        }
        static_cast<bool*>(dst)[i] = v.get<bool>();
        break;
    }
  }
  return t;
}

// The flat "data" array of a tensor. Floats are written as doubles that read back to the same
// float (nlohmann prints the shortest round-trip form); NaN and infinities, which JSON lacks,
// become null.
inline json data_to_json(const inlay::Tensor& t) {
  using inlay::DType;
  json out = json::array();
  const std::int64_t n = t.numel();
  out.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(n));
  auto real = [&](double v) {
    if (std::isfinite(v)) out.push_back(v);
    else out.push_back(nullptr);
  };
  for (std::int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
      case DType::f32: real(static_cast<double>(t.data<float>()[i])); break;
      case DType::f64: real(t.data<double>()[i]); break;
      case DType::f16:
        real(static_cast<double>(inlay::to_float(t.data<inlay::float16>()[i])));
        break;
      case DType::i8: out.push_back(t.data<std::int8_t>()[i]); break;
      case DType::u8: out.push_back(t.data<std::uint8_t>()[i]); break;
      case DType::i16: out.push_back(t.data<std::int16_t>()[i]); break;
      case DType::u16: out.push_back(t.data<std::uint16_t>()[i]); break;
      case DType::i32: out.push_back(t.data<std::int32_t>()[i]); break;
      case DType::u32: out.push_back(t.data<std::uint32_t>()[i]); break;
      case DType::i64: out.push_back(t.data<std::int64_t>()[i]); break;
      case DType::u64: out.push_back(t.data<std::uint64_t>()[i]); break;
      case DType::boolean: out.push_back(t.data<bool>()[i]); break;
      case DType::bf16:
        real(static_cast<double>(inlay::to_float(t.data<inlay::bfloat16>()[i])));
        break;
      case DType::string: out.push_back(t.data<std::string>()[i]); break;
    }
  }
  return out;
}

// A tensor's elements in the binary tensor data extension: little-endian as in memory, BYTES as
// a 4-byte little-endian length and the bytes of each element.
inline void append_binary(const inlay::Tensor& t, std::string& out) {
  if (t.dtype() != inlay::DType::string) {
    out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
    return;
  }
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const std::string& e = t.data<std::string>()[i];
    const auto n = static_cast<std::uint32_t>(e.size());
    const char length[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                            static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
    out.append(length, 4);
    out.append(e);
  }
}

inline json shape_to_json(const inlay::Shape& s) {
  json out = json::array();
  for (std::int64_t d : s) out.push_back(d);
  return out;
}

// A protocol output object.
inline json tensor_to_json(const std::string& name, const inlay::Tensor& t) {
  return json{{"name", name},
              {"datatype", datatype_name(t.dtype())},
              {"shape", shape_to_json(t.shape())},
              {"data", data_to_json(t)}};
}

}  // namespace inlay_serve
