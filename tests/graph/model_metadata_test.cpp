// Model::metadata(): what a ModelProto says about itself (fields 1-6, the graph's name, 14
// metadata_props), read from OpTester-built models.
#include "graph/op_tester.hpp"

using inlay_test::OpTester;
using inlay_test::Pb;

namespace {
OpTester relu() {
  OpTester t("Relu");
  t.in(inlay_test::f32s({-1.0f, 2.0f}));
  return t;
}
Pb entry(const std::string& key, const std::string& value) { return Pb().s(1, key).s(2, value); }
inlay::Model load(const std::string& bytes) {
  return inlay::Model::copy_from_bytes(bytes.data(), bytes.size());
}
}  // namespace

TEST_CASE("Model::metadata reads ModelProto fields 1 to 6, the graph name and metadata_props",
          "[graph/model_metadata]") {
  const OpTester t = relu();
  const Pb model = Pb().u(1, 8)
                       .s(2, "pytorch")
                       .s(3, "2.1.0")
                       .s(4, "com.example.vision")
                       .u(5, 42)
                       .s(6, "a one-op model")
                       .m(7, t.graph("classifier"))
                       .m(8, Pb().s(1, "").u(2, 17))
                       .m(14, entry("training_data", "digits"))
                       .m(14, entry("accuracy", "0.97"))
                       .m(14, entry("accuracy", "0.98"));  // a repeated key keeps its last value
  const inlay::Model m = load(model.bytes);
  const inlay::Model::Metadata& md = m.metadata();
  CHECK(md.ir_version == 8);
  CHECK(md.producer_name == "pytorch");
  CHECK(md.producer_version == "2.1.0");
  CHECK(md.domain == "com.example.vision");
  CHECK(md.model_version == 42);
  CHECK(md.doc_string == "a one-op model");
  CHECK(md.graph_name == "classifier");
  REQUIRE(md.props.size() == 2);
  CHECK(md.props.at("training_data") == "digits");
  CHECK(md.props.at("accuracy") == "0.98");
  CHECK(m.summary().producer == "pytorch 2.1.0");

  // The model still runs.
  inlay::Session session(m);
  const auto out = session.run({{m.input_names()[0], inlay_test::f32s({-1.0f, 2.0f})}});
  CHECK(inlay_test::values_of<float>(out[0]) == std::vector<float>{0.0f, 2.0f});
}

TEST_CASE("Model::metadata of a model that says nothing is empty", "[graph/model_metadata]") {
  const inlay::Model m = relu().load();
  const inlay::Model::Metadata& md = m.metadata();
  CHECK(md.ir_version == 8);
  CHECK(md.model_version == 0);
  CHECK(md.producer_name.empty());
  CHECK(md.doc_string.empty());
  CHECK(md.domain.empty());
  CHECK(md.graph_name == "g");
  CHECK(md.props.empty());
}

TEST_CASE("Malformed model metadata is an error naming the field", "[graph/model_metadata]") {
  const std::string graph = relu().bytes();
  // doc_string sent as a number, metadata_props as a number: wrong wire types.
  CHECK_THROWS_WITH(load(graph + Pb().u(6, 3).bytes), Catch::Contains("doc_string"));
  CHECK_THROWS_WITH(load(graph + Pb().u(14, 3).bytes), Catch::Contains("metadata_props"));
  // A metadata entry longer than the file.
  std::string truncated = graph + Pb().s(14, entry("k", "v").bytes).bytes;
  truncated.resize(truncated.size() - 1);
  CHECK_THROWS_AS(load(truncated), inlay::Error);
}

TEST_CASE("GraphWriter writes the model's version, description and metadata",
          "[graph/model_metadata]") {
  inlay::onnx::GraphWriter g("writer_graph");
  g.add_input("x", inlay::DType::f32, {2});
  g.add_node("Relu", {"x"}, {"y"});
  g.add_output("y", inlay::DType::f32, {2});
  inlay::onnx::ModelInfo info;
  info.producer = "trainer";
  info.domain = "org.example";
  info.model_version = 3;
  info.doc_string = "relu";
  info.metadata_props = {{"date", "2026-12-06"}, {"metric", "none"}};
  const inlay::Model m = load(g.model_bytes(17, info));
  const inlay::Model::Metadata& md = m.metadata();
  CHECK(md.producer_name == "trainer");
  CHECK(md.producer_version == INLAY_VERSION_STRING);
  CHECK(md.domain == "org.example");
  CHECK(md.model_version == 3);
  CHECK(md.doc_string == "relu");
  CHECK(md.graph_name == "writer_graph");
  CHECK(md.props == std::map<std::string, std::string>{{"date", "2026-12-06"}, {"metric", "none"}});
}
