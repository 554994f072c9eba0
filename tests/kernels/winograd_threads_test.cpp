// Winograd's tile transforms go to the executor only when a block of tiles is worth threads
// (kernels/winograd-dispatch.hpp, executor_for_work): a late ResNet layer (7x7) hands it the
// GEMM's steps alone, a larger block the transforms too; the results equal the serial ones.
#include <cstddef>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;
using inlay::kernels::Conv2dParams;

namespace {

Conv2dParams layer(std::size_t channels, std::size_t size) {
  Conv2dParams p;
  p.in_channels = p.out_channels = channels;
  p.in_h = p.in_w = size;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  return p;
}

// Runs the layer serially and on a CountingPool; returns the pool's steps, checks the results.
std::size_t winograd_steps(const Conv2dParams& p) {
  const std::vector<float> x =
      inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, 51);
  const std::vector<float> w = inlay_test::random_floats(p.out_channels * p.in_channels * 9, 52);
  const std::vector<float> b = inlay_test::random_floats(p.out_channels, 53);
  std::vector<float> u(k::winograd_weights_size_f32(p.out_channels, p.in_channels));
  k::winograd_transform_weights_f32(p, w.data(), u.data());
  const std::size_t out = p.batch * p.out_channels * p.out_h() * p.out_w();
  std::vector<float> serial(out), parallel(out, 1234.5f);
  std::vector<float> ws(k::winograd_workspace_size_f32(p));
  k::winograd_conv2d_nchw_f32(p, x.data(), u.data(), b.data(), serial.data(), ws.data());
  inlay_test::CountingPool pool;
  k::winograd_conv2d_nchw_f32(p, x.data(), u.data(), b.data(), parallel.data(), ws.data(), {},
                              &pool);
  inlay_test::check_close(parallel, serial, 0.0f, 0.0f);
  return pool.runs;
}

// The steps of the 36 tile GEMMs of one block of `tiles` tiles alone.
std::size_t gemm_steps(const Conv2dParams& p, std::size_t tiles) {
  const std::size_t ic = p.in_channels, oc = p.out_channels;
  const std::vector<float> u(36 * oc * ic, 0.5f), v(36 * ic * tiles, 0.25f);
  std::vector<float> m(36 * oc * tiles);
  inlay_test::CountingPool pool;
  k::gemm_batched_f32(36, false, false, oc, tiles, ic, 1.0f, u.data(), ic, oc * ic, v.data(), tiles,
                      ic * tiles, 0.0f, m.data(), tiles, oc * tiles, {}, &pool);
  return pool.runs;
}

// Whether the layer's tiles fit one block (the workspace holds a block's tiles), so that the
// GEMM steps of one block are all of them.
bool one_block(const Conv2dParams& p, std::size_t tiles) {
  return k::winograd_workspace_size_f32(p) == 36 * (p.in_channels + p.out_channels) * tiles;
}

}  // namespace

TEST_CASE(
    "winograd: a 7x7 layer transforms its tiles serially, a 14x14 one of 512 channels in "
    "parallel",
    "[kernels/winograd_threads]") {
  SECTION("7x7, 256 channels: 4 tiles, 2^16.3 transform operations: the GEMM's steps alone") {
    const Conv2dParams p = layer(256, 7);
    REQUIRE(one_block(p, 4));
    const std::size_t gemm = gemm_steps(p, 4);
    CHECK(gemm > 0);  // the GEMM is worth threads, the transforms are not
    CHECK(winograd_steps(p) == gemm);
  }
  SECTION("14x14, 512 channels: 16 tiles, 2^19.3 operations: one input, one output step more") {
    const Conv2dParams p = layer(512, 14);
    REQUIRE(one_block(p, 16));
    CHECK(winograd_steps(p) == gemm_steps(p, 16) + 2);
  }
}
