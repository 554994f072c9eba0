// Convolution layers in NCHW: Conv2D, DepthwiseConv2D and Conv1D (a Conv2D of height 1). Forward
// runs through kernels::Conv2dPlan, as the graph door's Conv does (Winograd for large 3x3 layers at
// inference); backward is im2col + gemm_f32. With quantization-aware training on (`qat.enabled`,
// see nn::enable_qat), the input and the weights (one scale per output channel) are fake
// quantized first, as Dense does, and the export writes the QDQ form.
#ifndef INLAY_NN_CONV_HPP
#define INLAY_NN_CONV_HPP

#include <algorithm>
#include <string>
#include <vector>

#include "inlay/core/shape.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/conv_plan.hpp"
#include "inlay/nn/core.hpp"
#include "inlay/nn/fake_quant.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// dW and db (overwritten) and dx (may be null; overwritten) of a grouped convolution with
// p.batch images; scratch holds conv_backward_scratch_size(p) floats.
std::size_t conv_backward_scratch_size(const kernels::Conv2dParams& p);
void conv2d_backward(const kernels::Conv2dParams& p, const float* x, const float* w,
                     const float* dy, float* dw, float* db, float* dx, float* scratch);
// ONNX Conv with W [out, in / groups, kh, kw] (or [out, in / groups, k] when one_d).
std::string export_conv(ExportContext& ctx, const kernels::Conv2dParams& p, const float* w,
                        const float* b, bool one_d, const std::string& input);
// The weight's shape in that layout, and the Conv node of the layer on named weight and bias.
Shape conv_weight_shape(const kernels::Conv2dParams& p, bool one_d);
std::string export_conv_node(ExportContext& ctx, const kernels::Conv2dParams& p, bool one_d,
                             const std::string& input, const std::string& weight,
                             const std::string& bias);
// QuantizeLinear -> DequantizeLinear on the input (the learned range), Conv with the int8 weight
// (one scale per output channel) and int32 bias behind DequantizeLinear.
std::string export_conv_qdq(ExportContext& ctx, const kernels::Conv2dParams& p, const float* w,
                            const float* b, bool one_d, const QatState& qat,
                            const std::string& input);
// Fills w (fan_in = in_channels / groups * kh * kw per output) with Glorot uniform.
void init_conv(data::Rng& rng, const kernels::Conv2dParams& p, float* w, float* b);

namespace detail {
// The shared body of the convolution layers: parameters, forward, backward, export.
template <std::size_t InC, std::size_t OutC, std::size_t KH, std::size_t KW, std::size_t SH,
          std::size_t SW, std::size_t PH, std::size_t PW, std::size_t Groups, std::size_t H,
          std::size_t W, bool OneD>
class ConvBody {
 public:
  static constexpr std::size_t out_h = (H + 2 * PH - KH) / SH + 1;
  static constexpr std::size_t out_w = (W + 2 * PW - KW) / SW + 1;
  static_assert(H + 2 * PH >= KH && W + 2 * PW >= KW,
                "inlay::nn convolution: the kernel is larger than the padded input");
  static_assert(InC % Groups == 0 && OutC % Groups == 0,
                "inlay::nn convolution: channels must be divisible by the groups");
  static constexpr std::size_t in_size = InC * H * W;

  std::vector<float> weight = std::vector<float>(OutC * (InC / Groups) * KH * KW);
  std::vector<float> bias = std::vector<float>(OutC);
  std::vector<float> weight_grad = std::vector<float>(weight.size());
  std::vector<float> bias_grad = std::vector<float>(OutC);
  QatState qat;

  ConvBody() { reserve(1); }

  // The scratch and the prepared weights for `batch` images (the plan's choice depends on the
  // batch; the scratch of each choice does not), so forward allocates nothing.
  void reserve(std::size_t batch) {
    const kernels::Conv2dParams one = params(1), all = params(batch);
    std::size_t size =
        std::max(training_plan_.workspace_size_f32(one), training_plan_.workspace_size_f32(all));
    size = std::max({size, plan_.workspace_size_f32(one), plan_.workspace_size_f32(all)});
    if (workspace_.size() < size) workspace_.resize(size);
    plan_.reserve(all);
    if (qat.enabled) {
      qat.input_q.reserve(batch * in_size);
      qat.weight_q.resize(weight.size());
    }
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    const kernels::Conv2dParams p = params(batch);
    const float* a = x;
    const float* w = weight.data();
    if (qat.enabled) {
      qat.fake_quantize(x, batch * in_size, weight.data(), 1, OutC, weight.size() / OutC,
                        ctx.training);  // one scale per output channel
      a = qat.input_q.data();
      w = qat.weight_q.data();
    }
    // Training changes the weights on every step (and QAT's rounded copy with them): nothing is
    // prepared from them then. At inference the plan compares the weights with those its
    // prepared form stands for (they are public and may be written at any time).
    const kernels::Conv2dPlan& plan = ctx.training || qat.enabled ? training_plan_ : plan_;
    if (workspace_.size() < plan.workspace_size_f32(p)) reserve(batch);
    plan.run(p, w, a, bias.data(), y, workspace_.data(), {}, ctx.executor);
  }
  // Under QAT the gradients are those of the fake-quantized input and weights, and the
  // straight-through estimator zeroes dx where x fell outside the input's range (as Dense).
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    const kernels::Conv2dParams p = params(batch);
    const bool q = qat.enabled;
    scratch_.resize(conv_backward_scratch_size(p));  // training only
    conv2d_backward(p, q ? qat.input_q.data() : x, q ? qat.weight_q.data() : weight.data(), dy,
                    weight_grad.data(), bias_grad.data(), dx, scratch_.data());
    if (q && dx != nullptr) qat.input.pass_gradient(x, dx, batch * in_size);
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"weight", weight.data(), weight_grad.data(), weight.size(), true});
    f(Param{"bias", bias.data(), bias_grad.data(), bias.size(), false});
  }
  void init(data::Rng& rng) { init_conv(rng, params(1), weight.data(), bias.data()); }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    if (qat.enabled) {
      return export_conv_qdq(ctx, params(1), weight.data(), bias.data(), OneD, qat, input);
    }
    return export_conv(ctx, params(1), weight.data(), bias.data(), OneD, input);
  }

  static kernels::Conv2dParams params(std::size_t batch) {
    kernels::Conv2dParams p;
    p.batch = batch;
    p.in_channels = InC;
    p.in_h = H;
    p.in_w = W;
    p.out_channels = OutC;
    p.kernel_h = KH;
    p.kernel_w = KW;
    p.stride_h = SH;
    p.stride_w = SW;
    p.pad_top = p.pad_bottom = PH;
    p.pad_left = p.pad_right = PW;
    p.groups = Groups;
    return p;
  }

 private:
  kernels::Conv2dPlan plan_{kernels::Conv2dWeights::checked};
  kernels::Conv2dPlan training_plan_{kernels::Conv2dWeights::changing};
  std::vector<float> workspace_, scratch_;
};

template <class In>
struct image_dims {
  static_assert(sizeof(In) == 0,
                "inlay::nn convolution/pooling: the input must be an image Dims<C, H, W>");
};
template <std::size_t C, std::size_t H, std::size_t W>
struct image_dims<Dims<C, H, W>> {
  static constexpr std::size_t c = C, h = H, w = W;
};
template <class In>
struct sequence_dims {
  static_assert(sizeof(In) == 0, "inlay::nn::Conv1D: the input must be Dims<C, L>");
};
template <std::size_t C, std::size_t L>
struct sequence_dims<Dims<C, L>> {
  static constexpr std::size_t c = C, l = L;
};
template <std::size_t Expected, std::size_t Got>
struct check_channels {
  static_assert(Expected == Got,
                "inlay::nn convolution: the input's channel count (Got) differs from the "
                "layer's in_channels (Expected); see check_channels<Expected, Got>");
  static constexpr bool ok = true;
};
}  // namespace detail

// Conv2D<in_channels, out_channels, kernel, stride = 1, padding = 0> on Dims<C, H, W> images
// (square kernel, same padding on every side, weights [out, in, k, k] as ONNX).
template <std::size_t InC, std::size_t OutC, std::size_t K, std::size_t Stride = 1,
          std::size_t Pad = 0, class In = void>
class Conv2D
    : public detail::ConvBody<InC, OutC, K, K, Stride, Stride, Pad, Pad, 1,
                              detail::image_dims<In>::h, detail::image_dims<In>::w, false> {
  static_assert(detail::check_channels<InC, detail::image_dims<In>::c>::ok, "");
  using body = detail::ConvBody<InC, OutC, K, K, Stride, Stride, Pad, Pad, 1,
                                detail::image_dims<In>::h, detail::image_dims<In>::w, false>;

 public:
  using in_shape = In;
  using out_shape = Dims<OutC, body::out_h, body::out_w>;
  template <class Shape>
  using bind = Conv2D<InC, OutC, K, Stride, Pad, Shape>;
};
template <std::size_t InC, std::size_t OutC, std::size_t K, std::size_t Stride, std::size_t Pad>
class Conv2D<InC, OutC, K, Stride, Pad, void> {
 public:
  template <class Shape>
  using bind = Conv2D<InC, OutC, K, Stride, Pad, Shape>;
};

// DepthwiseConv2D<channels, kernel, stride = 1, padding = 0>: one k x k filter per channel.
template <std::size_t C, std::size_t K, std::size_t Stride = 1, std::size_t Pad = 0,
          class In = void>
class DepthwiseConv2D
    : public detail::ConvBody<C, C, K, K, Stride, Stride, Pad, Pad, C, detail::image_dims<In>::h,
                              detail::image_dims<In>::w, false> {
  static_assert(detail::check_channels<C, detail::image_dims<In>::c>::ok, "");
  using body = detail::ConvBody<C, C, K, K, Stride, Stride, Pad, Pad, C, detail::image_dims<In>::h,
                                detail::image_dims<In>::w, false>;

 public:
  using in_shape = In;
  using out_shape = Dims<C, body::out_h, body::out_w>;
  template <class Shape>
  using bind = DepthwiseConv2D<C, K, Stride, Pad, Shape>;
};
template <std::size_t C, std::size_t K, std::size_t Stride, std::size_t Pad>
class DepthwiseConv2D<C, K, Stride, Pad, void> {
 public:
  template <class Shape>
  using bind = DepthwiseConv2D<C, K, Stride, Pad, Shape>;
};

// Conv1D<in_channels, out_channels, kernel, stride = 1, padding = 0> on Dims<C, L> sequences.
template <std::size_t InC, std::size_t OutC, std::size_t K, std::size_t Stride = 1,
          std::size_t Pad = 0, class In = void>
class Conv1D : public detail::ConvBody<InC, OutC, 1, K, 1, Stride, 0, Pad, 1, 1,
                                       detail::sequence_dims<In>::l, true> {
  static_assert(detail::check_channels<InC, detail::sequence_dims<In>::c>::ok, "");
  using body = detail::ConvBody<InC, OutC, 1, K, 1, Stride, 0, Pad, 1, 1,
                                detail::sequence_dims<In>::l, true>;

 public:
  using in_shape = In;
  using out_shape = Dims<OutC, body::out_w>;
  template <class Shape>
  using bind = Conv1D<InC, OutC, K, Stride, Pad, Shape>;
};
template <std::size_t InC, std::size_t OutC, std::size_t K, std::size_t Stride, std::size_t Pad>
class Conv1D<InC, OutC, K, Stride, Pad, void> {
 public:
  template <class Shape>
  using bind = Conv1D<InC, OutC, K, Stride, Pad, Shape>;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_CONV_HPP
