// Weight sharing: k-means on hand-made values, centroid fine-tuning, and the compact export
// (inlay's graph door here; ONNX Runtime under the hidden tag [.export_runtime]).
#include <cstdlib>
#include <set>

#include "nn/grad_check.hpp"
#include "nn/ort_runtime.hpp"

namespace nn = inlay::nn;

namespace {
using SharedMlp = nn::Sequential<nn::Dense<6, 16>, nn::ReLU, nn::Dense<16, 3>>;
}

TEST_CASE("k-means with linear init finds hand-made clusters", "[nn/weight_sharing]") {
  // Three tight groups around -1, 0.2 and 3; linear init puts centroids at -1.1, 1.0, 3.1.
  const std::vector<float> v = {-1.1f, -0.9f, -1.0f, 0.1f, 0.3f, 0.2f, 3.0f, 2.9f, 3.1f};
  const nn::Codebook c = nn::kmeans_linear(v.data(), v.size(), 3);
  REQUIRE(c.centroids.size() == 3);
  CHECK(c.centroids[0] == Approx(-1.0f));
  CHECK(c.centroids[1] == Approx(0.2f));
  CHECK(c.centroids[2] == Approx(3.0f));
  CHECK(c.assignments == std::vector<std::uint8_t>{0, 0, 0, 1, 1, 1, 2, 2, 2});
  CHECK(c.iterations >= 1);
}

TEST_CASE("k-means by hand: one Lloyd step moves a centroid, an empty cluster stays put",
          "[nn/weight_sharing]") {
  // Init: 0, 1, 2, 3 over [0, 3]. Values 0, 0.4 -> 0 (0.4 is nearer 0 than 1); 2.6, 3 -> 3;
  // nothing near 1 or 2 (clusters 1 and 2 stay empty at their linear places).
  const std::vector<float> v = {0.0f, 0.4f, 2.6f, 3.0f};
  const nn::Codebook c = nn::kmeans_linear(v.data(), v.size(), 4);
  CHECK(c.centroids[0] == Approx(0.2f));
  CHECK(c.centroids[1] == Approx(1.0f));
  CHECK(c.centroids[2] == Approx(2.0f));
  CHECK(c.centroids[3] == Approx(2.8f));
  CHECK(c.assignments == std::vector<std::uint8_t>{0, 0, 3, 3});
  CHECK_THROWS_WITH(nn::kmeans_linear(v.data(), v.size(), 257), Catch::Contains("1 to 256"));
}

TEST_CASE("Weight sharing leaves k distinct values per layer and fine-tunes the centroids",
          "[nn/weight_sharing]") {
  SharedMlp net(16);
  nn::init_weights(net, 3);
  nn::WeightSharing sharing(nn::weight_matrices(net), 4);
  for (const nn::WeightMatrix& m : sharing.matrices()) {
    const std::set<float> distinct(m.value, m.value + m.size());
    CHECK(distinct.size() <= 4);
    CHECK(distinct.size() >= 3);
  }
  // The centroid gradient is the sum of its weights' gradients.
  const std::vector<float> x = inlay_test::random_floats(16 * 6, 1);
  inlay::data::Rng rng(0);
  nn::RunContext ctx;
  ctx.training = true;
  ctx.rng = &rng;
  net.forward_train(x.data(), 16, ctx);
  const std::vector<float> dy = inlay_test::random_floats(16 * 3, 2);
  net.backward(dy.data(), 16);
  const nn::Codebook before = sharing.codebooks()[1];
  std::vector<double> sum(4, 0.0);
  for (std::size_t i = 0; i < net.layer<2>().weight.size(); ++i) {
    sum[before.assignments[i]] += net.layer<2>().weight_grad[i];
  }
  sharing.fine_tune_step(0.1f);
  const nn::Codebook& after = sharing.codebooks()[1];
  CHECK(after.assignments == before.assignments);
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(after.centroids[j] == Approx(before.centroids[j] - 0.1 * sum[j]).margin(1e-5));
  }
  for (std::size_t i = 0; i < net.layer<2>().weight.size(); ++i) {
    REQUIRE(net.layer<2>().weight[i] == after.centroids[after.assignments[i]]);
  }
}

TEST_CASE("Shared weights hold through fit and the compact export agrees with the network",
          "[nn/weight_sharing]") {
  inlay::data::Rng rng(9);
  inlay::Tensor x(inlay::DType::f32, {96, 6});
  std::vector<std::int64_t> y;
  for (std::int64_t r = 0; r < 96; ++r) {
    for (std::int64_t c = 0; c < 6; ++c) x.data<float>()[r * 6 + c] = rng.normal();
    y.push_back(x.data<float>()[r * 6] > 0 ? 1 : 0);
  }
  SharedMlp net(8);
  nn::init_weights(net, 2);
  nn::WeightSharing sharing(nn::weight_matrices(net), 5);
  nn::Adam adam(1e-2f);
  nn::FitOptions o;
  o.epochs = 3;
  o.init_weights = false;
  o.progress = nullptr;
  o.restore_best_weights = false;
  sharing.attach(o, 1e-3f);
  nn::fit(net, x, nn::labels_view(y), nn::CrossEntropy(), adam, o);
  for (const nn::WeightMatrix& m : sharing.matrices()) {
    CHECK(std::set<float>(m.value, m.value + m.size()).size() <= 5);
  }

  const std::string bytes = nn::to_onnx_shared(net, sharing);
  CHECK(bytes.size() < net.to_onnx().size());
  const inlay::onnx::ModelProto proto = inlay::onnx::parse_model(bytes.data(), bytes.size());
  std::size_t gathers = 0;
  for (const auto& n : proto.graph.node) gathers += n.op_type == "Gather";
  CHECK(gathers == 2);
  const std::vector<float> input = inlay_test::random_floats(8 * 6, 5);
  std::vector<float> want(8 * 3);
  net.forward(input.data(), 8, want.data());
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  const inlay::Tensor got = session.run({inlay::Tensor::view(input.data(), inlay::Shape{8, 6})})[0];
  REQUIRE(got.numel() == 24);
  inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
}

TEST_CASE("A WeightSharing of another network is refused by the export", "[nn/weight_sharing]") {
  SharedMlp net;
  nn::init_weights(net, 1);
  using Wider = nn::Sequential<nn::Dense<6, 20>, nn::ReLU, nn::Dense<20, 3>>;
  Wider other;
  nn::init_weights(other, 1);
  const nn::WeightSharing sharing(nn::weight_matrices(other), 4);
  CHECK_THROWS_WITH(nn::to_onnx_shared(net, sharing), Catch::Contains("another network"));
}

TEST_CASE("ONNX Runtime runs the shared-weight and pruned exports like the typed network",
          "[.export_runtime]") {
  SharedMlp net(4);
  nn::init_weights(net, 11);
  nn::WeightSharing sharing(nn::weight_matrices(net), 16);
  const std::vector<float> x = inlay_test::random_floats(4 * 6, 6);
  std::vector<float> want(4 * 3);
  net.forward(x.data(), 4, want.data());
  const inlay::Tensor input = inlay::Tensor::view(x.data(), inlay::Shape{4, 6});

  SharedMlp pruned_net = net;
  nn::Pruner pruner(nn::weight_matrices(pruned_net), nn::PruneScope::per_layer,
                    nn::PruneUnit::outputs);
  pruner.prune(0.5);
  std::vector<float> want_pruned(4 * 3);
  pruned_net.forward(x.data(), 4, want_pruned.data());

  const std::string models[2] = {nn::to_onnx_shared(net, sharing), nn::to_onnx_pruned(pruned_net)};
  const std::vector<float>* wants[2] = {&want, &want_pruned};
  for (int k = 0; k < 2; ++k) {
    const inlay::Tensor got = inlay_test::ort_output(
        std::string("compress_") + (k == 0 ? "shared" : "pruned"), models[k], input);
    REQUIRE(got.numel() == 12);
    inlay_test::check_close(got.data<float>(), wants[k]->data(), 12, 1e-4f, 1e-5f);
  }
}

// Recurrent W and R, attention projections and the encoder's nested Dense layers share too.
namespace {
using SharedLstmNet = nn::Sequential<nn::LSTM<3, 5, 4, false>, nn::Dense<5, 3>>;
using SharedGruNet = nn::Sequential<nn::GRU<3, 5, 4>, nn::SequenceMean, nn::Dense<5, 3>>;
using SharedEncoderNet =
    nn::Sequential<nn::Input<4, 6>, nn::TransformerEncoderBlock<4, 6, 3, 10>,
                   nn::TimeDistributed<nn::Dense<6, 4>>, nn::SequenceMean, nn::Dense<4, 3>>;

// Each matrix holds at most k values and every weight is its centroid.
void check_shared_values(const nn::WeightSharing& sharing, std::size_t k) {
  for (std::size_t j = 0; j < sharing.matrices().size(); ++j) {
    const nn::WeightMatrix& m = sharing.matrices()[j];
    const nn::Codebook& c = sharing.codebooks()[j];
    INFO(m.name);
    CHECK(std::set<float>(m.value, m.value + m.size()).size() <= k);
    std::size_t off = 0;
    for (std::size_t i = 0; i < m.size(); ++i) off += m.value[i] != c.centroids[c.assignments[i]];
    CHECK(off == 0);
  }
}

// Clusters every matrix of net into k values, fine-tunes in fit, and runs the compact export in
// the graph door against the typed forward. `expected` lists the matrix names.
template <class Net>
void check_shared_network(Net& net, std::size_t seq, std::size_t width, std::size_t k,
                          const std::vector<std::string>& expected, std::uint64_t seed) {
  nn::init_weights(net, seed);
  nn::WeightSharing sharing(nn::weight_matrices(net), k);
  std::vector<std::string> names;
  for (const nn::WeightMatrix& m : sharing.matrices()) names.push_back(m.name);
  CHECK(names == expected);
  check_shared_values(sharing, k);

  const std::size_t rows = 48, in = seq * width;
  inlay::data::Rng rng(seed + 1);
  inlay::Tensor x(inlay::DType::f32,
                  {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(in)});
  std::vector<std::int64_t> y;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < in; ++c) x.data<float>()[r * in + c] = rng.normal();
    y.push_back(x.data<float>()[r * in] > 0 ? 2 : 0);
  }
  const std::vector<nn::Codebook> before = sharing.codebooks();
  nn::Adam adam(1e-2f);
  nn::FitOptions o;
  o.epochs = 2;
  o.batch_size = 16;
  o.init_weights = false;
  o.progress = nullptr;
  o.restore_best_weights = false;
  sharing.attach(o, 1e-3f);
  nn::fit(net, x, nn::labels_view(y), nn::CrossEntropy(), adam, o);
  check_shared_values(sharing, k);
  std::size_t moved = 0;  // fine-tuning moved the centroids of the new matrices too
  for (std::size_t j = 0; j < before.size(); ++j) {
    moved += sharing.codebooks()[j].centroids != before[j].centroids;
  }
  CHECK(moved == before.size());

  const std::string bytes = nn::to_onnx_shared(net, sharing);
  const std::vector<float> input = inlay_test::random_floats(4 * in, 7);
  std::vector<float> want(4 * 3);
  net.forward(input.data(), 4, want.data());
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  const inlay::Tensor got = session.run(
      {inlay::Tensor::view(input.data(), inlay::Shape{4, static_cast<std::int64_t>(seq),
                                                      static_cast<std::int64_t>(width)})})[0];
  REQUIRE(got.numel() == 12);
  inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
}
}  // namespace

TEST_CASE("Weight sharing reaches recurrent, attention and nested weights", "[nn/weight_sharing]") {
  SECTION("LSTM") {
    SharedLstmNet net(16);
    check_shared_network(net, 4, 3, 4, {"0.weight", "0.recurrent", "1.weight"}, 51);
  }
  SECTION("GRU") {
    SharedGruNet net(16);
    check_shared_network(net, 4, 3, 3, {"0.weight", "0.recurrent", "2.weight"}, 52);
  }
  SECTION("Transformer encoder") {
    SharedEncoderNet net(16);
    check_shared_network(net, 4, 6, 4,
                         {"0.0.1.q_weight", "0.0.1.k_weight", "0.0.1.v_weight", "0.0.1.out_weight",
                          "0.1.1.0.weight", "0.1.1.2.weight", "1.weight", "3.weight"},
                         53);
  }
}
