// Plain scalar references of the conv kernels (conv.hpp), straight from the definitions (no
// im2col), accumulated in double.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include <inlay/inlay.hpp>

#include "reference/elementwise.hpp"  // activation()

namespace inlay_ref {

// ONNX Conv: y[n, oc, oy, ox] = act(bias[oc] + sum over the group's input channels c and the
// taps (ki, kj) of x[n, c, oy*sh - pt + ki*dh, ox*sw - pl + kj*dw] * w[oc, c - c0, ki, kj]),
// taps in the padding reading 0.
inline std::vector<float> conv2d(const inlay::kernels::Conv2dParams& p, const std::vector<float>& x,
                                 const std::vector<float>& w, const float* bias,
                                 const inlay::kernels::Activation& act) {
  const std::size_t oh = p.out_h(), ow = p.out_w();
  const std::size_t cg = p.in_channels / p.groups, og = p.out_channels / p.groups;
  std::vector<float> y(p.batch * p.out_channels * oh * ow);
  for (std::size_t n = 0; n < p.batch; ++n)
    for (std::size_t oc = 0; oc < p.out_channels; ++oc)
      for (std::size_t oy = 0; oy < oh; ++oy)
        for (std::size_t ox = 0; ox < ow; ++ox) {
          double s = bias ? bias[oc] : 0.0;
          const std::size_t g = oc / og;
          for (std::size_t c = 0; c < cg; ++c)
            for (std::size_t ki = 0; ki < p.kernel_h; ++ki)
              for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
                const long iy = long(oy * p.stride_h + ki * p.dilation_h) - long(p.pad_top);
                const long ix = long(ox * p.stride_w + kj * p.dilation_w) - long(p.pad_left);
                if (iy < 0 || ix < 0 || iy >= long(p.in_h) || ix >= long(p.in_w)) continue;
                const double xv = x[((n * p.in_channels + g * cg + c) * p.in_h + iy) * p.in_w + ix];
                const double wv = w[((oc * cg + c) * p.kernel_h + ki) * p.kernel_w + kj];
                s += xv * wv;
              }
          y[((n * p.out_channels + oc) * oh + oy) * ow + ox] = float(activation(act, s));
        }
  return y;
}

// ONNX ConvTranspose: every input x[n, ic, iy, ix] adds x * w[ic, oc - o0, ki, kj] to
// y[n, oc, iy*sh - pt + ki*dh, ix*sw - pl + kj*dw] (when inside y) for the output channels oc of
// its group; then bias and activation. Output size:
// stride * (in - 1) + output_pad + dilation * (kernel - 1) + 1 - pads.
inline std::vector<float> conv_transpose2d(const inlay::kernels::Conv2dParams& p,
                                           const std::vector<float>& x, const std::vector<float>& w,
                                           const float* bias,
                                           const inlay::kernels::Activation& act) {
  const long oh =
      long(p.stride_h * (p.in_h - 1) + p.output_pad_h + p.dilation_h * (p.kernel_h - 1) + 1) -
      long(p.pad_top + p.pad_bottom);
  const long ow =
      long(p.stride_w * (p.in_w - 1) + p.output_pad_w + p.dilation_w * (p.kernel_w - 1) + 1) -
      long(p.pad_left + p.pad_right);
  if (p.in_h == 0 || p.in_w == 0 || oh <= 0 || ow <= 0) return {};
  const std::size_t cg = p.in_channels / p.groups, og = p.out_channels / p.groups;
  std::vector<double> acc(p.batch * p.out_channels * oh * ow, 0.0);
  for (std::size_t n = 0; n < p.batch; ++n)
    for (std::size_t ic = 0; ic < p.in_channels; ++ic)
      for (std::size_t iy = 0; iy < p.in_h; ++iy)
        for (std::size_t ix = 0; ix < p.in_w; ++ix)
          for (std::size_t o = 0; o < og; ++o)
            for (std::size_t ki = 0; ki < p.kernel_h; ++ki)
              for (std::size_t kj = 0; kj < p.kernel_w; ++kj) {
                const long oy = long(iy * p.stride_h + ki * p.dilation_h) - long(p.pad_top);
                const long ox = long(ix * p.stride_w + kj * p.dilation_w) - long(p.pad_left);
                if (oy < 0 || ox < 0 || oy >= oh || ox >= ow) continue;
                const std::size_t oc = ic / cg * og + o;
                acc[((n * p.out_channels + oc) * oh + oy) * ow + ox] +=
                    double(x[((n * p.in_channels + ic) * p.in_h + iy) * p.in_w + ix]) *
                    w[((ic * og + o) * p.kernel_h + ki) * p.kernel_w + kj];
              }
  std::vector<float> y(acc.size());
  const std::size_t plane = std::size_t(oh * ow);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::size_t oc = i / plane % p.out_channels;
    y[i] = float(activation(act, acc[i] + (bias ? bias[oc] : 0.0)));
  }
  return y;
}

}  // namespace inlay_ref
