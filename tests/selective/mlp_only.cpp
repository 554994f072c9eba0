// A selective build (tests/selective/CMakeLists.txt: inlay_add_implementation(... OPS elementwise
// gemm softmax), the mlp's families only) of the README's minimal ONNX program: it must run the
// mlp (argv[1], a folder with model.onnx and test_data_set_0) to its reference output, and refuse
// a model that needs a family it left out (argv[2]) at load, with the Error that names the op,
// the family and this build's families. Exit 0 when both hold, 1 otherwise.
#include <inlay/graph/op_families.hpp>
#include <inlay/inlay.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

bool runs_to_reference(const std::string& dir) {
  const inlay::Model model = inlay::Model::load(dir + "/model.onnx");
  inlay::Session session(model);
  const inlay::onnx::TensorFile in =
      inlay::onnx::read_tensor_file(dir + "/test_data_set_0/input_0.pb");
  const inlay::onnx::TensorFile ref =
      inlay::onnx::read_tensor_file(dir + "/test_data_set_0/output_0.pb");
  const std::vector<inlay::Tensor> out = session.run({inlay::onnx::to_tensor(in.tensor)});
  const inlay::Tensor want = inlay::onnx::to_tensor(ref.tensor);
  if (out.size() != 1 || out[0].shape() != want.shape() || out[0].dtype() != inlay::DType::f32) {
    std::printf("mlp: the output has the wrong shape or type\n");
    return false;
  }
  float max_error = 0;
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    max_error = std::fmax(max_error, std::fabs(out[0].data<float>()[i] - want.data<float>()[i]));
  }
  std::printf("mlp: max error %.3g against test_data_set_0 (CPU target %s)\n", max_error,
              inlay::cpu_target());
  return max_error <= 1e-5f;
}

bool refuses(const std::string& path) {
  try {
    inlay::Model::load(path);
    std::printf("%s loaded, but this build has no conv family\n", path.c_str());
    return false;
  } catch (const inlay::Error& e) {
    const std::string message = e.what();
    std::printf("refused: %s\n", message.c_str());
    const char* const want[] = {
        "is not in this build: it was built with "
        "INLAY_OPS=elementwise,gemm,softmax",
        "(ai.onnx, opset", "op family 'conv'", "INLAY_OP_CONV"};
    for (const char* w : want) {
      if (message.find(w) == std::string::npos) {
        std::printf("the error lacks \"%s\"\n", w);
        return false;
      }
    }
    return e.kind() == inlay::ErrorKind::unsupported_op;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MLP_DIR MODEL_WITH_CONV.onnx\n", argv[0]);
    return 2;
  }
  try {
    const bool families = inlay::builtin_op_selection() == "elementwise,gemm,softmax";
    if (!families) std::printf("families: %s\n", inlay::builtin_op_selection().c_str());
    const bool ran = runs_to_reference(argv[1]);
    const bool refused = refuses(argv[2]);
    std::printf("%s\n", families && ran && refused ? "ok" : "FAILED");
    return families && ran && refused ? 0 : 1;
  } catch (const inlay::Error& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
