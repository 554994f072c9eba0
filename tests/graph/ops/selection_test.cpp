// Graph-door tests of the selection operators (include/inlay/graph/ops/selection.hpp) beyond the
// official node tests: half and bool inputs, values out of range, and the errors for lengths and
// shapes that do not fit.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("NonZero, OneHot, Trilu, ReverseSequence and Compress", "[graph/ops/selection]") {
  Tensor h(DType::f16, Shape{4});
  const float hv[4] = {0.0f, -0.0f, 1.5f, NAN};
  for (int i = 0; i < 4; ++i) h.data<inlay::float16>()[i] = inlay::to_float16(hv[i]);
  const Tensor nz = OpTester("NonZero").in(h).run1();
  CHECK(nz.shape() == (Shape{1, 2}));
  CHECK(values_of<std::int64_t>(nz) == std::vector<std::int64_t>{2, 3});
  const Tensor b = make_tensor<bool>(Shape{2, 2}, {true, false, false, true});
  CHECK(values_of<std::int64_t>(OpTester("NonZero").in(b).run1()) ==
        std::vector<std::int64_t>{0, 1, 0, 1});

  // Index 5 is outside [-3, 3): a row of off values.
  const Tensor oh = OpTester("OneHot")
                        .in(i64s({0, 5, -1}))
                        .in(make_tensor<std::int64_t>(Shape{}, {3}))
                        .in(make_tensor<std::int32_t>(Shape{2}, {0, 7}))
                        .run1();
  CHECK(oh.shape() == (Shape{3, 3}));
  CHECK(values_of<std::int32_t>(oh) == std::vector<std::int32_t>{7, 0, 0, 0, 0, 0, 0, 0, 7});
  OpTester("OneHot")
      .in(i64s({0}))
      .in(make_tensor<float>(Shape{}, {0}))
      .in(f32s({0, 1}))
      .expect_run_error(ErrorKind::invalid_argument, "depth");

  const Tensor m = make_tensor<std::uint8_t>(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(values_of<std::uint8_t>(OpTester("Trilu").in(m).attr("upper", std::int64_t(0)).run1()) ==
        std::vector<std::uint8_t>{1, 0, 0, 4, 5, 0});
  CHECK(values_of<std::uint8_t>(
            OpTester("Trilu").in(m).in(make_tensor<std::int64_t>(Shape{}, {1})).run1()) ==
        std::vector<std::uint8_t>{0, 2, 3, 0, 0, 6});
  OpTester("Trilu").in(f32s({1})).run_error(ErrorKind::shape_mismatch);

  // Time 3 x batch 2; batch 0 reversed over 3 steps, batch 1 over 1.
  const Tensor seq = make_tensor<std::int32_t>(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  CHECK(values_of<std::int32_t>(OpTester("ReverseSequence").in(seq).in(i64s({3, 1})).run1()) ==
        std::vector<std::int32_t>{5, 2, 3, 4, 1, 6});
  OpTester("ReverseSequence")
      .in(seq)
      .in(i64s({4, 1}))
      .expect_run_error(ErrorKind::invalid_argument, "sequence length");
  OpTester("ReverseSequence").in(seq).in(i64s({1})).run_error(ErrorKind::shape_mismatch);

  const Tensor c = pattern_tensor(DType::u64, Shape{3});
  const Tensor picked =
      OpTester("Compress").in(c).in(make_tensor<bool>(Shape{3}, {false, true, true})).run1();
  check_moved(c, picked, [](std::int64_t j) { return j + 1; });
  CHECK(picked.shape() == (Shape{2}));
  OpTester("Compress")
      .in(c)
      .in(make_tensor<bool>(Shape{4}, {false, true, false, true}))
      .run_error(ErrorKind::shape_mismatch);
}
