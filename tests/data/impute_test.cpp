// Imputer: the fill of each strategy, computed without the missing values; errors.
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

namespace {

// Column 0: 1, NaN, 2, 2, 10; column 1: NaN, 4, 3, 3, 4 (two values appear twice: ties).
const std::vector<float> train = {1, missing, missing, 4, 2, 3, 2, 3, 10, 4};
}  // namespace

TEST_CASE("Imputer strategies fill NaN with the column's statistic", "[data/impute]") {
  const Tensor x = matrix(5, 2, train);
  data::Imputer mean;
  const std::vector<float> filled = values(mean.fit_transform(x));
  CHECK(mean.fills() == std::vector<float>{15.0f / 4, 14.0f / 4});
  CHECK(filled[1] == 3.5f);
  CHECK(filled[2] == 15.0f / 4);
  CHECK(filled[0] == 1.0f);  // present values unchanged

  data::Imputer median(data::ImputeStrategy::median);
  median.fit(x);
  CHECK(median.fills() == std::vector<float>{2.0f, 3.5f});  // 1 2 2 10 -> 2; 3 3 4 4 -> 3.5

  data::Imputer frequent(data::ImputeStrategy::most_frequent);
  frequent.fit(x);
  CHECK(frequent.fills() == std::vector<float>{2.0f, 3.0f});  // ties: the smallest

  data::Imputer constant(data::ImputeStrategy::constant, -1.0f);
  const std::vector<float> c = values(constant.fit_transform(x));
  CHECK(constant.fills() == std::vector<float>{-1.0f, -1.0f});
  CHECK(c[1] == -1.0f);
  CHECK(c[2] == -1.0f);

  // Other rows take the training fills, not their own.
  const std::vector<float> test = values(median.transform(matrix(1, 2, {missing, missing})));
  CHECK(test == std::vector<float>{2.0f, 3.5f});
  // Odd count median.
  data::Imputer odd(data::ImputeStrategy::median);
  odd.fit(matrix(3, 1, {5, 1, 3}));
  CHECK(odd.fills() == std::vector<float>{3.0f});
}

TEST_CASE("Imputer errors", "[data/impute]") {
  data::Imputer mean;
  CHECK_THROWS_WITH(mean.transform(matrix(1, 2, {1, 2})), Contains("fit() was not called"));
  CHECK_THROWS_WITH(mean.fit(matrix(2, 2, {1, missing, 2, missing})),
                    Contains("column 1 has no value") && Contains("mean") && Contains("constant"));
  CHECK_FALSE(mean.fitted());
  CHECK_THROWS_WITH(mean.fit(matrix(1, 1, {std::numeric_limits<float>::infinity()})),
                    Contains("infinite value at row 0"));
  CHECK_THROWS_WITH(mean.fit(Tensor(inlay::DType::i64, inlay::Shape{2, 2})),
                    Contains("expected f32 [n >= 1, features]"));
  mean.fit(matrix(2, 2, {1, 2, 3, 4}));
  CHECK_THROWS_WITH(mean.transform(matrix(1, 3, {1, 2, 3})),
                    Contains("fitted on 2 features, given 3"));
  CHECK_THROWS_WITH(mean.set({1.0f, missing}), Contains("column 1") && Contains("not finite"));
  CHECK_THROWS_WITH(mean.set({}), Contains("no fill"));
  // The constant strategy fills a column with no value at all.
  data::Imputer constant(data::ImputeStrategy::constant, 7.0f);
  CHECK(values(constant.fit_transform(matrix(2, 1, {missing, missing}))) ==
        std::vector<float>{7, 7});
  data::Imputer bad(data::ImputeStrategy::constant, missing);
  CHECK_THROWS_WITH(bad.fit(matrix(1, 1, {1})), Contains("not finite"));
  CHECK(std::string(data::impute_strategy_name(data::ImputeStrategy::most_frequent)) ==
        "most_frequent");
}

TEST_CASE("Scalers refuse NaN in fit and check restored statistics", "[data/impute]") {
  data::Standardizer s;
  CHECK_THROWS_WITH(s.fit(matrix(2, 2, {1, 2, missing, 4})),
                    Contains("NaN at row 1, column 0") && Contains("Imputer"));
  data::MinMaxScaler m;
  CHECK_THROWS_WITH(m.fit(matrix(1, 2, {1, missing})), Contains("NaN at row 0, column 1"));
  CHECK_THROWS_WITH(s.set({0, 1}, {1}), Contains("2 and 1 values"));
  CHECK_THROWS_WITH(s.set({0}, {0}), Contains("scale > 0"));
  CHECK_THROWS_WITH(m.set({2}, {1}), Contains("min <= max"));
  s.set({1, 2}, {2, 4});
  CHECK(values(s.transform(matrix(1, 2, {3, 6}))) == std::vector<float>{1, 1});
  m.set({0}, {4});
  CHECK(values(m.transform(matrix(1, 1, {1}))) == std::vector<float>{0.25f});
}
