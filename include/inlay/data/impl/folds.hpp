// k_fold and stratified_k_fold (data/folds.hpp).
#ifndef INLAY_DATA_IMPL_FOLDS_HPP
#define INLAY_DATA_IMPL_FOLDS_HPP

#include <map>
#include <string>
#include <vector>

#include "inlay/data/folds.hpp"
#include "inlay/data/rng.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

namespace detail {

inline void check_folds(std::size_t n, std::size_t k, const char* who) {
  if (k < 2 || k > n) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": k = " + std::to_string(k) +
                                          " folds of " + std::to_string(n) +
                                          " rows; 2 <= k <= rows expected");
  }
}

// Splits from each row's fold: fold i tests its rows and trains on all the others.
inline std::vector<Split> splits_of(const std::vector<std::size_t>& order,
                                    const std::vector<std::size_t>& fold_of, std::size_t k) {
  std::vector<Split> out(k);
  for (std::size_t row : order) {
    for (std::size_t i = 0; i < k; ++i) {
      (fold_of[row] == i ? out[i].test : out[i].train).push_back(row);
    }
  }
  return out;
}

}  // namespace detail

std::vector<Split> k_fold(std::size_t n, std::size_t k, std::uint64_t seed) {
  detail::check_folds(n, k, "k_fold");
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed);
  rng.shuffle(order);
  std::vector<std::size_t> fold_of(n);
  for (std::size_t p = 0; p < n; ++p) fold_of[order[p]] = p * k / n;  // contiguous, sizes +-1
  return detail::splits_of(order, fold_of, k);
}

std::vector<Split> stratified_k_fold(const std::vector<std::int64_t>& labels, std::size_t k,
                                     std::uint64_t seed) {
  detail::check_folds(labels.size(), k, "stratified_k_fold");
  std::map<std::int64_t, std::vector<std::size_t>> by_class;  // ordered: the same on every run
  for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  Rng rng(seed);
  std::vector<std::size_t> order, fold_of(labels.size());
  std::size_t next = 0;  // dealing continues across classes, so fold sizes stay within one
  for (auto& entry : by_class) {
    rng.shuffle(entry.second);
    for (std::size_t row : entry.second) {
      fold_of[row] = next;
      next = (next + 1) % k;
      order.push_back(row);
    }
  }
  return detail::splits_of(order, fold_of, k);
}

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_IMPL_FOLDS_HPP
