// `inlay run MODEL -i FILE... [-o DIR|FILE...] [--npy] [--threads N]`: runs a model once on tensor
// files (.pb TensorProto or .npy) and writes its outputs: output_<i>.pb in DIR (output_<i>.npy
// with --npy), or to the -o files in output order, each in the format its extension names.
// Without -o it prints each output: name, type, its first values and, for a vector of scores,
// the five highest. Inputs and outputs that are maps (ZipMap's sequence of maps, DictVectorizer's
// map), sequences or optionals are read from and written to .pb files (MapProto, SequenceProto,
// OptionalProto); maps print as {key: value}.
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "model_inputs.hpp"
#include "tensor_files.hpp"
#include "text.hpp"

namespace inlay_cli {

// Element i of t as text.
inline std::string element_text(const inlay::Tensor& t, std::int64_t i) {
  using inlay::DType;
  char buf[64];
  switch (t.dtype()) {
    case DType::f32: std::snprintf(buf, sizeof buf, "%.6g", t.data<float>()[i]); break;
    case DType::f64: std::snprintf(buf, sizeof buf, "%.6g", t.data<double>()[i]); break;
    case DType::f16:
      std::snprintf(buf, sizeof buf, "%.4g", inlay::to_float(t.data<inlay::float16>()[i]));
      break;
    case DType::bf16:
      std::snprintf(buf, sizeof buf, "%.3g", inlay::to_float(t.data<inlay::bfloat16>()[i]));
      break;
    case DType::boolean: return t.data<bool>()[i] ? "true" : "false";
    case DType::i8: return std::to_string(t.data<std::int8_t>()[i]);
    case DType::u8: return std::to_string(t.data<std::uint8_t>()[i]);
    case DType::i16: return std::to_string(t.data<std::int16_t>()[i]);
    case DType::u16: return std::to_string(t.data<std::uint16_t>()[i]);
    case DType::i32: return std::to_string(t.data<std::int32_t>()[i]);
    case DType::u32: return std::to_string(t.data<std::uint32_t>()[i]);
    case DType::i64: return std::to_string(t.data<std::int64_t>()[i]);
    case DType::u64: return std::to_string(t.data<std::uint64_t>()[i]);
    case DType::string: return "\"" + t.data<std::string>()[i] + "\"";
  }
  return buf;
}

// Prints an output: "name  type", its first 16 values, and the five highest of a score vector
// (f32, one row of at least 2 and at most 100000 entries).
inline void print_output(const std::string& name, const inlay::Tensor& t) {
  std::printf("%s  %s\n", name.c_str(), describe_type(t).c_str());
  const std::int64_t n = t.numel(), shown = std::min<std::int64_t>(n, 16);
  std::string line = "  values:";
  for (std::int64_t i = 0; i < shown; ++i) line += " " + element_text(t, i);
  if (n > shown) line += " ... (" + std::to_string(n - shown) + " more)";
  std::printf("%s\n", line.c_str());
  const bool one_row = t.rank() == 1 || (t.rank() == 2 && t.shape()[0] == 1);
  if (t.dtype() == inlay::DType::f32 && one_row && n >= 2 && n <= 100000) {
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const std::int64_t k = std::min<std::int64_t>(5, n);
    const float* v = t.data<float>();
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](std::int64_t a, std::int64_t b) { return v[a] > v[b]; });
    line = "  top-" + std::to_string(k) + ":";
    for (std::int64_t j = 0; j < k; ++j) {
      line += (j ? ", " : " ") + std::to_string(order[static_cast<std::size_t>(j)]) + " (" +
              element_text(t, order[static_cast<std::size_t>(j)]) + ")";
    }
    std::printf("%s\n", line.c_str());
  }
}

// Prints a map or a sequence of maps: "name  sequence of N maps int64 -> f32" and the first maps
// as {key: value, ...}.
inline void print_maps(const std::string& name, const inlay::ContainerValue& c) {
  const std::size_t maps = c.tensors.size() / 2;
  const std::string types =
      std::string(inlay::dtype_name(c.key_dtype)) + " -> " + inlay::dtype_name(c.dtype);
  std::printf("%s  %s\n", name.c_str(),
              (c.kind == inlay::ContainerValue::Kind::map
                   ? "map " + types
                   : "sequence of " + std::to_string(maps) + " maps " + types)
                  .c_str());
  const std::size_t shown = std::min<std::size_t>(maps, 4);
  for (std::size_t m = 0; m < shown; ++m) {
    const inlay::Tensor& keys = c.tensors[2 * m];
    const inlay::Tensor& values = c.tensors[2 * m + 1];
    const std::int64_t n = keys.numel(), k = std::min<std::int64_t>(n, 8);
    std::string line = "  {";
    for (std::int64_t i = 0; i < k; ++i) {
      line += (i ? ", " : "") + element_text(keys, i) + ": " + element_text(values, i);
    }
    if (n > k) line += ", ... (" + std::to_string(n - k) + " more)";
    std::printf("%s}\n", line.c_str());
  }
  if (maps > shown) std::printf("  ... (%zu more maps)\n", maps - shown);
}

// Prints a sequence or optional: "name  sequence of N tensors", "name  optional, empty", ...,
// then its first tensors as print_output does.
inline void print_container(const std::string& name, const inlay::ContainerValue& c) {
  const bool optional = c.kind == inlay::ContainerValue::Kind::optional;
  const std::string tensors =
      std::to_string(c.tensors.size()) + (c.tensors.size() == 1 ? " tensor" : " tensors");
  const std::string what =
      optional && !c.has_value ? "optional, empty"
      : optional && !c.holds_sequence
          ? "optional holding a tensor"
          : (optional ? "optional holding a sequence of " : "sequence of ") + tensors;
  std::printf("%s  %s\n", name.c_str(), what.c_str());
  const std::size_t shown = std::min<std::size_t>(c.tensors.size(), 4);
  for (std::size_t i = 0; i < shown; ++i) {
    print_output(name + "[" + std::to_string(i) + "]", c.tensors[i]);
  }
  if (c.tensors.size() > shown) std::printf("  ... (%zu more)\n", c.tensors.size() - shown);
}

// Models with a sequence, optional or map among their inputs or outputs run through
// Session::run_any. Maps print as {key: value} and are written as MapProto / SequenceProto .pb
// files, sequences and optionals as SequenceProto / OptionalProto.
inline int run_values(inlay::Session& session, const std::vector<inlay::AnyValue>& in,
                      const std::vector<std::string>& names, const std::vector<fs::path>& files) {
  const std::vector<inlay::AnyValue> out = session.run_any(in);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool maps = !out[i].is_tensor() &&
                      (out[i].container->kind == inlay::ContainerValue::Kind::map ||
                       out[i].container->kind == inlay::ContainerValue::Kind::map_sequence);
    if (files.empty()) {
      if (out[i].is_tensor()) {
        print_output(names[i], out[i].tensor);
      } else if (maps) {
        print_maps(names[i], *out[i].container);
      } else {
        print_container(names[i], *out[i].container);
      }
      continue;
    }
    if (out[i].is_tensor()) {
      write_tensor(files[i], out[i].tensor, names[i]);
      std::printf("%s  %s  %s\n", files[i].string().c_str(), names[i].c_str(),
                  describe_type(out[i].tensor).c_str());
      continue;
    }
    if (has_extension(files[i], ".npy")) {
      usage_error("output '" + names[i] + "' is a " + (maps ? "map" : "sequence or optional") +
                  ", which .npy cannot hold: write it to .pb");
    }
    const std::string bytes = maps ? maps_proto_bytes(*out[i].container, names[i])
                                   : container_proto_bytes(*out[i].container, names[i]);
    std::ofstream f(files[i], std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) inlay::fail(inlay::ErrorKind::io, files[i].string() + ": cannot write");
    const std::size_t n = out[i].container->tensors.size();
    const std::size_t count = maps ? n / 2 : n;
    const std::string what =
        std::to_string(count) + (maps ? " map" : " tensor") + (count == 1 ? "" : "s");
    std::printf("%s  %s  %s\n", files[i].string().c_str(), names[i].c_str(), what.c_str());
  }
  return 0;
}

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
  if (npy && outputs.empty()) usage_error("--npy goes with -o DIR");

  const inlay::Model model = inlay::Model::load(model_path);
  const std::vector<std::string>& names = model.output_names();
  // One -o argument that is not a .pb/.npy file is a folder; otherwise one file per output.
  const bool to_dir = outputs.size() == 1 && !has_extension(outputs[0], ".pb") &&
                      !has_extension(outputs[0], ".npy");
  std::vector<fs::path> files;
  if (to_dir) {
    // A name with another extension (out.txt) is a mistaken file, not a folder to create.
    std::error_code dir_ec;
    if (!fs::path(outputs[0]).extension().empty() && !fs::is_directory(outputs[0], dir_ec)) {
      usage_error("-o " + outputs[0] +
                  ": output files end in .pb or .npy, and a new output folder's name has no "
                  "extension");
    }
    std::error_code ec;
    fs::create_directories(outputs[0], ec);
    if (!fs::is_directory(outputs[0]))
      usage_error("-o " + outputs[0] + ": cannot create the folder");
    for (std::size_t i = 0; i < names.size(); ++i) {
      files.push_back(fs::path(outputs[0]) /
                      ("output_" + std::to_string(i) + (npy ? ".npy" : ".pb")));
    }
  } else if (!outputs.empty()) {
    if (outputs.size() != names.size()) {
      usage_error(std::to_string(outputs.size()) + " -o files for a model with " +
                  std::to_string(names.size()) + " outputs");
    }
    if (npy) usage_error("--npy goes with -o DIR; -o files take the format of their extension");
    for (const std::string& o : outputs) files.push_back(o);
  }

  const std::vector<inlay::AnyValue> values = inputs.empty() && model.inputs().empty()
                                                  ? std::vector<inlay::AnyValue>{}
                                                  : input_values(model, inputs);
  inlay::Session session(model, options);
  bool tensors_only = true;
  for (const inlay::ValueDesc& d : model.inputs()) {
    tensors_only = tensors_only && d.kind == inlay::ValueDesc::Kind::tensor;
  }
  for (const inlay::ValueDesc& d : model.outputs()) {
    tensors_only = tensors_only && d.kind == inlay::ValueDesc::Kind::tensor;
  }
  if (!tensors_only) return run_values(session, values, names, files);
  std::vector<inlay::Tensor> in;
  for (const inlay::AnyValue& v : values) in.push_back(v.tensor);
  const std::vector<inlay::Tensor> out = session.run(in);
  if (files.empty()) {
    for (std::size_t i = 0; i < out.size(); ++i) print_output(names[i], out[i]);
    return 0;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    write_tensor(files[i], out[i], names[i]);
    std::printf("%s  %s  %s\n", files[i].string().c_str(), names[i].c_str(),
                describe_type(out[i]).c_str());
  }
  return 0;
}

}  // namespace inlay_cli
