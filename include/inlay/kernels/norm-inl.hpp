// Per-target bodies of the normalization kernels (see norm.hpp). Re-included once per CPU target.
#if defined(INLAY_KERNELS_NORM_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_NORM_INL_HPP
#undef INLAY_KERNELS_NORM_INL_HPP
#else
#define INLAY_KERNELS_NORM_INL_HPP
#endif

#include <cmath>
#include <cstddef>

#include <hwy/highway.h>

#include "inlay/kernels/norm.hpp"
#include "inlay/kernels/row_ops-inl.hpp"  // RowReduce, SumDeviations, ScaleShift

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Mean and 1/sqrt(var + eps) of n contiguous floats. The corrected two-pass algorithm (Chan,
// Golub, LeVeque, "Algorithms for computing the sample variance", 1983, eq. 1.7): with m0 the
// float mean of the first pass and d = x - m0, mean = m0 + sum(d) / n and
// var = (sum(d^2) - sum(d)^2 / n) / n; accurate when |mean| >> spread, unlike E[x^2] - E[x]^2.
// Outputs use (x - m0) - sum(d) / n, which keeps the digits that the rounding of m0 would lose.
struct Moments {
  float m0, correction, inv_std;
};
inline Moments MomentsOf(const float* x, std::size_t n, float eps) {
  const float count = static_cast<float>(n);
  const float m0 = RowReduce(Acc::sum, x, n) / count;
  const Deviations dv = SumDeviations(x, n, m0);
  const float c = dv.sum / count;
  const float var = (dv.sum_sq - dv.sum * c) / count;
  return {m0, c, 1.0f / std::sqrt((var < 0.0f ? 0.0f : var) + eps)};  // NaN stays NaN
}

void batch_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                    std::size_t spatial, const float* mean, const float* var, const float* scale,
                    const float* bias, float eps) {
  // y = (x - mean) * a + bias: subtracting the mean first costs one more op than folding into
  // x * a + b but keeps the digits that folding cancels when |mean| >> |x - mean|.
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t c = 0; c < channels; ++c) {
      const float a = (scale ? scale[c] : 1.0f) / std::sqrt(var[c] + eps);
      const std::size_t at = (n * channels + c) * spatial;
      ScaleShift(x + at, y + at, spatial, mean[c], a, bias ? bias[c] : 0.0f);
    }
  }
}

void layer_norm_f32(const float* x, float* y, std::size_t rows, std::size_t cols,
                    const float* scale, const float* bias, float eps, float* mean_out,
                    float* inv_std_out) {
  const hn::ScalableTag<float> d;
  const std::size_t L = hn::Lanes(d);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* p = x + r * cols;
    float* q = y + r * cols;
    const Moments mo = MomentsOf(p, cols, eps);
    if (mean_out) mean_out[r] = mo.m0 + mo.correction;
    if (inv_std_out) inv_std_out[r] = mo.inv_std;
    if (!scale && !bias) {
      ScaleShift(p, q, cols, mo.m0, mo.inv_std, -mo.correction * mo.inv_std);
      continue;
    }
    const auto m = hn::Set(d, mo.m0), mc = hn::Set(d, mo.correction);
    const auto is = hn::Set(d, mo.inv_std);
    const auto one = hn::Set(d, 1.0f);
    for (std::size_t i = 0; i < cols; i += L) {
      const std::size_t w = cols - i < L ? cols - i : L;
      const auto g = scale ? LoadN(d, scale + i, w) : one;
      const auto b = bias ? LoadN(d, bias + i, w) : hn::Zero(d);
      const auto t = hn::Mul(hn::Sub(hn::Sub(LoadN(d, p + i, w), m), mc), is);
      StoreN(d, hn::MulAdd(t, g, b), q + i, w);
    }
  }
}

// Each (n, group) block of channels/groups planes is normalized over its elements, then each
// channel is scaled and shifted: y = (x - m0) * a + b per plane.
inline void GroupNorm(const float* x, float* y, std::size_t batch, std::size_t channels,
                      std::size_t spatial, std::size_t groups, const float* scale,
                      const float* bias, float eps) {
  const std::size_t per = channels / groups;
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t c0 = g * per, at = (n * channels + c0) * spatial;
      const Moments mo = MomentsOf(x + at, per * spatial, eps);
      for (std::size_t c = c0; c < c0 + per; ++c) {
        const float a = (scale ? scale[c] : 1.0f) * mo.inv_std;
        const float b = (bias ? bias[c] : 0.0f) - mo.correction * a;
        const std::size_t pc = (n * channels + c) * spatial;
        ScaleShift(x + pc, y + pc, spatial, mo.m0, a, b);
      }
    }
  }
}

void instance_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                       std::size_t spatial, const float* scale, const float* bias, float eps) {
  GroupNorm(x, y, batch, channels, spatial, channels, scale, bias, eps);
}

void group_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                    std::size_t spatial, std::size_t groups, const float* scale, const float* bias,
                    float eps) {
  GroupNorm(x, y, batch, channels, spatial, groups, scale, bias, eps);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_NORM_INL_HPP
