// ONNX export: the graph's structure as inlay's parser reads it; and (hidden tag, run by the CTest
// test nn.export_runtime where python3-onnx, node and onnxruntime-node exist) onnx.checker plus
// ONNX Runtime's outputs against the typed forward.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
template <class Net>
Net trained_net(std::uint64_t seed) {
  Net net(8);
  inlay::data::Rng rng(seed);
  net.init(rng);
  return net;
}

std::vector<std::string> op_types(const std::string& bytes) {
  const inlay::onnx::ModelProto m = inlay::onnx::parse_model(bytes.data(), bytes.size());
  std::vector<std::string> ops;
  for (const auto& n : m.graph.node) ops.emplace_back(n.op_type);
  return ops;
}

// Writes DIR/model.onnx and DIR/test_data_set_0/input_0.pb, runs the checker and ONNX Runtime,
// and compares ORT's output with the typed forward.
template <class Net>
void check_with_runtime(Net& net, const std::string& name, std::size_t batch, std::uint32_t seed) {
  const std::string dir = "nn_export_runtime/" + name;
  REQUIRE(std::system(("mkdir -p " + dir + "/test_data_set_0").c_str()) == 0);
  nn::save_onnx(net, dir + "/model.onnx");
  const std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed);
  std::vector<std::int64_t> dims = Net::in_shape::to_vector();
  dims.insert(dims.begin(), static_cast<std::int64_t>(batch));
  const inlay::Tensor input = inlay::Tensor::view(x.data(), inlay::Shape(dims.data(), dims.size()));
  nn::save_bytes(inlay::onnx::tensor_proto_bytes("input", input), dir + "/test_data_set_0/input_0.pb");

  const std::string checker = "/usr/bin/python3 -c \"import onnx; onnx.checker.check_model(onnx.load('" +
                              dir + "/model.onnx'), full_check=True)\"";
  INFO(name << ": " << checker);
  REQUIRE(std::system(checker.c_str()) == 0);
  const std::string ort = "node " + std::string(INLAY_SHARED_DIR) + "/tools/ort_ref.js " + dir;
  INFO(ort);
  REQUIRE(std::system(ort.c_str()) == 0);

  const inlay::onnx::TensorFile out = inlay::onnx::read_tensor_file(dir + "/test_data_set_0/output_0.pb");
  const inlay::Tensor got = inlay::onnx::to_tensor(out.tensor, out.directory);
  std::vector<float> want(batch * Net::out_size);
  net.forward(x.data(), batch, want.data());
  REQUIRE(static_cast<std::size_t>(got.numel()) == want.size());
  inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
}

using Mlp = nn::Sequential<nn::Dense<6, 16>, nn::ReLU, nn::Dense<16, 8>, nn::Tanh, nn::Dropout<>,
                           nn::Dense<8, 4>, nn::Softmax>;
using Activations = nn::Sequential<nn::Dense<5, 12>, nn::LeakyReLU, nn::Dense<12, 12>, nn::GELU,
                                   nn::Dense<12, 12>, nn::GELUTanh, nn::SiLU, nn::HardSwish,
                                   nn::Mish, nn::Softplus, nn::ELU, nn::SELU, nn::ReLU6,
                                   nn::HardSigmoid, nn::Sigmoid, nn::Dense<12, 3>>;
}  // namespace

TEST_CASE("Exported graphs hold one node per layer with the trained weights", "[export]") {
  Mlp net = trained_net<Mlp>(1);
  const std::string bytes = net.to_onnx();
  CHECK(op_types(bytes) == std::vector<std::string>{"Gemm", "Relu", "Gemm", "Tanh", "Identity",
                                                    "Gemm", "Softmax", "Identity"});
  const inlay::onnx::ModelProto m = inlay::onnx::parse_model(bytes.data(), bytes.size());
  REQUIRE(m.opset_import.size() == 1);
  CHECK(m.opset_import[0].version == 17);
  REQUIRE(m.graph.initializer.size() == 6);
  const inlay::Tensor w0 = inlay::onnx::to_tensor(m.graph.initializer[0]);
  CHECK(w0.shape() == inlay::Shape({6, 16}));
  CHECK(std::vector<float>(w0.data<float>(), w0.data<float>() + 96) == net.layer<0>().weight);
  REQUIRE(m.graph.input.size() == 1);
  CHECK(m.graph.input[0].name == "input");
  CHECK(m.graph.output[0].name == "output");
  CHECK_THROWS_WITH(net.to_onnx(12), Catch::Contains("opset 12"));
}

TEST_CASE("ONNX Runtime runs exported networks with the typed forward's outputs",
          "[.export_runtime]") {
  Mlp mlp = trained_net<Mlp>(2);
  check_with_runtime(mlp, "mlp", 5, 3);
  Activations acts = trained_net<Activations>(4);
  check_with_runtime(acts, "activations", 4, 5);
}
