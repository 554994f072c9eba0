// inlay::Session: no heap allocation per run_into once the inputs' shapes are known (counted by
// tests/alloc_counter.cpp), one Model shared by threads each with its own Session,
// inputs by name, changing input shapes, and a session thread pool.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alloc_counter.hpp"
#include "graph/op_tester.hpp"

namespace fs = std::filesystem;
using inlay::Tensor;

namespace {

std::uint64_t allocations() { return inlay_test::heap_allocations(); }

using inlay::DType;
using inlay_test::OpTester;

// y = Softmax(Relu(x W1 + b1) W2 + b2), x [batch, 8], y [batch, 5]: several values to plan.
OpTester two_layer_model() {
  OpTester m;
  m.opset(13)
      .input("x", DType::f32, {"batch", 8})
      .init("W1", {8, 16}, inlay_test::random_floats(8 * 16, 1))
      .init("B1", {16}, inlay_test::random_floats(16, 2))
      .init("W2", {16, 5}, inlay_test::random_floats(16 * 5, 3))
      .init("B2", {5}, inlay_test::random_floats(5, 4))
      .node("Gemm", {"x", "W1", "B1"}, {"h"})
      .node("Relu", {"h"}, {"r"})
      .node("Gemm", {"r", "W2", "B2"}, {"z"})
      .node("Softmax", {"z"}, {"y"})
      .output("y", DType::f32, {"batch", 5});
  return m;
}

// y = a - b: the order of the inputs matters.
OpTester difference_model() {
  OpTester m;
  m.opset(13)
      .input("a", DType::f32, {"n", 3})
      .input("b", DType::f32, {"n", 3})
      .node("Sub", {"a", "b"}, {"y"})
      .output("y", DType::f32, {"n", 3});
  return m;
}

bool same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

fs::path digits_dir() { return fs::path(inlay_test::shared_dir()) / "models" / "digits_mlp"; }

}  // namespace

TEST_CASE("run_into makes no heap allocation once the input shapes are known", "[graph/session]") {
  const inlay::Model model = two_layer_model().load();
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
  const inlay::Model model = two_layer_model().load();
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
  const inlay::Model model = difference_model().load();
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
  cases.emplace_back(two_layer_model().load(),
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

TEST_CASE("Steps split over threads give the bits of one thread", "[graph/session]") {
  // Large enough that element-wise ops (broadcast along the last and the middle axis), Softmax,
  // LayerNormalization, an LSTM of batch 1 and pooling all split over the pool.
  OpTester m;
  m.input("a", DType::f32, {4, 64, 256})
      .input("b", DType::f32, {64, 1})
      .input("c", DType::f32, {256})
      .input("x", DType::f32, {8, 1, 64})
      .input("w", DType::f32, {1, 4 * 128, 64})
      .input("r", DType::f32, {1, 4 * 128, 128})
      .input("img", DType::f32, {2, 32, 32, 32})
      .node("Add", {"a", "b"}, {"s"})
      .node("Mul", {"s", "c"}, {"t"})
      .node("Pow", {"t", "b"}, {"u"})
      .node("Erf", {"t"}, {"e"})
      .node("Softmax", {"e"}, {"p"}, {inlay_test::attr_int("axis", -1)})
      .node("LayerNormalization", {"p", "c", "c"}, {"n"})
      .node("LSTM", {"x", "w", "r"}, {"h"}, {inlay_test::attr_int("hidden_size", 128)})
      .node("MaxPool", {"img"}, {"mp"},
            {inlay_test::attr_ints("kernel_shape", {3, 3}),
             inlay_test::attr_ints("pads", {1, 1, 1, 1})})
      .node(
          "AveragePool", {"img"}, {"ap"},
          {inlay_test::attr_ints("kernel_shape", {2, 2}), inlay_test::attr_ints("strides", {2, 2})})
      .node("GlobalAveragePool", {"img"}, {"gp"})
      .output("u", DType::f32)
      .output("n", DType::f32)
      .output("h", DType::f32)
      .output("mp", DType::f32)
      .output("ap", DType::f32)
      .output("gp", DType::f32);
  const inlay::Model model = m.load();
  std::vector<std::vector<float>> data;
  std::vector<Tensor> inputs;
  const std::vector<std::vector<std::int64_t>> shapes{
      {4, 64, 256}, {64, 1}, {256}, {8, 1, 64}, {1, 512, 64}, {1, 512, 128}, {2, 32, 32, 32}};
  data.reserve(shapes.size());  // the views below point into these vectors
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    std::int64_t n = 1;
    for (std::int64_t d : shapes[i]) n *= d;
    data.push_back(
        inlay_test::random_floats(static_cast<std::size_t>(n), static_cast<std::uint32_t>(11 + i)));
    // The exponent of Pow stays small and positive bases keep the result finite.
    if (i == 1) {
      for (float& v : data.back()) v = 1.0f + std::fabs(v);
    }
    inputs.push_back(
        Tensor::view(data.back().data(), inlay::Shape(shapes[i].data(), shapes[i].size())));
  }
  inlay::Session serial(model);
  const std::vector<Tensor> expected = serial.run(inputs);
  for (std::size_t threads : {2, 3}) {
    for (std::size_t spin : {std::size_t{0}, inlay::ThreadPool::kDefaultSpinMicroseconds}) {
      INFO(threads << " threads, spin " << spin << " us");
      inlay::SessionOptions options;
      options.threads = threads;
      options.spin_microseconds = spin;
      inlay::Session session(model, options);
      const std::vector<Tensor> got = session.run(inputs);
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("output " << i);
        CHECK(same(got[i], expected[i]));
      }
    }
  }
}

TEST_CASE("String values stay out of the arena: planned runs keep their own strings",
          "[graph/session]") {
  // x [3] -> Cast to STRING (s, also a graph output) -> Identity -> Cast back to FLOAT (y) -> Neg.
  OpTester m;
  m.input("x", DType::f32, {3})
      .node("Cast", {"x"}, {"s"}, {inlay_test::attr_int("to", 8)})
      .node("Identity", {"s"}, {"t"})
      .node("Cast", {"t"}, {"f"}, {inlay_test::attr_int("to", 1)})
      .node("Neg", {"f"}, {"y"})
      .output("s", DType::string)
      .output("y", DType::f32);
  const inlay::Model model = m.load();
  inlay::Session session(model);
  std::vector<Tensor> outputs;
  // Long texts (beyond a small-string buffer) would show a string left in reused raw memory.
  const std::vector<std::vector<float>> runs{
      {0.5f, 1e-30f, 3.25f}, {-0.1f, 123456.7f, 1e20f}, {0.0f, -2.0f, 0.333333343f}};
  const std::vector<std::vector<std::string>> texts{
      {"0.5", "1e-30", "3.25"}, {"-0.1", "123456.7", "1e+20"}, {"0.0", "-2.0", "0.33333334"}};
  for (std::size_t r = 0; r < runs.size(); ++r) {  // run 0 plans, runs 1 and 2 are planned
    INFO("run " << r);
    session.run_into({Tensor::view(runs[r].data(), {3})}, outputs);
    REQUIRE(outputs[0].dtype() == DType::string);
    CHECK(inlay_test::values_of<std::string>(outputs[0]) == texts[r]);
    for (std::size_t i = 0; i < 3; ++i) CHECK(outputs[1].data<float>()[i] == -runs[r][i]);
  }
  // The arena holds the float values only (f and y: 12 bytes each, 64 rounded), not the 3
  // std::string objects of s and t.
  CHECK(session.arena_bytes() <= 2 * 64);
}
