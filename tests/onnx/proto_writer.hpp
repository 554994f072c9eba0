// A minimal protobuf encoder for the ONNX tests: builds valid and hostile messages byte by byte.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace inlay_test {

inline std::string varint(std::uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  s += static_cast<char>(v);
  return s;
}

// Message bytes with chainable field writers; wire types as in the protobuf encoding.
struct Pb {
  std::string bytes;

  Pb& tag(std::uint32_t field, unsigned wire_type) {
    bytes += varint((std::uint64_t(field) << 3) | wire_type);
    return *this;
  }
  Pb& u(std::uint32_t field, std::uint64_t v) {  // varint
    tag(field, 0);
    bytes += varint(v);
    return *this;
  }
  Pb& s(std::uint32_t field, const std::string& payload) {  // length-delimited
    tag(field, 2);
    bytes += varint(payload.size());
    bytes += payload;
    return *this;
  }
  Pb& m(std::uint32_t field, const Pb& message) { return s(field, message.bytes); }
  Pb& f32(std::uint32_t field, float f) {  // fixed32
    tag(field, 5);
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((bits >> (8 * i)) & 0xff);
    return *this;
  }
  Pb& f64(std::uint32_t field, std::uint64_t bits) {  // fixed64
    tag(field, 1);
    for (int i = 0; i < 8; ++i) bytes += static_cast<char>((bits >> (8 * i)) & 0xff);
    return *this;
  }
  Pb& raw(const std::string& b) {
    bytes += b;
    return *this;
  }
};

// Little-endian bytes of an array, for raw_data and packed fields.
template <class T>
std::string le_bytes(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // the tests run on little-endian hosts
    s.append(reinterpret_cast<const char*>(b), sizeof(T));
  }
  return s;
}

}  // namespace inlay_test
