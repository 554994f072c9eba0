// Graph-door tests of the recurrent operators (include/inlay/graph/ops/recurrent.hpp) beyond the
// official node tests: bidirectional RNN, GRU and LSTM against their two one-way halves; the fast
// path of LSTM and GRU with the default gate functions (the shared cells of kernels/recurrent.hpp,
// R packed at load, the batch-1 LSTM input projection fed into the matrix-vector product) against
// the general path (a clip too large to bite) and against R given as a graph input (not packed),
// in every direction, for batch 1 and larger batches with sequences of different lengths; and the
// errors on bad attributes, weights and lengths.
#include <cmath>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

namespace {

// One recurrent layer over x [seq, batch, in] with weights of `dirs` directions.
std::vector<inlay::Tensor> run_recurrent(const std::string& op, const std::string& direction,
                                         std::int64_t dirs, std::int64_t gates, std::int64_t hidden,
                                         std::vector<float>& x, const std::vector<float>& w,
                                         const std::vector<float>& r, const std::vector<float>& b,
                                         std::vector<std::int32_t>& lens,
                                         const std::vector<Pb>& extra) {
  const std::int64_t seq = 5, batch = 2, in = 3;
  OpTester m;
  std::vector<Pb> attrs = extra;
  attrs.push_back(attr_int("hidden_size", hidden));
  attrs.push_back(attr_string("direction", direction));
  m.input("x", DType::f32, {seq, batch, in})
      .input("lens", DType::i32, {batch})
      .init("w", {dirs, gates * hidden, in}, w)
      .init("r", {dirs, gates * hidden, hidden}, r)
      .init("b", {dirs, 2 * gates * hidden}, b)
      .node(op, {"x", "w", "r", "b", "lens"}, {"y", "y_h"}, attrs)
      .output("y")
      .output("y_h");
  return m.run(
      {f32_view(x, {seq, batch, in}), inlay::Tensor::view(lens.data(), inlay::Shape{batch})});
}

// Checks that the bidirectional layer's two halves are the forward and the reverse layer.
void check_bidirectional(const std::string& op, std::int64_t gates, const std::vector<Pb>& extra) {
  const std::int64_t hidden = 4, in = 3, seq = 5, batch = 2;
  auto x = random_floats(static_cast<std::size_t>(seq * batch * in), 61);
  const std::size_t wn = static_cast<std::size_t>(gates * hidden * in),
                    rn = static_cast<std::size_t>(gates * hidden * hidden),
                    bn = static_cast<std::size_t>(2 * gates * hidden);
  const auto w = random_floats(2 * wn, 62), r = random_floats(2 * rn, 63),
             b = random_floats(2 * bn, 64);
  std::vector<std::int32_t> lens{5, 3};
  auto half = [](const std::vector<float>& v, std::size_t n, std::size_t d) {
    return std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(d * n),
                              v.begin() + static_cast<std::ptrdiff_t>((d + 1) * n));
  };
  const auto both = run_recurrent(op, "bidirectional", 2, gates, hidden, x, w, r, b, lens, extra);
  const auto fwd = run_recurrent(op, "forward", 1, gates, hidden, x, half(w, wn, 0), half(r, rn, 0),
                                 half(b, bn, 0), lens, extra);
  const auto rev = run_recurrent(op, "reverse", 1, gates, hidden, x, half(w, wn, 1), half(r, rn, 1),
                                 half(b, bn, 1), lens, extra);
  REQUIRE(both[0].shape() == inlay::Shape({seq, 2, batch, hidden}));
  REQUIRE(both[1].shape() == inlay::Shape({2, batch, hidden}));
  for (std::int64_t d = 0; d < 2; ++d) {
    const auto& one = d == 0 ? fwd : rev;
    for (std::int64_t t = 0; t < seq; ++t) {
      for (std::int64_t i = 0; i < batch * hidden; ++i) {
        CHECK(both[0].data<float>()[(t * 2 + d) * batch * hidden + i] ==
              Approx(one[0].data<float>()[t * batch * hidden + i]).margin(1e-6));
      }
    }
    for (std::int64_t i = 0; i < batch * hidden; ++i) {
      CHECK(both[1].data<float>()[d * batch * hidden + i] ==
            Approx(one[1].data<float>()[i]).margin(1e-6));
    }
  }
  // Steps past a sequence's end are zero, and the reverse pass of batch 1 starts at its end.
  for (std::int64_t t = 3; t < seq; ++t) {
    for (std::int64_t i = 0; i < hidden; ++i) {
      CHECK(both[0].data<float>()[((t * 2 + 1) * batch + 1) * hidden + i] == 0.0f);
    }
  }
  float last = 0.0f;
  for (std::int64_t i = 0; i < hidden; ++i) {
    last += std::fabs(both[0].data<float>()[((2 * 2 + 1) * batch + 1) * hidden + i]);
  }
  CHECK(last > 0.0f);
}

struct Layer {
  std::string op, direction;
  std::int64_t gates, dirs, batch;
  std::vector<Pb> extra;
};

// Y and Y_h of `layer` over x [seq, batch, in]; R an initializer, or an input when r_as_input.
std::vector<inlay::Tensor> run(const Layer& l, std::vector<float>& x, const std::vector<float>& w,
                               std::vector<float>& r, const std::vector<float>& b,
                               std::vector<std::int32_t>& lens, bool r_as_input, bool clip) {
  const std::int64_t seq = 5, in = 3, hidden = 6, gh = l.gates * hidden;
  std::vector<Pb> attrs = l.extra;
  attrs.push_back(attr_int("hidden_size", hidden));
  attrs.push_back(attr_string("direction", l.direction));
  if (clip) attrs.push_back(attr_float("clip", 1e6f));
  OpTester m;
  m.input("x", DType::f32, {seq, l.batch, in}).input("lens", DType::i32, {l.batch});
  if (r_as_input) m.input("r", DType::f32, {l.dirs, gh, hidden});
  else m.init("r", {l.dirs, gh, hidden}, r);
  m.init("w", {l.dirs, gh, in}, w)
      .init("b", {l.dirs, 2 * gh}, b)
      .node(l.op, {"x", "w", "r", "b", "lens"}, {"y", "y_h"}, attrs)
      .output("y")
      .output("y_h");
  std::vector<inlay::Tensor> inputs = {
      inlay::Tensor::view(x.data(), inlay::Shape{seq, l.batch, in}),
      inlay::Tensor::view(lens.data(), inlay::Shape{l.batch})};
  if (r_as_input) inputs.push_back(inlay::Tensor::view(r.data(), inlay::Shape{l.dirs, gh, hidden}));
  return m.run(inputs);
}

void check_paths_agree(const Layer& l) {
  INFO(l.op << " " << l.direction << " batch " << l.batch);
  const std::int64_t seq = 5, in = 3, hidden = 6, gh = l.gates * hidden;
  auto x = random_floats(static_cast<std::size_t>(seq * l.batch * in), 90);
  const auto w = random_floats(static_cast<std::size_t>(l.dirs * gh * in), 91);
  auto r = random_floats(static_cast<std::size_t>(l.dirs * gh * hidden), 92);
  const auto b = random_floats(static_cast<std::size_t>(l.dirs * 2 * gh), 93);
  std::vector<std::int32_t> lens =
      l.batch == 1 ? std::vector<std::int32_t>{4} : std::vector<std::int32_t>{5, 2, 4};
  const auto fast = run(l, x, w, r, b, lens, false, false);
  const auto general = run(l, x, w, r, b, lens, false, true);
  const auto unpacked = run(l, x, w, r, b, lens, true, false);
  float sum = 0.0f;
  for (std::size_t k = 0; k < 2; ++k) {
    REQUIRE(fast[k].shape() == general[k].shape());
    REQUIRE(fast[k].shape() == unpacked[k].shape());
    const std::size_t n = static_cast<std::size_t>(fast[k].numel());
    check_close(fast[k].data<float>(), general[k].data<float>(), n, 1e-5f, 1e-6f);
    check_close(fast[k].data<float>(), unpacked[k].data<float>(), n, 1e-5f, 1e-6f);
    for (std::size_t i = 0; i < n; ++i) sum += std::fabs(fast[k].data<float>()[i]);
  }
  CHECK(sum > 0.1f);  // not all zero
}

}  // namespace

TEST_CASE("Bidirectional RNN, GRU and LSTM are their forward and reverse halves",
          "[graph/ops/recurrent]") {
  SECTION("RNN, Relu") { check_bidirectional("RNN", 1, {attr_strings("activations", {"Relu"})}); }
  SECTION("GRU, linear_before_reset") {
    check_bidirectional("GRU", 3, {attr_int("linear_before_reset", 1)});
  }
  SECTION("GRU") { check_bidirectional("GRU", 3, {}); }
  SECTION("LSTM with clip") { check_bidirectional("LSTM", 4, {attr_float("clip", 0.5f)}); }
  SECTION("LSTM with input_forget") {
    check_bidirectional("LSTM", 4, {attr_int("input_forget", 1)});
  }
}

TEST_CASE("LSTM and GRU give the same results on the shared cells as on the general path",
          "[graph/ops/recurrent]") {
  for (const char* dir : {"forward", "reverse", "bidirectional"}) {
    const std::int64_t dirs = std::string(dir) == "bidirectional" ? 2 : 1;
    for (std::int64_t batch : {1, 3}) {
      check_paths_agree({"LSTM", dir, 4, dirs, batch, {}});
      check_paths_agree({"GRU", dir, 3, dirs, batch, {attr_int("linear_before_reset", 1)}});
    }
  }
}

TEST_CASE("Recurrent layers refuse bad attributes, weights and lengths", "[graph/ops/recurrent]") {
  auto lstm = [](const std::vector<Pb>& attrs, std::int64_t r_rows) {
    OpTester m;
    m.input("x", DType::f32, {2, 1, 3})
        .input("lens", DType::i32, {1})
        .init("w", {1, 8, 3}, std::vector<float>(24, 0.1f))
        .init("r", {1, r_rows, 2}, std::vector<float>(static_cast<std::size_t>(r_rows * 2), 0.1f))
        .node("LSTM", {"x", "w", "r", "", "lens"}, {"y"}, attrs)
        .output("y");
    return m;
  };
  lstm({attr_string("direction", "sideways")}, 8)
      .expect_load_error(ErrorKind::invalid_model, "direction 'sideways'");
  lstm({}, 6).expect_load_error(ErrorKind::shape_mismatch, "R [1, 6, 2]");
  lstm({attr_int("hidden_size", 3)}, 8)
      .expect_load_error(ErrorKind::shape_mismatch, "hidden_size 3");
  lstm({attr_strings("activations", {"Sigmoid", "Tanh"})}, 8)
      .expect_load_error(ErrorKind::invalid_model, "3 are needed");
  lstm({attr_strings("activations", {"Sigmoid", "Tanh", "Cosh"})}, 8)
      .expect_load_error(ErrorKind::unsupported_op, "activation 'Cosh'");
  lstm({attr_float("clip", -1.0f)}, 8).expect_load_error(ErrorKind::invalid_model, "clip");
  const OpTester ok = lstm({}, 8);
  std::vector<float> x(6, 0.5f);
  std::vector<std::int32_t> lens{3};
  ok.expect_run_error({f32_view(x, {2, 1, 3}), inlay::Tensor::view(lens.data(), inlay::Shape{1})},
                      ErrorKind::invalid_model, "sequence length 3");
}
