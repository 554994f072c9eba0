// Definitions behind inlay/data.hpp, compiled once in the implementation unit.
#ifndef INLAY_DATA_IMPLEMENTATION_HPP
#define INLAY_DATA_IMPLEMENTATION_HPP

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "inlay/data.hpp"
#include "inlay/data/impl/encode.hpp"
#include "inlay/data/impl/folds.hpp"
#include "inlay/data/impl/impute.hpp"
#include "inlay/data/impl/pipeline.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

// ---- Rng

std::uint64_t Rng::below(std::uint64_t n) noexcept {
  if (n == 0) return 0;
  // Values below `threshold` would make some remainders more likely: draw again.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = next();
    if (r >= threshold) return r % n;
  }
}

float Rng::normal() noexcept {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double u1 = 1.0 - uniform();  // (0, 1]: the logarithm stays finite
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 6.283185307179586476925 * u2;
  spare_normal_ = static_cast<float>(radius * std::sin(angle));
  has_spare_normal_ = true;
  return static_cast<float>(radius * std::cos(angle));
}

void Rng::shuffle(std::vector<std::size_t>& v) noexcept {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(below(i));
    std::swap(v[i - 1], v[j]);
  }
}

// ---- Table and CSV

double Table::at(std::size_t r, std::size_t c) const {
  if (r >= rows || c >= cols) {
    fail(ErrorKind::invalid_argument, "Table::at(" + std::to_string(r) + ", " + std::to_string(c) +
                                          ") outside a table of " + std::to_string(rows) + " x " +
                                          std::to_string(cols));
  }
  return values[r * cols + c];
}

Tensor Table::features(std::size_t first_col, std::size_t last_col) const {
  if (first_col >= last_col || last_col > cols) {
    fail(ErrorKind::invalid_argument, "Table::features: columns [" + std::to_string(first_col) +
                                          ", " + std::to_string(last_col) +
                                          ") are empty or outside a table of " +
                                          std::to_string(cols) + " columns");
  }
  const std::size_t width = last_col - first_col;
  Tensor t(DType::f32, Shape{static_cast<std::int64_t>(rows), static_cast<std::int64_t>(width)});
  float* out = t.data<float>();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < width; ++c) {
      out[r * width + c] = static_cast<float>(values[r * cols + first_col + c]);
    }
  }
  return t;
}

std::vector<std::int64_t> Table::labels(std::size_t col) const {
  if (col >= cols) {
    fail(ErrorKind::invalid_argument, "Table::labels: column " + std::to_string(col) +
                                          " outside a table of " + std::to_string(cols) +
                                          " columns");
  }
  std::vector<std::int64_t> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const double v = values[r * cols + col];
    // 2^63 bounds the int64 range; the comparison is exact in double.
    if (!(v == std::floor(v)) || !(std::fabs(v) < 9223372036854775808.0)) {
      std::ostringstream text;
      text << v;
      fail(ErrorKind::invalid_argument, "Table::labels: row " + std::to_string(r) + ", column " +
                                            std::to_string(col) + ": " + text.str() +
                                            " is not an integer label");
    }
    out[r] = static_cast<std::int64_t>(v);
  }
  return out;
}

std::vector<float> Table::column(std::size_t col) const {
  if (col >= cols) {
    fail(ErrorKind::invalid_argument, "Table::column: column " + std::to_string(col) +
                                          " outside a table of " + std::to_string(cols) +
                                          " columns");
  }
  std::vector<float> out(rows);
  for (std::size_t r = 0; r < rows; ++r) out[r] = static_cast<float>(values[r * cols + col]);
  return out;
}

namespace detail {

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The cell as a finite number, or false. Accepts what strtod accepts in the C locale except hex,
// infinities and NaN: an optional sign, digits, a decimal point, an exponent.
inline bool parse_number(std::string_view cell, double& out) {
  if (cell.empty()) return false;
  if (cell[0] == '+') cell.remove_prefix(1);  // from_chars refuses a plus sign
  if (cell.empty() || cell[0] == '+') return false;
  for (char c : cell) {  // only digits, signs, '.', 'e': refuses "inf", "nan", "0x1p3"
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return false;
    }
  }
#if defined(__cpp_lib_to_chars) || (defined(__GLIBCXX__) && __GNUC__ >= 11)
  const char* end = cell.data() + cell.size();
  const auto result = std::from_chars(cell.data(), end, out);
  if (result.ec == std::errc::result_out_of_range) return false;
  return result.ec == std::errc() && result.ptr == end && std::isfinite(out);
#else
  const std::string copy(cell);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(out);
#endif
}

[[noreturn]] inline void fail_csv(const std::string& source, std::size_t line, std::size_t column,
                                  const std::string& what) {
  std::string where = source + ":" + std::to_string(line);
  if (column) where += ":" + std::to_string(column);
  fail(ErrorKind::invalid_argument, where + ": " + what);
}

inline std::string quoted(std::string_view cell) {
  std::string s(cell.substr(0, 40));
  if (cell.size() > 40) s += "...";
  return "'" + s + "'";
}

}  // namespace detail

namespace detail {

struct CsvCell {
  std::string text;    // trimmed; a quoted cell without its quotes, "" read as "
  std::size_t column;  // 1-based character position, for messages
};
struct CsvRow {
  std::vector<CsvCell> cells;
  std::size_t line;
  std::size_t end_column;  // past the last character, for a row with too few cells
};

inline bool is_missing(std::string_view cell, const CsvOptions& options) {
  if (cell.empty()) return true;
  for (const std::string& na : options.na_values) {
    if (cell == na) return true;
  }
  return false;
}

// Splits the text into rows of trimmed cells (a ragged row is reported later, in the order of
// its cells' own errors). A cell that starts with a double quote runs to the matching quote, as
// RFC 4180 has it: delimiters and line breaks inside are text, and "" is one quote.
inline std::vector<CsvRow> split_csv(std::string_view text, const CsvOptions& options,
                                     const std::string& source, std::size_t& line_count) {
  const bool blank_separated = options.delimiter == ' ';
  auto is_separator = [&](char c) {
    return blank_separated ? is_blank(c) : c == options.delimiter;
  };
  std::vector<CsvRow> rows;
  std::size_t pos = 0, line_start = 0;
  line_count = 0;
  // Past the end of the current line ("\n" or the end of the text).
  auto next_line = [&] {
    const std::size_t end = text.find('\n', pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    line_start = pos;
    ++line_count;
  };
  while (line_count < options.skip_lines && pos < text.size()) next_line();
  while (pos < text.size()) {
    // A blank line (only blanks, maybe a '\r') is skipped.
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (std::all_of(text.begin() + static_cast<std::ptrdiff_t>(pos),
                    text.begin() + static_cast<std::ptrdiff_t>(end),
                    [](char c) { return is_blank(c) || c == '\r'; })) {
      next_line();
      continue;
    }
    CsvRow row;
    row.line = line_count + 1;
    auto at_line_end = [&](std::size_t i) {
      return i == text.size() || text[i] == '\n' ||
             (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] == '\n'));
    };
    std::size_t i = pos;
    for (;;) {
      if (blank_separated) {
        while (!at_line_end(i) && is_blank(text[i])) ++i;
        if (at_line_end(i)) break;
      }
      std::size_t a = i;
      while (!at_line_end(a) && is_blank(text[a])) ++a;
      CsvCell cell;
      if (!at_line_end(a) && text[a] == '"') {
        const std::size_t open_line = line_count + 1, open_column = a - line_start + 1;
        cell.column = open_column;
        std::size_t q = a + 1;
        for (;;) {
          if (q == text.size()) {
            fail_csv(source, open_line, open_column, "the quote opened here is never closed");
          }
          if (text[q] == '"') {
            if (q + 1 < text.size() && text[q + 1] == '"') {
              cell.text += '"';
              q += 2;
              continue;
            }
            ++q;
            break;
          }
          if (text[q] == '\n') {  // a line break inside the quotes is part of the cell
            ++line_count;
            line_start = q + 1;
          }
          cell.text += text[q++];
        }
        while (!at_line_end(q) && is_blank(text[q]) && !is_separator(text[q])) ++q;
        if (!at_line_end(q) && !is_separator(text[q])) {
          fail_csv(source, line_count + 1, q - line_start + 1,
                   "text after the closing quote of a cell (a quote inside a quoted cell is "
                   "written \"\")");
        }
        i = q;
      } else {
        std::size_t stop = i;
        while (!at_line_end(stop) && !is_separator(text[stop])) ++stop;
        std::size_t b = stop;
        while (b > a && is_blank(text[b - 1])) --b;
        cell.text = std::string(text.substr(a, b - a));
        cell.column = (a < b ? a : i) - line_start + 1;
        i = stop;
      }
      row.cells.push_back(std::move(cell));
      if (blank_separated) continue;
      if (at_line_end(i)) break;
      ++i;  // past the delimiter; a trailing delimiter leaves an empty last cell
    }
    std::size_t line_end = i;
    while (line_end < text.size() && text[line_end] != '\n') ++line_end;
    row.end_column = line_end - line_start + 1;
    if (line_end > line_start && text[line_end - 1] == '\r') --row.end_column;
    rows.push_back(std::move(row));
    pos = line_end;
    next_line();
  }
  return rows;
}

}  // namespace detail

Table parse_csv(std::string_view text, const CsvOptions& options, const std::string& source) {
  if (options.delimiter == '\n' || options.delimiter == '\r' || options.delimiter == '\t' ||
      options.delimiter == '\0') {
    fail(ErrorKind::invalid_argument,
         source + ": CSV delimiter must be a printable character or ' ' (any blanks)");
  }
  std::size_t line_count = 0;
  std::vector<detail::CsvRow> rows = detail::split_csv(text, options, source, line_count);
  Table table;
  std::size_t first = 0;  // the first data row
  if (options.header && !rows.empty()) {
    first = 1;
    for (const detail::CsvCell& cell : rows[0].cells) {
      if (cell.text.empty()) {
        detail::fail_csv(source, rows[0].line, cell.column,
                         "header cell " + std::to_string(table.names.size() + 1) +
                             " is empty: every column needs a name");
      }
      const std::string name(cell.text);
      if (std::find(table.names.begin(), table.names.end(), name) != table.names.end()) {
        detail::fail_csv(source, rows[0].line, cell.column,
                         "column name " + detail::quoted(name) + " appears twice in the header");
      }
      table.names.push_back(name);
    }
  }
  if (rows.size() <= first) {
    fail(ErrorKind::invalid_argument, source + ": no data rows (" + std::to_string(line_count) +
                                          " lines, " + std::to_string(options.skip_lines) +
                                          " skipped, " + (first ? "a header, " : "") +
                                          "the rest blank)");
  }
  table.cols = rows[0].cells.size();
  table.rows = rows.size() - first;

  // Which columns hold categories: those named, and (when asked) those with a non-number cell.
  std::vector<bool> categorical(table.cols, false);
  for (const std::string& name : options.categorical_columns) {
    if (table.names.empty()) {
      fail(ErrorKind::invalid_argument, source + ": categorical column '" + name +
                                            "' given by name but the CSV has no header "
                                            "(CsvOptions::header)");
    }
    categorical[table.index(name)] = true;
  }
  double scratch = 0;
  if (options.categorical) {
    for (std::size_t c = 0; c < table.cols; ++c) {
      for (std::size_t r = first; r < rows.size() && !categorical[c]; ++r) {
        if (c >= rows[r].cells.size()) continue;  // a ragged row, reported below
        const std::string_view cell = rows[r].cells[c].text;
        if (!(options.missing_as_nan && detail::is_missing(cell, options)) &&
            !detail::parse_number(cell, scratch)) {
          categorical[c] = true;
        }
      }
    }
  }
  // Categories sorted, so the indices do not depend on the order of the rows.
  if (std::find(categorical.begin(), categorical.end(), true) != categorical.end()) {
    table.categories.resize(table.cols);
    for (std::size_t c = 0; c < table.cols; ++c) {
      if (!categorical[c]) continue;
      std::vector<std::string>& cats = table.categories[c];
      for (std::size_t r = first; r < rows.size(); ++r) {
        if (c >= rows[r].cells.size()) continue;
        const std::string_view cell = rows[r].cells[c].text;
        if (!(options.missing_as_nan && detail::is_missing(cell, options))) {
          cats.emplace_back(cell);
        }
      }
      std::sort(cats.begin(), cats.end());
      cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
      if (cats.empty()) cats.push_back("");  // only missing cells: still a categorical column
    }
  }

  table.values.reserve(table.rows * table.cols);
  for (std::size_t r = first; r < rows.size(); ++r) {
    // Each cell's own error first, then the row's width (cells beyond it are read as numbers).
    for (std::size_t c = 0; c < rows[r].cells.size(); ++c) {
      const detail::CsvCell& cell = rows[r].cells[c];
      const bool extra = c >= table.cols;
      double value = 0;
      if (!extra && options.missing_as_nan && detail::is_missing(cell.text, options)) {
        value = std::nan("");
      } else if (!extra && categorical[c]) {
        const std::vector<std::string>& cats = table.categories[c];
        value = static_cast<double>(std::lower_bound(cats.begin(), cats.end(), cell.text) -
                                    cats.begin());
      } else if (cell.text.empty()) {
        detail::fail_csv(source, rows[r].line, cell.column,
                         "cell " + std::to_string(c + 1) + " is empty" +
                             (options.missing_as_nan ? ""
                                                     : " (CsvOptions::missing_as_nan reads "
                                                       "missing cells as NaN)"));
      } else if (!detail::parse_number(cell.text, value)) {
        std::string what = "cell " + std::to_string(c + 1);
        if (!extra && !table.names.empty()) what += " (column '" + table.names[c] + "')";
        detail::fail_csv(source, rows[r].line, cell.column,
                         what + " " + detail::quoted(cell.text) + " is not a finite number" +
                             (options.categorical ? ""
                                                  : " (CsvOptions::categorical reads text "
                                                    "columns as categories)"));
      }
      if (extra) {
        detail::fail_csv(source, rows[r].line, cell.column,
                         "row has more than " + std::to_string(table.cols) +
                             " cells (the first row, line " + std::to_string(rows[0].line) +
                             ", has " + std::to_string(table.cols) + ")");
      }
      table.values.push_back(value);
    }
    if (rows[r].cells.size() < table.cols) {
      detail::fail_csv(source, rows[r].line, rows[r].end_column,
                       "row has " + std::to_string(rows[r].cells.size()) + " cells, expected " +
                           std::to_string(table.cols) + " (as the first row, line " +
                           std::to_string(rows[0].line) + ")");
    }
  }
  return table;
}

Table read_csv(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::io, "cannot open CSV file '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(ErrorKind::io, "cannot read CSV file '" + path + "'");
  return parse_csv(buffer.str(), options, path);
}

// ---- Table columns by name

std::size_t Table::index(const std::string& name) const {
  if (names.empty()) {
    fail(ErrorKind::invalid_argument, "Table: column '" + name +
                                          "' asked by name, but the table has no header "
                                          "(CsvOptions::header)");
  }
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  std::string known;
  for (std::size_t c = 0; c < names.size() && c < 20; ++c)
    known += (c ? ", '" : "'") + names[c] + "'";
  if (names.size() > 20) known += ", ...";
  fail(ErrorKind::invalid_argument,
       "Table: no column named '" + name + "' (the columns are " + known + ")");
}

std::vector<float> Table::column(const std::string& name) const { return column(index(name)); }

std::vector<std::int64_t> Table::labels(const std::string& name) const {
  return labels(index(name));
}

Tensor Table::features(const std::vector<std::string>& wanted) const {
  return select(wanted).features();
}

Tensor Table::features() const {
  if (cols == 0) fail(ErrorKind::invalid_argument, "Table::features: the table has no columns");
  return features(0, cols);
}

Table Table::select(const std::vector<std::string>& wanted) const {
  std::vector<std::size_t> picked;
  for (const std::string& name : wanted) picked.push_back(index(name));
  Table out;
  out.rows = rows;
  out.cols = picked.size();
  out.values.reserve(rows * picked.size());
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c : picked) out.values.push_back(values[r * cols + c]);
  }
  for (std::size_t c : picked) out.names.push_back(names[c]);
  if (!categories.empty()) {
    for (std::size_t c : picked) out.categories.push_back(categories[c]);
  }
  return out;
}

Table Table::drop(const std::vector<std::string>& unwanted) const {
  std::vector<bool> dropped(cols, false);
  for (const std::string& name : unwanted) dropped[index(name)] = true;
  std::vector<std::string> kept;
  for (std::size_t c = 0; c < cols; ++c) {
    if (!dropped[c]) kept.push_back(names[c]);
  }
  return select(kept);
}

// ---- Scalers

namespace detail {

// Checks x is f32 [n >= 1, features]; returns n and features.
inline void matrix_shape(const Tensor& x, const char* who, std::size_t& n, std::size_t& features) {
  if (x.dtype() != DType::f32 || x.rank() != 2 || x.shape()[0] < 1) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": expected f32 [n >= 1, features], got " +
                                          dtype_name(x.dtype()) + " " + x.shape().to_string());
  }
  n = static_cast<std::size_t>(x.shape()[0]);
  features = static_cast<std::size_t>(x.shape()[1]);
}

// fit() statistics of a column with NaN would be NaN: name the first one.
inline void check_no_nan(const Tensor& x, const char* who) {
  const std::size_t f = static_cast<std::size_t>(x.shape()[1]);
  const float* p = x.data<float>();
  for (std::size_t i = 0; i < static_cast<std::size_t>(x.numel()); ++i) {
    if (std::isnan(p[i])) {
      fail(ErrorKind::invalid_argument, std::string(who) + ": NaN at row " + std::to_string(i / f) +
                                            ", column " + std::to_string(i % f) +
                                            " (fill missing values first: data::Imputer)");
    }
  }
}

inline void check_set(std::size_t a, std::size_t b, const std::vector<float>& x,
                      const std::vector<float>& y, bool ordered, const char* who) {
  if (a == 0 || a != b) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": " + std::to_string(a) + " and " +
                                          std::to_string(b) + " values, expected the same, > 0");
  }
  for (std::size_t c = 0; c < a; ++c) {
    if (!std::isfinite(x[c]) || !std::isfinite(y[c]) || (ordered ? x[c] > y[c] : y[c] <= 0)) {
      fail(ErrorKind::invalid_argument,
           std::string(who) + ": column " + std::to_string(c) + " has " + std::to_string(x[c]) +
               ", " + std::to_string(y[c]) +
               (ordered ? " (finite, min <= max expected)" : " (finite, scale > 0 expected)"));
    }
  }
}

inline void check_fitted(bool fitted, std::size_t expected, std::size_t features, const char* who) {
  if (!fitted) fail(ErrorKind::invalid_argument, std::string(who) + ": fit() was not called");
  if (features != expected) {
    fail(ErrorKind::shape_mismatch, std::string(who) + ": fitted on " + std::to_string(expected) +
                                        " features, given " + std::to_string(features));
  }
}

// out = (x - offset) / divisor, column by column.
inline Tensor affine_columns(const Tensor& x, const std::vector<float>& offset,
                             const std::vector<float>& divisor) {
  const std::size_t n = static_cast<std::size_t>(x.shape()[0]);
  const std::size_t f = offset.size();
  Tensor out(DType::f32, x.shape());
  const float* in = x.data<float>();
  float* o = out.data<float>();
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < f; ++c) o[r * f + c] = (in[r * f + c] - offset[c]) / divisor[c];
  }
  return out;
}

}  // namespace detail

void Standardizer::fit(const Tensor& x) {
  std::size_t n, f;
  detail::matrix_shape(x, "Standardizer::fit", n, f);
  detail::check_no_nan(x, "Standardizer::fit");
  const float* p = x.data<float>();
  std::vector<double> sum(f, 0.0), squares(f, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < f; ++c) sum[c] += p[r * f + c];
  }
  mean_.assign(f, 0.0f);
  scale_.assign(f, 1.0f);
  for (std::size_t c = 0; c < f; ++c) sum[c] /= static_cast<double>(n);
  // Two passes: the variance from squared deviations, which does not cancel catastrophically.
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < f; ++c) {
      const double d = p[r * f + c] - sum[c];
      squares[c] += d * d;
    }
  }
  for (std::size_t c = 0; c < f; ++c) {
    mean_[c] = static_cast<float>(sum[c]);
    const double sd = std::sqrt(squares[c] / static_cast<double>(n));
    // A constant column (up to rounding of its mean) keeps scale 1: it maps to 0, not to inf.
    scale_[c] = sd > 1e-12 * std::max(1.0, std::fabs(sum[c])) ? static_cast<float>(sd) : 1.0f;
  }
}

Tensor Standardizer::transform(const Tensor& x) const {
  std::size_t n, f;
  detail::matrix_shape(x, "Standardizer::transform", n, f);
  detail::check_fitted(fitted(), mean_.size(), f, "Standardizer::transform");
  return detail::affine_columns(x, mean_, scale_);
}

Tensor Standardizer::fit_transform(const Tensor& x) {
  fit(x);
  return transform(x);
}

void Standardizer::set(std::vector<float> mean, std::vector<float> scale) {
  detail::check_set(mean.size(), scale.size(), mean, scale, false, "Standardizer::set");
  mean_ = std::move(mean);
  scale_ = std::move(scale);
}

void MinMaxScaler::set(std::vector<float> min, std::vector<float> max) {
  detail::check_set(min.size(), max.size(), min, max, true, "MinMaxScaler::set");
  min_ = std::move(min);
  max_ = std::move(max);
}

void MinMaxScaler::fit(const Tensor& x) {
  std::size_t n, f;
  detail::matrix_shape(x, "MinMaxScaler::fit", n, f);
  detail::check_no_nan(x, "MinMaxScaler::fit");
  const float* p = x.data<float>();
  min_.assign(p, p + f);
  max_.assign(p, p + f);
  for (std::size_t r = 1; r < n; ++r) {
    for (std::size_t c = 0; c < f; ++c) {
      min_[c] = std::min(min_[c], p[r * f + c]);
      max_[c] = std::max(max_[c], p[r * f + c]);
    }
  }
}

Tensor MinMaxScaler::transform(const Tensor& x) const {
  std::size_t n, f;
  detail::matrix_shape(x, "MinMaxScaler::transform", n, f);
  detail::check_fitted(fitted(), min_.size(), f, "MinMaxScaler::transform");
  std::vector<float> range(f);
  for (std::size_t c = 0; c < f; ++c) range[c] = max_[c] > min_[c] ? max_[c] - min_[c] : 1.0f;
  return detail::affine_columns(x, min_, range);
}

Tensor MinMaxScaler::fit_transform(const Tensor& x) {
  fit(x);
  return transform(x);
}

// ---- Splits

namespace detail {

inline void check_fraction(double test_fraction, const char* who) {
  if (!(test_fraction >= 0.0 && test_fraction <= 1.0)) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": test_fraction must be in [0, 1], got " +
                                          std::to_string(test_fraction));
  }
}

inline std::size_t test_count(std::size_t n, double test_fraction) {
  return static_cast<std::size_t>(std::llround(static_cast<double>(n) * test_fraction));
}

}  // namespace detail

Split stratified_split(const std::vector<std::int64_t>& labels, double test_fraction,
                       std::uint64_t seed) {
  detail::check_fraction(test_fraction, "stratified_split");
  std::map<std::int64_t, std::vector<std::size_t>> by_class;  // ordered: the same on every run
  for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  Rng rng(seed);
  Split split;
  for (auto& entry : by_class) {
    std::vector<std::size_t>& rows = entry.second;
    const std::size_t n = rows.size();
    std::size_t k = detail::test_count(n, test_fraction);
    if (n >= 2 && test_fraction > 0.0 && test_fraction < 1.0)
      k = std::min(std::max<std::size_t>(k, 1), n - 1);
    rng.shuffle(rows);
    split.test.insert(split.test.end(), rows.begin(),
                      rows.begin() + static_cast<std::ptrdiff_t>(k));
    split.train.insert(split.train.end(), rows.begin() + static_cast<std::ptrdiff_t>(k),
                       rows.end());
  }
  rng.shuffle(split.train);  // interleave the classes
  rng.shuffle(split.test);
  return split;
}

Split random_split(std::size_t n, double test_fraction, std::uint64_t seed) {
  detail::check_fraction(test_fraction, "random_split");
  std::vector<std::size_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = i;
  Rng rng(seed);
  rng.shuffle(rows);
  const std::size_t k = detail::test_count(n, test_fraction);
  Split split;
  split.test.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(k));
  split.train.assign(rows.begin() + static_cast<std::ptrdiff_t>(k), rows.end());
  return split;
}

// ---- Rows

Tensor take_rows(const Tensor& x, const std::vector<std::size_t>& rows) {
  if (x.rank() < 1) fail(ErrorKind::invalid_argument, "take_rows of a scalar tensor");
  const std::size_t n = static_cast<std::size_t>(x.shape()[0]);
  Shape shape = x.shape();
  shape.set_dim(0, static_cast<std::int64_t>(rows.size()));
  Tensor out(x.dtype(), shape);
  const std::size_t row_bytes = n ? x.nbytes() / n : 0;
  const auto* in = static_cast<const unsigned char*>(x.raw_data());
  auto* o = static_cast<unsigned char*>(const_cast<void*>(out.raw_data()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= n) {
      fail(ErrorKind::invalid_argument, "take_rows: row " + std::to_string(rows[i]) + " (index " +
                                            std::to_string(i) + ") outside a tensor of shape " +
                                            x.shape().to_string());
    }
    if (row_bytes) std::memcpy(o + i * row_bytes, in + rows[i] * row_bytes, row_bytes);
  }
  return out;
}

Tensor one_hot(const std::vector<std::int64_t>& labels, std::size_t classes) {
  Tensor out(DType::f32,
             Shape{static_cast<std::int64_t>(labels.size()), static_cast<std::int64_t>(classes)});
  float* o = out.data<float>();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || static_cast<std::uint64_t>(labels[i]) >= classes) {
      fail(ErrorKind::invalid_argument, "one_hot: label " + std::to_string(labels[i]) +
                                            " at position " + std::to_string(i) + " outside [0, " +
                                            std::to_string(classes) + ")");
    }
    o[i * classes + static_cast<std::size_t>(labels[i])] = 1.0f;
  }
  return out;
}

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_IMPLEMENTATION_HPP
