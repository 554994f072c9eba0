// Dense layers and convolutions exported without their removed inputs and outputs
// (nn/pruned_export.hpp).
#ifndef INLAY_NN_IMPL_PRUNED_EXPORT_HPP
#define INLAY_NN_IMPL_PRUNED_EXPORT_HPP

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/nn/dense.hpp"
#include "inlay/nn/pruned_export.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {
namespace detail {

namespace {
std::vector<std::size_t> all_of_width(std::size_t n) {
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  return all;
}
std::vector<bool> present_among(const std::vector<std::size_t>& kept, std::size_t n) {
  std::vector<bool> present(n, false);
  for (std::size_t k : kept) present[k] = true;
  return present;
}
// The outputs the export keeps (at least one: a tensor of width 0 is legal but pointless).
std::vector<std::size_t> kept_outputs(const std::vector<bool>& remove) {
  std::vector<std::size_t> cols;
  for (std::size_t o = 0; o < remove.size(); ++o) {
    if (!remove[o]) cols.push_back(o);
  }
  if (cols.empty()) cols.push_back(0);
  return cols;
}
[[noreturn]] void pruned_export_bug(const std::string& what) {
  fail(ErrorKind::invalid_argument, "nn::to_onnx_pruned: " + what + " (a bug of the export)");
}
}  // namespace

FoldedLayer fold_dense(const float* w, const float* b, std::size_t in, std::size_t out,
                       const PrunedFlow& flow) {
  FoldedLayer f;
  f.bias.assign(b, b + out);
  if (flow.kept.empty()) {
    f.inputs = all_of_width(in);
  } else {
    // A removed input holds flow.constant[i]: its share of every output joins the bias.
    f.inputs = flow.kept;
    const std::vector<bool> present = present_among(f.inputs, in);
    for (std::size_t i = 0; i < in; ++i) {
      if (present[i] || flow.constant[i] == 0.0f) continue;
      for (std::size_t o = 0; o < out; ++o) f.bias[o] += flow.constant[i] * w[i * out + o];
    }
  }
  f.dead.assign(out, true);
  for (std::size_t o = 0; o < out; ++o) {
    for (std::size_t k = 0; k < f.inputs.size() && f.dead[o]; ++k) {
      f.dead[o] = w[f.inputs[k] * out + o] == 0.0f;
    }
  }
  return f;
}

FoldedLayer fold_conv(const kernels::Conv2dParams& p, const float* w, const float* b,
                      const PrunedFlow& flow) {
  const std::size_t in = p.in_channels / p.groups, out = p.out_channels;
  const std::size_t taps = p.kernel_h * p.kernel_w;
  FoldedLayer f;
  f.bias.assign(b, b + out);
  f.dead.assign(out, false);
  if (flow.kept.empty()) {
    f.inputs = all_of_width(p.in_channels);
  } else {
    // The producer removed only channels whose plane is one value c, zero if this layer pads:
    // every output position then sees c times the sum of the channel's taps.
    if (p.groups != 1) pruned_export_bug("channels removed before a grouped convolution");
    const bool pads = p.pad_top + p.pad_bottom + p.pad_left + p.pad_right > 0;
    f.inputs = flow.kept;
    const std::vector<bool> present = present_among(f.inputs, in);
    for (std::size_t i = 0; i < in; ++i) {
      if (present[i]) continue;
      const float* plane = flow.constant.data() + i * flow.spatial;
      const float c = plane[0];
      if (std::any_of(plane, plane + flow.spatial, [c](float v) { return v != c; }) ||
          (pads && c != 0.0f)) {
        pruned_export_bug("a removed channel does not fold into the next convolution");
      }
      if (c == 0.0f) continue;
      for (std::size_t o = 0; o < out; ++o) {
        const float* tap = w + (o * in + i) * taps;
        float sum = 0.0f;
        for (std::size_t t = 0; t < taps; ++t) sum += tap[t];
        f.bias[o] += c * sum;
      }
    }
  }
  if (p.groups == 1) {  // a grouped convolution's channels cannot shrink alone
    for (std::size_t o = 0; o < out; ++o) {
      bool dead = true;
      for (std::size_t k = 0; k < f.inputs.size() && dead; ++k) {
        const float* tap = w + (o * in + f.inputs[k]) * taps;
        dead = std::all_of(tap, tap + taps, [](float v) { return v == 0.0f; });
      }
      f.dead[o] = dead;
    }
  }
  return f;
}

std::vector<float> constant_planes(const std::vector<float>& bias, std::size_t spatial) {
  std::vector<float> x(bias.size() * spatial);
  for (std::size_t c = 0; c < bias.size(); ++c) {
    std::fill(x.begin() + static_cast<std::ptrdiff_t>(c * spatial),
              x.begin() + static_cast<std::ptrdiff_t>((c + 1) * spatial), bias[c]);
  }
  return x;
}

std::vector<bool> foldable_planes(const std::vector<float>& x, const std::vector<bool>& dead,
                                  bool pads) {
  const std::size_t spatial = x.size() / dead.size();
  std::vector<bool> out(dead.size(), false);
  for (std::size_t c = 0; c < dead.size(); ++c) {
    if (!dead[c]) continue;
    const float* plane = x.data() + c * spatial;
    const float v = plane[0];
    out[c] = std::all_of(plane, plane + spatial, [v](float u) { return u == v; }) &&
             (!pads || v == 0.0f);
  }
  return out;
}

std::string emit_dense_pruned(ExportContext& ctx, const float* w, std::size_t in, std::size_t out,
                              const FoldedLayer& f, const std::vector<bool>& remove,
                              PrunedFlow& flow, const std::string& input) {
  const std::vector<std::size_t>& rows = f.inputs;
  const std::vector<std::size_t> cols = kept_outputs(remove);
  std::vector<float> w2(rows.size() * cols.size()), b2(cols.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    for (std::size_t c = 0; c < cols.size(); ++c)
      w2[k * cols.size() + c] = w[rows[k] * out + cols[c]];
  }
  for (std::size_t c = 0; c < cols.size(); ++c) b2[c] = f.bias[cols[c]];
  (void)in;

  flow = PrunedFlow();
  if (cols.size() < out) {
    flow.kept = cols;
    flow.constant = f.bias;  // a removed output's pre-activation is its (folded) bias
  }
  return export_dense(ctx, w2.data(), b2.data(), rows.size(), cols.size(), input);
}

std::string emit_conv_pruned(ExportContext& ctx, kernels::Conv2dParams p, const float* w,
                             bool one_d, const FoldedLayer& f, const std::vector<bool>& remove,
                             std::size_t out_spatial, PrunedFlow& flow, const std::string& input) {
  const std::size_t out = p.out_channels;
  const std::vector<std::size_t> cols = kept_outputs(remove);
  flow = PrunedFlow();
  if (p.groups != 1) {  // fold_conv left it whole
    if (cols.size() != out) pruned_export_bug("a grouped convolution lost channels");
    return export_conv(ctx, p, w, f.bias.data(), one_d, input);
  }
  const std::size_t in = p.in_channels, taps = p.kernel_h * p.kernel_w;
  const std::vector<std::size_t>& rows = f.inputs;
  std::vector<float> w2(cols.size() * rows.size() * taps), b2(cols.size());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const float* tap = w + (cols[c] * in + rows[k]) * taps;
      std::copy(tap, tap + taps,
                w2.begin() + static_cast<std::ptrdiff_t>((c * rows.size() + k) * taps));
    }
    b2[c] = f.bias[cols[c]];
  }
  if (cols.size() < out) {
    flow.kept = cols;
    flow.constant = constant_planes(f.bias, out_spatial);
    flow.spatial = out_spatial;
  }
  p.in_channels = rows.size();
  p.out_channels = cols.size();
  return export_conv(ctx, p, w2.data(), b2.data(), one_d, input);
}

void pass_channelwise(PrunedFlow& flow, std::vector<float> y, bool flatten) {
  const std::size_t channels = flow.constant.size() / flow.spatial;
  if (flatten) {  // channel c becomes the features c * spatial ... (c + 1) * spatial - 1
    std::vector<std::size_t> features;
    for (std::size_t c : flow.kept) {
      for (std::size_t s = 0; s < flow.spatial; ++s) features.push_back(c * flow.spatial + s);
    }
    flow.kept = std::move(features);
    flow.spatial = 1;
  } else {
    flow.spatial = y.size() / channels;
  }
  flow.constant = std::move(y);
}

void check_nothing_removed(const PrunedFlow& flow) {
  if (!flow.kept.empty())
    pruned_export_bug("features removed before a layer that cannot fold them");
}

}  // namespace detail
}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_PRUNED_EXPORT_HPP
