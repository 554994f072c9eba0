// inlay::Shape: the dimensions of a tensor, stored inline (no heap) so that shapes can be built
// on the hot path without allocating.
#ifndef INLAY_CORE_SHAPE_HPP
#define INLAY_CORE_SHAPE_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "inlay/core/error.hpp"

INLAY_NAMESPACE_BEGIN

class Shape {
 public:
  static constexpr std::size_t max_rank = 8;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) { assign(dims.begin(), dims.size()); }
  Shape(const std::int64_t* dims, std::size_t rank) { assign(dims, rank); }

  std::size_t rank() const noexcept { return rank_; }
  std::int64_t operator[](std::size_t i) const noexcept { return dims_[i]; }
  std::int64_t dim(std::size_t i) const {
    if (i >= rank_) {
      fail(ErrorKind::invalid_argument,
           "dimension " + std::to_string(i) + " of a shape of rank " + std::to_string(rank_));
    }
    return dims_[i];
  }
  void set_dim(std::size_t i, std::int64_t value) {
    check_dim(value, i);
    dim(i);
    dims_[i] = value;
  }
  const std::int64_t* begin() const noexcept { return dims_; }
  const std::int64_t* end() const noexcept { return dims_ + rank_; }
  const std::int64_t* data() const noexcept { return dims_; }

  // Number of elements (1 for a scalar of rank 0). Overflow is rejected when the shape is built.
  std::int64_t numel() const noexcept {
    std::int64_t n = 1;
    for (std::size_t i = 0; i < rank_; ++i) n *= dims_[i];
    return n;
  }

  friend bool operator==(const Shape& a, const Shape& b) noexcept {
    if (a.rank_ != b.rank_) return false;
    for (std::size_t i = 0; i < a.rank_; ++i) {
      if (a.dims_[i] != b.dims_[i]) return false;
    }
    return true;
  }
  friend bool operator!=(const Shape& a, const Shape& b) noexcept { return !(a == b); }

  std::string to_string() const {
    std::string s = "[";
    for (std::size_t i = 0; i < rank_; ++i) {
      if (i) s += ", ";
      s += std::to_string(dims_[i]);
    }
    return s + "]";
  }

 private:
  static void check_dim(std::int64_t d, std::size_t i) {
    if (d < 0) {
      fail(ErrorKind::invalid_argument,
           "shape dimension " + std::to_string(i) + " is negative (" + std::to_string(d) + ")");
    }
  }
  void assign(const std::int64_t* dims, std::size_t rank) {
    if (rank > max_rank) {
      fail(ErrorKind::invalid_argument, "shape of rank " + std::to_string(rank) +
                                            " exceeds inlay's maximum rank " +
                                            std::to_string(max_rank));
    }
    // Element counts must fit in int64 even when multiplied by the largest element size.
    const std::int64_t limit = INT64_MAX / 8;
    std::int64_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) {
      check_dim(dims[i], i);
      if (dims[i] != 0 && n > limit / dims[i]) {
        fail(ErrorKind::invalid_argument,
             "shape has too many elements (overflow at dimension " + std::to_string(i) + ")");
      }
      n *= dims[i];
      dims_[i] = dims[i];
    }
    rank_ = rank;
  }

  std::int64_t dims_[max_rank] = {};
  std::size_t rank_ = 0;
};

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_SHAPE_HPP
