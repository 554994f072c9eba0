// `inlay quantize MODEL -o OUT.onnx --calibrate DIR... [--method minmax|percentile|entropy]
//  [--percentile P] [--dynamic] [--reduce-range] [--activations u8|s8] [--exclude NODE,...]`:
//  writes an 8-bit QDQ
// model (inlay::quantize) and prints its report. Each calibration DIR holds one set of inputs in
// the backend-test layout: input_0.pb, input_1.pb ... or input_0.npy ...
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "input_sets.hpp"

namespace inlay_cli {

inline std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

inline int quantize_command(const std::vector<std::string>& argv) {
  ArgReader args(argv);
  std::string model_path, out_path;
  std::vector<std::string> dirs;
  inlay::QuantizeOptions options;
  bool percentile_given = false;
  while (!args.done()) {
    const std::string& a = args.next();
    if (a == "-o" || a == "--output") {
      out_path = args.value(a);
    } else if (a == "--calibrate") {
      for (const std::string& v : args.values(a)) dirs.push_back(v);
    } else if (a == "--method") {
      const std::string m = args.value(a);
      if (m == "minmax") {
        options.method = inlay::quantization::CalibrationMethod::minmax;
      } else if (m == "percentile") {
        options.method = inlay::quantization::CalibrationMethod::percentile;
      } else if (m == "entropy") {
        options.method = inlay::quantization::CalibrationMethod::entropy;
      } else {
        usage_error("--method is minmax, percentile or entropy, not '" + m + "'");
      }
    } else if (a == "--percentile") {
      options.percentile = parse_number(a, args.value(a));
      if (!(options.percentile > 0 && options.percentile <= 100))
        usage_error("--percentile needs a number in (0, 100]");
      percentile_given = true;
    } else if (a == "--reduce-range") {
      options.reduce_range = true;
    } else if (a == "--dynamic") {
      options.dynamic = true;
    } else if (a == "--activations") {
      const std::string t = args.value(a);
      if (t != "u8" && t != "s8") usage_error("--activations is u8 or s8, not '" + t + "'");
      options.signed_activations = t == "s8";
    } else if (a == "--exclude") {
      for (const std::string& v : args.values(a)) {
        for (const std::string& n : split_commas(v)) options.exclude.push_back(n);
      }
    } else if (is_option(a)) {
      usage_error("quantize: unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      usage_error("quantize: more than one model given ('" + model_path + "' and '" + a + "')");
    }
  }
  if (model_path.empty()) usage_error("quantize needs a model file");
  if (out_path.empty()) usage_error("quantize needs -o OUT.onnx");
  if (percentile_given && options.method != inlay::quantization::CalibrationMethod::percentile) {
    options.method = inlay::quantization::CalibrationMethod::percentile;
  }
  if (dirs.empty() && !options.dynamic)
    usage_error("quantize needs --calibrate DIR... (or --dynamic)");
  std::vector<std::vector<inlay::Tensor>> sets;
  for (const std::string& d : dirs) sets.push_back(read_input_set(d, "--calibrate"));
  const inlay::QuantizedModel q = inlay::quantize(model_path, sets, options);
  q.save(out_path);
  std::printf("%s", inlay::to_string(q.report).c_str());
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}

}  // namespace inlay_cli
