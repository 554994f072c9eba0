// Definitions of the recurrent cells (kernels/recurrent.hpp); included by the implementation
// unit with the core.
#ifndef INLAY_KERNELS_RECURRENT_IMPLEMENTATION_HPP
#define INLAY_KERNELS_RECURRENT_IMPLEMENTATION_HPP

#include <cstring>

#include "inlay/kernels/elementwise.hpp"
#include "inlay/kernels/recurrent.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

void lstm_cell_f32(float* gates, const float* c_prev, float* c, float* tanh_c, float* h,
                   std::size_t hidden) {
  const std::size_t n = hidden;
  unary_f32(gates, gates, 3 * n, Activation::sigmoid());  // i, o, f
  unary_f32(gates + 3 * n, gates + 3 * n, n, Activation::tanh());
  const float* i = gates;
  const float* o = gates + n;
  const float* f = gates + 2 * n;
  const float* g = gates + 3 * n;
  for (std::size_t k = 0; k < n; ++k) c[k] = f[k] * c_prev[k] + i[k] * g[k];
  unary_f32(c, tanh_c, n, Activation::tanh());
  for (std::size_t k = 0; k < n; ++k) h[k] = o[k] * tanh_c[k];
}

void gru_cell_f32(const float* x_proj, float* gates, const float* h_prev, float* h,
                  float* recurrent_h, std::size_t hidden) {
  const std::size_t n = hidden;
  for (std::size_t k = 0; k < 2 * n; ++k) gates[k] += x_proj[k];
  unary_f32(gates, gates, 2 * n, Activation::sigmoid());  // z, r
  const float* z = gates;
  const float* r = gates + n;
  float* hh = gates + 2 * n;
  if (recurrent_h != nullptr) std::memcpy(recurrent_h, hh, n * sizeof(float));
  for (std::size_t k = 0; k < n; ++k) hh[k] = x_proj[2 * n + k] + r[k] * hh[k];
  unary_f32(hh, hh, n, Activation::tanh());
  for (std::size_t k = 0; k < n; ++k) h[k] = (1.0f - z[k]) * hh[k] + z[k] * h_prev[k];
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_RECURRENT_IMPLEMENTATION_HPP
