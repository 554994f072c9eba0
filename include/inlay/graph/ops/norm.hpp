// Normalization: BatchNormalization (inference and training_mode), LayerNormalization,
// InstanceNormalization, GroupNormalization on the norm kernels; LRN and MeanVarianceNormalization
// (no kernel family) as scalar loops. Implementation-only.
#ifndef INLAY_GRAPH_OPS_NORM_HPP
#define INLAY_GRAPH_OPS_NORM_HPP

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/kernels/norm.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// epsilon, checked at load: a finite number >= 0.
inline float read_epsilon(const OpInfo& info, float fallback) {
  const float eps = info.get_float("epsilon", fallback);
  if (!(eps >= 0.0f) || std::isinf(eps)) {
    info.fail(ErrorKind::invalid_model,
              "epsilon must be finite and >= 0, got " + std::to_string(eps));
  }
  return eps;
}

// X as [N, C, spatial]: the sizes the batch/instance/group kernels take.
struct ChannelView {
  std::size_t batch = 0, channels = 0, spatial = 1;
};
inline ChannelView channel_view(const OpContext& ctx, const Tensor& x) {
  if (x.rank() < 2) {
    ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be [N, C, ...]");
  }
  ChannelView v;
  v.batch = static_cast<std::size_t>(x.shape()[0]);
  v.channels = static_cast<std::size_t>(x.shape()[1]);
  for (std::size_t d = 2; d < x.rank(); ++d) v.spatial *= static_cast<std::size_t>(x.shape()[d]);
  return v;
}

// A 1-D f32 input of `n` elements (a per-channel parameter).
inline const float* per_channel(const OpContext& ctx, std::size_t i, const char* what,
                                std::size_t n) {
  const Tensor& t = ctx.input(i);
  require_f32(ctx, t, what);
  if (t.rank() != 1 || t.numel() != static_cast<std::int64_t>(n)) {
    ctx.fail(ErrorKind::shape_mismatch, std::string(what) + " " + t.shape().to_string() +
                                            " must be [" + std::to_string(n) + "]");
  }
  return t.data<float>();
}

// Inference form: y = scale (x - mean) / sqrt(var + eps) + B with the running statistics.
// training_mode 1 (opset 14+): y uses the batch's own statistics (mean and population variance
// over every axis but 1), and the optional outputs 1 and 2 are the updated running statistics
// running = input * momentum + batch * (1 - momentum).
class BatchNormKernel final : public OpKernel {
 public:
  explicit BatchNormKernel(const OpInfo& info)
      : eps_(read_epsilon(info, 1e-5f)), momentum_(info.get_float("momentum", 0.9f)) {
    require_f32_inputs(info, {"X", "scale", "B", "input_mean", "input_var"});
    const std::int64_t mode = info.get_int("training_mode", 0);
    if (mode != 0 && mode != 1) {
      info.fail(ErrorKind::invalid_model,
                "training_mode must be 0 or 1, got " + std::to_string(mode));
    }
    training_ = mode == 1;
    if (training_ && info.opset() < 14) {
      info.fail(ErrorKind::invalid_model, "training_mode exists from opset 14 on");
    }
    if (training_ && !std::isfinite(momentum_)) {
      info.fail(ErrorKind::invalid_model, "momentum must be finite");
    }
    if (info.get_int("spatial", 1) != 1) {
      info.fail(ErrorKind::unsupported_op, "spatial 0 (per-element statistics)");
    }
    // Before opset 14 the extra outputs are the training statistics.
    if (info.opset() < 14 && info.output_count() > 1) {
      info.fail(ErrorKind::unsupported_op, "outputs of training (running mean, variance, ...)");
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "X");
    const ChannelView v = channel_view(ctx, x);
    const float* scale = per_channel(ctx, 1, "scale", v.channels);
    const float* bias = per_channel(ctx, 2, "B", v.channels);
    const float* mean = per_channel(ctx, 3, "input_mean", v.channels);
    const float* var = per_channel(ctx, 4, "input_var", v.channels);
    if (training_) {
      float* stats = static_cast<float*>(ctx.scratch(2 * v.channels * sizeof(float)));
      batch_statistics(ctx, x.data<float>(), v, stats, stats + v.channels);
      write_running(ctx, 1, mean, stats, v.channels);
      write_running(ctx, 2, var, stats + v.channels, v.channels);
      mean = stats;
      var = stats + v.channels;
    }
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    kernels::batch_norm_f32(x.data<float>(), y.data<float>(), v.batch, v.channels, v.spatial, mean,
                            var, scale, bias, eps_);
  }

 private:
  // Per channel: the mean and the population variance (divided by the count, as ONNX's
  // reference does) of X over the batch and spatial axes, accumulated in double.
  static void batch_statistics(const OpContext& ctx, const float* x, const ChannelView& v,
                               float* mean, float* var) {
    const double count = static_cast<double>(v.batch) * static_cast<double>(v.spatial);
    if (count == 0) ctx.fail(ErrorKind::shape_mismatch, "training_mode 1 needs a non-empty X");
    for (std::size_t c = 0; c < v.channels; ++c) {
      double sum = 0;
      for (std::size_t n = 0; n < v.batch; ++n) {
        const float* p = x + (n * v.channels + c) * v.spatial;
        for (std::size_t s = 0; s < v.spatial; ++s) sum += p[s];
      }
      const double m = sum / count;
      double squares = 0;  // two passes: no cancellation of sum(x^2) - count m^2
      for (std::size_t n = 0; n < v.batch; ++n) {
        const float* p = x + (n * v.channels + c) * v.spatial;
        for (std::size_t s = 0; s < v.spatial; ++s) squares += (p[s] - m) * (p[s] - m);
      }
      mean[c] = static_cast<float>(m);
      var[c] = static_cast<float>(squares / count);
    }
  }
  // Output i (when the graph asks for it): input * momentum + batch * (1 - momentum).
  void write_running(OpContext& ctx, std::size_t i, const float* input, const float* batch,
                     std::size_t channels) const {
    if (ctx.output_count() <= i || !ctx.has_output(i)) return;
    const std::int64_t dims[1] = {static_cast<std::int64_t>(channels)};
    float* out = ctx.output(i, DType::f32, Shape(dims, 1)).data<float>();
    for (std::size_t c = 0; c < channels; ++c) {
      out[c] = input[c] * momentum_ + batch[c] * (1.0f - momentum_);
    }
  }

  float eps_;
  float momentum_;
  bool training_ = false;
};

// Opset 17: X seen as [prod(dims < axis), prod(dims >= axis)] rows normalized one by one;
// Scale and B broadcast to X's dims from `axis` on. Optional outputs Mean and InvStdDev.
class LayerNormKernel final : public OpKernel {
 public:
  explicit LayerNormKernel(const OpInfo& info)
      : axis_(info.get_int("axis", -1)), eps_(read_epsilon(info, 1e-5f)) {
    require_f32_inputs(info, {"X", "Scale", "B"});
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "X");
    const std::size_t rank = x.rank();
    if (rank == 0) ctx.fail(ErrorKind::shape_mismatch, "X must have rank >= 1");
    const std::size_t axis = normalize_axis(ctx.info(), axis_, rank);
    std::size_t rows = 1, cols = 1;
    for (std::size_t d = 0; d < rank; ++d)
      (d < axis ? rows : cols) *= static_cast<std::size_t>(x.shape()[d]);
    const Shape row_shape(x.shape().data() + axis, rank - axis);
    // Parameters of another shape are broadcast into scratch (one buffer for both).
    const bool has_bias = ctx.has_input(2);
    float* expanded = nullptr;
    const float* scale = param(ctx, 1, "Scale", row_shape, cols, expanded);
    const float* bias = has_bias ? param(ctx, 2, "B", row_shape, cols, expanded) : nullptr;
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    std::vector<std::int64_t> stat_dims(x.shape().begin(), x.shape().end());
    for (std::size_t d = axis; d < rank; ++d) stat_dims[d] = 1;
    float* mean = nullptr;
    float* inv_std = nullptr;
    if (ctx.output_count() > 1 && ctx.has_output(1)) {
      mean = ctx.output(1, DType::f32, make_shape(stat_dims)).data<float>();
    }
    if (ctx.output_count() > 2 && ctx.has_output(2)) {
      inv_std = ctx.output(2, DType::f32, make_shape(stat_dims)).data<float>();
    }
    // Rows are normalized independently: ranges of rows split over threads.
    const float* px = x.data<float>();
    float* py = y.data<float>();
    const float eps = eps_;
    parallel_ranges(ctx.executor(), rows, kMinParallelElements / std::max<std::size_t>(cols, 1),
                    [&](std::size_t b, std::size_t e) {
                      kernels::layer_norm_f32(px + b * cols, py + b * cols, e - b, cols, scale,
                                              bias, eps, mean ? mean + b : nullptr,
                                              inv_std ? inv_std + b : nullptr);
                    });
  }

 private:
  // Input i as `cols` floats: itself when it has that many elements and broadcasts to the row
  // shape exactly, else broadcast into scratch.
  static const float* param(OpContext& ctx, std::size_t i, const char* what, const Shape& row,
                            std::size_t cols, float*& expanded) {
    const Tensor& t = ctx.input(i);
    require_f32(ctx, t, what);
    if (t.rank() > row.rank() || broadcast(ctx.info(), t.shape(), row) != row) {
      ctx.fail(ErrorKind::shape_mismatch, std::string(what) + " " + t.shape().to_string() +
                                              " does not broadcast to " + row.to_string());
    }
    if (t.numel() == static_cast<std::int64_t>(cols)) return t.data<float>();
    if (expanded == nullptr) {
      expanded = static_cast<float*>(ctx.scratch(2 * cols * sizeof(float)));
    } else {
      expanded += cols;  // the second half, for B
    }
    const Shape ins[1] = {t.shape()};
    const float* src = t.data<float>();
    float* dst = expanded;
    for_each_broadcast(row, ins,
                       [&](std::int64_t e, const std::int64_t* off) { dst[e] = src[off[0]]; });
    return dst;
  }

  std::int64_t axis_;
  float eps_;
};

class InstanceNormKernel final : public OpKernel {
 public:
  explicit InstanceNormKernel(const OpInfo& info) : eps_(read_epsilon(info, 1e-5f)) {
    require_f32_inputs(info, {"input", "scale", "B"});
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "input");
    const ChannelView v = channel_view(ctx, x);
    const float* scale = per_channel(ctx, 1, "scale", v.channels);
    const float* bias = per_channel(ctx, 2, "B", v.channels);
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    kernels::instance_norm_f32(x.data<float>(), y.data<float>(), v.batch, v.channels, v.spatial,
                               scale, bias, eps_);
  }

 private:
  float eps_;
};

// Opset 18: scale and bias hold one value per group (spread to the group's channels here); one
// value per channel is accepted too (opset 21's form).
class GroupNormKernel final : public OpKernel {
 public:
  explicit GroupNormKernel(const OpInfo& info)
      : groups_(info.require("num_groups", Attribute::Kind::int_).i),
        eps_(read_epsilon(info, 1e-5f)) {
    require_f32_inputs(info, {"X", "scale", "bias"});
    if (groups_ < 1) {
      info.fail(ErrorKind::invalid_model,
                "num_groups " + std::to_string(groups_) + " must be >= 1");
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(ctx, x, "X");
    const ChannelView v = channel_view(ctx, x);
    const auto groups = static_cast<std::size_t>(groups_);
    if (v.channels % groups != 0) {
      ctx.fail(ErrorKind::shape_mismatch, "num_groups " + std::to_string(groups) +
                                              " does not divide the channels of X " +
                                              x.shape().to_string());
    }
    const Tensor& scale = ctx.input(1);
    const Tensor& bias = ctx.input(2);
    require_f32(ctx, scale, "scale");
    require_f32(ctx, bias, "bias");
    const auto per = static_cast<std::int64_t>(v.channels);
    const auto per_group = static_cast<std::int64_t>(groups);
    auto* spread = static_cast<float*>(ctx.scratch(2 * v.channels * sizeof(float)));
    const Tensor* params[2] = {&scale, &bias};
    for (std::size_t k = 0; k < 2; ++k) {
      const Tensor& t = *params[k];
      if (t.rank() != 1 || (t.numel() != per && t.numel() != per_group)) {
        ctx.fail(ErrorKind::shape_mismatch,
                 std::string(k ? "bias " : "scale ") + t.shape().to_string() + " must be [" +
                     std::to_string(groups) + "] (or [" + std::to_string(v.channels) + "])");
      }
      const float* src = t.data<float>();
      const std::size_t step = t.numel() == per ? 1 : v.channels / groups;
      for (std::size_t c = 0; c < v.channels; ++c) spread[k * v.channels + c] = src[c / step];
    }
    Tensor& y = ctx.output(0, DType::f32, x.shape());
    kernels::group_norm_f32(x.data<float>(), y.data<float>(), v.batch, v.channels, v.spatial,
                            groups, spread, spread + v.channels, eps_);
  }

 private:
  std::int64_t groups_;
  float eps_;
};

// Local response normalization across channels (AlexNet):
// y = x / (bias + alpha / size * sum of x^2 over the `size` neighbouring channels)^beta.
class LrnKernel final : public OpKernel {
 public:
  explicit LrnKernel(const OpInfo& info)
      : size_(info.require("size", Attribute::Kind::int_).i),
        alpha_(info.get_float("alpha", 1e-4f)),
        beta_(info.get_float("beta", 0.75f)),
        bias_(info.get_float("bias", 1.0f)) {
    if (size_ < 1) info.fail(ErrorKind::invalid_model, "size must be >= 1");
    require_dtype(info, 0, "X", FloatTypes{});
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ChannelView v = channel_view(ctx, x);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const auto before = static_cast<std::ptrdiff_t>((size_ - 1) / 2);
    const auto after = static_cast<std::ptrdiff_t>(size_ - 1 - (size_ - 1) / 2);
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          T* py = y.data<T>();
          const auto channels = static_cast<std::ptrdiff_t>(v.channels);
          for (std::size_t n = 0; n < v.batch; ++n) {
            for (std::ptrdiff_t c = 0; c < channels; ++c) {
              const std::ptrdiff_t lo = std::max<std::ptrdiff_t>(0, c - before);
              const std::ptrdiff_t hi = std::min<std::ptrdiff_t>(channels - 1, c + after);
              for (std::size_t s = 0; s < v.spatial; ++s) {
                double sum = 0.0;
                for (std::ptrdiff_t k = lo; k <= hi; ++k) {
                  const double e =
                      px[(n * v.channels + static_cast<std::size_t>(k)) * v.spatial + s];
                  sum += e * e;
                }
                const std::size_t at =
                    (n * v.channels + static_cast<std::size_t>(c)) * v.spatial + s;
                const double scale = static_cast<double>(bias_) +
                                     static_cast<double>(alpha_) / static_cast<double>(size_) * sum;
                py[at] = static_cast<T>(px[at] / std::pow(scale, static_cast<double>(beta_)));
              }
            }
          }
        },
        FloatTypes{});
  }

 private:
  std::int64_t size_;
  float alpha_, beta_, bias_;
};

// y = (x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9) over `axes` (ONNX's function body).
class MeanVarianceNormKernel final : public OpKernel {
 public:
  explicit MeanVarianceNormKernel(const OpInfo& info) : axes_(info.get_ints("axes", {0, 2, 3})) {
    require_dtype(info, 0, "X", FloatTypes{});
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    std::vector<char> reduced(rank, 0);
    for (std::int64_t a : axes_) reduced[normalize_axis(ctx.info(), a, rank)] = 1;
    // The statistics' shape: X with the reduced axes set to 1.
    std::vector<std::int64_t> stat_dims = dims_of(x.shape());
    for (std::size_t d = 0; d < rank; ++d) {
      if (reduced[d]) stat_dims[d] = 1;
    }
    const Shape stat_shape = make_shape(stat_dims);
    const auto groups = static_cast<std::size_t>(stat_shape.numel());
    const double count = groups ? static_cast<double>(x.numel()) / static_cast<double>(groups) : 0;
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    auto* stats = static_cast<double*>(ctx.scratch(2 * groups * sizeof(double)));
    std::fill(stats, stats + 2 * groups, 0.0);
    const Shape ins[1] = {stat_shape};
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          T* py = y.data<T>();
          for_each_broadcast(x.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
            const double v = px[e];
            stats[2 * off[0]] += v;
            stats[2 * off[0] + 1] += v * v;
          });
          for (std::size_t g = 0; g < groups; ++g) {
            const double mean = stats[2 * g] / count;
            stats[2 * g] = mean;
            stats[2 * g + 1] =
                std::sqrt(std::max(0.0, stats[2 * g + 1] / count - mean * mean)) + 1e-9;
          }
          for_each_broadcast(x.shape(), ins, [&](std::int64_t e, const std::int64_t* off) {
            py[e] = static_cast<T>((px[e] - stats[2 * off[0]]) / stats[2 * off[0] + 1]);
          });
        },
        FloatTypes{});
  }

 private:
  std::vector<std::int64_t> axes_;
};

inline void register_norm_ops(OpSet& ops) {
  ops.add("", "BatchNormalization", 1, factory<BatchNormKernel>());
  ops.add("", "LayerNormalization", 17, factory<LayerNormKernel>());
  ops.add("", "InstanceNormalization", 1, factory<InstanceNormKernel>());
  ops.add("", "GroupNormalization", 18, factory<GroupNormKernel>());
  ops.add("", "LRN", 1, factory<LrnKernel>());
  ops.add("", "MeanVarianceNormalization", 9, factory<MeanVarianceNormKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_NORM_HPP
