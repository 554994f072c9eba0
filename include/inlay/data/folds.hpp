// Cross-validation: k train/test index sets in which every row is a test row exactly once,
// reproducible from a seed on every platform (data::Rng).
#ifndef INLAY_DATA_FOLDS_HPP
#define INLAY_DATA_FOLDS_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "inlay/data/split.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

// The shuffled rows cut into k folds whose sizes differ by at most one; 2 <= k <= n.
std::vector<Split> k_fold(std::size_t n, std::size_t k, std::uint64_t seed);
// Each class's shuffled rows dealt to the folds in turn (continuing where the previous class
// stopped), so every fold keeps the class shares and fold sizes differ by at most one.
// 2 <= k <= labels.size().
std::vector<Split> stratified_k_fold(const std::vector<std::int64_t>& labels, std::size_t k,
                                     std::uint64_t seed);

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_FOLDS_HPP
