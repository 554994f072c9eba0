// Calibration runs: the float model, with the activations to observe added as outputs, runs on
// each calibration set; the values seen give each activation's range (minmax, percentile or
// entropy, quantize/calibration.hpp). Implementation-only.
#ifndef INLAY_QUANTIZE_IMPL_OBSERVE_HPP
#define INLAY_QUANTIZE_IMPL_OBSERVE_HPP

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "inlay/graph/model.hpp"
#include "inlay/graph/session.hpp"
#include "inlay/quantize/calibration.hpp"
#include "inlay/quantize/impl/edit_graph.hpp"
#include "inlay/quantize/quantize.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {
namespace detail {

// Runs `body`; an inlay::Error it raises is raised again with `context` before its message.
inline void with_context(const std::string& context, const std::function<void()>& body) {
#ifndef INLAY_NO_EXCEPTIONS
  try {
    body();
  } catch (const Error& e) { fail(e.kind(), context + ": " + e.message()); }
#else
  (void)context;
  body();
#endif
}

// The calibration sets must fit the model's inputs: count, dtype, rank and fixed dimensions.
inline void check_calibration(const Model& model, const std::vector<std::vector<Tensor>>& sets) {
  const std::vector<ValueDesc>& in = model.inputs();
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const std::string where = "calibration set " + std::to_string(s);
    if (sets[s].size() != in.size()) {
      std::string names;
      for (const ValueDesc& v : in) names += (names.empty() ? "'" : ", '") + v.name + "'";
      fail(ErrorKind::invalid_argument,
           "quantize: " + where + " has " + std::to_string(sets[s].size()) +
               " inputs; the model takes " + std::to_string(in.size()) + " (" + names + ")");
    }
    for (std::size_t i = 0; i < in.size(); ++i) {
      const Tensor& t = sets[s][i];
      const ValueDesc& v = in[i];
      bool fits = t.dtype() == v.dtype && !t.empty();
      if (fits && v.has_shape) {
        fits = t.rank() == v.dims.size();
        for (std::size_t d = 0; fits && d < v.dims.size(); ++d) {
          fits = v.dims[d] < 0 || v.dims[d] == t.shape()[d];
        }
      }
      if (!fits) {
        std::string declared = dtype_name(v.dtype);
        if (v.has_shape) {
          declared += "[";
          for (std::size_t d = 0; d < v.dims.size(); ++d) {
            declared +=
                (d ? "," : "") +
                (v.dims[d] < 0 ? (v.dim_params[d].empty() ? std::string("?") : v.dim_params[d])
                               : std::to_string(v.dims[d]));
          }
          declared += "]";
        }
        fail(ErrorKind::invalid_argument, "quantize: " + where + ", input '" + v.name + "': got " +
                                              dtype_name(t.dtype()) + " " + t.shape().to_string() +
                                              ", the model declares " + declared);
      }
    }
  }
}

struct Observation {
  bool is_float = false;  // seen, and f32
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  Histogram histogram;  // percentile: over [min, max]; entropy: |x| over [0, max|x|]
};

// The ranges of `names` (values of the float graph `g`) over the calibration sets. Values that
// are not f32 (shape arithmetic in int64 ...) are left out of the result.
inline std::map<std::string, Range> calibrate(const EditGraph& g, const std::string& directory,
                                              const std::vector<std::string>& names,
                                              const std::vector<std::vector<Tensor>>& sets,
                                              const QuantizeOptions& options) {
  EditGraph observer = g;
  std::set<std::string> declared;
  for (const EditValue& v : g.inputs) declared.insert(v.name);
  for (const EditValue& v : g.outputs) declared.insert(v.name);
  for (const std::string& n : names) {
    if (!declared.count(n) && !g.initializer(n)) observer.untyped_outputs.push_back(n);
  }
  const std::string bytes = write_edit_graph(observer, directory);
  const Model model = Model::copy_from_bytes(bytes.data(), bytes.size());
  check_calibration(model, sets);
  Session session(model);
  std::map<std::string, Observation> seen;
  for (const std::string& n : names) seen[n];
  const std::vector<std::string>& out_names = model.output_names();
  const std::vector<std::string>& in_names = model.input_names();
  // Calls visit(name, tensor) for each observed value of set s.
  auto run = [&](std::size_t s, const std::function<void(Observation&, const Tensor&)>& visit) {
    std::vector<Tensor> out;
    with_context("quantize: calibration set " + std::to_string(s),
                 [&] { out = session.run(sets[s]); });
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto it = seen.find(out_names[i]);
      if (it != seen.end()) visit(it->second, out[i]);
    }
    for (std::size_t i = 0; i < in_names.size(); ++i) {
      const auto it = seen.find(in_names[i]);
      if (it != seen.end()) visit(it->second, sets[s][i]);
    }
  };
  for (std::size_t s = 0; s < sets.size(); ++s) {
    run(s, [&](Observation& o, const Tensor& t) {
      if (t.dtype() != DType::f32) return;
      o.is_float = true;
      const float* p = t.data<float>();
      for (std::int64_t i = 0; i < t.numel(); ++i) {
        if (!std::isfinite(p[i])) continue;
        o.min = std::min(o.min, p[i]);
        o.max = std::max(o.max, p[i]);
      }
    });
  }
  const bool entropy = options.method == CalibrationMethod::entropy;
  if (options.method != CalibrationMethod::minmax) {
    for (auto& e : seen) {
      Observation& o = e.second;
      if (!o.is_float || !(o.min <= o.max)) continue;
      const float top = std::max(std::fabs(o.min), std::fabs(o.max));
      o.histogram = entropy ? Histogram(0.0f, top, 2048) : Histogram(o.min, o.max, 2048);
    }
    std::vector<float> abs_values;
    for (std::size_t s = 0; s < sets.size(); ++s) {
      run(s, [&](Observation& o, const Tensor& t) {
        if (o.histogram.counts.empty() || t.dtype() != DType::f32) return;
        const float* p = t.data<float>();
        const std::size_t n = static_cast<std::size_t>(t.numel());
        if (!entropy) return o.histogram.add(p, n);
        abs_values.resize(n);
        for (std::size_t i = 0; i < n; ++i) abs_values[i] = std::fabs(p[i]);
        o.histogram.add(abs_values.data(), n);
      });
    }
  }
  std::map<std::string, Range> ranges;
  for (const auto& e : seen) {
    const Observation& o = e.second;
    if (!o.is_float) continue;
    if (!(o.min <= o.max)) {  // no finite value seen
      ranges[e.first] = Range{};
      continue;
    }
    Range r = including_zero(o.min, o.max);
    if (!o.histogram.counts.empty()) {
      if (entropy) {
        const float t = entropy_threshold(o.histogram);
        r = including_zero(std::max(o.min, -t), std::min(o.max, t));
      } else {
        r = percentile_range(o.histogram, options.percentile);
      }
    }
    ranges[e.first] = r;
  }
  return ranges;
}

}  // namespace detail
}  // namespace quantization
INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_IMPL_OBSERVE_HPP
