// `inlay run MODEL -i FILE... -o DIR|FILE... [--npy] [--threads N]`: runs a model once on tensor
// files (.pb TensorProto or .npy) and writes its outputs: output_<i>.pb in DIR (output_<i>.npy
// with --npy), or to the -o files in output order, each in the format its extension names.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "model_inputs.hpp"
#include "tensor_files.hpp"
#include "text.hpp"

namespace inlay_cli {

inline int run_command(const std::vector<std::string>& argv) {
  ArgReader args(argv);
  std::string model_path;
  std::vector<std::string> inputs, outputs;
  bool npy = false;
  inlay::SessionOptions options;
  while (!args.done()) {
    const std::string& a = args.next();
    if (a == "-i" || a == "--input") {
      for (const std::string& v : args.values(a)) inputs.push_back(v);
    } else if (a == "-o" || a == "--output") {
      for (const std::string& v : args.values(a)) outputs.push_back(v);
    } else if (a == "--npy") {
      npy = true;
    } else if (a == "--threads") {
      options.threads = static_cast<std::size_t>(parse_count(a, args.value(a), 1, 1024));
    } else if (is_option(a)) {
      usage_error("run: unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      usage_error("run: more than one model given ('" + model_path + "' and '" + a + "')");
    }
  }
  if (model_path.empty()) usage_error("run needs a model file");
  if (outputs.empty()) usage_error("run needs -o DIR (or one -o file per output)");

  const inlay::Model model = inlay::Model::load(model_path);
  const std::vector<std::string>& names = model.output_names();
  // One -o argument that is not a .pb/.npy file is a folder; otherwise one file per output.
  const bool to_dir = outputs.size() == 1 && !has_extension(outputs[0], ".pb") &&
                      !has_extension(outputs[0], ".npy");
  std::vector<fs::path> files;
  if (to_dir) {
    std::error_code ec;
    fs::create_directories(outputs[0], ec);
    if (!fs::is_directory(outputs[0]))
      usage_error("-o " + outputs[0] + ": cannot create the folder");
    for (std::size_t i = 0; i < names.size(); ++i) {
      files.push_back(fs::path(outputs[0]) /
                      ("output_" + std::to_string(i) + (npy ? ".npy" : ".pb")));
    }
  } else {
    if (outputs.size() != names.size()) {
      usage_error(std::to_string(outputs.size()) + " -o files for a model with " +
                  std::to_string(names.size()) + " outputs");
    }
    if (npy) usage_error("--npy goes with -o DIR; -o files take the format of their extension");
    for (const std::string& o : outputs) files.push_back(o);
  }

  const std::vector<inlay::Tensor> in = inputs.empty() && model.inputs().empty()
                                            ? std::vector<inlay::Tensor>{}
                                            : input_files(model, inputs);
  inlay::Session session(model, options);
  const std::vector<inlay::Tensor> out = session.run(in);
  for (std::size_t i = 0; i < out.size(); ++i) {
    write_tensor(files[i], out[i], names[i]);
    std::printf("%s  %s  %s\n", files[i].string().c_str(), names[i].c_str(),
                describe_type(out[i]).c_str());
  }
  return 0;
}

}  // namespace inlay_cli
