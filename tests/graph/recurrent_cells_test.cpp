// The graph door's LSTM and GRU take a fast path with the default gate functions (the shared
// cells of kernels/recurrent.hpp, R packed at load, the batch-1 LSTM input projection fed into
// the matrix-vector product). A clip too large to bite sends the same layer down the general
// path, and R given as a graph input is not packed: all three must agree, in every direction,
// for batch 1 and larger batches with sequences of different lengths.
#include <cmath>
#include <string>
#include <vector>

#include "graph/tiny_model.hpp"
#include "onnx/onnx_test_util.hpp"

using namespace inlay_test;

namespace {

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
  TinyModel m;
  m.input("x", {seq, l.batch, in}).input("lens", {l.batch}, onnx_int32);
  if (r_as_input) m.input("r", {l.dirs, gh, hidden});
  else m.init("r", {l.dirs, gh, hidden}, r);
  m.init("w", {l.dirs, gh, in}, w)
      .init("b", {l.dirs, 2 * gh}, b)
      .node(l.op, {"x", "w", "r", "b", "lens"}, {"y", "y_h"}, attrs)
      .output("y")
      .output("y_h");
  const std::string bytes = m.bytes();
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  std::vector<inlay::Tensor> inputs = {
      inlay::Tensor::view(x.data(), inlay::Shape{seq, l.batch, in}),
      inlay::Tensor::view(lens.data(), inlay::Shape{l.batch})};
  if (r_as_input) inputs.push_back(inlay::Tensor::view(r.data(), inlay::Shape{l.dirs, gh, hidden}));
  return session.run(inputs);
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

TEST_CASE("LSTM and GRU give the same results on the shared cells as on the general path",
          "[recurrent_cells]") {
  for (const char* dir : {"forward", "reverse", "bidirectional"}) {
    const std::int64_t dirs = std::string(dir) == "bidirectional" ? 2 : 1;
    for (std::int64_t batch : {1, 3}) {
      check_paths_agree({"LSTM", dir, 4, dirs, batch, {}});
      check_paths_agree({"GRU", dir, 3, dirs, batch, {attr_int("linear_before_reset", 1)}});
    }
  }
}
