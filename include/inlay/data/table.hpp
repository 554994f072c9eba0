// Tables read from CSV text: numeric cells, and optionally a header row of column names, string
// (categorical) columns and missing cells kept as NaN. Errors (invalid_argument for bad text, io
// for files) name the source, line and column, or the unknown column names.
#ifndef INLAY_DATA_TABLE_HPP
#define INLAY_DATA_TABLE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

struct Table {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major, rows * cols; NaN for a missing cell
  // Column names from a header row; empty when the CSV had none.
  std::vector<std::string> names;
  // Per column: the categories of a categorical column (sorted), whose cells hold the category's
  // index; empty for a numeric column. Empty altogether when no column is categorical.
  std::vector<std::vector<std::string>> categories;

  double at(std::size_t r, std::size_t c) const;
  // Columns [first_col, last_col) as f32 [rows, last_col - first_col].
  Tensor features(std::size_t first_col, std::size_t last_col) const;
  // Column `col` as integer labels; a value that is not an integer is an error naming its row.
  std::vector<std::int64_t> labels(std::size_t col) const;
  // Column `col` as floats (regression targets).
  std::vector<float> column(std::size_t col) const;

  // By name (a header is needed): an unknown name is an error listing the known ones.
  std::size_t index(const std::string& name) const;
  std::vector<float> column(const std::string& name) const;
  std::vector<std::int64_t> labels(const std::string& name) const;
  // The named columns, in the order given, as f32 [rows, names.size()].
  Tensor features(const std::vector<std::string>& names) const;
  // Every column as f32 [rows, cols].
  Tensor features() const;
  // A table of the named columns in the order given, or of all columns but the named ones.
  Table select(const std::vector<std::string>& names) const;
  Table drop(const std::vector<std::string>& names) const;
  bool is_categorical(std::size_t col) const {
    return col < categories.size() && !categories[col].empty();
  }
};

struct CsvOptions {
  char delimiter = ',';        // ' ' means any run of blanks (spaces or tabs)
  std::size_t skip_lines = 0;  // lines to skip before the data (or before the header)
  // The first line after the skipped ones holds the column names (unique, not empty).
  bool header = false;
  // Empty cells and cells equal to one of na_values read as NaN instead of being an error.
  bool missing_as_nan = false;
  std::vector<std::string> na_values = {"NA", "N/A", "NaN", "nan", "null", "?"};
  // A column with a cell that is not a number (nor missing) is read as categories instead of
  // being an error; categorical_columns (names, needs a header) are read so even when numeric.
  bool categorical = false;
  std::vector<std::string> categorical_columns;
};

// Blank lines are skipped; "\r\n" line ends are accepted. Cells may have blanks around them.
// A cell in double quotes (RFC 4180) may hold the delimiter, line breaks and "" for one quote;
// the quotes are removed, and a quoted number is still a number.
Table read_csv(const std::string& path, const CsvOptions& options = {});
Table parse_csv(std::string_view text, const CsvOptions& options = {},
                const std::string& source_name = "<memory>");

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_TABLE_HPP
