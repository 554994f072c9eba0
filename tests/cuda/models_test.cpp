// The bench models (../shared/models, as tests/onnx reads them) on the CPU and on the GPU: the
// same outputs within the model's tolerance, and how many nodes ran where.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "catch.hpp"
#include "graph/op_tester.hpp"

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

}  // namespace

TEST_CASE("cuda: the bench models agree with the CPU", "[cuda/models]") {
  namespace fs = std::filesystem;
  // INLAY_CUDA_MODELS: another folder of model folders (tools/cuda-check's, on a machine
  // without ../shared).
  const char* models = std::getenv("INLAY_CUDA_MODELS");
  const fs::path root =
      models != nullptr ? fs::path(models) : fs::path(inlay_test::shared_dir()) / "models";
  int checked = 0;
  for (const char* name :
       {"mlp", "lenet", "digits_mlp", "mobilenetv2", "bert_tiny", "resnet18", "lstm"}) {
    const fs::path dir = root / name;
    if (!fs::exists(dir / "model.onnx") || !fs::exists(dir / "test_data_set_0")) continue;
    INFO(name);
    const inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
    const std::vector<inlay::Tensor> inputs =
        inlay_test::read_set(dir / "test_data_set_0", "input");
    inlay::Session cpu(model);
    inlay::SessionOptions options;
    options.device = "cuda:0";
    inlay::Session gpu(model, options);
    const std::vector<inlay::Tensor> want = cpu.run(inputs);
    const std::string placement = gpu.placement();
    std::printf("%-12s %zu nodes on the GPU, %zu on the CPU\n", name,
                count_of(placement, "cuda:0 "),
                count_of(placement, "\ncpu ") + (placement.rfind("cpu ", 0) == 0 ? 1 : 0));
    const double tol = inlay_test::meta_atol(dir, 1e-4) * 10;
    for (int round = 0; round < 2; ++round) {
      const std::vector<inlay::Tensor> got = gpu.run(inputs);
      REQUIRE(got.size() == want.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        inlay_test::outputs_match(got[i], want[i], tol, tol,
                                  std::string(name) + " output " + std::to_string(i));
      }
    }
    ++checked;
  }
  if (checked == 0) WARN("no bench model under " << root.string() << ": nothing checked");
}
