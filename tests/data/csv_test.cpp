// CSV reading into data::Table: formats accepted, errors naming source/line/column, and the data
// sets the examples ship.
#include <cstdio>
#include <fstream>
#include <string>

#include <inlay/inlay.hpp>

#include "catch.hpp"
#include "test_util.hpp"

using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::data::CsvOptions;
using inlay::data::parse_csv;
using inlay::data::read_csv;
using inlay::data::Table;
using inlay_test::error_of;

namespace {}  // namespace

TEST_CASE("parse_csv reads numbers row by row", "[data/csv]") {
  const Table t = parse_csv("1,2.5,-3\n4e2, +5 ,6.\r\n\n  \n-0.25,1E-3,7\n");
  REQUIRE(t.rows == 3);
  REQUIRE(t.cols == 3);
  REQUIRE(t.values.size() == 9);
  CHECK(t.at(0, 1) == 2.5);
  CHECK(t.at(0, 2) == -3);
  CHECK(t.at(1, 0) == 400);
  CHECK(t.at(1, 1) == 5);
  CHECK(t.at(1, 2) == 6);
  CHECK(t.at(2, 0) == -0.25);
  CHECK(t.at(2, 1) == 0.001);
  CHECK_THROWS_AS(t.at(3, 0), inlay::Error);
  CHECK_THROWS_AS(t.at(0, 3), inlay::Error);
}

TEST_CASE("parse_csv options: skipped header lines, other delimiters, runs of blanks",
          "[data/csv]") {
  CsvOptions header;
  header.skip_lines = 1;
  const Table a = parse_csv("rows,cols,name\n1,2\n3,4", header);  // no final newline
  CHECK(a.rows == 2);
  CHECK(a.cols == 2);
  CHECK(a.at(1, 1) == 4);

  CsvOptions semicolon;
  semicolon.delimiter = ';';
  const Table b = parse_csv("1;2\n3;4\n", semicolon);
  CHECK(b.cols == 2);
  CHECK(b.at(1, 0) == 3);

  CsvOptions blanks;
  blanks.delimiter = ' ';
  const Table c = parse_csv("  59 2\t32.1   101.0\n48  1 21.6 87.0  \n", blanks);
  CHECK(c.rows == 2);
  CHECK(c.cols == 4);
  CHECK(c.at(0, 2) == 32.1);
  CHECK(c.at(1, 3) == 87.0);
}

TEST_CASE("parse_csv errors name the source, line and column", "[data/csv]") {
  std::string m =
      error_of([] { parse_csv("1,2\n3,x7,5\n", {}, "train.csv"); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("train.csv:2:3:") && Contains("'x7'") && Contains("not a finite number"));

  m = error_of([] { parse_csv("1,2,3\n4,5,6\n7,8\n", {}, "t.csv"); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("t.csv:3:") && Contains("2 cells, expected 3") && Contains("line 1"));

  m = error_of([] { parse_csv("1,2\n3,4,5\n", {}, "t.csv"); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("t.csv:2:5:") && Contains("more than 2 cells"));

  m = error_of([] { parse_csv("1,,3\n"); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("<memory>:1:3:") && Contains("cell 2 is empty"));

  m = error_of([] { parse_csv("1,2,\n"); }, ErrorKind::invalid_argument);  // trailing delimiter
  CHECK_THAT(m, Contains("<memory>:1:5:") && Contains("cell 3 is empty"));

  m = error_of([] { parse_csv("\n  \n", {}, "empty.csv"); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("empty.csv") && Contains("no data rows"));
  CHECK_THROWS_AS(parse_csv(""), inlay::Error);

  CsvOptions header;
  header.skip_lines = 3;
  m = error_of([&] { parse_csv("1\n2\n", header, "short.csv"); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("short.csv") && Contains("no data rows"));

  // Not numbers in the C locale's sense: all refused.
  for (const char* cell : {"nan", "inf", "-inf", "0x10", "1,5", "1e999", "--1", "++1", "1 2"}) {
    INFO("cell " << cell);
    CHECK_THROWS_AS(parse_csv(std::string("0;") + cell + "\n",
                              [] {
                                CsvOptions o;
                                o.delimiter = ';';
                                return o;
                              }()),
                    inlay::Error);
  }
}

TEST_CASE("read_csv: missing files are io errors naming the path", "[data/csv]") {
  const std::string m = error_of([] { read_csv("/nonexistent/inlay/none.csv"); }, ErrorKind::io);
  CHECK_THAT(m, Contains("/nonexistent/inlay/none.csv"));
}

TEST_CASE("read_csv names the file in parse errors", "[data/csv]") {
  const std::string path = "inlay_csv_test_bad.csv";
  {
    std::ofstream out(path);
    out << "1,2\n3,4\n5,abc\n";
  }
  const std::string m = error_of([&] { read_csv(path); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains(path + ":3:3:"));
  std::remove(path.c_str());
}

TEST_CASE("Table: features, labels and columns", "[data/csv]") {
  const Table t = parse_csv("1,2,0\n3,4,1\n5,6,2\n");
  const inlay::Tensor x = t.features(0, 2);
  REQUIRE(x.dtype() == inlay::DType::f32);
  REQUIRE(x.shape() == inlay::Shape({3, 2}));
  const float* p = x.data<float>();
  for (int i = 0; i < 6; ++i) CHECK(p[i] == static_cast<float>(i + 1));
  CHECK(t.labels(2) == std::vector<std::int64_t>{0, 1, 2});
  CHECK(t.column(1) == std::vector<float>{2, 4, 6});
  CHECK_THROWS_AS(t.features(1, 1), inlay::Error);
  CHECK_THROWS_AS(t.features(0, 4), inlay::Error);
  CHECK_THROWS_AS(t.labels(3), inlay::Error);
  CHECK_THROWS_AS(t.column(3), inlay::Error);

  const Table bad = parse_csv("1,0\n2,1.5\n");
  const std::string m = error_of([&] { bad.labels(1); }, ErrorKind::invalid_argument);
  CHECK_THAT(m, Contains("row 1") && Contains("1.5") && Contains("not an integer"));
  const Table huge = parse_csv("1e300\n");
  CHECK_THROWS_AS(huge.labels(0), inlay::Error);
}

TEST_CASE("The examples' data sets read with the shapes data/README.md gives", "[data/csv]") {
  const std::string dir = INLAY_SOURCE_DIR "/examples/data/";
  const Table digits = read_csv(dir + "digits.csv");
  CHECK(digits.rows == 1797);
  CHECK(digits.cols == 65);
  std::vector<int> per_class(10, 0);
  for (std::int64_t label : digits.labels(64)) {
    REQUIRE(label >= 0);
    REQUIRE(label < 10);
    ++per_class[static_cast<std::size_t>(label)];
  }
  CHECK(per_class[0] == 178);  // digits has 174..183 images of each class
  CHECK(per_class[8] == 174);

  CsvOptions header;
  header.skip_lines = 1;
  const Table cancer = read_csv(dir + "breast_cancer.csv", header);
  CHECK(cancer.rows == 569);
  CHECK(cancer.cols == 31);
  std::int64_t benign = 0;
  for (std::int64_t label : cancer.labels(30)) benign += label;
  CHECK(benign == 357);
  CHECK(cancer.at(0, 0) == 17.99);

  const Table diabetes = read_csv(dir + "diabetes.csv");
  CHECK(diabetes.rows == 442);
  CHECK(diabetes.cols == 11);
  CHECK(diabetes.at(0, 0) == 59);
  CHECK(diabetes.at(0, 10) == 151);   // the first target
  CHECK(diabetes.at(441, 10) == 57);  // the last target
}
