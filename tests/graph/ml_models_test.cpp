// ai.onnx.ml models against ONNX Runtime: tests/graph/ml_models/ holds scikit-learn-style
// pipelines laid out the way sklearn-onnx exports them (tools/make-ml-models.py: scaler +
// logistic regression, random forests, gradient boosting, an imputer / normalizer / one-hot
// preprocessing graph; SVMs with and without probabilities, a CategoryMapper) with the outputs of
// ONNX Runtime (../shared/tools/ort_ref.js). inlay runs each on every CPU target and must agree in
// every output (labels exactly).
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using namespace inlay_test;

namespace {

// output_*.pb of a set up to the first that is not a TensorProto (the ZipMap output, last).
std::vector<inlay::Tensor> read_set_before_maps(const fs::path& set) {
  std::vector<inlay::Tensor> out;
  for (std::size_t i = 0;; ++i) {
    const fs::path p = set / ("output_" + std::to_string(i) + ".pb");
    if (!fs::exists(p) || !fs::exists(set / ("output_" + std::to_string(i + 1) + ".pb"))) break;
    out.push_back(read_pb(p));
  }
  return out;
}

void check_ml_model(const std::string& name) {
  const fs::path dir = fs::path(INLAY_SOURCE_DIR) / "tests/graph/ml_models" / name;
  const std::vector<inlay::Tensor> inputs = read_set(dir / "test_data_set_0", "input");
  const std::vector<inlay::Tensor> want = read_set(dir / "test_data_set_0", "output");
  REQUIRE(!inputs.empty());
  REQUIRE(!want.empty());
  for_each_cpu_target([&] {
    const inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
    inlay::Session session(model);
    const std::vector<inlay::Tensor> got = session.run(inputs);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      // ONNX Runtime's PROBIT is a closed-form approximation of erfinv (off by up to ~1e-4);
      // inlay's is refined to double precision, so that one model gets a wider tolerance.
      const double atol = name == "trees_probit" ? 2e-4 : 1e-6;
      outputs_match(got[i], want[i], 1e-5, atol, name + " output " + std::to_string(i));
    }
  });
}

// A classifier with ZipMap (tests/graph/ml_models/zipmap_*): its last output, a sequence of maps,
// against the reference SequenceProto of MapProtos read here; the outputs before it as tensors.
void check_zipmap_model(const std::string& name) {
  const fs::path dir = fs::path(INLAY_SOURCE_DIR) / "tests/graph/ml_models" / name;
  const fs::path set = dir / "test_data_set_0";
  const std::vector<inlay::Tensor> inputs = read_set(set, "input");
  const std::vector<inlay::Tensor> want = read_set_before_maps(set);
  const inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
  const std::size_t last = model.outputs().size() - 1;
  REQUIRE(model.outputs()[last].kind == inlay::ValueDesc::Kind::map_sequence);
  std::ifstream in(set / ("output_" + std::to_string(last) + ".pb"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const inlay::onnx::SequenceProto ref = inlay::onnx::parse_sequence(bytes.data(), bytes.size());
  for_each_cpu_target([&] {
    inlay::Session session(model);
    std::vector<inlay::AnyValue> feeds;
    for (const inlay::Tensor& t : inputs) feeds.push_back(inlay::AnyValue{t, nullptr});
    const std::vector<inlay::AnyValue> got = session.run_any(feeds);
    REQUIRE(got.size() == last + 1);
    for (std::size_t i = 0; i < last; ++i) {
      outputs_match(got[i].tensor, want[i], 1e-5, 1e-6, name + " output " + std::to_string(i));
    }
    const inlay::ContainerValue& maps = *got[last].container;
    REQUIRE(maps.tensors.size() == 2 * ref.map_values.size());
    for (std::size_t m = 0; m < ref.map_values.size(); ++m) {
      const inlay::onnx::MapProto& r = ref.map_values[m];
      const inlay::Tensor& keys = maps.tensors[2 * m];
      const std::vector<float> values = values_of<float>(maps.tensors[2 * m + 1]);
      REQUIRE(values.size() == r.values.tensor_values.size());
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (keys.dtype() == inlay::DType::string) {
          CHECK(keys.data<std::string>()[k] == std::string(r.string_keys[k]));
        } else {
          CHECK(keys.data<std::int64_t>()[k] == r.keys[k]);
        }
        const float v = values_of<float>(inlay::onnx::to_tensor(r.values.tensor_values[k]))[0];
        CHECK(std::fabs(values[k] - v) <= 1e-6 + 1e-5 * std::fabs(v));
      }
    }
  });
}

}  // namespace

TEST_CASE("sklearn-onnx style ai.onnx.ml models agree with ONNX Runtime", "[graph/ml_models]") {
  for (const char* name :
       {"scaler_logreg", "scaler_logreg_binary", "linear_regressor", "forest_regressor_sum",
        "forest_regressor_average", "boosting_regressor", "forest_classifier",
        "boosting_classifier_binary", "preprocess", "trees_binary_class0_probabilities",
        "trees_binary_class0_margins", "trees_binary_class1_probabilities",
        "trees_binary_class1_logistic", "trees_softmax_zero", "trees_probit", "linear_binary_none",
        "linear_ovr_logistic"}) {
    SECTION(name) { check_ml_model(name); }
  }
}

TEST_CASE("SVMs, a CategoryMapper and LabelEncoder opset 4 agree with ONNX Runtime",
          "[graph/ml_models]") {
  for (const char* name :
       {"svc_rbf_probability", "svc_poly_binary", "svc_sigmoid_votes", "svm_linear_form", "svr_rbf",
        "svr_linear_form", "one_class_svm", "category_mapper", "label_encoder_v4"}) {
    SECTION(name) { check_ml_model(name); }
  }
}

TEST_CASE("sklearn-onnx's default export with ZipMap agrees with ONNX Runtime",
          "[graph/ml_models]") {
  for (const char* name : {"zipmap_int64", "zipmap_strings"}) {
    SECTION(name) { check_zipmap_model(name); }
  }
}
