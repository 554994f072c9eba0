// Text formatting shared by the commands: one-line messages, JSON strings, shapes, byte counts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <inlay/inlay.hpp>

namespace inlay_cli {

// `s` on one line: line breaks become "; " so that every message stays one line of output.
inline std::string one_line(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      while (i + 1 < s.size() && (s[i + 1] == '\r' || s[i + 1] == '\n')) ++i;
      if (i + 1 < s.size()) out += "; ";
    } else {
      out += s[i];
    }
  }
  return out;
}

// A JSON string literal (RFC 8259 escapes; other bytes pass through).
inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// A number with `digits` significant digits, as JSON and humans read it.
inline std::string number(double v, int digits = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// "f32[batch,100]": the dtype and the declared dimensions, symbolic ones by name, unknown ones
// as "?"; "f32[rank unknown]" when the model declares no shape.
inline std::string describe_type(const inlay::ValueDesc& v) {
  std::string s = inlay::dtype_name(v.dtype);
  if (!v.has_shape) return s + "[rank unknown]";
  s += "[";
  for (std::size_t i = 0; i < v.dims.size(); ++i) {
    if (i) s += ",";
    if (v.dims[i] >= 0) {
      s += std::to_string(v.dims[i]);
    } else {
      const std::string param = i < v.dim_params.size() ? v.dim_params[i] : std::string();
      s += param.empty() ? "?" : param;
    }
  }
  return s + "]";
}

inline std::string describe_type(const inlay::Tensor& t) {
  std::string s = std::string(inlay::dtype_name(t.dtype())) + "[";
  for (std::size_t i = 0; i < t.rank(); ++i) s += (i ? "," : "") + std::to_string(t.shape()[i]);
  return s + "]";
}

// "45.0 KiB" style: bytes in the largest binary unit that keeps the number >= 1.
inline std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

}  // namespace inlay_cli
