// data::Pipeline: steps fitted in order, the saved form read back, and damaged files refused.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
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
// Rows: a number with gaps, a category code with gaps, a number.
const Tensor raw =
    matrix(5, 3, {1, 0, 10, missing, 2, 20, 3, missing, 30, 5, 2, missing, 4, 1, 50});

data::Pipeline full_pipeline() {
  data::Pipeline p;
  // The most frequent value keeps the code column's categories (a median of codes could be a
  // new one).
  p.add(data::Imputer(data::ImputeStrategy::most_frequent))
      .add(data::OneHotEncoder({1}))
      .add(data::MinMaxScaler())
      .add(data::Standardizer());
  return p;
}
}  // namespace

TEST_CASE("Pipeline: each step fitted on the output of the ones before", "[data/pipeline]") {
  data::Pipeline p = full_pipeline();
  CHECK_FALSE(p.fitted());
  CHECK_THROWS_WITH(p.transform(raw), Contains("fit() was not called"));
  const Tensor got = p.fit_transform(raw);
  REQUIRE(p.fitted());
  CHECK(p.input_width() == 3);
  CHECK(p.output_width() == 5);
  CHECK(
      p.describe() ==
      "Imputer(most_frequent) -> OneHotEncoder(columns 1) -> MinMaxScaler -> Standardizer: 3 -> 5 "
      "features");

  // The same steps by hand.
  data::Imputer imputer(data::ImputeStrategy::most_frequent);
  data::OneHotEncoder encoder({1});
  data::MinMaxScaler min_max;
  data::Standardizer standardizer;
  const Tensor want = standardizer.fit_transform(
      min_max.fit_transform(encoder.fit_transform(imputer.fit_transform(raw))));
  CHECK(values(got) == values(want));
  const Tensor other = matrix(2, 3, {missing, 7, 0, 2, 1, missing});
  CHECK(values(p.transform(other)) == values(standardizer.transform(min_max.transform(
                                          encoder.transform(imputer.transform(other))))));
  for (float v : values(got)) CHECK(std::isfinite(v));
  CHECK_THROWS_WITH(data::Pipeline().fit(raw), Contains("no step"));
}

TEST_CASE("Pipeline: the saved form gives the same transform", "[data/pipeline]") {
  data::Pipeline p = full_pipeline();
  p.fit(raw);
  const std::string bytes = p.serialize();
  data::Pipeline q;
  CHECK(data::Pipeline::deserialize(bytes.data(), bytes.size(), "mem", q) == bytes.size());
  CHECK(q.describe() == p.describe());
  const Tensor other = matrix(2, 3, {missing, 7, 0, 2, 1, missing});
  CHECK(values(q.transform(other)) == values(p.transform(other)));

  const std::string path = "data_pipeline_test.pipeline";
  p.save(path);
  CHECK(values(data::Pipeline::load(path).transform(raw)) == values(p.transform(raw)));
  std::remove(path.c_str());
  CHECK_THROWS_WITH(data::Pipeline::load("/nonexistent/p.pipeline"),
                    Contains("/nonexistent/p.pipeline"));
  CHECK_THROWS_WITH(data::Pipeline().serialize(), Contains("fit() was not called"));
}

TEST_CASE("Pipeline: damaged saved forms are errors naming the source", "[data/pipeline]") {
  data::Pipeline p = full_pipeline();
  p.fit(raw);
  const std::string bytes = p.serialize();
  data::Pipeline q;
  // Every truncation fails cleanly (no crash, no partial pipeline).
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("truncated to " << n << " bytes");
    CHECK_THROWS_AS(data::Pipeline::deserialize(bytes.data(), n, "cut.pp", q), inlay::Error);
    CHECK_FALSE(q.fitted());
  }
  auto error_of = [](std::string b) -> std::string {
    data::Pipeline r;
    try {
      data::Pipeline::deserialize(b.data(), b.size(), "bad.pp", r);
    } catch (const inlay::Error& e) {
      CHECK(e.kind() == inlay::ErrorKind::invalid_model);
      return e.what();
    }
    return "(no error)";
  };
  CHECK_THAT(error_of("INLAYNN" + std::string(1, '\0') + bytes.substr(8)),
             Contains("bad.pp") && Contains("bad magic"));
  std::string b = bytes;
  b[8] = 2;
  CHECK_THAT(error_of(b), Contains("format version 2"));
  b = bytes;
  b[16] = 9;  // the first step's kind
  CHECK_THAT(error_of(b), Contains("unknown step kind 9"));
  b = bytes;
  b[17] = 7;  // the imputer's strategy
  CHECK_THAT(error_of(b), Contains("unknown imputation strategy 7"));
  // A NaN fill: the setter's check, reported as a damaged file.
  b = bytes;
  const std::size_t first_fill = 8 + 4 + 4 + 1 + 1 + 4 + 4 + 4;
  b[first_fill + 2] = '\xc0';
  b[first_fill + 3] = '\x7f';
  CHECK_THAT(error_of(b), Contains("step 0") && Contains("not finite"));
  // A step that does not take what the step before gives.
  // A Standardizer of 2 features followed by a MinMaxScaler of 1.
  data::MinMaxScaler one;
  one.fit(matrix(1, 1, {0}));
  data::Pipeline single;
  single.add(one);
  const std::string tail = single.serialize().substr(16);
  data::Standardizer two;
  two.fit(matrix(2, 2, {1, 2, 3, 4}));
  data::Pipeline head;
  head.add(two);
  std::string joined = head.serialize();
  joined[12] = 2;  // two steps
  joined += tail;
  CHECK_THAT(error_of(joined), Contains("step 1 takes 1 features, the step before gives 2"));
}
