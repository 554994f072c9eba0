// `inlay info MODEL`: what a model declares and what inlay made of it.
//
//   model       mlp/model.onnx (45.8 KiB, IR version 7, pytorch 1.13.0)
//   version     com.example.mlp version 3       (model_version, domain: when the file has them)
//   doc         what the model is                (doc_string)
//   metadata    trained_on = digits, 2026-12-06  (one line per metadata_props entry)
//   opsets      ai.onnx 13
//   input       input  f32[1,100]
//   output      probabilities  f32[1,10]
//   ...
// With --device D (e.g. cuda:0): after the summary, where each node runs on that device (a tool
// built with INLAY_WITH_CUDA; docs/cuda.md).
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "model_inputs.hpp"
#include "text.hpp"

namespace inlay_cli {

inline int info_command(const std::vector<std::string>& argv) {
  ArgReader args(argv);
  std::string path, device;
  while (!args.done()) {
    const std::string& a = args.next();
    if (a == "--device") {
      device = args.value(a);
      continue;
    }
    if (is_option(a)) usage_error("info: unknown option " + a);
    if (!path.empty()) usage_error("info: more than one model given");
    path = a;
  }
  if (path.empty()) usage_error("info needs a model file");

  const inlay::Model model = inlay::Model::load(path);
  const inlay::Model::Summary& s = model.summary();
  std::error_code ec;
  const auto file_bytes = std::filesystem::file_size(path, ec);
  std::string about = path + " (";
  if (!ec) about += human_bytes(static_cast<double>(file_bytes)) + ", ";
  about += "IR version " + std::to_string(s.ir_version);
  if (!s.producer.empty()) about += ", " + s.producer;
  std::printf("model       %s)\n", about.c_str());
  const inlay::Model::Metadata& meta = model.metadata();
  if (meta.model_version != 0 || !meta.domain.empty()) {
    std::string version = meta.domain;
    if (meta.model_version != 0) {
      if (!version.empty()) version += " ";
      version += "version " + std::to_string(meta.model_version);
    }
    std::printf("version     %s\n", version.c_str());
  }
  if (!meta.doc_string.empty()) std::printf("doc         %s\n", meta.doc_string.c_str());
  if (!meta.graph_name.empty()) std::printf("graph       %s\n", meta.graph_name.c_str());
  for (const auto& kv : meta.props) {
    std::printf("metadata    %s = %s\n", kv.first.c_str(), kv.second.c_str());
  }

  std::string opsets;
  for (const auto& o : s.opsets) {
    if (!opsets.empty()) opsets += ", ";
    opsets += (o.first.empty() ? std::string("ai.onnx") : o.first) + " " + std::to_string(o.second);
  }
  std::printf("opsets      %s\n", opsets.c_str());
  for (const inlay::ValueDesc& v : model.inputs()) {
    std::printf("input       %s  %s\n", v.name.c_str(), describe_type(v).c_str());
  }
  for (const inlay::ValueDesc& v : model.outputs()) {
    std::printf("output      %s  %s\n", v.name.c_str(), describe_type(v).c_str());
  }
  std::printf("nodes       %zu loaded, %zu planned after optimization\n", s.nodes_loaded,
              s.nodes_planned);
  std::string ops;
  for (const auto& o : s.op_counts) {
    if (!ops.empty()) ops += ", ";
    ops += o.first + " " + std::to_string(o.second);
  }
  std::printf("ops         %s\n", ops.empty() ? "(none)" : ops.c_str());
  std::string planned;
  for (const auto& o : s.planned_op_counts) {
    if (!planned.empty()) planned += ", ";
    planned += o.first + " " + std::to_string(o.second);
  }
  std::printf("planned     %s\n", planned.empty() ? "(none)" : planned.c_str());
  std::printf("parameters  %lld (%s)\n", static_cast<long long>(s.parameters),
              human_bytes(static_cast<double>(s.weight_bytes)).c_str());
  if (!device.empty()) {
    inlay::SessionOptions options;
    options.device = device;
    const inlay::Session session(model, options);
    const std::string placement = session.placement();
    std::size_t on_device = 0, total = 0;
    for (std::size_t at = 0; at < placement.size();) {
      const std::size_t end = placement.find('\n', at);
      const std::string line = placement.substr(at, end - at);
      ++total;
      if (line.compare(0, 4, "cpu ") != 0) ++on_device;
      std::printf("placement   %s\n", line.c_str());
      at = end == std::string::npos ? placement.size() : end + 1;
    }
    std::printf("device      %s: %zu of %zu nodes, the others on the CPU\n", device.c_str(),
                on_device, total);
  }

  // The arena is planned at the first run, so it is known only for static input shapes.
  if (!inputs_are_static(model)) {
    std::printf("arena       unknown until run (the inputs have symbolic dimensions)\n");
    return 0;
  }
  try {
    inlay::Session session(model);
    session.run(filled_inputs(model, Fill::zeros));
    std::printf("arena       %s (%zu bytes, planned by a run with zeros)\n",
                human_bytes(static_cast<double>(session.arena_bytes())).c_str(),
                session.arena_bytes());
  } catch (const std::exception& e) {
    std::printf("arena       unknown (a run with zeros failed: %s)\n", one_line(e.what()).c_str());
  }
  return 0;
}

}  // namespace inlay_cli
