// Graph-door tests of StringNormalizer (include/inlay/graph/ops/string_normalizer.hpp): stopwords
// dropped with and without case, the case changes (ASCII only, other UTF-8 bytes unchanged),
// the empty results the spec shapes as [1] and [1, 1], and the errors for bad ranks, dtypes,
// attributes and locales.
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::attr_ints;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::Pb;
using inlay_test::strings;
using inlay_test::values_of;

namespace {

// StringNormalizer over a string input with the given attributes.
OpTester normalizer(const std::vector<Pb>& attrs) {
  OpTester m("StringNormalizer", 10);
  m.input("x", DType::string).output("y");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}
const std::vector<std::string> week{"Monday", "tuesday", "MONDAY", "Wednesday", "monday"};

}  // namespace

TEST_CASE("StringNormalizer drops stopwords, then changes case", "[graph/ops/string_normalizer]") {
  using inlay_test::attr_int;
  using inlay_test::attr_string;
  using inlay_test::attr_strings;
  const Tensor x = strings({5}, week);
  // No attributes: a copy.
  CHECK(values_of<std::string>(normalizer({}).run({x})[0]) == week);
  // Case-sensitive stopwords drop only the exact spelling; LOWER after that.
  Tensor y = normalizer({attr_strings("stopwords", {"monday"}), attr_int("is_case_sensitive", 1),
                         attr_string("case_change_action", "LOWER")})
                 .run({x})[0];
  CHECK(y.shape() == Shape{4});
  CHECK(values_of<std::string>(y) ==
        std::vector<std::string>{"monday", "tuesday", "monday", "wednesday"});
  // Case-insensitive (the default): every spelling of monday goes; UPPER.
  y = normalizer(
          {attr_strings("stopwords", {"MoNdAy"}), attr_string("case_change_action", "UPPER")})
          .run({x})[0];
  CHECK(values_of<std::string>(y) == std::vector<std::string>{"TUESDAY", "WEDNESDAY"});
  // [1, C] keeps its leading 1.
  y = normalizer({attr_strings("stopwords", {"tuesday"})}).run({strings({1, 5}, week)})[0];
  CHECK(y.shape() == (Shape{1, 4}));
  // Bytes outside ASCII are left as they are (UTF-8 "é" is 0xC3 0xA9).
  y = normalizer({attr_string("case_change_action", "UPPER")})
          .run({strings({1}, {"caf\xc3\xa9 ok"})})[0];
  CHECK(values_of<std::string>(y) == std::vector<std::string>{"CAF\xc3\xa9 OK"});
}

TEST_CASE("StringNormalizer gives one empty string when every element is a stopword",
          "[graph/ops/string_normalizer]") {
  using inlay_test::attr_strings;
  const auto m = normalizer({attr_strings("stopwords", {"monday", "tuesday", "wednesday"})});
  Tensor y = m.run({strings({5}, week)})[0];
  CHECK(y.shape() == Shape{1});
  CHECK(values_of<std::string>(y) == std::vector<std::string>{""});
  y = m.run({strings({1, 5}, week)})[0];
  CHECK(y.shape() == (Shape{1, 1}));
  CHECK(values_of<std::string>(y) == std::vector<std::string>{""});
}

TEST_CASE("StringNormalizer refuses bad shapes, dtypes, actions and locales",
          "[graph/ops/string_normalizer]") {
  using inlay_test::attr_string;
  normalizer({}).expect_run_error({strings({2, 2}, {"a", "b", "c", "d"})},
                                  ErrorKind::shape_mismatch, "X [2, 2] must be [C] or [1, C]");
  normalizer({}).expect_run_error({strings({}, {"a"})}, ErrorKind::shape_mismatch,
                                  "must be [C] or [1, C]");
  OpTester numbers("StringNormalizer", 10);
  numbers.input("x", DType::f32).output("y");
  numbers.expect_run_error({make_tensor<float>({1}, {1.0f})}, ErrorKind::invalid_model,
                           "X must be a string tensor, not f32");
  normalizer({attr_string("case_change_action", "TITLE")})
      .expect_load_error(ErrorKind::invalid_model, "case_change_action 'TITLE' is not supported");
  normalizer({attr_string("locale", "tr_TR")})
      .expect_load_error(ErrorKind::unsupported_op, "locale 'tr_TR'");
  // The locales whose case mapping is ASCII's load.
  for (const char* locale : {"en_US", "C", "en_US.UTF-8"}) {
    CHECK(
        values_of<std::string>(
            normalizer({attr_string("locale", locale), attr_string("case_change_action", "LOWER")})
                .run({strings({1}, {"ABC"})})[0]) == std::vector<std::string>{"abc"});
  }
}
