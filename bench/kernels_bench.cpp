// Kernel micro-benchmarks (Google Benchmark). GEMM and convolution report GFLOP/s (counter
// "GFLOPS") and the share of this machine's fp32 peak on one core (counter "peak%"). The peak is
// measured at start-up with a loop of independent FMAs on the widest vectors the CPU has (or
// taken from INLAY_PEAK_GFLOPS), and printed in the context header.
//   GEMM at square sizes and conv/depthwise/elementwise: every CPU target this machine supports.
//   The shapes the bench models (../shared/models) run: the best target only. Names say where
//   each shape comes from (docs/bench.md lists them).
// Run: build/bench/bench/inlay_kernels_bench --benchmark_filter=model/ --benchmark_min_time=0.2
#include <inlay/inlay.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define INLAY_BENCH_X86 1
#endif

namespace k = inlay::kernels;

namespace {

// ---- fp32 peak of one core ----
#ifdef INLAY_BENCH_X86
// 12 independent FMA chains: more than latency (4) x FMA ports (2) needs to keep every port busy.
// clang-format off
#define INLAY_FMA12(fma)                                                                        \
  a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);               \
  a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);               \
  a8 = fma(a8, m, c); a9 = fma(a9, m, c); a10 = fma(a10, m, c); a11 = fma(a11, m, c)
// clang-format on

__attribute__((target("avx512f"))) float fma_loop_512(std::size_t iterations) {
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  // Distinct starting values: equal chains would be merged into one by the compiler.
  __m512 a0 = _mm512_set1_ps(1), a1 = _mm512_set1_ps(2), a2 = _mm512_set1_ps(3),
         a3 = _mm512_set1_ps(4), a4 = _mm512_set1_ps(5), a5 = _mm512_set1_ps(6),
         a6 = _mm512_set1_ps(7), a7 = _mm512_set1_ps(8), a8 = _mm512_set1_ps(9),
         a9 = _mm512_set1_ps(10), a10 = _mm512_set1_ps(11), a11 = _mm512_set1_ps(12);
  for (std::size_t i = 0; i < iterations; ++i) { INLAY_FMA12(_mm512_fmadd_ps); }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                           _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  return lanes[0] + lanes[15];
}

__attribute__((target("avx2,fma"))) float fma_loop_256(std::size_t iterations) {
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  __m256 a0 = _mm256_set1_ps(1), a1 = _mm256_set1_ps(2), a2 = _mm256_set1_ps(3),
         a3 = _mm256_set1_ps(4), a4 = _mm256_set1_ps(5), a5 = _mm256_set1_ps(6),
         a6 = _mm256_set1_ps(7), a7 = _mm256_set1_ps(8), a8 = _mm256_set1_ps(9),
         a9 = _mm256_set1_ps(10), a10 = _mm256_set1_ps(11), a11 = _mm256_set1_ps(12);
  for (std::size_t i = 0; i < iterations; ++i) { INLAY_FMA12(_mm256_fmadd_ps); }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  return lanes[0] + lanes[7];
}
#undef INLAY_FMA12

// The widest FMA loop this CPU runs and its FLOPs per iteration (12 chains x lanes x 2), or null.
using FmaLoop = float (*)(std::size_t);
std::pair<FmaLoop, double> widest_fma() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {fma_loop_512, 12 * 16 * 2};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {fma_loop_256, 12 * 8 * 2};
  }
  return {nullptr, 0};
}
#else
using FmaLoop = float (*)(std::size_t);
std::pair<FmaLoop, double> widest_fma() { return {nullptr, 0}; }
#endif

// CPU time of this thread in seconds: Google Benchmark's rate counters divide by CPU time too, so
// the peak and the kernels are measured on the same clock (and other processes on a shared
// machine do not lower either).
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// GFLOP/s of one core: INLAY_PEAK_GFLOPS, else the best of 5 timings of the FMA loop.
double measure_peak_gflops() {
  if (const char* env = std::getenv("INLAY_PEAK_GFLOPS")) return std::atof(env);
  const auto [loop, flops_per_iteration] = widest_fma();
  if (loop == nullptr) return 0;
  const std::size_t iterations = 20'000'000;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = thread_seconds();
    benchmark::DoNotOptimize(loop(iterations));
    const double s = thread_seconds() - t0;
    best = std::max(best, flops_per_iteration * static_cast<double>(iterations) / s * 1e-9);
  }
  return best;
}

double g_peak_gflops = 0;

// Counters for `flops` floating-point operations per iteration.
void count_flops(benchmark::State& state, double flops) {
  state.counters["GFLOPS"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (g_peak_gflops > 0) {
    state.counters["peak%"] = benchmark::Counter(flops * 1e-9 * 100 / g_peak_gflops,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  }
}

void peak(benchmark::State& state) {
  const auto [loop, flops_per_iteration] = widest_fma();
  const std::size_t iterations = 1'000'000;
  for (auto _ : state) benchmark::DoNotOptimize(loop(iterations));
  count_flops(state, flops_per_iteration * iterations);
}

// ---- kernels ----
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

// C[m x n] = A[m x k] B[k x n], B as given (MatMul with a computed B) or packed at load (Gemm
// with constant weights).
void gemm(benchmark::State& state, std::string target, std::size_t m, std::size_t n, std::size_t kk,
          bool packed) {
  with_target(state, target);
  const auto a = random_floats(m * kk), b = random_floats(kk * n);
  std::vector<float> c(m * n), pb;
  if (packed) {
    pb.resize(k::gemm_packed_b_size_f32(n, kk));
    k::gemm_pack_b_f32(false, n, kk, b.data(), n, pb.data());
  }
  for (auto _ : state) {
    if (packed) {
      k::gemm_packed_f32(false, m, n, kk, 1.0f, a.data(), kk, pb.data(), 0.0f, c.data(), n);
    } else {
      k::gemm_f32(false, false, m, n, kk, 1.0f, a.data(), kk, b.data(), n, 0.0f, c.data(), n);
    }
    benchmark::DoNotOptimize(c.data());
  }
  count_flops(state, 2.0 * m * n * kk);
}

// Int8 GEMM (kernels/qgemm.hpp): C[m x n] = A[m x k] (uint8) B[k x n] (int8, packed at load),
// zero points on both sides, requantized to uint8 with per-column scales (QLinearMatMul's and the
// QDQ fusions' hot path). Counter "GOPS": 2 m n k integer operations per iteration (reported under
// GFLOPS too, so it lines up with the f32 GEMM of the same shape). narrow: the operand that fits
// 7 bits (B: int8 in [-64, 63]; A: uint8 in [64, 191], a flipped 7-bit weight), which takes the
// vpmaddubsw path on SSSE3 .. AVX3.
void qgemm(benchmark::State& state, std::string target, std::size_t m, std::size_t n,
           std::size_t kk, k::QgemmNarrow narrow) {
  with_target(state, target);
  std::mt19937 rng(42);
  std::vector<std::uint8_t> a(m * kk), c(m * n);
  std::vector<std::int8_t> b(kk * n);
  for (auto& v : a) {
    v = static_cast<std::uint8_t>(narrow == k::QgemmNarrow::a ? 64 + rng() % 128 : rng());
  }
  for (auto& v : b) {
    v = static_cast<std::int8_t>(narrow == k::QgemmNarrow::b ? int(rng() % 128) - 64
                                                             : static_cast<std::int8_t>(rng()));
  }
  std::vector<std::int8_t> pb(k::qgemm_packed_b_size(n, kk));
  std::vector<std::int32_t> sums(n), b_zero(n, 3);
  std::vector<float> scale(n, 1e-4f);
  k::qgemm_pack_b(false, n, kk, b.data(), n, false, pb.data(), sums.data());
  const std::int32_t a_zero = 128;
  k::QgemmZeroPoints zp;
  zp.a = &a_zero;
  zp.b = b_zero.data();
  zp.b_per_column = true;
  k::QgemmEpilogue e;
  e.output = k::QgemmOutput::u8;
  e.c = c.data();
  e.ldc = n;
  e.scale = scale.data();
  e.scale_axis = k::QgemmAxis::per_column;
  e.zero_point = 128;
  for (auto _ : state) {
    k::qgemm_packed(m, n, kk, a.data(), kk, pb.data(), sums.data(), zp, e, nullptr, narrow);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GOPS"] =
      benchmark::Counter(2.0 * m * n * kk * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  count_flops(state, 2.0 * m * n * kk);
}

// The int8 convolution's GEMM (Int8Conv: kernels::qgemm with B plain, packed on every call):
// A = the weights (uint8, flipped int8, zero point 128 per row), B = the im2col'd activations
// (uint8, zero point 3), requantized to uint8 with per-row scales.
void qgemm_plain(benchmark::State& state, std::string target, std::size_t m, std::size_t n,
                 std::size_t kk) {
  with_target(state, target);
  std::mt19937 rng(7);
  std::vector<std::uint8_t> a(m * kk), b(kk * n), c(m * n);
  for (auto& v : a) v = static_cast<std::uint8_t>(rng());
  for (auto& v : b) v = static_cast<std::uint8_t>(rng());
  std::vector<std::int32_t> a_zero(m, 128);
  const std::int32_t b_zero = 3 - 128;  // uint8 B is flipped to int8 while packing
  std::vector<float> scale(m, 1e-4f);
  std::vector<std::uint32_t> ws(k::qgemm_workspace_size(m, n, kk) / 4 + 1);
  k::QgemmZeroPoints zp;
  zp.a = a_zero.data();
  zp.a_per_row = true;
  zp.b = &b_zero;
  k::QgemmEpilogue e;
  e.output = k::QgemmOutput::u8;
  e.c = c.data();
  e.ldc = n;
  e.scale = scale.data();
  e.scale_axis = k::QgemmAxis::per_row;
  e.zero_point = 128;
  for (auto _ : state) {
    k::qgemm(m, n, kk, a.data(), kk, false, b.data(), n, true, zp, e, ws.data());
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GOPS"] =
      benchmark::Counter(2.0 * m * n * kk * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  count_flops(state, 2.0 * m * n * kk);
}

// y[n] = W[n x k] x[k]: the batch-1 shapes above as a matrix-vector product (W as ONNX stores a
// Gemm's weights with transB, or an RNN's recurrence), which streams W once without packing.
void matvec(benchmark::State& state, std::string target, std::size_t n, std::size_t kk) {
  with_target(state, target);
  const auto w = random_floats(n * kk), x = random_floats(kk);
  std::vector<float> y(n);
  for (auto _ : state) {
    k::matvec_f32(false, n, kk, 1.0f, w.data(), kk, x.data(), 0.0f, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  count_flops(state, 2.0 * n * kk);
}

// `batch` GEMMs of m x n x k (attention heads).
void gemm_batched(benchmark::State& state, std::string target, std::size_t batch, std::size_t m,
                  std::size_t n, std::size_t kk) {
  with_target(state, target);
  const auto a = random_floats(batch * m * kk), b = random_floats(batch * kk * n);
  std::vector<float> c(batch * m * n);
  for (auto _ : state) {
    k::gemm_batched_f32(batch, false, false, m, n, kk, 1.0f, a.data(), kk, m * kk, b.data(), n,
                        kk * n, 0.0f, c.data(), n, m * n);
    benchmark::DoNotOptimize(c.data());
  }
  count_flops(state, 2.0 * batch * m * n * kk);
}

struct ConvShape {
  std::size_t in_channels, out_channels, size, kernel, stride, pad;
};

k::Conv2dParams conv_params(const ConvShape& s, std::size_t groups) {
  k::Conv2dParams p;
  p.in_channels = s.in_channels;
  p.out_channels = s.out_channels;
  p.in_h = p.in_w = s.size;
  p.kernel_h = p.kernel_w = s.kernel;
  p.stride_h = p.stride_w = s.stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = s.pad;
  p.groups = groups;
  return p;
}

// packed: the path for few output pixels, weights packed once (outside the loop), the GEMM's
// roles swapped (kernels/conv.hpp, conv2d_nchw_packed_f32).
void conv(benchmark::State& state, std::string target, ConvShape s, bool packed) {
  with_target(state, target);
  const k::Conv2dParams p = conv_params(s, 1);
  const std::size_t out = p.out_h() * p.out_w();
  const auto x = random_floats(s.in_channels * s.size * s.size),
             w = random_floats(s.out_channels * s.in_channels * s.kernel * s.kernel),
             bias = random_floats(s.out_channels);
  std::vector<float> packed_w(packed ? k::conv2d_packed_weights_size_f32(p) : 0);
  if (packed) k::conv2d_pack_weights_f32(p, w.data(), packed_w.data());
  std::vector<float> y(s.out_channels * out),
      ws(packed ? k::conv2d_packed_workspace_size_f32(p) : k::conv2d_workspace_size_f32(p));
  for (auto _ : state) {
    if (packed) {
      k::conv2d_nchw_packed_f32(p, x.data(), packed_w.data(), bias.data(), y.data(), ws.data());
    } else {
      k::conv2d_nchw_f32(p, x.data(), w.data(), bias.data(), y.data(), ws.data());
    }
    benchmark::DoNotOptimize(y.data());
  }
  count_flops(state, 2.0 * s.out_channels * s.in_channels * s.kernel * s.kernel * out);
}

// The conv above on the Winograd F(4x4, 3x3) path (weights transformed once, outside the loop).
// FLOPs counted as for the direct convolution, so the two GFLOP/s compare as speeds.
void winograd(benchmark::State& state, std::string target, ConvShape s) {
  with_target(state, target);
  const k::Conv2dParams p = conv_params(s, 1);
  const std::size_t out = p.out_h() * p.out_w();
  const auto x = random_floats(s.in_channels * s.size * s.size),
             w = random_floats(s.out_channels * s.in_channels * 9),
             bias = random_floats(s.out_channels);
  std::vector<float> u(k::winograd_weights_size_f32(s.out_channels, s.in_channels));
  k::winograd_transform_weights_f32(p, w.data(), u.data());
  std::vector<float> y(s.out_channels * out), ws(k::winograd_workspace_size_f32(p));
  for (auto _ : state) {
    k::winograd_conv2d_nchw_f32(p, x.data(), u.data(), bias.data(), y.data(), ws.data());
    benchmark::DoNotOptimize(y.data());
  }
  count_flops(state, 2.0 * s.out_channels * s.in_channels * 9 * out);
}

// The typed door's Conv2D<32, 32, 3, 1, 1> on 32x32 images, one image per call: at inference its
// plan takes Winograd (weights checked on each call, kernels/conv_plan.hpp); the training forward
// reads the weights as they are (im2col + GEMM), the path inference took before the plan.
void typed_conv2d(benchmark::State& state, bool training) {
  namespace nn = inlay::nn;
  nn::Sequential<nn::Input<32, 32, 32>, nn::Conv2D<32, 32, 3, 1, 1>> net;
  inlay::data::Rng rng(1);
  net.init(rng);
  const auto x = random_floats(32 * 32 * 32);
  std::vector<float> y(32 * 32 * 32);
  nn::RunContext ctx;
  ctx.training = true;
  for (auto _ : state) {
    if (training) {
      benchmark::DoNotOptimize(net.forward_train(x.data(), 1, ctx));
    } else {
      net.forward(x.data(), 1, y.data());
      benchmark::DoNotOptimize(y.data());
    }
  }
  count_flops(state, 2.0 * 32 * 32 * 9 * 32 * 32);
}

void depthwise(benchmark::State& state, std::string target, ConvShape s) {
  with_target(state, target);
  const k::Conv2dParams p = conv_params(s, s.in_channels);
  const std::size_t out = p.out_h() * p.out_w();
  const auto x = random_floats(s.in_channels * s.size * s.size),
             w = random_floats(s.in_channels * s.kernel * s.kernel),
             bias = random_floats(s.in_channels);
  std::vector<float> y(s.in_channels * out);
  for (auto _ : state) {
    k::depthwise_conv2d_nchw_f32(p, x.data(), w.data(), bias.data(), y.data(),
                                 k::Activation::relu6());
    benchmark::DoNotOptimize(y.data());
  }
  count_flops(state, 2.0 * s.in_channels * s.kernel * s.kernel * out);
}

// Int8 depthwise (kernels/qdepthwise.hpp): uint8 x and int8 w with zero points, requantized to
// uint8 with per-channel scales (QLinearConv's depthwise layers). Counter "GOPS": 2 c k^2 oh ow
// integer operations per iteration (reported under GFLOPS too).
void qdepthwise(benchmark::State& state, std::string target, ConvShape s) {
  with_target(state, target);
  const k::Conv2dParams p = conv_params(s, s.in_channels);
  const std::size_t c = s.in_channels, out = p.out_h() * p.out_w();
  std::mt19937 rng(42);
  std::vector<std::uint8_t> x(c * s.size * s.size), w(c * s.kernel * s.kernel), y(c * out);
  for (auto& v : x) v = static_cast<std::uint8_t>(rng());
  for (auto& v : w) v = static_cast<std::uint8_t>(rng());
  std::vector<std::int32_t> bias(c, 1000);
  std::vector<float> scale(c, 1e-3f);
  const std::int32_t w_zero = 0;
  k::QDepthwiseOperands o;
  o.x = x.data();
  o.x_zero = 128;
  o.w = w.data();
  o.w_zero = &w_zero;
  k::QgemmEpilogue e;
  e.output = k::QgemmOutput::u8;
  e.c = y.data();
  e.bias = bias.data();
  e.bias_axis = k::QgemmAxis::per_row;
  e.scale = scale.data();
  e.scale_axis = k::QgemmAxis::per_row;
  e.zero_point = 128;
  std::vector<std::uint8_t> workspace(k::qdepthwise_workspace_size(p) + 64);
  void* ws = workspace.data() + (64 - reinterpret_cast<std::uintptr_t>(workspace.data()) % 64) % 64;
  for (auto _ : state) {
    k::qdepthwise_conv2d(p, o, e, ws);
    benchmark::DoNotOptimize(y.data());
  }
  const double ops = 2.0 * c * s.kernel * s.kernel * out;
  state.counters["GOPS"] =
      benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  count_flops(state, ops);
}

// MobileNetV2's inverted bottleneck (expand 1x1 -> depthwise 3x3 -> project 1x1) banded in one
// call (kernels/inverted_bottleneck.hpp), or with `layers` its three layers one after the other
// on whole planes, the way they ran before the fusion. FLOPs of the three layers.
struct BottleneckShape {
  std::size_t in_channels, expanded, out_channels, size, stride;
};
void bottleneck(benchmark::State& state, std::string target, BottleneckShape s, bool layers) {
  with_target(state, target);
  k::InvertedBottleneckParams p;
  k::Conv2dParams& d = p.depthwise;
  d.in_channels = d.out_channels = d.groups = s.expanded;
  d.in_h = d.in_w = s.size;
  d.kernel_h = d.kernel_w = 3;
  d.stride_h = d.stride_w = s.stride;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
  p.in_channels = s.in_channels;
  p.out_channels = s.out_channels;
  const std::size_t in_plane = s.size * s.size, out_plane = d.out_h() * d.out_w();
  const auto x = random_floats(s.in_channels * in_plane),
             we = random_floats(s.expanded * s.in_channels), be = random_floats(s.expanded),
             wd = random_floats(s.expanded * 9), bd = random_floats(s.expanded),
             wp = random_floats(s.out_channels * s.expanded), bp = random_floats(s.out_channels);
  const k::BottleneckStage expand{we.data(), be.data(), k::Activation::relu6()};
  const k::BottleneckStage dw{wd.data(), bd.data(), k::Activation::relu6()};
  const k::BottleneckStage project{wp.data(), bp.data(), k::Activation{}};
  std::vector<float> y(s.out_channels * out_plane);
  std::vector<float> e(layers ? s.expanded * in_plane : 0),
      dout(layers ? s.expanded * out_plane : 0);
  std::vector<float> ws(layers ? 0 : k::inverted_bottleneck_workspace_size_f32(p, nullptr));
  for (auto _ : state) {
    if (layers) {
      k::gemm_f32(false, false, s.expanded, in_plane, s.in_channels, 1.0f, we.data(), s.in_channels,
                  x.data(), in_plane, 0.0f, e.data(), in_plane,
                  {be.data(), k::BiasKind::per_row, expand.activation});
      k::depthwise_conv2d_nchw_f32(d, e.data(), wd.data(), bd.data(), dout.data(), dw.activation);
      k::gemm_f32(false, false, s.out_channels, out_plane, s.expanded, 1.0f, wp.data(), s.expanded,
                  dout.data(), out_plane, 0.0f, y.data(), out_plane,
                  {bp.data(), k::BiasKind::per_row, project.activation});
    } else {
      k::inverted_bottleneck_nchw_f32(p, x.data(), expand, dw, project, y.data(), ws.data());
    }
    benchmark::DoNotOptimize(y.data());
  }
  count_flops(state, 2.0 * (s.expanded * s.in_channels * in_plane +
                            s.expanded * (9 + s.out_channels) * out_plane));
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

// ---- the shapes of the bench models (batch 1; M x N x K of C[M x N] = A[M x K] B[K x N]) ----
struct GemmShape {
  const char* name;
  std::size_t m, n, k;
  bool packed;  // Gemm with constant weights (packed at load) rather than MatMul
};
const GemmShape kModelGemms[] = {
    {"mlp/fc1", 1, 64, 100, true},
    {"mlp/fc2", 1, 64, 64, true},
    {"lenet/fc1", 1, 120, 400, true},
    {"lenet/fc2", 1, 84, 120, true},
    {"mobilenetv2/classifier", 1, 1000, 1280, true},
    {"bert_tiny/proj", 128, 128, 128, false},  // Q, K, V and output projections (MatMul)
    {"bert_tiny/ffn_up", 128, 512, 128, false},
    {"bert_tiny/ffn_down", 128, 128, 512, false},
    {"bert_tiny/pooler", 1, 128, 128, true},
    {"lstm/input_proj_l1", 64, 1024, 128, false},  // the input projection batched over 64 steps
    {"lstm/input_proj_l2", 64, 1024, 256, false},
    {"lstm/recurrent_step", 1, 1024, 256, false},  // h x R^T, once per step and layer
    {"digits_mlp/fc1", 360, 128, 64, true},
    {"digits_mlp/fc2", 360, 64, 128, true},
    {"digits_mlp/fc3", 360, 10, 64, true},
};
struct BatchedShape {
  const char* name;
  std::size_t batch, m, n, k;
};
const BatchedShape kModelBatched[] = {
    {"bert_tiny/attn_scores", 2, 128, 128, 64},   // Q K^T per head
    {"bert_tiny/attn_context", 2, 128, 64, 128},  // softmax(.) V per head
};
struct NamedConv {
  const char* name;
  ConvShape shape;
};
// Convolutions as the model runs them (pointwise ones are GEMMs of out_channels x HW x
// in_channels).
const NamedConv kModelConvs[] = {
    {"lenet/conv1_5x5", {1, 6, 28, 5, 1, 2}},
    {"lenet/conv2_5x5", {6, 16, 14, 5, 1, 0}},
    {"mobilenetv2/stem_3x3s2", {3, 32, 224, 3, 2, 1}},
    {"mobilenetv2/pw_32to16_112", {32, 16, 112, 1, 1, 0}},
    {"mobilenetv2/pw_16to96_112", {16, 96, 112, 1, 1, 0}},
    {"mobilenetv2/pw_96to24_56", {96, 24, 56, 1, 1, 0}},
    {"mobilenetv2/pw_24to144_56", {24, 144, 56, 1, 1, 0}},
    {"mobilenetv2/pw_144to24_56", {144, 24, 56, 1, 1, 0}},
    {"mobilenetv2/pw_144to32_28", {144, 32, 28, 1, 1, 0}},
    {"mobilenetv2/pw_32to192_28", {32, 192, 28, 1, 1, 0}},
    {"mobilenetv2/pw_192to32_28", {192, 32, 28, 1, 1, 0}},
    {"mobilenetv2/pw_64to384_14", {64, 384, 14, 1, 1, 0}},
    {"mobilenetv2/pw_384to64_14", {384, 64, 14, 1, 1, 0}},
    {"mobilenetv2/pw_96to576_14", {96, 576, 14, 1, 1, 0}},
    {"mobilenetv2/pw_576to96_14", {576, 96, 14, 1, 1, 0}},
    {"mobilenetv2/pw_160to960_7", {160, 960, 7, 1, 1, 0}},
    {"mobilenetv2/pw_960to160_7", {960, 160, 7, 1, 1, 0}},
    {"mobilenetv2/pw_320to1280_7", {320, 1280, 7, 1, 1, 0}},
    {"resnet18/conv3x3_64_56", {64, 64, 56, 3, 1, 1}},
    {"resnet18/conv3x3_128_28", {128, 128, 28, 3, 1, 1}},
    {"resnet18/conv3x3_256_14", {256, 256, 14, 3, 1, 1}},
    {"resnet18/conv1_7x7s2", {3, 64, 224, 7, 2, 3}},
    {"resnet18/conv3x3s2_64to128_56", {64, 128, 56, 3, 2, 1}},
};
// Layers with few output pixels on the packed path (model/conv_packed/...).
const NamedConv kModelPackedConvs[] = {
    {"resnet18/conv3x3_512_7", {512, 512, 7, 3, 1, 1}},
    {"resnet18/conv3x3s2_256to512_14", {256, 512, 14, 3, 2, 1}},
};
// The 3x3 stride-1 convolutions above again on the Winograd path (model/winograd/...).
const NamedConv kModelWinograd[] = {
    {"resnet18/conv3x3_64_56", {64, 64, 56, 3, 1, 1}},
    {"resnet18/conv3x3_128_28", {128, 128, 28, 3, 1, 1}},
    {"resnet18/conv3x3_256_14", {256, 256, 14, 3, 1, 1}},
};
// MobileNetV2's blocks with the largest expanded planes (model/bottleneck/...).
const std::pair<const char*, BottleneckShape> kModelBottlenecks[] = {
    {"mobilenetv2/b2_16_96_24_112s2", {16, 96, 24, 112, 2}},
    {"mobilenetv2/b3_24_144_24_56", {24, 144, 24, 56, 1}},
    {"mobilenetv2/b4_24_144_32_56s2", {24, 144, 32, 56, 2}},
    {"mobilenetv2/b5_32_192_32_28", {32, 192, 32, 28, 1}},
    {"mobilenetv2/b12_96_576_96_14", {96, 576, 96, 14, 1}},
    {"mobilenetv2/b15_160_960_160_7", {160, 960, 160, 7, 1}},
};
const NamedConv kModelDepthwise[] = {
    {"mobilenetv2/dw_32_112", {32, 32, 112, 3, 1, 1}},
    {"mobilenetv2/dw_96_112s2", {96, 96, 112, 3, 2, 1}},
    {"mobilenetv2/dw_144_56", {144, 144, 56, 3, 1, 1}},
    {"mobilenetv2/dw_144_56s2", {144, 144, 56, 3, 2, 1}},
    {"mobilenetv2/dw_192_28", {192, 192, 28, 3, 1, 1}},
    {"mobilenetv2/dw_384_14", {384, 384, 14, 3, 1, 1}},
    {"mobilenetv2/dw_576_14", {576, 576, 14, 3, 1, 1}},
    {"mobilenetv2/dw_960_7", {960, 960, 7, 3, 1, 1}},
};

}  // namespace

int main(int argc, char** argv) {
  g_peak_gflops = measure_peak_gflops();
  benchmark::AddCustomContext("fp32_peak_gflops_per_core",
                              g_peak_gflops > 0 ? std::to_string(g_peak_gflops) : "unknown");
  if (widest_fma().first != nullptr) benchmark::RegisterBenchmark("peak/fma", peak);

  const std::vector<std::string> targets = inlay::available_cpu_targets();
  for (const std::string& t : targets) {
    for (std::size_t s : {64, 128, 256, 512, 1024}) {
      benchmark::RegisterBenchmark(("gemm/" + t + "/" + std::to_string(s)).c_str(), gemm, t, s, s,
                                   s, false);
    }
    for (std::size_t s : {256, 1024}) {
      benchmark::RegisterBenchmark(("qgemm/" + t + "/" + std::to_string(s)).c_str(), qgemm, t, s, s,
                                   s, k::QgemmNarrow::none);
      benchmark::RegisterBenchmark(("qgemm7b/" + t + "/" + std::to_string(s)).c_str(), qgemm, t, s,
                                   s, s, k::QgemmNarrow::b);
    }
    // QLinearConv-like: resnet's 3x3 conv 64 -> 64 at 56x56 as the GEMM it runs (weights left:
    // m = 64 channels, n = 56 * 56 pixels, k = 64 * 9), next to the f32 GEMM of that shape;
    // qgemm7a: with 7-bit weights (--reduce-range), the narrow left operand.
    benchmark::RegisterBenchmark(("qgemm/" + t + "/conv3x3_64x56x56").c_str(), qgemm, t, 64,
                                 56 * 56, 64 * 9, k::QgemmNarrow::none);
    benchmark::RegisterBenchmark(("qgemm7a/" + t + "/conv3x3_64x56x56").c_str(), qgemm, t, 64,
                                 56 * 56, 64 * 9, k::QgemmNarrow::a);
    // resnet18's 3x3 convolutions as Int8Conv runs them (channels x pixels x 9 channels).
    for (const auto& s : {std::array<std::size_t, 3>{64, 56 * 56, 64 * 9},
                          std::array<std::size_t, 3>{128, 28 * 28, 128 * 9},
                          std::array<std::size_t, 3>{256, 14 * 14, 256 * 9},
                          std::array<std::size_t, 3>{512, 7 * 7, 512 * 9}}) {
      benchmark::RegisterBenchmark(("qgemm_plain/" + t + "/conv3x3_" + std::to_string(s[0]) + "x" +
                                    std::to_string(s[1]) + "x" + std::to_string(s[2]))
                                       .c_str(),
                                   qgemm_plain, t, s[0], s[1], s[2]);
    }
    benchmark::RegisterBenchmark(("gemm/" + t + "/conv3x3_64x56x56").c_str(), gemm, t, 64, 56 * 56,
                                 64 * 9, true);
    benchmark::RegisterBenchmark(("conv3x3/" + t + "/64x56x56").c_str(), conv, t,
                                 ConvShape{64, 64, 56, 3, 1, 1}, false);
    benchmark::RegisterBenchmark(("depthwise3x3/" + t + "/144x56x56").c_str(), depthwise, t,
                                 ConvShape{144, 144, 56, 3, 1, 1});
    benchmark::RegisterBenchmark(("qdepthwise3x3/" + t + "/144x56x56").c_str(), qdepthwise, t,
                                 ConvShape{144, 144, 56, 3, 1, 1});
    benchmark::RegisterBenchmark(("gelu/" + t + "/1M").c_str(), unary, t, k::Activation::gelu());
    benchmark::RegisterBenchmark(("sigmoid/" + t + "/1M").c_str(), unary, t,
                                 k::Activation::sigmoid());
    benchmark::RegisterBenchmark(("softmax/" + t + "/1024x1024").c_str(), softmax, t, 1024, 1024);
  }

  const std::string best = inlay::cpu_target();
  for (const GemmShape& g : kModelGemms) {
    const std::string name = std::string("model/gemm/") + g.name + "/" + std::to_string(g.m) + "x" +
                             std::to_string(g.n) + "x" + std::to_string(g.k);
    benchmark::RegisterBenchmark(name.c_str(), gemm, best, g.m, g.n, g.k, g.packed);
    if (g.m == 1) {
      const std::string mv = std::string("model/matvec/") + g.name + "/" + std::to_string(g.n) +
                             "x" + std::to_string(g.k);
      benchmark::RegisterBenchmark(mv.c_str(), matvec, best, g.n, g.k);
    }
  }
  for (const BatchedShape& g : kModelBatched) {
    const std::string name = std::string("model/gemm_batched/") + g.name + "/" +
                             std::to_string(g.batch) + "x" + std::to_string(g.m) + "x" +
                             std::to_string(g.n) + "x" + std::to_string(g.k);
    benchmark::RegisterBenchmark(name.c_str(), gemm_batched, best, g.batch, g.m, g.n, g.k);
  }
  for (const NamedConv& c : kModelConvs) {
    benchmark::RegisterBenchmark((std::string("model/conv/") + c.name).c_str(), conv, best, c.shape,
                                 false);
  }
  for (const NamedConv& c : kModelPackedConvs) {
    benchmark::RegisterBenchmark((std::string("model/conv_packed/") + c.name).c_str(), conv, best,
                                 c.shape, true);
  }
  for (const NamedConv& c : kModelWinograd) {
    benchmark::RegisterBenchmark((std::string("model/winograd/") + c.name).c_str(), winograd, best,
                                 c.shape);
  }
  for (const NamedConv& c : kModelDepthwise) {
    benchmark::RegisterBenchmark((std::string("model/depthwise/") + c.name).c_str(), depthwise,
                                 best, c.shape);
  }
  for (const NamedConv& c : kModelDepthwise) {
    benchmark::RegisterBenchmark((std::string("model/qdepthwise/") + c.name).c_str(), qdepthwise,
                                 best, c.shape);
  }
  for (const auto& b : kModelBottlenecks) {
    for (const bool layers : {false, true}) {
      benchmark::RegisterBenchmark(
          (std::string("model/bottleneck/") + b.first + (layers ? "/layers" : "/banded")).c_str(),
          bottleneck, best, b.second, layers);
    }
  }
  benchmark::RegisterBenchmark("nn/conv2d/32x32x32/inference", typed_conv2d, false);
  benchmark::RegisterBenchmark("nn/conv2d/32x32x32/training_forward", typed_conv2d, true);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
