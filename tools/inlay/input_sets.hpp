// Folders of model inputs given to `inlay quantize --calibrate` and `inlay drift-reference
// --data`: each holds one set of inputs in the backend-test layout, input_0.pb, input_1.pb ... or
// input_0.npy ...
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "tensor_files.hpp"

namespace inlay_cli {

// The inputs of one folder, input_<i>.pb or input_<i>.npy in index order; `option` names the
// command-line option in errors.
inline std::vector<inlay::Tensor> read_input_set(const fs::path& dir, const std::string& option) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) usage_error(option + " " + dir.string() + ": not a folder");
  std::vector<inlay::Tensor> out;
  for (std::size_t i = 0;; ++i) {
    const std::string stem = "input_" + std::to_string(i);
    const fs::path pb = dir / (stem + ".pb"), npy = dir / (stem + ".npy");
    if (fs::exists(pb, ec)) {
      out.push_back(read_tensor(pb));
    } else if (fs::exists(npy, ec)) {
      out.push_back(read_tensor(npy));
    } else {
      break;
    }
  }
  if (out.empty()) usage_error(option + " " + dir.string() + ": no input_0.pb or input_0.npy");
  return out;
}

}  // namespace inlay_cli
