// One case of `inlay check`: a folder in the ONNX backend-test layout (model.onnx +
// test_data_set_*/input_*.pb, output_*.pb) run and compared with the stored outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tensor_files.hpp"
#include "text.hpp"

namespace inlay_cli {

struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-5;
  bool rtol_given = false;  // else a model folder's meta.json may set them
  bool atol_given = false;
};

enum class Verdict { passed, failed, skipped };

inline const char* verdict_name(Verdict v) {
  return v == Verdict::passed ? "passed" : v == Verdict::skipped ? "skipped" : "failed";
}

struct CaseResult {
  Verdict verdict = Verdict::failed;
  std::string detail;                // one line: why it failed or was skipped
  std::vector<std::string> outputs;  // "test_data_set_0 output 0 'y': max abs error ..." per
                                     // output within tolerance
  Tolerance tolerance;               // the tolerance used (meta.json applied)
};

inline double element(const inlay::Tensor& t, std::int64_t i) {
  using inlay::DType;
  switch (t.dtype()) {
    case DType::f32: return t.data<float>()[i];
    case DType::f64: return t.data<double>()[i];
    case DType::f16: return inlay::to_float(t.data<inlay::float16>()[i]);
    case DType::bf16: return inlay::to_float(t.data<inlay::bfloat16>()[i]);
    case DType::i8: return t.data<std::int8_t>()[i];
    case DType::u8: return t.data<std::uint8_t>()[i];
    case DType::i16: return t.data<std::int16_t>()[i];
    case DType::u16: return t.data<std::uint16_t>()[i];
    case DType::i32: return t.data<std::int32_t>()[i];
    case DType::u32: return t.data<std::uint32_t>()[i];
    case DType::i64: return static_cast<double>(t.data<std::int64_t>()[i]);
    case DType::u64: return static_cast<double>(t.data<std::uint64_t>()[i]);
    case DType::boolean: return t.data<bool>()[i] ? 1.0 : 0.0;
    case DType::string: break;  // compared as text (compare_strings)
  }
  return 0.0;
}

inline bool is_float(inlay::DType t) {
  return t == inlay::DType::f32 || t == inlay::DType::f64 || t == inlay::DType::f16 ||
         t == inlay::DType::bf16;
}

// String outputs match element by element, exactly.
inline bool compare_strings(const inlay::Tensor& got, const inlay::Tensor& ref, std::string& why) {
  const std::string* g = got.data<std::string>();
  const std::string* r = ref.data<std::string>();
  for (std::int64_t i = 0; i < ref.numel(); ++i) {
    if (g[i] != r[i]) {
      why = "element " + std::to_string(i) + " is \"" + g[i] + "\", expected \"" + r[i] + "\"";
      return false;
    }
  }
  why = "all " + std::to_string(ref.numel()) + " strings equal";
  return true;
}

// Compares one output; false with the reason in `why`. Integer and bool outputs must match
// exactly; floats within atol + rtol |ref| (NaN matches NaN, inf matches inf of the same sign).
inline bool compare(const inlay::Tensor& got, const inlay::Tensor& ref, const Tolerance& tol,
                    std::string& why) {
  if (got.dtype() != ref.dtype()) {
    why = std::string("dtype ") + inlay::dtype_name(got.dtype()) + ", expected " +
          inlay::dtype_name(ref.dtype());
    return false;
  }
  if (got.shape() != ref.shape()) {
    why = "shape " + got.shape().to_string() + ", expected " + ref.shape().to_string();
    return false;
  }
  if (ref.dtype() == inlay::DType::string) return compare_strings(got, ref, why);
  const bool exact = !is_float(ref.dtype());
  double max_abs = 0, max_rel = 0;
  std::int64_t bad = 0, first_bad = -1;
  for (std::int64_t i = 0; i < ref.numel(); ++i) {
    const double g = element(got, i), r = element(ref, i);
    if (std::isnan(r) || std::isnan(g)) {
      if (std::isnan(r) != std::isnan(g)) {
        if (first_bad < 0) first_bad = i;
        ++bad;
      }
      continue;
    }
    if (std::isinf(r) || std::isinf(g)) {
      if (g != r) {
        if (first_bad < 0) first_bad = i;
        ++bad;
      }
      continue;
    }
    const double err = std::fabs(g - r);
    max_abs = std::max(max_abs, err);
    if (r != 0) max_rel = std::max(max_rel, err / std::fabs(r));
    bool ok = exact ? err == 0 : err <= tol.atol + tol.rtol * std::fabs(r);
    // bfloat16 keeps 8 significant bits, coarser than the default rtol, and stored references
    // differ in how they narrowed (onnx 1.12's test data truncates; inlay and later onnx round
    // to nearest even): one unit in the last place of r is within tolerance.
    if (!ok && ref.dtype() == inlay::DType::bf16) {
      int e = 0;
      std::frexp(r, &e);
      ok = err <= std::ldexp(1.0, e - 8);
    }
    if (!ok) {
      if (first_bad < 0) first_bad = i;
      ++bad;
    }
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "max abs error %.3g, max rel error %.3g", max_abs, max_rel);
  why = buf;
  if (bad) {
    std::snprintf(
        buf, sizeof buf,
        "; %lld of %lld elements out of tolerance (first at %lld: got %.9g, expected %.9g)",
        static_cast<long long>(bad), static_cast<long long>(ref.numel()),
        static_cast<long long>(first_bad), element(got, first_bad), element(ref, first_bad));
    why += buf;
  }
  return bad == 0;
}

// The tolerance of a model folder: the command line's values, else meta.json's "rtol" / "atol"
// (the bench models' suggested_tolerance), else the defaults. A meta.json value that is not a
// number >= 0 is an error.
inline Tolerance folder_tolerance(const fs::path& dir, Tolerance tol) {
  std::ifstream in(dir / "meta.json");
  if (!in) return tol;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto read = [&](const char* key, double& value) {
    std::smatch m;
    if (!std::regex_search(text, m,
                           std::regex(std::string("\"") + key + "\"\\s*:\\s*([^,}\\s]*)"))) {
      return;
    }
    const std::string s = m[1].str();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(v >= 0) || v > 1e300) {
      inlay::fail(inlay::ErrorKind::invalid_argument,
                  (dir / "meta.json").string() + ": " + key + " is not a number >= 0: '" + s + "'");
    }
    value = v;
  };
  if (!tol.rtol_given) read("rtol", tol.rtol);
  if (!tol.atol_given) read("atol", tol.atol);
  return tol;
}

// ONNX 1.12's test data stores bfloat16 tensors as UINT16 (NumPy has no bfloat16): where the
// model declares bf16, a u16 tensor of test data is read as the bf16 bits it holds.
inline inlay::Tensor as_declared(const inlay::Tensor& t, inlay::DType declared) {
  if (declared != inlay::DType::bf16 || t.dtype() != inlay::DType::u16) return t;
  inlay::Tensor b(inlay::DType::bf16, t.shape());
  if (t.nbytes()) std::memcpy(b.data<inlay::bfloat16>(), t.raw_data(), t.nbytes());
  return b;
}

inline bool has_containers(const inlay::Model& model) {
  for (const auto& d : model.inputs()) {
    if (d.kind != inlay::ValueDesc::Kind::tensor) return true;
  }
  for (const auto& d : model.outputs()) {
    if (d.kind != inlay::ValueDesc::Kind::tensor) return true;
  }
  return false;
}

// Compares a value that may be a sequence or optional: same kind, same number of tensors, each
// tensor as compare() does.
inline bool compare_any(const inlay::AnyValue& got, const inlay::AnyValue& ref,
                        const Tolerance& tol, std::string& why) {
  if (ref.is_tensor() || got.is_tensor()) {
    if (!ref.is_tensor() || !got.is_tensor()) {
      why = got.is_tensor() ? "a tensor, expected a sequence or optional"
                            : "a sequence or optional, expected a tensor";
      return false;
    }
    return compare(got.tensor, ref.tensor, tol, why);
  }
  const inlay::ContainerValue& g = *got.container;
  const inlay::ContainerValue& r = *ref.container;
  if (g.kind != r.kind || g.has_value != r.has_value || g.holds_sequence != r.holds_sequence) {
    why = "kind or emptiness differs from the expected sequence/optional";
    return false;
  }
  if (g.tensors.size() != r.tensors.size()) {
    why =
        std::to_string(g.tensors.size()) + " tensors, expected " + std::to_string(r.tensors.size());
    return false;
  }
  std::string worst = std::to_string(r.tensors.size()) + " tensors";
  for (std::size_t k = 0; k < r.tensors.size(); ++k) {
    std::string w;
    if (!compare(g.tensors[k], r.tensors[k], tol, w)) {
      why = "tensor " + std::to_string(k) + ": " + w;
      return false;
    }
    worst += "; " + w;
  }
  why = worst;
  return true;
}

// Runs the test_data_sets of a model with sequence or optional inputs or outputs.
inline bool check_sets_any(inlay::Session& session, const inlay::Model& model,
                           const std::vector<fs::path>& set_dirs, const Tolerance& tol,
                           CaseResult& result) {
  for (const fs::path& set : set_dirs) {
    const auto inputs = read_numbered_any(set, "input", model.inputs());
    const auto refs = read_numbered_any(set, "output", model.outputs());
    if (refs.empty()) {
      result.detail = set.filename().string() + ": no output_*.pb";
      return false;
    }
    const auto outs = session.run_any(inputs);
    if (outs.size() != refs.size()) {
      result.detail = set.filename().string() + ": " + std::to_string(outs.size()) +
                      " outputs, expected " + std::to_string(refs.size());
      return false;
    }
    for (std::size_t i = 0; i < refs.size(); ++i) {
      std::string why;
      const bool ok = compare_any(outs[i], refs[i], tol, why);
      const std::string line = set.filename().string() + " output " + std::to_string(i) + " '" +
                               model.output_names()[i] + "': " + why;
      if (!ok) {
        result.detail = line;
        return false;
      }
      result.outputs.push_back(line);
    }
  }
  return true;
}

// Runs every test_data_set of one folder. Skipped means inlay does not support an op, attribute
// or dtype of the model yet (an Error of kind unsupported_op); every other error is a failure.
// `detail` is one line: why it failed or was skipped; `outputs` the error line of every output
// compared.
inline CaseResult check_folder(const fs::path& dir, Tolerance tol) {
  CaseResult result;
  try {
    tol = folder_tolerance(dir, tol);
    result.tolerance = tol;
    inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
    inlay::Session session(model);
    std::vector<fs::path> set_dirs;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) {
        set_dirs.push_back(e.path());
      }
    }
    std::sort(set_dirs.begin(), set_dirs.end());
    if (set_dirs.empty()) {
      result.detail = "no test_data_set_* folder";
      return result;
    }
    if (has_containers(model)) {
      if (check_sets_any(session, model, set_dirs, tol, result)) result.verdict = Verdict::passed;
      return result;
    }
    for (const fs::path& set : set_dirs) {
      auto inputs = read_numbered(set, "input");
      auto refs = read_numbered(set, "output");
      for (std::size_t i = 0; i < inputs.size() && i < model.inputs().size(); ++i) {
        inputs[i] = as_declared(inputs[i], model.inputs()[i].dtype);
      }
      for (std::size_t i = 0; i < refs.size() && i < model.outputs().size(); ++i) {
        refs[i] = as_declared(refs[i], model.outputs()[i].dtype);
      }
      if (refs.empty()) {
        result.detail = set.filename().string() + ": no output_*.pb";
        return result;
      }
      const auto outs = session.run(inputs);
      if (outs.size() != refs.size()) {
        result.detail = set.filename().string() + ": " + std::to_string(outs.size()) +
                        " outputs, expected " + std::to_string(refs.size());
        return result;
      }
      for (std::size_t i = 0; i < refs.size(); ++i) {
        std::string why;
        const bool ok = compare(outs[i], refs[i], tol, why);
        const std::string line = set.filename().string() + " output " + std::to_string(i) + " '" +
                                 model.output_names()[i] + "': " + why;
        if (!ok) {
          result.detail = line;
          return result;
        }
        result.outputs.push_back(line);
      }
    }
    result.verdict = Verdict::passed;
  } catch (const inlay::Error& e) {
    result.verdict =
        e.kind() == inlay::ErrorKind::unsupported_op ? Verdict::skipped : Verdict::failed;
    result.detail = one_line(e.what());
  } catch (const std::exception& e) {
    result.detail = one_line(std::string("exception: ") + e.what());
  }
  return result;
}

// The op types of the model's main graph in file order, each once ("" entries left out); empty
// when the file cannot be parsed.
inline std::vector<std::string> model_op_types(const fs::path& model_file) {
  std::vector<std::string> ops;
  try {
    const inlay::onnx::ModelFile f = inlay::onnx::read_model_file(model_file.string());
    for (const auto& n : f.model.graph.node) {
      const std::string op(n.op_type);
      if (!op.empty() && std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
    }
  } catch (const std::exception&) { ops.clear(); }
  return ops;
}

// Every folder below `root` that holds a model.onnx, sorted by name.
inline std::vector<fs::path> find_cases(const fs::path& root) {
  std::vector<fs::path> out;
  if (fs::exists(root / "model.onnx")) out.push_back(root);
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_directory() && fs::exists(e.path() / "model.onnx")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace inlay_cli
