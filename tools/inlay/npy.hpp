// NumPy .npy files (format versions 1.0, 2.0 and 3.0): little-endian or byte-sized elements in C
// order. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_cli {

// The descr strings of the dtypes inlay holds ('<' little-endian, '|' byte-sized).
inline const char* npy_descr(inlay::DType t) {
  using inlay::DType;
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f16: return "<f2";
    case DType::f64: return "<f8";
    case DType::i8: return "|i1";
    case DType::u8: return "|u1";
    case DType::i16: return "<i2";
    case DType::u16: return "<u2";
    case DType::i32: return "<i4";
    case DType::u32: return "<u4";
    case DType::i64: return "<i8";
    case DType::u64: return "<u8";
    case DType::boolean: return "|b1";
    case DType::bf16: return "";    // NumPy has no bfloat16
    case DType::string: return "";  // nor fixed-size strings of inlay's kind
  }
  return "";
}

namespace npy_detail {

[[noreturn]] inline void bad(const std::string& path, const std::string& why) {
  inlay::fail(inlay::ErrorKind::invalid_argument, path + ": not a .npy file inlay reads: " + why);
}

// The text after `'key':` in the header dictionary, or "" when the key is missing.
inline std::string field(const std::string& header, const std::string& key) {
  for (const char quote : {'\'', '"'}) {
    const std::string k = std::string(1, quote) + key + quote;
    std::size_t p = header.find(k);
    if (p == std::string::npos) continue;
    p = header.find(':', p + k.size());
    if (p == std::string::npos) return "";
    ++p;
    while (p < header.size() && header[p] == ' ') ++p;
    return header.substr(p);
  }
  return "";
}

inline std::string parse_descr(const std::string& path, const std::string& value) {
  if (value.empty() || (value[0] != '\'' && value[0] != '"')) bad(path, "no 'descr' string");
  const std::size_t end = value.find(value[0], 1);
  if (end == std::string::npos) bad(path, "unterminated 'descr'");
  return value.substr(1, end - 1);
}

inline std::vector<std::int64_t> parse_shape(const std::string& path, const std::string& value) {
  if (value.empty() || value[0] != '(') bad(path, "no 'shape' tuple");
  const std::size_t close = value.find(')');
  if (close == std::string::npos) bad(path, "unterminated 'shape'");
  std::vector<std::int64_t> dims;
  std::size_t p = 1;
  while (p < close) {
    while (p < close && (value[p] == ' ' || value[p] == ',')) ++p;
    if (p == close) break;
    std::int64_t d = 0;
    bool digits = false;
    for (; p < close && value[p] >= '0' && value[p] <= '9'; ++p) {
      if (d > (INT64_MAX - 9) / 10) bad(path, "a dimension is too large");
      d = d * 10 + (value[p] - '0');
      digits = true;
    }
    if (!digits) bad(path, "'shape' holds something other than whole numbers");
    while (p < close && value[p] == 'L') ++p;  // written by Python 2
    dims.push_back(d);
  }
  return dims;
}

}  // namespace npy_detail

inline inlay::DType npy_dtype(const std::string& path, const std::string& descr) {
  using inlay::DType;
  for (DType t : {DType::f32, DType::f16, DType::f64, DType::i8, DType::u8, DType::i16, DType::u16,
                  DType::i32, DType::u32, DType::i64, DType::u64, DType::boolean}) {
    const std::string d = npy_descr(t);
    // '=' is native order, which inlay's little-endian hosts read as '<'; byte-sized types may
    // also be written with '<' or '='.
    if (descr == d ||
        (descr.size() == 3 && (descr[0] == '=' || descr[0] == '<' || descr[0] == '|') &&
         descr.substr(1) == d.substr(1) && (descr[0] != '|' || inlay::dtype_size(t) == 1))) {
      return t;
    }
  }
  if (!descr.empty() && descr[0] == '>') npy_detail::bad(path, "big-endian data ('" + descr + "')");
  npy_detail::bad(path, "element type '" + descr + "' is not one inlay holds");
}

inline inlay::Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) inlay::fail(inlay::ErrorKind::io, path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
    npy_detail::bad(path, "no \\x93NUMPY magic");
  }
  const unsigned major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) npy_detail::bad(path, "truncated header");
    for (int i = 3; i >= 0; --i)
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  } else {
    npy_detail::bad(path, "format version " + std::to_string(major) + " (1, 2 and 3 are known)");
  }
  if (header_len > bytes.size() - offset) npy_detail::bad(path, "truncated header");
  const std::string header = bytes.substr(offset, header_len);
  offset += header_len;

  const std::string order = npy_detail::field(header, "fortran_order");
  if (order.rfind("False", 0) != 0) {
    npy_detail::bad(path, order.rfind("True", 0) == 0 ? "Fortran order (inlay reads C order)"
                                                      : "no 'fortran_order'");
  }
  const inlay::DType dtype =
      npy_dtype(path, npy_detail::parse_descr(path, npy_detail::field(header, "descr")));
  const std::vector<std::int64_t> dims =
      npy_detail::parse_shape(path, npy_detail::field(header, "shape"));
  if (dims.size() > inlay::Shape::max_rank) {
    npy_detail::bad(path, "rank " + std::to_string(dims.size()) + " (at most " +
                              std::to_string(inlay::Shape::max_rank) + ")");
  }
  // Element count against the bytes that are there, without overflowing.
  const std::size_t available = (bytes.size() - offset) / inlay::dtype_size(dtype);
  std::size_t count = 1;
  for (std::int64_t d : dims) {
    if (d != 0 && count > available / static_cast<std::size_t>(d)) {
      npy_detail::bad(path, "the shape holds more elements than the file");
    }
    count *= static_cast<std::size_t>(d);
  }
  if (count * inlay::dtype_size(dtype) != bytes.size() - offset) {
    npy_detail::bad(path, std::to_string(bytes.size() - offset) + " data bytes for " +
                              std::to_string(count) + " elements of " + inlay::dtype_name(dtype));
  }
  inlay::Tensor t(dtype, inlay::Shape(dims.data(), dims.size()));
  if (count) std::memcpy(const_cast<void*>(t.raw_data()), bytes.data() + offset, t.nbytes());
  if (dtype == inlay::DType::boolean) {  // only 0 and 1 are valid bools
    auto* b = static_cast<unsigned char*>(const_cast<void*>(t.raw_data()));
    for (std::size_t i = 0; i < count; ++i) b[i] = b[i] != 0;
  }
  return t;
}

// Writes `t` as a version 1.0 file (2.0 when the header does not fit 65535 bytes); the header is
// padded so that the data starts at a multiple of 64 bytes, as NumPy writes it.
inline void write_npy(const std::string& path, const inlay::Tensor& t) {
  if (*npy_descr(t.dtype()) == '\0') {
    inlay::fail(
        inlay::ErrorKind::invalid_argument,
        path + ": .npy has no " + inlay::dtype_name(t.dtype()) + " type; write .pb instead");
  }
  std::string dict =
      std::string("{'descr': '") + npy_descr(t.dtype()) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < t.rank(); ++i) dict += std::to_string(t.shape()[i]) + ", ";
  if (t.rank() > 1) dict.resize(dict.size() - 2);  // (2, 3) but (3,)
  else if (t.rank() == 1) dict.resize(dict.size() - 1);
  dict += "), }";
  const bool v2 = dict.size() + 12 + 64 > 65535;
  const std::size_t prefix = v2 ? 12 : 10;
  std::size_t total = prefix + dict.size() + 1;  // + '\n'
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  const std::size_t len = dict.size();
  for (int i = 0; i < (v2 ? 4 : 2); ++i) out += static_cast<char>((len >> (8 * i)) & 0xff);
  out += dict;
  out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  std::ofstream f(path, std::ios::binary);
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!f) inlay::fail(inlay::ErrorKind::io, path + ": cannot write");
}

}  // namespace inlay_cli
