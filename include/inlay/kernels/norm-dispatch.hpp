// Entry points of the normalization kernels (see norm.hpp): each checks its parameters, then
// calls the body compiled for the CPU target in use. Compiled once, in the implementation
// translation unit.
#ifndef INLAY_KERNELS_NORM_DISPATCH_HPP
#define INLAY_KERNELS_NORM_DISPATCH_HPP

#include <cmath>
#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/norm.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(batch_norm_f32);
INLAY_EXPORT(layer_norm_f32);
INLAY_EXPORT(instance_norm_f32);
INLAY_EXPORT(group_norm_f32);

namespace detail_norm {
// eps must be a number >= 0 (a negative one can make var + eps negative: NaN outputs).
inline void check_eps(const char* function, float eps) {
  if (!(eps >= 0.0f) || std::isinf(eps)) {
    fail(ErrorKind::invalid_argument,
         std::string(function) + ": eps must be finite and >= 0, got " + std::to_string(eps));
  }
}
}  // namespace detail_norm

void batch_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                    std::size_t spatial, const float* mean, const float* var, const float* scale,
                    const float* bias, float eps) {
  detail_norm::check_eps("batch_norm_f32", eps);
  if (channels > 0 && (!mean || !var)) {
    fail(ErrorKind::invalid_argument, "batch_norm_f32: mean and var are required (got null)");
  }
  if (batch == 0 || channels == 0 || spatial == 0) return;
  INLAY_DISPATCH(batch_norm_f32)(x, y, batch, channels, spatial, mean, var, scale, bias, eps);
}

void layer_norm_f32(const float* x, float* y, std::size_t rows, std::size_t cols,
                    const float* scale, const float* bias, float eps, float* mean_out,
                    float* inv_std_out) {
  detail_norm::check_eps("layer_norm_f32", eps);
  if (rows == 0) return;
  INLAY_DISPATCH(layer_norm_f32)(x, y, rows, cols, scale, bias, eps, mean_out, inv_std_out);
}

void instance_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                       std::size_t spatial, const float* scale, const float* bias, float eps) {
  detail_norm::check_eps("instance_norm_f32", eps);
  if (batch == 0 || channels == 0) return;
  INLAY_DISPATCH(instance_norm_f32)(x, y, batch, channels, spatial, scale, bias, eps);
}

void group_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                    std::size_t spatial, std::size_t groups, const float* scale, const float* bias,
                    float eps) {
  detail_norm::check_eps("group_norm_f32", eps);
  if (groups == 0 || channels % groups != 0) {
    fail(ErrorKind::invalid_argument, "group_norm_f32: groups (" + std::to_string(groups) +
                                          ") must be > 0 and divide channels (" +
                                          std::to_string(channels) + ")");
  }
  if (batch == 0 || channels == 0) return;
  INLAY_DISPATCH(group_norm_f32)(x, y, batch, channels, spatial, groups, scale, bias, eps);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_NORM_DISPATCH_HPP
