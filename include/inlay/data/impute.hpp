// Filling missing values (NaN) column by column of an f32 [n, features] tensor with a value fitted
// on the training split (scikit-learn's SimpleImputer strategies).
#ifndef INLAY_DATA_IMPUTE_HPP
#define INLAY_DATA_IMPUTE_HPP

#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

enum class ImputeStrategy {
  mean,           // of the column's values (NaN left out)
  median,         // the middle value, or the mean of the two middle values
  most_frequent,  // the smallest of the most frequent values
  constant        // fill_value, whatever the data
};

const char* impute_strategy_name(ImputeStrategy s) noexcept;

class Imputer {
 public:
  explicit Imputer(ImputeStrategy strategy = ImputeStrategy::mean, float fill_value = 0.0f)
      : strategy_(strategy), fill_value_(fill_value) {}
  // A column with no value at all is an error (naming it) unless the strategy is constant.
  void fit(const Tensor& x);
  Tensor transform(const Tensor& x) const;  // a new tensor, NaN replaced by the column's fill
  Tensor fit_transform(const Tensor& x);
  ImputeStrategy strategy() const noexcept { return strategy_; }
  float fill_value() const noexcept { return fill_value_; }
  const std::vector<float>& fills() const noexcept { return fills_; }
  bool fitted() const noexcept { return !fills_.empty(); }
  // Restores fitted fills (a loaded Pipeline): finite values.
  void set(std::vector<float> fills);

 private:
  ImputeStrategy strategy_;
  float fill_value_;
  std::vector<float> fills_;
};

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_IMPUTE_HPP
