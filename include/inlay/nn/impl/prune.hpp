// Magnitude pruning: masks, schedule and report (nn/prune.hpp).
#ifndef INLAY_NN_IMPL_PRUNE_HPP
#define INLAY_NN_IMPL_PRUNE_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/nn/prune.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
void check_sparsity(double sparsity) {
  if (!(sparsity >= 0.0 && sparsity < 1.0)) {
    fail(ErrorKind::invalid_argument,
         "nn::Pruner: sparsity " + std::to_string(sparsity) + " is outside [0, 1)");
  }
}
// The indices of the `count` smallest scores (ties: lower index first).
std::vector<std::size_t> smallest(const std::vector<double>& score, std::size_t count) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  count = std::min(count, order.size());
  auto less = [&](std::size_t a, std::size_t b) {
    return score[a] < score[b] || (score[a] == score[b] && a < b);
  };
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                   less);
  order.resize(count);
  return order;
}
std::size_t rounded(double fraction, std::size_t n) {
  return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
}
}  // namespace

double PruneSchedule::sparsity_at(std::size_t step) const {
  if (step <= begin_step) return initial_sparsity;
  if (step >= end_step || end_step <= begin_step) return final_sparsity;
  const double left =
      1.0 - static_cast<double>(step - begin_step) / static_cast<double>(end_step - begin_step);
  return final_sparsity + (initial_sparsity - final_sparsity) * left * left * left;
}

Pruner::Pruner(std::vector<WeightMatrix> matrices, PruneScope scope, PruneUnit unit)
    : matrices_(std::move(matrices)), scope_(scope), unit_(unit) {
  if (matrices_.empty()) {
    fail(ErrorKind::invalid_argument, "nn::Pruner: the network has no weight matrix to prune");
  }
  if (unit_ == PruneUnit::outputs && structured_matrices().size() < 2) {
    fail(ErrorKind::invalid_argument,
         "nn::Pruner: structured pruning needs two weight layers (the last keeps its outputs; "
         "embedding tables do not count)");
  }
  for (const WeightMatrix& m : matrices_) masks_.emplace_back(m.size(), std::uint8_t{1});
}

void Pruner::prune(double sparsity) {
  check_sparsity(sparsity);
  if (unit_ == PruneUnit::weights) {
    prune_weights(sparsity);
  } else {
    prune_outputs(sparsity);
  }
  apply();
}

void Pruner::prune_weights(double sparsity) {
  // |w|, and -1 for a weight masked before (an optimizer step may have moved it off zero since):
  // it goes first, so a growing schedule keeps what it pruned.
  auto scores = [&](std::size_t k, std::vector<double>& score) {
    const WeightMatrix& m = matrices_[k];
    for (std::size_t i = 0; i < m.size(); ++i) {
      score.push_back(masks_[k][i] == 0 ? -1.0 : std::fabs(m.value[i]));
    }
  };
  if (scope_ == PruneScope::per_layer) {
    for (std::size_t k = 0; k < matrices_.size(); ++k) {
      std::vector<double> score;
      scores(k, score);
      std::fill(masks_[k].begin(), masks_[k].end(), std::uint8_t{1});
      for (std::size_t i : smallest(score, rounded(sparsity, score.size()))) masks_[k][i] = 0;
    }
    return;
  }
  std::vector<double> score;
  std::vector<std::size_t> start;  // each matrix's first position in score
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    start.push_back(score.size());
    scores(k, score);
  }
  for (auto& mask : masks_) std::fill(mask.begin(), mask.end(), std::uint8_t{1});
  for (std::size_t flat : smallest(score, rounded(sparsity, score.size()))) {
    const std::size_t k = static_cast<std::size_t>(
                              std::upper_bound(start.begin(), start.end(), flat) - start.begin()) -
                          1;
    masks_[k][flat - start[k]] = 0;
  }
}

std::vector<std::size_t> Pruner::structured_matrices() const {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    if (matrices_[k].structured) out.push_back(k);
  }
  return out;
}

void Pruner::prune_outputs(double sparsity) {
  // Lookup tables stay whole, and the last weight matrix keeps the network's outputs.
  std::vector<std::size_t> prunable = structured_matrices();
  prunable.pop_back();
  // L1 norm per output; the global ranking compares means so wide and narrow layers meet.
  auto norms = [&](std::size_t k) {
    const WeightMatrix& m = matrices_[k];
    std::vector<double> s(m.outputs, 0.0);
    for (std::size_t o = 0; o < m.outputs; ++o) {
      bool masked = true;  // removed before: first again (see prune_weights)
      for (std::size_t i = 0; i < m.fan_in; ++i) {
        s[o] += std::fabs(m.value[m.at(o, i)]);
        masked = masked && masks_[k][m.at(o, i)] == 0;
      }
      if (scope_ == PruneScope::global) s[o] /= static_cast<double>(m.fan_in);
      if (masked) s[o] = -1.0;
    }
    return s;
  };
  auto remove = [&](std::size_t k, std::size_t o) {
    const WeightMatrix& m = matrices_[k];
    for (std::size_t i = 0; i < m.fan_in; ++i) masks_[k][m.at(o, i)] = 0;
  };
  if (scope_ == PruneScope::per_layer) {
    for (std::size_t k : prunable) {
      const std::vector<double> score = norms(k);
      std::fill(masks_[k].begin(), masks_[k].end(), std::uint8_t{1});
      for (std::size_t o : smallest(score, rounded(sparsity, matrices_[k].outputs))) remove(k, o);
    }
    return;
  }
  std::vector<double> score;
  std::vector<std::size_t> start;  // the first position in score of each of prunable's matrices
  for (std::size_t k : prunable) {
    start.push_back(score.size());
    const std::vector<double> s = norms(k);
    score.insert(score.end(), s.begin(), s.end());
  }
  for (auto& mask : masks_) std::fill(mask.begin(), mask.end(), std::uint8_t{1});
  for (std::size_t flat : smallest(score, rounded(sparsity, score.size()))) {
    const std::size_t j = static_cast<std::size_t>(
                              std::upper_bound(start.begin(), start.end(), flat) - start.begin()) -
                          1;
    remove(prunable[j], flat - start[j]);
  }
}

void Pruner::apply() {
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    const WeightMatrix& m = matrices_[k];
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (masks_[k][i] == 0) {
        m.value[i] = 0.0f;
        if (m.grad != nullptr) m.grad[i] = 0.0f;
      }
    }
  }
}

void Pruner::on_step(void* self, std::size_t step) {
  Pruner& p = *static_cast<Pruner*>(self);
  const PruneSchedule& s = p.schedule_;
  const std::size_t every = std::max<std::size_t>(s.every, 1);
  if (step >= s.begin_step && step <= s.end_step &&
      ((step - s.begin_step) % every == 0 || step == s.end_step)) {
    p.prune(s.sparsity_at(step));
  } else {
    p.apply();
  }
}

void Pruner::attach(FitOptions& options, const PruneSchedule& schedule) {
  check_sparsity(schedule.initial_sparsity);
  check_sparsity(schedule.final_sparsity);
  schedule_ = schedule;
  options.on_step = &Pruner::on_step;
  options.on_step_context = this;
}

std::vector<LayerSparsity> Pruner::report() const {
  std::vector<LayerSparsity> out;
  for (std::size_t k = 0; k < matrices_.size(); ++k) {
    const WeightMatrix& m = matrices_[k];
    LayerSparsity l;
    l.name = m.name;
    l.weights = m.size();
    l.outputs = m.outputs;
    for (std::uint8_t keep : masks_[k]) l.zeros += keep == 0;
    for (std::size_t o = 0; o < m.outputs; ++o) {
      bool all = true;
      for (std::size_t i = 0; i < m.fan_in && all; ++i) all = masks_[k][m.at(o, i)] == 0;
      l.removed += all;
    }
    out.push_back(l);
  }
  return out;
}

std::string to_string(const std::vector<LayerSparsity>& report) {
  std::string s;
  std::size_t weights = 0, zeros = 0;
  char line[160];
  for (const LayerSparsity& l : report) {
    std::snprintf(line, sizeof line,
                  "%-12s sparsity %6.2f%%  (%zu of %zu weights, %zu of %zu outputs removed)\n",
                  l.name.c_str(), 100.0 * l.sparsity(), l.zeros, l.weights, l.removed, l.outputs);
    s += line;
    weights += l.weights;
    zeros += l.zeros;
  }
  std::snprintf(line, sizeof line, "%-12s sparsity %6.2f%%  (%zu of %zu weights)\n", "total",
                weights ? 100.0 * static_cast<double>(zeros) / static_cast<double>(weights) : 0.0,
                zeros, weights);
  s += line;
  return s;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_PRUNE_HPP
