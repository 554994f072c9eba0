// Conv and ConvTranspose over any number of spatial dimensions (3-D NCDHW for video and volumes,
// and more) as im2col / col2im around the f32 GEMM (kernels/gemm.hpp), one GEMM per (image,
// group). The 1-D and 2-D convolutions keep their own kernels (kernels/conv.hpp); these are the
// general path for the other ranks. Implementation-only.
#ifndef INLAY_GRAPH_OPS_CONV_ND_HPP
#define INLAY_GRAPH_OPS_CONV_ND_HPP

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/gemm.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// The geometry of an N-D convolution, one entry per spatial axis. For Conv, `in` is X's size and
// `out` Y's; for ConvTranspose, `in` is Y's (the image the columns scatter into) and `out` X's,
// so both run the same column layout: an output position o of axis i reads (or, transposed,
// writes) image position o * stride + k * dilation - pad_begin for kernel tap k.
struct ConvNdGeometry {
  std::size_t batch = 1, channels = 0, out_channels = 0, groups = 1;  // channels: X's
  std::vector<std::size_t> in, out, kernel, stride, dilation, pad_begin;

  static std::size_t product(const std::vector<std::size_t>& v) {
    std::size_t p = 1;
    for (std::size_t d : v) p *= d;
    return p;
  }
  std::size_t taps() const { return product(kernel); }
  std::size_t in_plane() const { return product(in); }
  std::size_t out_plane() const { return product(out); }
  // A 1x1... convolution with stride 1 and no padding: its column matrix is X itself.
  bool pointwise() const {
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (kernel[i] != 1 || stride[i] != 1 || pad_begin[i] != 0 || in[i] != out[i]) return false;
    }
    return true;
  }
};

// Row r = (c, k_0 .. k_{R-1}) of the column matrix, r in [first, last), for `channels` image
// planes at `image`: cols[r][o] = image[c][o * stride + k * dilation - pad_begin], 0 where that
// falls in the padding. Each row has g.out_plane() columns.
inline void im2col_nd(const ConvNdGeometry& g, const float* image, std::size_t first,
                      std::size_t last, float* cols) {
  const std::size_t rank = g.in.size(), taps = g.taps(), in_plane = g.in_plane();
  const std::size_t out_plane = g.out_plane(), row_len = g.out[rank - 1];
  const std::size_t outer = out_plane / std::max<std::size_t>(row_len, 1);
  std::vector<std::size_t> k(rank), o(rank);
  for (std::size_t r = first; r < last; ++r) {
    const float* plane = image + r / taps * in_plane;
    for (std::size_t i = rank, t = r % taps; i-- > 0;) {
      k[i] = t % g.kernel[i];
      t /= g.kernel[i];
    }
    float* dst = cols + (r - first) * out_plane;
    // All axes but the last pick one input row (or padding); the last runs along it.
    for (std::size_t q = 0; q < outer; ++q, dst += row_len) {
      std::size_t offset = 0, scale = 1;
      bool inside = true;
      for (std::size_t i = rank - 1, t = q; i-- > 0;) {
        o[i] = t % g.out[i];
        t /= g.out[i];
        const std::ptrdiff_t at =
            static_cast<std::ptrdiff_t>(o[i] * g.stride[i] + k[i] * g.dilation[i]) -
            static_cast<std::ptrdiff_t>(g.pad_begin[i]);
        if (at < 0 || at >= static_cast<std::ptrdiff_t>(g.in[i])) inside = false;
        if (inside) offset += static_cast<std::size_t>(at) * scale;
        scale *= g.in[i];
      }
      if (!inside) {
        std::fill(dst, dst + row_len, 0.0f);
        continue;
      }
      const std::size_t last_axis = rank - 1;
      const float* src = plane + offset * g.in[last_axis];
      const auto shift = static_cast<std::ptrdiff_t>(k[last_axis] * g.dilation[last_axis]) -
                         static_cast<std::ptrdiff_t>(g.pad_begin[last_axis]);
      const auto step = static_cast<std::ptrdiff_t>(g.stride[last_axis]);
      const auto width = static_cast<std::ptrdiff_t>(g.in[last_axis]);
      for (std::size_t x = 0; x < row_len; ++x) {
        const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(x) * step + shift;
        dst[x] = at >= 0 && at < width ? src[at] : 0.0f;
      }
    }
  }
}

// The transpose of im2col_nd for the image planes [first_plane, last_plane): adds each column
// entry into the image position it was read from (entries over padding are dropped). The image
// planes must be zeroed (or hold what the sums add to) beforehand; rows of other planes are not
// read, so disjoint plane ranges can run at once.
inline void col2im_nd(const ConvNdGeometry& g, const float* cols, std::size_t first_plane,
                      std::size_t last_plane, float* image) {
  const std::size_t rank = g.in.size(), taps = g.taps(), in_plane = g.in_plane();
  const std::size_t out_plane = g.out_plane(), row_len = g.out[rank - 1];
  const std::size_t outer = out_plane / std::max<std::size_t>(row_len, 1);
  std::vector<std::size_t> k(rank), o(rank);
  for (std::size_t r = first_plane * taps; r < last_plane * taps; ++r) {
    float* plane = image + r / taps * in_plane;
    for (std::size_t i = rank, t = r % taps; i-- > 0;) {
      k[i] = t % g.kernel[i];
      t /= g.kernel[i];
    }
    const float* src = cols + r * out_plane;
    for (std::size_t q = 0; q < outer; ++q, src += row_len) {
      std::size_t offset = 0, scale = 1;
      bool inside = true;
      for (std::size_t i = rank - 1, t = q; i-- > 0;) {
        o[i] = t % g.out[i];
        t /= g.out[i];
        const std::ptrdiff_t at =
            static_cast<std::ptrdiff_t>(o[i] * g.stride[i] + k[i] * g.dilation[i]) -
            static_cast<std::ptrdiff_t>(g.pad_begin[i]);
        if (at < 0 || at >= static_cast<std::ptrdiff_t>(g.in[i])) inside = false;
        if (inside) offset += static_cast<std::size_t>(at) * scale;
        scale *= g.in[i];
      }
      if (!inside) continue;
      const std::size_t last_axis = rank - 1;
      float* dst = plane + offset * g.in[last_axis];
      const auto shift = static_cast<std::ptrdiff_t>(k[last_axis] * g.dilation[last_axis]) -
                         static_cast<std::ptrdiff_t>(g.pad_begin[last_axis]);
      const auto step = static_cast<std::ptrdiff_t>(g.stride[last_axis]);
      const auto width = static_cast<std::ptrdiff_t>(g.in[last_axis]);
      for (std::size_t x = 0; x < row_len; ++x) {
        const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(x) * step + shift;
        if (at >= 0 && at < width) dst[at] += src[x];
      }
    }
  }
}

// Floats of scratch conv_nd_f32 needs: one column matrix (none for a pointwise convolution).
inline std::size_t conv_nd_workspace_f32(const ConvNdGeometry& g) {
  return g.pointwise() ? 0 : g.channels / g.groups * g.taps() * g.out_plane();
}

// y[N, M, out...] = act(conv(x, w) + bias), w [M, C / groups, kernel...]: per (image, group)
// Y_g [M/G x out] = W_g [M/G x C/G * taps] * cols [C/G * taps x out], the bias and activation in
// the GEMM's epilogue. The column matrix is built on the executor's threads, row ranges apart.
inline void conv_nd_f32(const ConvNdGeometry& g, const float* x, const float* w, const float* bias,
                        float* y, float* workspace, const kernels::Activation& activation,
                        Executor* executor) {
  const std::size_t cg = g.channels / g.groups, mg = g.out_channels / g.groups;
  const std::size_t kk = cg * g.taps(), in_plane = g.in_plane(), out_plane = g.out_plane();
  const bool direct = g.pointwise();
  for (std::size_t b = 0; b < g.batch; ++b) {
    for (std::size_t grp = 0; grp < g.groups; ++grp) {
      const float* image = x + (b * g.channels + grp * cg) * in_plane;
      const float* cols = image;
      if (!direct) {
        parallel_ranges(executor, kk, std::max<std::size_t>(1, kMinParallelElements / out_plane),
                        [&](std::size_t first, std::size_t last) {
                          im2col_nd(g, image, first, last, workspace + first * out_plane);
                        });
        cols = workspace;
      }
      kernels::GemmEpilogue e;
      e.bias = bias != nullptr ? bias + grp * mg : nullptr;
      e.bias_kind = bias != nullptr ? kernels::BiasKind::per_row : kernels::BiasKind::none;
      e.activation = activation;
      kernels::gemm_f32(false, false, mg, out_plane, kk, 1.0f, w + grp * mg * kk, kk, cols,
                        out_plane, 0.0f, y + (b * g.out_channels + grp * mg) * out_plane, out_plane,
                        e, executor);
    }
  }
}

// Floats of scratch conv_transpose_nd_f32 needs: one column matrix of a group.
inline std::size_t conv_transpose_nd_workspace_f32(const ConvNdGeometry& g) {
  return g.out_channels / g.groups * g.taps() * g.out_plane();
}

// The transposed convolution in the geometry's swapped roles (`out`: X's spatial sizes, `in`:
// Y's): per (image, group) cols [M/G * taps x X's plane] = W_g^T * X_g (w [C, M / groups,
// kernel...]), scattered into Y by col2im_nd, then bias and activation (a GEMM with k = 0: its
// epilogue on Y as it is).
inline void conv_transpose_nd_f32(const ConvNdGeometry& g, const float* x, const float* w,
                                  const float* bias, float* y, float* workspace,
                                  const kernels::Activation& activation, Executor* executor) {
  const std::size_t cg = g.channels / g.groups, mg = g.out_channels / g.groups;
  const std::size_t rows = mg * g.taps(), x_plane = g.out_plane(), y_plane = g.in_plane();
  std::fill(y, y + g.batch * g.out_channels * y_plane, 0.0f);
  for (std::size_t b = 0; b < g.batch; ++b) {
    for (std::size_t grp = 0; grp < g.groups; ++grp) {
      const float* xg = x + (b * g.channels + grp * cg) * x_plane;
      kernels::gemm_f32(true, false, rows, x_plane, cg, 1.0f, w + grp * cg * rows, rows, xg,
                        x_plane, 0.0f, workspace, x_plane, {}, executor);
      float* yg = y + (b * g.out_channels + grp * mg) * y_plane;
      // Output channels apart write to planes apart.
      parallel_ranges(
          executor, mg, std::max<std::size_t>(1, kMinParallelElements / (g.taps() * x_plane)),
          [&](std::size_t first, std::size_t last) { col2im_nd(g, workspace, first, last, yg); });
      if (bias != nullptr || activation.op != kernels::UnaryOp::identity) {
        kernels::GemmEpilogue e;
        e.bias = bias != nullptr ? bias + grp * mg : nullptr;
        e.bias_kind = bias != nullptr ? kernels::BiasKind::per_row : kernels::BiasKind::none;
        e.activation = activation;
        kernels::gemm_f32(false, false, mg, y_plane, 0, 1.0f, nullptr, 1, nullptr, y_plane, 1.0f,
                          yg, y_plane, e, executor);
      }
    }
  }
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_CONV_ND_HPP
