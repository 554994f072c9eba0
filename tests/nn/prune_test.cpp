// Magnitude pruning: exact sparsity, masks through training, the schedule, the report, and the
// structured export that leaves the removed neurons out.
#include <algorithm>
#include <cmath>

#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
using PruneMlp =
    nn::Sequential<nn::Dense<6, 20>, nn::ReLU, nn::Dense<20, 12>, nn::Tanh, nn::Dense<12, 3>>;
using Sig = nn::Sequential<nn::Dense<5, 10>, nn::Sigmoid, nn::Dropout<20>, nn::Dense<10, 4>>;
using PruneCnn = nn::Sequential<nn::Input<1, 6, 6>, nn::Conv2D<1, 4, 3>, nn::ReLU, nn::Flatten,
                                nn::Dense<64, 3>>;

struct PruneData {
  inlay::Tensor x;
  std::vector<std::int64_t> y;
};
// Labels from the sign pattern of the first features: learnable, not trivial.
PruneData prune_data(std::size_t rows, std::size_t width, std::uint64_t seed) {
  inlay::data::Rng rng(seed);
  PruneData d{inlay::Tensor(inlay::DType::f32,
                            {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(width)}),
              {}};
  float* x = d.x.data<float>();
  for (std::size_t i = 0; i < rows * width; ++i) x[i] = rng.normal();
  for (std::size_t r = 0; r < rows; ++r) {
    d.y.push_back((x[r * width] > 0 ? 1 : 0) + (x[r * width + 1] > 0.5f ? 1 : 0));
  }
  return d;
}

std::size_t zeros(const nn::WeightMatrix& m) {
  return static_cast<std::size_t>(std::count(m.value, m.value + m.size(), 0.0f));
}
// Outputs of column o (Dense) whose weights are all zero.
bool output_removed(const nn::WeightMatrix& m, std::size_t o) {
  for (std::size_t i = 0; i < m.fan_in; ++i) {
    if (m.value[m.at(o, i)] != 0.0f) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("weight_matrices finds Dense and convolution weights with their geometry", "[nn/prune]") {
  PruneCnn cnn;
  const std::vector<nn::WeightMatrix> m = nn::weight_matrices(cnn);
  REQUIRE(m.size() == 2);
  CHECK(m[0].name == "0.weight");
  CHECK(m[0].outputs == 4);
  CHECK(m[0].fan_in == 9);
  CHECK(m[0].output_major);
  CHECK(m[1].name == "3.weight");
  CHECK(m[1].layer == 3);
  CHECK(m[1].outputs == 3);
  CHECK(m[1].fan_in == 64);
  CHECK_FALSE(m[1].output_major);
  CHECK(m[1].value == cnn.layer<3>().weight.data());
}

TEST_CASE("Unstructured pruning masks exactly the requested fraction, smallest first",
          "[nn/prune]") {
  PruneMlp net;
  nn::init_weights(net, 4);
  const std::vector<float> before = net.layer<0>().weight;
  nn::Pruner pruner(nn::weight_matrices(net));
  pruner.prune(0.8);
  for (const nn::WeightMatrix& m : pruner.matrices()) {
    INFO(m.name);
    CHECK(zeros(m) == static_cast<std::size_t>(std::llround(0.8 * m.size())));
  }
  // Every kept weight of layer 0 is at least as large as every pruned one.
  float largest_pruned = 0.0f, smallest_kept = INFINITY;
  for (std::size_t i = 0; i < before.size(); ++i) {
    const float a = std::fabs(before[i]);
    if (net.layer<0>().weight[i] == 0.0f) {
      largest_pruned = std::max(largest_pruned, a);
    } else {
      CHECK(net.layer<0>().weight[i] == before[i]);
      smallest_kept = std::min(smallest_kept, a);
    }
  }
  CHECK(largest_pruned <= smallest_kept);
  const auto report = pruner.report();
  REQUIRE(report.size() == 3);
  CHECK(report[1].zeros == 192);
  CHECK(report[1].weights == 240);
  CHECK(report[1].sparsity() == Approx(0.8));
  CHECK(nn::to_string(report).find("total") != std::string::npos);
}

TEST_CASE("Global pruning ranks all layers together", "[nn/prune]") {
  PruneMlp net;
  nn::init_weights(net, 5);
  // Layer 2's weights are made tiny: a global ranking prunes them before anything else.
  for (float& w : net.layer<2>().weight) w *= 1e-3f;
  nn::Pruner pruner(nn::weight_matrices(net), nn::PruneScope::global);
  pruner.prune(0.5);
  std::size_t total = 0, pruned = 0;
  for (const nn::WeightMatrix& m : pruner.matrices()) {
    total += m.size();
    pruned += zeros(m);
  }
  CHECK(pruned == static_cast<std::size_t>(std::llround(0.5 * total)));
  // 198 of 396 weights: all of them among layer 2's 240 tiny ones.
  CHECK(zeros(pruner.matrices()[1]) == pruned);
  CHECK(zeros(pruner.matrices()[0]) == 0);
}

TEST_CASE("Masks hold through optimizer steps with momentum", "[nn/prune]") {
  const PruneData d = prune_data(120, 6, 2);
  PruneMlp net(32);
  nn::init_weights(net, 1);
  nn::Pruner pruner(nn::weight_matrices(net));
  pruner.prune(0.7);
  const auto masks = pruner.masks();
  nn::Adam adam(1e-2f);
  nn::FitOptions o;
  o.epochs = 5;
  o.init_weights = false;
  o.progress = nullptr;
  o.restore_best_weights = false;
  pruner.attach(o, nn::PruneSchedule{0.7, 0.7, 0, 1, 1});
  const std::vector<float> kept_before = net.layer<2>().weight;
  nn::fit(net, d.x, nn::labels_view(d.y), nn::CrossEntropy(), adam, o);
  for (std::size_t k = 0; k < pruner.matrices().size(); ++k) {
    const nn::WeightMatrix& m = pruner.matrices()[k];
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (masks[k][i] == 0) REQUIRE(m.value[i] == 0.0f);
    }
  }
  // Training did change the kept weights (Adam's moments would have revived the pruned ones).
  CHECK(net.layer<2>().weight != kept_before);
  CHECK(pruner.masks() == masks);
}

TEST_CASE("The polynomial schedule goes from the initial to the final sparsity", "[nn/prune]") {
  const nn::PruneSchedule s{0.1, 0.9, 10, 110, 5};
  CHECK(s.sparsity_at(0) == Approx(0.1));
  CHECK(s.sparsity_at(10) == Approx(0.1));
  CHECK(s.sparsity_at(60) == Approx(0.9 - 0.8 * 0.125));
  CHECK(s.sparsity_at(110) == Approx(0.9));
  CHECK(s.sparsity_at(500) == Approx(0.9));
}

TEST_CASE("Gradual pruning in fit reaches the final sparsity exactly", "[nn/prune]") {
  const PruneData d = prune_data(128, 6, 3);
  PruneMlp net(32);
  nn::Adam adam(1e-2f);
  nn::FitOptions o;
  o.epochs = 6;  // 4 steps per epoch: 24 steps
  o.progress = nullptr;
  o.restore_best_weights = false;
  nn::Pruner pruner(nn::weight_matrices(net));
  nn::init_weights(net, 0);
  pruner.attach(o, nn::PruneSchedule{0.0, 0.75, 2, 20, 3});
  o.init_weights = false;
  const nn::History h = nn::fit(net, d.x, nn::labels_view(d.y), nn::CrossEntropy(), adam, o);
  REQUIRE(h.epochs.size() == 6);
  for (const nn::LayerSparsity& l : pruner.report()) {
    INFO(l.name);
    CHECK(l.zeros == static_cast<std::size_t>(std::llround(0.75 * l.weights)));
  }
  CHECK(zeros(pruner.matrices()[0]) == 90);
}

TEST_CASE("Structured pruning removes whole neurons and keeps the network's outputs",
          "[nn/prune]") {
  PruneMlp net;
  nn::init_weights(net, 6);
  nn::Pruner pruner(nn::weight_matrices(net), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
  pruner.prune(0.5);
  const auto& m = pruner.matrices();
  std::size_t removed0 = 0, removed1 = 0, removed2 = 0;
  for (std::size_t o = 0; o < 20; ++o) removed0 += output_removed(m[0], o);
  for (std::size_t o = 0; o < 12; ++o) removed1 += output_removed(m[1], o);
  for (std::size_t o = 0; o < 3; ++o) removed2 += output_removed(m[2], o);
  CHECK(removed0 == 10);
  CHECK(removed1 == 6);
  CHECK(removed2 == 0);
  const auto report = pruner.report();
  CHECK(report[0].removed == 10);
  CHECK(report[0].zeros == 60);
  CHECK(report[2].removed == 0);
  CHECK(report[2].zeros == 0);

  // Convolution channels are output-major.
  PruneCnn cnn;
  nn::init_weights(cnn, 2);
  nn::Pruner channels(nn::weight_matrices(cnn), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
  channels.prune(0.5);
  std::size_t removed_channels = 0;
  for (std::size_t o = 0; o < 4; ++o) removed_channels += output_removed(channels.matrices()[0], o);
  CHECK(removed_channels == 2);
}

TEST_CASE("The pruned export leaves removed neurons out and computes the same outputs",
          "[nn/prune]") {
  SECTION("ReLU and Tanh between Dense layers") {
    PruneMlp net(8);
    nn::init_weights(net, 7);
    for (float& b : net.layer<0>().bias) b = 0.3f;  // removed neurons still feed constants
    for (float& b : net.layer<2>().bias) b = -0.2f;
    nn::Pruner pruner(nn::weight_matrices(net), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
    pruner.prune(0.5);
    const std::string bytes = nn::to_onnx_pruned(net);
    const inlay::onnx::ModelProto proto = inlay::onnx::parse_model(bytes.data(), bytes.size());
    std::vector<std::vector<std::int64_t>> dims;
    for (const auto& t : proto.graph.initializer) {
      if (t.dims.size() == 2) dims.emplace_back(t.dims.begin(), t.dims.end());
    }
    REQUIRE(dims.size() == 3);
    CHECK(dims[0] == std::vector<std::int64_t>{6, 10});
    CHECK(dims[1] == std::vector<std::int64_t>{10, 6});
    CHECK(dims[2] == std::vector<std::int64_t>{6, 3});
    CHECK(bytes.size() < net.to_onnx().size());

    const std::vector<float> x = inlay_test::random_floats(8 * 6, 3);
    std::vector<float> want(8 * 3);
    net.forward(x.data(), 8, want.data());
    inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
    const inlay::Tensor got = session.run({inlay::Tensor::view(x.data(), inlay::Shape{8, 6})})[0];
    REQUIRE(got.numel() == 24);
    inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
  }
  SECTION("Sigmoid maps a removed neuron to 0.5, folded into the next bias") {
    Sig net(4);
    nn::init_weights(net, 8);
    nn::Pruner pruner(nn::weight_matrices(net), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
    pruner.prune(0.4);
    const std::string bytes = nn::to_onnx_pruned(net);
    const std::vector<float> x = inlay_test::random_floats(4 * 5, 4);
    std::vector<float> want(4 * 4);
    net.forward(x.data(), 4, want.data());
    inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
    const inlay::Tensor got = session.run({inlay::Tensor::view(x.data(), inlay::Shape{4, 5})})[0];
    REQUIRE(got.numel() == 16);
    inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
    const inlay::onnx::ModelProto proto = inlay::onnx::parse_model(bytes.data(), bytes.size());
    CHECK(proto.graph.initializer[0].dims[1] == 6);
  }
}

TEST_CASE("Pruner rejects a sparsity outside [0, 1) and networks without weights", "[nn/prune]") {
  PruneMlp net;
  nn::Pruner pruner(nn::weight_matrices(net));
  CHECK_THROWS_WITH(pruner.prune(1.0), Catch::Contains("sparsity 1.0"));
  CHECK_THROWS_WITH(pruner.prune(-0.1), Catch::Contains("outside [0, 1)"));
  using OneLayer = nn::Sequential<nn::Dense<3, 2>>;
  OneLayer one;
  CHECK_THROWS_WITH(
      nn::Pruner(nn::weight_matrices(one), nn::PruneScope::per_layer, nn::PruneUnit::outputs),
      Catch::Contains("two weight layers"));
}
