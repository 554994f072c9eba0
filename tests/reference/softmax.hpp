// Plain scalar reference of softmax and log-softmax (softmax.hpp), computed in double with the
// same stable formula: with m the max along the axis, exp(x - m) / sum exp(x - m) and
// (x - m) - log(sum exp(x - m)).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace inlay_ref {

// NaN-propagating max, as in the formula's max over the axis.
inline double max_nan(double a, double b) { return (std::isnan(a) || a >= b) ? a : b; }

inline std::vector<float> softmax(const std::vector<float>& x, std::size_t outer, std::size_t axis,
                                  std::size_t inner, bool log) {
  std::vector<float> y(x.size());
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t i = 0; i < inner; ++i) {
      auto at = [&](std::size_t a) { return (o * axis + a) * inner + i; };
      double m = -INFINITY;
      for (std::size_t a = 0; a < axis; ++a) m = max_nan(m, x[at(a)]);
      double s = 0.0;
      for (std::size_t a = 0; a < axis; ++a) s += std::exp(x[at(a)] - m);
      for (std::size_t a = 0; a < axis; ++a) {
        y[at(a)] =
            static_cast<float>(log ? (x[at(a)] - m) - std::log(s) : std::exp(x[at(a)] - m) / s);
      }
    }
  }
  return y;
}

}  // namespace inlay_ref
