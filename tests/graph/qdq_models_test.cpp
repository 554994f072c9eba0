// QDQ models against ONNX Runtime: tests/graph/qdq_models/ holds small models written the way
// ORT's quantizer writes them (tools/make-qdq-test-models.py) with the outputs of ORT run with its
// graph optimizations off (../shared/tools/ort_ref.js --opt disabled), which is the ONNX spec's
// arithmetic (the script says why ORT's fused int8 kernels are no reference on CPUs without VNNI).
// inlay runs each model as written (optimize = false) and fused (QLinearConv, QLinearMatMul, QGemm,
// DynamicQuantizeMatMul, ...), on every CPU target; both agree with ORT to within one quantization
// step of the output (the fused requantization rounds once, the float graph twice).
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using namespace inlay_test;

namespace {

std::string qdq_model_dir(const std::string& name) {
  return std::string(INLAY_SOURCE_DIR) + "/tests/graph/qdq_models/" + name;
}

// Runs the model folder's test_data_set_0 as written and optimized; `step` is the scale of the
// final DequantizeLinear.
void check_qdq_model(const std::string& name, float step) {
  const fs::path dir = qdq_model_dir(name);
  const std::vector<inlay::Tensor> inputs = read_set(dir / "test_data_set_0", "input");
  const std::vector<inlay::Tensor> want = read_set(dir / "test_data_set_0", "output");
  REQUIRE(!inputs.empty());
  REQUIRE(want.size() == 1);
  for (bool optimize : {false, true}) {
    INFO("optimize " << optimize);
    inlay::ModelOptions options;
    options.optimize = optimize;
    for_each_cpu_target([&] {
      const inlay::Model model = inlay::Model::load((dir / "model.onnx").string(), options);
      inlay::Session session(model);
      const std::vector<inlay::Tensor> got = session.run(inputs);
      REQUIRE(got.size() == 1);
      outputs_match(got[0], want[0], 0.0, 1.01 * step, name);
    });
  }
}

}  // namespace

TEST_CASE("A small QDQ CNN (u8) agrees with ONNX Runtime and runs fused", "[graph/qdq_models]") {
  const inlay::Model m = inlay::Model::load(qdq_model_dir("qdq_cnn") + "/model.onnx");
  CHECK(planned(m, "QLinearConv") == 3);
  CHECK(planned(m, "Conv") == 0);
  CHECK(planned(m, "Relu") == 0);
  CHECK(planned(m, "MaxPool") == 1);  // on the u8 values
  CHECK(planned(m, "com.microsoft:QGemm") == 1);
  CHECK(planned(m, "com.microsoft:QLinearAdd") == 1);
  CHECK(planned(m, "com.microsoft:QLinearGlobalAveragePool") == 1);
  CHECK(planned(m, "QuantizeLinear") == 1);    // the input's
  CHECK(planned(m, "DequantizeLinear") == 1);  // the output's
  check_qdq_model("qdq_cnn", 0.00934050f);
}

TEST_CASE("A small QDQ MLP (s8) agrees with ONNX Runtime and runs fused", "[graph/qdq_models]") {
  const inlay::Model m = inlay::Model::load(qdq_model_dir("qdq_mlp") + "/model.onnx");
  CHECK(planned(m, "QLinearMatMul") == 2);
  CHECK(planned(m, "MatMul") == 0);
  CHECK(planned(m, "com.microsoft:QLinearSigmoid") == 1);
  CHECK(planned(m, "com.microsoft:QLinearConcat") == 1);
  CHECK(planned(m, "com.microsoft:QLinearMul") == 1);
  check_qdq_model("qdq_mlp", 0.01414911f);
}

TEST_CASE("A dynamically quantized MLP agrees with ONNX Runtime and runs fused",
          "[graph/qdq_models]") {
  const inlay::Model m = inlay::Model::load(qdq_model_dir("dynamic_mlp") + "/model.onnx");
  CHECK(planned(m, "com.microsoft:DynamicQuantizeMatMul") == 2);
  CHECK(planned(m, "MatMulInteger") == 0);
  CHECK(planned(m, "DynamicQuantizeLinear") == 0);
  // The same arithmetic as ORT's Cast, Mul and Add nodes, up to float rounding.
  check_qdq_model("dynamic_mlp", 1e-4f);
}
