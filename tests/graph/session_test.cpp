// inlay::Session: no heap allocation per run_into once the inputs' shapes are known (counted by
// tests/alloc_counter.cpp), one Model shared by threads each with its own Session,
// inputs by name, changing input shapes, and a session thread pool.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alloc_counter.hpp"
#include "graph/graph_test_util.hpp"
#include "onnx/proto_writer.hpp"

namespace fs = std::filesystem;
using inlay::Tensor;
using inlay_test::Pb;

namespace {

std::uint64_t allocations() { return inlay_test::heap_allocations(); }

// ---- small models written field by field ----
Pb value_info(const std::string& name, const std::string& batch, std::uint64_t width) {
  Pb shape;
  shape.m(1, Pb().s(2, batch)).m(1, Pb().u(1, width));
  return Pb().s(1, name).m(2, Pb().m(1, Pb().u(1, 1).m(2, shape)));
}
Pb float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                const std::vector<float>& values) {
  Pb t;
  for (std::int64_t d : dims) t.u(1, static_cast<std::uint64_t>(d));
  std::string raw(values.size() * sizeof(float), '\0');
  std::memcpy(&raw[0], values.data(), raw.size());
  return t.u(2, 1).s(8, name).s(9, raw);
}
Pb node(const std::string& op, const std::vector<std::string>& in, const std::string& out) {
  Pb n;
  for (const auto& i : in) n.s(1, i);
  return n.s(2, out).s(3, op + "_" + out).s(4, op);
}
std::string model_bytes(const Pb& graph) {
  return Pb().u(1, 8).m(7, graph).m(8, Pb().u(2, 13)).bytes;
}

// y = Softmax(Relu(x W1 + b1) W2 + b2), x [batch, 8], y [batch, 5]: several values to plan.
std::string two_layer_model() {
  const std::vector<float> w1 = inlay_test::random_floats(8 * 16, 1);
  const std::vector<float> b1 = inlay_test::random_floats(16, 2);
  const std::vector<float> w2 = inlay_test::random_floats(16 * 5, 3);
  const std::vector<float> b2 = inlay_test::random_floats(5, 4);
  Pb g;
  g.m(1, node("Gemm", {"x", "W1", "B1"}, "h")).m(1, node("Relu", {"h"}, "r"));
  g.m(1, node("Gemm", {"r", "W2", "B2"}, "z")).m(1, node("Softmax", {"z"}, "y")).s(2, "two");
  g.m(5, float_tensor("W1", {8, 16}, w1)).m(5, float_tensor("B1", {16}, b1));
  g.m(5, float_tensor("W2", {16, 5}, w2)).m(5, float_tensor("B2", {5}, b2));
  g.m(11, value_info("x", "batch", 8)).m(12, value_info("y", "batch", 5));
  return model_bytes(g);
}

// y = a - b: the order of the inputs matters.
std::string difference_model() {
  Pb g;
  g.m(1, node("Sub", {"a", "b"}, "y")).s(2, "diff");
  g.m(11, value_info("a", "n", 3)).m(11, value_info("b", "n", 3));
  g.m(12, value_info("y", "n", 3));
  return model_bytes(g);
}

inlay::Model load_bytes(const std::string& bytes) {
  return inlay::Model::copy_from_bytes(bytes.data(), bytes.size());
}

bool same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

fs::path digits_dir() { return fs::path(inlay_test::shared_dir()) / "models" / "digits_mlp"; }

}  // namespace

TEST_CASE("run_into makes no heap allocation once the input shapes are known", "[graph/session]") {
  const inlay::Model model = load_bytes(two_layer_model());
  const std::vector<float> x = inlay_test::random_floats(3 * 8, 5);
  const std::vector<Tensor> inputs = {Tensor::view(x.data(), {3, 8})};
  inlay::Session session(model);
  std::vector<Tensor> outputs;
  session.run_into(inputs, outputs);  // records the shapes and plans the arena
  const std::vector<Tensor> first = {outputs[0].clone()};
  CHECK(session.arena_bytes() > 0);

  // The counter works: a run that returns new tensors allocates.
  std::uint64_t before = allocations();
  std::vector<Tensor> fresh = session.run(inputs);
  CHECK(allocations() > before);

  before = allocations();
  for (int i = 0; i < 5; ++i) session.run_into(inputs, outputs);
  const std::uint64_t during = allocations() - before;
  CHECK(during == 0);
  CHECK(same(outputs[0], first[0]));
  CHECK(same(fresh[0], first[0]));

  // New input shapes plan again; then the runs are allocation-free again.
  const std::vector<float> x5 = inlay_test::random_floats(5 * 8, 6);
  const std::vector<Tensor> inputs5 = {Tensor::view(x5.data(), {5, 8})};
  session.run_into(inputs5, outputs);
  before = allocations();
  session.run_into(inputs5, outputs);
  CHECK(allocations() - before == 0);
  CHECK(outputs[0].shape() == inlay::Shape({5, 5}));
}

TEST_CASE("run_into on the digits bench model makes no heap allocation", "[graph/session]") {
  if (!fs::exists(digits_dir() / "model.onnx")) {
    WARN("skipped: " << digits_dir().string() << " is missing");
    return;
  }
  const inlay::Model model = inlay::Model::load((digits_dir() / "model.onnx").string());
  const std::vector<Tensor> inputs =
      inlay_test::read_set(digits_dir() / "test_data_set_0", "input");
  for (std::size_t threads : {1, 2}) {
    INFO("threads " << threads);
    inlay::SessionOptions options;
    options.threads = threads;
    inlay::Session session(model, options);
    std::vector<Tensor> outputs;
    session.run_into(inputs, outputs);
    const std::uint64_t before = allocations();
    session.run_into(inputs, outputs);
    session.run_into(inputs, outputs);
    CHECK(allocations() - before == 0);
  }
}

TEST_CASE("One Model shared by threads, each with its own Session, gives the same results",
          "[graph/session]") {
  const inlay::Model model = load_bytes(two_layer_model());
  constexpr int threads = 4, runs = 20;
  // Per thread its own inputs (a batch size of its own), and the answer computed alone first.
  std::vector<std::vector<float>> xs(threads);
  std::vector<Tensor> expected(threads);
  for (int t = 0; t < threads; ++t) {
    xs[t] = inlay_test::random_floats(static_cast<std::size_t>(t + 1) * 8, 100 + t);
    inlay::Session alone(model);
    expected[t] = alone.run({Tensor::view(xs[t].data(), {t + 1, 8})})[0];
  }
  std::vector<int> mismatches(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      inlay::Session session(model);
      const std::vector<Tensor> in = {Tensor::view(xs[t].data(), {t + 1, 8})};
      std::vector<Tensor> out;
      for (int r = 0; r < runs; ++r) {
        session.run_into(in, out);
        if (!same(out[0], expected[t])) ++mismatches[t];
      }
    });
  }
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) {
    INFO("thread " << t);
    CHECK(mismatches[t] == 0);
  }
}

TEST_CASE("Inputs by name give the outputs of inputs by position", "[graph/session]") {
  const inlay::Model model = load_bytes(difference_model());
  REQUIRE(model.input_names() == std::vector<std::string>{"a", "b"});
  std::vector<float> a = {5, 7, 9, 1, 1, 1}, b = {1, 2, 3, 4, 5, 6};
  const Tensor ta = Tensor::view(a.data(), {2, 3}), tb = Tensor::view(b.data(), {2, 3});
  inlay::Session session(model);
  const std::vector<Tensor> by_position = session.run({ta, tb});
  // Given in the other order: the names decide.
  const std::vector<Tensor> by_name = session.run({{"b", tb}, {"a", ta}});
  REQUIRE(by_position.size() == 1);
  REQUIRE(by_name.size() == 1);
  CHECK(same(by_position[0], by_name[0]));
  for (int i = 0; i < 6; ++i) CHECK(by_name[0].data<float>()[i] == a[i] - b[i]);
  // A swapped position gives the other answer, so the test can tell.
  CHECK_FALSE(same(session.run({tb, ta})[0], by_name[0]));
}

TEST_CASE("Changing input shapes plans again and stays correct", "[graph/session]") {
  if (!fs::exists(digits_dir() / "model.onnx")) {
    WARN("skipped: " << digits_dir().string() << " is missing");
    return;
  }
  const inlay::Model model = inlay::Model::load((digits_dir() / "model.onnx").string());
  REQUIRE(model.inputs()[0].dim_params[0] == "batch");
  const fs::path set = digits_dir() / "test_data_set_0";
  const Tensor all = inlay_test::read_set(set, "input")[0];  // [360, 64]
  const Tensor reference = inlay_test::read_set(set, "output")[0];
  REQUIRE(all.shape()[1] == 64);
  const double atol = inlay_test::meta_atol(digits_dir(), 1e-5);
  inlay::Session session(model);
  // Batches of 1, 7, 360, 7 again, then 1: every row must match the reference.
  std::size_t previous_arena = 0;
  int arena_changes = 0;
  for (std::int64_t batch : {1, 7, 360, 7, 1}) {
    INFO("batch " << batch);
    const Tensor x = Tensor::view(all.data<float>(), {batch, 64});
    const std::vector<Tensor> out = session.run({x});
    const Tensor ref = Tensor::view(reference.data<float>(), {batch, 10});
    inlay_test::outputs_match(out[0], ref, 1e-3, atol, "logits, batch " + std::to_string(batch));
    arena_changes += session.arena_bytes() != previous_arena;
    previous_arena = session.arena_bytes();
  }
  CHECK(arena_changes == 5);  // each new batch size planned its own arena
}

TEST_CASE("A session with two threads gives the outputs of one thread", "[graph/session]") {
  const bool digits = fs::exists(digits_dir() / "model.onnx");
  if (!digits) WARN("digits_mlp is missing: using the small model only");
  std::vector<std::pair<inlay::Model, std::vector<Tensor>>> cases;
  std::vector<float> x = inlay_test::random_floats(64 * 8, 7);
  cases.emplace_back(load_bytes(two_layer_model()),
                     std::vector<Tensor>{Tensor::view(x.data(), {64, 8})});
  if (digits) {
    cases.emplace_back(inlay::Model::load((digits_dir() / "model.onnx").string()),
                       inlay_test::read_set(digits_dir() / "test_data_set_0", "input"));
  }
  for (auto& [model, inputs] : cases) {
    inlay::SessionOptions one, two;
    two.threads = 2;
    inlay::Session s1(model, one), s2(model, two);
    const std::vector<Tensor> a = s1.run(inputs), b = s2.run(inputs);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      REQUIRE(a[i].shape() == b[i].shape());
      inlay_test::outputs_match(b[i], a[i], 1e-6, 1e-6, "output " + std::to_string(i));
    }
    // Run again: the planned run gives the same.
    const std::vector<Tensor> c = s2.run(inputs);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(same(c[i], b[i]));
  }
}
