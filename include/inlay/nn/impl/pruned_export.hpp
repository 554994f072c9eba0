// A Dense layer exported without its removed inputs and outputs (nn/pruned_export.hpp).
#ifndef INLAY_NN_IMPL_PRUNED_EXPORT_HPP
#define INLAY_NN_IMPL_PRUNED_EXPORT_HPP

#include <numeric>
#include <string>
#include <vector>

#include "inlay/nn/dense.hpp"
#include "inlay/nn/pruned_export.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {
namespace detail {

std::string export_dense_pruned(ExportContext& ctx, const float* w, const float* b, std::size_t in,
                                std::size_t out, bool may_remove_outputs, PrunedFlow& flow,
                                const std::string& input) {
  std::vector<std::size_t> rows = flow.kept;
  std::vector<float> bias(b, b + out);
  if (rows.empty()) {
    rows.resize(in);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
  } else {
    // A removed input holds flow.constant[i]: its share of every output joins the bias.
    std::vector<bool> present(in, false);
    for (std::size_t r : rows) present[r] = true;
    for (std::size_t i = 0; i < in; ++i) {
      if (present[i] || flow.constant[i] == 0.0f) continue;
      for (std::size_t o = 0; o < out; ++o) bias[o] += flow.constant[i] * w[i * out + o];
    }
  }
  std::vector<std::size_t> cols;
  for (std::size_t o = 0; o < out; ++o) {
    bool live = !may_remove_outputs;
    for (std::size_t k = 0; k < rows.size() && !live; ++k) live = w[rows[k] * out + o] != 0.0f;
    if (live) cols.push_back(o);
  }
  if (cols.empty()) cols.push_back(0);  // ONNX tensors of width 0 are legal but pointless

  std::vector<float> w2(rows.size() * cols.size()), b2(cols.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    for (std::size_t c = 0; c < cols.size(); ++c)
      w2[k * cols.size() + c] = w[rows[k] * out + cols[c]];
  }
  for (std::size_t c = 0; c < cols.size(); ++c) b2[c] = bias[cols[c]];

  if (cols.size() < out) {
    flow.kept = cols;
    flow.constant = bias;  // a removed output's pre-activation is its (folded) bias
  } else {
    flow.kept.clear();
    flow.constant.clear();
  }
  return export_dense(ctx, w2.data(), b2.data(), rows.size(), cols.size(), input);
}

}  // namespace detail
}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_PRUNED_EXPORT_HPP
