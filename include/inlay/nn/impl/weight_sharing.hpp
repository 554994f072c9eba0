// Weight sharing: k-means, centroid fine-tuning and the compact export (nn/weight_sharing.hpp).
#ifndef INLAY_NN_IMPL_WEIGHT_SHARING_HPP
#define INLAY_NN_IMPL_WEIGHT_SHARING_HPP

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/onnx/writer.hpp"
#include "inlay/nn/weight_sharing.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

Codebook kmeans_linear(const float* values, std::size_t n, std::size_t k,
                       std::size_t max_iterations) {
  if (k == 0 || k > 256) {
    fail(ErrorKind::invalid_argument,
         "nn::kmeans_linear: " + std::to_string(k) + " clusters; uint8 indices allow 1 to 256");
  }
  Codebook c;
  c.centroids.assign(k, 0.0f);
  c.assignments.assign(n, std::uint8_t{0});
  if (n == 0) return c;
  const auto [lo, hi] = std::minmax_element(values, values + n);
  for (std::size_t j = 0; j < k; ++j) {
    c.centroids[j] = k == 1 ? 0.5f * (*lo + *hi)
                            : *lo + (*hi - *lo) * static_cast<float>(j) / static_cast<float>(k - 1);
  }
  std::vector<double> sum(k);
  std::vector<std::size_t> count(k);
  for (std::size_t it = 0; it < max_iterations; ++it) {
    bool changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t best = 0;
      float best_d = std::abs(values[i] - c.centroids[0]);
      for (std::size_t j = 1; j < k; ++j) {
        const float d = std::abs(values[i] - c.centroids[j]);
        if (d < best_d) {
          best_d = d;
          best = j;
        }
      }
      changed |= it == 0 || c.assignments[i] != best;
      c.assignments[i] = static_cast<std::uint8_t>(best);
    }
    if (!changed) break;
    c.iterations = it + 1;
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(count.begin(), count.end(), std::size_t{0});
    for (std::size_t i = 0; i < n; ++i) {
      sum[c.assignments[i]] += values[i];
      ++count[c.assignments[i]];
    }
    for (std::size_t j = 0; j < k; ++j) {
      if (count[j] > 0) c.centroids[j] = static_cast<float>(sum[j] / static_cast<double>(count[j]));
    }
  }
  return c;
}

WeightSharing::WeightSharing(std::vector<WeightMatrix> matrices, std::size_t clusters,
                             std::size_t max_iterations)
    : matrices_(std::move(matrices)) {
  if (matrices_.empty()) {
    fail(ErrorKind::invalid_argument,
         "nn::WeightSharing: the network has no weight matrix to share");
  }
  for (const WeightMatrix& m : matrices_) {
    codebooks_.push_back(kmeans_linear(m.value, m.size(), clusters, max_iterations));
  }
  apply();
}

void WeightSharing::apply() {
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    const WeightMatrix& m = matrices_[k];
    const Codebook& c = codebooks_[k];
    for (std::size_t i = 0; i < m.size(); ++i) m.value[i] = c.centroids[c.assignments[i]];
  }
}

void WeightSharing::fine_tune_step(float learning_rate) {
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    const WeightMatrix& m = matrices_[k];
    Codebook& c = codebooks_[k];
    if (m.grad == nullptr) continue;
    std::vector<double> g(c.centroids.size(), 0.0);
    for (std::size_t i = 0; i < m.size(); ++i) g[c.assignments[i]] += m.grad[i];
    for (std::size_t j = 0; j < g.size(); ++j) {
      c.centroids[j] -= learning_rate * static_cast<float>(g[j]);
    }
  }
  apply();
}

void WeightSharing::on_step(void* self, std::size_t) {
  WeightSharing& s = *static_cast<WeightSharing*>(self);
  s.fine_tune_step(s.learning_rate_);
}

void WeightSharing::attach(FitOptions& options, float learning_rate) {
  learning_rate_ = learning_rate;
  options.on_step = &WeightSharing::on_step;
  options.on_step_context = this;
}

const Codebook* WeightSharing::codebook_of_layer(std::size_t layer) const {
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    if (matrices_[k].layer == layer && !matrices_[k].nested) return &codebooks_[k];
  }
  return nullptr;
}

namespace detail {
std::string export_dense_shared(ExportContext& ctx, const Codebook& codebook, const float* bias,
                                std::size_t in, std::size_t out, const std::string& input) {
  if (codebook.assignments.size() != in * out) {
    fail(ErrorKind::invalid_argument,
         "nn::to_onnx_shared: the codebook of a Dense<" + std::to_string(in) + ", " +
             std::to_string(out) + "> layer holds " + std::to_string(codebook.assignments.size()) +
             " assignments (was the WeightSharing made from another network?)");
  }
  const auto i = static_cast<std::int64_t>(in), o = static_cast<std::int64_t>(out);
  Tensor indices(DType::u8, Shape{i, o});
  std::memcpy(indices.data<std::uint8_t>(), codebook.assignments.data(), in * out);
  Tensor centroids(DType::f32, Shape{static_cast<std::int64_t>(codebook.centroids.size())});
  std::memcpy(centroids.data<float>(), codebook.centroids.data(), centroids.nbytes());
  Tensor b(DType::f32, Shape{o});
  std::memcpy(b.data<float>(), bias, out * sizeof(float));
  const std::string indices_name = ctx.fresh("weight_indices");
  const std::string codebook_name = ctx.fresh("codebook");
  const std::string bias_name = ctx.fresh("bias");
  ctx.graph->add_initializer(indices_name, indices);
  ctx.graph->add_initializer(codebook_name, centroids);
  ctx.graph->add_initializer(bias_name, b);
  const std::string wide = ctx.fresh("Cast");
  ctx.graph->add_node("Cast", {indices_name}, {wide}, wide).attr("to", std::int64_t{6});  // int32
  const std::string weight = ctx.fresh("Gather");
  ctx.graph->add_node("Gather", {codebook_name, wide}, {weight}, weight)
      .attr("axis", std::int64_t{0});
  const std::string y = ctx.fresh("Gemm");
  ctx.graph->add_node("Gemm", {input, weight, bias_name}, {y}, y);
  return y;
}
}  // namespace detail

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_WEIGHT_SHARING_HPP
