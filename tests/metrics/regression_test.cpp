// MSE, MAE and R².
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using namespace inlay::metrics;

TEST_CASE("mse, mae and r2 against numpy", "[metrics/regression]") {
  // scikit-learn's r2_score doc example; values computed once with /usr/bin/python3 numpy in
  // float64 from the float32 inputs: mse 0.3125, mae 0.45, r2 0.9491042345276873.
  const std::vector<float> y{3.0f, -0.5f, 2.0f, 7.0f, 4.25f};
  const std::vector<float> p{2.5f, 0.0f, 2.0f, 8.0f, 4.0f};
  CHECK(mse(y, p) == Approx(0.3125).epsilon(1e-12));
  CHECK(mae(y, p) == Approx(0.45).epsilon(1e-12));
  CHECK(r2(y, p) == Approx(0.9491042345276873).epsilon(1e-12));
  CHECK(r2(y, y) == 1.0);
  CHECK(mse(y, y) == 0.0);

  inlay::Tensor ty(inlay::DType::f32, inlay::Shape{5, 1}), tp(inlay::DType::f32, inlay::Shape{5});
  std::copy(y.begin(), y.end(), ty.data<float>());
  std::copy(p.begin(), p.end(), tp.data<float>());
  CHECK(mse(ty, tp) == mse(y, p));
  CHECK(mae(ty, tp) == mae(y, p));
  CHECK(r2(ty, tp) == r2(y, p));
}

TEST_CASE("r2 of a constant target and of the mean prediction", "[metrics/regression]") {
  CHECK(r2({2, 2, 2}, {2, 2, 2}) == 1.0);
  CHECK(r2({2, 2, 2}, {2, 2, 3}) == 0.0);
  CHECK(r2({1, 2, 3}, {2, 2, 2}) == 0.0);   // predicting the mean
  CHECK(r2({1, 2, 3}, {3, 2, 1}) == -3.0);  // SS_res 8, SS_tot 2
}

TEST_CASE("regression metrics refuse empty and mismatched inputs", "[metrics/regression]") {
  CHECK_THROWS_AS(mse(std::vector<float>{}, std::vector<float>{}), inlay::Error);
  CHECK_THROWS_AS(mae({1}, {1, 2}), inlay::Error);
  CHECK_THROWS_AS(r2({1, 2}, {1}), inlay::Error);
  CHECK_THROWS_AS(mse(inlay::Tensor(inlay::DType::i32, inlay::Shape{2}),
                      inlay::Tensor(inlay::DType::i32, inlay::Shape{2})),
                  inlay::Error);
}
