// Seeded train/test splits: sizes, class shares, coverage and the exact indices for a seed.
#include <algorithm>
#include <map>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using inlay::data::random_split;
using inlay::data::Split;
using inlay::data::stratified_split;

namespace {

// Every index 0..n-1 exactly once across train and test.
void check_partition(const Split& s, std::size_t n) {
  std::vector<std::size_t> all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  REQUIRE(all.size() == n);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(all[i] == i);
}

}  // namespace

// Expected indices from an independent Python model of data::Rng and of the split procedure
// (see rng_test.cpp): shuffle the rows, the first round(n * fraction) are the test rows;
// stratified: per class (ascending label) shuffle and cut, then shuffle train and test.
TEST_CASE("random_split and stratified_split give the same indices on every platform",
          "[data/split]") {
  const Split r = random_split(10, 0.3, 42);
  CHECK(r.test == std::vector<std::size_t>{7, 3, 8});
  CHECK(r.train == std::vector<std::size_t>{9, 5, 6, 4, 1, 0, 2});

  std::vector<std::int64_t> labels;
  for (int i = 0; i < 12; ++i) labels.push_back(i % 3);
  const Split s = stratified_split(labels, 0.25, 5);
  CHECK(s.test == std::vector<std::size_t>{1, 2, 9});
  CHECK(s.train == std::vector<std::size_t>{8, 4, 6, 5, 0, 11, 3, 7, 10});
}

TEST_CASE("random_split: sizes, coverage, seeds", "[data/split]") {
  const Split a = random_split(1000, 0.2, 1);
  CHECK(a.test.size() == 200);
  check_partition(a, 1000);
  CHECK(random_split(1000, 0.2, 1).test == a.test);
  CHECK(random_split(1000, 0.2, 2).test != a.test);
  CHECK(random_split(5, 0.0, 1).test.empty());
  CHECK(random_split(5, 1.0, 1).train.empty());
  CHECK(random_split(0, 0.5, 1).train.empty());
  CHECK_THROWS_AS(random_split(5, 1.5, 1), inlay::Error);
  CHECK_THROWS_AS(random_split(5, -0.1, 1), inlay::Error);
}

TEST_CASE("stratified_split keeps each class's share", "[data/split]") {
  // Unbalanced classes: 500, 300, 150, 50 rows, interleaved.
  std::vector<std::int64_t> labels;
  const int sizes[] = {500, 300, 150, 50};
  for (int c = 0; c < 4; ++c) labels.insert(labels.end(), sizes[c], c);
  std::reverse(labels.begin(), labels.end());
  const Split s = stratified_split(labels, 0.2, 0);
  check_partition(s, labels.size());
  std::map<std::int64_t, int> test_count;
  for (std::size_t i : s.test) ++test_count[labels[i]];
  for (int c = 0; c < 4; ++c) CHECK(test_count[c] == sizes[c] / 5);
  CHECK(stratified_split(labels, 0.2, 0).test == s.test);
  CHECK(stratified_split(labels, 0.2, 1).test != s.test);

  // A small class keeps at least one row on each side; a class of one row goes by rounding.
  const std::vector<std::int64_t> small{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2};
  const Split t = stratified_split(small, 0.1, 3);
  check_partition(t, small.size());
  std::map<std::int64_t, int> test_small;
  for (std::size_t i : t.test) ++test_small[small[i]];
  CHECK(test_small[0] == 1);
  CHECK(test_small[1] == 1);
  CHECK(test_small[2] == 0);
  CHECK_THROWS_AS(stratified_split(small, 2.0, 0), inlay::Error);
}

TEST_CASE("stratified_split of the digits labels, 80/20 with seed 0", "[data/split]") {
  const inlay::data::Table digits =
      inlay::data::read_csv(INLAY_SOURCE_DIR "/examples/data/digits.csv");
  const std::vector<std::int64_t> labels = digits.labels(64);
  const Split s = stratified_split(labels, 0.2, 0);
  check_partition(s, labels.size());
  // round(size * 0.2) test rows per class: 35 for classes 2 and 8 (177, 174 rows), 37 for class 3
  // (183 rows), 36 for the other seven.
  CHECK(s.test.size() == 359);
  std::vector<int> per_class(10, 0);
  for (std::size_t i : s.test) ++per_class[static_cast<std::size_t>(labels[i])];
  CHECK(per_class[2] == 35);
  CHECK(per_class[8] == 35);
  CHECK(per_class[0] == 36);
  CHECK(per_class[3] == 37);  // 183 * 0.2 = 36.6
}
