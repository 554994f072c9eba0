// Selecting rows of a tensor or elements of a vector by index (after a split or a shuffle), and
// one-hot encoding of labels.
#ifndef INLAY_DATA_ROWS_HPP
#define INLAY_DATA_ROWS_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

// A new tensor of rows.size() rows (dimension 0) of `x`, any dtype and rank >= 1.
Tensor take_rows(const Tensor& x, const std::vector<std::size_t>& rows);

template <class T>
std::vector<T> take(const std::vector<T>& v, const std::vector<std::size_t>& idx) {
  std::vector<T> out;
  out.reserve(idx.size());
  for (std::size_t i : idx) {
    if (i >= v.size()) {
      fail(ErrorKind::invalid_argument, "data::take: index " + std::to_string(i) +
                                            " out of range for " + std::to_string(v.size()) +
                                            " elements");
    }
    out.push_back(v[i]);
  }
  return out;
}

// f32 [labels.size(), classes]; a label outside [0, classes) is an error naming its position.
Tensor one_hot(const std::vector<std::int64_t>& labels, std::size_t classes);

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_ROWS_HPP
