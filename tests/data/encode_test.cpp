// OneHotEncoder: columns replaced in place by indicator columns, unseen values and NaN as zeros.
#include <cmath>
#include <limits>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"
#include "test_util.hpp"

namespace data = inlay::data;
using Catch::Matchers::Contains;
using inlay::Tensor;

using inlay_test::matrix;
using inlay_test::missing;
using inlay_test::values;

TEST_CASE("OneHotEncoder replaces each listed column by its categories", "[data/encode]") {
  // Columns: a number, a code with values {2, 0, 5}, a number, a code with {1, 3}.
  const Tensor x = matrix(3, 4, {0.5f, 2, 10, 1, 1.5f, 0, 20, 3, 2.5f, 5, 30, 1});
  data::OneHotEncoder e({1, 3});
  CHECK_FALSE(e.fitted());
  const Tensor y = e.fit_transform(x);
  REQUIRE(e.fitted());
  CHECK(e.categories() == std::vector<std::vector<float>>{{0, 2, 5}, {1, 3}});
  CHECK(e.input_width() == 4);
  CHECK(e.output_width() == 7);
  REQUIRE(y.shape() == inlay::Shape({3, 7}));
  CHECK(values(y) == std::vector<float>{0.5f, 0, 1, 0, 10, 1, 0,  //
                                        1.5f, 1, 0, 0, 20, 0, 1,  //
                                        2.5f, 0, 0, 1, 30, 1, 0});
  // A value not seen in fit, and NaN, give all zeros.
  CHECK(values(e.transform(matrix(1, 4, {7, 4, 15, missing}))) ==
        std::vector<float>{7, 0, 0, 0, 15, 0, 0});
}

TEST_CASE("OneHotEncoder keeps NaN in passed-through columns", "[data/encode]") {
  data::OneHotEncoder e({0});
  e.fit(matrix(2, 2, {1, 0, 2, 0}));
  const std::vector<float> v = values(e.transform(matrix(1, 2, {missing, missing})));
  REQUIRE(v.size() == 3);
  CHECK(v[0] == 0.0f);
  CHECK(v[1] == 0.0f);
  CHECK(std::isnan(v[2]));
}

TEST_CASE("OneHotEncoder errors", "[data/encode]") {
  const Tensor x = matrix(2, 2, {1, 2, 3, 4});
  CHECK_THROWS_WITH(data::OneHotEncoder(std::vector<std::size_t>{}).fit(x),
                    Contains("no column to encode"));
  CHECK_THROWS_WITH(data::OneHotEncoder({2}).fit(x), Contains("column 2 outside 2 features"));
  CHECK_THROWS_WITH(data::OneHotEncoder({1, 1}).fit(x), Contains("column 1 listed twice"));
  CHECK_THROWS_WITH(data::OneHotEncoder({0}).fit(matrix(2, 1, {missing, missing})),
                    Contains("column 0 has no value"));
  CHECK_THROWS_WITH(data::OneHotEncoder({0}).transform(x), Contains("fit() was not called"));
  data::OneHotEncoder e({0});
  e.fit(x);
  CHECK_THROWS_WITH(e.transform(matrix(1, 3, {1, 2, 3})), Contains("fitted on f32 [n, 2]"));
  CHECK_THROWS_WITH(e.set(2, {{3, 1}}), Contains("not finite, distinct and sorted"));
  CHECK_THROWS_WITH(e.set(2, {{1}, {2}}), Contains("2 category lists for 1 columns"));
}
