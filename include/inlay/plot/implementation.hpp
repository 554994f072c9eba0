// Definitions behind inlay/plot.hpp: SVG 1.1 text written directly (no dependency).
#ifndef INLAY_PLOT_IMPLEMENTATION_HPP
#define INLAY_PLOT_IMPLEMENTATION_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "inlay/plot.hpp"

INLAY_NAMESPACE_BEGIN
namespace plot {
namespace detail {

// Text for XML content and attribute values.
inline std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed in XML 1.0: dropped.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

inline std::string num(double v) {  // coordinates
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

inline std::string tick_label(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", std::fabs(v) < 1e-12 ? 0.0 : v);
  return b;
}

// A step of 1, 2 or 5 times a power of ten, near range / target_count (Heckbert, "Nice numbers
// for graph labels", Graphics Gems 1990).
inline double nice_step(double range, double target_count) {
  const double rough = range / target_count;
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  const double f = rough / power;
  const double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * power;
}

inline std::string text(double x, double y, const std::string& s, const char* anchor, int size = 12,
                        const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor +
         "\" font-size=\"" + std::to_string(size) + "\"" + extra + ">" + xml_escape(s) +
         "</text>\n";
}

inline std::string svg_begin(double width, double height) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
         num(width) + "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " +
         num(height) +
         "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

inline void save_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorKind::io, "cannot create SVG file '" + path + "'");
  out << text;
  out.close();
  if (!out) fail(ErrorKind::io, "cannot write SVG file '" + path + "'");
}

}  // namespace detail

std::string line_chart_svg_text(const std::string& title, const std::string& x_label,
                                const std::string& y_label, const std::vector<Series>& series) {
  if (series.empty()) fail(ErrorKind::invalid_argument, "line chart '" + title + "' has no series");
  std::size_t points = 0;
  double lo = INFINITY, hi = -INFINITY;
  for (const Series& s : series) {
    points = std::max(points, s.values.size());
    for (double v : s.values) {
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (!(lo <= hi)) {
    fail(ErrorKind::invalid_argument, "line chart '" + title + "' has no finite value to draw");
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {  // a flat line: give it some room
    const double pad = std::max(1e-3, std::fabs(hi) * 0.1);
    lo -= pad;
    hi += pad;
  }
  const double y_step = detail::nice_step(hi - lo, 5);
  const double y_lo = std::floor(lo / y_step) * y_step, y_hi = std::ceil(hi / y_step) * y_step;
  const double x_lo = 1, x_hi = std::max<double>(2, static_cast<double>(points));
  const double x_step = std::max(1.0, detail::nice_step(x_hi - x_lo, 8));

  const double width = 720, height = 420;
  const double left = 80, right = 190, top = 44, bottom = 56;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  auto px = [&](double x) { return left + (x - x_lo) / (x_hi - x_lo) * plot_w; };
  auto py = [&](double y) { return top + (y_hi - y) / (y_hi - y_lo) * plot_h; };

  static const char* const colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
  std::string svg = detail::svg_begin(width, height);
  svg += detail::text(left + plot_w / 2, 26, title, "middle", 16, " font-weight=\"bold\"");
  // Grid lines and ticks (tick values computed from their index, so that steps do not drift).
  const int y_ticks = static_cast<int>(std::lround((y_hi - y_lo) / y_step));
  svg += "<g class=\"y-ticks\" stroke=\"#dddddd\">\n";
  for (int i = 0; i <= y_ticks; ++i) {
    const double y = py(y_lo + y_step * i);
    svg += "<line x1=\"" + detail::num(left) + "\" y1=\"" + detail::num(y) + "\" x2=\"" +
           detail::num(left + plot_w) + "\" y2=\"" + detail::num(y) + "\"/>\n";
  }
  svg += "</g>\n<g class=\"y-tick-labels\">\n";
  for (int i = 0; i <= y_ticks; ++i) {
    const double y = y_lo + y_step * i;
    svg += detail::text(left - 8, py(y) + 4, detail::tick_label(y), "end", 11);
  }
  // x ticks at epoch 1 and at the multiples of the step.
  std::vector<double> x_ticks{x_lo};
  for (double k = 1; k * x_step <= x_hi + 1e-9; ++k) {
    if (k * x_step > x_lo) x_ticks.push_back(k * x_step);
  }
  svg += "</g>\n<g class=\"x-tick-labels\">\n";
  for (double x : x_ticks) {
    svg += "<line x1=\"" + detail::num(px(x)) + "\" y1=\"" + detail::num(top + plot_h) +
           "\" x2=\"" + detail::num(px(x)) + "\" y2=\"" + detail::num(top + plot_h + 5) +
           "\" stroke=\"black\"/>\n";
    svg += detail::text(px(x), top + plot_h + 18, detail::tick_label(x), "middle", 11);
  }
  svg += "</g>\n";
  // Axes and their labels.
  svg += "<polyline class=\"axes\" fill=\"none\" stroke=\"black\" points=\"" + detail::num(left) +
         "," + detail::num(top) + " " + detail::num(left) + "," + detail::num(top + plot_h) + " " +
         detail::num(left + plot_w) + "," + detail::num(top + plot_h) + "\"/>\n";
  svg += detail::text(left + plot_w / 2, height - 12, x_label, "middle", 13);
  svg += detail::text(20, top + plot_h / 2, y_label, "middle", 13,
                      " transform=\"rotate(-90 20 " + detail::num(top + plot_h / 2) + ")\"");
  // One polyline per run of finite values of each series.
  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* color = colors[i % (sizeof colors / sizeof colors[0])];
    svg += "<g class=\"series\" stroke=\"" + std::string(color) +
           "\" fill=\"none\" stroke-width=\"2\">\n";
    svg += "<title>" + detail::xml_escape(series[i].name) + "</title>\n";
    std::string points_text;
    std::size_t run = 0;
    auto flush = [&] {
      if (run == 1) {  // a lone point: a dot, since a one-point polyline draws nothing
        const std::size_t comma = points_text.find(',');
        svg += "<circle cx=\"" + points_text.substr(0, comma) + "\" cy=\"" +
               points_text.substr(comma + 1) + "\" r=\"2.5\" fill=\"" + color + "\"/>\n";
      } else if (run > 1) {
        svg += "<polyline points=\"" + points_text + "\"/>\n";
      }
      points_text.clear();
      run = 0;
    };
    for (std::size_t j = 0; j < series[i].values.size(); ++j) {
      const double v = series[i].values[j];
      if (!std::isfinite(v)) {
        flush();
        continue;
      }
      if (run) points_text += " ";
      points_text += detail::num(px(static_cast<double>(j + 1))) + "," + detail::num(py(v));
      ++run;
    }
    flush();
    svg += "</g>\n";
  }
  // Legend.
  svg += "<g class=\"legend\">\n";
  const double legend_x = left + plot_w + 20;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* color = colors[i % (sizeof colors / sizeof colors[0])];
    const double y = top + 10 + 20 * static_cast<double>(i);
    svg += "<line x1=\"" + detail::num(legend_x) + "\" y1=\"" + detail::num(y) + "\" x2=\"" +
           detail::num(legend_x + 24) + "\" y2=\"" + detail::num(y) + "\" stroke=\"" + color +
           "\" stroke-width=\"2\"/>\n";
    svg += detail::text(legend_x + 30, y + 4, series[i].name, "start", 12);
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

void save_line_chart_svg(const std::string& path, const std::string& title,
                         const std::string& x_label, const std::string& y_label,
                         const std::vector<Series>& series) {
  detail::save_text(path, line_chart_svg_text(title, x_label, y_label, series));
}

std::string confusion_matrix_svg_text(const metrics::ConfusionMatrix& m,
                                      const std::vector<std::string>& class_names) {
  const std::size_t k = m.classes;
  if (k == 0 || m.counts.size() != k * k) {
    fail(ErrorKind::invalid_argument, "confusion matrix picture: " + std::to_string(k) +
                                          " classes and " + std::to_string(m.counts.size()) +
                                          " counts");
  }
  if (!class_names.empty() && class_names.size() != k) {
    fail(ErrorKind::invalid_argument,
         "confusion matrix picture: " + std::to_string(class_names.size()) + " names for " +
             std::to_string(k) + " classes");
  }
  auto name = [&](std::size_t c) {
    return class_names.empty() ? std::to_string(c) : class_names[c];
  };
  const double cell = 40, left = 110, top = 70, right = 20, bottom = 50;
  const double side = cell * static_cast<double>(k);
  const double width = left + side + right, height = top + side + bottom;
  std::string svg = detail::svg_begin(width, height);
  svg +=
      detail::text(left + side / 2, 24, "Confusion matrix", "middle", 16, " font-weight=\"bold\"");
  svg += detail::text(left + side / 2, 46, "predicted class", "middle", 13);
  svg += detail::text(18, top + side / 2, "true class", "middle", 13,
                      " transform=\"rotate(-90 18 " + detail::num(top + side / 2) + ")\"");
  svg += "<g class=\"cells\">\n";
  for (std::size_t t = 0; t < k; ++t) {
    std::int64_t row_total = 0;
    for (std::size_t p = 0; p < k; ++p) row_total += m.counts[t * k + p];
    for (std::size_t p = 0; p < k; ++p) {
      const std::int64_t count = m.counts[t * k + p];
      // Shade by the share of the true class's row: white (0) to dark blue (1).
      const double share =
          row_total > 0 ? static_cast<double>(count) / static_cast<double>(row_total) : 0.0;
      const int r = static_cast<int>(std::lround(255 - share * (255 - 8)));
      const int g = static_cast<int>(std::lround(255 - share * (255 - 48)));
      const int b = static_cast<int>(std::lround(255 - share * (255 - 107)));
      const double x = left + cell * static_cast<double>(p),
                   y = top + cell * static_cast<double>(t);
      svg += "<rect x=\"" + detail::num(x) + "\" y=\"" + detail::num(y) + "\" width=\"" +
             detail::num(cell) + "\" height=\"" + detail::num(cell) + "\" fill=\"rgb(" +
             std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) +
             ")\" stroke=\"#cccccc\"><title>true " + detail::xml_escape(name(t)) + ", predicted " +
             detail::xml_escape(name(p)) + ": " + std::to_string(count) + "</title></rect>\n";
      svg += detail::text(x + cell / 2, y + cell / 2 + 4, std::to_string(count), "middle", 12,
                          share > 0.5 ? " fill=\"white\"" : " fill=\"black\"");
    }
  }
  svg += "</g>\n<g class=\"labels\">\n";
  for (std::size_t c = 0; c < k; ++c) {
    const double mid = cell * static_cast<double>(c) + cell / 2;
    svg += detail::text(left + mid, top - 8, name(c), "middle", 11);
    svg += detail::text(left - 8, top + mid + 4, name(c), "end", 11);
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

void save_confusion_matrix_svg(const std::string& path, const metrics::ConfusionMatrix& m,
                               const std::vector<std::string>& class_names) {
  detail::save_text(path, confusion_matrix_svg_text(m, class_names));
}

}  // namespace plot
INLAY_NAMESPACE_END

#endif  // INLAY_PLOT_IMPLEMENTATION_HPP
