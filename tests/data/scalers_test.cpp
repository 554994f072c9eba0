// Standardizer and MinMaxScaler: fitted statistics, transforms of other data, constant columns.
#include <cmath>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"
#include "test_util.hpp"

using inlay::DType;
using inlay::Shape;
using inlay::Tensor;
using inlay::data::MinMaxScaler;
using inlay::data::Standardizer;

using inlay_test::matrix;
using inlay_test::values;

TEST_CASE("Standardizer: mean and population standard deviation per column", "[data/scalers]") {
  // Column 0: 1, 2, 3, 6 -> mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5.
  // Column 1: 10 four times (constant) -> scale 1. Column 2: -2, 2, -2, 2 -> mean 0, sd 2.
  const Tensor train = matrix(4, 3, {1, 10, -2, 2, 10, 2, 3, 10, -2, 6, 10, 2});
  Standardizer s;
  CHECK_FALSE(s.fitted());
  const Tensor z = s.fit_transform(train);
  REQUIRE(s.fitted());
  CHECK(s.mean() == std::vector<float>{3, 10, 0});
  CHECK(s.scale()[0] == Approx(std::sqrt(3.5)).epsilon(1e-6));
  CHECK(s.scale()[1] == 1.0f);
  CHECK(s.scale()[2] == Approx(2.0).epsilon(1e-6));
  const std::vector<float> zv = values(z);
  CHECK(zv[0] == Approx(-2 / std::sqrt(3.5)).epsilon(1e-6));
  CHECK(zv[1] == 0.0f);
  CHECK(zv[2] == Approx(-1.0).epsilon(1e-6));
  CHECK(zv[9] == Approx(3 / std::sqrt(3.5)).epsilon(1e-6));
  // The transformed training columns have mean 0 and variance 1 (constant column: 0).
  for (int c = 0; c < 3; c += 2) {
    double m = 0, v = 0;
    for (int r = 0; r < 4; ++r) m += zv[r * 3 + c];
    for (int r = 0; r < 4; ++r) v += (zv[r * 3 + c] - m / 4) * (zv[r * 3 + c] - m / 4);
    CHECK(std::fabs(m / 4) < 1e-6);
    CHECK(v / 4 == Approx(1.0).epsilon(1e-5));
  }

  // Other data use the training statistics, not their own.
  const Tensor test = matrix(1, 3, {3 + 2 * std::sqrt(3.5f), 12, 4});
  const std::vector<float> tv = values(s.transform(test));
  CHECK(tv[0] == Approx(2.0).epsilon(1e-6));
  CHECK(tv[1] == Approx(2.0).epsilon(1e-6));
  CHECK(tv[2] == Approx(2.0).epsilon(1e-6));
  CHECK(values(train)[0] == 1.0f);  // the input is left alone
}

TEST_CASE("MinMaxScaler maps the fitted range to [0, 1]", "[data/scalers]") {
  const Tensor train = matrix(3, 2, {0, 5, 10, 5, 4, 5});
  MinMaxScaler m;
  const std::vector<float> v = values(m.fit_transform(train));
  CHECK(m.min() == std::vector<float>{0, 5});
  CHECK(m.max() == std::vector<float>{10, 5});
  CHECK(v == std::vector<float>{0, 0, 1, 0, 0.4f, 0});
  const std::vector<float> t = values(m.transform(matrix(1, 2, {15, 7})));
  CHECK(t[0] == 1.5f);  // outside the fitted range: not clipped
  CHECK(t[1] == 2.0f);  // constant column: offset only
}

TEST_CASE("Scalers refuse wrong shapes, dtypes and use before fit", "[data/scalers]") {
  Standardizer s;
  MinMaxScaler m;
  const Tensor x = matrix(2, 3, {1, 2, 3, 4, 5, 6});
  CHECK_THROWS_AS(s.transform(x), inlay::Error);
  CHECK_THROWS_AS(m.transform(x), inlay::Error);
  s.fit(x);
  m.fit(x);
  CHECK_THROWS_AS(s.transform(matrix(2, 2, {1, 2, 3, 4})), inlay::Error);
  CHECK_THROWS_AS(m.transform(matrix(2, 2, {1, 2, 3, 4})), inlay::Error);
  CHECK_THROWS_AS(s.fit(Tensor(DType::i32, Shape{2, 2})), inlay::Error);
  CHECK_THROWS_AS(s.fit(Tensor(DType::f32, Shape{6})), inlay::Error);
  CHECK_THROWS_AS(m.fit(Tensor(DType::f32, Shape{0, 3})), inlay::Error);
}
