// Graph-door tests of the gather and scatter operators (include/inlay/graph/ops/gather_scatter.hpp)
// beyond the official node tests: every dtype, negative indices, reductions, and clear errors
// (never out-of-bounds reads) for indices out of range and shapes that do not fit.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("Gather takes negative indices and refuses out-of-range ones",
          "[graph/ops/gather_scatter]") {
  for (DType dtype : all_dtypes()) {
    INFO("dtype " << inlay::dtype_name(dtype));
    const Tensor x = pattern_tensor(dtype, Shape{3, 2});
    const Tensor y =
        OpTester("Gather").in(x).in(make_tensor<std::int32_t>(Shape{2}, {2, -3})).run1();
    CHECK(y.shape() == (Shape{2, 2}));
    check_moved(x, y, [](std::int64_t j) { return j < 2 ? 4 + j : j - 2; });
    const Tensor col = OpTester("Gather")
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
    OpTester("Gather")
        .in(x)
        .in(i64s({0, bad}))
        .expect_run_error(ErrorKind::invalid_argument, "out of range");
  }
  OpTester("Gather")
      .in(x)
      .in(i64s({0}))
      .attr("axis", std::int64_t(2))
      .run_error(ErrorKind::invalid_model);
  OpTester("Gather").in(x).in(f32s({0})).run_error(ErrorKind::invalid_model);
}

TEST_CASE("GatherElements and GatherND refuse indices out of range", "[graph/ops/gather_scatter]") {
  const Tensor data = make_tensor<float>(Shape{2, 2}, {1, 2, 3, 4});
  const Tensor ge = OpTester("GatherElements")
                        .in(data)
                        .in(make_tensor<std::int64_t>(Shape{2, 2}, {0, 0, -1, 0}))
                        .attr("axis", std::int64_t(1))
                        .run1();
  CHECK(values_of<float>(ge) == std::vector<float>{1, 1, 4, 3});
  OpTester("GatherElements")
      .in(data)
      .in(make_tensor<std::int64_t>(Shape{1, 2}, {0, 2}))
      .attr("axis", std::int64_t(1))
      .expect_run_error(ErrorKind::invalid_argument, "out of range");
  // Indices larger than the data along another axis would read past it.
  OpTester("GatherElements")
      .in(data)
      .in(Tensor(DType::i64, Shape{3, 2}))
      .attr("axis", std::int64_t(1))
      .run_error(ErrorKind::shape_mismatch);

  const Tensor nd = OpTester("GatherND")
                        .in(data)
                        .in(make_tensor<std::int64_t>(Shape{2, 2}, {1, 0, -2, 1}))
                        .run1();
  CHECK(values_of<float>(nd) == std::vector<float>{3, 2});
  const Tensor rows =
      OpTester("GatherND").in(data).in(make_tensor<std::int64_t>(Shape{1, 1}, {1})).run1();
  CHECK(rows.shape() == (Shape{1, 2}));
  CHECK(values_of<float>(rows) == std::vector<float>{3, 4});

  OpTester("GatherND")
      .in(data)
      .in(make_tensor<std::int64_t>(Shape{1, 2}, {2, 0}))
      .expect_run_error(ErrorKind::invalid_argument, "out of range");
  OpTester("GatherND")
      .in(data)
      .in(make_tensor<std::int64_t>(Shape{1, 3}, {0, 0, 0}))
      .run_error(ErrorKind::shape_mismatch);
  OpTester("GatherND")
      .in(data)
      .in(make_tensor<std::int64_t>(Shape{3, 1}, {0, 0, 0}))
      .attr("batch_dims", std::int64_t(1))
      .run_error(ErrorKind::shape_mismatch);
}

TEST_CASE("ScatterND and ScatterElements combine duplicates with the reduction",
          "[graph/ops/gather_scatter]") {
  const Tensor data = make_tensor<std::int32_t>(Shape{4}, {1, 2, 3, 4});
  const Tensor idx = make_tensor<std::int64_t>(Shape{3, 1}, {1, 1, -1});
  const Tensor upd = make_tensor<std::int32_t>(Shape{3}, {10, 20, 30});
  CHECK(values_of<std::int32_t>(OpTester("ScatterND", 16)
                                    .in(data)
                                    .in(idx)
                                    .in(upd)
                                    .attr("reduction", std::string("add"))
                                    .run1()) == std::vector<std::int32_t>{1, 32, 3, 34});
  CHECK(values_of<std::int32_t>(OpTester("ScatterND", 16)
                                    .in(data)
                                    .in(idx)
                                    .in(upd)
                                    .attr("reduction", std::string("mul"))
                                    .run1()) == std::vector<std::int32_t>{1, 400, 3, 120});
  OpTester("ScatterND")
      .in(data)
      .in(make_tensor<std::int64_t>(Shape{1, 1}, {4}))
      .in(make_tensor<std::int32_t>(Shape{1}, {0}))
      .expect_run_error(ErrorKind::invalid_argument, "out of range");
  OpTester("ScatterND")
      .in(data)
      .in(idx)
      .in(make_tensor<std::int32_t>(Shape{2}, {0, 0}))
      .run_error(ErrorKind::shape_mismatch);
  OpTester("ScatterND")
      .in(data)
      .in(idx)
      .in(make_tensor<float>(Shape{3}, {0, 0, 0}))
      .run_error(ErrorKind::invalid_model);

  const Tensor d2(DType::f32, Shape{2, 3});
  const Tensor se = OpTester("ScatterElements")
                        .in(d2)
                        .in(make_tensor<std::int64_t>(Shape{1, 3}, {1, 0, 2}))
                        .in(make_tensor<float>(Shape{1, 3}, {1, 2, 3}))
                        .attr("axis", std::int64_t(1))
                        .run1();
  CHECK(values_of<float>(se) == std::vector<float>{2, 1, 3, 0, 0, 0});
  const Tensor mx = OpTester("ScatterElements", 18)
                        .in(make_tensor<std::int64_t>(Shape{3}, {5, 5, 5}))
                        .in(i64s({0, 0, 1}))
                        .in(i64s({1, 9, 7}))
                        .attr("reduction", std::string("max"))
                        .run1();
  CHECK(values_of<std::int64_t>(mx) == std::vector<std::int64_t>{9, 7, 5});
  const Tensor f16 = pattern_tensor(DType::f16, Shape{2});
  const Tensor sum16 = OpTester("ScatterElements", 16)
                           .in(f16)
                           .in(i64s({1}))
                           .in(pattern_tensor(DType::f16, Shape{1}))
                           .attr("reduction", std::string("add"))
                           .run1();
  CHECK(inlay::to_float(sum16.data<inlay::float16>()[1]) == 2.0f);  // 1.5 + 0.5
  OpTester("ScatterElements")
      .in(d2)
      .in(make_tensor<std::int64_t>(Shape{1, 1}, {-4}))
      .in(make_tensor<float>(Shape{1, 1}, {1}))
      .attr("axis", std::int64_t(1))
      .expect_run_error(ErrorKind::invalid_argument, "out of range");
  OpTester("ScatterElements", 16)
      .in(d2)
      .in(Tensor(DType::i64, Shape{1, 1}))
      .in(Tensor(DType::f32, Shape{1, 1}))
      .attr("reduction", std::string("avg"))
      .run_error(ErrorKind::unsupported_op);
}
