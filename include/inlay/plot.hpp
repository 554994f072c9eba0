// inlay::plot: pictures as SVG text, with no dependency.
#ifndef INLAY_PLOT_HPP
#define INLAY_PLOT_HPP

#include "inlay/plot/line_chart.hpp"
#include "inlay/plot/confusion_matrix.hpp"

#endif  // INLAY_PLOT_HPP
