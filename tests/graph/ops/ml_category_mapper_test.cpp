// Graph-door tests of ai.onnx.ml CategoryMapper (include/inlay/graph/ops/ml_category_mapper.hpp):
// strings to categories and back with their defaults, and the errors for lists that do not
// pair up and for other dtypes.
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::attr_int;
using inlay_test::attr_ints;
using inlay_test::attr_string;
using inlay_test::attr_strings;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::Pb;
using inlay_test::values_of;

namespace {

OpTester mapper(DType in, const std::vector<Pb>& attrs) {
  OpTester m("CategoryMapper", 15);
  m.domain("ai.onnx.ml", 1);
  m.input("x", in).output("y");
  for (const Pb& a : attrs) m.attr(a);
  return m;
}
const std::vector<Pb> kCats{attr_strings("cats_strings", {"red", "green", "blue"}),
                            attr_ints("cats_int64s", {10, 20, 30})};

}  // namespace

TEST_CASE("CategoryMapper maps strings to categories and back", "[graph/ops/ml_category_mapper]") {
  // string -> int64 keeps the shape; an unknown string gets default_int64 (-1 unless given).
  Tensor y = mapper(DType::string, kCats)
                 .run({make_tensor<std::string>(
                     Shape{2, 2}, std::vector<std::string>{"blue", "pink", "red", "green"})})[0];
  CHECK(y.shape() == Shape{2, 2});
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{30, -1, 10, 20});
  std::vector<Pb> a = kCats;
  a.push_back(attr_int("default_int64", 99));
  a.push_back(attr_string("default_string", "none"));
  y = mapper(DType::string, a)
          .run({make_tensor<std::string>(Shape{1}, std::vector<std::string>{"pink"})})[0];
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{99});
  // int64 -> string; an unknown integer gets default_string ("_Unused" unless given).
  y = mapper(DType::i64, kCats).run({make_tensor<std::int64_t>(Shape{3}, {20, 5, 10})})[0];
  CHECK(values_of<std::string>(y) == std::vector<std::string>{"green", "_Unused", "red"});
  y = mapper(DType::i64, a).run({make_tensor<std::int64_t>(Shape{1}, {5})})[0];
  CHECK(values_of<std::string>(y) == std::vector<std::string>{"none"});
}

TEST_CASE("CategoryMapper refuses unpaired lists and other dtypes",
          "[graph/ops/ml_category_mapper]") {
  mapper(DType::string, {attr_strings("cats_strings", {"a", "b"}), attr_ints("cats_int64s", {1})})
      .expect_load_error(ErrorKind::invalid_model, "cats_strings has 2 entries and cats_int64s 1");
  mapper(DType::f32, kCats)
      .expect_run_error({make_tensor<float>(Shape{1}, {1})}, ErrorKind::unsupported_op,
                        "CategoryMapper maps string or int64");
}
