// A confusion matrix as an SVG heat map: one cell per (true, predicted) pair, shaded by its share
// of the true class's row, with the count written in it.
#ifndef INLAY_PLOT_CONFUSION_MATRIX_HPP
#define INLAY_PLOT_CONFUSION_MATRIX_HPP

#include <string>
#include <vector>

#include "inlay/metrics/classification.hpp"

INLAY_NAMESPACE_BEGIN
namespace plot {

// class_names: empty (the class indices are shown) or one name per class.
std::string confusion_matrix_svg_text(const metrics::ConfusionMatrix& m,
                                      const std::vector<std::string>& class_names = {});
void save_confusion_matrix_svg(const std::string& path, const metrics::ConfusionMatrix& m,
                               const std::vector<std::string>& class_names = {});

}  // namespace plot
INLAY_NAMESPACE_END

#endif  // INLAY_PLOT_CONFUSION_MATRIX_HPP
