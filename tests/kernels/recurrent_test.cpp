// The recurrent cells (kernels/recurrent.hpp) against the ONNX formulas evaluated in double.
#include <cmath>
#include <vector>

#include "test_util.hpp"

namespace {
double logistic_ref(double v) { return 1.0 / (1.0 + std::exp(-v)); }
}  // namespace

TEST_CASE("lstm_cell_f32 follows the ONNX LSTM equations (gates i, o, f, c)",
          "[kernels/recurrent]") {
  const std::size_t hs = 19;  // not a multiple of any vector width
  const std::vector<float> pre = inlay_test::random_floats(4 * hs, 1, -3.0f, 3.0f);
  const std::vector<float> c_prev = inlay_test::random_floats(hs, 2, -2.0f, 2.0f);
  std::vector<double> want_c(hs), want_h(hs);
  for (std::size_t k = 0; k < hs; ++k) {
    const double i = logistic_ref(pre[k]), o = logistic_ref(pre[hs + k]),
                 f = logistic_ref(pre[2 * hs + k]);
    const double g = std::tanh(static_cast<double>(pre[3 * hs + k]));
    want_c[k] = f * c_prev[k] + i * g;
    want_h[k] = o * std::tanh(want_c[k]);
  }
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> gates = pre, c = c_prev, tanh_c(hs), h(hs);
    inlay::kernels::lstm_cell_f32(gates.data(), c.data(), c.data(), tanh_c.data(), h.data(), hs);
    for (std::size_t k = 0; k < hs; ++k) {
      INFO("k " << k);
      CHECK(c[k] == Approx(want_c[k]).epsilon(1e-5).margin(1e-6));
      CHECK(h[k] == Approx(want_h[k]).epsilon(1e-5).margin(1e-6));
      CHECK(tanh_c[k] == Approx(std::tanh(want_c[k])).epsilon(1e-5).margin(1e-6));
      CHECK(gates[hs + k] == Approx(logistic_ref(pre[hs + k])).epsilon(1e-5).margin(1e-6));
    }
  });
}

TEST_CASE("gru_cell_f32 follows the ONNX GRU equations with linear_before_reset",
          "[kernels/recurrent]") {
  const std::size_t hs = 13;
  const std::vector<float> x_proj = inlay_test::random_floats(3 * hs, 3, -2.0f, 2.0f);
  const std::vector<float> rec = inlay_test::random_floats(3 * hs, 4, -2.0f, 2.0f);
  const std::vector<float> h_prev = inlay_test::random_floats(hs, 5);
  std::vector<double> want(hs);
  for (std::size_t k = 0; k < hs; ++k) {
    const double z = logistic_ref(static_cast<double>(x_proj[k]) + rec[k]);
    const double r = logistic_ref(static_cast<double>(x_proj[hs + k]) + rec[hs + k]);
    const double n = std::tanh(x_proj[2 * hs + k] + r * rec[2 * hs + k]);
    want[k] = (1.0 - z) * n + z * h_prev[k];
  }
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> gates = rec, h = h_prev, saved(hs);
    inlay::kernels::gru_cell_f32(x_proj.data(), gates.data(), h.data(), h.data(), saved.data(), hs);
    for (std::size_t k = 0; k < hs; ++k) {
      INFO("k " << k);
      CHECK(h[k] == Approx(want[k]).epsilon(1e-5).margin(1e-6));
      CHECK(saved[k] == rec[2 * hs + k]);
    }
  });
}
