// A network whose shapes are all static runs forward without touching the heap: every operator
// new of this test program is counted while the forward pass runs.
#include <atomic>
#include <cstdlib>
#include <new>

#include "nn/grad_check.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t& t) noexcept { return operator new(size, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace nn = inlay::nn;

TEST_CASE("Static-shape forward makes no heap allocation", "[static_forward]") {
  // The counter works: a vector allocates.
  counting = true;
  { std::vector<int> v(10); }
  counting = false;
  REQUIRE(allocations.load() == 1);

  using Mlp = nn::Sequential<nn::Dense<64, 128>, nn::ReLU, nn::Dense<128, 64>, nn::GELU,
                             nn::Dropout<20>, nn::Dense<64, 10>, nn::Softmax>;
  Mlp net(16);  // buffers for up to 16 rows
  inlay::data::Rng rng(1);
  net.init(rng);
  const std::vector<float> x = inlay_test::random_floats(16 * 64, 2);
  std::vector<float> y(16 * 10);

  // The process's first kernel call picks the CPU target (once, and it may allocate): done here
  // on another network so that `net` itself is used for the first time while counting.
  Mlp warm_up;
  warm_up.forward(x.data(), 1, y.data());

  allocations = 0;
  counting = true;
  net.forward(x.data(), 1, y.data());
  net.forward(x.data(), 16, y.data());
  counting = false;
  CHECK(allocations.load() == 0);
  float sum = 0;
  for (int j = 0; j < 10; ++j) sum += y[j];
  CHECK(sum == Approx(1.0f));

  // Past the reserved batch the buffers grow once.
  allocations = 0;
  std::vector<float> x2(32 * 64, 0.5f), y2(32 * 10);
  counting = true;
  net.forward(x2.data(), 32, y2.data());
  counting = false;
  CHECK(allocations.load() > 0);
}
