// Definitions behind onnx/tensor.hpp.
#ifndef INLAY_ONNX_IMPL_TENSOR_HPP
#define INLAY_ONNX_IMPL_TENSOR_HPP

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {

std::string data_type_name(std::int32_t t) {
  static const char* const names[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",          "INT8",       "UINT16",   "INT16",
      "INT32",          "INT64",      "STRING",         "BOOL",       "FLOAT16",  "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",      "INT4",     "FLOAT4E2M1"};
  if (t >= 0 && t < static_cast<std::int32_t>(sizeof names / sizeof names[0])) return names[t];
  return "UNKNOWN(" + std::to_string(t) + ")";
}

bool to_dtype(std::int32_t t, DType& out) noexcept {
  for (const DTypeDataType& e : dtype_data_types) {
    if (static_cast<std::int32_t>(e.data_type) == t) {
      out = e.dtype;
      return true;
    }
  }
  return false;
}

namespace detail {

inline bool host_is_little_endian() {
  const std::uint16_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// Copies little-endian elements of `size` bytes into host order.
inline void copy_little_endian(void* dst, const void* src, std::size_t bytes, std::size_t size) {
  if (dst != src) std::memcpy(dst, src, bytes);
  if (size == 1 || host_is_little_endian()) return;
  auto* p = static_cast<unsigned char*>(dst);
  for (std::size_t i = 0; i + size <= bytes; i += size) {
    for (std::size_t a = 0, b = size - 1; a < b; ++a, --b) std::swap(p[i + a], p[i + b]);
  }
}

[[noreturn]] inline void fail_tensor(ErrorKind kind, const TensorProto& t,
                                     const std::string& what) {
  fail(kind, "tensor '" + std::string(t.name) + "': " + what);
}

// Parses a non-negative decimal number of external_data (offset, length).
inline std::uint64_t parse_size(const TensorProto& t, std::string_view key, std::string_view text) {
  const auto bad = [&](const char* what) {
    fail_tensor(
        ErrorKind::invalid_model, t,
        "external_data '" + std::string(key) + "' " + what + ": '" + std::string(text) + "'");
  };
  if (text.empty()) bad("is not a number");
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') bad("is not a number");
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) bad("does not fit 64 bits");
    v = v * 10 + digit;
  }
  return v;
}

// Resolves `location` inside `directory`, refusing anything that leads outside it.
inline std::string resolve_external(const TensorProto& t, const std::string& directory,
                                    std::string_view location) {
  namespace fs = std::filesystem;
  const std::string loc(location);
  if (directory.empty()) {
    fail_tensor(ErrorKind::invalid_model, t,
                "external data '" + loc + "' but no model folder to resolve it in");
  }
  if (loc.empty() || loc.front() == '/' || loc.find('\\') != std::string::npos ||
      loc.find(':') != std::string::npos || loc.find('\0') != std::string::npos) {
    fail_tensor(
        ErrorKind::invalid_model, t,
        "external data location '" + loc + "' must be a relative path inside the model's folder");
  }
  for (std::size_t start = 0; start <= loc.size();) {
    std::size_t end = loc.find('/', start);
    if (end == std::string::npos) end = loc.size();
    if (loc.compare(start, end - start, "..") == 0 && end - start == 2) {
      fail_tensor(ErrorKind::invalid_model, t,
                  "external data location '" + loc + "' has a '..' component");
    }
    start = end + 1;
  }
  // Symbolic links can still lead out: compare the resolved paths.
  std::error_code ec;
  const fs::path base = fs::canonical(fs::path(directory), ec);
  if (ec)
    fail(ErrorKind::io, "cannot resolve the model folder '" + directory + "': " + ec.message());
  const fs::path joined = base / fs::path(loc);
  const fs::path target = fs::canonical(joined, ec);
  if (ec) {
    fail(ErrorKind::io, "tensor '" + std::string(t.name) + "': cannot open external data '" +
                            joined.string() + "': " + ec.message());
  }
  const std::string b = base.string(), r = target.string();
  const std::string prefix = b.back() == '/' ? b : b + "/";
  if (r.compare(0, prefix.size(), prefix) != 0) {
    fail_tensor(ErrorKind::invalid_model, t,
                "external data location '" + loc + "' resolves to '" + r +
                    "', outside the model's folder '" + b + "'");
  }
  return r;
}

struct ExternalSpan {
  std::string path;
  std::uint64_t offset = 0;
};

// Finds and checks the external data of `t` (before anything is allocated for it).
inline ExternalSpan locate_external(const TensorProto& t, const std::string& directory,
                                    std::size_t bytes) {
  std::string_view location;
  std::uint64_t offset = 0, length = 0;
  bool has_location = false, has_length = false;
  for (const StringStringEntryProto& e : t.external_data) {
    if (e.key == "location") {
      location = e.value;
      has_location = true;
    } else if (e.key == "offset") {
      offset = parse_size(t, e.key, e.value);
    } else if (e.key == "length") {
      length = parse_size(t, e.key, e.value);
      has_length = true;
    }
  }
  if (!has_location) fail_tensor(ErrorKind::invalid_model, t, "external data without a location");
  if (has_length && length != bytes) {
    fail_tensor(ErrorKind::invalid_model, t,
                "external data length " + std::to_string(length) + " but the dims need " +
                    std::to_string(bytes) + " bytes");
  }
  const std::string path = resolve_external(t, directory, location);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    fail(ErrorKind::io, "external data '" + path + "' is not a regular file");
  }
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) fail(ErrorKind::io, "cannot get the size of '" + path + "': " + ec.message());
  if (offset > size || bytes > size - offset) {
    fail_tensor(ErrorKind::invalid_model, t,
                "external data offset " + std::to_string(offset) + " + length " +
                    std::to_string(bytes) + " runs past the end of '" + path + "' (" +
                    std::to_string(size) + " bytes)");
  }
  return {path, offset};
}

inline void read_external(const ExternalSpan& span, void* out, std::size_t bytes) {
  const std::string& path = span.path;
  const std::uint64_t offset = span.offset;
  std::ifstream file(path, std::ios::binary);
  if (!file) fail(ErrorKind::io, "cannot open external data '" + path + "'");
  file.seekg(static_cast<std::streamoff>(offset));
  if (!file.read(static_cast<char*>(out), static_cast<std::streamsize>(bytes))) {
    fail(ErrorKind::io, "cannot read " + std::to_string(bytes) + " bytes at offset " +
                            std::to_string(offset) + " of '" + path + "'");
  }
}

// Copies a typed field into the tensor, checking each value fits the element type.
template <class T, class S>
void copy_checked(const TensorProto& t, const std::vector<S>& src, const char* field, T* dst,
                  std::int64_t lo, std::int64_t hi) {
  for (std::size_t i = 0; i < src.size(); ++i) {
    const auto v = static_cast<std::int64_t>(src[i]);
    if (v < lo || v > hi) {
      fail_tensor(ErrorKind::invalid_model, t,
                  std::string(field) + "[" + std::to_string(i) + "] = " + std::to_string(v) +
                      " does not fit " + data_type_name(t.data_type));
    }
    dst[i] = static_cast<T>(v);
  }
}

}  // namespace detail

Tensor to_tensor(const TensorProto& t, const std::string& directory) {
  using detail::fail_tensor;
  DType dtype;
  if (!to_dtype(t.data_type, dtype)) {
    fail_tensor(ErrorKind::unsupported_op, t,
                "data type " + data_type_name(t.data_type) + " is not supported by inlay");
  }
  if (t.dims.size() > Shape::max_rank) {
    fail_tensor(ErrorKind::unsupported_op, t,
                "rank " + std::to_string(t.dims.size()) + " exceeds inlay's maximum rank " +
                    std::to_string(Shape::max_rank));
  }
  // Checked here (not only by Shape) so that the error says which tensor of the model is bad.
  std::int64_t count = 1;
  for (std::size_t i = 0; i < t.dims.size(); ++i) {
    const std::int64_t d = t.dims[i];
    if (d < 0) {
      fail_tensor(ErrorKind::invalid_model, t,
                  "dims[" + std::to_string(i) + "] is negative (" + std::to_string(d) + ")");
    }
    if (d != 0 && count > (INT64_MAX / 8) / d) {
      fail_tensor(ErrorKind::invalid_model, t, "the product of the dims overflows");
    }
    count *= d;
  }
  const std::size_t n = static_cast<std::size_t>(count);
  const std::size_t bytes = n * dtype_size(dtype);
  const Shape shape(t.dims.data(), t.dims.size());
  const auto count_error = [&](const char* field, std::size_t have) {
    fail_tensor(ErrorKind::invalid_model, t,
                std::string(field) + " holds " + std::to_string(have) + " elements but dims " +
                    shape.to_string() + " need " + std::to_string(n));
  };
  if (dtype == DType::string) {  // only string_data holds strings (no raw or external form)
    if (t.data_location == TensorProto::external || t.has_raw_data) {
      fail_tensor(ErrorKind::invalid_model, t,
                  "a STRING tensor must hold its elements in string_data");
    }
    if (t.string_data.size() != n) count_error("string_data", t.string_data.size());
    Tensor out(dtype, shape);
    std::string* dst = out.data<std::string>();
    for (std::size_t i = 0; i < n; ++i) dst[i].assign(t.string_data[i]);
    return out;
  }
  // Every size is checked before the tensor is allocated: a hostile file cannot make inlay
  // allocate more than the data it actually holds.
  detail::ExternalSpan external;
  if (t.data_location == TensorProto::external) {
    external = detail::locate_external(t, directory, bytes);
  } else if (t.has_raw_data) {
    if (t.raw_data.size() != bytes) {
      fail_tensor(ErrorKind::invalid_model, t,
                  "raw_data holds " + std::to_string(t.raw_data.size()) + " bytes but dims " +
                      shape.to_string() + " of " + data_type_name(t.data_type) + " need " +
                      std::to_string(bytes));
    }
  } else if (dtype == DType::f32) {
    if (t.float_data.size() != n) count_error("float_data", t.float_data.size());
  } else if (dtype == DType::i64) {
    if (t.int64_data.size() != n) count_error("int64_data", t.int64_data.size());
  } else if (dtype == DType::f64) {
    if (t.double_data.size() != n) count_error("double_data", t.double_data.size());
  } else if (dtype == DType::u32 || dtype == DType::u64) {
    if (t.uint64_data.size() != n) count_error("uint64_data", t.uint64_data.size());
  } else if (t.int32_data.size() != n) {
    count_error("int32_data", t.int32_data.size());
  }

  Tensor out(dtype, shape);
  void* dst = const_cast<void*>(out.raw_data());
  if (t.data_location == TensorProto::external) {
    detail::read_external(external, dst, bytes);
    detail::copy_little_endian(dst, dst, bytes, dtype_size(dtype));
  } else if (t.has_raw_data) {
    detail::copy_little_endian(dst, t.raw_data.data(), bytes, dtype_size(dtype));
  } else {
    switch (dtype) {
      case DType::f32:
        if (n) std::memcpy(dst, t.float_data.data(), bytes);
        break;
      case DType::i64:
        if (n) std::memcpy(dst, t.int64_data.data(), bytes);
        break;
      case DType::i32:
        if (n) std::memcpy(dst, t.int32_data.data(), bytes);
        break;
      case DType::f16:
      case DType::bf16:  // both: the 16 bits in an int32 each
        detail::copy_checked(t, t.int32_data, "int32_data", static_cast<std::uint16_t*>(dst), 0,
                             0xffff);
        break;
      case DType::i8:
        detail::copy_checked(t, t.int32_data, "int32_data", static_cast<std::int8_t*>(dst), -128,
                             127);
        break;
      case DType::u8:
        detail::copy_checked(t, t.int32_data, "int32_data", static_cast<std::uint8_t*>(dst), 0,
                             255);
        break;
      case DType::boolean:
        detail::copy_checked(t, t.int32_data, "int32_data", static_cast<std::uint8_t*>(dst), 0, 1);
        break;
      case DType::f64:
        if (n) std::memcpy(dst, t.double_data.data(), bytes);
        break;
      case DType::i16:
        detail::copy_checked(t, t.int32_data, "int32_data", static_cast<std::int16_t*>(dst), -32768,
                             32767);
        break;
      case DType::u16:
        detail::copy_checked(t, t.int32_data, "int32_data", static_cast<std::uint16_t*>(dst), 0,
                             0xffff);
        break;
      case DType::u32:
        for (std::size_t i = 0; i < n; ++i) {
          if (t.uint64_data[i] > 0xffffffffu) {
            fail_tensor(ErrorKind::invalid_model, t,
                        "uint64_data[" + std::to_string(i) + "] does not fit UINT32");
          }
          static_cast<std::uint32_t*>(dst)[i] = static_cast<std::uint32_t>(t.uint64_data[i]);
        }
        break;
      case DType::u64:
        if (n) std::memcpy(dst, t.uint64_data.data(), bytes);
        break;
      case DType::string: break;  // read above
    }
  }
  if (dtype == DType::boolean) {  // raw bytes other than 0 and 1 are not valid bools
    auto* p = static_cast<std::uint8_t*>(dst);
    for (std::size_t i = 0; i < n; ++i) p[i] = p[i] != 0;
  }
  return out;
}

}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_IMPL_TENSOR_HPP
