// Numeric tables read from CSV text: every cell a number, every row the same number of cells.
// Errors (invalid_argument for bad text, io for files) name the source, line and column.
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
  std::vector<double> values;  // row-major, rows * cols

  double at(std::size_t r, std::size_t c) const;
  // Columns [first_col, last_col) as f32 [rows, last_col - first_col].
  Tensor features(std::size_t first_col, std::size_t last_col) const;
  // Column `col` as integer labels; a value that is not an integer is an error naming its row.
  std::vector<std::int64_t> labels(std::size_t col) const;
  // Column `col` as floats (regression targets).
  std::vector<float> column(std::size_t col) const;
};

struct CsvOptions {
  char delimiter = ',';        // ' ' means any run of blanks (spaces or tabs)
  std::size_t skip_lines = 0;  // header lines to skip before the data
};

// Blank lines are skipped; "\r\n" line ends are accepted. Cells may have blanks around them.
Table read_csv(const std::string& path, const CsvOptions& options = {});
Table parse_csv(std::string_view text, const CsvOptions& options = {},
                const std::string& source_name = "<memory>");

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_TABLE_HPP
