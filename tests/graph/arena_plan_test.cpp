// The arena planner (graph/impl/arena_plan.hpp): no two values alive at the same node share bytes,
// and the offsets are those of the plain greedy-by-size placement that compares every pair.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "inlay/graph/impl/arena_plan.hpp"

namespace {

using inlay::graph::detail::ArenaItem;
using inlay::graph::detail::ArenaPlan;
using inlay::graph::detail::plan_arena;

// The quadratic placement the planner replaced: every placed value is checked for overlap.
ArenaPlan plan_by_pairs(const std::vector<ArenaItem>& items) {
  ArenaPlan plan;
  plan.offsets.assign(items.size(), 0);
  std::vector<std::size_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return items[a].bytes > items[b].bytes; });
  std::vector<std::size_t> placed;
  for (std::size_t i : order) {
    std::vector<std::pair<std::size_t, std::size_t>> busy;
    for (std::size_t p : placed) {
      if (items[p].first <= items[i].last && items[i].first <= items[p].last) {
        busy.emplace_back(plan.offsets[p], plan.offsets[p] + items[p].bytes);
      }
    }
    std::sort(busy.begin(), busy.end());
    std::size_t offset = 0;
    for (const auto& b : busy) {
      if (offset + items[i].bytes <= b.first) break;
      offset = std::max(offset, b.second);
    }
    plan.offsets[i] = offset;
    plan.total = std::max(plan.total, offset + items[i].bytes);
    placed.push_back(i);
  }
  return plan;
}

void check_no_overlap(const std::vector<ArenaItem>& items, const ArenaPlan& plan) {
  for (std::size_t a = 0; a < items.size(); ++a) {
    REQUIRE(plan.offsets[a] + items[a].bytes <= plan.total);
    for (std::size_t b = a + 1; b < items.size(); ++b) {
      const bool same_time = items[a].first <= items[b].last && items[b].first <= items[a].last;
      const bool same_bytes = plan.offsets[a] < plan.offsets[b] + items[b].bytes &&
                              plan.offsets[b] < plan.offsets[a] + items[a].bytes;
      if (same_time && same_bytes && items[a].bytes > 0 && items[b].bytes > 0) {
        FAIL("items " << a << " and " << b << " are alive together and share bytes");
      }
    }
  }
}

}  // namespace

TEST_CASE("arena plan: nothing to place", "[graph/arena_plan]") {
  const ArenaPlan plan = plan_arena({});
  CHECK(plan.offsets.empty());
  CHECK(plan.total == 0);
}

TEST_CASE("arena plan: a chain reuses two slots", "[graph/arena_plan]") {
  // Each value is read by the next node only: two slots are enough, whatever the length.
  std::vector<ArenaItem> items;
  for (std::int64_t node = 0; node < 1000; ++node) items.push_back({128, node, node + 1});
  const ArenaPlan plan = plan_arena(items);
  CHECK(plan.total == 256);
  check_no_overlap(items, plan);
}

TEST_CASE("arena plan: equal to the pairwise greedy placement on random lifetimes",
          "[graph/arena_plan]") {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    const int count = 1 + static_cast<int>(rng() % 60);
    const std::int64_t span = 1 + static_cast<std::int64_t>(rng() % 80);
    std::vector<ArenaItem> items;
    for (int i = 0; i < count; ++i) {
      const std::int64_t first = static_cast<std::int64_t>(rng() % span);
      // Mostly short lifetimes, some long ones (skip connections), some of length one.
      const std::int64_t length = rng() % 4 == 0 ? static_cast<std::int64_t>(rng() % span)
                                                 : static_cast<std::int64_t>(rng() % 3);
      const std::size_t bytes = 64 * (rng() % 5 == 0 ? 0 : 1 + rng() % 16);
      items.push_back({bytes, first, first + length});
    }
    const ArenaPlan fast = plan_arena(items);
    const ArenaPlan reference = plan_by_pairs(items);
    INFO("round " << round);
    CHECK(fast.offsets == reference.offsets);
    CHECK(fast.total == reference.total);
    check_no_overlap(items, fast);
  }
}
