// inlay on the GPU against inlay on the CPU: latency and throughput of bench models at several
// batch sizes, and how far the GPU's outputs are from the CPU's. tools/cuda-check runs it.
//
//   inlay_cuda_bench MODEL_DIR... [--batch 1,32] [--min-time S] [--threads N]
//
// MODEL_DIR holds model.onnx and test_data_set_0/input_*.pb (batch 1); batch B repeats those
// inputs B times along axis 0 (the model needs a free batch dimension: tools/make-batch-models).
// One line per model and batch: median milliseconds per run and items per second on each side.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <inlay/cuda/device.hpp>
#include <inlay/inlay.hpp>

namespace {

namespace fs = std::filesystem;

std::vector<inlay::Tensor> read_inputs(const fs::path& dir) {
  std::vector<inlay::Tensor> out;
  for (int i = 0;; ++i) {
    const fs::path p = dir / "test_data_set_0" / ("input_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    const inlay::onnx::TensorFile f = inlay::onnx::read_tensor_file(p.string());
    out.push_back(inlay::onnx::to_tensor(f.tensor, f.directory));
  }
  return out;
}

// `t` repeated `batch` times along axis 0 (its axis 0 has size 1).
inlay::Tensor repeat_batch(const inlay::Tensor& t, std::int64_t batch) {
  if (batch == 1 || t.rank() == 0) return t;
  inlay::Shape shape = t.shape();
  shape.set_dim(0, shape[0] * batch);
  inlay::Tensor out(t.dtype(), shape);
  const std::size_t bytes = t.nbytes();
  char* dst = static_cast<char*>(const_cast<void*>(out.raw_data()));  // `out` owns its bytes
  for (std::int64_t b = 0; b < batch; ++b) std::memcpy(dst + b * bytes, t.raw_data(), bytes);
  return out;
}

struct Timing {
  double median_ms = 0;
  int runs = 0;
};

template <class Run>
Timing measure(Run run, double min_time) {
  for (int i = 0; i < 3; ++i) run();  // warm up: plans, device buffers, cuDNN's choices
  std::vector<double> ms;
  const auto start = std::chrono::steady_clock::now();
  while (
      ms.size() < 5 ||
      (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < min_time &&
       ms.size() < 10000)) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return Timing{ms[ms.size() / 2], static_cast<int>(ms.size())};
}

double max_abs_diff(const std::vector<inlay::Tensor>& a, const std::vector<inlay::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].dtype() != inlay::DType::f32 || b[i].dtype() != inlay::DType::f32 ||
        a[i].shape() != b[i].shape()) {
      return INFINITY;
    }
    for (std::int64_t k = 0; k < a[i].numel(); ++k) {
      worst = std::max(
          worst, static_cast<double>(std::fabs(a[i].data<float>()[k] - b[i].data<float>()[k])));
    }
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> dirs;
  std::vector<std::int64_t> batches{1, 32};
  double min_time = 2.0;
  std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--batch" && i + 1 < argc) {
      batches.clear();
      for (const char* p = argv[++i]; *p;) {
        batches.push_back(std::strtoll(p, const_cast<char**>(&p), 10));
        if (*p == ',') ++p;
      }
    } else if (a == "--min-time" && i + 1 < argc) {
      min_time = std::atof(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = static_cast<std::size_t>(std::atoi(argv[++i]));
    } else {
      dirs.push_back(a);
    }
  }
  if (dirs.empty()) {
    std::fprintf(stderr,
                 "usage: inlay_cuda_bench MODEL_DIR... [--batch 1,32] [--min-time S] "
                 "[--threads N]\n");
    return 2;
  }
  if (inlay::cuda::device_count() == 0) {
    std::printf("SKIPPED: no GPU (%s)\n", inlay::cuda::no_device_reason().c_str());
    return 77;
  }
  std::printf("GPU: %s; cuDNN: %s; CPU: %zu threads\n", inlay::cuda::device_description(0).c_str(),
              inlay::cuda::has_cudnn() ? "yes" : "no", threads);
  std::printf("%-12s %5s  %10s %10s  %10s %10s  %7s  %9s  %s\n", "model", "batch", "cpu ms",
              "cpu item/s", "gpu ms", "gpu item/s", "speedup", "max|diff|", "gpu nodes");
  int failures = 0;
  for (const std::string& dir : dirs) {
    const std::string name = fs::path(dir).filename().string();
    try {
      const inlay::Model model = inlay::Model::load((fs::path(dir) / "model.onnx").string());
      const std::vector<inlay::Tensor> one = read_inputs(dir);
      inlay::SessionOptions cpu_options;
      cpu_options.threads = threads;
      inlay::Session cpu(model, cpu_options);
      inlay::SessionOptions gpu_options;
      gpu_options.device = "cuda:0";
      inlay::Session gpu(model, gpu_options);
      const std::string placement = gpu.placement();
      std::size_t on_gpu = 0, total = 0;
      for (std::size_t at = 0; at < placement.size(); at = placement.find('\n', at) + 1) {
        ++total;
        if (placement.compare(at, 4, "cpu ") != 0) ++on_gpu;
      }
      for (std::int64_t batch : batches) {
        std::vector<inlay::Tensor> inputs;
        for (const inlay::Tensor& t : one) inputs.push_back(repeat_batch(t, batch));
        std::vector<inlay::Tensor> cpu_out, gpu_out;
        const Timing c = measure([&] { cpu.run_into(inputs, cpu_out); }, min_time);
        const Timing g = measure([&] { gpu.run_into(inputs, gpu_out); }, min_time);
        std::printf("%-12s %5lld  %10.3f %10.1f  %10.3f %10.1f  %6.2fx  %9.2e  %zu/%zu\n",
                    name.c_str(), static_cast<long long>(batch), c.median_ms,
                    1000.0 * batch / c.median_ms, g.median_ms, 1000.0 * batch / g.median_ms,
                    c.median_ms / g.median_ms, max_abs_diff(cpu_out, gpu_out), on_gpu, total);
        std::fflush(stdout);
      }
    } catch (const std::exception& e) {
      std::printf("%-12s failed: %s\n", name.c_str(), e.what());
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}
