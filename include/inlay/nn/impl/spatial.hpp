// Definitions for the convolution, pooling, normalization, embedding and residual layers'
// non-template parts: backward passes (im2col + gemm_f32 for convolutions), initialization and
// ONNX export.
#ifndef INLAY_NN_IMPL_SPATIAL_HPP
#define INLAY_NN_IMPL_SPATIAL_HPP

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/data/rng.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/nn/conv.hpp"
#include "inlay/nn/embedding.hpp"
#include "inlay/nn/impl/export.hpp"
#include "inlay/nn/norm.hpp"
#include "inlay/nn/pool.hpp"
#include "inlay/nn/residual.hpp"
#include "inlay/onnx/writer.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
// Column matrix [channels * kh * kw, out_h * out_w] of `channels` planes of one image; forward:
// gather (positions in the padding read 0), backward: scatter-add into the planes.
template <bool Scatter>
void im2col_like(const kernels::Conv2dParams& p, std::size_t channels, const float* planes_in,
                 float* planes_out, float* col) {
  const std::size_t oh = p.out_h(), ow = p.out_w();
  std::size_t row = 0;
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t i = 0; i < p.kernel_h; ++i) {
      for (std::size_t j = 0; j < p.kernel_w; ++j, ++row) {
        float* out = col + row * oh * ow;
        for (std::size_t oy = 0; oy < oh; ++oy) {
          const std::ptrdiff_t y = static_cast<std::ptrdiff_t>(oy * p.stride_h + i * p.dilation_h) -
                                   static_cast<std::ptrdiff_t>(p.pad_top);
          for (std::size_t ox = 0; ox < ow; ++ox) {
            const std::ptrdiff_t x =
                static_cast<std::ptrdiff_t>(ox * p.stride_w + j * p.dilation_w) -
                static_cast<std::ptrdiff_t>(p.pad_left);
            const bool inside = y >= 0 && x >= 0 && y < static_cast<std::ptrdiff_t>(p.in_h) &&
                                x < static_cast<std::ptrdiff_t>(p.in_w);
            const std::size_t at =
                (c * p.in_h + static_cast<std::size_t>(y)) * p.in_w + static_cast<std::size_t>(x);
            if (Scatter) {
              if (inside) planes_out[at] += out[oy * ow + ox];
            } else {
              out[oy * ow + ox] = inside ? planes_in[at] : 0.0f;
            }
          }
        }
      }
    }
  }
}

std::string add_initializer(ExportContext& ctx, const char* prefix, const float* values,
                            const std::vector<std::int64_t>& dims) {
  Tensor t(DType::f32, Shape(dims.data(), dims.size()));
  if (t.numel() > 0) std::memcpy(t.data<float>(), values, t.nbytes());
  const std::string name = ctx.fresh(prefix);
  ctx.graph->add_initializer(name, t);
  return name;
}
}  // namespace

std::size_t conv_backward_scratch_size(const kernels::Conv2dParams& p) {
  return 2 * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w * p.out_h() * p.out_w();
}

void conv2d_backward(const kernels::Conv2dParams& p, const float* x, const float* w,
                     const float* dy, float* dw, float* db, float* dx, float* scratch) {
  const std::size_t cg = p.in_channels / p.groups, ocg = p.out_channels / p.groups;
  const std::size_t ohw = p.out_h() * p.out_w(), ckk = cg * p.kernel_h * p.kernel_w;
  const std::size_t in_image = p.in_channels * p.in_h * p.in_w, out_image = p.out_channels * ohw;
  float* col = scratch;
  float* dcol = scratch + ckk * ohw;
  std::memset(dw, 0, p.out_channels * ckk * sizeof(float));
  if (dx != nullptr) std::memset(dx, 0, p.batch * in_image * sizeof(float));
  for (std::size_t oc = 0; oc < p.out_channels; ++oc) {
    double s = 0.0;
    for (std::size_t n = 0; n < p.batch; ++n) {
      const float* d = dy + n * out_image + oc * ohw;
      for (std::size_t i = 0; i < ohw; ++i) s += d[i];
    }
    db[oc] = static_cast<float>(s);
  }
  for (std::size_t n = 0; n < p.batch; ++n) {
    for (std::size_t g = 0; g < p.groups; ++g) {
      const float* xg = x + n * in_image + g * cg * p.in_h * p.in_w;
      const float* dyg = dy + n * out_image + g * ocg * ohw;
      im2col_like<false>(p, cg, xg, nullptr, col);
      // dW_g [ocg, ckk] += dy_g [ocg, ohw] col^T
      kernels::gemm_f32(false, true, ocg, ckk, ohw, 1.0f, dyg, ohw, col, ohw, 1.0f,
                        dw + g * ocg * ckk, ckk);
      if (dx != nullptr) {
        // dcol [ckk, ohw] = W_g^T dy_g, scattered back onto the image.
        kernels::gemm_f32(true, false, ckk, ohw, ocg, 1.0f, w + g * ocg * ckk, ckk, dyg, ohw, 0.0f,
                          dcol, ohw);
        im2col_like<true>(p, cg, nullptr, dx + n * in_image + g * cg * p.in_h * p.in_w, dcol);
      }
    }
  }
}

void init_conv(data::Rng& rng, const kernels::Conv2dParams& p, float* w, float* b) {
  const std::size_t kk = p.kernel_h * p.kernel_w;
  const std::size_t fan_in = p.in_channels / p.groups * kk;
  const std::size_t fan_out = p.out_channels / p.groups * kk;
  init_uniform(rng, w, p.out_channels * fan_in, glorot_limit(fan_in, fan_out));
  for (std::size_t i = 0; i < p.out_channels; ++i) b[i] = 0.0f;
}

Shape conv_weight_shape(const kernels::Conv2dParams& p, bool one_d) {
  const auto i64 = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  if (one_d) return Shape{i64(p.out_channels), i64(p.in_channels / p.groups), i64(p.kernel_w)};
  return Shape{i64(p.out_channels), i64(p.in_channels / p.groups), i64(p.kernel_h),
               i64(p.kernel_w)};
}

std::string export_conv_node(ExportContext& ctx, const kernels::Conv2dParams& p, bool one_d,
                             const std::string& input, const std::string& weight,
                             const std::string& bias) {
  const auto i64 = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  const std::string out = ctx.fresh("Conv");
  onnx::NodeWriter& node = ctx.graph->add_node("Conv", {input, weight, bias}, {out}, out);
  if (one_d) {
    node.attr("kernel_shape", std::vector<std::int64_t>{i64(p.kernel_w)})
        .attr("strides", std::vector<std::int64_t>{i64(p.stride_w)})
        .attr("pads", std::vector<std::int64_t>{i64(p.pad_left), i64(p.pad_right)});
  } else {
    node.attr("kernel_shape", std::vector<std::int64_t>{i64(p.kernel_h), i64(p.kernel_w)})
        .attr("strides", std::vector<std::int64_t>{i64(p.stride_h), i64(p.stride_w)})
        .attr("pads", std::vector<std::int64_t>{i64(p.pad_top), i64(p.pad_left), i64(p.pad_bottom),
                                                i64(p.pad_right)});
  }
  node.attr("group", i64(p.groups));
  return out;
}

std::string export_conv(ExportContext& ctx, const kernels::Conv2dParams& p, const float* w,
                        const float* b, bool one_d, const std::string& input) {
  const Shape shape = conv_weight_shape(p, one_d);
  const std::string wn =
      add_initializer(ctx, "weight", w, std::vector<std::int64_t>(shape.begin(), shape.end()));
  const std::string bn =
      add_initializer(ctx, "bias", b, {static_cast<std::int64_t>(p.out_channels)});
  return export_conv_node(ctx, p, one_d, input, wn, bn);
}

void max_pool_backward(const std::int64_t* indices, const float* dy, std::size_t out_count,
                       float* dx, std::size_t in_count) {
  std::memset(dx, 0, in_count * sizeof(float));
  for (std::size_t i = 0; i < out_count; ++i) {
    if (indices[i] >= 0) dx[indices[i]] += dy[i];
  }
}

void avg_pool_backward(const kernels::Pool2dParams& p, const float* dy, float* dx) {
  const std::size_t oh = p.out_h(), ow = p.out_w();
  std::memset(dx, 0, p.batch * p.channels * p.in_h * p.in_w * sizeof(float));
  for (std::size_t plane = 0; plane < p.batch * p.channels; ++plane) {
    float* dxp = dx + plane * p.in_h * p.in_w;
    for (std::size_t oy = 0; oy < oh; ++oy) {
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const std::ptrdiff_t y0 =
            static_cast<std::ptrdiff_t>(oy * p.stride_h) - static_cast<std::ptrdiff_t>(p.pad_top);
        const std::ptrdiff_t x0 =
            static_cast<std::ptrdiff_t>(ox * p.stride_w) - static_cast<std::ptrdiff_t>(p.pad_left);
        std::size_t count = 0;
        for (std::size_t pass = 0; pass < 2; ++pass) {
          const float g = pass ? dy[(plane * oh + oy) * ow + ox] / static_cast<float>(count) : 0.0f;
          for (std::size_t i = 0; i < p.kernel_h; ++i) {
            for (std::size_t j = 0; j < p.kernel_w; ++j) {
              const std::ptrdiff_t y = y0 + static_cast<std::ptrdiff_t>(i * p.dilation_h);
              const std::ptrdiff_t x = x0 + static_cast<std::ptrdiff_t>(j * p.dilation_w);
              if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(p.in_h) ||
                  x >= static_cast<std::ptrdiff_t>(p.in_w)) {
                continue;
              }
              if (pass) {
                dxp[static_cast<std::size_t>(y) * p.in_w + static_cast<std::size_t>(x)] += g;
              } else {
                ++count;
              }
            }
          }
          if (count == 0) break;
        }
      }
    }
  }
}

std::string export_pool(ExportContext& ctx, bool max, const kernels::Pool2dParams& p,
                        const std::string& input) {
  const auto i64 = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  const char* op = max ? "MaxPool" : "AveragePool";
  const std::string out = ctx.fresh(op);
  ctx.graph->add_node(op, {input}, {out}, out)
      .attr("kernel_shape", std::vector<std::int64_t>{i64(p.kernel_h), i64(p.kernel_w)})
      .attr("strides", std::vector<std::int64_t>{i64(p.stride_h), i64(p.stride_w)})
      .attr("pads", std::vector<std::int64_t>{i64(p.pad_top), i64(p.pad_left), i64(p.pad_bottom),
                                              i64(p.pad_right)});
  return out;
}

std::string export_global_avg_pool(ExportContext& ctx, const std::string& input) {
  const std::string pooled = ctx.fresh("GlobalAveragePool");
  ctx.graph->add_node("GlobalAveragePool", {input}, {pooled}, pooled);
  return export_flatten(ctx, pooled);
}

void batch_norm_statistics(const float* x, std::size_t batch, std::size_t channels,
                           std::size_t spatial, float* mean, float* var, float* running_mean,
                           float* running_var, float momentum) {
  const std::size_t m = batch * spatial;
  for (std::size_t c = 0; c < channels; ++c) {
    double s = 0.0, s2 = 0.0;
    for (std::size_t n = 0; n < batch; ++n) {
      const float* xp = x + (n * channels + c) * spatial;
      for (std::size_t i = 0; i < spatial; ++i) s += xp[i];
    }
    const double mu = m ? s / static_cast<double>(m) : 0.0;
    for (std::size_t n = 0; n < batch; ++n) {
      const float* xp = x + (n * channels + c) * spatial;
      for (std::size_t i = 0; i < spatial; ++i) s2 += (xp[i] - mu) * (xp[i] - mu);
    }
    mean[c] = static_cast<float>(mu);
    var[c] = m ? static_cast<float>(s2 / static_cast<double>(m)) : 0.0f;
    const double unbiased = m > 1 ? s2 / static_cast<double>(m - 1) : var[c];
    running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
    running_var[c] = (1.0f - momentum) * running_var[c] + momentum * static_cast<float>(unbiased);
  }
}

void batch_norm_backward(const float* x, const float* dy, std::size_t batch, std::size_t channels,
                         std::size_t spatial, const float* mean, const float* var,
                         const float* scale, float eps, float* dx, float* dscale, float* dbias) {
  const double m = static_cast<double>(batch * spatial);
  for (std::size_t c = 0; c < channels; ++c) {
    const double inv_std = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (std::size_t n = 0; n < batch; ++n) {
      const std::size_t base = (n * channels + c) * spatial;
      for (std::size_t i = 0; i < spatial; ++i) {
        const double xhat = (x[base + i] - mean[c]) * inv_std;
        sum_dy += dy[base + i];
        sum_dy_xhat += dy[base + i] * xhat;
      }
    }
    dscale[c] = static_cast<float>(sum_dy_xhat);
    dbias[c] = static_cast<float>(sum_dy);
    if (dx == nullptr) continue;
    // dx = scale * inv_std / m * (m dy - sum(dy) - xhat sum(dy xhat))
    for (std::size_t n = 0; n < batch; ++n) {
      const std::size_t base = (n * channels + c) * spatial;
      for (std::size_t i = 0; i < spatial; ++i) {
        const double xhat = (x[base + i] - mean[c]) * inv_std;
        dx[base + i] = static_cast<float>(scale[c] * inv_std / m *
                                          (m * dy[base + i] - sum_dy - xhat * sum_dy_xhat));
      }
    }
  }
}

void layer_norm_backward(const float* x, const float* dy, std::size_t rows, std::size_t cols,
                         const float* mean, const float* inv_std, const float* scale, float* dx,
                         float* dscale, float* dbias) {
  std::memset(dscale, 0, cols * sizeof(float));
  std::memset(dbias, 0, cols * sizeof(float));
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    const float* g = dy + r * cols;
    double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
    for (std::size_t j = 0; j < cols; ++j) {
      const double xhat = (xr[j] - mean[r]) * inv_std[r];
      dscale[j] += static_cast<float>(g[j] * xhat);
      dbias[j] += g[j];
      const double dxhat = static_cast<double>(g[j]) * scale[j];
      sum_dxhat += dxhat;
      sum_dxhat_xhat += dxhat * xhat;
    }
    if (dx == nullptr) continue;
    const double n = static_cast<double>(cols);
    for (std::size_t j = 0; j < cols; ++j) {
      const double xhat = (xr[j] - mean[r]) * inv_std[r];
      const double dxhat = static_cast<double>(g[j]) * scale[j];
      dx[r * cols + j] =
          static_cast<float>(inv_std[r] * (dxhat - sum_dxhat / n - xhat * sum_dxhat_xhat / n));
    }
  }
}

std::string export_batch_norm(ExportContext& ctx, std::size_t channels, const float* scale,
                              const float* bias, const float* mean, const float* var, float eps,
                              const std::string& input) {
  const std::vector<std::int64_t> dims = {static_cast<std::int64_t>(channels)};
  const std::string s = add_initializer(ctx, "scale", scale, dims);
  const std::string b = add_initializer(ctx, "bias", bias, dims);
  const std::string m = add_initializer(ctx, "mean", mean, dims);
  const std::string v = add_initializer(ctx, "var", var, dims);
  const std::string out = ctx.fresh("BatchNormalization");
  ctx.graph->add_node("BatchNormalization", {input, s, b, m, v}, {out}, out).attr("epsilon", eps);
  return out;
}

std::string export_layer_norm(ExportContext& ctx, std::size_t cols, const float* scale,
                              const float* bias, float eps, const std::string& input) {
  const std::vector<std::int64_t> dims = {static_cast<std::int64_t>(cols)};
  const std::string s = add_initializer(ctx, "scale", scale, dims);
  const std::string b = add_initializer(ctx, "bias", bias, dims);
  const std::string out = ctx.fresh("LayerNormalization");
  ctx.graph->add_node("LayerNormalization", {input, s, b}, {out}, out)
      .attr("axis", std::int64_t{-1})
      .attr("epsilon", eps);
  return out;
}

namespace {
std::size_t checked_id(float id, std::size_t vocabulary, std::size_t position) {
  if (!(id >= 0.0f) || id >= static_cast<float>(vocabulary) || id != std::floor(id)) {
    fail(ErrorKind::invalid_argument, "nn::Embedding: token id " + std::to_string(id) +
                                          " at position " + std::to_string(position) +
                                          " is not a whole number in [0, " +
                                          std::to_string(vocabulary) + ")");
  }
  return static_cast<std::size_t>(id);
}
}  // namespace

void embedding_forward(const float* table, std::size_t vocabulary, std::size_t dim,
                       const float* ids, std::size_t count, float* y) {
  for (std::size_t t = 0; t < count; ++t) {
    std::memcpy(y + t * dim, table + checked_id(ids[t], vocabulary, t) * dim, dim * sizeof(float));
  }
}

void embedding_backward(std::size_t vocabulary, std::size_t dim, const float* ids,
                        std::size_t count, const float* dy, float* dtable) {
  std::memset(dtable, 0, vocabulary * dim * sizeof(float));
  for (std::size_t t = 0; t < count; ++t) {
    float* row = dtable + checked_id(ids[t], vocabulary, t) * dim;
    for (std::size_t j = 0; j < dim; ++j) row[j] += dy[t * dim + j];
  }
}

std::string export_embedding(ExportContext& ctx, const float* table, std::size_t vocabulary,
                             std::size_t dim, const std::string& input) {
  const std::string t =
      add_initializer(ctx, "embedding", table,
                      {static_cast<std::int64_t>(vocabulary), static_cast<std::int64_t>(dim)});
  const std::string ids = ctx.fresh("Cast");
  ctx.graph->add_node("Cast", {input}, {ids}, ids).attr("to", std::int64_t{7});  // INT64
  const std::string out = ctx.fresh("Gather");
  ctx.graph->add_node("Gather", {t, ids}, {out}, out).attr("axis", std::int64_t{0});
  return out;
}

void padding_of(const float* ids, std::size_t count, std::uint8_t* mask) {
  for (std::size_t i = 0; i < count; ++i) mask[i] = ids[i] == 0.0f ? 1 : 0;
}

void export_padding_mask(ExportContext& ctx, std::size_t length, const std::string& input) {
  std::string is_pad, keep, keep_f;
  node(ctx, "Equal", {input, add_scalar(ctx, 0.0f)}, is_pad);
  node(ctx, "Not", {is_pad}, keep);
  node(ctx, "Cast", {keep}, keep_f).attr("to", std::int64_t{1});  // FLOAT
  ctx.keep_mask = keep_f;
  ctx.keep_length = length;
  ctx.attention_mask.clear();
}

void init_normal(data::Rng& rng, float* w, std::size_t n, float stddev) {
  for (std::size_t i = 0; i < n; ++i) w[i] = rng.normal(0.0f, stddev);
}

std::string export_add(ExportContext& ctx, const std::string& a, const std::string& b) {
  const std::string out = ctx.fresh("Add");
  ctx.graph->add_node("Add", {a, b}, {out}, out);
  return out;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_SPATIAL_HPP
