// Conv's constant weights are prepared on demand (graph/ops/conv.hpp): Winograd's U only when an
// input takes the Winograd path, W^T packed only when one takes the small-plane path, each once,
// also when two sessions on two threads run the model for the first time together; the results
// match a direct convolution.
#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <inlay/inlay.hpp>
// Internal (not in the umbrella header): the counts of prepared forms.
#include <inlay/graph/ops/conv.hpp>

#include "graph/tiny_model.hpp"

using namespace inlay_test;

namespace {

// A Conv of `c` -> `m` channels, k x k kernel with padding k / 2, stride 1, on a [1, c, h, h]
// input; constant weights and bias.
struct ConvCase {
  std::int64_t c, m, k, h;
  std::vector<float> w, b;

  ConvCase(std::int64_t c_, std::int64_t m_, std::int64_t k_, std::int64_t h_)
      : c(c_),
        m(m_),
        k(k_),
        h(h_),
        w(random_floats(static_cast<std::size_t>(m * c * k * k), 11)),
        b(random_floats(static_cast<std::size_t>(m), 12)) {}

  std::string model() const {
    const std::int64_t pad = k / 2;
    TinyModel t;
    t.input("x", {1, c, h, h}).init("w", {m, c, k, k}, w).init("b", {m}, b);
    t.node("Conv", {"x", "w", "b"}, {"y"},
           {attr_ints("kernel_shape", {k, k}), attr_ints("pads", {pad, pad, pad, pad})})
        .output("y");
    return t.bytes();
  }
  std::vector<float> input(std::uint32_t seed) const {
    return random_floats(static_cast<std::size_t>(c * h * h), seed);
  }
  std::vector<float> run(const inlay::Model& model, std::vector<float>& x) const {
    const std::vector<std::int64_t> dims{1, c, h, h};
    inlay::Session session(model);
    const auto y = session.run({inlay::Tensor::view(x.data(), inlay::Shape(dims.data(), 4))});
    return std::vector<float>(y[0].data<float>(), y[0].data<float>() + y[0].numel());
  }
  // The direct sum in double, same padding (the output has the input's size).
  std::vector<float> reference(const std::vector<float>& x) const {
    const std::int64_t pad = k / 2;
    std::vector<float> y(static_cast<std::size_t>(m * h * h));
    for (std::int64_t o = 0; o < m; ++o)
      for (std::int64_t r = 0; r < h; ++r)
        for (std::int64_t q = 0; q < h; ++q) {
          double s = b[static_cast<std::size_t>(o)];
          for (std::int64_t i = 0; i < c; ++i)
            for (std::int64_t a = 0; a < k; ++a)
              for (std::int64_t e = 0; e < k; ++e) {
                const std::int64_t iy = r + a - pad, ix = q + e - pad;
                if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                s += double(x[static_cast<std::size_t>((i * h + iy) * h + ix)]) *
                     w[static_cast<std::size_t>(((o * c + i) * k + a) * k + e)];
              }
          y[static_cast<std::size_t>((o * h + r) * h + q)] = static_cast<float>(s);
        }
    return y;
  }
};

struct Counts {
  std::size_t winograd, packed;
};
Counts counts_now() {
  auto& c = inlay::graph::ops::conv_prepared_counts();
  return {c.winograd.load(), c.packed.load()};
}

// Loads the case's model, runs it `runs` times on one session each, and returns how many forms
// were built at load and over the runs.
struct Prepared {
  Counts at_load, after_runs;
};
Prepared load_and_run(const ConvCase& cc, int runs) {
  const std::string bytes = cc.model();
  const Counts before = counts_now();
  inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  const Counts loaded = counts_now();
  for (int i = 0; i < runs; ++i) {
    std::vector<float> x = cc.input(static_cast<std::uint32_t>(20 + i));
    check_close(cc.run(model, x), cc.reference(x), 1e-4f, 1e-4f);
  }
  const Counts after = counts_now();
  return {{loaded.winograd - before.winograd, loaded.packed - before.packed},
          {after.winograd - loaded.winograd, after.packed - loaded.packed}};
}

}  // namespace

TEST_CASE("Conv prepares no weight form at load", "[conv_prepare]") {
  const Prepared p = load_and_run(ConvCase(16, 80, 3, 8), 0);
  CHECK(p.at_load.winograd == 0);
  CHECK(p.at_load.packed == 0);
}

TEST_CASE("Conv on a small plane builds only the packed weights, once", "[conv_prepare]") {
  // 8x8 output, 80 output channels (past the direct kernel's 64): the small-plane path.
  const Prepared p = load_and_run(ConvCase(16, 80, 3, 8), 3);
  CHECK(p.after_runs.packed == 1);
  CHECK(p.after_runs.winograd == 0);
}

TEST_CASE("Conv on a large plane builds only Winograd's U, once", "[conv_prepare]") {
  // 3x3 on 20x20 (100 tiles of 2x2, 400 output pixels): Winograd, never the small-plane path.
  const Prepared p = load_and_run(ConvCase(16, 32, 3, 20), 3);
  CHECK(p.after_runs.winograd == 1);
  CHECK(p.after_runs.packed == 0);
}

TEST_CASE("A 1x1 Conv on a large plane builds no form", "[conv_prepare]") {
  // 400 output pixels: im2col-free GEMM on the raw weights; packing them would be waste.
  const Prepared p = load_and_run(ConvCase(16, 32, 1, 20), 2);
  CHECK(p.after_runs.winograd == 0);
  CHECK(p.after_runs.packed == 0);
}

TEST_CASE("Two sessions on two threads run a fresh model at once", "[conv_prepare]") {
  const ConvCase small(16, 80, 3, 8), large(16, 32, 3, 20);
  for (const ConvCase* cc : {&small, &large}) {
    const bool winograd = cc == &large;
    INFO((winograd ? "Winograd" : "packed") << " path");
    for (int round = 0; round < 4; ++round) {
      const std::string bytes = cc->model();
      inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
      const Counts before = counts_now();
      std::vector<float> x[2] = {cc->input(30), cc->input(31)};
      std::vector<float> y[2];
      std::string error[2];
      std::atomic<int> ready{0};
      auto body = [&](int t) {
        // Both threads start running together, so the first runs overlap.
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        try {
          y[t] = cc->run(model, x[t]);
        } catch (const std::exception& e) { error[t] = e.what(); }
      };
      std::thread a(body, 0), b(body, 1);
      a.join();
      b.join();
      const Counts after = counts_now();
      CHECK(after.winograd - before.winograd == (winograd ? 1u : 0u));
      CHECK(after.packed - before.packed == (winograd ? 0u : 1u));
      CHECK(error[0].empty());
      CHECK(error[1].empty());
      for (int t = 0; t < 2; ++t) check_close(y[t], cc->reference(x[t]), 1e-4f, 1e-4f);
    }
  }
}
