// Graph-door tests of the softmax operators (include/inlay/graph/ops/softmax.hpp): Hardmax,
// Softmax, LogSoftmax and the losses (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss) beyond
// the official node tests: dtypes, the axis before and after opset 13, weights, ignore_index, and
// the errors for what they do not support.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;
using inlay_test::make_tensor;
using inlay_test::OpTester;
using inlay_test::values_of;

TEST_CASE("Hardmax: first maximum, coerced to 2-D before opset 13", "[graph/ops/softmax]") {
  const std::vector<double> v = {1, 3, 3, 2, 0, 1};
  OpTester d("Hardmax", 13);
  d.input("x", DType::f64).output("y");
  CHECK(values_of<double>(d.run({make_tensor<double>({2, 3}, v)})[0]) ==
        std::vector<double>{0, 1, 0, 1, 0, 0});
  // Opset 11, axis 1 of [2, 3, 1]: each row of 3 elements at once (same as above);
  // opset 13, axis 1 of [1, 2, 3]: along the 2, for each of the 3 columns.
  std::vector<float> vf(v.begin(), v.end());
  OpTester old("Hardmax", 11);
  old.input("x", DType::f32).output("y");
  CHECK(values_of<float>(old.run({make_tensor<float>({2, 3, 1}, vf)})[0]) ==
        std::vector<float>{0, 1, 0, 1, 0, 0});
  OpTester axis1("Hardmax", 13);
  axis1.input("x", DType::f32).output("y").attr("axis", std::int64_t(1));
  CHECK(values_of<float>(axis1.run({make_tensor<float>({1, 2, 3}, vf)})[0]) ==
        std::vector<float>{0, 1, 1, 1, 0, 0});
  OpTester("Hardmax", 13)
      .input("x", DType::i32)
      .output("y")
      .run_error({Tensor(DType::i32, Shape{2})}, ErrorKind::unsupported_op);
}

TEST_CASE("Softmax refuses what it does not support", "[graph/ops/softmax]") {
  OpTester m("Softmax", 13);
  m.input("x", DType::f64).output("y");
  m.expect_run_error({Tensor(DType::f64, Shape{2})}, ErrorKind::unsupported_op, "f32");
  OpTester axis("Softmax", 13);
  axis.input("x", DType::f32).output("y").attr("axis", std::int64_t(3));
  axis.run_error({Tensor(DType::f32, Shape{2, 2})}, ErrorKind::invalid_model);
  OpTester("LogSoftmax", 13)
      .input("x", DType::f32)
      .output("y")
      .run_error({make_tensor<float>({}, {1})}, ErrorKind::shape_mismatch);
}

TEST_CASE("NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: weights, ignore_index, errors",
          "[graph/ops/softmax]") {
  const Tensor x = make_tensor<float>({2, 3}, {-1, -2, -3, -0.5f, -1.5f, -2.5f});
  const Tensor target = make_tensor<std::int32_t>({2}, {2, 0});
  const Tensor weight = make_tensor<float>({3}, {1, 2, 3});
  const auto nll = [](const std::string& reduction) {
    OpTester m("NegativeLogLikelihoodLoss", 13);
    m.input("x", DType::f32).input("t", DType::i32).input("w", DType::f32).output("loss");
    m.attr("reduction", reduction);
    return m;
  };
  CHECK(nll("mean").run({x, target, weight})[0].data<float>()[0] == Approx(9.5 / 4));
  CHECK(nll("sum").run({x, target, weight})[0].data<float>()[0] == Approx(9.5));
  const auto none = nll("none").run({x, target, weight})[0];
  CHECK(none.shape() == Shape{2});
  CHECK(values_of<float>(none) == std::vector<float>{9, 0.5f});
  OpTester ignored = nll("mean");
  ignored.attr("ignore_index", std::int64_t(2));
  CHECK(ignored.run({x, target, weight})[0].data<float>()[0] == Approx(0.5));

  nll("mean").expect_run_error({x, make_tensor<std::int32_t>({2}, {3, 0}), weight},
                               ErrorKind::invalid_argument, "target 3");
  nll("mean").run_error({x, make_tensor<std::int32_t>({2, 1}, {1, 0}), weight},
                        ErrorKind::shape_mismatch);
  nll("mean").run_error({x, target, make_tensor<float>({2}, {1, 1})}, ErrorKind::shape_mismatch);
  nll("average").expect_load_error(ErrorKind::invalid_model, "average");

  // Softmax cross-entropy = NLL of log_softmax along axis 1, which is also its second output.
  const Tensor scores = make_tensor<float>({2, 3, 1}, {1, 2, 3, 0, 0, 1});
  OpTester sce("SoftmaxCrossEntropyLoss", 13);
  sce.input("s", DType::f32).input("t", DType::i64).output("loss").output("log_prob");
  sce.attr("reduction", std::string("none"));
  const auto out = sce.run({scores, make_tensor<std::int64_t>({2, 1}, {0, 2})});
  REQUIRE(out[1].shape() == Shape{2, 3, 1});
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double lse1 = std::log(2.0 + std::exp(1.0));
  CHECK(out[1].data<float>()[1] == Approx(2.0 - lse0));
  CHECK(out[0].shape() == Shape{2, 1});
  CHECK(out[0].data<float>()[0] == Approx(lse0 - 1.0));
  CHECK(out[0].data<float>()[1] == Approx(lse1 - 1.0));
}
