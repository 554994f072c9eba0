// `inlay check DIR` and `inlay check --suite ROOT`: run models in the ONNX backend-test layout
// (model.onnx + test_data_set_*/input_*.pb, output_*.pb) and compare with the stored outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tensor_files.hpp"

namespace inlay_cli {

struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-5;
  bool atol_given = false;  // else a model folder's meta.json may set it
};

enum class Verdict { passed, failed, skipped };

struct CaseResult {
  Verdict verdict = Verdict::failed;
  std::string detail;  // why it failed or was skipped; the errors per output when it passed
};

inline double element(const inlay::Tensor& t, std::int64_t i) {
  using inlay::DType;
  switch (t.dtype()) {
    case DType::f32: return t.data<float>()[i];
    case DType::f64: return t.data<double>()[i];
    case DType::f16: return inlay::to_float(t.data<inlay::float16>()[i]);
    case DType::i8: return t.data<std::int8_t>()[i];
    case DType::u8: return t.data<std::uint8_t>()[i];
    case DType::i16: return t.data<std::int16_t>()[i];
    case DType::u16: return t.data<std::uint16_t>()[i];
    case DType::i32: return t.data<std::int32_t>()[i];
    case DType::u32: return t.data<std::uint32_t>()[i];
    case DType::i64: return static_cast<double>(t.data<std::int64_t>()[i]);
    case DType::u64: return static_cast<double>(t.data<std::uint64_t>()[i]);
    case DType::boolean: return t.data<bool>()[i] ? 1.0 : 0.0;
  }
  return 0.0;
}

inline bool is_float(inlay::DType t) {
  return t == inlay::DType::f32 || t == inlay::DType::f64 || t == inlay::DType::f16;
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
    const bool ok = exact ? err == 0 : err <= tol.atol + tol.rtol * std::fabs(r);
    if (!ok) {
      if (first_bad < 0) first_bad = i;
      ++bad;
    }
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "max abs error %.3g, max rel error %.3g", max_abs, max_rel);
  why = buf;
  if (bad) {
    std::snprintf(buf, sizeof buf, "; %lld of %lld elements out of tolerance (first at %lld: got %.9g, expected %.9g)",
                  static_cast<long long>(bad), static_cast<long long>(ref.numel()),
                  static_cast<long long>(first_bad), element(got, first_bad),
                  element(ref, first_bad));
    why += buf;
  }
  return bad == 0;
}

inline double meta_atol(const fs::path& dir, double fallback) {
  std::ifstream in(dir / "meta.json");
  if (!in) return fallback;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::smatch m;
  if (std::regex_search(text, m, std::regex("\"atol\"\\s*:\\s*([0-9.eE+-]+)"))) {
    return std::stod(m[1].str());
  }
  return fallback;
}

// Runs every test_data_set of one folder. Skipped means inlay does not support an op, attribute
// or dtype of the model yet (an Error of kind unsupported_op); every other error is a failure.
inline CaseResult check_folder(const fs::path& dir, Tolerance tol, bool verbose) {
  CaseResult result;
  if (!tol.atol_given) tol.atol = meta_atol(dir, tol.atol);
  try {
    inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
    inlay::Session session(model);
    std::size_t sets = 0;
    std::vector<fs::path> set_dirs;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) {
        set_dirs.push_back(e.path());
      }
    }
    std::sort(set_dirs.begin(), set_dirs.end());
    for (const fs::path& set : set_dirs) {
      const auto inputs = read_numbered(set, "input");
      const auto refs = read_numbered(set, "output");
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
        if (verbose) result.detail += line + "\n";
      }
      ++sets;
    }
    if (sets == 0) {
      result.detail = "no test_data_set_* folder";
      return result;
    }
    result.verdict = Verdict::passed;
  } catch (const inlay::Error& e) {
    result.verdict = e.kind() == inlay::ErrorKind::unsupported_op ? Verdict::skipped : Verdict::failed;
    result.detail = e.what();
  } catch (const std::exception& e) {
    result.detail = std::string("exception: ") + e.what();
  }
  return result;
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
