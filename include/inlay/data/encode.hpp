// One-hot encoding of categorical feature columns (category indices from a CSV's text columns, or
// any numeric codes) inside an f32 [n, features] tensor.
#ifndef INLAY_DATA_ENCODE_HPP
#define INLAY_DATA_ENCODE_HPP

#include <cstddef>
#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

// fit() records the distinct values (sorted, NaN left out) of each listed column; transform()
// replaces each listed column, where it stands, by one 0/1 column per category; the other
// columns pass through. A value not seen by fit(), or NaN, gives all zeros (scikit-learn's
// handle_unknown="ignore").
class OneHotEncoder {
 public:
  explicit OneHotEncoder(std::vector<std::size_t> columns = {}) : columns_(std::move(columns)) {}
  void fit(const Tensor& x);
  Tensor transform(const Tensor& x) const;
  Tensor fit_transform(const Tensor& x);
  const std::vector<std::size_t>& columns() const noexcept { return columns_; }
  // Per listed column, its categories.
  const std::vector<std::vector<float>>& categories() const noexcept { return categories_; }
  std::size_t input_width() const noexcept { return width_; }
  std::size_t output_width() const noexcept;
  bool fitted() const noexcept { return width_ != 0; }
  // Restores a fitted encoder (a loaded Pipeline).
  void set(std::size_t input_width, std::vector<std::vector<float>> categories);

 private:
  std::vector<std::size_t> columns_;
  std::vector<std::vector<float>> categories_;
  std::size_t width_ = 0;
};

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_ENCODE_HPP
