// Fake quantization for quantization-aware training (Jacob et al., "Quantization and Training of
// Neural Networks for Efficient Integer-Arithmetic-Only Inference", CVPR 2018): the forward pass
// rounds weights and activations to the 8-bit grid the exported QDQ model will use, in float, so
// that training sees the rounding; the backward pass treats the rounding as the identity inside
// the representable range and as a constant outside it (straight-through estimator, Bengio et al.
// 2013). The grids are those of inlay::quantize: activations asymmetric u8 (or s8) from a range
// that includes 0, weights symmetric int8 in [-127, 127] with one scale per output channel.
#ifndef INLAY_NN_FAKE_QUANT_HPP
#define INLAY_NN_FAKE_QUANT_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// The 8-bit grid of one activation: real = (q - zero_point) * scale, q in [qmin, qmax].
struct ActivationGrid {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
  std::int32_t qmin = 0, qmax = 255;
  float lowest() const { return static_cast<float>(qmin - zero_point) * scale; }
  float highest() const { return static_cast<float>(qmax - zero_point) * scale; }
};

// The range [min, max] of one activation, observed on the data that passes through it.
//   calibrating: the union of everything seen (the starting point of fine-tuning);
//   training: an exponential moving average of each batch's min and max (Jacob et al. 2018);
//   otherwise the range is fixed (set on the first batch if nothing was seen yet).
struct ActivationQuantizer {
  float min = 0.0f, max = 0.0f;
  bool observed = false;
  float momentum = 0.9f;   // weight of the old range in the moving average
  bool is_signed = false;  // s8 instead of u8

  void observe(const float* x, std::size_t n, bool moving_average);
  // Scale and zero point as inlay::quantize computes them from [min, max].
  ActivationGrid grid() const;
  // y = DequantizeLinear(QuantizeLinear(x)) on the grid (y may alias x).
  void apply(const float* x, float* y, std::size_t n) const;
  // Straight-through gradient: dx[i] is kept where x[i] lies on the grid's range, else set to 0.
  void pass_gradient(const float* x, float* dx, std::size_t n) const;
};

// y = the weight w [outer, channels, inner] rounded to symmetric int8 in [-qmax, qmax] with one
// scale per channel (max |w| over the channel / qmax; 1 for an all-zero channel), in float.
void fake_quant_weight(const float* w, float* y, std::size_t outer, std::size_t channels,
                       std::size_t inner, float qmax = 127.0f);

// The quantization-aware state a Dense (or other weight layer) carries; off by default. Buffers
// are sized by reserve(), so a forward pass allocates nothing.
struct QatState {
  bool enabled = false;
  bool calibrating = false;  // set by nn::enable_qat while it runs the calibration rows
  ActivationQuantizer input;
  float weight_qmax = 127.0f;  // 63 with QatOptions::reduce_range
  std::vector<float> input_q, weight_q;

  // The forward's operands under QAT: observes the range of x (n values) while training or
  // calibrating (or when none was seen yet), then writes input_q = x and weight_q = w [outer,
  // channels, inner] rounded to their grids. Allocates nothing within the reserved sizes.
  void fake_quantize(const float* x, std::size_t n, const float* w, std::size_t outer,
                     std::size_t channels, std::size_t inner, bool training);
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_FAKE_QUANT_HPP
