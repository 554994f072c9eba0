// ONNX messages parsed from hand-made bytes: every field inlay reads, error paths, and hostile
// inputs (truncation at every length, nesting bombs, wrong wire types, sparse initializers).
#include <cstdint>
#include <string>
#include <vector>

#include "onnx/onnx_test_util.hpp"

using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::onnx::AttributeType;
using inlay::onnx::ModelProto;
using inlay_test::error_of;
using inlay_test::ExactBytes;
using inlay_test::Pb;
using inlay_test::varint;

namespace {

Pb value_info(const std::string& name, bool with_shape) {
  Pb shape;
  shape.m(1, Pb().s(2, "N")).m(1, Pb().u(1, 2));
  Pb tensor_type;
  tensor_type.u(1, 1);
  if (with_shape) tensor_type.m(2, shape);
  return Pb().s(1, name).m(2, Pb().m(1, tensor_type)).s(3, "doc is skipped");
}

Pb tiny_model() {
  Pb w;  // initializer: FLOAT [2, 2], raw_data
  w.s(1, varint(2) + varint(2)).u(2, 1).s(8, "w").s(9, inlay_test::le_bytes<float>({1, 2, 3, 4}));
  Pb attr_t;
  attr_t.u(1, 3).u(2, 7).s(8, "shape").m(5 /*int32_data ignored*/, Pb()).u(7, 4).u(7, 5).u(7, 6);
  Pb gemm;
  gemm.s(1, "y").s(1, "w").s(1, "").s(2, "z").s(3, "gemm0").s(4, "Gemm").s(7, "");
  gemm.m(5, Pb().s(1, "alpha").f32(2, 0.5f).u(20, 1));
  gemm.m(5, Pb().s(1, "transA").u(3, 1).u(20, 2));
  gemm.m(5, Pb().s(1, "mode").s(4, "constant").u(20, 3));
  gemm.m(5, Pb().s(1, "value").m(5, attr_t).u(20, 4));
  gemm.m(5, Pb().s(1, "pads").s(8, varint(1) + varint(2)).u(8, 3).u(20, 7));
  gemm.m(5, Pb().s(1, "scales").s(7, inlay_test::le_bytes<float>({1.0f, 2.0f})).u(20, 6));
  gemm.m(5, Pb().s(1, "names").s(9, "a").s(9, "b").u(20, 8));
  gemm.m(5, Pb().s(1, "ref").s(21, "outer").u(20, 2));
  Pb sub_graph;
  sub_graph.s(2, "then").m(1, Pb().s(4, "Identity").s(1, "z").s(2, "t"));
  Pb if_node;
  if_node.s(4, "If").s(1, "c").s(2, "o").m(5, Pb().s(1, "then_branch").m(6, sub_graph).u(20, 5));
  if_node.m(5, Pb().s(1, "branches").m(11, sub_graph).m(11, sub_graph).u(20, 10));
  if_node.m(5, Pb().s(1, "ts").m(10, w).u(20, 9));
  Pb graph;
  graph.m(1, Pb().s(1, "x").s(2, "y").s(4, "Relu").s(6, "doc"))
      .m(1, gemm)
      .m(1, if_node)
      .s(2, "g")
      .m(5, w)
      .m(11, value_info("x", true))
      .m(12, value_info("z", false))
      .m(13, value_info("y", true))
      .s(10, "graph doc");
  Pb function;
  function.s(1, "F").s(10, "custom").s(4, "a").s(5, "b").s(6, "alpha");
  function.m(7, Pb().s(4, "Relu").s(1, "a").s(2, "b"));
  function.m(9, Pb().s(1, "").u(2, 13));
  Pb model;
  model.u(1, 8).s(2, "inlay-test").s(3, "1.0").s(4, "org.test").u(5, 3).s(6, "model doc");
  model.m(8, Pb().s(1, "").u(2, 13)).m(8, Pb().s(1, "ai.onnx.ml").u(2, 3));
  model.m(7, graph);
  model.m(14, Pb().s(1, "author").s(2, "me"));
  model.m(25, function);
  model.u(999, 1);  // unknown field: skipped
  return model;
}

}  // namespace

TEST_CASE("A small model's fields are all read", "[onnx][onnx/parse]") {
  const std::string bytes = tiny_model().bytes;
  ExactBytes b(bytes);
  const ModelProto m = inlay::onnx::parse_model(b.data.get(), b.size);
  CHECK(m.ir_version == 8);
  CHECK(m.producer_name == "inlay-test");
  CHECK(m.producer_version == "1.0");
  CHECK(m.domain == "org.test");
  CHECK(m.model_version == 3);
  REQUIRE(m.opset_import.size() == 2);
  CHECK(m.opset_import[0].domain == "");
  CHECK(m.opset_import[0].version == 13);
  CHECK(m.opset_import[1].domain == "ai.onnx.ml");
  REQUIRE(m.metadata_props.size() == 1);
  CHECK(m.metadata_props[0].key == "author");
  CHECK(m.metadata_props[0].value == "me");

  REQUIRE(m.has_graph);
  const auto& g = m.graph;
  CHECK(g.name == "g");
  REQUIRE(g.node.size() == 3);
  CHECK(g.node[0].op_type == "Relu");
  const auto& gemm = g.node[1];
  CHECK(gemm.name == "gemm0");
  CHECK(gemm.input == std::vector<std::string_view>{"y", "w", ""});
  CHECK(gemm.output == std::vector<std::string_view>{"z"});
  REQUIRE(gemm.attribute.size() == 8);
  CHECK(gemm.attribute[0].type == AttributeType::float_);
  CHECK(gemm.attribute[0].f == 0.5f);
  CHECK(gemm.attribute[1].i == 1);
  CHECK(gemm.attribute[2].s == "constant");
  REQUIRE(gemm.attribute[3].has_t);
  CHECK(gemm.attribute[3].t.name == "shape");
  CHECK(gemm.attribute[3].t.int64_data == std::vector<std::int64_t>{4, 5, 6});
  CHECK(gemm.attribute[4].ints == std::vector<std::int64_t>{1, 2, 3});
  CHECK(gemm.attribute[5].floats == std::vector<float>{1.0f, 2.0f});
  CHECK(gemm.attribute[6].strings == std::vector<std::string_view>{"a", "b"});
  CHECK(gemm.attribute[7].ref_attr_name == "outer");
  const auto& if_node = g.node[2];
  REQUIRE(if_node.attribute.size() == 3);
  REQUIRE(if_node.attribute[0].g);
  CHECK(if_node.attribute[0].g->name == "then");
  CHECK(if_node.attribute[0].g->node.at(0).op_type == "Identity");
  CHECK(if_node.attribute[1].graphs.size() == 2);
  CHECK(if_node.attribute[2].tensors.size() == 1);

  REQUIRE(g.initializer.size() == 1);
  const auto& w = g.initializer[0];
  CHECK(w.name == "w");
  CHECK(w.dims == std::vector<std::int64_t>{2, 2});
  CHECK(w.data_type == 1);
  CHECK(w.has_raw_data);
  // zero-copy: raw_data points into the parsed buffer
  const auto* raw = reinterpret_cast<const std::uint8_t*>(w.raw_data.data());
  CHECK(raw >= b.data.get());
  CHECK(raw + 16 <= b.data.get() + b.size);

  REQUIRE(g.input.size() == 1);
  CHECK(g.input[0].name == "x");
  CHECK(g.input[0].type.has_tensor_type);
  CHECK(g.input[0].type.elem_type == 1);
  REQUIRE(g.input[0].type.has_shape);
  REQUIRE(g.input[0].type.shape.size() == 2);
  CHECK_FALSE(g.input[0].type.shape[0].has_value);
  CHECK(g.input[0].type.shape[0].param == "N");
  CHECK(g.input[0].type.shape[1].has_value);
  CHECK(g.input[0].type.shape[1].value == 2);
  REQUIRE(g.output.size() == 1);
  CHECK_FALSE(g.output[0].type.has_shape);
  CHECK(g.value_info.size() == 1);

  REQUIRE(m.functions.size() == 1);
  const auto& f = m.functions[0];
  CHECK(f.name == "F");
  CHECK(f.domain == "custom");
  CHECK(f.input == std::vector<std::string_view>{"a"});
  CHECK(f.output == std::vector<std::string_view>{"b"});
  CHECK(f.attribute == std::vector<std::string_view>{"alpha"});
  CHECK(f.node.size() == 1);
  CHECK(f.opset_import.size() == 1);
}

TEST_CASE("Every truncation of a model is a clean inlay::Error or a shorter valid model",
          "[onnx][onnx/parse]") {
  const std::string bytes = tiny_model().bytes;
  std::size_t errors = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ExactBytes b(bytes, n);
    try {
      inlay::onnx::parse_model(b.data.get(), b.size);
    } catch (const inlay::Error& e) {
      REQUIRE(e.kind() == ErrorKind::invalid_model);
      ++errors;
    }
  }
  // Cuts inside the graph field always fail; only cuts at top-level field ends can pass.
  CHECK(errors > bytes.size() * 9 / 10);
}

TEST_CASE("Errors name the field path and the byte offset", "[onnx][onnx/parse]") {
  // node[1].attribute[1].t.dims: a packed varint list whose last varint is cut
  Pb t;
  t.s(1, varint(3) + "\x80");
  Pb node1;
  node1.s(4, "Reshape").m(5, Pb().s(1, "a")).m(5, Pb().s(1, "b").m(5, t));
  Pb graph;
  graph.m(1, Pb().s(4, "Relu")).m(1, node1);
  const std::string bytes = Pb().u(1, 8).m(7, graph).bytes;
  const std::size_t offset = bytes.size() - 1;  // the cut varint is the last byte
  CHECK_THAT(error_of([&] { inlay_test::parse_model_bytes(bytes); }, ErrorKind::invalid_model),
             Contains("ModelProto.graph.node[1].attribute[1].t.dims: varint runs past the end of "
                      "the buffer at byte " +
                      std::to_string(offset)));
  // wrong wire type for a known field
  CHECK_THAT(
      error_of([&] { inlay_test::parse_model_bytes(Pb().s(1, "8").bytes); },
               ErrorKind::invalid_model),
      Contains("ModelProto.ir_version: wire type length-delimited, expected varint at byte 2"));
  CHECK_THAT(error_of([&] { inlay_test::parse_model_bytes(Pb().u(7, 1).bytes); },
                      ErrorKind::invalid_model),
             Contains("ModelProto.graph: wire type varint, expected length-delimited"));
  CHECK_THAT(
      error_of(
          [&] { inlay_test::parse_model_bytes(Pb().m(7, Pb().m(1, Pb().f32(4, 1.0f))).bytes); },
          ErrorKind::invalid_model),
      Contains("ModelProto.graph.node[0].op_type: wire type fixed32"));
  // a length past the end inside a nested message
  CHECK_THAT(error_of(
                 [&] {
                   inlay_test::parse_model_bytes(
                       Pb().m(7, Pb().raw(Pb().tag(2, 2).bytes + varint(50) + "ab")).bytes);
                 },
                 ErrorKind::invalid_model),
             Contains("ModelProto.graph: field 2: length 50 runs past the end of the buffer"));
}

TEST_CASE("Nesting bombs are refused without exhausting the stack", "[onnx][onnx/parse]") {
  // graph -> node -> attribute -> g -> node ... 1000 levels deep
  Pb inner = Pb().s(2, "leaf");
  for (int i = 0; i < 1000; ++i) {
    inner = Pb().m(1, Pb().s(4, "If").m(5, Pb().s(1, "g").m(6, inner)));
  }
  const std::string bytes = Pb().m(7, inner).bytes;
  CHECK_THAT(error_of([&] { inlay_test::parse_model_bytes(bytes); }, ErrorKind::invalid_model),
             Contains("nested deeper than 64 levels"));
  // 20 levels of subgraphs (61 messages deep) still parse
  Pb ok = Pb().s(2, "leaf");
  for (int i = 0; i < 20; ++i) ok = Pb().m(1, Pb().s(4, "If").m(5, Pb().s(1, "g").m(6, ok)));
  CHECK_NOTHROW(inlay_test::parse_model_bytes(Pb().m(7, ok).bytes));
}

TEST_CASE("Sparse initializers and segmented tensors are refused as unsupported",
          "[onnx][onnx/parse]") {
  CHECK_THAT(
      error_of([&] { inlay_test::parse_model_bytes(Pb().m(7, Pb().m(15, Pb())).bytes); },
               ErrorKind::unsupported_op),
      Contains("ModelProto.graph.sparse_initializer: sparse initializers are not supported"));
  CHECK_THAT(error_of([&] { inlay_test::parse_tensor_bytes(Pb().m(3, Pb()).bytes); },
                      ErrorKind::unsupported_op),
             Contains("TensorProto.segment"));
}

TEST_CASE("Empty buffers parse as empty messages", "[onnx][onnx/parse]") {
  const ModelProto m = inlay::onnx::parse_model(nullptr, 0);
  CHECK_FALSE(m.has_graph);
  CHECK(inlay::onnx::parse_tensor(nullptr, 0).dims.empty());
  CHECK_THROWS_AS(inlay::onnx::parse_model(nullptr, 3), inlay::Error);
}
