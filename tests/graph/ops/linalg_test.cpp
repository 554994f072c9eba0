// Graph-door tests of Det (include/inlay/graph/ops/linalg.hpp): pivoting, singular and empty
// matrices, stacks of matrices against a cofactor expansion, and the errors for shapes and dtypes
// that do not fit.
#include <cstdint>
#include <random>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

// The determinant by Laplace expansion along the first row (independent of the kernel's LU).
double cofactor_det(const std::vector<double>& a, std::size_t m) {
  if (m == 0) return 1;
  if (m == 1) return a[0];
  double det = 0;
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<double> minor;
    for (std::size_t r = 1; r < m; ++r)
      for (std::size_t c = 0; c < m; ++c)
        if (c != j) minor.push_back(a[r * m + c]);
    det += (j % 2 ? -1.0 : 1.0) * a[j] * cofactor_det(minor, m - 1);
  }
  return det;
}

}  // namespace

TEST_CASE("Det of single matrices and stacks", "[graph/ops/linalg]") {
  OpTester("Det", 11)
      .in(make_tensor<float>(Shape{2, 2}, {0, 1, 2, 3}))
      .check({make_tensor<float>(Shape{}, {-2})});
  // A zero first pivot needs a row swap: det [[0, 1], [1, 0]] = -1.
  OpTester("Det", 11)
      .in(make_tensor<double>(Shape{2, 2}, {0, 1, 1, 0}))
      .check({make_tensor<double>(Shape{}, {-1})});
  // Singular: 0; 1x1: the element; a stack of 0x0 matrices: 1 each.
  OpTester("Det", 11)
      .in(make_tensor<float>(Shape{3, 3}, {1, 2, 3, 2, 4, 6, 0, 1, 1}))
      .check({make_tensor<float>(Shape{}, {0})});
  OpTester("Det", 11)
      .in(make_tensor<float>(Shape{3, 1, 1}, {2, -3, 0.5f}))
      .check({make_tensor<float>(Shape{3}, {2, -3, 0.5f})});
  OpTester("Det", 11)
      .in(Tensor(DType::f32, Shape{2, 0, 0}))
      .check({make_tensor<float>(Shape{2}, {1, 1})});

  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-2, 2);
  for (std::int64_t m : {2, 3, 4, 5}) {
    INFO("M = " << m);
    const std::int64_t mats = 6;
    std::vector<float> x(static_cast<std::size_t>(mats * m * m));
    for (float& v : x) v = u(rng);
    std::vector<float> want;
    for (std::int64_t i = 0; i < mats; ++i) {
      std::vector<double> a(x.begin() + i * m * m, x.begin() + (i + 1) * m * m);
      want.push_back(static_cast<float>(cofactor_det(a, static_cast<std::size_t>(m))));
    }
    OpTester("Det", 11)
        .in(make_tensor<float>(Shape{2, 3, m, m}, x))
        .check({make_tensor<float>(Shape{2, 3}, want)}, {1e-5, 1e-5});
  }
}

TEST_CASE("Det names what is wrong", "[graph/ops/linalg]") {
  OpTester("Det", 11)
      .in(Tensor(DType::f32, Shape{2, 3}))
      .expect_run_error(ErrorKind::shape_mismatch, "square matrices [..., M, M], not [2, 3]");
  OpTester("Det", 11)
      .in(Tensor(DType::f32, Shape{4}))
      .expect_run_error(ErrorKind::shape_mismatch, "square matrices");
  OpTester("Det", 11)
      .in(Tensor(DType::i32, Shape{2, 2}))
      .expect_run_error(ErrorKind::unsupported_op, "dtype i32");
}
