// Helpers for the graph-door tests: reading ONNX backend-test folders and comparing outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace inlay_test {

namespace fs = std::filesystem;

inline std::string shared_dir() { return INLAY_SHARED_DIR; }

inline inlay::Tensor read_pb(const fs::path& path) {
  const inlay::onnx::TensorFile f = inlay::onnx::read_tensor_file(path.string());
  return inlay::onnx::to_tensor(f.tensor, f.directory);
}

// input_*.pb / output_*.pb of one test_data_set folder, in index order.
inline std::vector<inlay::Tensor> read_set(const fs::path& dir, const std::string& prefix) {
  std::vector<inlay::Tensor> out;
  for (std::size_t i = 0;; ++i) {
    const fs::path p = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(read_pb(p));
  }
  return out;
}

// The "atol" of a model folder's meta.json (suggested_tolerance), or `fallback`.
inline double meta_atol(const fs::path& model_dir, double fallback) {
  std::ifstream in(model_dir / "meta.json");
  if (!in) return fallback;
  std::stringstream ss;
  ss << in.rdbuf();
  std::smatch m;
  const std::string text = ss.str();
  if (std::regex_search(text, m, std::regex("\"atol\"\\s*:\\s*([0-9.eE+-]+)"))) {
    return std::stod(m[1].str());
  }
  return fallback;
}

inline double as_double(const inlay::Tensor& t, std::int64_t i) {
  switch (t.dtype()) {
    case inlay::DType::f32: return t.data<float>()[i];
    case inlay::DType::f64: return t.data<double>()[i];
    case inlay::DType::i64: return static_cast<double>(t.data<std::int64_t>()[i]);
    case inlay::DType::i32: return t.data<std::int32_t>()[i];
    case inlay::DType::boolean: return t.data<bool>()[i];
    default: FAIL("unexpected dtype in a comparison"); return 0;
  }
}

// |got - ref| <= atol + rtol |ref| everywhere (NaN matches NaN); CHECKs and reports the worst.
inline bool outputs_match(const inlay::Tensor& got, const inlay::Tensor& ref, double rtol,
                          double atol, const std::string& what) {
  INFO(what);
  CHECK(inlay::dtype_name(got.dtype()) == std::string(inlay::dtype_name(ref.dtype())));
  CHECK(got.shape().to_string() == ref.shape().to_string());
  if (got.dtype() != ref.dtype() || got.shape() != ref.shape()) return false;
  double worst = 0;
  std::int64_t bad = 0;
  for (std::int64_t i = 0; i < ref.numel(); ++i) {
    const double g = as_double(got, i), r = as_double(ref, i);
    if (std::isnan(r) && std::isnan(g)) continue;
    const double err = std::fabs(g - r);
    if (!(err <= atol + rtol * std::fabs(r))) ++bad;
    worst = std::max(worst, err);
  }
  INFO("max abs error " << worst << ", elements out of tolerance: " << bad);
  CHECK(bad == 0);
  return bad == 0;
}

}  // namespace inlay_test
