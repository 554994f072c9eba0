// Numbers as text and back, for Cast between STRING and the numeric types. Locale-independent
// where the standard library has floating-point std::to_chars / std::from_chars (a host's
// setlocale must not change what a model computes); older libraries fall back to snprintf and
// strtod, which read and write the C locale's decimal point. Implementation-only.
#ifndef INLAY_GRAPH_OPS_NUMBER_TEXT_HPP
#define INLAY_GRAPH_OPS_NUMBER_TEXT_HPP

#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// Writes the significant digits `digits` (no point) with decimal exponent `exponent` (the first
// digit's power of ten) the way NumPy's str() writes a float scalar, which is what ONNX's
// reference Cast produces: positional for 1e-4 <= |x| < 1e16 with at least one digit after
// the point ("1.0", "0.039187793"), else scientific with a two-digit exponent at least
// ("1e+16", "1.5e-07").
inline std::string place_digits(bool negative, std::string digits, int exponent) {
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string s = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      s += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      const auto whole = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= whole) {
        s += digits + std::string(whole - digits.size(), '0') + ".0";
      } else {
        s += digits.substr(0, whole) + "." + digits.substr(whole);
      }
    }
    return s;
  }
  s += digits.substr(0, 1);
  if (digits.size() > 1) s += "." + digits.substr(1);
  const int e = exponent < 0 ? -exponent : exponent;
  s += exponent < 0 ? "e-" : "e+";
  if (e < 10) s += "0";
  return s + std::to_string(e);
}

#ifndef INLAY_FLOAT_CHARCONV  // predefined as 0 to test the fallback
#if defined(__cpp_lib_to_chars) || (defined(__GLIBCXX__) && __GNUC__ >= 11)
#define INLAY_FLOAT_CHARCONV 1
#else
#define INLAY_FLOAT_CHARCONV 0
#endif
#endif

// v in scientific form with `precision` digits after the point ("d.ddde-XX") into buf.
inline const char* scientific_text(double v, int precision, char* buf, std::size_t size) {
#if INLAY_FLOAT_CHARCONV
  return std::to_chars(buf, buf + size, v, std::chars_format::scientific, precision).ptr;
#else
  const int n = std::snprintf(buf, size, "%.*e", precision, v);
  return buf + (n < 0 ? 0 : n);
#endif
}

// Reads the whole of `text` as a double (no sign check, no literals): false when it is not one;
// out of range sets `overflowed` and leaves `out` unset.
inline bool read_double(std::string_view text, double& out, bool& overflowed) {
  overflowed = false;
#if INLAY_FLOAT_CHARCONV
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  overflowed = r.ec == std::errc::result_out_of_range;
  return (r.ec == std::errc() || overflowed) && r.ptr == text.data() + text.size();
#else
  for (char c : text) {  // what from_chars would take: refuses hex, spaces, "infinity" ...
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return false;
    }
  }
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  out = std::strtod(copy.c_str(), &end);
  overflowed = errno == ERANGE && (std::isinf(out) || out == 0);
  return !copy.empty() && end == copy.c_str() + copy.size();
#endif
}

// Splits the scientific form "d.ddde-XX" into its digits and exponent.
inline std::string place_scientific(const char* begin, const char* end) {
  const std::string_view text(begin, static_cast<std::size_t>(end - begin));
  const bool negative = text.front() == '-';
  const std::size_t e = text.find('e');
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
    if (text[i] >= '0' && text[i] <= '9') digits += text[i];  // not the point (',' in some locales)
  }
  int exponent = 0;
  const char* p = text.data() + e + 1;
  if (*p == '+') ++p;
  std::from_chars(p, text.data() + text.size(), exponent);
  return place_digits(negative, digits, exponent);
}

// The shortest text that reads back as the same value of T (float, double, float16, bfloat16);
// "NaN", "INF", "-INF" for the special values, the literals Cast reads back.
template <class T>
std::string number_to_text(T value) {
  const double v = static_cast<double>(to_scalar(value));
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-INF" : "INF";
  char buf[64];
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
#if INLAY_FLOAT_CHARCONV
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value) {
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    return place_scientific(buf, r.ptr);
  }
#endif
  // The fewest digits that read back as the same value of T (17 always do for a double).
  for (int precision = 0;; ++precision) {
    const char* end = scientific_text(v, precision, buf, sizeof buf);
    double back = 0;
    bool overflowed = false;
    read_double(std::string_view(buf, static_cast<std::size_t>(end - buf)), back, overflowed);
    bool same;
    if constexpr (is_half_v<T>) {
      same = to_half<T>(static_cast<float>(back)).bits == value.bits;
    } else {
      same = static_cast<T>(back) == value;
    }
    if (same || precision >= 16) return place_scientific(buf, end);
  }
}

// The power of ten of the leading digit of a decimal number text (sign dropped, e.g. 2 for
// "123.4", -3 for "0.0012", 7 for "1.5e7"), to tell an overflow from an underflow.
inline long long decimal_magnitude(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  long long whole = 0, zeros_after_point = 0;
  bool point = false, nonzero = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    const char c = text[i];
    if (c == '.') {
      point = true;
    } else if (!point) {
      if (nonzero || c != '0') ++whole;
      nonzero = nonzero || c != '0';
    } else if (!nonzero) {
      if (c != '0') nonzero = true;
      else ++zeros_after_point;
    }
  }
  long long exponent = 0;
  if (i + 1 < text.size()) {
    const char* p = text.data() + i + 1;
    const char* end = text.data() + text.size();
    const bool negative = *p == '-';
    if (*p == '+' || *p == '-') ++p;
    if (std::from_chars(p, end, exponent).ec != std::errc()) exponent = 1LL << 40;
    if (negative) exponent = -exponent;
  }
  return (whole > 0 ? whole - 1 : -(zeros_after_point + 1)) + exponent;
}

// Reads `text` as a number: decimal or scientific ("3.14", "1E8", "-2"), or one of the ONNX
// literals "NaN", "INF", "+INF", "-INF" in any case. False when the whole text is not one.
inline bool text_to_number(std::string_view text, double& out) {
  const auto equals_ignoring_case = [&](std::string_view literal) {
    if (text.size() != literal.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != literal[i]) return false;
    }
    return true;
  };
  if (equals_ignoring_case("NAN")) {
    out = std::nan("");
    return true;
  }
  if (equals_ignoring_case("INF") || equals_ignoring_case("+INF")) {
    out = HUGE_VAL;
    return true;
  }
  if (equals_ignoring_case("-INF")) {
    out = -HUGE_VAL;
    return true;
  }
  std::string_view body = text;
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);  // from_chars has no '+'
  if (body.empty() || body.front() == '+' || (body.front() == '-' && text.front() == '+')) {
    return false;
  }
  bool overflowed = false;
  if (!read_double(body, out, overflowed)) return false;
  if (overflowed) {  // beyond a double: inf, or 0 below the smallest subnormal
    out = decimal_magnitude(body) > 0 ? HUGE_VAL : 0.0;
    if (body.front() == '-') out = -out;
  }
  return true;
}

// The string of an integer or bool element.
template <class T>
std::string integer_to_text(T value) {
  if constexpr (std::is_same<T, bool>::value) {
    return value ? "1" : "0";
  } else {
    return std::to_string(value);
  }
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_NUMBER_TEXT_HPP
