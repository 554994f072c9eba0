// Plain scalar references of the pool kernels (pool.hpp), straight from ONNX's MaxPool,
// AveragePool, GlobalAveragePool and GlobalMaxPool definitions, in double where it matters.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_ref {

// ONNX's output size along one axis: floor (or ceil with ceil_mode) of
// (in + pads - ((kernel - 1) * dilation + 1)) / stride + 1; with ceil_mode, a last window that
// starts at or past in + pad_begin (entirely in the end padding) is dropped.
inline std::size_t pool_out(std::size_t in, std::size_t pb, std::size_t pe, std::size_t k,
                            std::size_t s, std::size_t d, bool ceil_mode) {
  const double span = double(in + pb + pe) - double((k - 1) * d + 1);
  if (span < 0) return 0;
  long out = long((ceil_mode ? std::ceil(span / s) : std::floor(span / s)) + 1);
  if (ceil_mode && double((out - 1) * s) >= double(in + pb)) --out;
  return std::size_t(out);
}

struct MaxPoolResult {
  std::vector<float> y;
  std::vector<std::int64_t> indices;
};

// Each output is the maximum of its window's elements inside the input (the first one on ties;
// a NaN wins over any number); the index is ((n * C + c) * H + h) * W + w. A window without
// elements gives -inf and index -1.
inline MaxPoolResult max_pool2d(const inlay::kernels::Pool2dParams& p,
                                const std::vector<float>& x) {
  const std::size_t oh =
      pool_out(p.in_h, p.pad_top, p.pad_bottom, p.kernel_h, p.stride_h, p.dilation_h, p.ceil_mode);
  const std::size_t ow =
      pool_out(p.in_w, p.pad_left, p.pad_right, p.kernel_w, p.stride_w, p.dilation_w, p.ceil_mode);
  MaxPoolResult r;
  for (std::size_t c = 0; c < p.batch * p.channels; ++c)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        std::int64_t at = -1;
        for (std::size_t ki = 0; ki < p.kernel_h; ++ki)
          for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
            const long iy = long(oy * p.stride_h + ki * p.dilation_h) - long(p.pad_top);
            const long ix = long(ox * p.stride_w + kj * p.dilation_w) - long(p.pad_left);
            if (iy < 0 || ix < 0 || iy >= long(p.in_h) || ix >= long(p.in_w)) continue;
            const std::int64_t i = (std::int64_t(c) * p.in_h + iy) * p.in_w + ix;
            const float v = x[std::size_t(i)];
            const bool take = at < 0 || (std::isnan(v) ? !std::isnan(best) : v > best);
            if (take) best = v, at = i;
          }
        r.y.push_back(best);
        r.indices.push_back(at);
      }
  return r;
}

// The mean of the window's elements inside the input; with count_include_pad the divisor counts
// the window positions inside the padded input instead (ONNX AveragePool: not those a ceil_mode
// window runs past it). An empty window gives 0 / 0 = NaN.
inline std::vector<float> avg_pool2d(const inlay::kernels::Pool2dParams& p,
                                     const std::vector<float>& x) {
  const std::size_t oh =
      pool_out(p.in_h, p.pad_top, p.pad_bottom, p.kernel_h, p.stride_h, p.dilation_h, p.ceil_mode);
  const std::size_t ow =
      pool_out(p.in_w, p.pad_left, p.pad_right, p.kernel_w, p.stride_w, p.dilation_w, p.ceil_mode);
  const long ph = long(p.in_h + p.pad_top + p.pad_bottom);
  const long pw = long(p.in_w + p.pad_left + p.pad_right);
  std::vector<float> y;
  for (std::size_t c = 0; c < p.batch * p.channels; ++c)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        double sum = 0;
        std::size_t inside = 0, padded = 0;
        for (std::size_t ki = 0; ki < p.kernel_h; ++ki)
          for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
            const long py = long(oy * p.stride_h + ki * p.dilation_h);  // padded coordinates
            const long px = long(ox * p.stride_w + kj * p.dilation_w);
            if (py < ph && px < pw) ++padded;
            const long iy = py - long(p.pad_top), ix = px - long(p.pad_left);
            if (iy < 0 || ix < 0 || iy >= long(p.in_h) || ix >= long(p.in_w)) continue;
            sum += x[(c * p.in_h + std::size_t(iy)) * p.in_w + std::size_t(ix)];
            ++inside;
          }
        y.push_back(float(sum / double(p.count_include_pad ? padded : inside)));
      }
  return y;
}

inline std::vector<float> global_avg_pool(const std::vector<float>& x, std::size_t planes,
                                          std::size_t spatial) {
  std::vector<float> y(planes);
  for (std::size_t c = 0; c < planes; ++c) {
    double s = 0;
    for (std::size_t i = 0; i < spatial; ++i) s += x[c * spatial + i];
    y[c] = float(s / double(spatial));
  }
  return y;
}

// -inf for an empty plane; NaN when the plane holds one.
inline std::vector<float> global_max_pool(const std::vector<float>& x, std::size_t planes,
                                          std::size_t spatial) {
  std::vector<float> y(planes, -std::numeric_limits<float>::infinity());
  for (std::size_t c = 0; c < planes; ++c)
    for (std::size_t i = 0; i < spatial; ++i) {
      const float v = x[c * spatial + i];
      if (std::isnan(v) || v > y[c]) y[c] = v;
      if (std::isnan(y[c])) break;
    }
  return y;
}

}  // namespace inlay_ref
