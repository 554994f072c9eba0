// The bench models of ../shared/models parse, and what inlay reads matches what Debian's
// python3-onnx reads: tests/onnx/model_facts.py writes its facts about every model folder there
// (the CTest fixture onnx.bench_model_facts), and this test reads that file, named by the
// environment variable INLAY_MODEL_FACTS. Whatever models the folder holds are checked; none is
// required, and a run without models or without the file says SKIPPED (CTest reports it skipped).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "onnx/onnx_test_util.hpp"

namespace fs = std::filesystem;

namespace {

struct TensorFact {
  std::string name;
  std::vector<std::int64_t> dims;
  int data_type = 0;
  double sum = 0, weighted_sum = 0;
};
struct FileFact {
  std::string file;
  TensorFact tensor;
};
struct ModelFact {
  std::string name;
  std::int64_t ir_version = 0;
  std::vector<std::pair<std::string, std::int64_t>> opsets;
  std::size_t nodes = 0;
  std::map<std::string, int> op_types;
  std::vector<std::string> inputs, outputs;
  std::vector<TensorFact> initializers;
  std::vector<FileFact> test_data;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', begin);
    fields.push_back(
        line.substr(begin, tab == std::string::npos ? std::string::npos : tab - begin));
    if (tab == std::string::npos) return fields;
    begin = tab + 1;
  }
}

// Fields NAME DATA_TYPE SUM WEIGHTED_SUM DIMS... from position `at`.
TensorFact tensor_fact(const std::vector<std::string>& f, std::size_t at) {
  REQUIRE(f.size() >= at + 4);
  TensorFact t;
  t.name = f[at];
  t.data_type = std::stoi(f[at + 1]);
  t.sum = std::stod(f[at + 2]);
  t.weighted_sum = std::stod(f[at + 3]);
  for (std::size_t i = at + 4; i < f.size(); ++i) t.dims.push_back(std::stoll(f[i]));
  return t;
}

// Reads the file model_facts.py writes (its docstring gives the format).
std::vector<ModelFact> read_facts(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<ModelFact> models;
  ModelFact* m = nullptr;
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split_tabs(line);
    INFO("facts line: " << line);
    const std::string& kind = f[0];
    if (kind == "model") {
      REQUIRE(f.size() == 4);
      models.emplace_back();
      m = &models.back();
      m->name = f[1];
      m->ir_version = std::stoll(f[2]);
      m->nodes = std::stoul(f[3]);
      continue;
    }
    REQUIRE(m != nullptr);
    if (kind == "opset") {
      REQUIRE(f.size() == 3);
      m->opsets.emplace_back(f[1], std::stoll(f[2]));
    } else if (kind == "op") {
      REQUIRE(f.size() == 3);
      m->op_types[f[1]] = std::stoi(f[2]);
    } else if (kind == "input" || kind == "output") {
      REQUIRE(f.size() == 2);
      (kind == "input" ? m->inputs : m->outputs).push_back(f[1]);
    } else if (kind == "init") {
      m->initializers.push_back(tensor_fact(f, 1));
    } else if (kind == "data") {
      REQUIRE(f.size() >= 2);
      m->test_data.push_back({f[1], tensor_fact(f, 2)});
    } else if (kind == "end") {
      m = nullptr;
    } else {
      FAIL("unknown record '" << kind << "'");
    }
  }
  return models;
}

// The same checksums as model_facts.py: the sum, and the sum weighted by (index % 7 + 1).
std::pair<double, double> checksums(const inlay::Tensor& t) {
  double s = 0, w = 0;
  const auto add = [&](std::int64_t i, double v) {
    s += v;
    w += v * static_cast<double>(i % 7 + 1);
  };
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    using inlay::DType;
    switch (t.dtype()) {
      case DType::f32: add(i, t.data<float>()[i]); break;
      case DType::f64: add(i, t.data<double>()[i]); break;
      case DType::f16: add(i, inlay::to_float(t.data<inlay::float16>()[i])); break;
      case DType::bf16: add(i, inlay::to_float(t.data<inlay::bfloat16>()[i])); break;
      case DType::i8: add(i, t.data<std::int8_t>()[i]); break;
      case DType::u8: add(i, t.data<std::uint8_t>()[i]); break;
      case DType::i16: add(i, t.data<std::int16_t>()[i]); break;
      case DType::u16: add(i, t.data<std::uint16_t>()[i]); break;
      case DType::i32: add(i, t.data<std::int32_t>()[i]); break;
      case DType::u32: add(i, t.data<std::uint32_t>()[i]); break;
      case DType::i64: add(i, static_cast<double>(t.data<std::int64_t>()[i])); break;
      case DType::u64: add(i, static_cast<double>(t.data<std::uint64_t>()[i])); break;
      case DType::boolean: add(i, t.data<bool>()[i] ? 1.0 : 0.0); break;
      case DType::string: break;
    }
  }
  return {s, w};
}

void check_tensor(const inlay::onnx::TensorProto& proto, const TensorFact& fact,
                  const std::string& directory) {
  INFO("tensor " << fact.name);
  CHECK(proto.name == fact.name);
  CHECK(proto.dims == fact.dims);
  CHECK(proto.data_type == fact.data_type);
  const inlay::Tensor t = inlay::onnx::to_tensor(proto, directory);
  const auto sums = checksums(t);
  CHECK(sums.first == Approx(fact.sum).epsilon(1e-9).margin(1e-6));
  CHECK(sums.second == Approx(fact.weighted_sum).epsilon(1e-9).margin(1e-6));
}

}  // namespace

TEST_CASE("The bench models parse and match python3-onnx", "[onnx][onnx/bench_models]") {
  const char* facts_path = std::getenv("INLAY_MODEL_FACTS");
  if (facts_path == nullptr || !fs::exists(facts_path)) {
    WARN("SKIPPED: no facts file (INLAY_MODEL_FACTS is '"
         << (facts_path ? facts_path : "") << "'; CTest's fixture onnx.bench_model_facts writes"
         << " it with /usr/bin/python3 and python3-onnx)");
    return;
  }
  const std::vector<ModelFact> facts = read_facts(facts_path);
  if (facts.empty()) WARN("SKIPPED: no model folder in " << INLAY_SHARED_DIR << "/models");
  const fs::path root = fs::path(INLAY_SHARED_DIR) / "models";
  for (const ModelFact& f : facts) {
    const ModelFact* fact = &f;
    const fs::path dir = root / f.name;
    INFO("model " << f.name);

    const inlay::onnx::ModelFile file = inlay::onnx::read_model_file((dir / "model.onnx").string());
    const inlay::onnx::ModelProto& m = file.model;
    CHECK(m.ir_version == fact->ir_version);
    REQUIRE(m.opset_import.size() == fact->opsets.size());
    for (std::size_t i = 0; i < m.opset_import.size(); ++i) {
      CHECK(m.opset_import[i].domain == fact->opsets[i].first);
      CHECK(m.opset_import[i].version == fact->opsets[i].second);
    }
    REQUIRE(m.has_graph);
    CHECK(m.graph.node.size() == fact->nodes);
    std::map<std::string, int> histogram;
    for (const auto& n : m.graph.node) ++histogram[std::string(n.op_type)];
    CHECK(histogram == fact->op_types);
    std::vector<std::string> inputs, outputs;
    for (const auto& v : m.graph.input) inputs.emplace_back(v.name);
    for (const auto& v : m.graph.output) outputs.emplace_back(v.name);
    CHECK(inputs == fact->inputs);
    CHECK(outputs == fact->outputs);

    REQUIRE(m.graph.initializer.size() == fact->initializers.size());
    for (std::size_t i = 0; i < m.graph.initializer.size(); ++i) {
      const auto& init = m.graph.initializer[i];
      check_tensor(init, fact->initializers[i], file.directory);
      if (init.has_raw_data) {  // zero-copy: weights stay in the mapped file
        const auto* p = reinterpret_cast<const std::uint8_t*>(init.raw_data.data());
        CHECK((p >= file.bytes->data() &&
               p + init.raw_data.size() <= file.bytes->data() + file.bytes->size()));
      }
    }

    for (const FileFact& data : fact->test_data) {
      const fs::path pb = dir / "test_data_set_0" / data.file;
      INFO("file " << pb.string());
      const inlay::onnx::TensorFile tf = inlay::onnx::read_tensor_file(pb.string());
      check_tensor(tf.tensor, data.tensor, tf.directory);
    }
  }
}
