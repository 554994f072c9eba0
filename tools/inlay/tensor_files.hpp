// Reading and writing tensors for the command-line tool: serialized TensorProto (.pb), as in the
// ONNX backend-test layout.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_cli {

namespace fs = std::filesystem;

inline inlay::Tensor read_tensor(const fs::path& path) {
  const inlay::onnx::TensorFile f = inlay::onnx::read_tensor_file(path.string());
  return inlay::onnx::to_tensor(f.tensor, f.directory);
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
