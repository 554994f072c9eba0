// Built against single_include/ alone (plus Highway): the vendoring path of the README.
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  std::vector<float> a = {1, 2, 3, 4, 5, 6};  // 2 x 3
  std::vector<float> b = {1, 0, 0, 1, 1, 1};  // 3 x 2
  std::vector<float> c(4);
  inlay::kernels::gemm_f32(false, false, 2, 2, 3, 1.0f, a.data(), 3, b.data(), 2, 0.0f, c.data(),
                           2);
  const float expected[4] = {4, 5, 10, 11};
  for (int i = 0; i < 4; ++i) {
    if (std::fabs(c[i] - expected[i]) > 1e-6f) {
      std::printf("single header: gemm gave %f at %d, expected %f\n", c[i], i, expected[i]);
      return 1;
    }
  }
  std::vector<float> x = {-1.0f, 0.5f, 2.0f};
  inlay::kernels::unary_f32(x.data(), x.data(), x.size(), inlay::kernels::Activation::relu());
  if (x[0] != 0.0f || x[1] != 0.5f || x[2] != 2.0f) {
    std::printf("single header: relu gave %f %f %f\n", x[0], x[1], x[2]);
    return 1;
  }
  std::printf("single header OK on CPU target %s\n", inlay::cpu_target());
  return 0;
}
