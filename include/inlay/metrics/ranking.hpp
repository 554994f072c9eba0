// Ranking quality of scores for a binary problem.
#ifndef INLAY_METRICS_RANKING_HPP
#define INLAY_METRICS_RANKING_HPP

#include <cstdint>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace metrics {

// Area under the ROC curve: the probability that a random positive scores above a random
// negative, ties counting one half (the Mann-Whitney U statistic with average ranks). y_true01
// holds 0 or 1; both classes must be present.
double roc_auc(const std::vector<std::int64_t>& y_true01, const std::vector<float>& scores);

}  // namespace metrics
INLAY_NAMESPACE_END

#endif  // INLAY_METRICS_RANKING_HPP
