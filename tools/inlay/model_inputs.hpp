// The inputs that `inlay run`, `inlay bench` and `inlay info` feed a model: tensor files given on
// the command line, or tensors of the declared shapes filled with zeros or ones.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "tensor_files.hpp"

namespace inlay_cli {

// True when every input declares a shape with no symbolic or unknown dimension.
inline bool inputs_are_static(const inlay::Model& model) {
  for (const inlay::ValueDesc& v : model.inputs()) {
    if (!v.has_shape) return false;
    for (std::int64_t d : v.dims) {
      if (d < 0) return false;
    }
  }
  return true;
}

enum class Fill { zeros, ones };

inline void fill_ones(inlay::Tensor& t) {
  using inlay::DType;
  const std::int64_t n = t.numel();
  auto fill = [&](auto one) {
    auto* p = t.data<decltype(one)>();
    for (std::int64_t i = 0; i < n; ++i) p[i] = one;
  };
  switch (t.dtype()) {
    case DType::f32: fill(1.0f); break;
    case DType::f16: fill(inlay::to_float16(1.0f)); break;
    case DType::bf16: fill(inlay::to_bfloat16(1.0f)); break;
    case DType::string: fill(std::string("1")); break;
    case DType::f64: fill(1.0); break;
    case DType::i8: fill(std::int8_t{1}); break;
    case DType::u8: fill(std::uint8_t{1}); break;
    case DType::i16: fill(std::int16_t{1}); break;
    case DType::u16: fill(std::uint16_t{1}); break;
    case DType::i32: fill(std::int32_t{1}); break;
    case DType::u32: fill(std::uint32_t{1}); break;
    case DType::i64: fill(std::int64_t{1}); break;
    case DType::u64: fill(std::uint64_t{1}); break;
    case DType::boolean: fill(true); break;
  }
}

// One tensor per model input with the declared dtype and shape, symbolic or unknown dimensions
// taken as 1. An input without a declared shape is an error that asks for -i files.
inline std::vector<inlay::Tensor> filled_inputs(const inlay::Model& model, Fill fill) {
  std::vector<inlay::Tensor> out;
  for (const inlay::ValueDesc& v : model.inputs()) {
    if (!v.has_shape) {
      inlay::fail(inlay::ErrorKind::invalid_argument,
                  "input '" + v.name + "' declares no shape: give its tensor with -i FILE");
    }
    std::vector<std::int64_t> dims = v.dims;
    for (std::int64_t& d : dims) {
      if (d < 0) d = 1;
    }
    inlay::Tensor t(v.dtype, inlay::Shape(dims.data(), dims.size()));
    if (fill == Fill::ones) fill_ones(t);
    out.push_back(t);
  }
  return out;
}

// "'a', 'b'" for the names a and b.
inline std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out.empty() ? "none" : out;
}

// The values of -i arguments for the model's inputs: NAME=FILE, or files in input order for the
// inputs not named. Each file is read as its input declares it (a tensor, a sequence or optional,
// a map or a sequence of maps).
inline std::vector<inlay::AnyValue> input_values(const inlay::Model& model,
                                                 const std::vector<std::string>& args) {
  const std::vector<std::string>& names = model.input_names();
  const std::vector<inlay::ValueDesc>& descs = model.inputs();
  std::vector<inlay::AnyValue> out(names.size());
  std::vector<bool> given(names.size(), false);
  std::vector<std::string> positional;
  auto read = [&](std::size_t slot, const std::string& file) {
    out[slot] = read_value_file(file, slot < descs.size() ? &descs[slot] : nullptr);
    given[slot] = true;
  };
  for (const std::string& a : args) {
    const std::size_t eq = a.find('=');
    std::size_t slot = names.size();
    if (eq != std::string::npos) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == a.substr(0, eq)) slot = i;
      }
    }
    if (slot == names.size()) {
      // NAME=FILE with a name the model does not have (and not a file whose name holds '=').
      std::error_code ec;
      if (eq != std::string::npos && !fs::exists(a, ec)) {
        usage_error("the model has no input '" + a.substr(0, eq) +
                    "' (its inputs: " + name_list(names) + ")");
      }
      positional.push_back(a);
      continue;
    }
    if (given[slot]) usage_error("input '" + names[slot] + "' given twice");
    read(slot, a.substr(eq + 1));
  }
  std::size_t next = 0;
  for (const std::string& file : positional) {
    while (next < names.size() && given[next]) ++next;
    if (next == names.size()) {
      usage_error(std::to_string(args.size()) + " input files for a model with " +
                  std::to_string(names.size()) + " inputs");
    }
    read(next, file);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!given[i]) {
      usage_error("no file for input '" + names[i] + "' (" + std::to_string(names.size()) +
                  " inputs, " + std::to_string(args.size()) + " files given)");
    }
  }
  return out;
}

// input_values for commands that feed tensors only (bench, info): a sequence, optional or map
// input is refused with a pointer to `inlay run`.
inline std::vector<inlay::Tensor> input_files(const inlay::Model& model,
                                              const std::vector<std::string>& args) {
  std::vector<inlay::Tensor> out;
  const std::vector<inlay::AnyValue> values = input_values(model, args);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i].is_tensor()) {
      usage_error("input '" + model.input_names()[i] +
                  "' is a sequence, optional or map, which only inlay run and inlay check feed");
    }
    out.push_back(values[i].tensor);
  }
  return out;
}

}  // namespace inlay_cli
