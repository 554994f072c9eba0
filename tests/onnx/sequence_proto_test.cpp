// SequenceProto and OptionalProto (test data of sequence and optional values) and the
// sequence_type / optional_type of a TypeProto, parsed from hand-made bytes.
#include <cstdint>
#include <string>

#include "onnx/onnx_test_util.hpp"

using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay_test::error_of;
using inlay_test::Pb;

namespace {

// A FLOAT TensorProto of shape [n] named `name` (values not read here).
Pb float_tensor(const std::string& name, std::uint64_t n) {
  return Pb().u(1, n).u(2, 1).s(8, name).s(9, std::string(n * 4, '\0'));
}

}  // namespace

TEST_CASE("SequenceProto: name, elem_type and tensors in order", "[onnx/sequence_proto]") {
  const Pb seq = Pb().s(1, "s").u(2, 1).m(3, float_tensor("a", 2)).m(3, float_tensor("b", 3));
  const auto s = inlay::onnx::parse_sequence(seq.bytes.data(), seq.bytes.size());
  CHECK(s.name == "s");
  CHECK(s.elem_type == 1);
  REQUIRE(s.tensor_values.size() == 2);
  CHECK(s.tensor_values[0].name == "a");
  CHECK(s.tensor_values[1].dims == std::vector<std::int64_t>{3});
  // A sequence of sequences (field 5) is refused, naming the field.
  const Pb nested = Pb().s(1, "s").u(2, 3).m(5, Pb());
  CHECK_THAT(
      error_of([&] { inlay::onnx::parse_sequence(nested.bytes.data(), nested.bytes.size()); },
               ErrorKind::unsupported_op),
      Contains("field 5"));
}

TEST_CASE("OptionalProto: empty, a tensor, a sequence", "[onnx/sequence_proto]") {
  const Pb empty = Pb().s(1, "o").u(2, 0);
  const auto e = inlay::onnx::parse_optional(empty.bytes.data(), empty.bytes.size());
  CHECK_FALSE(e.has_tensor);
  CHECK_FALSE(e.has_sequence);
  const Pb tensor = Pb().s(1, "o").u(2, 1).m(3, float_tensor("t", 4));
  const auto t = inlay::onnx::parse_optional(tensor.bytes.data(), tensor.bytes.size());
  REQUIRE(t.has_tensor);
  CHECK(t.tensor_value.dims == std::vector<std::int64_t>{4});
  const Pb seq = Pb().s(1, "o").u(2, 3).m(5, Pb().u(2, 1).m(3, float_tensor("a", 1)));
  const auto q = inlay::onnx::parse_optional(seq.bytes.data(), seq.bytes.size());
  REQUIRE(q.has_sequence);
  CHECK(q.sequence_value.tensor_values.size() == 1);
}

TEST_CASE("TypeProto: sequence_type and optional_type wrap a tensor_type",
          "[onnx/sequence_proto]") {
  // optional_type { elem_type { sequence_type { elem_type { tensor_type { elem_type: INT64 }}}}}
  const Pb tensor_type = Pb().m(1, Pb().u(1, 7));
  const Pb type = Pb().m(9, Pb().m(1, Pb().m(4, Pb().m(1, tensor_type))));
  const Pb graph = Pb().s(2, "g").m(11, Pb().s(1, "x").m(2, type));
  const Pb model = Pb().u(1, 8).m(8, Pb().s(1, "").u(2, 16)).m(7, graph);
  const auto m = inlay::onnx::parse_model(model.bytes.data(), model.bytes.size());
  REQUIRE(m.graph.input.size() == 1);
  const auto& t = m.graph.input[0].type;
  using C = inlay::onnx::TypeProto::Container;
  CHECK(t.containers == std::vector<C>{C::optional, C::sequence});
  CHECK(t.has_tensor_type);
  CHECK(t.elem_type == 7);
  CHECK_FALSE(t.has_other_type);
}
