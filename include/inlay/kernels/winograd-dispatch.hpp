// Entry points of the Winograd F(4x4, 3x3) convolution (see winograd.hpp). Compiled once, in the
// implementation translation unit; the tile transforms are the per-target bodies of
// winograd-inl.hpp, the 36 products per block the library's batched GEMM.
//
// Per block of tile rows (all images counted one after the other): V = the input transform of
// every tile and input channel (36 matrices [in_channels x tiles]), M[t] = U[t] * V[t] for the 36
// positions t of a 6x6 tile (one gemm_batched_f32 call, U [out_channels x in_channels]), then the
// output transform of M into y with bias and activation. The Executor splits the transforms by
// channel and the GEMM by blocks of its output.
#ifndef INLAY_KERNELS_WINOGRAD_DISPATCH_HPP
#define INLAY_KERNELS_WINOGRAD_DISPATCH_HPP

#include <algorithm>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/core/executor.hpp"
#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/impl/paths.hpp"
#include "inlay/kernels/winograd.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

namespace {
// Tiles per block, aimed at: large enough to keep the GEMMs efficient (n = tiles), small enough
// to keep V and M (36 * (in + out channels) * tiles floats) near the caches (measured:
// docs/bench.md, "Tuning constants").
constexpr std::size_t winograd_block_tiles = 256;

// Fewer tiles than this in a call make the 36 GEMMs too narrow to pay for streaming U (4 times
// the weights) against im2col + GEMM (measured: docs/bench.md, "Tuning constants").
constexpr std::size_t winograd_min_tiles = 16;

// Tile rows per block: whole tile rows, at least one, at most all of them.
std::size_t winograd_block_rows(const Conv2dParams& p) {
  const std::size_t tiles_w = (p.out_w() + 3) / 4;
  const std::size_t all_rows = p.batch * ((p.out_h() + 3) / 4);
  return std::min(all_rows, std::max<std::size_t>(1, winograd_block_tiles / tiles_w));
}

[[noreturn]] void winograd_fail(const std::string& what) {
  fail(ErrorKind::invalid_argument, "winograd_conv2d: " + what);
}
}  // namespace

bool winograd_supports(const Conv2dParams& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 &&
         p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1 && p.in_channels > 0 &&
         p.out_h() >= 2 && p.out_w() >= 2;
}

bool detail::winograd_applies(const Conv2dParams& p) {
  const std::size_t tiles = p.batch * ((p.out_h() + 3) / 4) * ((p.out_w() + 3) / 4);
  return winograd_supports(p) && p.in_channels >= 16 && p.out_channels >= 16 &&
         tiles >= winograd_min_tiles;
}

std::size_t winograd_weights_size_f32(std::size_t out_channels, std::size_t in_channels) {
  return 36 * out_channels * in_channels;
}

void winograd_transform_weights_f32(const Conv2dParams& p, const float* w, float* u) {
  if (p.kernel_h != 3 || p.kernel_w != 3 || p.groups != 1) {
    winograd_fail("the weights must be [out_channels, in_channels, 3, 3] with one group");
  }
  const std::size_t oc_n = p.out_channels, ic_n = p.in_channels;
  if (oc_n * ic_n == 0) return;
  if (w == nullptr || u == nullptr) winograd_fail("w or u is null");
  // G of Lavin and Gray, section 4.2 (rows for the points 0, 1, -1, 2, -2, infinity); the
  // product is formed in double and rounded once.
  static constexpr double G[6][3] = {
      {1.0 / 4, 0.0, 0.0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
      {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0.0, 0.0, 1.0}};
  // Blocks of input channels, each step a loop over the block that the compiler vectorizes (the
  // weights transposed to [9][block] first); every element is computed as a plain loop over one
  // (oc, ic) pair would, so the result does not depend on the blocking.
  constexpr std::size_t block = 16;
  double g[9][block], gg[6][3][block];
  for (std::size_t oc = 0; oc < oc_n; ++oc) {
    for (std::size_t ic0 = 0; ic0 < ic_n; ic0 += block) {
      const std::size_t n = std::min(block, ic_n - ic0);
      for (std::size_t i = 0; i < n; ++i) {
        const float* src = w + (oc * ic_n + ic0 + i) * 9;
        for (std::size_t k = 0; k < 9; ++k) g[k][i] = src[k];
      }
      for (std::size_t a = 0; a < 6; ++a) {  // G g
        for (std::size_t j = 0; j < 3; ++j) {
          for (std::size_t i = 0; i < n; ++i) {
            gg[a][j][i] = G[a][0] * g[j][i] + G[a][1] * g[3 + j][i] + G[a][2] * g[6 + j][i];
          }
        }
      }
      for (std::size_t a = 0; a < 6; ++a) {  // (G g) G^T
        for (std::size_t b = 0; b < 6; ++b) {
          float* dst = u + ((a * 6 + b) * oc_n + oc) * ic_n + ic0;
          for (std::size_t i = 0; i < n; ++i) {
            const double r = gg[a][0][i] * G[b][0] + gg[a][1][i] * G[b][1] + gg[a][2][i] * G[b][2];
            dst[i] = static_cast<float>(r);
          }
        }
      }
    }
  }
}

std::size_t winograd_workspace_size_f32(const Conv2dParams& p) {
  if (!winograd_supports(p)) return 0;
  const std::size_t tiles = winograd_block_rows(p) * ((p.out_w() + 3) / 4);
  return 36 * (p.in_channels + p.out_channels) * tiles;
}

INLAY_EXPORT(winograd_input_rows_f32);
INLAY_EXPORT(winograd_output_rows_f32);

void winograd_conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* u,
                              const float* bias, float* y, float* workspace,
                              const Activation& activation, Executor* executor) {
  if (!winograd_supports(p)) {
    winograd_fail(
        "needs a 3x3 kernel, stride 1, dilation 1, one group, in_channels > 0 and an "
        "output of at least 2x2 (got kernel " +
        std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + ", stride " +
        std::to_string(p.stride_h) + "," + std::to_string(p.stride_w) + ", dilation " +
        std::to_string(p.dilation_h) + "," + std::to_string(p.dilation_w) + ", groups " +
        std::to_string(p.groups) + ", in_channels " + std::to_string(p.in_channels) + ", output " +
        std::to_string(p.out_h()) + "x" + std::to_string(p.out_w()) + ")");
  }
  const std::size_t ic = p.in_channels, oc = p.out_channels;
  if (p.batch == 0 || oc == 0) return;
  if (x == nullptr || u == nullptr || y == nullptr || workspace == nullptr) {
    winograd_fail("x, u, y or workspace is null");
  }
  const std::size_t tiles_w = (p.out_w() + 3) / 4;
  const std::size_t all_rows = p.batch * ((p.out_h() + 3) / 4);
  const std::size_t block_rows = winograd_block_rows(p);
  for (std::size_t r0 = 0; r0 < all_rows; r0 += block_rows) {
    const std::size_t r1 = std::min(all_rows, r0 + block_rows);
    const std::size_t tiles = (r1 - r0) * tiles_w;
    float* v = workspace;                    // 36 x [ic x tiles]
    float* m = workspace + 36 * ic * tiles;  // 36 x [oc x tiles]
    // The transforms cost about 80 operations per tile and channel: small blocks run them on
    // the calling thread.
    parallel_for(executor_for_work(executor, 80 * ic * tiles), ic, [&](std::size_t c) {
      INLAY_DISPATCH(winograd_input_rows_f32)(p, x, c, r0, r1, v, ic * tiles, tiles);
    });
    gemm_batched_f32(36, false, false, oc, tiles, ic, 1.0f, u, ic, oc * ic, v, tiles, ic * tiles,
                     0.0f, m, tiles, oc * tiles, GemmEpilogue{}, executor);
    parallel_for(executor_for_work(executor, 80 * oc * tiles), oc, [&](std::size_t o) {
      INLAY_DISPATCH(winograd_output_rows_f32)
      (p, m, o, r0, r1, oc * tiles, tiles, bias, y, activation);
    });
  }
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_WINOGRAD_DISPATCH_HPP
