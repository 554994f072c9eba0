// ONNX Runtime's outputs for the hidden [.export_runtime] tests (CTest nn.export_runtime, added
// where node, onnxruntime-node and python3-onnx exist).
#pragma once

#include <cstdlib>
#include <string>

#include <inlay/inlay.hpp>

#include "test_util.hpp"

namespace inlay_test {

// Writes nn_export_runtime/NAME/model.onnx (model_bytes) and its test_data_set_0/input_0.pb
// (input, named "input"), runs onnx.checker (full check) on the model, then
// ../shared/tools/ort_ref.js, and returns ONNX Runtime's first output.
inline inlay::Tensor ort_output(const std::string& name, const std::string& model_bytes,
                                const inlay::Tensor& input) {
  const std::string dir = "nn_export_runtime/" + name;
  REQUIRE(std::system(("mkdir -p " + dir + "/test_data_set_0").c_str()) == 0);
  inlay::nn::save_bytes(model_bytes, dir + "/model.onnx");
  inlay::nn::save_bytes(inlay::onnx::tensor_proto_bytes("input", input),
                        dir + "/test_data_set_0/input_0.pb");
  const std::string checker =
      "/usr/bin/python3 -c \"import onnx; onnx.checker.check_model(onnx.load('" + dir +
      "/model.onnx'), full_check=True)\"";
  INFO(checker);
  REQUIRE(std::system(checker.c_str()) == 0);
  const std::string ort = "node " + std::string(INLAY_SHARED_DIR) + "/tools/ort_ref.js " + dir;
  INFO(ort);
  REQUIRE(std::system(ort.c_str()) == 0);
  const inlay::onnx::TensorFile out =
      inlay::onnx::read_tensor_file(dir + "/test_data_set_0/output_0.pb");
  return inlay::onnx::to_tensor(out.tensor, out.directory);
}

}  // namespace inlay_test
