// CSV with a header: columns by name, selecting and dropping columns, categorical (text) columns,
// missing cells as NaN, and the errors that name the line, the column or the unknown name.
#include <cmath>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

namespace data = inlay::data;
using Catch::Matchers::Contains;

namespace {

std::string error_of(const std::string& text, const data::CsvOptions& options) {
  try {
    data::parse_csv(text, options, "t.csv");
  } catch (const inlay::Error& e) { return e.what(); }
  return "(no error)";
}

data::CsvOptions with_header() {
  data::CsvOptions o;
  o.header = true;
  return o;
}

}  // namespace

TEST_CASE("CSV header: columns by name, select and drop", "[data/csv_header]") {
  const data::Table t = data::parse_csv("age, height ,label\n30,1.8,1\n41,1.6,0\n", with_header());
  REQUIRE(t.rows == 2);
  REQUIRE(t.cols == 3);
  CHECK(t.names == std::vector<std::string>{"age", "height", "label"});
  CHECK(t.index("height") == 1);
  CHECK(t.column("age") == std::vector<float>{30, 41});
  CHECK(t.labels("label") == std::vector<std::int64_t>{1, 0});
  CHECK_FALSE(t.is_categorical(0));

  const inlay::Tensor f = t.features({"height", "age"});
  REQUIRE(f.shape() == inlay::Shape({2, 2}));
  CHECK(f.data<float>()[0] == 1.8f);
  CHECK(f.data<float>()[1] == 30.0f);
  CHECK(f.data<float>()[3] == 41.0f);
  CHECK(t.features().shape() == inlay::Shape({2, 3}));

  const data::Table kept = t.drop({"label"});
  CHECK(kept.names == std::vector<std::string>{"age", "height"});
  CHECK(kept.values == std::vector<double>{30, 1.8, 41, 1.6});
  const data::Table picked = t.select({"label", "age"});
  CHECK(picked.names == std::vector<std::string>{"label", "age"});
  CHECK(picked.values == std::vector<double>{1, 30, 0, 41});

  // Unknown names are errors that list the columns there are.
  CHECK_THROWS_WITH(t.column("weight"),
                    Contains("no column named 'weight'") && Contains("'age', 'height', 'label'"));
  CHECK_THROWS_WITH(t.drop({"label", "Age"}), Contains("'Age'"));
  // Without a header, names are refused with a hint.
  const data::Table plain = data::parse_csv("1,2\n3,4\n");
  CHECK(plain.names.empty());
  CHECK_THROWS_WITH(plain.column("a"), Contains("no header") && Contains("CsvOptions::header"));
  // The header line comes after the skipped lines.
  data::CsvOptions o = with_header();
  o.skip_lines = 1;
  CHECK(data::parse_csv("# comment\nx,y\n1,2\n", o).names == std::vector<std::string>{"x", "y"});
}

TEST_CASE("CSV header errors name the line and the column", "[data/csv_header]") {
  CHECK_THAT(error_of("a,,c\n1,2,3\n", with_header()),
             Contains("t.csv:1:3:") && Contains("header cell 2 is empty"));
  CHECK_THAT(error_of("a,b,a\n1,2,3\n", with_header()),
             Contains("t.csv:1:5:") && Contains("'a' appears twice"));
  CHECK_THAT(error_of("a,b\n", with_header()), Contains("no data rows") && Contains("a header"));
  CHECK_THAT(error_of("a,b\n1,2,3\n", with_header()),
             Contains("t.csv:2:5:") && Contains("more than 2"));
  // A bad number names its column.
  CHECK_THAT(error_of("a,b\n1,x\n", with_header()), Contains("t.csv:2:3:") &&
                                                        Contains("column 'b'") && Contains("'x'") &&
                                                        Contains("CsvOptions::categorical"));
  data::CsvOptions o;
  o.categorical_columns = {"a"};
  CHECK_THAT(error_of("1,2\n", o), Contains("'a'") && Contains("no header"));
  o = with_header();
  o.categorical_columns = {"colour"};
  CHECK_THAT(error_of("a,b\n1,2\n", o), Contains("no column named 'colour'"));
}

TEST_CASE("CSV missing cells are NaN when asked", "[data/csv_header]") {
  const std::string text = "a,b,c\n1,,3\nNA,5,?\n7,8,9\n";
  CHECK_THAT(error_of(text, with_header()), Contains("t.csv:2:3:") && Contains("cell 2 is empty") &&
                                                Contains("CsvOptions::missing_as_nan"));
  data::CsvOptions o = with_header();
  o.missing_as_nan = true;
  const data::Table t = data::parse_csv(text, o);
  REQUIRE(t.values.size() == 9);
  CHECK(t.values[0] == 1);
  CHECK(std::isnan(t.values[1]));
  CHECK(std::isnan(t.values[3]));
  CHECK(t.values[4] == 5);
  CHECK(std::isnan(t.values[5]));
  CHECK(t.values[8] == 9);
  // Other markers: only the ones listed.
  o.na_values = {"-"};
  CHECK_THAT(error_of("a\n-\nNA\n", o), Contains("t.csv:3:1:") && Contains("'NA'"));
  const data::Table dash = data::parse_csv("a\n-\n2\n", o);
  CHECK(std::isnan(dash.values[0]));
  // A NaN label is not an integer label.
  CHECK_THROWS_WITH(t.labels("a"), Contains("row 1") && Contains("not an integer"));
}

TEST_CASE("CSV text columns read as sorted categories", "[data/csv_header]") {
  const std::string text = "colour,size,zip\nred,1,0100\nblue,2,0200\nred,3,0100\ngreen,,0300\n";
  data::CsvOptions o = with_header();
  o.categorical = true;
  o.missing_as_nan = true;
  o.categorical_columns = {"zip"};  // numeric text that is a category, not a number
  const data::Table t = data::parse_csv(text, o);
  REQUIRE(t.categories.size() == 3);
  CHECK(t.is_categorical(0));
  CHECK_FALSE(t.is_categorical(1));
  CHECK(t.is_categorical(2));
  CHECK(t.categories[0] == std::vector<std::string>{"blue", "green", "red"});
  CHECK(t.categories[2] == std::vector<std::string>{"0100", "0200", "0300"});
  CHECK(t.column("colour") == std::vector<float>{2, 0, 2, 1});
  CHECK(t.labels("zip") == std::vector<std::int64_t>{0, 1, 0, 2});
  CHECK(std::isnan(t.values[10]));
  // select keeps each column's categories.
  const data::Table s = t.select({"zip", "size"});
  REQUIRE(s.categories.size() == 2);
  CHECK(s.categories[0] == t.categories[2]);
  CHECK(s.categories[1].empty());
  // A missing categorical cell is NaN, not a category.
  data::CsvOptions m = o;
  m.categorical_columns.clear();
  const data::Table gaps = data::parse_csv("c\nx\nNA\ny\n", m);
  CHECK(gaps.categories[0] == std::vector<std::string>{"x", "y"});
  CHECK(std::isnan(gaps.values[1]));
  // Without missing_as_nan, "NA" is a category like any text.
  m.missing_as_nan = false;
  CHECK(data::parse_csv("c\nx\nNA\n", m).categories[0] == std::vector<std::string>{"NA", "x"});
}

TEST_CASE("CSV quoted cells (RFC 4180): delimiters, quotes and line breaks inside",
          "[data/csv_header]") {
  const std::string text =
      "\"name, full\",\"age\",note\n"
      "\"Smith, John\", 42 ,\"said \"\"hi\"\"\"\n"
      "\"Lee\nAnn\",\"7.5\",\"\"\n"
      "plain,1,  \"padded\"  \r\n";
  data::CsvOptions o = with_header();
  o.categorical = true;
  o.missing_as_nan = true;
  const data::Table t = data::parse_csv(text, o);
  CHECK(t.names == std::vector<std::string>{"name, full", "age", "note"});
  REQUIRE(t.rows == 3);
  CHECK(t.categories[0] == std::vector<std::string>{"Lee\nAnn", "Smith, John", "plain"});
  CHECK(t.column("age") == std::vector<float>{42, 7.5f, 1});  // a quoted number is a number
  CHECK(t.categories[2] == std::vector<std::string>{"padded", "said \"hi\""});
  CHECK(std::isnan(t.values[5]));  // "" is an empty, so missing, cell
  // Errors name the line and column: the quoted line break counts as a line.
  CHECK_THAT(error_of("a,b\n\"x\ny\",2\n3,4,5\n", o),
             Contains("t.csv:4:5:") && Contains("more than 2 cells"));
  CHECK_THAT(error_of("a,b\n1,\"open\n2,3\n", o),
             Contains("t.csv:2:3:") && Contains("never closed"));
  CHECK_THAT(error_of("a,b\n1,\"x\"y\n", o),
             Contains("t.csv:2:6:") && Contains("after the closing quote"));
  // Runs of blanks as the delimiter take quoted cells too.
  data::CsvOptions blanks;
  blanks.delimiter = ' ';
  blanks.categorical = true;
  const data::Table b = data::parse_csv("\"a b\"  1\n\"c\"\t2\n", blanks);
  CHECK(b.categories[0] == std::vector<std::string>{"a b", "c"});
  CHECK(b.column(1) == std::vector<float>{1, 2});
}
