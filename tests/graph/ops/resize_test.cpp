// Graph-door tests of the resize operators (include/inlay/graph/ops/resize.hpp) beyond the official
// node tests: the legacy floor of Resize-10 and Upsample, integer dtypes, sizes, and bad scales.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("Resize and Upsample: legacy floor, integer dtypes, sizes, bad scales",
          "[graph/ops/resize]") {
  const Tensor x = make_tensor<float>(Shape{1, 2}, {1, 2});
  // Resize-10 and Upsample sample at x / scale and take the floor.
  CHECK(values_of<float>(OpTester("Resize", 10).in(x).in(f32s({1, 3})).run1()) ==
        std::vector<float>{1, 1, 1, 2, 2, 2});
  CHECK(
      values_of<float>(OpTester("Upsample", 7).in(x).attr(attr_floats("scales", {1, 2})).run1()) ==
      std::vector<float>{1, 1, 2, 2});
  CHECK(values_of<float>(OpTester("Upsample", 9).in(x).in(f32s({2, 1})).run1()) ==
        std::vector<float>{1, 2, 1, 2});
  // Opset 11+: round_prefer_floor; asymmetric x = 2 samples at 0.667 -> 1.
  CHECK(values_of<float>(OpTester("Resize", 13)
                             .in(x)
                             .none()
                             .in(f32s({1, 3}))
                             .attr("coordinate_transformation_mode", std::string("asymmetric"))
                             .run1()) == std::vector<float>{1, 1, 2, 2, 2, 2});
  // half_pixel (the default): x = 2 samples at 0.333 -> 0.
  CHECK(values_of<float>(OpTester("Resize", 13).in(x).none().in(f32s({1, 3})).run1()) ==
        std::vector<float>{1, 1, 1, 2, 2, 2});
  // Linear on u8 at positions -0.25, 0.25, 0.75, 1.25 (clamped at the edges).
  const Tensor u = make_tensor<std::uint8_t>(Shape{2}, {0, 100});
  CHECK(values_of<std::uint8_t>(OpTester("Resize", 13)
                                    .in(u)
                                    .none()
                                    .in(f32s({2}))
                                    .attr("mode", std::string("linear"))
                                    .run1()) == std::vector<std::uint8_t>{0, 25, 75, 100});
  const Tensor f = make_tensor<float>(Shape{2}, {0, 100});
  CHECK(values_of<float>(OpTester("Resize", 13)
                             .in(f)
                             .none()
                             .none()
                             .in(i64s({4}))
                             .attr("mode", std::string("linear"))
                             .run1()) == std::vector<float>{0, 25, 75, 100});
  // Nearest copies elements exactly, also integers beyond a double's 53 bits.
  const std::int64_t big = (std::int64_t(1) << 60) + 1;
  CHECK(values_of<std::int64_t>(
            OpTester("Resize", 13).in(i64s({big, 3})).none().in(f32s({2})).run1()) ==
        std::vector<std::int64_t>{big, big, 3, 3});
  // tf_crop_and_resize: positions outside the roi take the extrapolation value.
  const Tensor roi = f32s({0.5f, 1.5f});
  CHECK(values_of<float>(
            OpTester("Resize", 13)
                .in(f)
                .in(roi)
                .in(f32s({1}))
                .attr("mode", std::string("linear"))
                .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
                .attr("extrapolation_value", -1.0f)
                .run1()) == std::vector<float>{50, -1});
  OpTester("Resize", 13)
      .in(f)
      .none()
      .in(f32s({2}))
      .in(i64s({4}))
      .run_error(ErrorKind::invalid_model);
  OpTester("Resize", 13).in(f).none().in(f32s({2, 2})).run_error(ErrorKind::shape_mismatch);
  OpTester("Resize", 13).in(f).none().in(f32s({-1})).run_error(ErrorKind::invalid_model);
  OpTester("Resize", 13)
      .in(f)
      .none()
      .in(f32s({2}))
      .attr("mode", std::string("area"))
      .run_error(ErrorKind::unsupported_op);
  OpTester("Resize", 13)
      .in(f)
      .none()
      .in(f32s({2}))
      .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
      .run_error(ErrorKind::invalid_model);  // needs a roi
}
