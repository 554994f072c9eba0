// The ONNX writer: models written by onnx::GraphWriter read back through onnx::parse_model with
// every field intact (dims, symbolic dims, dtypes, initializer bytes, attributes of every kind).
// CTest's onnx.writer_checker runs the official onnx.checker on a model written by
// "[.writer_files]" and checks that onnx re-serializes it to the same bytes.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "onnx/onnx_test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay::onnx::AttributeProto;
using inlay::onnx::AttributeType;
using inlay::onnx::GraphWriter;

namespace {

template <class T>
Tensor filled(DType dtype, const Shape& shape, std::initializer_list<T> values) {
  Tensor t(dtype, shape);
  REQUIRE(static_cast<std::size_t>(t.numel()) == values.size());
  if (values.size()) std::memcpy(const_cast<void*>(t.raw_data()), values.begin(), t.nbytes());
  return t;
}

// The small valid model that the ONNX checker also sees: y = (LeakyRelu(x W * 0.5 + b))^T + c,
// plus a node of a custom domain carrying the attribute kinds standard ops here do not use.
GraphWriter checker_model() {
  GraphWriter g("writer_test");
  g.add_input("x", DType::f32, {-1, 4}, {"N", ""});
  g.add_output("y", DType::f32, {3, -1}, {"", "N"});
  g.add_initializer(
      "W", filled<float>(DType::f32, Shape{4, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  g.add_initializer("b", filled<float>(DType::f32, Shape{3}, {0.5f, -0.5f, 0}));
  g.add_node("Gemm", {"x", "W", "b"}, {"h"}, "gemm0").attr("alpha", 0.5f).attr("transB", 0);
  g.add_node("LeakyRelu", {"h"}, {"r"}).attr("alpha", 0.1);
  g.add_node("Transpose", {"r"}, {"t"}).attr("perm", {1, 0});
  g.add_node("Constant", {}, {"c"})
      .attr("value", filled<float>(DType::f32, Shape{3, 1}, {1, 2, 3}));
  g.add_node("Add", {"t", "c"}, {"y"});
  g.add_node("Tag", {"x"}, {"tagged"}, "tag0", "com.example")
      .attr("names", std::vector<std::string>{"a", "b"})
      .attr("weights", {1.5f, 2.5f})
      .attr("mode", "constant")
      .attr("sizes", std::vector<std::int64_t>{-1, 0, INT64_MAX});
  g.add_opset_import("com.example", 1);
  return g;
}

const AttributeProto& attribute(const inlay::onnx::NodeProto& node, const std::string& name) {
  for (const AttributeProto& a : node.attribute) {
    if (a.name == name) return a;
  }
  FAIL("node " << node.op_type << " has no attribute " << name);
  throw 0;
}

}  // namespace

TEST_CASE("writer: model header, inputs and outputs with symbolic dims", "[onnx/writer]") {
  const auto m = inlay_test::parse_model_bytes(checker_model().model_bytes(17));
  CHECK(m.proto.ir_version == 8);
  REQUIRE(m.proto.opset_import.size() == 2);
  CHECK(m.proto.opset_import[0].domain.empty());
  CHECK(m.proto.opset_import[0].version == 17);
  CHECK(m.proto.opset_import[1].domain == "com.example");
  CHECK(m.proto.producer_name == "inlay");
  CHECK(m.proto.producer_version == INLAY_VERSION_STRING);
  REQUIRE(m.proto.has_graph);
  const auto& g = m.proto.graph;
  CHECK(g.name == "writer_test");
  REQUIRE(g.input.size() == 1);
  CHECK(g.input[0].name == "x");
  const auto& type = g.input[0].type;
  REQUIRE(type.has_tensor_type);
  CHECK(type.elem_type == 1);
  REQUIRE(type.has_shape);
  REQUIRE(type.shape.size() == 2);
  CHECK_FALSE(type.shape[0].has_value);
  CHECK(type.shape[0].param == "N");
  CHECK(type.shape[1].has_value);
  CHECK(type.shape[1].value == 4);
  REQUIRE(g.output.size() == 1);
  CHECK(g.output[0].type.shape[0].value == 3);
  CHECK(g.output[0].type.shape[1].param == "N");

  // Other opsets give the IR version released with them.
  CHECK(inlay_test::parse_model_bytes(checker_model().model_bytes(13)).proto.ir_version == 7);
  CHECK(inlay_test::parse_model_bytes(checker_model().model_bytes(19)).proto.ir_version == 9);
  CHECK(inlay_test::parse_model_bytes(checker_model().model_bytes(17, "me")).proto.producer_name ==
        "me");
}

TEST_CASE("writer: an unknown dimension (no value, no name) and every element type",
          "[onnx/writer]") {
  GraphWriter g;
  const DType types[] = {DType::f32, DType::f16, DType::i8,     DType::u8,
                         DType::i32, DType::i64, DType::boolean};
  const std::int32_t onnx_types[] = {1, 10, 3, 2, 6, 7, 9};
  for (int i = 0; i < 7; ++i) g.add_input("in" + std::to_string(i), types[i], {-1, 2});
  g.add_output("out", DType::i64, {});
  const auto m = inlay_test::parse_model_bytes(g.model_bytes());
  REQUIRE(m.proto.graph.input.size() == 7);
  for (int i = 0; i < 7; ++i) {
    const auto& t = m.proto.graph.input[static_cast<std::size_t>(i)].type;
    CHECK(t.elem_type == onnx_types[i]);
    REQUIRE(t.shape.size() == 2);
    CHECK_FALSE(t.shape[0].has_value);
    CHECK(t.shape[0].param.empty());
  }
  CHECK(m.proto.graph.output[0].type.has_shape);  // rank 0: a shape with no dims
  CHECK(m.proto.graph.output[0].type.shape.empty());
}

TEST_CASE("writer: initializers of every dtype come back with the same bytes", "[onnx/writer]") {
  std::vector<std::pair<std::string, Tensor>> tensors{
      {"f32", filled<float>(DType::f32, Shape{2, 3}, {1, -2, 3.5f, 0, 1e-30f, -0.0f})},
      {"f16", filled<std::uint16_t>(DType::f16, Shape{2}, {0x3c00, 0xc000})},
      {"bf16", filled<std::uint16_t>(DType::bf16, Shape{2}, {0x3f80, 0xc040})},
      {"i8", filled<std::int8_t>(DType::i8, Shape{3}, {-128, 0, 127})},
      {"u8", filled<std::uint8_t>(DType::u8, Shape{2}, {0, 255})},
      {"i32", filled<std::int32_t>(DType::i32, Shape{1, 1, 2}, {INT32_MIN, 7})},
      {"i64", filled<std::int64_t>(DType::i64, Shape{2}, {INT64_MIN, INT64_MAX})},
      {"bool", filled<bool>(DType::boolean, Shape{3}, {true, false, true})},
      {"scalar", filled<float>(DType::f32, Shape{}, {42.0f})},
      {"empty", Tensor(DType::f32, Shape{0, 5})}};
  GraphWriter g;
  for (const auto& t : tensors) g.add_initializer(t.first, t.second);
  const auto m = inlay_test::parse_model_bytes(g.model_bytes());
  REQUIRE(m.proto.graph.initializer.size() == tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& want = tensors[i].second;
    INFO("initializer " << tensors[i].first);
    CHECK(m.proto.graph.initializer[i].name == tensors[i].first);
    const Tensor got = inlay::onnx::to_tensor(m.proto.graph.initializer[i]);
    CHECK(got.dtype() == want.dtype());
    CHECK(got.shape() == want.shape());
    REQUIRE(got.nbytes() == want.nbytes());
    CHECK(std::memcmp(got.raw_data(), want.raw_data(), want.nbytes()) == 0);
  }
  CHECK(inlay_test::parse_tensor_bytes(inlay::onnx::tensor_proto_bytes("t", tensors[0].second))
            .proto.name == "t");
}

TEST_CASE("writer: a string tensor goes to string_data and comes back", "[onnx/writer]") {
  Tensor s(DType::string, Shape{3});
  s.data<std::string>()[0] = "monday";
  s.data<std::string>()[2] = std::string("a\0b", 3);  // any bytes, NUL included
  const auto parsed = inlay_test::parse_tensor_bytes(inlay::onnx::tensor_proto_bytes("s", s));
  CHECK(parsed.proto.data_type == 8);
  CHECK_FALSE(parsed.proto.has_raw_data);
  const Tensor back = inlay::onnx::to_tensor(parsed.proto);
  REQUIRE(back.dtype() == DType::string);
  CHECK(back.data<std::string>()[0] == "monday");
  CHECK(back.data<std::string>()[1].empty());
  CHECK(back.data<std::string>()[2] == std::string("a\0b", 3));
}

TEST_CASE("writer: nodes and attributes of every kind", "[onnx/writer]") {
  const auto m = inlay_test::parse_model_bytes(checker_model().model_bytes());
  const auto& nodes = m.proto.graph.node;
  REQUIRE(nodes.size() == 6);
  CHECK(nodes[0].op_type == "Gemm");
  CHECK(nodes[0].name == "gemm0");
  REQUIRE(nodes[0].input.size() == 3);
  CHECK(nodes[0].input[2] == "b");
  CHECK(nodes[0].output.at(0) == "h");
  CHECK(nodes[0].domain.empty());

  const AttributeProto& alpha = attribute(nodes[0], "alpha");
  CHECK(alpha.type == AttributeType::float_);
  CHECK(alpha.f == 0.5f);
  const AttributeProto& trans = attribute(nodes[0], "transB");
  CHECK(trans.type == AttributeType::int_);
  CHECK(trans.i == 0);
  CHECK(attribute(nodes[1], "alpha").f == 0.1f);
  const AttributeProto& perm = attribute(nodes[2], "perm");
  CHECK(perm.type == AttributeType::ints);
  CHECK(perm.ints == std::vector<std::int64_t>{1, 0});
  const AttributeProto& value = attribute(nodes[3], "value");
  CHECK(value.type == AttributeType::tensor);
  REQUIRE(value.has_t);
  const Tensor c = inlay::onnx::to_tensor(value.t);
  CHECK(c.shape() == Shape({3, 1}));
  CHECK(c.data<float>()[2] == 3.0f);
  CHECK(nodes[3].input.empty());

  const auto& tag = nodes[5];
  CHECK(tag.domain == "com.example");
  const AttributeProto& names = attribute(tag, "names");
  CHECK(names.type == AttributeType::strings);
  REQUIRE(names.strings.size() == 2);
  CHECK(names.strings[1] == "b");
  const AttributeProto& weights = attribute(tag, "weights");
  CHECK(weights.type == AttributeType::floats);
  CHECK(weights.floats == std::vector<float>{1.5f, 2.5f});
  const AttributeProto& mode = attribute(tag, "mode");
  CHECK(mode.type == AttributeType::string);
  CHECK(mode.s == "constant");
  CHECK(attribute(tag, "sizes").ints == std::vector<std::int64_t>{-1, 0, INT64_MAX});

  // A large negative int and an empty list survive too.
  GraphWriter g;
  g.add_node("Op", {"", "a"}, {"z"})
      .attr("i", std::int64_t{INT64_MIN})
      .attr("e", std::vector<float>{});
  const auto n = inlay_test::parse_model_bytes(g.model_bytes());
  const auto& node = n.proto.graph.node.at(0);
  CHECK(node.input.at(0).empty());  // an omitted optional input
  CHECK(attribute(node, "i").i == INT64_MIN);
  CHECK(attribute(node, "e").type == AttributeType::floats);
  CHECK(attribute(node, "e").floats.empty());
}

TEST_CASE("writer: an untyped output (type {}) exposes an intermediate value", "[onnx/writer]") {
  GraphWriter g("untyped");
  g.add_input("x", DType::f32, {2});
  g.add_output("y", DType::f32, {2});
  g.add_untyped_output("h");
  g.add_node("Neg", {"x"}, {"h"});
  g.add_node("Relu", {"h"}, {"y"});
  const std::string bytes = g.model_bytes(13);
  const inlay::onnx::ModelProto m = inlay::onnx::parse_model(bytes.data(), bytes.size());
  REQUIRE(m.graph.output.size() == 2);
  CHECK(m.graph.output[1].name == "h");
  CHECK_FALSE(m.graph.output[1].type.has_tensor_type);
  CHECK_FALSE(m.graph.output[1].type.has_other_type);
  inlay::Session session(inlay::Model::copy_from_bytes(bytes.data(), bytes.size()));
  const std::vector<Tensor> out = session.run({filled<float>(DType::f32, Shape{2}, {1.5f, -2.0f})});
  REQUIRE(out.size() == 2);
  CHECK(out[1].dtype() == DType::f32);
  CHECK(out[1].data<float>()[0] == -1.5f);
  CHECK(out[1].data<float>()[1] == 2.0f);
  CHECK(out[0].data<float>()[1] == 2.0f);
}

TEST_CASE("writer: errors for bad descriptions and unwritable files", "[onnx/writer]") {
  GraphWriter g;
  CHECK_THROWS_AS(g.add_input("x", DType::f32, {1, 2}, {"N"}), inlay::Error);
  CHECK_THROWS_AS(g.add_initializer("", Tensor(DType::f32, Shape{1})), inlay::Error);
  CHECK_THROWS_AS(g.add_node("", {}, {}), inlay::Error);
  CHECK_THROWS_AS(g.add_node("Relu", {"a"}, {"b"}).attr("", 1), inlay::Error);
  CHECK_THROWS_AS(GraphWriter(""), inlay::Error);
  CHECK_THROWS_AS(g.model_bytes(0), inlay::Error);
  const std::string m =
      inlay_test::error_of([&] { g.save("/nonexistent/dir/model.onnx"); }, ErrorKind::io);
  CHECK_THAT(m, Contains("/nonexistent/dir/model.onnx"));
}

TEST_CASE("writer: save writes model_bytes, read back by read_model_file", "[onnx/writer]") {
  const std::string path = "inlay_writer_test.onnx";
  const GraphWriter g = checker_model();
  g.save(path, 15);
  const inlay::onnx::ModelFile file = inlay::onnx::read_model_file(path);
  CHECK(file.model.opset_import.at(0).version == 15);
  const std::string bytes = g.model_bytes(15);
  REQUIRE(file.bytes->size() == bytes.size());
  CHECK(std::memcmp(file.bytes->data(), bytes.data(), bytes.size()) == 0);
  std::remove(path.c_str());
}

// The file check_onnx.py hands to the official checker (run by CTest in its own folder).
TEST_CASE("write a model for the ONNX checker", "[.writer_files]") {
  checker_model().save("writer_checker_model.onnx", 17);
  CHECK(std::ifstream("writer_checker_model.onnx").good());
}
