// Arena placement: offsets for values with known sizes and lifetimes such that two values alive
// at the same node never share bytes. Greedy by size (Pisarchyk & Lee, "Efficient Memory
// Management for Deep Neural Net Inference", 2020): the largest value first, each at the lowest
// offset that overlaps no placed value alive at the same time.
//
// Finding the placed values a lifetime overlaps must not scan every placed value: a graph of
// 65,536 nodes (model-local functions expand to that many) took seconds that way. A placed value
// [first, last] overlaps [a, b] when it is alive at a (a stabbing query on a segment tree over the
// node positions) or starts inside (a, b] (a range query on the starts); both are O(log n + k)
// for k overlaps, and the two answers are disjoint. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_ARENA_PLAN_HPP
#define INLAY_GRAPH_IMPL_ARENA_PLAN_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <utility>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace detail {

struct ArenaItem {
  std::size_t bytes = 0;
  std::int64_t first = 0, last = 0;  // node positions, first <= last, both >= 0
};

struct ArenaPlan {
  std::vector<std::size_t> offsets;  // one per item, in the items' order
  std::size_t total = 0;             // arena size: the largest offset + bytes
};

inline ArenaPlan plan_arena(const std::vector<ArenaItem>& items) {
  ArenaPlan plan;
  plan.offsets.assign(items.size(), 0);
  if (items.empty()) return plan;

  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return items[a].bytes > items[b].bytes; });

  std::int64_t positions = 1;
  for (const ArenaItem& it : items) positions = std::max(positions, it.last + 1);
  std::size_t leaves = 1;
  while (leaves < static_cast<std::size_t>(positions)) leaves *= 2;
  // alive[node]: placed items whose lifetime covers the node's whole range (canonical cover).
  std::vector<std::vector<std::size_t>> alive(2 * leaves);
  std::multimap<std::int64_t, std::size_t> by_first;

  std::vector<std::pair<std::size_t, std::size_t>> busy;
  for (std::size_t index : order) {
    const ArenaItem& it = items[index];
    busy.clear();
    auto add_busy = [&](std::size_t placed) {
      busy.emplace_back(plan.offsets[placed], plan.offsets[placed] + items[placed].bytes);
    };
    for (std::size_t node = static_cast<std::size_t>(it.first) + leaves; node >= 1; node /= 2) {
      for (std::size_t placed : alive[node]) add_busy(placed);
    }
    for (auto p = by_first.upper_bound(it.first); p != by_first.end() && p->first <= it.last; ++p) {
      add_busy(p->second);
    }
    std::sort(busy.begin(), busy.end());
    std::size_t offset = 0;
    for (const auto& b : busy) {
      if (offset + it.bytes <= b.first) break;
      offset = std::max(offset, b.second);
    }
    plan.offsets[index] = offset;
    plan.total = std::max(plan.total, offset + it.bytes);

    // Insert [first, last] into the segment tree: the canonical nodes of the half-open range.
    for (std::size_t lo = static_cast<std::size_t>(it.first) + leaves,
                     hi = static_cast<std::size_t>(it.last) + 1 + leaves;
         lo < hi; lo /= 2, hi /= 2) {
      if (lo & 1) alive[lo++].push_back(index);
      if (hi & 1) alive[--hi].push_back(index);
    }
    by_first.emplace(it.first, index);
  }
  return plan;
}

}  // namespace detail
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_ARENA_PLAN_HPP
