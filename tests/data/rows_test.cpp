// take_rows, take and one_hot.
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using inlay::DType;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("take_rows copies whole rows of any dtype and rank", "[data/rows]") {
  Tensor x(DType::f32, Shape{4, 2, 2});
  float* p = x.data<float>();
  for (int i = 0; i < 16; ++i) p[i] = static_cast<float>(i);
  const Tensor y = inlay::data::take_rows(x, {3, 0, 3});
  REQUIRE(y.shape() == Shape({3, 2, 2}));
  const float* q = y.data<float>();
  for (int j = 0; j < 4; ++j) {
    CHECK(q[j] == 12 + j);
    CHECK(q[4 + j] == j);
    CHECK(q[8 + j] == 12 + j);
  }
  CHECK(y.raw_data() != x.raw_data());

  Tensor labels(DType::i64, Shape{3});
  std::int64_t* l = labels.data<std::int64_t>();
  l[0] = 7;
  l[1] = 8;
  l[2] = 9;
  const Tensor picked = inlay::data::take_rows(labels, {2, 1});
  REQUIRE(picked.shape() == Shape({2}));
  CHECK(picked.data<std::int64_t>()[0] == 9);
  CHECK(picked.data<std::int64_t>()[1] == 8);
  CHECK(inlay::data::take_rows(x, {}).shape() == Shape({0, 2, 2}));

  CHECK_THROWS_AS(inlay::data::take_rows(x, {4}), inlay::Error);
  CHECK_THROWS_AS(inlay::data::take_rows(Tensor(DType::f32, Shape{}), {0}), inlay::Error);
}

TEST_CASE("take picks vector elements by index", "[data/rows]") {
  const std::vector<std::int64_t> v{10, 11, 12};
  CHECK(inlay::data::take(v, {2, 2, 0}) == std::vector<std::int64_t>{12, 12, 10});
  CHECK(inlay::data::take(v, {}).empty());
  CHECK_THROWS_AS(inlay::data::take(v, {3}), inlay::Error);
}

TEST_CASE("one_hot", "[data/rows]") {
  const Tensor t = inlay::data::one_hot({2, 0, 1}, 3);
  REQUIRE(t.shape() == Shape({3, 3}));
  const float* p = t.data<float>();
  const float expected[] = {0, 0, 1, 1, 0, 0, 0, 1, 0};
  for (int i = 0; i < 9; ++i) CHECK(p[i] == expected[i]);
  CHECK_THROWS_AS(inlay::data::one_hot({3}, 3), inlay::Error);
  CHECK_THROWS_AS(inlay::data::one_hot({-1}, 3), inlay::Error);
}
