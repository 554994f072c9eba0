// Maps as values (docs/graph.md "Maps"): ai.onnx.ml ZipMap (include/inlay/graph/ops/ml_zipmap.hpp)
// turning scores into a sequence of maps and DictVectorizer (ml_dict_vectorizer.hpp) turning a
// map into a row, through Session::run_any; the declared types that Model reports; and the
// errors for scores that do not fit the labels, a map where a tensor is expected, keys of
// another dtype and a missing vocabulary.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using Catch::Matchers::Contains;
using inlay::AnyValue;
using inlay::ContainerValue;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using namespace inlay_test;

namespace {

Pb tensor_type(DType t) { return Pb().m(1, Pb().u(1, static_cast<std::uint64_t>(onnx_type(t)))); }
// TypeProto map_type { key_type, value_type: tensor of `value` }.
Pb map_type(DType key, DType value) {
  return Pb().m(5, Pb().u(1, static_cast<std::uint64_t>(onnx_type(key))).m(2, tensor_type(value)));
}
Pb sequence_of(const Pb& element) { return Pb().m(4, Pb().m(1, element)); }

// A model of one ai.onnx.ml node `op` from input x (type `in`) to output y (type `out`).
inlay::Model one_node(const std::string& op, const Pb& in, const Pb& out,
                      const std::vector<Pb>& attrs) {
  Pb node = Pb().s(1, "x").s(2, "y").s(3, "n").s(4, op).s(7, "ai.onnx.ml");
  for (const Pb& a : attrs) node.m(5, a);
  Pb g;
  g.m(1, node).s(2, "g");
  g.m(11, Pb().s(1, "x").m(2, in));
  g.m(12, Pb().s(1, "y").m(2, out));
  const std::string bytes =
      Pb().u(1, 8).m(8, Pb().s(1, "").u(2, 17)).m(8, Pb().s(1, "ai.onnx.ml").u(2, 1)).m(7, g).bytes;
  return inlay::Model::copy_from_bytes(bytes.data(), bytes.size());
}

inlay::Model zipmap(const std::vector<Pb>& attrs, DType key) {
  return one_node("ZipMap", tensor_type(DType::f32), sequence_of(map_type(key, DType::f32)), attrs);
}

std::shared_ptr<ContainerValue> string_map(const std::vector<std::string>& keys,
                                           const std::vector<float>& values) {
  auto m = std::make_shared<ContainerValue>();
  m->kind = ContainerValue::Kind::map;
  m->key_dtype = DType::string;
  m->dtype = DType::f32;
  const auto n = static_cast<std::int64_t>(keys.size());
  m->tensors = {make_tensor<std::string>(Shape{n}, keys), make_tensor<float>(Shape{n}, values)};
  return m;
}

}  // namespace

TEST_CASE("ZipMap zips each row of scores with the labels", "[graph/ops/ml_zipmap]") {
  const inlay::Model model = zipmap({attr_ints("classlabels_int64s", {10, 20, 30})}, DType::i64);
  REQUIRE(model.outputs().size() == 1);
  CHECK(model.outputs()[0].kind == inlay::ValueDesc::Kind::map_sequence);
  CHECK(model.outputs()[0].key_dtype == DType::i64);
  CHECK(model.outputs()[0].dtype == DType::f32);
  for_each_cpu_target([&] {
    inlay::Session session(model);
    const auto out = session.run_any(
        {AnyValue{make_tensor<float>(Shape{2, 3}, {0.1f, 0.2f, 0.7f, 1, 0, 0}), nullptr}});
    REQUIRE(out.size() == 1);
    REQUIRE_FALSE(out[0].is_tensor());
    const ContainerValue& maps = *out[0].container;
    CHECK(maps.kind == ContainerValue::Kind::map_sequence);
    CHECK(maps.key_dtype == DType::i64);
    REQUIRE(maps.tensors.size() == 4);  // keys and values of each of the 2 maps
    CHECK(values_of<std::int64_t>(maps.tensors[0]) == std::vector<std::int64_t>{10, 20, 30});
    CHECK(values_of<float>(maps.tensors[1]) == std::vector<float>{0.1f, 0.2f, 0.7f});
    CHECK(values_of<std::int64_t>(maps.tensors[2]) == std::vector<std::int64_t>{10, 20, 30});
    CHECK(values_of<float>(maps.tensors[3]) == std::vector<float>{1, 0, 0});
    // Session::run has no way to return maps.
    CHECK_THROWS_WITH(session.run({make_tensor<float>(Shape{1, 3}, {1, 2, 3})}),
                      Contains("use Session::run_any"));
  });
}

TEST_CASE("ZipMap of a constant runs (maps are never folded into constants)",
          "[graph/ops/ml_zipmap]") {
  // x is an initializer [1, 2]: the folding pass must leave ZipMap to run.
  Pb node = Pb().s(1, "x").s(2, "y").s(3, "n").s(4, "ZipMap").s(7, "ai.onnx.ml");
  node.m(5, attr_ints("classlabels_int64s", {4, 5}));
  Pb g;
  g.m(1, node).s(2, "g");
  g.m(5, Pb().u(1, 1).u(1, 2).u(2, 1).s(8, "x").s(9, le_bytes<float>({0.3f, 0.7f})));
  g.m(12, Pb().s(1, "y").m(2, sequence_of(map_type(DType::i64, DType::f32))));
  const std::string bytes =
      Pb().u(1, 8).m(8, Pb().s(1, "").u(2, 17)).m(8, Pb().s(1, "ai.onnx.ml").u(2, 1)).m(7, g).bytes;
  const inlay::Model model = inlay::Model::copy_from_bytes(bytes.data(), bytes.size());
  inlay::Session session(model);
  const auto out = session.run_any({});
  REQUIRE_FALSE(out.at(0).is_tensor());
  REQUIRE(out[0].container->tensors.size() == 2);
  CHECK(values_of<std::int64_t>(out[0].container->tensors[0]) == std::vector<std::int64_t>{4, 5});
  CHECK(values_of<float>(out[0].container->tensors[1]) == std::vector<float>{0.3f, 0.7f});
}

TEST_CASE("ZipMap with string labels takes a 1-D row", "[graph/ops/ml_zipmap]") {
  const inlay::Model model =
      zipmap({attr_strings("classlabels_strings", {"cat", "dog"})}, DType::string);
  inlay::Session session(model);
  const auto out =
      session.run_any({AnyValue{make_tensor<float>(Shape{2}, {0.25f, 0.75f}), nullptr}});
  const ContainerValue& maps = *out.at(0).container;
  REQUIRE(maps.tensors.size() == 2);
  CHECK(values_of<std::string>(maps.tensors[0]) == std::vector<std::string>{"cat", "dog"});
  CHECK(values_of<float>(maps.tensors[1]) == std::vector<float>{0.25f, 0.75f});
}

TEST_CASE("ZipMap refuses scores that do not fit its labels", "[graph/ops/ml_zipmap]") {
  const inlay::Model model = zipmap({attr_ints("classlabels_int64s", {1, 2, 3})}, DType::i64);
  inlay::Session session(model);
  CHECK_THAT(
      error_of(
          [&] {
            session.run_any({AnyValue{make_tensor<float>(Shape{1, 2}, {0.5f, 0.5f}), nullptr}});
          },
          ErrorKind::shape_mismatch),
      Contains("X has 2 scores per row for 3 class labels"));
  CHECK_THAT(error_of([&] { zipmap({}, DType::i64); }, ErrorKind::invalid_model),
             Contains("give exactly one of classlabels_int64s and classlabels_strings"));
}

TEST_CASE("DictVectorizer writes a map's values at their vocabulary positions",
          "[graph/ops/ml_zipmap]") {
  // Vocabulary (b, a, c): {a: 1, c: 3, z: 9} -> [0, 1, 3]; z is not in it.
  const inlay::Model model =
      one_node("DictVectorizer", map_type(DType::string, DType::f32), tensor_type(DType::f32),
               {attr_strings("string_vocabulary", {"b", "a", "c"})});
  REQUIRE(model.inputs().size() == 1);
  CHECK(model.inputs()[0].kind == inlay::ValueDesc::Kind::map);
  CHECK(model.inputs()[0].key_dtype == DType::string);
  inlay::Session session(model);
  const auto out = session.run_any({AnyValue{Tensor(), string_map({"a", "c", "z"}, {1, 3, 9})}});
  REQUIRE(out.at(0).is_tensor());
  CHECK(out[0].tensor.shape() == Shape{1, 3});
  CHECK(values_of<float>(out[0].tensor) == std::vector<float>{0, 1, 3});
  // A map with int64 keys where string keys are declared, and a tensor where a map is.
  auto ints = std::make_shared<ContainerValue>();
  ints->kind = ContainerValue::Kind::map;
  ints->dtype = DType::f32;
  ints->tensors = {make_tensor<std::int64_t>(Shape{1}, {1}), make_tensor<float>(Shape{1}, {1})};
  CHECK_THROWS_WITH(session.run_any({AnyValue{Tensor(), ints}}), Contains("must be a map"));
  CHECK_THROWS_WITH(session.run_any({AnyValue{make_tensor<float>(Shape{1}, {1}), nullptr}}),
                    Contains("must be a map, not a tensor"));
}

TEST_CASE("DictVectorizer needs one vocabulary", "[graph/ops/ml_zipmap]") {
  CHECK_THAT(error_of(
                 [&] {
                   one_node("DictVectorizer", map_type(DType::i64, DType::f32),
                            tensor_type(DType::f32), {});
                 },
                 ErrorKind::invalid_model),
             Contains("give exactly one of string_vocabulary and int64_vocabulary"));
}
