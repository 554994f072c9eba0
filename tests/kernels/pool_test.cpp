// max_pool2d, avg_pool2d and the global pools on every CPU target against the ONNX definitions in
// reference/pool.hpp.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "reference/pool.hpp"
#include "test_util.hpp"

using inlay::kernels::Pool2dParams;
namespace k = inlay::kernels;

namespace {

std::string describe(const Pool2dParams& p) {
  std::ostringstream s;
  s << "N" << p.batch << " C" << p.channels << " " << p.in_h << "x" << p.in_w << " k" << p.kernel_h
    << "x" << p.kernel_w << " s" << p.stride_h << "," << p.stride_w << " d" << p.dilation_h << ","
    << p.dilation_w << " pads " << p.pad_top << "," << p.pad_left << "," << p.pad_bottom << ","
    << p.pad_right << (p.ceil_mode ? " ceil" : "")
    << (p.count_include_pad ? " count_include_pad" : "");
  return s.str();
}

// Odd sizes, 1D cases, kernels 1..5, strides 1..3, dilations 1..2, asymmetric pads below the
// kernel extent, both ceil modes.
Pool2dParams random_params(std::mt19937& rng) {
  using inlay_test::random_size;
  Pool2dParams p;
  p.batch = random_size(rng, 1, 2);
  p.channels = random_size(rng, 1, 3);
  const bool one_d = random_size(rng, 0, 3) == 0;
  p.in_h = one_d ? 1 : random_size(rng, 1, 12);
  p.in_w = random_size(rng, 1, 45);
  p.kernel_h = one_d ? 1 : random_size(rng, 1, 5);
  p.kernel_w = random_size(rng, 1, 5);
  p.stride_h = random_size(rng, 1, 3);
  p.stride_w = random_size(rng, 0, 2) == 0 ? random_size(rng, 2, 3) : 1;
  p.dilation_h = random_size(rng, 1, 2);
  p.dilation_w = random_size(rng, 1, 2);
  p.pad_top = random_size(rng, 0, p.kernel_h - 1);
  p.pad_bottom = random_size(rng, 0, p.kernel_h - 1);
  p.pad_left = random_size(rng, 0, p.kernel_w - 1);
  p.pad_right = random_size(rng, 0, p.kernel_w - 1);
  p.ceil_mode = random_size(rng, 0, 1) == 1;
  p.count_include_pad = random_size(rng, 0, 1) == 1;
  return p;
}

std::vector<float> pool_input(const Pool2dParams& p, std::uint32_t seed, bool specials) {
  std::vector<float> x = inlay_test::random_floats(p.batch * p.channels * p.in_h * p.in_w, seed);
  if (specials) {
    inlay_test::sprinkle_specials(x);
    std::mt19937 rng(seed);
    for (std::size_t i = 0; i < x.size() / 16; ++i) {
      x[inlay_test::random_size(rng, 0, x.size() - 1)] = std::numeric_limits<float>::quiet_NaN();
    }
  }
  return x;
}

void check_max_pool(const Pool2dParams& p, std::uint32_t seed, bool specials) {
  INFO(describe(p));
  const std::vector<float> x = pool_input(p, seed, specials);
  const inlay_ref::MaxPoolResult expected = inlay_ref::max_pool2d(p, x);
  REQUIRE(expected.y.size() == p.batch * p.channels * p.out_h() * p.out_w());
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(expected.y.size(), 1234.5f), y2(expected.y.size(), 1234.5f);
    std::vector<std::int64_t> indices(expected.y.size(), -7);
    k::max_pool2d_nchw_f32(p, x.data(), y.data(), indices.data());
    k::max_pool2d_nchw_f32(p, x.data(), y2.data(), nullptr);  // the vector path
    inlay_test::check_close(y, expected.y, 0.0f, 0.0f);
    inlay_test::check_close(y2, expected.y, 0.0f, 0.0f);
    CHECK(indices == expected.indices);
  });
}

void check_avg_pool(const Pool2dParams& p, std::uint32_t seed, bool specials) {
  INFO(describe(p));
  const std::vector<float> x = pool_input(p, seed, specials);
  const std::vector<float> expected = inlay_ref::avg_pool2d(p, x);
  REQUIRE(expected.size() == p.batch * p.channels * p.out_h() * p.out_w());
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(expected.size(), 1234.5f);
    k::avg_pool2d_nchw_f32(p, x.data(), y.data());
    // float sums of up to 25 values and a reciprocal multiply against double.
    inlay_test::check_close(y, expected, 1e-5f, 1e-6f);
  });
}

}  // namespace

TEST_CASE("pool output size follows ONNX, ceil_mode dropping windows that start in the padding",
          "[kernels/pool]") {
  Pool2dParams p;
  p.in_h = 32, p.in_w = 4, p.kernel_h = 5, p.kernel_w = 3, p.stride_w = 2;
  CHECK(p.out_h() == 28);  // 32 - 5 + 1
  CHECK(p.out_w() == 1);   // floor((4 - 3) / 2) + 1
  p.ceil_mode = true;
  CHECK(p.out_w() == 2);  // ceil((4 - 3) / 2) + 1: the second window starts at 2 < 4
  // in 5, kernel 2, stride 2, pads 1 and 1: windows start at -1, 1, 3; ceil would add one at 5,
  // entirely in the end padding, so it is dropped.
  p.in_w = 5, p.kernel_w = 2, p.pad_left = 1, p.pad_right = 1;
  CHECK(p.out_w() == 3);
  p.ceil_mode = false;
  CHECK(p.out_w() == 3);
  p.dilation_h = 9;  // extent 37 > 32: no output
  CHECK(p.out_h() == 0);
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    const Pool2dParams q = random_params(rng);
    INFO(describe(q));
    CHECK(q.out_h() == inlay_ref::pool_out(q.in_h, q.pad_top, q.pad_bottom, q.kernel_h, q.stride_h,
                                           q.dilation_h, q.ceil_mode));
    CHECK(q.out_w() == inlay_ref::pool_out(q.in_w, q.pad_left, q.pad_right, q.kernel_w, q.stride_w,
                                           q.dilation_w, q.ceil_mode));
  }
}

TEST_CASE("max_pool2d matches ONNX MaxPool on random shapes, with and without indices",
          "[kernels/pool]") {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 80; ++iter) check_max_pool(random_params(rng), 10 + iter, false);
}

TEST_CASE("max_pool2d propagates NaN (first operand too) and handles Inf", "[kernels/pool]") {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 40; ++iter) check_max_pool(random_params(rng), 90 + iter, true);
  // A NaN at every position of a 3-wide window in turn, on the vector path.
  Pool2dParams p;
  p.channels = 1, p.in_h = 1, p.in_w = 40, p.kernel_w = 3;
  for (std::size_t at = 0; at < 40; at += 5) {
    std::vector<float> x = inlay_test::random_floats(40, 11);
    x[at] = std::numeric_limits<float>::quiet_NaN();
    const inlay_ref::MaxPoolResult expected = inlay_ref::max_pool2d(p, x);
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> y(38);
      k::max_pool2d_nchw_f32(p, x.data(), y.data(), nullptr);
      for (std::size_t o = 0; o < 38; ++o) CHECK(std::isnan(y[o]) == (o + 2 >= at && o <= at));
      inlay_test::check_close(y, expected.y, 0.0f, 0.0f);
    });
  }
}

TEST_CASE("avg_pool2d matches ONNX AveragePool on random shapes", "[kernels/pool]") {
  std::mt19937 rng(9);
  for (int iter = 0; iter < 80; ++iter) check_avg_pool(random_params(rng), 200 + iter, false);
  for (int iter = 0; iter < 20; ++iter) check_avg_pool(random_params(rng), 300 + iter, true);
}

TEST_CASE("avg_pool2d: count_include_pad x ceil_mode on a fixed 3x3 stride-2 case",
          "[kernels/pool]") {
  Pool2dParams p;
  p.batch = 2, p.channels = 3, p.in_h = 6, p.in_w = 36, p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = 1, p.pad_bottom = 0, p.pad_right = 1;
  for (std::size_t stride : {1u, 2u}) {
    for (bool ceil_mode : {false, true}) {
      for (bool include : {false, true}) {
        p.stride_h = p.stride_w = stride, p.ceil_mode = ceil_mode, p.count_include_pad = include;
        check_avg_pool(p, 400, false);
        check_max_pool(p, 401, false);
      }
    }
  }
}

TEST_CASE("pools of empty inputs and batch 0 write nothing", "[kernels/pool]") {
  Pool2dParams p;
  p.batch = 0, p.channels = 3, p.in_h = 4, p.in_w = 4, p.kernel_h = p.kernel_w = 2;
  // Null buffers: any access would crash.
  CHECK_NOTHROW(k::max_pool2d_nchw_f32(p, nullptr, nullptr, nullptr));
  CHECK_NOTHROW(k::avg_pool2d_nchw_f32(p, nullptr, nullptr));
  p.batch = 1, p.in_w = 1;  // a window wider than the input
  CHECK(p.out_w() == 0);
  CHECK_NOTHROW(k::max_pool2d_nchw_f32(p, nullptr, nullptr, nullptr));
  CHECK_NOTHROW(k::global_avg_pool_f32(nullptr, nullptr, 0, 5));
  CHECK_NOTHROW(k::global_max_pool_f32(nullptr, nullptr, 0, 5));
  // A window with no element inside the input (only dilation makes one): -inf / index -1 and
  // 0 / 0 = NaN, as the references define.
  p.in_h = 1, p.in_w = 1, p.kernel_h = 1, p.kernel_w = 2, p.dilation_w = 2, p.pad_left = 1;
  p.pad_right = 1, p.channels = 1;
  REQUIRE(p.out_w() == 1);
  check_max_pool(p, 500, false);
  check_avg_pool(p, 501, false);
}

TEST_CASE("global pools are vectorized reductions equal to the definition", "[kernels/pool]") {
  for (std::size_t spatial : {0u, 1u, 3u, 7u, 16u, 17u, 33u, 200u, 3136u}) {
    for (bool specials : {false, true}) {
      const std::size_t planes = 5;
      INFO("spatial " << spatial << (specials ? " with NaN/Inf" : ""));
      std::vector<float> x = inlay_test::random_floats(planes * spatial, 600 + spatial, 0.5f, 2.0f);
      if (specials && spatial > 0) {
        x[spatial + spatial / 2] = std::numeric_limits<float>::quiet_NaN();      // plane 1
        x[2 * spatial] = std::numeric_limits<float>::infinity();                 // plane 2
        x[3 * spatial + spatial - 1] = -std::numeric_limits<float>::infinity();  // plane 3
        for (std::size_t i = 4 * spatial; i < 5 * spatial; ++i) {  // plane 4: all -inf
          x[i] = -std::numeric_limits<float>::infinity();
        }
      }
      const std::vector<float> avg = inlay_ref::global_avg_pool(x, planes, spatial);
      const std::vector<float> max = inlay_ref::global_max_pool(x, planes, spatial);
      inlay_test::for_each_cpu_target([&] {
        std::vector<float> ya(planes, 1234.5f), ym(planes, 1234.5f);
        k::global_avg_pool_f32(x.data(), ya.data(), planes, spatial);
        k::global_max_pool_f32(x.data(), ym.data(), planes, spatial);
        // Positive inputs: the float sum of 3136 values is within ~1e-6 relative of double.
        inlay_test::check_close(ya, avg, 2e-6f, 0.0f);
        inlay_test::check_close(ym, max, 0.0f, 0.0f);
      });
    }
  }
}

TEST_CASE("pool kernels reject bad parameters, naming the field", "[kernels/pool]") {
  Pool2dParams p;
  p.channels = 2, p.in_h = p.in_w = 4;
  std::vector<float> buf(64);
  p.kernel_w = 0;
  CHECK_THROWS_WITH(k::validate_pool2d(p), "invalid argument: pool2d: kernel_w is 0");
  CHECK_THROWS_WITH(k::max_pool2d_nchw_f32(p, buf.data(), buf.data(), nullptr),
                    "invalid argument: max_pool2d: kernel_w is 0");
  p.kernel_w = 2, p.stride_h = 0;
  CHECK_THROWS_WITH(k::avg_pool2d_nchw_f32(p, buf.data(), buf.data()),
                    "invalid argument: avg_pool2d: stride_h is 0");
  p.stride_h = 1, p.dilation_w = 0;
  CHECK_THROWS_WITH(k::validate_pool2d(p), "invalid argument: pool2d: dilation_w is 0");
  p.dilation_w = 1;
  CHECK_NOTHROW(k::validate_pool2d(p));
  CHECK_THROWS_WITH(k::avg_pool2d_nchw_f32(p, nullptr, buf.data()),
                    "invalid argument: avg_pool2d: x is null but 32 elements are needed");
  CHECK_THROWS_WITH(k::global_max_pool_f32(buf.data(), nullptr, 3, 4),
                    "invalid argument: global_max_pool: y is null but 3 elements are needed");
}
