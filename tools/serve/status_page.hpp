// The status page at "/": one self-contained HTML page (inline SVG, no scripts or external
// assets) with each model's throughput and mean latency over the last five minutes.
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "metrics.hpp"

namespace inlay_serve {

inline std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A line chart of `values` (one per second) in a 600 x 160 SVG, titled, with its maximum.
inline std::string svg_chart(const std::string& title, const std::vector<double>& values,
                             const char* unit) {
  const double w = 600, h = 160, top = 24, bottom = 20;
  const double peak = std::max(1e-12, *std::max_element(values.begin(), values.end()));
  std::string points;
  char buf[96];
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double x = w * static_cast<double>(i) / static_cast<double>(values.size() - 1);
    const double y = h - bottom - (h - top - bottom) * values[i] / peak;
    std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x, y);
    points += buf;
  }
  std::snprintf(buf, sizeof buf, "max %.4g %s", *std::max_element(values.begin(), values.end()),
                unit);
  return "<svg class=\"chart\" width=\"600\" height=\"160\" viewBox=\"0 0 600 160\" "
         "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" +
         html_escape(title) +
         "\"><rect width=\"600\" height=\"160\" fill=\"#f7f7f7\"/>"
         "<text x=\"6\" y=\"16\" font-size=\"13\">" +
         html_escape(title) + "</text><text x=\"594\" y=\"16\" font-size=\"12\" " +
         "text-anchor=\"end\">" + buf +
         "</text><line x1=\"0\" y1=\"140\" x2=\"600\" y2=\"140\" stroke=\"#999\"/>"
         "<text x=\"6\" y=\"156\" font-size=\"11\">-5 min</text>"
         "<text x=\"594\" y=\"156\" font-size=\"11\" text-anchor=\"end\">now</text>"
         "<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"" +
         points + "\"/></svg>\n";
}

inline std::string status_page(const Metrics& metrics, const std::vector<std::string>& loaded) {
  std::string html =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>inlay-serve</title>"
      "<style>body{font-family:sans-serif;margin:2em}h2{margin-bottom:.2em}"
      "svg{display:block;margin:.3em 0}</style></head><body><h1>inlay-serve</h1>\n<p>Models "
      "loaded: ";
  for (std::size_t i = 0; i < loaded.size(); ++i) html += (i ? ", " : "") + html_escape(loaded[i]);
  if (loaded.empty()) html += "none";
  html += ". Metrics: <a href=\"/metrics\">/metrics</a>.</p>\n";
  for (const auto& m : metrics.timelines()) {
    std::vector<double> rate, latency;
    for (const Metrics::Second& s : m.second) {
      rate.push_back(static_cast<double>(s.requests));
      latency.push_back(s.requests ? 1000 * s.latency_sum / static_cast<double>(s.requests) : 0);
    }
    html += "<h2>" + html_escape(m.first) + "</h2>\n" +
            svg_chart(m.first + ": requests per second", rate, "req/s") +
            svg_chart(m.first + ": mean latency", latency, "ms");
  }
  return html + "</body></html>\n";
}

}  // namespace inlay_serve
