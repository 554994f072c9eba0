// Drift monitoring of a model's inputs: per feature (the last dimension of each f32 input), the
// running mean and variance of what requests sent, and the population stability index against a
// reference distribution recorded from the training or calibration data.
//
// The reference is VERSION/drift_reference.json beside model.onnx (`inlay drift-reference`
// writes it):
//   {"inputs": {"NAME": {"features": [{"edges": [e1, ..., ek], "fractions": [p0, ..., pk]}, ...]},
//               ...}}
// one entry per feature: k ascending bin edges and the k + 1 fractions of the reference data
// below e1, in [e1, e2), ..., at or above ek. The older form {"features": [...]} describes the
// first watched input. Inputs the file leaves out get mean and variance but no PSI.
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

  // Watches every input that is f32 with a fixed last dimension of at most max_features;
  // `reference` may be missing.
  DriftMonitor(const inlay::Model& model, const std::filesystem::path& reference) {
    const std::vector<inlay::ValueDesc>& inputs = model.inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const inlay::ValueDesc& in = inputs[i];
      if (in.dtype != inlay::DType::f32 || !in.has_shape || in.dims.empty()) continue;
      const std::int64_t features = in.dims.back();
      if (features < 1 || features > max_features) continue;
      Watched w;
      w.index = i;
      w.name = in.name;
      w.features = features;
      w.sum.assign(static_cast<std::size_t>(features), 0.0);
      w.sum_sq.assign(static_cast<std::size_t>(features), 0.0);
      watched_.push_back(std::move(w));
    }
    if (!watched_.empty() && std::filesystem::exists(reference)) read_reference(reference);
  }

  bool active() const noexcept { return !watched_.empty(); }

  // The inputs of one request, in the model's input order.
  void observe(const std::vector<inlay::Tensor>& inputs) {
    if (!active()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    for (Watched& w : watched_) {
      if (w.index < inputs.size()) observe(w, inputs[w.index]);
    }
  }

  // Gauge lines for the metrics page, labelled with the model's labels, the input's name and the
  // feature index.
  void render(std::string& out, const std::string& labels) const {
    std::lock_guard<std::mutex> lock(mutex_);
    char num[64];
    for (const Watched& w : watched_) {
      const std::string input_labels = labels + ",input=\"" + w.name + "\"";
      std::snprintf(num, sizeof num, "%lld", static_cast<long long>(w.rows));
      out += "inlay_drift_rows_total{" + input_labels + "} " + num + "\n";
      if (w.rows == 0) continue;
      for (std::int64_t f = 0; f < w.features; ++f) {
        const auto i = static_cast<std::size_t>(f);
        const double n = static_cast<double>(w.rows), mean = w.sum[i] / n;
        const double variance = std::max(0.0, w.sum_sq[i] / n - mean * mean);
        const std::string l = input_labels + ",feature=\"" + std::to_string(f) + "\"";
        std::snprintf(num, sizeof num, "%.9g", mean);
        out += "inlay_drift_feature_mean{" + l + "} " + num + "\n";
        std::snprintf(num, sizeof num, "%.9g", variance);
        out += "inlay_drift_feature_variance{" + l + "} " + num + "\n";
        if (w.has_reference()) {
          std::snprintf(num, sizeof num, "%.9g", psi(w, i));
          out += "inlay_drift_feature_psi{" + l + "} " + num + "\n";
        }
      }
    }
  }

 private:
  struct Watched {
    std::size_t index = 0;  // in the model's inputs
    std::string name;
    std::int64_t features = 0;
    std::int64_t rows = 0;
    std::vector<double> sum, sum_sq;
    std::vector<std::vector<double>> edges, fractions;  // empty: no reference
    std::vector<std::vector<std::int64_t>> counts;
    bool has_reference() const noexcept { return !edges.empty(); }
  };

  static void observe(Watched& w, const inlay::Tensor& x) {
    if (x.dtype() != inlay::DType::f32 || x.rank() == 0 || x.shape()[x.rank() - 1] != w.features)
      return;
    const float* v = x.data<float>();
    const std::int64_t rows = x.numel() / w.features;
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t f = 0; f < w.features; ++f) {
        const double value = v[r * w.features + f];
        if (!std::isfinite(value)) continue;
        const auto i = static_cast<std::size_t>(f);
        w.sum[i] += value;
        w.sum_sq[i] += value * value;
        if (w.has_reference()) {
          const std::vector<double>& e = w.edges[i];
          ++w.counts[i][static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), value) -
                                                 e.begin())];
        }
      }
    }
    w.rows += rows;
  }

  static double psi(const Watched& w, std::size_t f) {
    double total = 0, out = 0;
    for (std::int64_t c : w.counts[f]) total += static_cast<double>(c);
    if (total == 0) return 0;
    for (std::size_t b = 0; b < w.counts[f].size(); ++b) {
      const double q = std::max(1e-4, static_cast<double>(w.counts[f][b]) / total);
      const double p = std::max(1e-4, w.fractions[f][b]);
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
    if (!j.is_object() || (j.contains("inputs") == j.contains("features")))
      bad("needs either \"inputs\" (an object: input name -> {\"features\": [...]}) or "
          "\"features\" (for the first watched input)");
    if (j.contains("features")) {
      read_features(watched_[0], j["features"], bad);
      return;
    }
    if (!j["inputs"].is_object()) bad("\"inputs\" must be an object: input name -> features");
    for (const auto& item : j["inputs"].items()) {
      auto w = std::find_if(watched_.begin(), watched_.end(),
                            [&](const Watched& x) { return x.name == item.key(); });
      if (w == watched_.end())
        bad("input '" + item.key() + "' is not an f32 input with at most " +
            std::to_string(max_features) + " features in its last dimension");
      if (!item.value().is_object() || !item.value().contains("features"))
        bad("input '" + item.key() + "' needs a \"features\" array");
      read_features(*w, item.value()["features"], bad);
    }
  }

  template <class Bad>
  static void read_features(Watched& w, const nlohmann::json& features, const Bad& bad) {
    if (!features.is_array() || static_cast<std::int64_t>(features.size()) != w.features) {
      bad("\"features\" must be an array of " + std::to_string(w.features) +
          " entries, one per feature of input '" + w.name + "'");
    }
    for (const nlohmann::json& f : features) {
      std::vector<double> edges, fractions;
      try {
        edges = f.at("edges").get<std::vector<double>>();
        fractions = f.at("fractions").get<std::vector<double>>();
      } catch (const std::exception&) {
        bad("each feature of input '" + w.name +
            "' needs \"edges\" and \"fractions\" arrays of "
            "numbers");
      }
      if (edges.empty() || fractions.size() != edges.size() + 1 ||
          !std::is_sorted(edges.begin(), edges.end()))
        bad("each feature of input '" + w.name + "' needs k ascending edges and k + 1 fractions");
      w.edges.push_back(std::move(edges));
      w.fractions.push_back(std::move(fractions));
      w.counts.emplace_back(w.fractions.back().size(), 0);
    }
  }

  mutable std::mutex mutex_;
  std::vector<Watched> watched_;
};

}  // namespace inlay_serve
