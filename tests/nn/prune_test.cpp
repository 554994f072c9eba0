// Magnitude pruning: exact sparsity, masks through training, the schedule, the report, and the
// structured export that leaves the removed neurons out.
#include <algorithm>
#include <cmath>

#include "nn/graph_door_check.hpp"
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

// Recurrent, attention and nested weights (nn::weight_matrices walks Residual, TimeDistributed
// and inner Sequentials, so a TransformerEncoderBlock's attention and feed-forward are found).
namespace {
using PruneLstmNet = nn::Sequential<nn::LSTM<3, 6, 5, false>, nn::Dense<6, 3>>;
using PruneGruNet = nn::Sequential<nn::GRU<3, 6, 5>, nn::SequenceMean, nn::Dense<6, 3>>;
using PruneEncoderNet =
    nn::Sequential<nn::Input<4, 6>, nn::TransformerEncoderBlock<4, 6, 2, 8>,
                   nn::TimeDistributed<nn::Dense<6, 5>>, nn::SequenceMean, nn::Dense<5, 3>>;

// The weights (decay on) params() lists, which must be exactly the matrices, in the same order.
template <class Net>
void check_matrices_are_weights(Net& net) {
  const std::vector<nn::WeightMatrix> m = nn::weight_matrices(net);
  std::vector<nn::Param> weights;
  for (const nn::Param& p : net.params()) {
    if (p.decay) weights.push_back(p);
  }
  REQUIRE(m.size() == weights.size());
  for (std::size_t k = 0; k < m.size(); ++k) {
    INFO(weights[k].name);
    CHECK(m[k].name == weights[k].name);
    CHECK(m[k].value == weights[k].value);
    CHECK(m[k].grad == weights[k].grad);
    CHECK(m[k].size() == weights[k].size);
  }
}

// Per-layer pruning to `sparsity`, then a few epochs of fit: every matrix reports exactly that
// sparsity, its masked weights stay zero and training still moves the kept ones.
template <class Net>
void check_pruned_fit(Net& net, std::size_t in_width, double sparsity, std::uint64_t seed) {
  nn::init_weights(net, seed);
  nn::Pruner pruner(nn::weight_matrices(net));
  pruner.prune(sparsity);
  for (const nn::LayerSparsity& l : pruner.report()) {
    INFO(l.name);
    CHECK(l.zeros == static_cast<std::size_t>(std::llround(sparsity * l.weights)));
    CHECK(l.sparsity() == Approx(sparsity).margin(0.5 / l.weights));
  }
  const auto masks = pruner.masks();
  std::vector<std::vector<float>> before;
  for (const nn::WeightMatrix& m : pruner.matrices())
    before.emplace_back(m.value, m.value + m.size());
  const PruneData d = prune_data(64, in_width, seed + 1);
  nn::Adam adam(1e-2f);
  nn::FitOptions o;
  o.epochs = 3;
  o.batch_size = 16;
  o.init_weights = false;
  o.progress = nullptr;
  o.restore_best_weights = false;
  pruner.attach(o, nn::PruneSchedule{sparsity, sparsity, 0, 1, 1});
  nn::fit(net, d.x, nn::labels_view(d.y), nn::CrossEntropy(), adam, o);
  for (std::size_t k = 0; k < pruner.matrices().size(); ++k) {
    const nn::WeightMatrix& m = pruner.matrices()[k];
    INFO(m.name);
    std::size_t revived = 0, moved = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
      revived += masks[k][i] == 0 && m.value[i] != 0.0f;
      moved += masks[k][i] == 1 && m.value[i] != before[k][i];
    }
    CHECK(revived == 0);
    CHECK(moved > 0);
  }
}

}  // namespace

TEST_CASE("weight_matrices finds recurrent, attention and nested weights under params() names",
          "[nn/prune]") {
  PruneLstmNet lstm;
  check_matrices_are_weights(lstm);
  const std::vector<nn::WeightMatrix> l = nn::weight_matrices(lstm);
  REQUIRE(l.size() == 3);
  CHECK(l[0].name == "0.weight");  // W [4 Hidden, In]: a gate row per output
  CHECK(l[0].outputs == 24);
  CHECK(l[0].fan_in == 3);
  CHECK(l[0].output_major);
  CHECK(l[0].at(5, 2) == 5 * 3 + 2);
  CHECK(l[0].bias == lstm.layer<0>().bias.data());
  CHECK(l[1].name == "0.recurrent");  // R [4 Hidden, Hidden]
  CHECK(l[1].outputs == 24);
  CHECK(l[1].fan_in == 6);
  CHECK(l[1].output_major);
  CHECK(l[1].bias == nullptr);
  CHECK(l[1].value == lstm.layer<0>().recurrent.data());
  CHECK(l[2].name == "1.weight");
  CHECK_FALSE(l[2].nested);

  PruneGruNet gru;
  check_matrices_are_weights(gru);
  const std::vector<nn::WeightMatrix> g = nn::weight_matrices(gru);
  REQUIRE(g.size() == 3);
  CHECK(g[0].outputs == 18);
  CHECK(g[1].fan_in == 6);
  CHECK(g[1].bias == gru.layer<0>().recurrent_bias.data());
  CHECK(g[2].name == "2.weight");

  PruneEncoderNet enc;
  check_matrices_are_weights(enc);
  const std::vector<nn::WeightMatrix> e = nn::weight_matrices(enc);
  // Attention q, k, v, out; feed-forward in and out; TimeDistributed's Dense; the head.
  REQUIRE(e.size() == 8);
  CHECK(e[0].name == "0.0.1.q_weight");
  CHECK(e[0].value == enc.layer<0>().attention().weight[0].data());
  CHECK(e[3].name == "0.0.1.out_weight");
  CHECK(e[3].layer == 0);
  CHECK(e[3].nested);
  CHECK_FALSE(e[3].output_major);  // [in, out] as Dense
  CHECK(e[4].value == enc.layer<0>().ffn_in().weight.data());
  CHECK(e[4].outputs == 8);
  CHECK(e[4].fan_in == 6);
  CHECK(e[5].value == enc.layer<0>().ffn_out().weight.data());
  CHECK(e[5].outputs == 6);
  CHECK(e[5].fan_in == 8);
  CHECK(e[6].name == "1.weight");
  CHECK(e[6].layer == 1);
  CHECK(e[6].nested);
  CHECK(e[7].name == "3.weight");
  CHECK_FALSE(e[7].nested);

  // A Residual around an inner Sequential, two levels deep.
  nn::Sequential<nn::Input<4>,
                 nn::Residual<nn::Sequential<nn::Input<4>, nn::Dense<4, 4>, nn::ReLU,
                                             nn::Residual<nn::Dense<4, 4>>>>,
                 nn::Dense<4, 2>>
      deep;
  check_matrices_are_weights(deep);
  const std::vector<nn::WeightMatrix> r = nn::weight_matrices(deep);
  REQUIRE(r.size() == 3);
  CHECK(r[0].name == "0.0.weight");
  CHECK(r[1].name == "0.2.weight");
  CHECK(r[1].value == deep.layer<0>().block.layer<2>().block.weight.data());
}

TEST_CASE("Recurrent and attention weights prune per layer and stay pruned through fit",
          "[nn/prune]") {
  SECTION("LSTM") {
    PruneLstmNet net(16);
    check_pruned_fit(net, 15, 0.6, 11);
  }
  SECTION("GRU") {
    PruneGruNet net(16);
    check_pruned_fit(net, 15, 0.5, 12);
  }
  SECTION("Transformer encoder") {
    PruneEncoderNet net(16);
    check_pruned_fit(net, 24, 0.7, 13);
  }
}

TEST_CASE("Global pruning ranks recurrent, attention and Dense weights together", "[nn/prune]") {
  PruneEncoderNet net;
  nn::init_weights(net, 21);
  for (float& w : net.layer<0>().ffn_in().weight) w *= 4.0f;  // this one should lose few
  std::vector<std::vector<float>> before;
  for (const nn::WeightMatrix& m : nn::weight_matrices(net)) {
    before.emplace_back(m.value, m.value + m.size());
  }
  nn::Pruner pruner(nn::weight_matrices(net), nn::PruneScope::global);
  pruner.prune(0.5);
  std::size_t total = 0, zero = 0;
  float largest_pruned = 0.0f, smallest_kept = INFINITY;
  for (std::size_t k = 0; k < pruner.matrices().size(); ++k) {
    const nn::WeightMatrix& m = pruner.matrices()[k];
    for (std::size_t i = 0; i < m.size(); ++i) {
      const float a = std::fabs(before[k][i]);
      if (m.value[i] == 0.0f) {
        largest_pruned = std::max(largest_pruned, a);
      } else {
        smallest_kept = std::min(smallest_kept, a);
      }
    }
    total += m.size();
    zero += zeros(m);
  }
  CHECK(zero == static_cast<std::size_t>(std::llround(0.5 * static_cast<double>(total))));
  CHECK(largest_pruned <= smallest_kept);
  const auto report = pruner.report();
  CHECK(report[4].name == "0.1.1.0.weight");  // the scaled feed-forward Dense: per layer it
  CHECK(report[4].sparsity() < 0.3);          // would lose half

  PruneLstmNet lstm;
  nn::init_weights(lstm, 22);
  for (float& w : lstm.layer<0>().recurrent) w *= 0.1f;  // R is the smallest: pruned first
  nn::Pruner ranked(nn::weight_matrices(lstm), nn::PruneScope::global);
  ranked.prune(0.7);  // 164 of 234 weights: R's 144 and the 20 smallest of the rest
  CHECK(ranked.report()[1].sparsity() > 0.95);
  CHECK(ranked.report()[0].sparsity() < 0.5);
}

TEST_CASE("Pruned recurrent and encoder networks export and run in the graph door", "[nn/prune]") {
  SECTION("unstructured, nn::to_onnx") {
    PruneLstmNet lstm(4);
    nn::init_weights(lstm, 31);
    nn::Pruner(nn::weight_matrices(lstm)).prune(0.6);
    nn_test::check_export_runs(lstm, lstm.to_onnx(), inlay::Shape{4, 5, 3}, 32);
    PruneGruNet gru(4);
    nn::init_weights(gru, 33);
    nn::Pruner(nn::weight_matrices(gru), nn::PruneScope::global).prune(0.6);
    nn_test::check_export_runs(gru, gru.to_onnx(), inlay::Shape{4, 5, 3}, 34);
    PruneEncoderNet enc(4);
    nn::init_weights(enc, 35);
    nn::Pruner(nn::weight_matrices(enc)).prune(0.6);
    nn_test::check_export_runs(enc, enc.to_onnx(), inlay::Shape{4, 4, 6}, 36);
  }
  SECTION("structured, nn::to_onnx_pruned keeps gate rows and projections as zeros") {
    PruneLstmNet lstm(4);
    nn::init_weights(lstm, 41);
    nn::Pruner rows(nn::weight_matrices(lstm), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
    rows.prune(0.5);
    const auto lr = rows.report();
    CHECK(lr[0].removed == 12);  // of 24 gate rows
    CHECK(lr[1].removed == 12);
    CHECK(lr[2].removed == 0);  // the network's outputs
    // Gate rows of W [24, 3] are contiguous: read them from the layer itself, not via at().
    const std::vector<float>& w = lstm.layer<0>().weight;
    std::size_t removed_rows = 0;
    for (std::size_t o = 0; o < 24; ++o) {
      removed_rows +=
          std::all_of(w.begin() + 3 * o, w.begin() + 3 * o + 3, [](float v) { return v == 0.0f; });
    }
    CHECK(removed_rows == 12);
    nn_test::check_export_runs(lstm, nn::to_onnx_pruned(lstm), inlay::Shape{4, 5, 3}, 42);

    PruneGruNet gru(4);
    nn::init_weights(gru, 43);
    nn::Pruner(nn::weight_matrices(gru), nn::PruneScope::global, nn::PruneUnit::outputs).prune(0.5);
    nn_test::check_export_runs(gru, nn::to_onnx_pruned(gru), inlay::Shape{4, 5, 3}, 44);

    PruneEncoderNet enc(4);
    nn::init_weights(enc, 45);
    for (float& b : enc.layer<0>().ffn_in().bias) b = 0.25f;  // removed neurons pass constants
    nn::Pruner neurons(nn::weight_matrices(enc), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
    neurons.prune(0.5);
    const auto er = neurons.report();
    CHECK(er[0].removed == 3);  // q projection: 3 of 6 columns
    CHECK(er[4].removed == 4);  // feed-forward: 4 of 8 hidden neurons
    CHECK(er[7].removed == 0);
    // A removed hidden neuron is a column of ffn_in's [6, 8] weights.
    const std::vector<float>& f = enc.layer<0>().ffn_in().weight;
    std::size_t removed_columns = 0;
    for (std::size_t o = 0; o < 8; ++o) {
      bool all = true;
      for (std::size_t i = 0; i < 6; ++i) all = all && f[i * 8 + o] == 0.0f;
      removed_columns += all;
    }
    CHECK(removed_columns == 4);
    nn_test::check_export_runs(enc, nn::to_onnx_pruned(enc), inlay::Shape{4, 4, 6}, 46);
  }
}
