// Definitions behind quantize/calibration.hpp.
#ifndef INLAY_QUANTIZE_IMPL_CALIBRATION_HPP
#define INLAY_QUANTIZE_IMPL_CALIBRATION_HPP

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/quantize/calibration.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {

Histogram::Histogram(float lo, float hi, std::size_t bins) : min(lo), max(hi), counts(bins, 0.0) {
  if (bins == 0 || !(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
    fail(ErrorKind::invalid_argument, "quantize: a histogram needs bins > 0 and finite min <= max");
  }
}

double Histogram::bin_width() const noexcept {
  return counts.empty() ? 0.0
                        : (static_cast<double>(max) - min) / static_cast<double>(counts.size());
}

double Histogram::total() const noexcept {
  double t = 0;
  for (double c : counts) t += c;
  return t;
}

void Histogram::add(const float* values, std::size_t n) {
  const double width = bin_width();
  const std::size_t last = counts.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const float v = values[i];
    if (std::isnan(v)) continue;
    std::size_t bin = 0;
    if (width > 0 && v > min) {
      const double b = (static_cast<double>(v) - min) / width;
      bin = b >= static_cast<double>(last) ? last : static_cast<std::size_t>(b);
    }
    counts[bin] += 1.0;
  }
}

Range including_zero(float lo, float hi) noexcept {
  return Range{std::min(lo, 0.0f), std::max(hi, 0.0f)};
}

Range percentile_range(const Histogram& h, double p) {
  if (!(p > 0.0 && p <= 100.0)) {
    fail(ErrorKind::invalid_argument,
         "quantize: the percentile must be in (0, 100], not " + std::to_string(p));
  }
  const double total = h.total();
  if (total <= 0) return including_zero(h.min, h.max);
  const double tail = total * (100.0 - p) / 100.0;  // mass clipped at each end
  const double width = h.bin_width();
  const std::size_t n = h.counts.size();
  // Lower edge: the first bin where the cumulative count passes the tail.
  double cum = 0;
  std::size_t lo = 0;
  for (; lo < n; ++lo) {
    cum += h.counts[lo];
    if (cum > tail) break;
  }
  cum = 0;
  std::size_t hi = n;
  while (hi > 0) {
    cum += h.counts[hi - 1];
    if (cum > tail) break;
    --hi;
  }
  const float lo_value = static_cast<float>(h.min + width * static_cast<double>(lo));
  const float hi_value = static_cast<float>(h.min + width * static_cast<double>(hi));
  return including_zero(lo_value, std::max(lo_value, hi_value));
}

namespace detail {

// KL(p || q) of two unnormalized histograms over the same bins (bins where p is 0 add nothing;
// a q of 0 where p is not is replaced by a tiny mass so that the sum stays finite).
inline double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  double ps = 0, qs = 0;
  for (double v : p) ps += v;
  for (double v : q) qs += v;
  if (ps <= 0 || qs <= 0) return std::numeric_limits<double>::infinity();
  double kl = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] <= 0) continue;
    const double pi = p[i] / ps;
    const double qi = std::max(q[i] / qs, 1e-12);
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

}  // namespace detail

float entropy_threshold(const Histogram& h, std::size_t levels) {
  if (h.min != 0.0f) {
    fail(ErrorKind::invalid_argument,
         "quantize: entropy calibration takes a histogram of |x| "
         "starting at 0");
  }
  const std::size_t n = h.counts.size();
  if (levels < 2 || n <= levels || h.total() <= 0) return h.max;
  const double width = h.bin_width();
  double best_kl = std::numeric_limits<double>::infinity();
  std::size_t best_i = n;
  // The reference P: the first i bins, the mass beyond folded into bin i-1. The candidate Q: P's
  // first i bins merged into `levels` groups, each group's mass spread evenly over the group's
  // non-empty bins (empty bins stay empty, as in the GTC 2017 description).
  std::vector<double> p, q;
  for (std::size_t i = levels; i <= n; ++i) {
    p.assign(h.counts.begin(), h.counts.begin() + static_cast<std::ptrdiff_t>(i));
    double outliers = 0;
    for (std::size_t j = i; j < n; ++j) outliers += h.counts[j];
    p[i - 1] += outliers;
    q.assign(i, 0.0);
    for (std::size_t g = 0; g < levels; ++g) {
      const std::size_t begin = g * i / levels, end = (g + 1) * i / levels;
      double mass = 0;
      std::size_t nonzero = 0;
      for (std::size_t j = begin; j < end; ++j) {
        mass += h.counts[j];  // the unclipped counts: Q does not see the folded outliers
        nonzero += h.counts[j] > 0;
      }
      if (nonzero == 0) continue;
      for (std::size_t j = begin; j < end; ++j) {
        if (h.counts[j] > 0) q[j] = mass / static_cast<double>(nonzero);
      }
    }
    const double kl = detail::kl_divergence(p, q);
    if (kl < best_kl) {
      best_kl = kl;
      best_i = i;
    }
  }
  return static_cast<float>(width * (static_cast<double>(best_i) + 0.5) > h.max
                                ? h.max
                                : width * (static_cast<double>(best_i) + 0.5));
}

}  // namespace quantization
INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_IMPL_CALIBRATION_HPP
