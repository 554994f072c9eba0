// Kernel micro-benchmarks on every CPU target this machine supports. GEMM and convolution report
// GFLOP/s (counter "GFLOPS"); compare with the machine's fp32 peak (Zen 4 here: 115 GFLOP/s per
// core). Run: build/.../bench/inlay_kernels_bench --benchmark_filter=gemm
#include <inlay/inlay.hpp>

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

namespace k = inlay::kernels;

namespace {

std::vector<float> random_floats(std::size_t n) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void with_target(benchmark::State& state, const std::string& target) {
  inlay::set_cpu_target(target);
  state.SetLabel(target);
}

void gemm(benchmark::State& state, std::string target, std::size_t m, std::size_t n,
          std::size_t kk) {
  with_target(state, target);
  const auto a = random_floats(m * kk), b = random_floats(kk * n);
  std::vector<float> c(m * n);
  for (auto _ : state) {
    k::gemm_f32(false, false, m, n, kk, 1.0f, a.data(), kk, b.data(), n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * m * n * kk * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void conv3x3(benchmark::State& state, std::string target, std::size_t channels, std::size_t size) {
  with_target(state, target);
  k::Conv2dParams p;
  p.in_channels = p.out_channels = channels;
  p.in_h = p.in_w = size;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const auto x = random_floats(channels * size * size), w = random_floats(channels * channels * 9);
  std::vector<float> y(channels * size * size), ws(k::conv2d_workspace_size_f32(p));
  for (auto _ : state) {
    k::conv2d_nchw_f32(p, x.data(), w.data(), nullptr, y.data(), ws.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * channels * channels * 9 * size * size * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void depthwise3x3(benchmark::State& state, std::string target, std::size_t channels, std::size_t size) {
  with_target(state, target);
  k::Conv2dParams p;
  p.in_channels = p.out_channels = p.groups = channels;
  p.in_h = p.in_w = size;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const auto x = random_floats(channels * size * size), w = random_floats(channels * 9);
  std::vector<float> y(channels * size * size);
  for (auto _ : state) {
    k::depthwise_conv2d_nchw_f32(p, x.data(), w.data(), nullptr, y.data(), k::Activation::relu6());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * channels * 9 * size * size * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void unary(benchmark::State& state, std::string target, k::Activation f) {
  with_target(state, target);
  const auto x = random_floats(1 << 20);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    k::unary_f32(x.data(), y.data(), x.size(), f);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}

void softmax(benchmark::State& state, std::string target, std::size_t rows, std::size_t cols) {
  with_target(state, target);
  const auto x = random_floats(rows * cols);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    k::softmax_f32(x.data(), y.data(), rows, cols, 1);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}

}  // namespace

int main(int argc, char** argv) {
  for (const std::string& t : inlay::available_cpu_targets()) {
    for (std::size_t s : {64, 256, 512, 1024}) {
      benchmark::RegisterBenchmark(("gemm/" + t + "/" + std::to_string(s)).c_str(), gemm, t, s, s, s);
    }
    benchmark::RegisterBenchmark(("gemm/" + t + "/360x128x64").c_str(), gemm, t, 360, 128, 64);
    benchmark::RegisterBenchmark(("gemm/" + t + "/64x3136x576").c_str(), gemm, t, 64, 3136, 576);
    benchmark::RegisterBenchmark(("conv3x3/" + t + "/64x56x56").c_str(), conv3x3, t, 64, 56);
    benchmark::RegisterBenchmark(("depthwise3x3/" + t + "/144x56x56").c_str(), depthwise3x3, t, 144, 56);
    benchmark::RegisterBenchmark(("gelu/" + t + "/1M").c_str(), unary, t, k::Activation::gelu());
    benchmark::RegisterBenchmark(("sigmoid/" + t + "/1M").c_str(), unary, t, k::Activation::sigmoid());
    benchmark::RegisterBenchmark(("softmax/" + t + "/1024x1024").c_str(), softmax, t, 1024, 1024);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
