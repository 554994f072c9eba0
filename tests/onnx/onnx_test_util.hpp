// Helpers shared by the ONNX tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "proto_writer.hpp"
#include "test_util.hpp"

namespace inlay_test {

// The bytes in a heap block of exactly their size, so that ASan catches any read past the end.
struct ExactBytes {
  explicit ExactBytes(const std::string& s, std::size_t n = std::string::npos)
      : size(n == std::string::npos ? s.size() : n), data(new std::uint8_t[size ? size : 1]) {
    if (size) std::memcpy(data.get(), s.data(), size);
  }
  std::size_t size;
  std::unique_ptr<std::uint8_t[]> data;
};

// A parsed message with the bytes its views point into.
template <class T>
struct Parsed {
  ExactBytes bytes;
  T proto;
};

inline Parsed<inlay::onnx::ModelProto> parse_model_bytes(const std::string& s) {
  ExactBytes b(s);
  auto m = inlay::onnx::parse_model(b.data.get(), b.size);
  return {std::move(b), std::move(m)};
}
inline Parsed<inlay::onnx::TensorProto> parse_tensor_bytes(const std::string& s) {
  ExactBytes b(s);
  auto t = inlay::onnx::parse_tensor(b.data.get(), b.size);
  return {std::move(b), std::move(t)};
}

}  // namespace inlay_test
