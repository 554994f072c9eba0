// inlay::metrics: classification, ranking, regression and latency metrics.
#ifndef INLAY_METRICS_HPP
#define INLAY_METRICS_HPP

#include "inlay/metrics/classification.hpp"
#include "inlay/metrics/ranking.hpp"
#include "inlay/metrics/regression.hpp"
#include "inlay/metrics/latency.hpp"

#endif  // INLAY_METRICS_HPP
