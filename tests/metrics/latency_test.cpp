// Latency statistics against numpy.percentile.
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using Catch::Matchers::Contains;
using inlay::metrics::latency_stats;
using inlay::metrics::LatencyStats;

TEST_CASE("latency_stats: min, median, p90, p99, mean as numpy computes them",
          "[metrics/latency]") {
  // Computed once with /usr/bin/python3 numpy 1.24: np.percentile(ms, [50, 90, 99]) (default
  // "linear" method) = 5.0, 9.0, 9.9; np.mean = 5.2727272727272725.
  const LatencyStats s = latency_stats({5.0, 1.0, 3.0, 2.0, 4.0, 10.0, 7.5, 6.0, 8.0, 9.0, 2.5});
  CHECK(s.runs == 11);
  CHECK(s.min_ms == 1.0);
  CHECK(s.max_ms == 10.0);
  CHECK(s.median_ms == Approx(5.0).epsilon(1e-12));
  CHECK(s.p90_ms == Approx(9.0).epsilon(1e-12));
  CHECK(s.p99_ms == Approx(9.9).epsilon(1e-12));
  CHECK(s.mean_ms == Approx(5.2727272727272725).epsilon(1e-12));
  CHECK_THAT(s.to_string(), Contains("runs=11") && Contains("p99=9.9000"));

  const LatencyStats even = latency_stats({4.0, 1.0, 2.0, 3.0});
  CHECK(even.median_ms == 2.5);
  CHECK(even.p90_ms == Approx(3.7));  // position 2.7 between 3 and 4
  const LatencyStats one = latency_stats({0.5});
  CHECK(one.median_ms == 0.5);
  CHECK(one.p99_ms == 0.5);
}

TEST_CASE("latency_stats refuses no runs and non-finite times", "[metrics/latency]") {
  CHECK_THROWS_AS(latency_stats({}), inlay::Error);
  CHECK_THROWS_AS(latency_stats({1.0, NAN}), inlay::Error);
}
