// Line charts as SVG text (no dependency): training curves, one line per series over x = 1..n.
#ifndef INLAY_PLOT_LINE_CHART_HPP
#define INLAY_PLOT_LINE_CHART_HPP

#include <string>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace plot {

struct Series {
  std::string name;
  std::vector<double> values;  // values[i] is drawn at x = i + 1 (epoch i + 1)
};

// A chart with a title, labelled axes with ticks, one coloured polyline per series and a legend.
// Non-finite values leave a gap in their line. Errors: invalid_argument for no series or no
// finite value, io when the file cannot be written (naming the path).
std::string line_chart_svg_text(const std::string& title, const std::string& x_label,
                                const std::string& y_label, const std::vector<Series>& series);
void save_line_chart_svg(const std::string& path, const std::string& title,
                         const std::string& x_label, const std::string& y_label,
                         const std::vector<Series>& series);

}  // namespace plot
INLAY_NAMESPACE_END

#endif  // INLAY_PLOT_LINE_CHART_HPP
