// Shared by the fusion tests (fuse_test.cpp, fuse_transformer_test.cpp): a model run as loaded
// (fused) and node by node (ModelOptions{optimize = false}) on the same feeds, on every CPU target.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

namespace inlay_test {

struct FusedAndPlain {
  std::size_t fused_nodes = 0, plain_nodes = 0;
  std::map<std::string, std::size_t> ops;  // planned op counts of the fused model
  std::size_t count(const std::string& op) const {
    const auto it = ops.find(op);
    return it == ops.end() ? 0 : it->second;
  }
};

// Every output element of the fused run is within atol + rtol |v| of the unfused one (v), and NaN
// exactly where v is NaN.
inline FusedAndPlain run_fused_and_plain(const OpTester& m, const std::vector<inlay::Tensor>& feeds,
                                         float atol, float rtol) {
  inlay::ModelOptions plain_options;
  plain_options.optimize = false;
  const inlay::Model fused = m.load();
  const inlay::Model plain = m.load(plain_options);
  for_each_cpu_target([&] {
    inlay::Session fs(fused), ps(plain);
    const auto a = fs.run(feeds);
    const auto b = ps.run(feeds);
    REQUIRE(a.size() == b.size());
    for (std::size_t o = 0; o < a.size(); ++o) {
      REQUIRE(a[o].shape() == b[o].shape());
      for (std::int64_t i = 0; i < a[o].numel(); ++i) {
        const float u = a[o].data<float>()[i], v = b[o].data<float>()[i];
        INFO("output " << o << " element " << i << ": " << u << " vs " << v);
        if (std::isnan(v)) CHECK(std::isnan(u));
        else CHECK(std::fabs(u - v) <= atol + rtol * std::fabs(v));
      }
    }
  });
  return {fused.summary().nodes_planned, plain.summary().nodes_planned,
          fused.summary().planned_op_counts};
}

inline std::vector<float> values(std::size_t n, std::uint32_t seed, float lo = -1.0f,
                                 float hi = 1.0f) {
  return random_floats(n, seed, lo, hi);
}

}  // namespace inlay_test
