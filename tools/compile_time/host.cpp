// A typical host translation unit: includes inlay and uses a tensor and a kernel, no
// implementation.
#include <inlay/inlay.hpp>

float host_function(const float* x, float* y, std::size_t n) {
  inlay::Tensor t = inlay::Tensor::view(x, {static_cast<std::int64_t>(n)});
  inlay::kernels::unary_f32(t.data<float>(), y, n, inlay::kernels::Activation::relu());
  return y[0];
}
