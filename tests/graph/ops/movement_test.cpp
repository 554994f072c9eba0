// Graph-door tests of the data-movement operators (include/inlay/graph/ops/movement.hpp) beyond
// the official node tests: every dtype, attribute forms of older opsets, and clear errors for
// arguments and shapes that do not fit.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("Transpose, Concat, Split, Slice, Tile and DepthToSpace move every dtype",
          "[graph/ops/movement]") {
  for (DType dtype : all_dtypes()) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{2, 3, 4});
    // y[a, b, c] = x[b, c, a]
    const Tensor t = OpTester("Transpose").in(x).attr("perm", {2, 0, 1}).run1();
    CHECK(t.shape() == (Shape{4, 2, 3}));
    check_moved(x, t, [](std::int64_t j) { return ((j / 3) % 2) * 12 + (j % 3) * 4 + j / 6; });

    const Tensor x2 = pattern_tensor(dtype, Shape{2, 2, 3});
    const Tensor c = OpTester("Concat").in(x2).in(x2).attr("axis", std::int64_t(-2)).run1();
    CHECK(c.shape() == (Shape{2, 4, 3}));
    check_moved(x2, c, [](std::int64_t j) { return (j / 12) * 6 + ((j / 3) % 2) * 3 + j % 3; });

    const Tensor m = pattern_tensor(dtype, Shape{2, 6});
    const auto parts = OpTester("Split")
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
    const Tensor s = OpTester("Slice")
                         .in(g)
                         .constant(i64s({3, -1}))
                         .constant(i64s({0, -100}))
                         .constant(i64s({0, 1}))
                         .constant(i64s({-1, -2}))
                         .run1();
    CHECK(s.shape() == (Shape{3, 3}));
    check_moved(g, s, [](std::int64_t j) { return (3 - j / 3) * 5 + 4 - 2 * (j % 3); });

    const Tensor r = OpTester("Tile").in(m).constant(i64s({2, 2})).run1();
    CHECK(r.shape() == (Shape{4, 12}));
    check_moved(m, r, [](std::int64_t j) { return ((j / 12) % 2) * 6 + (j % 12) % 6; });

    // 8 channels into 2 x (2 x 2) blocks; channel (h * 2 + w) * 2 + c (DCR) or c * 4 + h * 2 + w.
    const Tensor d = pattern_tensor(dtype, Shape{1, 8, 1, 1});
    const Tensor dcr = OpTester("DepthToSpace").in(d).attr("blocksize", std::int64_t(2)).run1();
    CHECK(dcr.shape() == (Shape{1, 2, 2, 2}));
    check_moved(d, dcr, [](std::int64_t j) { return (j % 4) * 2 + j / 4; });
    const Tensor crd = OpTester("DepthToSpace")
                           .in(d)
                           .attr("blocksize", std::int64_t(2))
                           .attr("mode", std::string("CRD"))
                           .run1();
    check_moved(d, crd, [](std::int64_t j) { return j; });
  }
}

TEST_CASE("Slice takes attributes before opset 10 and refuses step 0", "[graph/ops/movement]") {
  const Tensor x = pattern_tensor(DType::u16, Shape{3, 4});
  const Tensor y =
      OpTester("Slice", 9).in(x).attr("starts", {1}).attr("ends", {1000}).attr("axes", {1}).run1();
  CHECK(y.shape() == (Shape{3, 3}));
  check_moved(x, y, [](std::int64_t j) { return (j / 3) * 4 + 1 + j % 3; });
  CHECK(OpTester("Slice").in(x).constant(i64s({5})).constant(i64s({9})).run1().shape() ==
        (Shape{0, 4}));
  OpTester("Slice")
      .in(x)
      .constant(i64s({0}))
      .constant(i64s({2}))
      .constant(i64s({0}))
      .constant(i64s({0}))
      .run_error(ErrorKind::invalid_model);
  OpTester("Slice")
      .in(x)
      .constant(i64s({0, 0}))
      .constant(i64s({2}))
      .run_error(ErrorKind::invalid_model);
  OpTester("Slice").in(x).constant(i64s({0})).constant(i64s({2})).constant(i64s({2})).run_error(
      ErrorKind::invalid_model);
}

TEST_CASE("Split refuses sizes that do not add up and splits unevenly with num_outputs",
          "[graph/ops/movement]") {
  const Tensor x = pattern_tensor(DType::f32, Shape{5});
  OpTester("Split")
      .in(x)
      .constant(i64s({2, 2}))
      .outputs(2)
      .expect_run_error(ErrorKind::shape_mismatch, "add up");
  OpTester("Split").in(x).outputs(2).run_error(ErrorKind::shape_mismatch);
  const auto old = OpTester("Split", 11).in(x).attr("split", {4, 1}).outputs(2).run();
  CHECK(old[0].shape() == (Shape{4}));
  const auto parts =
      OpTester("Split", 18).in(x).attr("num_outputs", std::int64_t(2)).outputs(2).run();
  CHECK(parts[0].shape() == (Shape{3}));
  CHECK(parts[1].shape() == (Shape{2}));
  check_moved(x, parts[1], [](std::int64_t j) { return 3 + j; });
}

TEST_CASE("Transpose, Concat and Tile refuse arguments that do not fit", "[graph/ops/movement]") {
  const Tensor x(DType::f32, Shape{2, 3});
  OpTester("Transpose")
      .in(x)
      .attr("perm", {0, 0})
      .expect_run_error(ErrorKind::invalid_model, "permutation");
  OpTester("Transpose").in(x).attr("perm", {0, 1, 2}).run_error(ErrorKind::shape_mismatch);
  OpTester("Transpose").in(x).attr("perm", {0, 2}).run_error(ErrorKind::invalid_model);
  CHECK(OpTester("Transpose").in(x).run1().shape() == (Shape{3, 2}));
  OpTester("Concat")
      .in(x)
      .in(Tensor(DType::f32, Shape{3, 4}))
      .attr("axis", std::int64_t(0))
      .run_error(ErrorKind::shape_mismatch);
  OpTester("Concat")
      .in(x)
      .in(Tensor(DType::i32, Shape{2, 3}))
      .attr("axis", std::int64_t(0))
      .run_error(ErrorKind::invalid_model);
  OpTester("Concat").in(x).in(x).run_error(ErrorKind::invalid_model);  // axis is required
  OpTester("Tile").in(x).constant(i64s({2})).run_error(ErrorKind::shape_mismatch);
  OpTester("Tile").in(x).constant(i64s({2, -1})).run_error(ErrorKind::invalid_model);
  OpTester("DepthToSpace")
      .in(Tensor(DType::f32, Shape{1, 6, 1, 1}))
      .attr("blocksize", std::int64_t(2))
      .run_error(ErrorKind::shape_mismatch);
  OpTester("SpaceToDepth")
      .in(Tensor(DType::f32, Shape{1, 1, 3, 2}))
      .attr("blocksize", std::int64_t(2))
      .run_error(ErrorKind::shape_mismatch);
}

TEST_CASE("SpaceToDepth inverts DepthToSpace (DCR)", "[graph/ops/movement]") {
  const Tensor x = pattern_tensor(DType::i8, Shape{1, 2, 2, 2});
  const Tensor y = OpTester("SpaceToDepth").in(x).attr("blocksize", std::int64_t(2)).run1();
  CHECK(y.shape() == (Shape{1, 8, 1, 1}));
  // Channel k = (bh * 2 + bw) * 2 + c.
  check_moved(x, y, [](std::int64_t k) { return (k % 2) * 4 + (k / 2); });
  const Tensor back = OpTester("DepthToSpace").in(y).attr("blocksize", std::int64_t(2)).run1();
  check_moved(x, back, [](std::int64_t j) { return j; });
}

TEST_CASE("Pad modes, negative pads and the attribute form", "[graph/ops/movement]") {
  const Tensor x = f32s({1, 2, 3});
  auto pad = [&](const char* mode, std::initializer_list<std::int64_t> pads) {
    return values_of<float>(
        OpTester("Pad").in(x).constant(i64s(pads)).attr("mode", std::string(mode)).run1());
  };
  CHECK(pad("reflect", {4, 4}) == std::vector<float>{1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3});  // NumPy's
  CHECK(pad("edge", {2, 1}) == std::vector<float>{1, 1, 1, 2, 3, 3});
  CHECK(pad("wrap", {1, 2}) == std::vector<float>{3, 1, 2, 3, 1, 2});
  const Tensor nine = make_tensor<float>(Shape{}, {9});
  CHECK(values_of<float>(OpTester("Pad").in(x).constant(i64s({-1, 1})).in(nine).run1()) ==
        std::vector<float>{2, 3, 9});
  const Tensor d = make_tensor<double>(Shape{3}, {1, 2, 3});
  CHECK(
      values_of<double>(OpTester("Pad", 2).in(d).attr("pads", {1, 0}).attr("value", 5.0f).run1()) ==
      std::vector<double>{5, 1, 2, 3});
  const Tensor h = pattern_tensor(DType::f16, Shape{1, 1});
  const Tensor hp = OpTester("Pad")
                        .in(h)
                        .constant(i64s({0, 1, 0, 0}))
                        .in(pattern_tensor(DType::f16, Shape{}))
                        .run1();
  CHECK(hp.shape() == (Shape{1, 2}));
  check_moved(h, hp, [](std::int64_t) { return 0; });  // the pad value is the same 0.5
  OpTester("Pad")
      .in(x)
      .constant(i64s({-2, -2}))
      .expect_run_error(ErrorKind::shape_mismatch, "crop");
  OpTester("Pad").in(x).constant(i64s({1})).run_error(ErrorKind::shape_mismatch);
  OpTester("Pad")
      .in(x)
      .constant(i64s({1, 1}))
      .in(make_tensor<double>(Shape{}, {1}))
      .run_error(ErrorKind::invalid_model);
  OpTester("Pad")
      .in(Tensor(DType::f32, Shape{0}))
      .constant(i64s({1, 1}))
      .attr("mode", std::string("edge"))
      .run_error(ErrorKind::shape_mismatch);
  OpTester("Pad")
      .in(x)
      .constant(i64s({1, 1}))
      .attr("mode", std::string("mirror"))
      .run_error(ErrorKind::unsupported_op);
}

// The ops that QDQ models keep between DequantizeLinear and QuantizeLinear, which ONNX Runtime
// runs on the 8-bit tensors directly.
TEST_CASE("Reshape, Flatten, Squeeze, Unsqueeze, Gather, Pad and Resize move uint8 and int8",
          "[graph/ops/movement]") {
  for (DType dtype : {DType::u8, DType::i8}) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{2, 3, 4});
    auto same = [](std::int64_t j) { return j; };
    const Tensor r = OpTester("Reshape").in(x).constant(i64s({4, -1})).run1();
    CHECK(r.shape() == (Shape{4, 6}));
    check_moved(x, r, same);
    const Tensor f = OpTester("Flatten").in(x).attr("axis", std::int64_t(2)).run1();
    CHECK(f.shape() == (Shape{6, 4}));
    check_moved(x, f, same);
    const Tensor x1 = pattern_tensor(dtype, Shape{1, 3, 1, 4});
    const Tensor sq = OpTester("Squeeze").in(x1).constant(i64s({0, 2})).run1();
    CHECK(sq.shape() == (Shape{3, 4}));
    check_moved(x1, sq, same);
    const Tensor un = OpTester("Unsqueeze").in(x).constant(i64s({0, -1})).run1();
    CHECK(un.shape() == (Shape{1, 2, 3, 4, 1}));
    check_moved(x, un, same);
    // y[a, b, c] = x[a, idx[b], c] with idx = {2, 0}.
    const Tensor g =
        OpTester("Gather").in(x).constant(i64s({2, 0})).attr("axis", std::int64_t(1)).run1();
    CHECK(g.shape() == (Shape{2, 2, 4}));
    check_moved(
        x, g, [](std::int64_t j) { return (j / 8) * 12 + ((j / 4) % 2 == 0 ? 2 : 0) * 4 + j % 4; });
    // Pad by one column each side with edge values: column 0 and 5 repeat columns 0 and 3.
    const Tensor m = pattern_tensor(dtype, Shape{2, 4});
    const Tensor p =
        OpTester("Pad").in(m).constant(i64s({0, 1, 0, 1})).attr("mode", std::string("edge")).run1();
    CHECK(p.shape() == (Shape{2, 6}));
    check_moved(m, p, [](std::int64_t j) {
      const std::int64_t c = std::min<std::int64_t>(3, std::max<std::int64_t>(0, j % 6 - 1));
      return (j / 6) * 4 + c;
    });
    // Constant padding with the dtype's own value.
    Tensor fill(dtype, Shape{});
    *static_cast<std::uint8_t*>(const_cast<void*>(fill.raw_data())) = 0x80;  // 128 or -128
    const Tensor pc = OpTester("Pad").in(m).constant(i64s({1, 0, 0, 0})).constant(fill).run1();
    REQUIRE(pc.shape() == (Shape{3, 4}));
    const auto* pb = static_cast<const std::uint8_t*>(pc.raw_data());
    const auto* mb = static_cast<const std::uint8_t*>(m.raw_data());
    for (int i = 0; i < 4; ++i) CHECK(pb[i] == 0x80);
    for (int i = 0; i < 8; ++i) CHECK(pb[4 + i] == mb[i]);
    // Nearest upsampling by 2: y[h, w] = x[h / 2, w / 2].
    const Tensor s = pattern_tensor(dtype, Shape{1, 1, 2, 3});
    const Tensor up = OpTester("Resize")
                          .in(s)
                          .none()
                          .constant(f32s({1, 1, 2, 2}))
                          .attr("mode", std::string("nearest"))
                          .run1();
    CHECK(up.shape() == (Shape{1, 1, 4, 6}));
    check_moved(s, up, [](std::int64_t j) { return (j / 6 / 2) * 3 + (j % 6) / 2; });
  }
}
