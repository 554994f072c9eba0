// Dense (fully connected) layer: y = x W + b with W [In, Out], running kernels::gemm_f32.
// With quantization-aware training on (`qat.enabled`, see nn::enable_qat), x and W are fake
// quantized first (nn/fake_quant.hpp) and the export writes the QDQ form.
#ifndef INLAY_NN_DENSE_HPP
#define INLAY_NN_DENSE_HPP

#include <string>
#include <vector>

#include "inlay/kernels/gemm.hpp"
#include "inlay/nn/core.hpp"
#include "inlay/nn/fake_quant.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// Fills w[0..n) uniformly in [-limit, limit) from rng.
void init_uniform(data::Rng& rng, float* w, std::size_t n, float limit);
// Glorot/Xavier uniform limit sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, AISTATS 2010).
float glorot_limit(std::size_t fan_in, std::size_t fan_out);
// db[j] = sum over rows of dy[row][j], dy being rows x cols (kernels::reduce_f32).
void sum_rows(const float* dy, float* db, std::size_t rows, std::size_t cols);
// ONNX Gemm(input, W, b) with W [in, out] and b [out] as initializers; returns the output name.
std::string export_dense(ExportContext& ctx, const float* w, const float* b, std::size_t in,
                         std::size_t out, const std::string& input);
// QuantizeLinear -> DequantizeLinear on the input (the learned range), Gemm with the int8 weight
// and int32 bias behind DequantizeLinear; returns the output's name.
std::string export_dense_qdq(ExportContext& ctx, const float* w, const float* b, std::size_t in,
                             std::size_t out, const QatState& qat, const std::string& input);

template <std::size_t In, std::size_t Out>
class Dense {
  static_assert(In > 0 && Out > 0, "inlay::nn::Dense<In, Out>: sizes must be positive");

 public:
  using expects = Dims<In>;
  using in_shape = Dims<In>;
  using out_shape = Dims<Out>;
  template <class Shape>
  using bind = Dense;

  std::vector<float> weight = std::vector<float>(In * Out);  // [In, Out] row-major
  std::vector<float> bias = std::vector<float>(Out);
  std::vector<float> weight_grad = std::vector<float>(In * Out);
  std::vector<float> bias_grad = std::vector<float>(Out);
  QatState qat;

  void reserve(std::size_t batch) {
    if (qat.enabled) {
      qat.input_q.reserve(batch * In);
      qat.weight_q.resize(In * Out);
    }
  }
  void forward(const float* x, float* y, std::size_t batch, const RunContext& ctx) {
    const float* a = x;
    const float* w = weight.data();
    if (qat.enabled) {
      qat.fake_quantize(x, batch * In, weight.data(), In, Out, 1,
                        ctx.training);  // one scale per output column
      a = qat.input_q.data();
      w = qat.weight_q.data();
    }
    kernels::GemmEpilogue epilogue;
    epilogue.bias = bias.data();
    epilogue.bias_kind = kernels::BiasKind::per_column;
    kernels::gemm_f32(false, false, batch, Out, In, 1.0f, a, In, w, Out, 0.0f, y, Out, epilogue,
                      ctx.executor);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, std::size_t batch) {
    // dW = x^T dy, db = column sums of dy, dx = dy W^T. Under QAT x and W are their fake-quantized
    // values; the straight-through estimator passes dW on unchanged (every weight lies inside its
    // channel's symmetric range) and zeroes dx where x fell outside the input's range.
    const bool q = qat.enabled;
    const float* a = q ? qat.input_q.data() : x;
    const float* w = q ? qat.weight_q.data() : weight.data();
    kernels::gemm_f32(true, false, In, Out, batch, 1.0f, a, In, dy, Out, 0.0f, weight_grad.data(),
                      Out);
    sum_rows(dy, bias_grad.data(), batch, Out);
    if (dx != nullptr) {
      kernels::gemm_f32(false, true, batch, In, Out, 1.0f, dy, Out, w, Out, 0.0f, dx, In);
      if (q) qat.input.pass_gradient(x, dx, batch * In);
    }
  }
  template <class F>
  void for_each_param(F&& f) {
    f(Param{"weight", weight.data(), weight_grad.data(), weight.size(), true});
    f(Param{"bias", bias.data(), bias_grad.data(), bias.size(), false});
  }
  void init(data::Rng& rng) {
    init_uniform(rng, weight.data(), weight.size(), glorot_limit(In, Out));
    for (float& b : bias) b = 0.0f;
  }
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    if (qat.enabled) {
      return export_dense_qdq(ctx, weight.data(), bias.data(), In, Out, qat, input);
    }
    return export_dense(ctx, weight.data(), bias.data(), In, Out, input);
  }
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_DENSE_HPP
