// A network whose shapes are all static runs forward without touching the heap: every operator
// new of this test program is counted (tests/alloc_counter.cpp) while the forward pass runs.
#include <cstdint>
#include <vector>

#include "alloc_counter.hpp"
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

TEST_CASE("Static-shape forward makes no heap allocation", "[nn/static_forward]") {
  // The counter works: one allocation is seen. The pointer goes through a volatile so that the
  // optimizer cannot elide the new/delete pair (clang does for an unused std::vector).
  std::uint64_t before = inlay_test::heap_allocations();
  {
    int* volatile p = new int(7);
    delete p;
  }
  REQUIRE(inlay_test::heap_allocations() - before == 1);

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

  before = inlay_test::heap_allocations();
  net.forward(x.data(), 1, y.data());
  net.forward(x.data(), 16, y.data());
  CHECK(inlay_test::heap_allocations() - before == 0);
  float sum = 0;
  for (int j = 0; j < 10; ++j) sum += y[j];
  CHECK(sum == Approx(1.0f));

  // Past the reserved batch the buffers grow once.
  std::vector<float> x2(32 * 64, 0.5f), y2(32 * 10);
  before = inlay_test::heap_allocations();
  net.forward(x2.data(), 32, y2.data());
  CHECK(inlay_test::heap_allocations() - before > 0);
}

TEST_CASE("Static-shape forward of recurrent and attention layers makes no heap allocation",
          "[nn/static_forward]") {
  using Net = nn::Sequential<nn::LSTM<8, 16, 10>, nn::MultiHeadAttention<16, 4, 10, true>,
                             nn::GRU<16, 8, 10, false>, nn::Dense<8, 3>>;
  Net net(4);
  inlay::data::Rng rng(3);
  net.init(rng);
  const std::vector<float> x = inlay_test::random_floats(4 * 10 * 8, 4);
  std::vector<float> y(4 * 3), y1(3);
  Net warm_up;
  warm_up.forward(x.data(), 1, y.data());

  const std::uint64_t before = inlay_test::heap_allocations();
  net.forward(x.data(), 1, y1.data());
  net.forward(x.data(), 4, y.data());
  CHECK(inlay_test::heap_allocations() - before == 0);
  // The first row of the batch of 4 is the batch of 1 (rows are independent).
  inlay_test::check_close(y.data(), y1.data(), 3, 1e-5f, 1e-6f);
}
