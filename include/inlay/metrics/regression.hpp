// Regression metrics: mean squared error, mean absolute error, coefficient of determination.
#ifndef INLAY_METRICS_REGRESSION_HPP
#define INLAY_METRICS_REGRESSION_HPP

#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace metrics {

// Sums are accumulated in double. Sizes must match and be non-zero.
double mse(const std::vector<float>& y_true, const std::vector<float>& y_pred);
double mae(const std::vector<float>& y_true, const std::vector<float>& y_pred);
// 1 - SS_res / SS_tot; when y_true is constant: 1 for a perfect prediction, else 0 (as
// scikit-learn's r2_score).
double r2(const std::vector<float>& y_true, const std::vector<float>& y_pred);

// f32 tensors of the same element count (any shape), compared element by element.
double mse(const Tensor& y_true, const Tensor& y_pred);
double mae(const Tensor& y_true, const Tensor& y_pred);
double r2(const Tensor& y_true, const Tensor& y_pred);

}  // namespace metrics
INLAY_NAMESPACE_END

#endif  // INLAY_METRICS_REGRESSION_HPP
