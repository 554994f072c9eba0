// The program every packaging consumer builds: y = relu(x W + b) with the GEMM epilogue, printed so
// the test can compare it with the hand-computed answer. The implementation unit comes from the
// build (inlay_add_implementation, or implementation.cpp for plain compiler commands).
#include <inlay/inlay.hpp>

#include <cstdio>
#include <vector>

int main() {
  namespace k = inlay::kernels;
  const std::vector<float> x = {1, 2, 3,      // 2 x 3
                                2, -1, 0.5f};
  const std::vector<float> w = {1, 0,  // 3 x 2
                                0, 1,
                                1, 1};
  const std::vector<float> b = {0.5f, -1};
  std::vector<float> y(4, -100.0f);
  k::GemmEpilogue epilogue;
  epilogue.bias = b.data();
  epilogue.bias_kind = k::BiasKind::per_column;
  epilogue.activation = k::Activation::relu();
  k::gemm_f32(false, false, 2, 2, 3, 1.0f, x.data(), 3, w.data(), 2, 0.0f, y.data(), 2, epilogue);
  // x W = [[4, 5], [2.5, -0.5]]; + b = [[4.5, 4], [3, -1.5]]; relu = [[4.5, 4], [3, 0]].
  std::printf("inlay %s consumer: y = %g %g %g %g (CPU target %s)\n", INLAY_VERSION_STRING, y[0],
              y[1], y[2], y[3], inlay::cpu_target());
  return y[0] == 4.5f && y[1] == 4.0f && y[2] == 3.0f && y[3] == 0.0f ? 0 : 1;
}
