// Definitions behind onnx/wire.hpp (compiled once, in the implementation unit).
#ifndef INLAY_ONNX_IMPL_WIRE_HPP
#define INLAY_ONNX_IMPL_WIRE_HPP

#include <cstring>
#include <type_traits>

#include "inlay/onnx/wire.hpp"

INLAY_NAMESPACE_BEGIN
namespace onnx {
namespace wire {

std::string Path::to_string() const {
  std::string s = parent ? parent->to_string() + "." + name : std::string(name);
  if (index >= 0) s += "[" + std::to_string(index) + "]";
  return s;
}

Reader::Reader(const std::uint8_t* base, const std::uint8_t* begin, const std::uint8_t* end,
               const Path& path, int depth)
    : base_(base), pos_(begin), end_(end), path_(&path), depth_(depth) {
  if (depth > max_depth) {
    fail_at(nullptr, static_cast<std::size_t>(begin - base),
            "messages nested deeper than " + std::to_string(max_depth) + " levels");
  }
}

Reader Reader::nested(const Field& field, const Path& path) const {
  const auto* begin = reinterpret_cast<const std::uint8_t*>(field.bytes.data());
  return Reader(base_, begin, begin + field.bytes.size(), path, depth_ + 1);
}

void Reader::fail_at(const char* field_name, std::size_t offset, const std::string& what) const {
  std::string where = path_->to_string();
  if (field_name) where += std::string(".") + field_name;
  fail(ErrorKind::invalid_model, where + ": " + what + " at byte " + std::to_string(offset));
}

std::uint64_t Reader::read_varint(const std::uint8_t*& p, const std::uint8_t* end,
                                  const char* field_name) const {
  const std::uint8_t* start = p;
  std::uint64_t value = 0;
  for (unsigned i = 0; i < 10; ++i) {
    if (p == end) {
      fail_at(field_name, static_cast<std::size_t>(start - base_),
              "varint runs past the end of the buffer");
    }
    const std::uint8_t byte = *p++;
    // The tenth byte holds bit 63 only; anything more does not fit in 64 bits.
    if (i == 9 && byte > 1) {
      fail_at(field_name, static_cast<std::size_t>(start - base_), "varint overflows 64 bits");
    }
    value |= static_cast<std::uint64_t>(byte & 0x7fu) << (7 * i);
    if (!(byte & 0x80u)) return value;
  }
  fail_at(field_name, static_cast<std::size_t>(start - base_), "varint longer than 10 bytes");
}

bool Reader::next(Field& field) {
  if (pos_ == end_) return false;
  const std::size_t tag_offset = static_cast<std::size_t>(pos_ - base_);
  const std::uint64_t tag = read_varint(pos_, end_, nullptr);
  const std::uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffffu) {
    fail_at(nullptr, tag_offset, "invalid field number " + std::to_string(number));
  }
  field.number = static_cast<std::uint32_t>(number);
  field.type = static_cast<WireType>(tag & 7u);
  field.bytes = std::string_view();
  field.number_value = 0;
  field.offset = static_cast<std::size_t>(pos_ - base_);
  const std::size_t left = static_cast<std::size_t>(end_ - pos_);
  // Built only when an error is reported: next() is the hot loop of the parser.
  const auto name = [number] { return "field " + std::to_string(number); };
  switch (field.type) {
    case WireType::varint: field.number_value = read_varint(pos_, end_, nullptr); return true;
    case WireType::fixed64:
      if (left < 8)
        fail_at(nullptr, field.offset, name() + ": fixed64 runs past the end of the buffer");
      for (int i = 7; i >= 0; --i) field.number_value = (field.number_value << 8) | pos_[i];
      pos_ += 8;
      return true;
    case WireType::fixed32:
      if (left < 4)
        fail_at(nullptr, field.offset, name() + ": fixed32 runs past the end of the buffer");
      for (int i = 3; i >= 0; --i) field.number_value = (field.number_value << 8) | pos_[i];
      pos_ += 4;
      return true;
    case WireType::length_delimited: {
      const std::uint64_t length = read_varint(pos_, end_, nullptr);
      const std::size_t rest = static_cast<std::size_t>(end_ - pos_);
      if (length > rest) {
        fail_at(nullptr, field.offset,
                name() + ": length " + std::to_string(length) +
                    " runs past the end of the buffer (" + std::to_string(rest) + " bytes left)");
      }
      field.offset = static_cast<std::size_t>(pos_ - base_);
      field.bytes =
          std::string_view(reinterpret_cast<const char*>(pos_), static_cast<std::size_t>(length));
      pos_ += length;
      return true;
    }
    case WireType::start_group:
    case WireType::end_group:
      fail_at(nullptr, tag_offset, name() + ": groups (wire types 3 and 4) are not supported");
  }
  fail_at(nullptr, tag_offset, name() + ": invalid wire type " + std::to_string(tag & 7u));
}

namespace {
const char* wire_type_name(WireType t) {
  switch (t) {
    case WireType::varint: return "varint";
    case WireType::fixed64: return "fixed64";
    case WireType::length_delimited: return "length-delimited";
    case WireType::start_group: return "start-group";
    case WireType::end_group: return "end-group";
    case WireType::fixed32: return "fixed32";
  }
  return "?";
}
}  // namespace

void Reader::expect(const Field& field, WireType type, const char* name) const {
  if (field.type != type) {
    fail_at(name, field.offset,
            std::string("wire type ") + wire_type_name(field.type) + ", expected " +
                wire_type_name(type));
  }
}

std::uint64_t Reader::as_uint64(const Field& field, const char* name) const {
  expect(field, WireType::varint, name);
  return field.number_value;
}
std::int64_t Reader::as_int64(const Field& field, const char* name) const {
  return static_cast<std::int64_t>(as_uint64(field, name));
}
// Negative int32 values are sign-extended to 10-byte varints; the low 32 bits are the value.
std::int32_t Reader::as_int32(const Field& field, const char* name) const {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(as_uint64(field, name)));
}
float Reader::as_float(const Field& field, const char* name) const {
  expect(field, WireType::fixed32, name);
  const std::uint32_t bits = static_cast<std::uint32_t>(field.number_value);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
std::string_view Reader::as_bytes(const Field& field, const char* name) const {
  expect(field, WireType::length_delimited, name);
  return field.bytes;
}

template <class T, class Convert>
void Reader::append_varints(const Field& field, const char* name, std::vector<T>& out,
                            Convert convert) const {
  if (field.type == WireType::varint) {
    out.push_back(convert(field.number_value));
    return;
  }
  expect(field, WireType::length_delimited, name);
  const auto* p = reinterpret_cast<const std::uint8_t*>(field.bytes.data());
  const auto* end = p + field.bytes.size();
  // Each element ends with the one byte whose top bit is clear: that count is exact.
  std::size_t count = 0;
  for (const auto* q = p; q != end; ++q) count += !(*q & 0x80u);
  out.reserve(out.size() + count);
  while (p != end) out.push_back(convert(read_varint(p, end, name)));
}

template <class T>
void Reader::append_fixed(const Field& field, const char* name, std::vector<T>& out) const {
  constexpr WireType single = sizeof(T) == 4 ? WireType::fixed32 : WireType::fixed64;
  if (field.type == single) {
    T value;
    const auto bits = static_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(
        field.number_value);
    std::memcpy(&value, &bits, sizeof value);
    out.push_back(value);
    return;
  }
  expect(field, WireType::length_delimited, name);
  if (field.bytes.size() % sizeof(T) != 0) {
    fail_at(name, field.offset,
            "packed payload of " + std::to_string(field.bytes.size()) +
                " bytes is not a multiple of " + std::to_string(sizeof(T)));
  }
  const std::size_t n = field.bytes.size() / sizeof(T);
  const auto* p = reinterpret_cast<const std::uint8_t*>(field.bytes.data());
  const std::size_t old = out.size();
  out.resize(old + n);
  for (std::size_t i = 0; i < n; ++i) {
    std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t> bits = 0;
    for (std::size_t b = sizeof(T); b-- > 0;) bits = (bits << 8) | p[i * sizeof(T) + b];
    std::memcpy(&out[old + i], &bits, sizeof(T));
  }
}

void Reader::append_int64(const Field& field, const char* name,
                          std::vector<std::int64_t>& out) const {
  append_varints(field, name, out, [](std::uint64_t v) { return static_cast<std::int64_t>(v); });
}
void Reader::append_int32(const Field& field, const char* name,
                          std::vector<std::int32_t>& out) const {
  append_varints(field, name, out, [](std::uint64_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  });
}
void Reader::append_uint64(const Field& field, const char* name,
                           std::vector<std::uint64_t>& out) const {
  append_varints(field, name, out, [](std::uint64_t v) { return v; });
}
void Reader::append_float(const Field& field, const char* name, std::vector<float>& out) const {
  append_fixed(field, name, out);
}
void Reader::append_double(const Field& field, const char* name, std::vector<double>& out) const {
  append_fixed(field, name, out);
}

}  // namespace wire
}  // namespace onnx
INLAY_NAMESPACE_END

#endif  // INLAY_ONNX_IMPL_WIRE_HPP
