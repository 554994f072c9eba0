// The CUDA test runner. With --needs-gpu (the GPU checks' CTest entries) it reports itself
// skipped, exit 77, where the CUDA runtime sees no GPU, naming why.
#define CATCH_CONFIG_RUNNER
#include "catch.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <inlay/cuda/device.hpp>
#include <inlay/inlay.hpp>

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool needs_gpu = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--needs-gpu") == 0) {
      needs_gpu = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  const int gpus = inlay::cuda::device_count();
  if (gpus == 0 && needs_gpu) {
    std::printf("SKIPPED: no GPU to run the CUDA tests on (%s)\n",
                inlay::cuda::no_device_reason().c_str());
    return 77;
  }
  std::printf("inlay %s; CUDA GPUs: %d%s; cuDNN: %s\n", INLAY_VERSION_STRING, gpus,
              gpus > 0 ? (" (0: " + inlay::cuda::device_description(0) + ")").c_str() : "",
              inlay::cuda::has_cudnn() ? "yes" : "no");
  return Catch::Session().run(static_cast<int>(args.size()), args.data());
}
