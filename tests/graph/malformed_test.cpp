// Bad input must end in inlay::Error with a message that says what is wrong and where, never in a
// crash: the committed corpus of malformed models (tests/graph/malformed, written by
// tools/make-malformed-models.py, whose cases.tsv gives each file's error kind and key words),
// every prefix and every one-byte corruption of a small model, and bad inputs at run time.
#include <cstdint>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_util.hpp"
#include "onnx/onnx_test_util.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::Tensor;
using inlay_test::error_of;
using inlay_test::ExactBytes;
using inlay_test::Pb;

namespace {

const fs::path corpus_dir = fs::path(INLAY_SOURCE_DIR) / "tests" / "graph" / "malformed";

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ErrorKind kind_named(const std::string& name) {
  if (name == "invalid_model") return ErrorKind::invalid_model;
  if (name == "unsupported_op") return ErrorKind::unsupported_op;
  if (name == "shape_mismatch") return ErrorKind::shape_mismatch;
  if (name == "invalid_argument") return ErrorKind::invalid_argument;
  if (name == "io") return ErrorKind::io;
  FAIL("cases.tsv names an unknown error kind '" << name << "'");
  return ErrorKind::io;
}

struct Case {
  std::string file;
  ErrorKind kind;
  std::vector<std::string> words;
};

std::vector<Case> read_cases() {
  std::ifstream in(corpus_dir / "cases.tsv");
  REQUIRE(in);
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) fields.push_back(field);
    REQUIRE(fields.size() >= 3);  // every case checks at least one word
    cases.push_back({fields[0], kind_named(fields[1]),
                     std::vector<std::string>(fields.begin() + 2, fields.end())});
  }
  return cases;
}

void check_words(const std::string& message, const std::vector<std::string>& words) {
  for (const std::string& w : words) CHECK_THAT(message, Contains(w));
}

// ---- a small valid model, written field by field: y = Relu(x W + B), x [batch, 4] ----
Pb dim(const std::string& param_or_value) {
  if (!param_or_value.empty() && (param_or_value[0] < '0' || param_or_value[0] > '9')) {
    return Pb().s(2, param_or_value);
  }
  return Pb().u(1, std::stoull(param_or_value));
}
Pb value_info(const std::string& name, const std::vector<std::string>& dims,
              std::uint64_t elem_type = 1) {
  Pb shape;
  for (const auto& d : dims) shape.m(1, dim(d));
  return Pb().s(1, name).m(2, Pb().m(1, Pb().u(1, elem_type).m(2, shape)));
}
Pb float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                const std::vector<float>& values) {
  Pb t;
  for (std::int64_t d : dims) t.u(1, static_cast<std::uint64_t>(d));
  t.u(2, 1).s(8, name);
  std::string raw(values.size() * sizeof(float), '\0');
  std::memcpy(&raw[0], values.data(), raw.size());
  return t.s(9, raw);
}
Pb node(const std::string& op, const std::vector<std::string>& in, const std::string& out) {
  Pb n;
  for (const auto& i : in) n.s(1, i);
  return n.s(2, out).s(3, op + "_node").s(4, op);
}

const std::vector<float> W = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};  // [4, 3]
const std::vector<float> B = {0.5f, -10.0f, 0.0f};

std::string small_model(const std::string& batch = "batch") {
  Pb g;
  g.m(1, node("Gemm", {"x", "W", "B"}, "h")).m(1, node("Relu", {"h"}, "y")).s(2, "small");
  g.m(5, float_tensor("W", {4, 3}, W)).m(5, float_tensor("B", {3}, B));
  g.m(11, value_info("x", {batch, "4"})).m(12, value_info("y", {batch, "3"}));
  return Pb().u(1, 8).m(7, g).m(8, Pb().u(2, 13)).bytes;
}

// y for one row of x, computed by hand.
std::vector<float> expected_row(const float* x) {
  std::vector<float> y(3);
  for (int j = 0; j < 3; ++j) {
    float s = B[j];
    for (int k = 0; k < 4; ++k) s += x[k] * W[k * 3 + j];
    y[j] = s > 0 ? s : 0;
  }
  return y;
}

// Loads the bytes (in a block of exactly their size) and, when that works, runs the model once
// with zeros. Returns true when both worked; an inlay::Error is a clean refusal (false).
bool load_and_run(const std::string& bytes, const inlay::ModelOptions& options = {}) {
  ExactBytes b(bytes);
  try {
    inlay::Model m = inlay::Model::from_bytes(b.data.get(), b.size, options);
    std::vector<Tensor> inputs;
    for (const inlay::ValueDesc& d : m.inputs()) {
      std::vector<std::int64_t> dims;
      for (std::int64_t x : d.dims) dims.push_back(x < 0 ? 1 : x);
      inputs.emplace_back(d.dtype, inlay::Shape(dims.data(), dims.size()));
    }
    inlay::Session(m).run(inputs);
    return true;
  } catch (const inlay::Error&) { return false; }
}

}  // namespace

TEST_CASE("Every model of the malformed corpus is refused with the expected error",
          "[graph/malformed]") {
  const std::vector<Case> cases = read_cases();
  CHECK(cases.size() >= 70);
  std::set<std::string> listed;
  for (const Case& c : cases) {
    listed.insert(c.file);
    INFO("corpus file " << c.file);
    const fs::path path = corpus_dir / c.file;
    REQUIRE(fs::exists(path));
    // From the file: the message also names the file.
    const std::string from_file = error_of([&] { inlay::Model::load(path.string()); }, c.kind);
    check_words(from_file, c.words);
    CHECK_THAT(from_file, Contains(c.file));
    // From bytes: the same error, except that external data has no folder to be read from.
    const ExactBytes bytes(read_bytes(path));
    if (c.file.rfind("external_", 0) == 0) {
      // Refused for the same reason, or because without a folder there is nowhere to read from.
      const std::string from_bytes =
          error_of([&] { inlay::Model::from_bytes(bytes.data.get(), bytes.size); },
                   ErrorKind::invalid_model);
      CHECK_THAT(from_bytes, Contains("tensor 'W'"));
      if (from_bytes.find("no model folder") == std::string::npos && c.kind != ErrorKind::io) {
        check_words(from_bytes, c.words);
      }
    } else {
      check_words(error_of([&] { inlay::Model::from_bytes(bytes.data.get(), bytes.size); }, c.kind),
                  c.words);
    }
  }
  // No file of the corpus goes unchecked.
  for (const auto& entry : fs::directory_iterator(corpus_dir)) {
    if (entry.path().extension() == ".onnx") {
      INFO("corpus file " << entry.path().filename().string());
      CHECK(listed.count(entry.path().filename().string()) == 1);
    }
  }
}

TEST_CASE("Every prefix and every one-byte corruption of a model is refused or runs",
          "[graph/malformed]") {
  const std::string good = small_model();
  REQUIRE(load_and_run(good));
  std::size_t refused = 0;
  for (std::size_t n = 0; n < good.size(); ++n) refused += !load_and_run(good.substr(0, n));
  CHECK(refused == good.size());  // the graph field is the last one: every cut breaks the model

  refused = 0;
  std::size_t ran = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (unsigned char v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string bad = good;
      bad[i] = static_cast<char>(v);
      if (load_and_run(bad)) ++ran;
      else ++refused;
    }
  }
  INFO(refused << " corruptions refused, " << ran << " loaded and ran");
  CHECK(refused > good.size());  // most corruptions break the model
  CHECK(ran > 0);                // some only change a weight or a name
}

TEST_CASE("Bad inputs at run time are refused with errors naming the input", "[graph/malformed]") {
  const std::string bytes = small_model();
  const inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  inlay::Session session(model);
  std::vector<float> x = {1, 2, 3, 4, -1, -2, -3, -4};
  const Tensor good = Tensor::view(x.data(), {2, 4});

  CHECK_THAT(error_of([&] { session.run(std::vector<Tensor>{}); }, ErrorKind::invalid_argument),
             Contains("1 inputs, 0 were given"));
  CHECK_THAT(error_of(
                 [&] {
                   session.run({good, good});
                 },
                 ErrorKind::invalid_argument),
             Contains("1 inputs, 2 were given"));
  std::vector<std::int32_t> xi(8, 1);
  CHECK_THAT(error_of(
                 [&] {
                   session.run({Tensor::view(xi.data(), {2, 4})});
                 },
                 ErrorKind::invalid_argument),
             Contains("input 'x' must have dtype f32, not i32"));
  CHECK_THAT(
      error_of([&] { session.run({Tensor::view(x.data(), {8})}); }, ErrorKind::shape_mismatch),
      Contains("input 'x' has shape [8], the model declares [batch, 4]"));
  CHECK_THAT(error_of(
                 [&] {
                   session.run({Tensor::view(x.data(), {4, 2})});
                 },
                 ErrorKind::shape_mismatch),
             Contains("input 'x' has shape [4, 2], the model declares [batch, 4]"));
  CHECK_THAT(error_of([&] { session.run({Tensor()}); }, ErrorKind::invalid_argument),
             Contains("input 'x' is an empty tensor"));
  using Named = std::vector<std::pair<std::string, Tensor>>;
  CHECK_THAT(error_of(
                 [&] {
                   session.run(Named{{"z", good}});
                 },
                 ErrorKind::invalid_argument),
             Contains("no input named 'z'"));
  CHECK_THAT(error_of(
                 [&] {
                   session.run(Named{{"x", good}, {"x", good}});
                 },
                 ErrorKind::invalid_argument),
             Contains("input 'x' is given twice"));
  CHECK_THAT(error_of([&] { session.run(Named{}); }, ErrorKind::invalid_argument),
             Contains("input 'x' is missing"));

  // After all these refusals the session still runs, and right.
  for (const auto& out : {session.run({good}), session.run(Named{{"x", good}})}) {
    REQUIRE(out.size() == 1);
    REQUIRE(out[0].shape() == inlay::Shape({2, 3}));
    for (int r = 0; r < 2; ++r) {
      const std::vector<float> want = expected_row(&x[r * 4]);
      for (int j = 0; j < 3; ++j) CHECK(out[0].data<float>()[r * 3 + j] == want[j]);
    }
  }
  // A batch of zero rows is a legal shape: an empty result.
  const std::vector<Tensor> none = session.run({Tensor(inlay::DType::f32, {0, 4})});
  REQUIRE(none.size() == 1);
  CHECK(none[0].shape() == inlay::Shape({0, 3}));
}

TEST_CASE("A static dimension is checked at run time", "[graph/malformed]") {
  const std::string bytes = small_model("2");
  const inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  inlay::Session session(model);
  CHECK_THAT(error_of(
                 [&] {
                   session.run({Tensor(inlay::DType::f32, {3, 4})});
                 },
                 ErrorKind::shape_mismatch),
             Contains("input 'x' has shape [3, 4], the model declares [2, 4]"));
  CHECK(session.run({Tensor(inlay::DType::f32, {2, 4})})[0].shape() == inlay::Shape({2, 3}));
}

namespace {
// A custom op that declares outputs but writes none of them (a buggy kernel, or a model that
// reads an optional output the op does not produce).
class WritesNothing final : public inlay::OpKernel {
 public:
  void run(inlay::OpContext&) const override {}
};
}  // namespace

TEST_CASE("A value that no kernel wrote is an error, not a read of nothing", "[graph/malformed]") {
  inlay::OpSet custom;
  custom.add("test.custom", "Nothing", 1, [](const inlay::OpInfo&) {
    return std::unique_ptr<inlay::OpKernel>(new WritesNothing());
  });
  inlay::ModelOptions options;
  options.custom_ops = &custom;
  const auto build = [](bool read_by_node) {
    Pb g;
    g.m(1, Pb().s(1, "x").s(2, "n").s(3, "nothing").s(4, "Nothing").s(7, "test.custom"));
    if (read_by_node) g.m(1, node("Relu", {"n"}, "y"));
    g.s(2, "g").m(11, value_info("x", {"batch", "4"}));
    g.m(12, value_info(read_by_node ? "y" : "n", {"batch", "4"}));
    return Pb().u(1, 8).m(7, g).m(8, Pb().u(2, 13)).m(8, Pb().s(1, "test.custom").u(2, 1)).bytes;
  };
  const std::vector<Tensor> x = {Tensor(inlay::DType::f32, {1, 4})};
  const std::string read = build(true), output = build(false);
  inlay::Session by_node(inlay::Model::from_bytes(read.data(), read.size(), options));
  CHECK_THAT(error_of([&] { by_node.run(x); }, ErrorKind::invalid_model),
             Contains("'Relu_node'") && Contains("input 0 ('n') was never computed"));
  inlay::Session as_output(inlay::Model::from_bytes(output.data(), output.size(), options));
  CHECK_THAT(error_of([&] { as_output.run(x); }, ErrorKind::invalid_model),
             Contains("graph output 'n' was never computed"));
}

TEST_CASE("Inputs that the loader's fuzzer found are refused or run", "[graph/malformed]") {
  // tests/fuzz/model_load_findings: each once crashed tools/fuzz model_load (what it was is in
  // the file's name); here they run under the sanitizers of the test build.
  // The options are the fuzzer's (tests/fuzz/model_load_fuzz.cpp).
  const fs::path dir = fs::path(INLAY_SOURCE_DIR) / "tests" / "fuzz" / "model_load_findings";
  inlay::ModelOptions options;
  options.max_function_nodes = 4096;
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    INFO("finding " << entry.path().filename().string());
    CHECK_NOTHROW(load_and_run(read_bytes(entry.path()), options));
    ++count;
  }
  CHECK(count > 0);
}

TEST_CASE("ModelOptions::max_function_nodes bounds what model-local functions add",
          "[graph/malformed]") {
  // 2.3 KB, found by the fuzzer: 30 local functions F0 ... F29, each calling the next one or
  // twice, F29 one Relu: the graph's one node expands to 65,536 nodes (65,535 added). The default
  // limit (65,536 added) takes it; one less refuses it before anything is inlined.
  const std::string bytes =
      read_bytes(fs::path(INLAY_SOURCE_DIR) / "tests" / "fuzz" / "model_load_findings" /
                 "function_expansion_at_limit_timeout.onnx");
  ExactBytes b(bytes);
  const inlay::Model m = inlay::Model::from_bytes(b.data.get(), b.size);
  CHECK(m.summary().nodes_planned == 65536);
  inlay::ModelOptions options;
  options.max_function_nodes = 65534;
  const std::string refused = error_of(
      [&] { inlay::Model::from_bytes(b.data.get(), b.size, options); }, ErrorKind::invalid_model);
  CHECK_THAT(refused, Contains("calls function 'F0', which expands to more than 65534 nodes") &&
                          Contains("may add at most 65534 nodes") &&
                          Contains("max_function_nodes"));
  options.max_function_nodes = 100;
  CHECK_THAT(error_of([&] { inlay::Model::from_bytes(b.data.get(), b.size, options); },
                      ErrorKind::invalid_model),
             Contains("expands to more than 100 nodes"));
}

// The sanitizers' allocators abort on a request this large instead of failing it.
#if INLAY_TEST_PLAIN_ALLOCATOR
namespace {
// Asks for an output of 2^60 bytes: a legal shape that no machine can hold.
class HugeOutput final : public inlay::OpKernel {
 public:
  void run(inlay::OpContext& ctx) const override {
    ctx.output(0, inlay::DType::f32, {std::int64_t(1) << 40, std::int64_t(1) << 18});
  }
};
}  // namespace

TEST_CASE("An output too large to allocate is an error naming the node", "[graph/malformed]") {
  inlay::OpSet custom;
  custom.add("test.custom", "Huge", 1, [](const inlay::OpInfo&) {
    return std::unique_ptr<inlay::OpKernel>(new HugeOutput());
  });
  inlay::ModelOptions options;
  options.custom_ops = &custom;
  Pb g;
  g.m(1, Pb().s(1, "x").s(2, "y").s(3, "huge").s(4, "Huge").s(7, "test.custom")).s(2, "g");
  g.m(11, value_info("x", {"1"})).m(12, value_info("y", {"1", "1"}));
  const std::string bytes =
      Pb().u(1, 8).m(7, g).m(8, Pb().u(2, 13)).m(8, Pb().s(1, "test.custom").u(2, 1)).bytes;
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size(), options));
  CHECK_THAT(
      error_of([&] { session.run({Tensor(inlay::DType::f32, {1})}); }, ErrorKind::invalid_model),
      Contains("'huge'") && Contains("output 0 of shape [1099511627776, 262144] (f32)") &&
          Contains("cannot be allocated"));
}
#endif
