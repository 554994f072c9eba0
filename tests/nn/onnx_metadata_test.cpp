// nn::save_onnx with OnnxOptions: the version, description and metadata read back through
// inlay::Model::metadata(), and the saved model still computes the typed forward.
#include <cstdio>

#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

TEST_CASE("save_onnx writes the model's version and metadata, read back by Model",
          "[nn/onnx_metadata]") {
  using Net = nn::Sequential<nn::Dense<4, 5>, nn::ReLU, nn::Dense<5, 3>, nn::Softmax>;
  Net net(2);
  inlay::data::Rng rng(4);
  net.init(rng);

  nn::OnnxOptions options;
  options.model_version = 12;
  options.doc_string = "4 features -> 3 class probabilities";
  options.domain = "org.example.iris";
  options.metadata = {{"training_data", "iris.csv (120 rows)"},
                      {"val_accuracy", "0.9667"},
                      {"date", "2026-12-06"},
                      {"preprocessing", "standardized: mean 0, std 1 per feature"}};
  const std::string path = "nn_onnx_metadata_test.onnx";
  nn::save_onnx(net, path, options);

  const inlay::Model model = inlay::Model::load(path);
  const inlay::Model::Metadata& md = model.metadata();
  CHECK(md.model_version == 12);
  CHECK(md.doc_string == options.doc_string);
  CHECK(md.domain == "org.example.iris");
  CHECK(md.producer_name == "inlay");
  CHECK(md.producer_version == INLAY_VERSION_STRING);
  CHECK(md.graph_name == "inlay_nn");
  CHECK(md.ir_version == 8);  // opset 17
  REQUIRE(md.props.size() == 4);
  for (const auto& kv : options.metadata) CHECK(md.props.at(kv.first) == kv.second);

  // Same outputs as the typed forward.
  const std::vector<float> x = inlay_test::random_floats(2 * 4, 8);
  std::vector<float> want(2 * 3);
  net.forward(x.data(), 2, want.data());
  inlay::Session session(model);
  const std::vector<inlay::Tensor> out =
      session.run({inlay::Tensor::view(x.data(), inlay::Shape{2, 4})});
  REQUIRE(out[0].numel() == 6);
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(out[0].data<float>()[i] == Approx(want[i]));

  // Without options nothing beyond the producer is written.
  nn::save_onnx(net, path);
  const inlay::Model plain = inlay::Model::load(path);
  CHECK(plain.metadata().model_version == 0);
  CHECK(plain.metadata().doc_string.empty());
  CHECK(plain.metadata().props.empty());
  CHECK(plain.metadata().producer_name == "inlay");
  std::remove(path.c_str());
}
