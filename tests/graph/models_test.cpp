// The bench models of ../shared/models run through Model/Session and match the reference
// outputs of ONNX Runtime within |got - ref| <= atol + rtol |ref| (rtol 1e-3, atol from each
// model's meta.json). A missing folder is a warning, not a pass.
#include <string>

#include "graph/op_tester.hpp"

using namespace inlay_test;

namespace {

void check_model(const std::string& name) {
  const fs::path dir = fs::path(shared_dir()) / "models" / name;
  if (!fs::exists(dir / "model.onnx")) {
    WARN("skipped: " << dir.string() << " is missing (see ../shared/models/README.md)");
    return;
  }
  const double atol = meta_atol(dir, 1e-5);
  inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
  inlay::Session session(model);
  std::size_t sets = 0;
  for (std::size_t s = 0; fs::exists(dir / ("test_data_set_" + std::to_string(s))); ++s) {
    const fs::path set = dir / ("test_data_set_" + std::to_string(s));
    const auto inputs = read_set(set, "input");
    const auto refs = read_set(set, "output");
    // Twice: the first run plans the arena, the second runs inside it.
    for (int round = 0; round < 2; ++round) {
      const auto outs = session.run(inputs);
      REQUIRE(outs.size() == refs.size());
      for (std::size_t i = 0; i < refs.size(); ++i) {
        outputs_match(outs[i], refs[i], 1e-3, atol,
                      name + " set " + std::to_string(s) + " output " + std::to_string(i) +
                          " round " + std::to_string(round));
      }
    }
    ++sets;
  }
  CHECK(sets > 0);
}

}  // namespace

TEST_CASE("bench model mlp", "[graph/models]") { check_model("mlp"); }
TEST_CASE("bench model lenet", "[graph/models]") { check_model("lenet"); }
TEST_CASE("bench model mobilenetv2", "[graph/models]") { check_model("mobilenetv2"); }
TEST_CASE("bench model resnet18", "[graph/models]") { check_model("resnet18"); }
TEST_CASE("bench model bert_tiny", "[graph/models]") { check_model("bert_tiny"); }
TEST_CASE("bench model lstm", "[graph/models]") { check_model("lstm"); }
TEST_CASE("bench model digits_mlp", "[graph/models]") { check_model("digits_mlp"); }
