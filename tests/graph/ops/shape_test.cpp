// Graph-door tests of the shape operators (include/inlay/graph/ops/shape.hpp) beyond the official
// node tests: every dtype, attribute forms of older opsets, and the errors for shapes and values
// that do not fit.
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("Reshape copies 0 entries, infers -1 and keeps every dtype's bytes",
          "[graph/ops/shape]") {
  for (DType dtype : all_dtypes()) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{2, 3, 4});
    const Tensor y = OpTester("Reshape").in(x).constant(i64s({0, -1, 2})).run1();
    CHECK(y.shape() == (Shape{2, 6, 2}));
    check_moved(x, y, [](std::int64_t j) { return j; });
  }
}

TEST_CASE("Reshape with allowzero keeps 0 as a dimension", "[graph/ops/shape]") {
  const Tensor x(DType::f32, Shape{0, 3});
  const Tensor y = OpTester("Reshape", 14)
                       .in(x)
                       .constant(i64s({3, 0}))
                       .attr("allowzero", std::int64_t(1))
                       .run1();
  CHECK(y.shape() == (Shape{3, 0}));
}

TEST_CASE("Reshape refuses shapes that do not fit", "[graph/ops/shape]") {
  const Tensor x(DType::f32, Shape{2, 3});
  auto reshape = [&](std::initializer_list<std::int64_t> s) {
    return OpTester("Reshape").in(x).constant(i64s(s));
  };
  reshape({4, 2}).expect_run_error(ErrorKind::shape_mismatch, "cannot reshape");
  reshape({-1, -1}).expect_run_error(ErrorKind::invalid_model, "more than one -1");
  reshape({-1, 4}).expect_run_error(ErrorKind::shape_mismatch, "cannot infer");
  reshape({6, -2}).expect_run_error(ErrorKind::invalid_model, "-2");
  reshape({1, 2, 0}).expect_run_error(ErrorKind::shape_mismatch, "no such dimension");
  // The error names the node and op.
  reshape({5}).expect_run_error(ErrorKind::shape_mismatch, "Reshape");
}

TEST_CASE("Flatten refuses an axis beyond the rank", "[graph/ops/shape]") {
  const Tensor x(DType::u8, Shape{2, 3});
  CHECK(OpTester("Flatten").in(x).attr("axis", std::int64_t(2)).run1().shape() == (Shape{6, 1}));
  CHECK(OpTester("Flatten").in(x).attr("axis", std::int64_t(-2)).run1().shape() == (Shape{1, 6}));
  OpTester("Flatten").in(x).attr("axis", std::int64_t(3)).run_error(ErrorKind::invalid_model);
}

TEST_CASE("Squeeze and Unsqueeze take axes as an attribute before opset 13", "[graph/ops/shape]") {
  const Tensor x = pattern_tensor(DType::i16, Shape{1, 3, 1});
  CHECK(OpTester("Squeeze", 11).in(x).attr("axes", {0}).run1().shape() == (Shape{3, 1}));
  CHECK(OpTester("Squeeze", 11).in(x).run1().shape() == (Shape{3}));
  CHECK(OpTester("Squeeze", 13).in(x).constant(i64s({-1})).run1().shape() == (Shape{1, 3}));
  CHECK(OpTester("Squeeze", 13).in(x).run1().shape() == (Shape{3}));
  CHECK(OpTester("Unsqueeze", 11).in(x).attr("axes", {0, 4}).run1().shape() ==
        (Shape{1, 1, 3, 1, 1}));
  const Tensor y = OpTester("Unsqueeze", 13).in(x).constant(i64s({-1, 1})).run1();
  CHECK(y.shape() == (Shape{1, 1, 3, 1, 1}));
  check_moved(x, y, [](std::int64_t j) { return j; });
}

TEST_CASE("Squeeze and Unsqueeze refuse axes that do not fit", "[graph/ops/shape]") {
  const Tensor x(DType::f32, Shape{1, 3});
  OpTester("Squeeze").in(x).constant(i64s({1})).expect_run_error(ErrorKind::shape_mismatch,
                                                                 "not 1");
  OpTester("Squeeze").in(x).constant(i64s({2})).run_error(ErrorKind::invalid_model);
  OpTester("Unsqueeze")
      .in(x)
      .constant(i64s({0, -4}))
      .expect_run_error(ErrorKind::invalid_model, "repeated");
  OpTester("Unsqueeze").in(x).constant(i64s({3})).run_error(ErrorKind::invalid_model);
  OpTester("Unsqueeze", 11).in(x).run_error(ErrorKind::invalid_model);
  // Beyond inlay's maximum rank.
  OpTester("Unsqueeze")
      .in(x)
      .constant(i64s({0, 1, 2, 3, 4, 5, 6}))
      .run_error(ErrorKind::unsupported_op);
}

TEST_CASE("Shape slices with start and end; Size counts elements", "[graph/ops/shape]") {
  const Tensor x(DType::boolean, Shape{2, 3, 4, 5});
  CHECK(values_of<std::int64_t>(OpTester("Shape", 15)
                                    .in(x)
                                    .attr("start", std::int64_t(-3))
                                    .attr("end", std::int64_t(-1))
                                    .run1()) == std::vector<std::int64_t>{3, 4});
  CHECK(OpTester("Shape", 15)
            .in(x)
            .attr("start", std::int64_t(3))
            .attr("end", std::int64_t(1))
            .run1()
            .shape() == (Shape{0}));
  CHECK(values_of<std::int64_t>(OpTester("Shape", 13).in(x).run1()) ==
        std::vector<std::int64_t>{2, 3, 4, 5});
  const Tensor n = OpTester("Size").in(x).run1();
  CHECK(n.shape() == Shape{});
  CHECK(values_of<std::int64_t>(n) == std::vector<std::int64_t>{120});
}

TEST_CASE("ConstantOfShape fills with the value's dtype and refuses negative shapes",
          "[graph/ops/shape]") {
  const Tensor y = OpTester("ConstantOfShape")
                       .in(i64s({2, 2}))
                       .attr("value", make_tensor<std::int32_t>(Shape{1}, {7}))
                       .run1();
  CHECK(y.dtype() == DType::i32);
  CHECK(values_of<std::int32_t>(y) == std::vector<std::int32_t>(4, 7));
  const Tensor z = OpTester("ConstantOfShape").in(i64s({3})).run1();
  CHECK(z.dtype() == DType::f32);
  CHECK(values_of<float>(z) == std::vector<float>(3, 0.0f));
  CHECK(OpTester("ConstantOfShape").in(i64s({})).run1().shape() == Shape{});
  OpTester("ConstantOfShape").in(i64s({2, -1})).run_error(ErrorKind::shape_mismatch);
  OpTester("ConstantOfShape")
      .in(i64s({1}))
      .attr("value", make_tensor<float>(Shape{2}, {1, 2}))
      .run_error(ErrorKind::invalid_model);
}

TEST_CASE("Range counts ceil((limit - start) / delta) elements", "[graph/ops/shape]") {
  auto s64 = [](std::int64_t v) { return make_tensor<std::int64_t>(Shape{}, {v}); };
  CHECK(values_of<std::int64_t>(OpTester("Range").in(s64(10)).in(s64(3)).in(s64(-3)).run1()) ==
        std::vector<std::int64_t>{10, 7, 4});
  CHECK(OpTester("Range").in(s64(3)).in(s64(10)).in(s64(-1)).run1().numel() == 0);
  auto sd = [](double v) { return make_tensor<double>(Shape{}, {v}); };
  CHECK(values_of<double>(OpTester("Range").in(sd(0.5)).in(sd(2.0)).in(sd(0.5)).run1()) ==
        std::vector<double>{0.5, 1.0, 1.5});
  auto s16 = [](std::int16_t v) { return make_tensor<std::int16_t>(Shape{}, {v}); };
  CHECK(values_of<std::int16_t>(OpTester("Range").in(s16(-2)).in(s16(3)).in(s16(2)).run1()) ==
        std::vector<std::int16_t>{-2, 0, 2});
  OpTester("Range").in(s64(0)).in(s64(3)).in(s64(0)).expect_run_error(ErrorKind::invalid_argument,
                                                                      "delta is 0");
  OpTester("Range").in(s64(0)).in(sd(3)).in(s64(1)).run_error(ErrorKind::invalid_model);
}

TEST_CASE("EyeLike places ones on diagonal k in the asked dtype", "[graph/ops/shape]") {
  const Tensor x(DType::f32, Shape{2, 3});
  const Tensor y =
      OpTester("EyeLike").in(x).attr("k", std::int64_t(1)).attr("dtype", std::int64_t(7)).run1();
  CHECK(y.dtype() == DType::i64);
  CHECK(values_of<std::int64_t>(y) == std::vector<std::int64_t>{0, 1, 0, 0, 0, 1});
  const Tensor z = OpTester("EyeLike")
                       .in(Tensor(DType::boolean, Shape{2, 2}))
                       .attr("k", std::int64_t(-1))
                       .run1();
  CHECK(values_of<bool>(z) == std::vector<bool>{false, false, true, false});
  CHECK(values_of<float>(OpTester("EyeLike").in(x).attr("k", std::int64_t(5)).run1()) ==
        std::vector<float>(6, 0.0f));
  OpTester("EyeLike").in(Tensor(DType::f32, Shape{4})).run_error(ErrorKind::shape_mismatch);
}

TEST_CASE("Expand broadcasts every dtype both ways", "[graph/ops/shape]") {
  for (DType dtype : all_dtypes()) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{3, 1});
    const Tensor y = OpTester("Expand").in(x).constant(i64s({2, 1, 4})).run1();
    CHECK(y.shape() == (Shape{2, 3, 4}));
    check_moved(x, y, [](std::int64_t j) { return (j / 4) % 3; });
  }
  const Tensor x(DType::f32, Shape{3, 2});
  CHECK(OpTester("Expand").in(x).constant(i64s({1})).run1().shape() == (Shape{3, 2}));
  OpTester("Expand").in(x).constant(i64s({3, 3})).run_error(ErrorKind::shape_mismatch);
}

TEST_CASE("Dropout runs training mode only with ratio 0", "[graph/ops/shape]") {
  const Tensor x = pattern_tensor(DType::f32, Shape{4});
  const auto ratio = [](float r) { return make_tensor<float>(Shape{}, {r}); };
  const Tensor yes = make_tensor<bool>(Shape{}, {true});
  const auto out = OpTester("Dropout", 13).in(x).in(ratio(0)).in(yes).outputs(2).run();
  check_moved(x, out[0], [](std::int64_t j) { return j; });
  CHECK(values_of<bool>(out[1]) == std::vector<bool>(4, true));
  OpTester("Dropout", 13).in(x).in(ratio(0.5f)).in(yes).run_error(ErrorKind::unsupported_op);
}
