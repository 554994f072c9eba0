// Plain scalar reference of the normalizations (norm.hpp), computed in double with a two-pass
// variance.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace inlay_ref {

// Normalizes n values at x (stride 1) into y with per-element scale and bias from the callables.
struct MeanInvStd {
  double mean, inv_std;
};
inline MeanInvStd moments(const float* x, std::size_t n, float eps) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += x[i];
  const double mean = s / static_cast<double>(n);
  double v = 0.0;
  for (std::size_t i = 0; i < n; ++i) v += (x[i] - mean) * (x[i] - mean);
  v /= static_cast<double>(n);
  return {mean, 1.0 / std::sqrt(v + static_cast<double>(eps))};
}

inline std::vector<float> batch_norm(const std::vector<float>& x, std::size_t batch,
                                     std::size_t channels, std::size_t spatial,
                                     const std::vector<float>& mean, const std::vector<float>& var,
                                     const float* scale, const float* bias, float eps) {
  std::vector<float> y(x.size());
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t i = 0; i < spatial; ++i) {
        const std::size_t at = (n * channels + c) * spatial + i;
        const double g = scale ? scale[c] : 1.0, b = bias ? bias[c] : 0.0;
        y[at] = static_cast<float>(g * (x[at] - mean[c]) / std::sqrt(double(var[c]) + eps) + b);
      }
  return y;
}

inline std::vector<float> layer_norm(const std::vector<float>& x, std::size_t rows,
                                     std::size_t cols, const float* scale, const float* bias,
                                     float eps, std::vector<float>* mean_out = nullptr,
                                     std::vector<float>* inv_std_out = nullptr) {
  std::vector<float> y(x.size());
  for (std::size_t r = 0; r < rows; ++r) {
    const MeanInvStd m = moments(x.data() + r * cols, cols, eps);
    if (mean_out) mean_out->push_back(static_cast<float>(m.mean));
    if (inv_std_out) inv_std_out->push_back(static_cast<float>(m.inv_std));
    for (std::size_t i = 0; i < cols; ++i) {
      const double t = (x[r * cols + i] - m.mean) * m.inv_std;
      y[r * cols + i] = static_cast<float>(t * (scale ? scale[i] : 1.0) + (bias ? bias[i] : 0.0));
    }
  }
  return y;
}

// instance norm is group norm with groups == channels.
inline std::vector<float> group_norm(const std::vector<float>& x, std::size_t batch,
                                     std::size_t channels, std::size_t spatial, std::size_t groups,
                                     const float* scale, const float* bias, float eps) {
  std::vector<float> y(x.size());
  const std::size_t per = channels / groups;
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t at = (n * channels + g * per) * spatial;
      const MeanInvStd m = moments(x.data() + at, per * spatial, eps);
      for (std::size_t c = g * per; c < (g + 1) * per; ++c)
        for (std::size_t i = 0; i < spatial; ++i) {
          const std::size_t k = (n * channels + c) * spatial + i;
          const double t = (x[k] - m.mean) * m.inv_std;
          y[k] = static_cast<float>(t * (scale ? scale[c] : 1.0) + (bias ? bias[c] : 0.0));
        }
    }
  return y;
}

}  // namespace inlay_ref
