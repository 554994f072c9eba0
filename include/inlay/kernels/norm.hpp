// Normalization: batch (inference form), layer, instance and group normalization.
// Tensors are seen as [batch, channels, spatial] (spatial = product of the remaining dimensions).
// scale and bias may be null everywhere (1 and 0). eps must be finite and >= 0, else inlay::Error
// (invalid_argument). Statistics of an empty row or group are NaN.
#ifndef INLAY_KERNELS_NORM_HPP
#define INLAY_KERNELS_NORM_HPP

#include <cstddef>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// y = scale[c] * (x - mean[c]) / sqrt(var[c] + eps) + bias[c]. x == y allowed.
void batch_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                    std::size_t spatial, const float* mean, const float* var, const float* scale,
                    const float* bias, float eps);

// Each of `rows` rows of `cols` values: y = (x - mean) / sqrt(var + eps) * scale + bias, with
// scale and bias of length cols (either may be null: 1 and 0). mean_out and inv_std_out (may be
// null) receive each row's mean and 1/sqrt(var + eps), for training. x == y allowed.
void layer_norm_f32(const float* x, float* y, std::size_t rows, std::size_t cols,
                    const float* scale, const float* bias, float eps, float* mean_out = nullptr,
                    float* inv_std_out = nullptr);

// Each (n, c) plane normalized over spatial, then scale[c] and bias[c]. x == y allowed.
void instance_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                       std::size_t spatial, const float* scale, const float* bias, float eps);

// Channels split in `groups` groups; each (n, group) normalized over its channels and spatial,
// then scale[c] and bias[c] per channel. x == y allowed.
void group_norm_f32(const float* x, float* y, std::size_t batch, std::size_t channels,
                    std::size_t spatial, std::size_t groups, const float* scale, const float* bias,
                    float eps);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_NORM_HPP
