// Summary of timing runs (milliseconds per run).
#ifndef INLAY_METRICS_LATENCY_HPP
#define INLAY_METRICS_LATENCY_HPP

#include <cstddef>
#include <string>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace metrics {

struct LatencyStats {
  double min_ms = 0, median_ms = 0, p90_ms = 0, p99_ms = 0, mean_ms = 0, max_ms = 0;
  std::size_t runs = 0;
  // "runs=100 min=0.012 median=0.013 p90=0.015 p99=0.020 mean=0.014 ms"
  std::string to_string() const;
};

// Percentiles interpolate linearly between the closest ranks (numpy's default "linear" method):
// p-th percentile = sorted[(n - 1) * p / 100], interpolated. An empty vector is an error.
LatencyStats latency_stats(std::vector<double> ms);

}  // namespace metrics
INLAY_NAMESPACE_END

#endif  // INLAY_METRICS_LATENCY_HPP
