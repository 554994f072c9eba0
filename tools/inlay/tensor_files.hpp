// Tensor files of the command-line tool: serialized ONNX TensorProto (.pb, as in the backend-test
// layout) and NumPy .npy, chosen by the file's extension.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

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
