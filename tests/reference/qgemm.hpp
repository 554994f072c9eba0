// Plain scalar reference of the int8 GEMM (kernels/qgemm.hpp) and of the integer convolution
// (ConvInteger / QLinearConv), written from the definitions: int64 sums of (a - za)(b - zb),
// wrapped to int32 at the end, then the epilogue's formula in float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "reference/quantize.hpp"

namespace inlay_ref {

// acc[i][j] = sum_p (a[i][p] - za[i or 0]) (b[p][j] - zb[j or 0]) as int32 (wraps like int32).
// a is m x k, b is k x n (row-major, values as int32 whatever their 8-bit type).
inline std::vector<std::int32_t> integer_matmul(std::size_t m, std::size_t n, std::size_t k,
                                                const std::vector<std::int32_t>& a,
                                                const std::vector<std::int32_t>& za,
                                                const std::vector<std::int32_t>& b,
                                                const std::vector<std::int32_t>& zb) {
  std::vector<std::int32_t> acc(m * n);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      std::int64_t sum = 0;
      for (std::size_t p = 0; p < k; ++p) {
        sum += std::int64_t(a[i * k + p] - za[za.size() == 1 ? 0 : i]) *
               (b[p * n + j] - zb[zb.size() == 1 ? 0 : j]);
      }
      acc[i * n + j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(sum));
    }
  }
  return acc;
}

// saturate(round_half_even(float(acc + bias) * multiplier) + zero) into [lo, hi].
inline std::int32_t requantize(std::int32_t acc, std::int32_t bias, float multiplier,
                               std::int32_t zero, std::int32_t lo, std::int32_t hi) {
  const auto sum =
      static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
  const float f = static_cast<float>(sum) * multiplier;
  const double v = round_half_even(static_cast<double>(f)) + zero;
  return static_cast<std::int32_t>(v < lo ? lo : v > hi ? hi : v);
}

// The int32 sums of an NCHW integer convolution (2-D; 1-D as height 1), padding holding x_zero
// (so it adds nothing): x is [batch, c, ih, iw], w is [m, c / group, kh, kw], wz per tensor or
// per output channel.
struct IntegerConvShape {
  std::size_t batch, c, ih, iw, m, kh, kw, group;
  std::size_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, pad_t = 0, pad_l = 0, pad_b = 0,
              pad_r = 0;
  std::size_t oh() const { return (ih + pad_t + pad_b - dil_h * (kh - 1) - 1) / stride_h + 1; }
  std::size_t ow() const { return (iw + pad_l + pad_r - dil_w * (kw - 1) - 1) / stride_w + 1; }
};

inline std::vector<std::int32_t> integer_conv(const IntegerConvShape& s,
                                              const std::vector<std::int32_t>& x, std::int32_t xz,
                                              const std::vector<std::int32_t>& w,
                                              const std::vector<std::int32_t>& wz) {
  const std::size_t oh = s.oh(), ow = s.ow(), cg = s.c / s.group, mg = s.m / s.group;
  std::vector<std::int32_t> acc(s.batch * s.m * oh * ow);
  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t o = 0; o < s.m; ++o) {
      const std::int32_t z = wz[wz.size() == 1 ? 0 : o];
      for (std::size_t yy = 0; yy < oh; ++yy) {
        for (std::size_t xx = 0; xx < ow; ++xx) {
          std::int64_t sum = 0;
          for (std::size_t ci = 0; ci < cg; ++ci) {
            const std::size_t ch = o / mg * cg + ci;
            for (std::size_t a = 0; a < s.kh; ++a) {
              const auto iy = std::int64_t(yy * s.stride_h + a * s.dil_h) - std::int64_t(s.pad_t);
              if (iy < 0 || iy >= std::int64_t(s.ih)) continue;
              for (std::size_t e = 0; e < s.kw; ++e) {
                const auto ix = std::int64_t(xx * s.stride_w + e * s.dil_w) - std::int64_t(s.pad_l);
                if (ix < 0 || ix >= std::int64_t(s.iw)) continue;
                sum += std::int64_t(
                           x[((b * s.c + ch) * s.ih + std::size_t(iy)) * s.iw + std::size_t(ix)] -
                           xz) *
                       (w[((o * cg + ci) * s.kh + a) * s.kw + e] - z);
              }
            }
          }
          acc[((b * s.m + o) * oh + yy) * ow + xx] =
              static_cast<std::int32_t>(static_cast<std::uint32_t>(sum));
        }
      }
    }
  }
  return acc;
}

}  // namespace inlay_ref
