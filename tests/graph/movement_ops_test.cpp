// The data-movement operators beyond the official node tests: every dtype, attribute forms of
// older opsets, reductions, and clear errors (never out-of-bounds reads) for indices out of
// range and shapes that do not fit.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_model.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

Tensor i64s(std::initializer_list<std::int64_t> v) {
  return make_tensor<std::int64_t>(Shape{static_cast<std::int64_t>(v.size())}, v);
}
Tensor f32s(std::initializer_list<float> v) {
  return make_tensor<float>(Shape{static_cast<std::int64_t>(v.size())}, v);
}
bool mentions(const std::string& message, const char* what) {
  INFO(message);
  return message.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("Transpose, Concat, Split, Slice, Tile and DepthToSpace move every dtype",
          "[movement_ops]") {
  for (DType dtype : all_dtypes()) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{2, 3, 4});
    // y[a, b, c] = x[b, c, a]
    const Tensor t = OpModel("Transpose").in(x).attr("perm", {2, 0, 1}).run1();
    CHECK(t.shape() == (Shape{4, 2, 3}));
    check_moved(x, t, [](std::int64_t j) { return ((j / 3) % 2) * 12 + (j % 3) * 4 + j / 6; });

    const Tensor x2 = pattern_tensor(dtype, Shape{2, 2, 3});
    const Tensor c = OpModel("Concat").in(x2).in(x2).attr("axis", std::int64_t(-2)).run1();
    CHECK(c.shape() == (Shape{2, 4, 3}));
    check_moved(x2, c, [](std::int64_t j) { return (j / 12) * 6 + ((j / 3) % 2) * 3 + j % 3; });

    const Tensor m = pattern_tensor(dtype, Shape{2, 6});
    const auto parts = OpModel("Split")
                           .in(m)
                           .constant(i64s({1, 5}))
                           .attr("axis", std::int64_t(1))
                           .outputs(2)
                           .run();
    REQUIRE(parts.size() == 2);
    CHECK(parts[1].shape() == (Shape{2, 5}));
    check_moved(m, parts[0], [](std::int64_t j) { return j * 6; });
    check_moved(m, parts[1], [](std::int64_t j) { return (j / 5) * 6 + 1 + j % 5; });

    // Backwards on both axes, with clamping: rows 3, 2, 1 and columns 4, 2, 0.
    const Tensor g = pattern_tensor(dtype, Shape{4, 5});
    const Tensor s = OpModel("Slice")
                         .in(g)
                         .constant(i64s({3, -1}))
                         .constant(i64s({0, -100}))
                         .constant(i64s({0, 1}))
                         .constant(i64s({-1, -2}))
                         .run1();
    CHECK(s.shape() == (Shape{3, 3}));
    check_moved(g, s, [](std::int64_t j) { return (3 - j / 3) * 5 + 4 - 2 * (j % 3); });

    const Tensor r = OpModel("Tile").in(m).constant(i64s({2, 2})).run1();
    CHECK(r.shape() == (Shape{4, 12}));
    check_moved(m, r, [](std::int64_t j) { return ((j / 12) % 2) * 6 + (j % 12) % 6; });

    // 8 channels into 2 x (2 x 2) blocks; channel (h * 2 + w) * 2 + c (DCR) or c * 4 + h * 2 + w.
    const Tensor d = pattern_tensor(dtype, Shape{1, 8, 1, 1});
    const Tensor dcr = OpModel("DepthToSpace").in(d).attr("blocksize", std::int64_t(2)).run1();
    CHECK(dcr.shape() == (Shape{1, 2, 2, 2}));
    check_moved(d, dcr, [](std::int64_t j) { return (j % 4) * 2 + j / 4; });
    const Tensor crd = OpModel("DepthToSpace")
                           .in(d)
                           .attr("blocksize", std::int64_t(2))
                           .attr("mode", std::string("CRD"))
                           .run1();
    check_moved(d, crd, [](std::int64_t j) { return j; });
  }
}

TEST_CASE("Gather takes negative indices and refuses out-of-range ones", "[movement_ops]") {
  for (DType dtype : all_dtypes()) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{3, 2});
    const Tensor y =
        OpModel("Gather").in(x).in(make_tensor<std::int32_t>(Shape{2}, {2, -3})).run1();
    CHECK(y.shape() == (Shape{2, 2}));
    check_moved(x, y, [](std::int64_t j) { return j < 2 ? 4 + j : j - 2; });
    const Tensor col = OpModel("Gather")
                           .in(x)
                           .in(make_tensor<std::int64_t>(Shape{}, {-1}))
                           .attr("axis", std::int64_t(1))
                           .run1();
    CHECK(col.shape() == (Shape{3}));
    check_moved(x, col, [](std::int64_t j) { return j * 2 + 1; });
  }
  const Tensor x(DType::f32, Shape{3, 2});
  for (std::int64_t bad : {std::int64_t(3), std::int64_t(-4), INT64_MAX, INT64_MIN}) {
    INFO("index " << bad);
    CHECK(mentions(error_of(
                       [&] {
                         OpModel("Gather").in(x).in(i64s({0, bad})).run1();
                       },
                       ErrorKind::invalid_argument),
                   "out of range"));
  }
  error_of([&] { OpModel("Gather").in(x).in(i64s({0})).attr("axis", std::int64_t(2)).run1(); },
           ErrorKind::invalid_model);
  error_of([&] { OpModel("Gather").in(x).in(f32s({0})).run1(); }, ErrorKind::invalid_model);
}

TEST_CASE("GatherElements and GatherND refuse indices out of range", "[movement_ops]") {
  const Tensor data = make_tensor<float>(Shape{2, 2}, {1, 2, 3, 4});
  const Tensor ge = OpModel("GatherElements")
                        .in(data)
                        .in(make_tensor<std::int64_t>(Shape{2, 2}, {0, 0, -1, 0}))
                        .attr("axis", std::int64_t(1))
                        .run1();
  CHECK(values_of<float>(ge) == std::vector<float>{1, 1, 4, 3});
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("GatherElements")
                           .in(data)
                           .in(make_tensor<std::int64_t>(Shape{1, 2}, {0, 2}))
                           .attr("axis", std::int64_t(1))
                           .run1();
                     },
                     ErrorKind::invalid_argument),
                 "out of range"));
  // Indices larger than the data along another axis would read past it.
  error_of(
      [&] {
        OpModel("GatherElements")
            .in(data)
            .in(Tensor(DType::i64, Shape{3, 2}))
            .attr("axis", std::int64_t(1))
            .run1();
      },
      ErrorKind::shape_mismatch);

  const Tensor nd =
      OpModel("GatherND").in(data).in(make_tensor<std::int64_t>(Shape{2, 2}, {1, 0, -2, 1})).run1();
  CHECK(values_of<float>(nd) == std::vector<float>{3, 2});
  const Tensor rows =
      OpModel("GatherND").in(data).in(make_tensor<std::int64_t>(Shape{1, 1}, {1})).run1();
  CHECK(rows.shape() == (Shape{1, 2}));
  CHECK(values_of<float>(rows) == std::vector<float>{3, 4});
  CHECK(mentions(
      error_of(
          [&] {
            OpModel("GatherND").in(data).in(make_tensor<std::int64_t>(Shape{1, 2}, {2, 0})).run1();
          },
          ErrorKind::invalid_argument),
      "out of range"));
  error_of(
      [&] {
        OpModel("GatherND").in(data).in(make_tensor<std::int64_t>(Shape{1, 3}, {0, 0, 0})).run1();
      },
      ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("GatherND")
            .in(data)
            .in(make_tensor<std::int64_t>(Shape{3, 1}, {0, 0, 0}))
            .attr("batch_dims", std::int64_t(1))
            .run1();
      },
      ErrorKind::shape_mismatch);
}

TEST_CASE("ScatterND and ScatterElements combine duplicates with the reduction", "[movement_ops]") {
  const Tensor data = make_tensor<std::int32_t>(Shape{4}, {1, 2, 3, 4});
  const Tensor idx = make_tensor<std::int64_t>(Shape{3, 1}, {1, 1, -1});
  const Tensor upd = make_tensor<std::int32_t>(Shape{3}, {10, 20, 30});
  CHECK(values_of<std::int32_t>(OpModel("ScatterND", 16)
                                    .in(data)
                                    .in(idx)
                                    .in(upd)
                                    .attr("reduction", std::string("add"))
                                    .run1()) == std::vector<std::int32_t>{1, 32, 3, 34});
  CHECK(values_of<std::int32_t>(OpModel("ScatterND", 16)
                                    .in(data)
                                    .in(idx)
                                    .in(upd)
                                    .attr("reduction", std::string("mul"))
                                    .run1()) == std::vector<std::int32_t>{1, 400, 3, 120});
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("ScatterND")
                           .in(data)
                           .in(make_tensor<std::int64_t>(Shape{1, 1}, {4}))
                           .in(make_tensor<std::int32_t>(Shape{1}, {0}))
                           .run1();
                     },
                     ErrorKind::invalid_argument),
                 "out of range"));
  error_of(
      [&] {
        OpModel("ScatterND")
            .in(data)
            .in(idx)
            .in(make_tensor<std::int32_t>(Shape{2}, {0, 0}))
            .run1();
      },
      ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("ScatterND").in(data).in(idx).in(make_tensor<float>(Shape{3}, {0, 0, 0})).run1();
      },
      ErrorKind::invalid_model);

  const Tensor d2(DType::f32, Shape{2, 3});
  const Tensor se = OpModel("ScatterElements")
                        .in(d2)
                        .in(make_tensor<std::int64_t>(Shape{1, 3}, {1, 0, 2}))
                        .in(make_tensor<float>(Shape{1, 3}, {1, 2, 3}))
                        .attr("axis", std::int64_t(1))
                        .run1();
  CHECK(values_of<float>(se) == std::vector<float>{2, 1, 3, 0, 0, 0});
  const Tensor mx = OpModel("ScatterElements", 18)
                        .in(make_tensor<std::int64_t>(Shape{3}, {5, 5, 5}))
                        .in(i64s({0, 0, 1}))
                        .in(i64s({1, 9, 7}))
                        .attr("reduction", std::string("max"))
                        .run1();
  CHECK(values_of<std::int64_t>(mx) == std::vector<std::int64_t>{9, 7, 5});
  const Tensor f16 = pattern_tensor(DType::f16, Shape{2});
  const Tensor sum16 = OpModel("ScatterElements", 16)
                           .in(f16)
                           .in(i64s({1}))
                           .in(pattern_tensor(DType::f16, Shape{1}))
                           .attr("reduction", std::string("add"))
                           .run1();
  CHECK(inlay::to_float(sum16.data<inlay::float16>()[1]) == 2.0f);  // 1.5 + 0.5
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("ScatterElements")
                           .in(d2)
                           .in(make_tensor<std::int64_t>(Shape{1, 1}, {-4}))
                           .in(make_tensor<float>(Shape{1, 1}, {1}))
                           .attr("axis", std::int64_t(1))
                           .run1();
                     },
                     ErrorKind::invalid_argument),
                 "out of range"));
  error_of(
      [&] {
        OpModel("ScatterElements", 16)
            .in(d2)
            .in(Tensor(DType::i64, Shape{1, 1}))
            .in(Tensor(DType::f32, Shape{1, 1}))
            .attr("reduction", std::string("avg"))
            .run1();
      },
      ErrorKind::unsupported_op);
}

TEST_CASE("Slice takes attributes before opset 10 and refuses step 0", "[movement_ops]") {
  const Tensor x = pattern_tensor(DType::u16, Shape{3, 4});
  const Tensor y =
      OpModel("Slice", 9).in(x).attr("starts", {1}).attr("ends", {1000}).attr("axes", {1}).run1();
  CHECK(y.shape() == (Shape{3, 3}));
  check_moved(x, y, [](std::int64_t j) { return (j / 3) * 4 + 1 + j % 3; });
  CHECK(OpModel("Slice").in(x).constant(i64s({5})).constant(i64s({9})).run1().shape() ==
        (Shape{0, 4}));
  error_of(
      [&] {
        OpModel("Slice")
            .in(x)
            .constant(i64s({0}))
            .constant(i64s({2}))
            .constant(i64s({0}))
            .constant(i64s({0}))
            .run1();
      },
      ErrorKind::invalid_model);
  error_of(
      [&] {
        OpModel("Slice").in(x).constant(i64s({0, 0})).constant(i64s({2})).run1();
      },
      ErrorKind::invalid_model);
  error_of(
      [&] {
        OpModel("Slice").in(x).constant(i64s({0})).constant(i64s({2})).constant(i64s({2})).run1();
      },
      ErrorKind::invalid_model);
}

TEST_CASE("Split refuses sizes that do not add up and splits unevenly with num_outputs",
          "[movement_ops]") {
  const Tensor x = pattern_tensor(DType::f32, Shape{5});
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("Split").in(x).constant(i64s({2, 2})).outputs(2).run();
                     },
                     ErrorKind::shape_mismatch),
                 "add up"));
  error_of([&] { OpModel("Split").in(x).outputs(2).run(); }, ErrorKind::shape_mismatch);
  const auto old = OpModel("Split", 11).in(x).attr("split", {4, 1}).outputs(2).run();
  CHECK(old[0].shape() == (Shape{4}));
  const auto parts =
      OpModel("Split", 18).in(x).attr("num_outputs", std::int64_t(2)).outputs(2).run();
  CHECK(parts[0].shape() == (Shape{3}));
  CHECK(parts[1].shape() == (Shape{2}));
  check_moved(x, parts[1], [](std::int64_t j) { return 3 + j; });
}

TEST_CASE("Transpose, Concat and Tile refuse arguments that do not fit", "[movement_ops]") {
  const Tensor x(DType::f32, Shape{2, 3});
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("Transpose").in(x).attr("perm", {0, 0}).run1();
                     },
                     ErrorKind::invalid_model),
                 "permutation"));
  error_of(
      [&] {
        OpModel("Transpose").in(x).attr("perm", {0, 1, 2}).run1();
      },
      ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("Transpose").in(x).attr("perm", {0, 2}).run1();
      },
      ErrorKind::invalid_model);
  CHECK(OpModel("Transpose").in(x).run1().shape() == (Shape{3, 2}));
  error_of(
      [&] {
        OpModel("Concat")
            .in(x)
            .in(Tensor(DType::f32, Shape{3, 4}))
            .attr("axis", std::int64_t(0))
            .run1();
      },
      ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("Concat")
            .in(x)
            .in(Tensor(DType::i32, Shape{2, 3}))
            .attr("axis", std::int64_t(0))
            .run1();
      },
      ErrorKind::invalid_model);
  error_of([&] { OpModel("Concat").in(x).in(x).run1(); },
           ErrorKind::invalid_model);  // axis is required
  error_of([&] { OpModel("Tile").in(x).constant(i64s({2})).run1(); }, ErrorKind::shape_mismatch);
  error_of([&] { OpModel("Tile").in(x).constant(i64s({2, -1})).run1(); }, ErrorKind::invalid_model);
  error_of(
      [&] {
        OpModel("DepthToSpace")
            .in(Tensor(DType::f32, Shape{1, 6, 1, 1}))
            .attr("blocksize", std::int64_t(2))
            .run1();
      },
      ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("SpaceToDepth")
            .in(Tensor(DType::f32, Shape{1, 1, 3, 2}))
            .attr("blocksize", std::int64_t(2))
            .run1();
      },
      ErrorKind::shape_mismatch);
}

TEST_CASE("SpaceToDepth inverts DepthToSpace (DCR)", "[movement_ops]") {
  const Tensor x = pattern_tensor(DType::i8, Shape{1, 2, 2, 2});
  const Tensor y = OpModel("SpaceToDepth").in(x).attr("blocksize", std::int64_t(2)).run1();
  CHECK(y.shape() == (Shape{1, 8, 1, 1}));
  // Channel k = (bh * 2 + bw) * 2 + c.
  check_moved(x, y, [](std::int64_t k) { return (k % 2) * 4 + (k / 2); });
  const Tensor back = OpModel("DepthToSpace").in(y).attr("blocksize", std::int64_t(2)).run1();
  check_moved(x, back, [](std::int64_t j) { return j; });
}

TEST_CASE("Pad modes, negative pads and the attribute form", "[movement_ops]") {
  const Tensor x = f32s({1, 2, 3});
  auto pad = [&](const char* mode, std::initializer_list<std::int64_t> pads) {
    return values_of<float>(
        OpModel("Pad").in(x).constant(i64s(pads)).attr("mode", std::string(mode)).run1());
  };
  CHECK(pad("reflect", {4, 4}) == std::vector<float>{1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3});  // NumPy's
  CHECK(pad("edge", {2, 1}) == std::vector<float>{1, 1, 1, 2, 3, 3});
  CHECK(pad("wrap", {1, 2}) == std::vector<float>{3, 1, 2, 3, 1, 2});
  const Tensor nine = make_tensor<float>(Shape{}, {9});
  CHECK(values_of<float>(OpModel("Pad").in(x).constant(i64s({-1, 1})).in(nine).run1()) ==
        std::vector<float>{2, 3, 9});
  const Tensor d = make_tensor<double>(Shape{3}, {1, 2, 3});
  CHECK(
      values_of<double>(OpModel("Pad", 2).in(d).attr("pads", {1, 0}).attr("value", 5.0f).run1()) ==
      std::vector<double>{5, 1, 2, 3});
  const Tensor h = pattern_tensor(DType::f16, Shape{1, 1});
  const Tensor hp = OpModel("Pad")
                        .in(h)
                        .constant(i64s({0, 1, 0, 0}))
                        .in(pattern_tensor(DType::f16, Shape{}))
                        .run1();
  CHECK(hp.shape() == (Shape{1, 2}));
  check_moved(h, hp, [](std::int64_t) { return 0; });  // the pad value is the same 0.5
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("Pad").in(x).constant(i64s({-2, -2})).run1();
                     },
                     ErrorKind::shape_mismatch),
                 "crop"));
  error_of([&] { OpModel("Pad").in(x).constant(i64s({1})).run1(); }, ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("Pad").in(x).constant(i64s({1, 1})).in(make_tensor<double>(Shape{}, {1})).run1();
      },
      ErrorKind::invalid_model);
  error_of(
      [&] {
        OpModel("Pad")
            .in(Tensor(DType::f32, Shape{0}))
            .constant(i64s({1, 1}))
            .attr("mode", std::string("edge"))
            .run1();
      },
      ErrorKind::shape_mismatch);
  error_of(
      [&] {
        OpModel("Pad").in(x).constant(i64s({1, 1})).attr("mode", std::string("mirror")).run1();
      },
      ErrorKind::unsupported_op);
}

TEST_CASE("Resize and Upsample: legacy floor, integer dtypes, sizes, bad scales",
          "[movement_ops]") {
  const Tensor x = make_tensor<float>(Shape{1, 2}, {1, 2});
  // Resize-10 and Upsample sample at x / scale and take the floor.
  CHECK(values_of<float>(OpModel("Resize", 10).in(x).in(f32s({1, 3})).run1()) ==
        std::vector<float>{1, 1, 1, 2, 2, 2});
  CHECK(values_of<float>(OpModel("Upsample", 7).in(x).attr_floats("scales", {1, 2}).run1()) ==
        std::vector<float>{1, 1, 2, 2});
  CHECK(values_of<float>(OpModel("Upsample", 9).in(x).in(f32s({2, 1})).run1()) ==
        std::vector<float>{1, 2, 1, 2});
  // Opset 11+: round_prefer_floor; asymmetric x = 2 samples at 0.667 -> 1.
  CHECK(values_of<float>(OpModel("Resize", 13)
                             .in(x)
                             .none()
                             .in(f32s({1, 3}))
                             .attr("coordinate_transformation_mode", std::string("asymmetric"))
                             .run1()) == std::vector<float>{1, 1, 2, 2, 2, 2});
  // half_pixel (the default): x = 2 samples at 0.333 -> 0.
  CHECK(values_of<float>(OpModel("Resize", 13).in(x).none().in(f32s({1, 3})).run1()) ==
        std::vector<float>{1, 1, 1, 2, 2, 2});
  // Linear on u8 at positions -0.25, 0.25, 0.75, 1.25 (clamped at the edges).
  const Tensor u = make_tensor<std::uint8_t>(Shape{2}, {0, 100});
  CHECK(values_of<std::uint8_t>(OpModel("Resize", 13)
                                    .in(u)
                                    .none()
                                    .in(f32s({2}))
                                    .attr("mode", std::string("linear"))
                                    .run1()) == std::vector<std::uint8_t>{0, 25, 75, 100});
  const Tensor f = make_tensor<float>(Shape{2}, {0, 100});
  CHECK(values_of<float>(OpModel("Resize", 13)
                             .in(f)
                             .none()
                             .none()
                             .in(i64s({4}))
                             .attr("mode", std::string("linear"))
                             .run1()) == std::vector<float>{0, 25, 75, 100});
  // Nearest copies elements exactly, also integers beyond a double's 53 bits.
  const std::int64_t big = (std::int64_t(1) << 60) + 1;
  CHECK(values_of<std::int64_t>(
            OpModel("Resize", 13).in(i64s({big, 3})).none().in(f32s({2})).run1()) ==
        std::vector<std::int64_t>{big, big, 3, 3});
  // tf_crop_and_resize: positions outside the roi take the extrapolation value.
  const Tensor roi = f32s({0.5f, 1.5f});
  CHECK(values_of<float>(
            OpModel("Resize", 13)
                .in(f)
                .in(roi)
                .in(f32s({1}))
                .attr("mode", std::string("linear"))
                .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
                .attr("extrapolation_value", -1.0f)
                .run1()) == std::vector<float>{50, -1});
  error_of([&] { OpModel("Resize", 13).in(f).none().in(f32s({2})).in(i64s({4})).run1(); },
           ErrorKind::invalid_model);
  error_of(
      [&] {
        OpModel("Resize", 13).in(f).none().in(f32s({2, 2})).run1();
      },
      ErrorKind::shape_mismatch);
  error_of([&] { OpModel("Resize", 13).in(f).none().in(f32s({-1})).run1(); },
           ErrorKind::invalid_model);
  error_of(
      [&] {
        OpModel("Resize", 13).in(f).none().in(f32s({2})).attr("mode", std::string("area")).run1();
      },
      ErrorKind::unsupported_op);
  error_of(
      [&] {
        OpModel("Resize", 13)
            .in(f)
            .none()
            .in(f32s({2}))
            .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
            .run1();
      },
      ErrorKind::invalid_model);  // needs a roi
}

TEST_CASE("NonZero, OneHot, Trilu, ReverseSequence and Compress", "[movement_ops]") {
  Tensor h(DType::f16, Shape{4});
  const float hv[4] = {0.0f, -0.0f, 1.5f, NAN};
  for (int i = 0; i < 4; ++i) h.data<inlay::float16>()[i] = inlay::to_float16(hv[i]);
  const Tensor nz = OpModel("NonZero").in(h).run1();
  CHECK(nz.shape() == (Shape{1, 2}));
  CHECK(values_of<std::int64_t>(nz) == std::vector<std::int64_t>{2, 3});
  const Tensor b = make_tensor<bool>(Shape{2, 2}, {true, false, false, true});
  CHECK(values_of<std::int64_t>(OpModel("NonZero").in(b).run1()) ==
        std::vector<std::int64_t>{0, 1, 0, 1});

  // Index 5 is outside [-3, 3): a row of off values.
  const Tensor oh = OpModel("OneHot")
                        .in(i64s({0, 5, -1}))
                        .in(make_tensor<std::int64_t>(Shape{}, {3}))
                        .in(make_tensor<std::int32_t>(Shape{2}, {0, 7}))
                        .run1();
  CHECK(oh.shape() == (Shape{3, 3}));
  CHECK(values_of<std::int32_t>(oh) == std::vector<std::int32_t>{7, 0, 0, 0, 0, 0, 0, 0, 7});
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("OneHot")
                           .in(i64s({0}))
                           .in(make_tensor<float>(Shape{}, {0}))
                           .in(f32s({0, 1}))
                           .run1();
                     },
                     ErrorKind::invalid_argument),
                 "depth"));

  const Tensor m = make_tensor<std::uint8_t>(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(values_of<std::uint8_t>(OpModel("Trilu").in(m).attr("upper", std::int64_t(0)).run1()) ==
        std::vector<std::uint8_t>{1, 0, 0, 4, 5, 0});
  CHECK(values_of<std::uint8_t>(
            OpModel("Trilu").in(m).in(make_tensor<std::int64_t>(Shape{}, {1})).run1()) ==
        std::vector<std::uint8_t>{0, 2, 3, 0, 0, 6});
  error_of([&] { OpModel("Trilu").in(f32s({1})).run1(); }, ErrorKind::shape_mismatch);

  // Time 3 x batch 2; batch 0 reversed over 3 steps, batch 1 over 1.
  const Tensor seq = make_tensor<std::int32_t>(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  CHECK(values_of<std::int32_t>(OpModel("ReverseSequence").in(seq).in(i64s({3, 1})).run1()) ==
        std::vector<std::int32_t>{5, 2, 3, 4, 1, 6});
  CHECK(mentions(error_of(
                     [&] {
                       OpModel("ReverseSequence").in(seq).in(i64s({4, 1})).run1();
                     },
                     ErrorKind::invalid_argument),
                 "sequence length"));
  error_of([&] { OpModel("ReverseSequence").in(seq).in(i64s({1})).run1(); },
           ErrorKind::shape_mismatch);

  const Tensor c = pattern_tensor(DType::u64, Shape{3});
  const Tensor picked =
      OpModel("Compress").in(c).in(make_tensor<bool>(Shape{3}, {false, true, true})).run1();
  check_moved(c, picked, [](std::int64_t j) { return j + 1; });
  CHECK(picked.shape() == (Shape{2}));
  error_of(
      [&] {
        OpModel("Compress")
            .in(c)
            .in(make_tensor<bool>(Shape{4}, {false, true, false, true}))
            .run1();
      },
      ErrorKind::shape_mismatch);
}
