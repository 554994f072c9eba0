// Definitions behind inlay/metrics.hpp, compiled once in the implementation unit.
#ifndef INLAY_METRICS_IMPLEMENTATION_HPP
#define INLAY_METRICS_IMPLEMENTATION_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "inlay/metrics.hpp"

INLAY_NAMESPACE_BEGIN
namespace metrics {

namespace detail {

inline void check_same_size(std::size_t a, std::size_t b, const char* who) {
  if (a != b) {
    fail(ErrorKind::shape_mismatch, std::string(who) + ": " + std::to_string(a) +
                                        " true values but " + std::to_string(b) + " predictions");
  }
}

// Checks scores is f32 [n, classes] with n == expected_rows (when given).
inline void score_shape(const Tensor& scores, const char* who, std::size_t& n, std::size_t& c) {
  if (scores.dtype() != DType::f32 || scores.rank() != 2 || scores.shape()[1] < 1) {
    fail(ErrorKind::invalid_argument, std::string(who) + ": expected f32 [n, classes >= 1], got " +
                                          dtype_name(scores.dtype()) + " " +
                                          scores.shape().to_string());
  }
  n = static_cast<std::size_t>(scores.shape()[0]);
  c = static_cast<std::size_t>(scores.shape()[1]);
}

inline double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

inline ClassScores scores_from(double tp, double fp, double fn, std::int64_t support) {
  ClassScores s;
  s.precision = ratio(tp, tp + fp);
  s.recall = ratio(tp, tp + fn);
  s.f1 = ratio(2 * tp, 2 * tp + fp + fn);  // = 2PR/(P+R), and 0 when both are 0
  s.support = support;
  return s;
}

}  // namespace detail

std::vector<std::int64_t> argmax_rows(const Tensor& scores) {
  std::size_t n, c;
  detail::score_shape(scores, "argmax_rows", n, c);
  const float* p = scores.data<float>();
  std::vector<std::int64_t> out(n);
  for (std::size_t r = 0; r < n; ++r) {
    const float* row = p + r * c;
    std::size_t best = 0;
    for (std::size_t j = 1; j < c; ++j) {
      if (row[j] > row[best]) best = j;
    }
    out[r] = static_cast<std::int64_t>(best);
  }
  return out;
}

double accuracy(const std::vector<std::int64_t>& y_true, const std::vector<std::int64_t>& y_pred) {
  detail::check_same_size(y_true.size(), y_pred.size(), "accuracy");
  if (y_true.empty()) return 0.0;
  std::size_t hits = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) hits += y_true[i] == y_pred[i];
  return static_cast<double>(hits) / static_cast<double>(y_true.size());
}

double top_k_accuracy(const Tensor& scores, const std::vector<std::int64_t>& y_true,
                      std::size_t k) {
  std::size_t n, c;
  detail::score_shape(scores, "top_k_accuracy", n, c);
  detail::check_same_size(y_true.size(), n, "top_k_accuracy");
  if (k == 0) fail(ErrorKind::invalid_argument, "top_k_accuracy: k must be at least 1");
  if (n == 0) return 0.0;
  const float* p = scores.data<float>();
  std::size_t hits = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const std::int64_t t = y_true[r];
    if (t < 0 || static_cast<std::uint64_t>(t) >= c) {
      fail(ErrorKind::invalid_argument, "top_k_accuracy: label " + std::to_string(t) +
                                            " at position " + std::to_string(r) + " outside [0, " +
                                            std::to_string(c) + ")");
    }
    // The true class's rank: classes that score higher, or equal with a lower index, come first.
    const float* row = p + r * c;
    const float s = row[t];
    std::size_t ahead = 0;
    for (std::size_t j = 0; j < c; ++j) {
      ahead += row[j] > s || (row[j] == s && j < static_cast<std::size_t>(t));
    }
    hits += ahead < k;
  }
  return static_cast<double>(hits) / static_cast<double>(n);
}

ConfusionMatrix confusion_matrix(const std::vector<std::int64_t>& y_true,
                                 const std::vector<std::int64_t>& y_pred, std::size_t classes) {
  detail::check_same_size(y_true.size(), y_pred.size(), "confusion_matrix");
  ConfusionMatrix m;
  m.classes = classes;
  m.counts.assign(classes * classes, 0);
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    for (std::int64_t label : {y_true[i], y_pred[i]}) {
      if (label < 0 || static_cast<std::uint64_t>(label) >= classes) {
        fail(ErrorKind::invalid_argument, "confusion_matrix: label " + std::to_string(label) +
                                              " at position " + std::to_string(i) +
                                              " outside [0, " + std::to_string(classes) + ")");
      }
    }
    ++m.counts[static_cast<std::size_t>(y_true[i]) * classes + static_cast<std::size_t>(y_pred[i])];
  }
  return m;
}

ClassificationReport classification_report(const ConfusionMatrix& m) {
  const std::size_t k = m.classes;
  if (m.counts.size() != k * k) {
    fail(ErrorKind::invalid_argument,
         "classification_report: a confusion matrix of " + std::to_string(k) + " classes needs " +
             std::to_string(k * k) + " counts, has " + std::to_string(m.counts.size()));
  }
  ClassificationReport report;
  report.per_class.resize(k);
  double tp_sum = 0, fp_sum = 0, fn_sum = 0;
  std::int64_t total = 0;
  for (std::size_t c = 0; c < k; ++c) {
    double tp = static_cast<double>(m.counts[c * k + c]), fp = 0, fn = 0;
    std::int64_t support = 0;
    for (std::size_t o = 0; o < k; ++o) {
      support += m.counts[c * k + o];
      if (o == c) continue;
      fn += static_cast<double>(m.counts[c * k + o]);
      fp += static_cast<double>(m.counts[o * k + c]);
    }
    report.per_class[c] = detail::scores_from(tp, fp, fn, support);
    tp_sum += tp;
    fp_sum += fp;
    fn_sum += fn;
    total += support;
  }
  report.micro = detail::scores_from(tp_sum, fp_sum, fn_sum, total);
  report.macro.support = report.weighted.support = total;
  for (const ClassScores& s : report.per_class) {
    const double w = total ? static_cast<double>(s.support) / static_cast<double>(total) : 0.0;
    report.macro.precision += s.precision;
    report.macro.recall += s.recall;
    report.macro.f1 += s.f1;
    report.weighted.precision += w * s.precision;
    report.weighted.recall += w * s.recall;
    report.weighted.f1 += w * s.f1;
  }
  if (k) {
    report.macro.precision /= static_cast<double>(k);
    report.macro.recall /= static_cast<double>(k);
    report.macro.f1 /= static_cast<double>(k);
  }
  report.accuracy = total ? tp_sum / static_cast<double>(total) : 0.0;
  return report;
}

ClassificationReport classification_report(const std::vector<std::int64_t>& y_true,
                                           const std::vector<std::int64_t>& y_pred,
                                           std::size_t classes) {
  return classification_report(confusion_matrix(y_true, y_pred, classes));
}

// ---- Ranking

double roc_auc(const std::vector<std::int64_t>& y_true01, const std::vector<float>& scores) {
  detail::check_same_size(y_true01.size(), scores.size(), "roc_auc");
  const std::size_t n = scores.size();
  double positives = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (y_true01[i] != 0 && y_true01[i] != 1) {
      fail(ErrorKind::invalid_argument, "roc_auc: label " + std::to_string(y_true01[i]) +
                                            " at position " + std::to_string(i) + " is not 0 or 1");
    }
    if (std::isnan(scores[i])) {
      fail(ErrorKind::invalid_argument,
           "roc_auc: score at position " + std::to_string(i) + " is NaN");
    }
    positives += static_cast<double>(y_true01[i]);
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) {
    fail(ErrorKind::invalid_argument,
         "roc_auc: needs both classes, got " + std::to_string(static_cast<long long>(positives)) +
             " positives and " + std::to_string(static_cast<long long>(negatives)) + " negatives");
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Sum of the positives' ranks (1-based), each run of tied scores given its average rank.
  double positive_rank_sum = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    double tied_positives = 0;
    while (j < n && scores[order[j]] == scores[order[i]])
      tied_positives += static_cast<double>(y_true01[order[j++]]);
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    positive_rank_sum += tied_positives * average_rank;
    i = j;
  }
  const double u = positive_rank_sum - positives * (positives + 1) / 2.0;
  return u / (positives * negatives);
}

// ---- Regression

namespace detail {

inline void check_regression(std::size_t a, std::size_t b, const char* who) {
  check_same_size(a, b, who);
  if (a == 0) fail(ErrorKind::invalid_argument, std::string(who) + " of empty vectors");
}

inline std::vector<float> tensor_values(const Tensor& t, const char* who) {
  if (t.dtype() != DType::f32) {
    fail(ErrorKind::invalid_argument,
         std::string(who) + ": expected an f32 tensor, got " + dtype_name(t.dtype()));
  }
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

}  // namespace detail

double mse(const std::vector<float>& y_true, const std::vector<float>& y_pred) {
  detail::check_regression(y_true.size(), y_pred.size(), "mse");
  double sum = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double d = static_cast<double>(y_true[i]) - y_pred[i];
    sum += d * d;
  }
  return sum / static_cast<double>(y_true.size());
}

double mae(const std::vector<float>& y_true, const std::vector<float>& y_pred) {
  detail::check_regression(y_true.size(), y_pred.size(), "mae");
  double sum = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    sum += std::fabs(static_cast<double>(y_true[i]) - y_pred[i]);
  }
  return sum / static_cast<double>(y_true.size());
}

double r2(const std::vector<float>& y_true, const std::vector<float>& y_pred) {
  detail::check_regression(y_true.size(), y_pred.size(), "r2");
  double mean = 0;
  for (float y : y_true) mean += y;
  mean /= static_cast<double>(y_true.size());
  double ss_res = 0, ss_tot = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double r = static_cast<double>(y_true[i]) - y_pred[i];
    const double t = static_cast<double>(y_true[i]) - mean;
    ss_res += r * r;
    ss_tot += t * t;
  }
  if (ss_tot == 0) return ss_res == 0 ? 1.0 : 0.0;
  return 1.0 - ss_res / ss_tot;
}

double mse(const Tensor& y_true, const Tensor& y_pred) {
  return mse(detail::tensor_values(y_true, "mse"), detail::tensor_values(y_pred, "mse"));
}
double mae(const Tensor& y_true, const Tensor& y_pred) {
  return mae(detail::tensor_values(y_true, "mae"), detail::tensor_values(y_pred, "mae"));
}
double r2(const Tensor& y_true, const Tensor& y_pred) {
  return r2(detail::tensor_values(y_true, "r2"), detail::tensor_values(y_pred, "r2"));
}

// ---- Latency

namespace detail {

// numpy.percentile's default ("linear"): position (n - 1) * p / 100 between closest ranks.
inline double percentile_sorted(const std::vector<double>& sorted, double p) {
  const double position = static_cast<double>(sorted.size() - 1) * p / 100.0;
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double t = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * t;
}

}  // namespace detail

LatencyStats latency_stats(std::vector<double> ms) {
  if (ms.empty()) fail(ErrorKind::invalid_argument, "latency_stats of no runs");
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (!std::isfinite(ms[i])) {
      fail(ErrorKind::invalid_argument,
           "latency_stats: run " + std::to_string(i) + " has a time that is not finite");
    }
  }
  std::sort(ms.begin(), ms.end());
  LatencyStats s;
  s.runs = ms.size();
  s.min_ms = ms.front();
  s.max_ms = ms.back();
  s.median_ms = detail::percentile_sorted(ms, 50);
  s.p90_ms = detail::percentile_sorted(ms, 90);
  s.p99_ms = detail::percentile_sorted(ms, 99);
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean_ms = sum / static_cast<double>(ms.size());
  return s;
}

std::string LatencyStats::to_string() const {
  char buffer[200];
  std::snprintf(buffer, sizeof buffer,
                "runs=%zu min=%.4f median=%.4f p90=%.4f p99=%.4f mean=%.4f max=%.4f ms", runs,
                min_ms, median_ms, p90_ms, p99_ms, mean_ms, max_ms);
  return buffer;
}

}  // namespace metrics
INLAY_NAMESPACE_END

#endif  // INLAY_METRICS_IMPLEMENTATION_HPP
