// Train/test splits as row indices, reproducible from a seed on every platform (data::Rng).
#ifndef INLAY_DATA_SPLIT_HPP
#define INLAY_DATA_SPLIT_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

struct Split {
  std::vector<std::size_t> train, test;  // each in shuffled order
};

// Each class keeps its share in both parts: a class of n rows gives round(n * test_fraction) test
// rows (at least one row stays on each side when n >= 2). test_fraction in [0, 1].
Split stratified_split(const std::vector<std::int64_t>& labels, double test_fraction,
                       std::uint64_t seed);
// round(n * test_fraction) test rows chosen at random.
Split random_split(std::size_t n, double test_fraction, std::uint64_t seed);

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_SPLIT_HPP
