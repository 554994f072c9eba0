// Entry points of the conv kernels (see conv.hpp): each calls the body compiled for the CPU target
// in use. Compiled once, in the implementation translation unit.
//
// conv2d is the library's one GEMM (small stride-1 layers: a direct kernel, see
// conv_direct_applies): per image and group, y = act(W * col + bias) with a per-row bias
// epilogue, where the column matrix col [in_channels/groups * kernel_h * kernel_w, out_h * out_w]
// goes to the workspace (im2col), or, where that measured faster (conv_makes_columns), is made by
// the GEMM block by block straight from x (conv_gemm-inl.hpp) and never stored. A 1x1
// convolution with stride 1 and no padding needs no column matrix: x already is it. The packed
// path for few output pixels (conv2d_nchw_packed_f32) builds its column matrix with im2col.
// conv_transpose2d is the adjoint: col = W^T * x (gemm_f32), then col2im scatters the columns
// into y and applies bias + activation. The Executor parallelizes inside each step
// (im2col rows, GEMM, col2im channels), so a workspace holds one column matrix whatever the
// number of threads.
#ifndef INLAY_KERNELS_CONV_DISPATCH_HPP
#define INLAY_KERNELS_CONV_DISPATCH_HPP

#include <algorithm>
#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/impl/paths.hpp"
#include "inlay/kernels/transpose.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

namespace {
// floor((in + pads - dilation * (kernel - 1) - 1) / stride) + 1, 0 when the window does not fit.
std::size_t conv_out_size(std::size_t in, std::size_t pads, std::size_t kernel, std::size_t stride,
                          std::size_t dilation) {
  const std::size_t extent = dilation * (kernel - 1) + 1;
  if (kernel == 0 || stride == 0 || in + pads < extent) return 0;
  return (in + pads - extent) / stride + 1;
}

// stride * (in - 1) + output_pad + dilation * (kernel - 1) + 1 - pads, 0 when that is not
// positive or the input is empty.
std::size_t conv_transposed_out_size(std::size_t in, std::size_t pads, std::size_t kernel,
                                     std::size_t stride, std::size_t dilation,
                                     std::size_t output_pad) {
  if (in == 0 || kernel == 0) return 0;
  const std::size_t full = stride * (in - 1) + output_pad + dilation * (kernel - 1) + 1;
  return full > pads ? full - pads : 0;
}

[[noreturn]] void conv_fail(const char* fn, const std::string& what) {
  fail(ErrorKind::invalid_argument, std::string(fn) + ": " + what);
}

void check_positive(const char* fn, const char* field, std::size_t value) {
  if (value == 0) conv_fail(fn, std::string(field) + " is 0");
}

void check_conv_params(const Conv2dParams& p, const char* fn) {
  check_positive(fn, "in_channels", p.in_channels);
  check_positive(fn, "kernel_h", p.kernel_h);
  check_positive(fn, "kernel_w", p.kernel_w);
  check_positive(fn, "stride_h", p.stride_h);
  check_positive(fn, "stride_w", p.stride_w);
  check_positive(fn, "dilation_h", p.dilation_h);
  check_positive(fn, "dilation_w", p.dilation_w);
  check_positive(fn, "groups", p.groups);
  if (p.in_channels % p.groups != 0) {
    conv_fail(fn, "groups (" + std::to_string(p.groups) + ") does not divide in_channels (" +
                      std::to_string(p.in_channels) + ")");
  }
  if (p.out_channels % p.groups != 0) {
    conv_fail(fn, "groups (" + std::to_string(p.groups) + ") does not divide out_channels (" +
                      std::to_string(p.out_channels) + ")");
  }
}

void check_pointer(const char* fn, const char* name, const void* ptr, std::size_t floats) {
  if (ptr == nullptr && floats != 0) {
    conv_fail(fn,
              std::string(name) + " is null but " + std::to_string(floats) + " floats are needed");
  }
}

// A 1x1 convolution with unit stride and no padding reads x as the column matrix.
bool conv_is_pointwise(const Conv2dParams& p) {
  return p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
         p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
}

// The direct kernel (conv-inl.hpp) takes small stride-1, undilated, non-1x1 convolutions, where
// im2col + packing would cost more than the FMAs: a column matrix of at most 64 Ki floats
// (LeNet's layers), at most 1024 taps and few output channels per group.
bool conv_direct_applies(const Conv2dParams& p) {
  if (p.stride_h != 1 || p.stride_w != 1 || p.dilation_h != 1 || p.dilation_w != 1) return false;
  if (p.kernel_h * p.kernel_w == 1 || p.groups == 0) return false;
  const std::size_t k = p.in_channels / p.groups * p.kernel_h * p.kernel_w;
  return p.out_channels / p.groups <= 64 && k <= 1024 && k * p.out_h() * p.out_w() <= 65536;
}

// Whether the GEMM makes the column matrix itself, block by block from x (conv_gemm-inl.hpp),
// instead of reading it from the workspace after im2col. It pays with many taps per output and
// at most 64 output channels (one block of A): with few taps the making costs more than the FMAs
// it feeds, and with more channels the GEMM packs A again for each block of columns (measured:
// docs/bench.md, "Tuning constants").
bool conv_makes_columns(const Conv2dParams& p) {
  if (p.groups == 0) return false;
  const std::size_t k = p.in_channels / p.groups * p.kernel_h * p.kernel_w;
  return p.out_channels / p.groups <= 64 && k >= 64;
}

// The zero-padded input of one (image, group) for the direct kernel; 0 without padding.
std::size_t conv_direct_padded_size(const Conv2dParams& p) {
  if (p.pad_top + p.pad_bottom + p.pad_left + p.pad_right == 0) return 0;
  return p.in_channels / p.groups * (p.pad_top + p.in_h + p.pad_bottom) *
         (p.pad_left + p.in_w + p.pad_right);
}
}  // namespace

std::size_t Conv2dParams::out_h() const {
  return conv_out_size(in_h, pad_top + pad_bottom, kernel_h, stride_h, dilation_h);
}
std::size_t Conv2dParams::out_w() const {
  return conv_out_size(in_w, pad_left + pad_right, kernel_w, stride_w, dilation_w);
}
std::size_t Conv2dParams::transposed_out_h() const {
  return conv_transposed_out_size(in_h, pad_top + pad_bottom, kernel_h, stride_h, dilation_h,
                                  output_pad_h);
}
std::size_t Conv2dParams::transposed_out_w() const {
  return conv_transposed_out_size(in_w, pad_left + pad_right, kernel_w, stride_w, dilation_w,
                                  output_pad_w);
}

void validate_conv2d(const Conv2dParams& p) { check_conv_params(p, "conv2d"); }

INLAY_EXPORT(conv_im2col_f32);
INLAY_EXPORT(conv_col2im_f32);
INLAY_EXPORT(depthwise_conv2d_nchw_f32);
INLAY_EXPORT(conv_direct_f32);

namespace {
// The column matrix [k, out_h * out_w] of the channels of one (image, group) at `xg` into `col`;
// returns `col`. A few chunks of rows per thread: one task per row costs more than a short
// row's copy.
const float* conv_im2col_parallel(const Conv2dParams& p, const float* xg, std::size_t k, float* col,
                                  Executor* executor) {
  const std::size_t out_plane = p.out_h() * p.out_w();
  const std::size_t threads = executor != nullptr ? executor->concurrency() : 1;
  const std::size_t chunks = std::min(k, 4 * threads);
  parallel_for(executor, chunks, [&](std::size_t t) {
    const std::size_t r0 = k * t / chunks, r1 = k * (t + 1) / chunks;
    INLAY_DISPATCH(conv_im2col_f32)(p, xg, r0, r1, col + r0 * out_plane);
  });
  return col;
}
}  // namespace

std::size_t conv2d_workspace_size_f32(const Conv2dParams& p) {
  if (conv_is_pointwise(p) || p.groups == 0) return 0;
  if (conv_direct_applies(p)) return conv_direct_padded_size(p);
  if (conv_makes_columns(p)) return 0;
  return p.in_channels / p.groups * p.kernel_h * p.kernel_w * p.out_h() * p.out_w();
}

void conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w, const float* bias,
                     float* y, float* workspace, const Activation& activation, Executor* executor) {
  const char* fn = "conv2d";
  check_conv_params(p, fn);
  const std::size_t out_plane = p.out_h() * p.out_w(), in_plane = p.in_h * p.in_w;
  const std::size_t cg = p.in_channels / p.groups, og = p.out_channels / p.groups;
  const std::size_t k = cg * p.kernel_h * p.kernel_w;
  if (p.batch == 0 || p.out_channels == 0 || out_plane == 0) return;
  check_pointer(fn, "x", x, p.batch * p.in_channels * in_plane);
  check_pointer(fn, "w", w, p.out_channels * k);
  check_pointer(fn, "y", y, 1);
  const bool pointwise = conv_is_pointwise(p), direct = conv_direct_applies(p);
  const bool makes_columns = !pointwise && !direct && conv_makes_columns(p);
  check_pointer(fn, "workspace", workspace, conv2d_workspace_size_f32(p));
  executor = executor_for_work(executor, og * k * out_plane);
  for (std::size_t n = 0; n < p.batch; ++n) {
    for (std::size_t g = 0; g < p.groups; ++g) {
      const float* xg = x + (n * p.in_channels + g * cg) * in_plane;
      if (direct) {
        INLAY_DISPATCH(conv_direct_f32)
        (p, xg, w + g * og * k, bias ? bias + g * og : nullptr,
         y + (n * p.out_channels + g * og) * out_plane, workspace, activation, executor);
        continue;
      }
      float* yg = y + (n * p.out_channels + g * og) * out_plane;
      const float* bg = bias ? bias + g * og : nullptr;
      if (makes_columns) {
        detail::conv_gemm_group_f32(p, xg, w + g * og * k, bg, yg, activation, executor);
        continue;
      }
      const float* col = pointwise ? xg : conv_im2col_parallel(p, xg, k, workspace, executor);
      GemmEpilogue epilogue;
      epilogue.bias = bg;
      epilogue.bias_kind = bias ? BiasKind::per_row : BiasKind::none;
      epilogue.activation = activation;
      gemm_f32(false, false, og, out_plane, k, 1.0f, w + g * og * k, k, col, out_plane, 0.0f, yg,
               out_plane, epilogue, executor);
    }
  }
}

bool conv2d_packed_supports(const Conv2dParams& p) {
  if (p.groups != 1 || p.out_channels < 16 || p.in_channels == 0) return false;
  const std::size_t out_plane = p.out_h() * p.out_w();
  return out_plane != 0 && out_plane <= 256 && !conv_direct_applies(p);
}

std::size_t conv2d_packed_weights_size_f32(const Conv2dParams& p) {
  return gemm_packed_b_size_f32(p.out_channels, p.in_channels * p.kernel_h * p.kernel_w);
}

void conv2d_pack_weights_f32(const Conv2dParams& p, const float* w, float* packed) {
  const std::size_t k = p.in_channels * p.kernel_h * p.kernel_w;
  check_pointer("conv2d_pack_weights", "w", w, p.out_channels * k);
  // op(B) = W^T (k x out_channels): B = W is [out_channels, k], read transposed.
  gemm_pack_b_f32(true, p.out_channels, k, w, k, packed);
}

std::size_t conv2d_packed_workspace_size_f32(const Conv2dParams& p) {
  const std::size_t out_plane = p.out_h() * p.out_w();
  // The column matrix (groups == 1 on this path), then Y^T of one image.
  const std::size_t col =
      conv_is_pointwise(p) ? 0 : p.in_channels * p.kernel_h * p.kernel_w * out_plane;
  return col + out_plane * p.out_channels;
}

void conv2d_nchw_packed_f32(const Conv2dParams& p, const float* x, const float* packed_w,
                            const float* bias, float* y, float* workspace,
                            const Activation& activation, Executor* executor) {
  const char* fn = "conv2d_packed";
  check_conv_params(p, fn);
  if (!conv2d_packed_supports(p)) {
    conv_fail(fn,
              "the layer does not take the packed path (groups 1, at least 16 output "
              "channels, at most 256 output pixels, not a direct-kernel layer)");
  }
  const std::size_t out_plane = p.out_h() * p.out_w(), in_plane = p.in_h * p.in_w;
  const std::size_t k = p.in_channels * p.kernel_h * p.kernel_w;
  if (p.batch == 0) return;
  check_pointer(fn, "x", x, p.batch * p.in_channels * in_plane);
  check_pointer(fn, "packed_w", packed_w, conv2d_packed_weights_size_f32(p));
  check_pointer(fn, "y", y, 1);
  check_pointer(fn, "workspace", workspace, conv2d_packed_workspace_size_f32(p));
  executor = executor_for_work(executor, p.out_channels * k * out_plane);
  const bool pointwise = conv_is_pointwise(p);
  float* yt = workspace + (pointwise ? 0 : k * out_plane);  // Y^T of one image
  GemmEpilogue epilogue;
  epilogue.bias = bias;
  epilogue.bias_kind = bias ? BiasKind::per_column : BiasKind::none;
  epilogue.activation = activation;
  const Shape yt_shape{static_cast<std::int64_t>(out_plane),
                       static_cast<std::int64_t>(p.out_channels)};
  const std::size_t swap[2] = {1, 0};
  for (std::size_t n = 0; n < p.batch; ++n) {
    const float* xn = x + n * p.in_channels * in_plane;
    const float* col = pointwise ? xn : conv_im2col_parallel(p, xn, k, workspace, executor);
    // op(A) = col^T: element (pixel i, tap r) is col[r * out_plane + i].
    gemm_packed_f32(true, out_plane, p.out_channels, k, 1.0f, col, out_plane, packed_w, 0.0f, yt,
                    p.out_channels, epilogue, executor);
    transpose_f32(yt, yt_shape, swap, y + n * p.out_channels * out_plane);
  }
}

void depthwise_conv2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w,
                               const float* bias, float* y, const Activation& activation,
                               Executor* executor) {
  const char* fn = "depthwise_conv2d";
  check_conv_params(p, fn);
  if (p.groups != p.in_channels) {
    conv_fail(fn, "groups (" + std::to_string(p.groups) + ") must equal in_channels (" +
                      std::to_string(p.in_channels) + ")");
  }
  if (p.batch == 0 || p.out_channels == 0 || p.out_h() * p.out_w() == 0) return;
  check_pointer(fn, "x", x, p.batch * p.in_channels * p.in_h * p.in_w);
  check_pointer(fn, "w", w, p.out_channels * p.kernel_h * p.kernel_w);
  check_pointer(fn, "y", y, 1);
  INLAY_DISPATCH(depthwise_conv2d_nchw_f32)(p, x, w, bias, y, activation, executor);
}

std::size_t conv_transpose2d_workspace_size_f32(const Conv2dParams& p) {
  if (p.groups == 0) return 0;
  return p.out_channels / p.groups * p.kernel_h * p.kernel_w * p.in_h * p.in_w;
}

void conv_transpose2d_nchw_f32(const Conv2dParams& p, const float* x, const float* w,
                               const float* bias, float* y, float* workspace,
                               const Activation& activation, Executor* executor) {
  const char* fn = "conv_transpose2d";
  check_conv_params(p, fn);
  if (p.output_pad_h >= p.stride_h && p.output_pad_h >= p.dilation_h) {
    conv_fail(fn, "output_pad_h (" + std::to_string(p.output_pad_h) +
                      ") must be less than stride_h or dilation_h");
  }
  if (p.output_pad_w >= p.stride_w && p.output_pad_w >= p.dilation_w) {
    conv_fail(fn, "output_pad_w (" + std::to_string(p.output_pad_w) +
                      ") must be less than stride_w or dilation_w");
  }
  const std::size_t out_plane = p.transposed_out_h() * p.transposed_out_w();
  const std::size_t in_plane = p.in_h * p.in_w;
  const std::size_t cg = p.in_channels / p.groups, og = p.out_channels / p.groups;
  const std::size_t m = og * p.kernel_h * p.kernel_w;
  if (p.batch == 0 || p.out_channels == 0 || out_plane == 0) return;
  check_pointer(fn, "x", x, p.batch * p.in_channels * in_plane);
  check_pointer(fn, "w", w, p.in_channels * m);
  check_pointer(fn, "y", y, 1);
  check_pointer(fn, "workspace", workspace, conv_transpose2d_workspace_size_f32(p));
  const std::size_t kk = p.kernel_h * p.kernel_w;
  executor = executor_for_work(executor, m * cg * in_plane);
  for (std::size_t n = 0; n < p.batch; ++n) {
    for (std::size_t g = 0; g < p.groups; ++g) {
      // col [og*kh*kw, in_h*in_w] = W_g^T * x_g, W_g being the group's [cg, og*kh*kw] slice.
      if (in_plane != 0) {
        gemm_f32(true, false, m, in_plane, cg, 1.0f, w + g * cg * m, m,
                 x + (n * p.in_channels + g * cg) * in_plane, in_plane, 0.0f, workspace, in_plane,
                 GemmEpilogue{}, executor);
      }
      float* yg = y + (n * p.out_channels + g * og) * out_plane;
      parallel_for(executor, og, [&](std::size_t oc) {
        INLAY_DISPATCH(conv_col2im_f32)
        (p, workspace + oc * kk * in_plane, 1, bias ? bias + g * og + oc : nullptr,
         yg + oc * out_plane, activation);
      });
    }
  }
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_CONV_DISPATCH_HPP
