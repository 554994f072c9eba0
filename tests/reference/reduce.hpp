// Plain scalar reference of reduce_f32, argmax_f32 and argmin_f32 (reduce.hpp), computed in double.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_ref {

using inlay::kernels::ReduceOp;

// Row-major strides of a shape, in elements.
inline std::vector<std::size_t> strides_of(const inlay::Shape& s) {
  std::vector<std::size_t> st(s.rank());
  std::size_t n = 1;
  for (std::size_t i = s.rank(); i-- > 0;) {
    st[i] = n;
    n *= static_cast<std::size_t>(s[i]);
  }
  return st;
}

// Multi-index of flat index `flat` in shape s.
inline std::vector<std::size_t> unravel(std::size_t flat, const inlay::Shape& s) {
  std::vector<std::size_t> idx(s.rank());
  for (std::size_t i = s.rank(); i-- > 0;) {
    const std::size_t d = static_cast<std::size_t>(s[i]);
    idx[i] = flat % d;
    flat /= d;
  }
  return idx;
}

// The op applied to one output's list of values (the definition in reduce.hpp).
inline float reduce_values(ReduceOp op, const std::vector<double>& v) {
  double r = 0.0;
  bool nan = false;
  for (double a : v) nan = nan || std::isnan(a);
  switch (op) {
    case ReduceOp::sum:
      for (double a : v) r += a;
      break;
    case ReduceOp::mean:
      for (double a : v) r += a;
      r /= static_cast<double>(v.size());
      break;
    case ReduceOp::max:
      r = -INFINITY;
      for (double a : v) r = std::max(r, a);
      if (nan) r = NAN;
      break;
    case ReduceOp::min:
      r = INFINITY;
      for (double a : v) r = std::min(r, a);
      if (nan) r = NAN;
      break;
    case ReduceOp::prod:
      r = 1.0;
      for (double a : v) r *= a;
      break;
    case ReduceOp::l1:
      for (double a : v) r += std::fabs(a);
      break;
    case ReduceOp::l2:
      for (double a : v) r += a * a;
      r = std::sqrt(r);
      break;
    case ReduceOp::sum_square:
      for (double a : v) r += a * a;
      break;
    case ReduceOp::log_sum:
      for (double a : v) r += a;
      r = std::log(r);
      break;
    case ReduceOp::log_sum_exp: {
      // log sum exp(x) = m + log sum exp(x - m) for a finite max m; an infinite or NaN max is
      // the result (log of a sum with +inf is +inf; all -inf, or nothing, gives -inf).
      double m = -INFINITY;
      for (double a : v) m = std::max(m, a);
      if (nan) return NAN;
      if (!std::isfinite(m)) return static_cast<float>(m);
      for (double a : v) r += std::exp(a - m);
      r = m + std::log(r);
      break;
    }
  }
  return static_cast<float>(r);
}

// keepdims layout: every reduced axis of size 1.
inline std::vector<float> reduce(ReduceOp op, const std::vector<float>& x, const inlay::Shape& s,
                                 const std::vector<std::int64_t>& axes) {
  std::vector<bool> red(s.rank(), false);
  for (std::int64_t a : axes) red[static_cast<std::size_t>(a)] = true;
  std::vector<std::int64_t> out_dims;
  for (std::size_t i = 0; i < s.rank(); ++i) out_dims.push_back(red[i] ? 1 : s[i]);
  const inlay::Shape out(out_dims.data(), out_dims.size());
  std::vector<std::vector<double>> groups(static_cast<std::size_t>(out.numel()));
  const auto ost = strides_of(out);
  for (std::size_t f = 0; f < x.size(); ++f) {
    const auto idx = unravel(f, s);
    std::size_t o = 0;
    for (std::size_t i = 0; i < s.rank(); ++i) o += red[i] ? 0 : idx[i] * ost[i];
    groups[o].push_back(x[f]);
  }
  std::vector<float> y(groups.size());
  for (std::size_t o = 0; o < y.size(); ++o) y[o] = reduce_values(op, groups[o]);
  return y;
}

// argmax (sign +1) or argmin (sign -1): NaN beats every number; ties go to the first index, or
// the last with select_last.
inline std::vector<std::int64_t> arg_best(const std::vector<float>& x, const inlay::Shape& s,
                                          std::size_t axis, bool select_last, double sign) {
  std::size_t outer = 1, inner = 1;
  const std::size_t n = static_cast<std::size_t>(s[axis]);
  for (std::size_t i = 0; i < axis; ++i) outer *= static_cast<std::size_t>(s[i]);
  for (std::size_t i = axis + 1; i < s.rank(); ++i) inner *= static_cast<std::size_t>(s[i]);
  std::vector<std::int64_t> y(outer * inner);
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t j = 0; j < inner; ++j) {
      std::size_t best = 0;
      for (std::size_t i = 1; i < n; ++i) {
        const double v = sign * x[(o * n + i) * inner + j];
        const double b = sign * x[(o * n + best) * inner + j];
        bool take;
        if (std::isnan(b)) {
          take = select_last && std::isnan(v);
        } else if (std::isnan(v)) {
          take = true;
        } else {
          take = v > b || (select_last && v == b);
        }
        if (take) best = i;
      }
      y[o * inner + j] = static_cast<std::int64_t>(best);
    }
  }
  return y;
}

}  // namespace inlay_ref
