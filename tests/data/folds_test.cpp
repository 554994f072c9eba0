// k_fold and stratified_k_fold: every row tested once, balanced folds, class shares, seeds.
#include <algorithm>
#include <map>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

namespace data = inlay::data;
using Catch::Matchers::Contains;

namespace {
// Every row is in exactly one test part; each fold's train part is all other rows.
void check_partition(const std::vector<data::Split>& folds, std::size_t n, std::size_t k) {
  REQUIRE(folds.size() == k);
  std::vector<int> tested(n, 0);
  std::size_t smallest = n, largest = 0;
  for (const data::Split& f : folds) {
    REQUIRE(f.train.size() + f.test.size() == n);
    std::vector<std::size_t> all = f.train;
    all.insert(all.end(), f.test.begin(), f.test.end());
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < n; ++i) REQUIRE(all[i] == i);
    for (std::size_t r : f.test) ++tested[r];
    smallest = std::min(smallest, f.test.size());
    largest = std::max(largest, f.test.size());
  }
  CHECK(std::all_of(tested.begin(), tested.end(), [](int t) { return t == 1; }));
  CHECK(largest - smallest <= 1);
}
}  // namespace

TEST_CASE("k_fold: a shuffled partition into k balanced folds", "[data/folds]") {
  for (std::size_t n : {2, 7, 10, 23}) {
    for (std::size_t k : {2, 3, 5}) {
      if (k > n) continue;
      check_partition(data::k_fold(n, k, 1), n, k);
    }
  }
  // The same seed gives the same folds; another seed other ones; the rows are shuffled.
  const auto a = data::k_fold(20, 4, 7);
  CHECK(a[0].test == data::k_fold(20, 4, 7)[0].test);
  CHECK(a[0].test != data::k_fold(20, 4, 8)[0].test);
  std::vector<std::size_t> first = a[0].test;
  std::sort(first.begin(), first.end());
  CHECK(first != std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK_THROWS_WITH(data::k_fold(5, 1, 0), Contains("k = 1") && Contains("2 <= k <= rows"));
  CHECK_THROWS_WITH(data::k_fold(3, 4, 0), Contains("k = 4 folds of 3 rows"));
}

TEST_CASE("stratified_k_fold keeps the class shares in every fold", "[data/folds]") {
  // 12 of class 0, 6 of class 1, 3 of class 2, interleaved.
  std::vector<std::int64_t> labels;
  for (int i = 0; i < 12; ++i) labels.push_back(0);
  for (int i = 0; i < 6; ++i) labels.push_back(1);
  for (int i = 0; i < 3; ++i) labels.push_back(2);
  std::reverse(labels.begin() + 5, labels.end());
  const auto folds = data::stratified_k_fold(labels, 3, 5);
  check_partition(folds, labels.size(), 3);
  for (const data::Split& f : folds) {
    std::map<std::int64_t, int> counts;
    for (std::size_t r : f.test) ++counts[labels[r]];
    CHECK(counts[0] == 4);
    CHECK(counts[1] == 2);
    CHECK(counts[2] == 1);
  }
  CHECK(data::stratified_k_fold(labels, 3, 5)[1].test == folds[1].test);
  CHECK_THROWS_WITH(data::stratified_k_fold({0, 1}, 3, 0), Contains("k = 3 folds of 2 rows"));
  // A class smaller than k: the folds still partition the rows and stay balanced.
  check_partition(data::stratified_k_fold({0, 0, 0, 0, 1, 1, 1, 2}, 4, 0), 8, 4);
}
