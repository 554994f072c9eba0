// Hyperparameter settings and their scores (nn/search.hpp).
#ifndef INLAY_NN_IMPL_SEARCH_HPP
#define INLAY_NN_IMPL_SEARCH_HPP

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "inlay/data/rng.hpp"
#include "inlay/nn/search.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void check_space(const SearchSpace& s) {
  auto empty = [](const char* what) {
    fail(ErrorKind::invalid_argument, std::string("nn::SearchSpace: no value of ") + what);
  };
  if (s.learning_rate.empty()) empty("learning_rate");
  if (s.l1.empty()) empty("l1");
  if (s.l2.empty()) empty("l2");
  if (s.batch_size.empty()) empty("batch_size");
  if (s.epochs.empty()) empty("epochs");
  auto bad = [](const char* what, double v, const char* expected) {
    fail(ErrorKind::invalid_argument, std::string("nn::SearchSpace: ") + what + " " +
                                          short_number(v) + ", expected " + expected);
  };
  for (float v : s.learning_rate) {
    if (!(v > 0.0f) || !std::isfinite(v)) bad("learning_rate", v, "finite and > 0");
  }
  for (float v : s.l1) {
    if (!(v >= 0.0f) || !std::isfinite(v)) bad("l1", v, "finite and >= 0");
  }
  for (float v : s.l2) {
    if (!(v >= 0.0f) || !std::isfinite(v)) bad("l2", v, "finite and >= 0");
  }
  for (std::size_t v : s.batch_size) {
    if (v == 0) bad("batch_size", 0, ">= 1");
  }
  for (std::size_t v : s.epochs) {
    if (v == 0) bad("epochs", 0, ">= 1");
  }
}

void mean_std(const std::vector<double>& v, double& mean, double& sd) {
  double sum = 0;
  for (double a : v) sum += a;
  mean = sum / static_cast<double>(v.size());
  double squares = 0;
  for (double a : v) squares += (a - mean) * (a - mean);
  sd = std::sqrt(squares / static_cast<double>(v.size()));
}

}  // namespace

std::string HyperParams::to_string() const {
  return "lr=" + short_number(learning_rate) + " l1=" + short_number(l1) +
         " l2=" + short_number(l2) + " batch=" + std::to_string(batch_size) +
         " epochs=" + std::to_string(epochs);
}

std::vector<HyperParams> grid(const SearchSpace& space) {
  check_space(space);
  std::vector<HyperParams> out;
  for (float lr : space.learning_rate)
    for (float l1 : space.l1)
      for (float l2 : space.l2)
        for (std::size_t b : space.batch_size)
          for (std::size_t e : space.epochs) out.push_back({lr, l1, l2, b, e});
  return out;
}

std::vector<HyperParams> random_settings(const SearchSpace& space, std::size_t count,
                                         std::uint64_t seed) {
  check_space(space);
  float lo = space.learning_rate[0], hi = lo;
  for (float v : space.learning_rate) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  data::Rng rng(seed);
  auto pick = [&rng](const auto& v) { return v[static_cast<std::size_t>(rng.below(v.size()))]; };
  std::vector<HyperParams> out;
  for (std::size_t i = 0; i < count; ++i) {
    HyperParams p;
    // Log-uniform: each factor of ten between lo and hi is as likely.
    p.learning_rate = static_cast<float>(std::exp(rng.uniform(std::log(lo), std::log(hi))));
    if (lo == hi) p.learning_rate = lo;
    p.l1 = pick(space.l1);
    p.l2 = pick(space.l2);
    p.batch_size = pick(space.batch_size);
    p.epochs = pick(space.epochs);
    out.push_back(p);
  }
  return out;
}

SettingScore score_setting(const HyperParams& params, std::vector<double> fold_loss,
                           std::vector<double> fold_accuracy) {
  SettingScore s;
  s.params = params;
  s.fold_loss = std::move(fold_loss);
  s.fold_accuracy = std::move(fold_accuracy);
  if (s.fold_loss.empty() || s.fold_loss.size() != s.fold_accuracy.size()) {
    fail(ErrorKind::invalid_argument, "nn::score_setting: " + std::to_string(s.fold_loss.size()) +
                                          " fold losses and " +
                                          std::to_string(s.fold_accuracy.size()) +
                                          " accuracies, expected the same number, >= 1");
  }
  mean_std(s.fold_loss, s.mean_loss, s.std_loss);
  mean_std(s.fold_accuracy, s.mean_accuracy, s.std_accuracy);
  return s;
}

std::size_t best_setting(const std::vector<SettingScore>& settings) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < settings.size(); ++i) {
    const SettingScore& a = settings[i];
    const SettingScore& b = settings[best];
    const bool by_accuracy = !std::isnan(a.mean_accuracy) && !std::isnan(b.mean_accuracy);
    if (by_accuracy ? a.mean_accuracy > b.mean_accuracy : a.mean_loss < b.mean_loss) best = i;
  }
  return best;
}

void check_search(const Tensor& x, const Tensor& y, const std::vector<HyperParams>& settings,
                  const std::vector<data::Split>& folds) {
  if (settings.empty()) fail(ErrorKind::invalid_argument, "nn::search: no setting to try");
  if (folds.empty()) fail(ErrorKind::invalid_argument, "nn::search: no fold (data::k_fold)");
  if (x.rank() < 1 || y.rank() < 1 || x.shape()[0] != y.shape()[0]) {
    fail(ErrorKind::shape_mismatch, "nn::search: x " + x.shape().to_string() + " and y " +
                                        y.shape().to_string() + " do not have the same rows");
  }
  for (std::size_t i = 0; i < folds.size(); ++i) {
    if (folds[i].train.empty() || folds[i].test.empty()) {
      fail(ErrorKind::invalid_argument,
           "nn::search: fold " + std::to_string(i) + " has no training or no test row");
    }
  }
  for (const HyperParams& p : settings) {
    SearchSpace one;
    one.learning_rate = {p.learning_rate};
    one.l1 = {p.l1};
    one.l2 = {p.l2};
    one.batch_size = {p.batch_size};
    one.epochs = {p.epochs};
    check_space(one);
  }
}

std::string SearchResult::to_string() const {
  std::string text;
  for (std::size_t i = 0; i < settings.size(); ++i) {
    const SettingScore& s = settings[i];
    char buf[160];
    std::snprintf(buf, sizeof buf, ": loss %.4f +- %.4f", s.mean_loss, s.std_loss);
    text += s.params.to_string() + buf;
    if (!std::isnan(s.mean_accuracy)) {
      std::snprintf(buf, sizeof buf, ", accuracy %.4f +- %.4f", s.mean_accuracy, s.std_accuracy);
      text += buf;
    }
    if (settings.size() > 1 && i == best_index) text += "  (best)";
    if (i + 1 < settings.size()) text += "\n";
  }
  return text;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_SEARCH_HPP
