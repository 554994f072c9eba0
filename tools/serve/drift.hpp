// Drift monitoring of a model's first input: per feature (the last dimension of an f32 input),
// the running mean and variance of what requests sent, and the population stability index
// against a reference distribution recorded from the training or calibration data.
//
// The reference is VERSION/drift_reference.json beside model.onnx:
//   {"features": [{"edges": [e1, ..., ek], "fractions": [p0, ..., pk]}, ...]}
// one entry per feature: k ascending bin edges and the k + 1 fractions of the reference data
// below e1, in [e1, e2), ..., at or above ek.
// PSI = sum over bins of (q - p) * ln(q / p), q the live fraction (Siddiqi, "Credit Risk
// Scorecards", 2006; < 0.1 stable, > 0.25 shifted); fractions are floored at 1e-4 so an empty
// bin gives a large finite term rather than infinity.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>
#include <nlohmann/json.hpp>

namespace inlay_serve {

class DriftMonitor {
 public:
  static constexpr std::int64_t max_features = 256;

  // Watches the model's first input when it is f32 with a fixed last dimension of at most
  // max_features; `reference` may be missing.
  DriftMonitor(const inlay::Model& model, const std::filesystem::path& reference) {
    if (model.inputs().empty()) return;
    const inlay::ValueDesc& in = model.inputs()[0];
    if (in.dtype != inlay::DType::f32 || !in.has_shape || in.dims.empty()) return;
    features_ = in.dims.back();
    if (features_ < 1 || features_ > max_features) {
      features_ = 0;
      return;
    }
    input_ = in.name;
    sum_.assign(static_cast<std::size_t>(features_), 0.0);
    sum_sq_.assign(static_cast<std::size_t>(features_), 0.0);
    if (std::filesystem::exists(reference)) read_reference(reference);
  }

  bool active() const noexcept { return features_ > 0; }
  bool has_reference() const noexcept { return !edges_.empty(); }

  void observe(const inlay::Tensor& x) {
    if (!active() || x.dtype() != inlay::DType::f32 || x.rank() == 0 ||
        x.shape()[x.rank() - 1] != features_)
      return;
    const float* v = x.data<float>();
    const std::int64_t rows = x.numel() / features_;
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t f = 0; f < features_; ++f) {
        const double value = v[r * features_ + f];
        if (!std::isfinite(value)) continue;
        const auto i = static_cast<std::size_t>(f);
        sum_[i] += value;
        sum_sq_[i] += value * value;
        if (has_reference()) {
          const std::vector<double>& e = edges_[i];
          ++counts_[i][static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), value) -
                                                e.begin())];
        }
      }
    }
    rows_ += rows;
  }

  // Gauge lines for the metrics page, labelled with the model's labels and the feature index.
  void render(std::string& out, const std::string& labels) const {
    if (!active()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    char num[64];
    std::snprintf(num, sizeof num, "%lld", static_cast<long long>(rows_));
    out += "inlay_drift_rows_total{" + labels + ",input=\"" + input_ + "\"} " + num + "\n";
    if (rows_ == 0) return;
    for (std::int64_t f = 0; f < features_; ++f) {
      const auto i = static_cast<std::size_t>(f);
      const double n = static_cast<double>(rows_), mean = sum_[i] / n;
      const double variance = std::max(0.0, sum_sq_[i] / n - mean * mean);
      const std::string l =
          labels + ",input=\"" + input_ + "\",feature=\"" + std::to_string(f) + "\"";
      std::snprintf(num, sizeof num, "%.9g", mean);
      out += "inlay_drift_feature_mean{" + l + "} " + num + "\n";
      std::snprintf(num, sizeof num, "%.9g", variance);
      out += "inlay_drift_feature_variance{" + l + "} " + num + "\n";
      if (has_reference()) {
        std::snprintf(num, sizeof num, "%.9g", psi(i));
        out += "inlay_drift_feature_psi{" + l + "} " + num + "\n";
      }
    }
  }

 private:
  double psi(std::size_t f) const {
    double total = 0, out = 0;
    for (std::int64_t c : counts_[f]) total += static_cast<double>(c);
    if (total == 0) return 0;
    for (std::size_t b = 0; b < counts_[f].size(); ++b) {
      const double q = std::max(1e-4, static_cast<double>(counts_[f][b]) / total);
      const double p = std::max(1e-4, fractions_[f][b]);
      out += (q - p) * std::log(q / p);
    }
    return out;
  }

  void read_reference(const std::filesystem::path& file) {
    auto bad = [&](const std::string& why) {
      inlay::fail(inlay::ErrorKind::invalid_argument, file.string() + ": " + why);
    };
    std::ifstream in(file);
    nlohmann::json j;
    try {
      in >> j;
    } catch (const std::exception& e) { bad(std::string("not JSON: ") + e.what()); }
    if (!j.is_object() || !j.contains("features") || !j["features"].is_array() ||
        static_cast<std::int64_t>(j["features"].size()) != features_) {
      bad("\"features\" must be an array of " + std::to_string(features_) +
          " entries, one per feature of input '" + input_ + "'");
    }
    for (const nlohmann::json& f : j["features"]) {
      std::vector<double> edges, fractions;
      try {
        edges = f.at("edges").get<std::vector<double>>();
        fractions = f.at("fractions").get<std::vector<double>>();
      } catch (const std::exception&) {
        bad("each feature needs \"edges\" and \"fractions\" arrays of numbers");
      }
      if (edges.empty() || fractions.size() != edges.size() + 1 ||
          !std::is_sorted(edges.begin(), edges.end()))
        bad("each feature needs k ascending edges and k + 1 fractions");
      edges_.push_back(std::move(edges));
      fractions_.push_back(std::move(fractions));
      counts_.emplace_back(fractions_.back().size(), 0);
    }
  }

  std::string input_;
  std::int64_t features_ = 0;
  mutable std::mutex mutex_;
  std::int64_t rows_ = 0;
  std::vector<double> sum_, sum_sq_;
  std::vector<std::vector<double>> edges_, fractions_;
  std::vector<std::vector<std::int64_t>> counts_;
};

}  // namespace inlay_serve
