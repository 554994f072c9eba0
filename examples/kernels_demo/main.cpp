// inlay demo: shows the CPU target the kernels run on and times a few of them on every target
// this machine supports. (The digits training pipeline replaces this demo when it lands.)
#include <inlay/inlay.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace k = inlay::kernels;

template <class F>
static double median_ms(F&& f, int reps = 21) {
  std::vector<double> times;
  f();  // warm-up
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main() {
  std::printf("inlay %s, best CPU target here: %s\n", INLAY_VERSION_STRING, inlay::cpu_target());
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const std::size_t n = 256;
  std::vector<float> a(n * n), b(n * n), c(n * n), x(1 << 20), y(x.size());
  for (float& v : a) v = dist(rng);
  for (float& v : b) v = dist(rng);
  for (float& v : x) v = dist(rng);

  std::printf("%-8s %14s %14s %14s\n", "target", "gemm 256 GF/s", "gelu 1M ms", "softmax 1M ms");
  for (const std::string& target : inlay::available_cpu_targets()) {
    inlay::set_cpu_target(target);
    const double gemm = median_ms([&] {
      k::gemm_f32(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    });
    const double gelu =
        median_ms([&] { k::unary_f32(x.data(), y.data(), x.size(), k::Activation::gelu()); });
    const double softmax = median_ms([&] { k::softmax_f32(x.data(), y.data(), 1024, 1024, 1); });
    std::printf("%-8s %14.1f %14.3f %14.3f\n", target.c_str(), 2.0 * n * n * n / gemm * 1e-6, gelu,
                softmax);
  }
  inlay::set_cpu_target("best");
  return 0;
}
