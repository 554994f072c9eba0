// Recurrent cells: one time step of an LSTM or a GRU for one row, after the matrix products.
// Shared by the graph door's LSTM/GRU operators (graph/ops/recurrent.hpp) and the typed door's
// nn::LSTM / nn::GRU, so both run the same gate math. Gate order and formulas follow the ONNX
// operator specification (https://onnx.ai/onnx/operators/onnx__LSTM.html, onnx__GRU.html):
// LSTM gates i, o, f, c; GRU gates z, r, h with linear_before_reset = 1 (as PyTorch).
// Built on the SIMD unary kernel: the three sigmoid gates of an LSTM are contiguous and take
// one call.
#ifndef INLAY_KERNELS_RECURRENT_HPP
#define INLAY_KERNELS_RECURRENT_HPP

#include <cstddef>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

// LSTM step. gates [4 * hidden]: the pre-activations W x + R h + biases in the order i, o, f, c;
// replaced by sigmoid(i), sigmoid(o), sigmoid(f), tanh(c). Then
//   c = f * c_prev + i * tanh(c~),  tanh_c = tanh(c),  h = o * tanh_c.
// c may alias c_prev; tanh_c (hidden floats) is required (kept by training for backward).
void lstm_cell_f32(float* gates, const float* c_prev, float* c, float* tanh_c, float* h,
                   std::size_t hidden);

// GRU step with linear_before_reset = 1, gates z, r, h. x_proj [3 * hidden]: W x + Wb. gates
// [3 * hidden]: R h_prev + Rb_h for h; for z and r, Rb goes into either of the two (they are
// summed). gates is replaced by z, r and n where
//   z = sigmoid(x_z + g_z), r = sigmoid(x_r + g_r), n = tanh(x_h + r * g_h),
//   h = (1 - z) * n + z * h_prev.
// h may alias h_prev. recurrent_h (may be null) receives g_h before it is overwritten
// (training keeps it for backward).
void gru_cell_f32(const float* x_proj, float* gates, const float* h_prev, float* h,
                  float* recurrent_h, std::size_t hidden);

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_RECURRENT_HPP
