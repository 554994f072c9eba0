// 8-bit models from the typed door, exported as QDQ ONNX (the format of inlay::quantize, which the
// graph door fuses into int8 kernels and ONNX Runtime runs):
//
//   Post-training quantization: a trained network and calibration rows, in one call:
//     nn::OnnxOptions options;
//     options.quantization.calibration = x_train;  // f32 [n, in dims...]
//     nn::save_onnx(net, "model_int8.onnx", options);
//   (the float export quantized by inlay::quantize: per-channel symmetric int8 weights, u8 or s8
//   activations from the min/max seen on the rows).
//
//   Quantization-aware training: fine-tune a trained network with fake quantization, then export:
//     nn::enable_qat(net, x_train);  // ranges start from the rows' min/max
//     options.init_weights = false;  // keep the trained weights
//     nn::fit(net, x_train, y, nn::CrossEntropy(), adam, options);
//     nn::save_onnx(net, "model_qat.onnx");  // QDQ with the learned ranges
//   Dense and convolution layers (Conv2D, DepthwiseConv2D, Conv1D; also inside nested Sequential,
//   Residual and TimeDistributed blocks) fake-quantize their input and weights
//   (nn/fake_quant.hpp); other layers stay float.
#ifndef INLAY_NN_QUANTIZATION_HPP
#define INLAY_NN_QUANTIZATION_HPP

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/nn/fake_quant.hpp"
#include "inlay/quantize/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// Post-training quantization of an export (OnnxOptions::quantization); off while calibration is
// empty.
struct PostTrainingQuantization {
  Tensor calibration;       // f32 [n, in dims...]: the rows whose activation ranges are used
  QuantizeOptions options;  // the graph door quantizer's options (signed activations, ...)
};

// The float export `model_bytes` of a network quantized on `ptq.calibration`. Errors:
// invalid_argument when the calibration rows do not fit the network (naming the shapes), or when
// the export is QDQ already (a network under quantization-aware training).
QuantizedModel quantize_export(const std::string& model_bytes,
                               const std::vector<std::int64_t>& input_dims,
                               const PostTrainingQuantization& ptq);

struct QatOptions {
  float momentum = 0.9f;            // moving average of the activation ranges while training
  bool signed_activations = false;  // s8 activations instead of u8
  std::size_t batch_size = 256;     // rows per forward pass while calibrating
  // Weights in [-63, 63] (7 bits), as QuantizeOptions::reduce_range: ONNX Runtime's x86 int8
  // kernels without VNNI sum u8 x s8 products in pairs into int16 and saturate otherwise.
  bool reduce_range = false;
};

namespace detail {
template <class L, class = void>
struct has_qat : std::false_type {};
template <class L>
struct has_qat<L, std::void_t<decltype(std::declval<L&>().qat)>> : std::true_type {};
template <class L, class = void>
struct has_layers : std::false_type {};
template <class L>
struct has_layers<
    L, std::void_t<decltype(std::declval<L&>().for_each_layer(std::declval<void (*)(int&)>()))>>
    : std::true_type {};
template <class L, class = void>
struct has_block : std::false_type {};
template <class L>
struct has_block<L, std::void_t<decltype(std::declval<L&>().block)>> : std::true_type {};
template <class L, class = void>
struct has_inner_layer : std::false_type {};  // TimeDistributed
template <class L>
struct has_inner_layer<L, std::void_t<decltype(&L::layer)>>
    : std::is_member_object_pointer<decltype(&L::layer)> {};

// Calls f(state) for the QatState of every layer of `layer`, nested blocks included.
template <class L, class F>
void each_qat_state(L& layer, F& f) {
  if constexpr (has_qat<L>::value) f(layer.qat);
  if constexpr (has_block<L>::value) each_qat_state(layer.block, f);
  if constexpr (has_inner_layer<L>::value) each_qat_state(layer.layer, f);
  if constexpr (has_layers<L>::value) layer.for_each_layer([&](auto& l) { each_qat_state(l, f); });
}
}  // namespace detail

// Turns quantization-aware training on for every Dense and convolution of `net` and sets each input
// range to the min/max seen while the network runs on `calibration` (f32 [n, in dims...]; when
// empty: the first training batch sets the ranges then). Returns the number of layers switched.
template <class Net>
std::size_t enable_qat(Net& net, const Tensor& calibration = Tensor(),
                       const QatOptions& options = {}) {
  std::size_t count = 0;
  auto on = [&](QatState& s) {
    s.enabled = true;
    s.calibrating = true;
    s.input = ActivationQuantizer();
    s.input.momentum = options.momentum;
    s.input.is_signed = options.signed_activations;
    s.weight_qmax = options.reduce_range ? 63.0f : 127.0f;
    ++count;
  };
  detail::each_qat_state(net, on);
  if (!calibration.empty()) {
    if (calibration.dtype() != DType::f32 || calibration.rank() == 0 ||
        static_cast<std::size_t>(calibration.numel()) !=
            static_cast<std::size_t>(calibration.shape()[0]) * Net::in_size) {
      fail(ErrorKind::invalid_argument, "nn::enable_qat: calibration rows of shape " +
                                            calibration.shape().to_string() + " are not f32 [n, " +
                                            std::to_string(Net::in_size) + " values per row]");
    }
    const std::size_t n = static_cast<std::size_t>(calibration.shape()[0]);
    const std::size_t step = std::max<std::size_t>(1, options.batch_size);
    std::vector<float> y(std::min(n, step) * Net::out_size);
    for (std::size_t row = 0; row < n; row += step) {
      const std::size_t rows = std::min(step, n - row);
      net.forward(calibration.data<float>() + row * Net::in_size, rows, y.data());
    }
  }
  auto done = [](QatState& s) { s.calibrating = false; };
  detail::each_qat_state(net, done);
  return count;
}

// Back to the float forward (the learned ranges are kept until enable_qat runs again).
template <class Net>
void disable_qat(Net& net) {
  auto off = [](QatState& s) { s.enabled = false; };
  detail::each_qat_state(net, off);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_QUANTIZATION_HPP
