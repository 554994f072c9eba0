// `inlay drift-reference MODEL --data DIR... [--bins N] -o FILE`: records the distribution of the
// training or calibration inputs that inlay-serve's drift gauges compare live requests with
// (tools/serve/drift.hpp reads the file; docs/serve.md). For every f32 input whose last
// dimension is fixed and at most 256 (the inputs the server watches), each feature gets bin edges
// at the quantiles 1/N ... (N-1)/N of the data (equal edges merged) and the fraction of the data
// in each bin.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "input_sets.hpp"
#include "text.hpp"

namespace inlay_cli {

struct FeatureBins {
  std::vector<double> edges;      // k ascending edges
  std::vector<double> fractions;  // k + 1: below edges[0], [edges[0], edges[1]) ... at or above
};

// Bins of one feature's values at the quantiles i / bins; the same bin rule as the server:
// value v falls in bin upper_bound(edges, v).
inline FeatureBins feature_bins(std::vector<double> values, std::int64_t bins) {
  std::sort(values.begin(), values.end());
  FeatureBins out;
  const std::size_t n = values.size();
  for (std::int64_t i = 1; i < bins; ++i) {
    const double edge =
        values[std::min(n - 1, static_cast<std::size_t>(i) * n / static_cast<std::size_t>(bins))];
    if (out.edges.empty() || edge > out.edges.back()) out.edges.push_back(edge);
  }
  if (out.edges.empty()) out.edges.push_back(values[n / 2]);  // --bins 1, or one value
  std::vector<std::size_t> counts(out.edges.size() + 1, 0);
  for (double v : values)
    ++counts[static_cast<std::size_t>(std::upper_bound(out.edges.begin(), out.edges.end(), v) -
                                      out.edges.begin())];
  for (std::size_t c : counts) out.fractions.push_back(static_cast<double>(c) / n);
  return out;
}

inline std::string json_numbers(const std::vector<double>& v) {
  std::string out = "[";
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.17g", i ? ", " : "",
                  v[i]);  // exact: data on an edge stays in its bin
    out += buf;
  }
  return out + "]";
}

inline int drift_reference_command(const std::vector<std::string>& argv) {
  ArgReader args(argv);
  std::string model_path, out_path;
  std::vector<std::string> dirs;
  std::int64_t bins = 10;
  while (!args.done()) {
    const std::string& a = args.next();
    if (a == "-o" || a == "--output") {
      out_path = args.value(a);
    } else if (a == "--data") {
      for (const std::string& v : args.values(a)) dirs.push_back(v);
    } else if (a == "--bins") {
      const double b = parse_number(a, args.value(a));
      if (!(b >= 1 && b <= 1000 && b == std::floor(b)))
        usage_error("--bins needs a whole number from 1 to 1000");
      bins = static_cast<std::int64_t>(b);
    } else if (is_option(a)) {
      usage_error("drift-reference: unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      usage_error("drift-reference: more than one model given ('" + model_path + "' and '" + a +
                  "')");
    }
  }
  if (model_path.empty()) usage_error("drift-reference needs a model file");
  if (out_path.empty()) usage_error("drift-reference needs -o FILE (drift_reference.json)");
  if (dirs.empty()) usage_error("drift-reference needs --data DIR... (input_0.pb ... per folder)");

  const inlay::Model model = inlay::Model::load(model_path);
  const std::vector<inlay::ValueDesc>& declared = model.inputs();
  // values[input][feature]: every finite value the data gives that feature.
  std::vector<std::vector<std::vector<double>>> values(declared.size());
  std::vector<bool> watched(declared.size(), false);
  std::vector<std::int64_t> rows(declared.size(), 0);
  for (std::size_t i = 0; i < declared.size(); ++i) {
    const inlay::ValueDesc& d = declared[i];
    watched[i] = d.dtype == inlay::DType::f32 && d.has_shape && !d.dims.empty() &&
                 d.dims.back() >= 1 && d.dims.back() <= 256;
    if (watched[i]) values[i].resize(static_cast<std::size_t>(d.dims.back()));
  }
  if (std::find(watched.begin(), watched.end(), true) == watched.end())
    usage_error("drift-reference: " + model_path +
                " has no f32 input with a fixed last dimension of at most 256 features");
  std::int64_t sets = 0;
  for (const std::string& dir : dirs) {
    const std::vector<inlay::Tensor> set = read_input_set(dir, "--data");
    if (set.size() != declared.size())
      usage_error("--data " + dir + ": " + std::to_string(set.size()) +
                  " inputs, the model takes " + std::to_string(declared.size()));
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (!watched[i]) continue;
      const inlay::Tensor& t = set[i];
      const auto features = static_cast<std::int64_t>(values[i].size());
      if (t.dtype() != inlay::DType::f32 || t.rank() == 0 || t.shape()[t.rank() - 1] != features)
        usage_error("--data " + dir + ": input_" + std::to_string(i) + " is not f32 with " +
                    std::to_string(features) + " features in its last dimension (input '" +
                    declared[i].name + "')");
      rows[i] += t.numel() / features;
      const float* p = t.data<float>();
      for (std::int64_t k = 0; k < t.numel(); ++k) {
        if (std::isfinite(p[k])) values[i][static_cast<std::size_t>(k % features)].push_back(p[k]);
      }
    }
    ++sets;
  }

  std::string json = "{\"inputs\": {";
  bool first_input = true;
  for (std::size_t i = 0; i < declared.size(); ++i) {
    if (!watched[i]) continue;
    json += std::string(first_input ? "\n  " : ",\n  ") + json_string(declared[i].name) +
            ": {\"features\": [";
    first_input = false;
    for (std::size_t f = 0; f < values[i].size(); ++f) {
      if (values[i][f].empty())
        usage_error("--data: feature " + std::to_string(f) + " of input '" + declared[i].name +
                    "' has no finite value");
      const FeatureBins b = feature_bins(values[i][f], bins);
      json += std::string(f ? ",\n    " : "\n    ") + "{\"edges\": " + json_numbers(b.edges) +
              ", \"fractions\": " + json_numbers(b.fractions) + "}";
    }
    json += "]}";
    std::printf("input '%s': %zu features, %lld rows\n", declared[i].name.c_str(), values[i].size(),
                static_cast<long long>(rows[i]));
  }
  json += "\n}}\n";
  std::ofstream out(out_path, std::ios::binary);
  out << json;
  out.close();
  if (!out) usage_error("cannot write " + out_path);
  std::printf("wrote %s from %lld input sets (%lld bins per feature at most)\n", out_path.c_str(),
              static_cast<long long>(sets), static_cast<long long>(bins));
  return 0;
}

}  // namespace inlay_cli
