// Feature scaling fitted on one set (the training split) and applied to others, column by column
// of an f32 [n, features] tensor. fit() refuses NaN (impute first: data/impute.hpp).
#ifndef INLAY_DATA_SCALERS_HPP
#define INLAY_DATA_SCALERS_HPP

#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

// (x - mean) / scale with scale the population standard deviation (as scikit-learn's
// StandardScaler); constant columns get scale 1.
class Standardizer {
 public:
  void fit(const Tensor& x);
  Tensor transform(const Tensor& x) const;  // a new tensor
  Tensor fit_transform(const Tensor& x);
  const std::vector<float>& mean() const noexcept { return mean_; }
  const std::vector<float>& scale() const noexcept { return scale_; }
  bool fitted() const noexcept { return !mean_.empty(); }
  // Restores fitted statistics (a loaded Pipeline); sizes must agree, scales be finite and > 0.
  void set(std::vector<float> mean, std::vector<float> scale);

 private:
  std::vector<float> mean_, scale_;
};

// (x - min) / (max - min): the fitted set maps to [0, 1]; constant columns map to 0.
class MinMaxScaler {
 public:
  void fit(const Tensor& x);
  Tensor transform(const Tensor& x) const;
  Tensor fit_transform(const Tensor& x);
  const std::vector<float>& min() const noexcept { return min_; }
  const std::vector<float>& max() const noexcept { return max_; }
  bool fitted() const noexcept { return !min_.empty(); }
  // Restores a fitted range (a loaded Pipeline); sizes must agree, min <= max, all finite.
  void set(std::vector<float> min, std::vector<float> max);

 private:
  std::vector<float> min_, max_;
};

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_SCALERS_HPP
