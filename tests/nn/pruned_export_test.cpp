// nn::to_onnx_pruned on convolutional and Transformer networks: the removed channels and hidden
// units leave the exported weights, and the graph door still computes the typed network. Also
// Embedding and LearnedPositions tables in nn::weight_matrices.
#include <algorithm>
#include <cmath>

#include "nn/graph_door_check.hpp"
#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

namespace {
using ConvPoolNet =
    nn::Sequential<nn::Input<2, 10, 10>, nn::Conv2D<2, 8, 3>, nn::ReLU, nn::MaxPool2D<2>,
                   nn::Conv2D<8, 6, 3>, nn::ReLU, nn::Flatten, nn::Dense<24, 3>>;
using PaddedNextNet = nn::Sequential<nn::Input<2, 8, 8>, nn::Conv2D<2, 6, 3>, nn::ReLU,
                                     nn::Conv2D<6, 4, 3, 1, 1>, nn::Flatten, nn::Dense<144, 3>>;
using NormGapNet = nn::Sequential<nn::Input<1, 6, 6>, nn::Conv2D<1, 6, 3, 1, 1>, nn::BatchNorm,
                                  nn::ReLU, nn::AvgPool2D<2>, nn::GlobalAvgPool, nn::Dense<6, 3>>;
using Conv1dNet = nn::Sequential<nn::Input<3, 12>, nn::Conv1D<3, 8, 3>, nn::Tanh,
                                 nn::Conv1D<8, 4, 3>, nn::Flatten, nn::Dense<32, 2>>;
using DepthwiseNextNet = nn::Sequential<nn::Input<1, 6, 6>, nn::Conv2D<1, 6, 3>, nn::ReLU,
                                        nn::DepthwiseConv2D<6, 3>, nn::Flatten, nn::Dense<24, 3>>;
using FfnNet = nn::Sequential<
    nn::Input<4, 6>,
    nn::TimeDistributed<nn::Sequential<nn::Dense<6, 10>, nn::GELU, nn::Dense<10, 6>>>, nn::Flatten,
    nn::Dense<24, 3>>;
using EncoderFfnNet = nn::Sequential<nn::Input<4, 6>, nn::TransformerEncoderBlock<4, 6, 2, 8>,
                                     nn::Flatten, nn::Dense<24, 3>>;
using PaddedPoolNet =
    nn::Sequential<nn::Input<1, 8, 8>, nn::Conv2D<1, 4, 3>, nn::ReLU, nn::AvgPool2D<2, 2, 1>,
                   nn::Conv2D<4, 4, 2>, nn::Flatten, nn::Dense<36, 2>>;
using DenseNormNet =
    nn::Sequential<nn::Input<6>, nn::Dense<6, 10>, nn::BatchNorm, nn::ReLU, nn::Dense<10, 3>>;
using TableNet = nn::Sequential<nn::Embedding<10, 4, 5>, nn::LearnedPositions<5, 4>, nn::Flatten,
                                nn::Dense<20, 8>, nn::ReLU, nn::Dense<8, 3>>;

// The shapes of the exported weights (initializers of rank 2 or more), in graph order.
std::vector<std::vector<std::int64_t>> exported_weight_dims(const std::string& bytes) {
  const inlay::onnx::ModelProto proto = inlay::onnx::parse_model(bytes.data(), bytes.size());
  std::vector<std::vector<std::int64_t>> dims;
  for (const auto& t : proto.graph.initializer) {
    if (t.dims.size() >= 2) dims.emplace_back(t.dims.begin(), t.dims.end());
  }
  return dims;
}

// Structured pruning of every weight matrix but the last to `fraction` of its outputs.
template <class Net>
std::vector<nn::LayerSparsity> prune_outputs(Net& net, double fraction) {
  nn::Pruner pruner(nn::weight_matrices(net), nn::PruneScope::per_layer, nn::PruneUnit::outputs);
  pruner.prune(fraction);
  return pruner.report();
}

// Output channels of a convolution whose weights are all zero.
std::vector<bool> zero_channels(const std::vector<float>& w, std::size_t channels) {
  const std::size_t per = w.size() / channels;
  std::vector<bool> out(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    out[c] = std::all_of(w.begin() + static_cast<std::ptrdiff_t>(c * per),
                         w.begin() + static_cast<std::ptrdiff_t>((c + 1) * per),
                         [](float v) { return v == 0.0f; });
  }
  return out;
}
}  // namespace

TEST_CASE("The pruned export shrinks convolutions and the layers that read them",
          "[nn/pruned_export]") {
  SECTION("Conv2D, ReLU, MaxPool2D, Conv2D, Flatten, Dense") {
    ConvPoolNet net(4);
    nn::init_weights(net, 3);
    for (float& b : net.layer<0>().bias) b = 0.3f;  // removed channels carry constant planes
    for (float& b : net.layer<3>().bias) b = -0.2f;
    const auto report = prune_outputs(net, 0.5);
    CHECK(report[0].removed == 4);
    CHECK(report[1].removed == 3);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 3);
    CHECK(dims[0] == std::vector<std::int64_t>{4, 2, 3, 3});
    CHECK(dims[1] == std::vector<std::int64_t>{3, 4, 3, 3});
    CHECK(dims[2] == std::vector<std::int64_t>{12, 3});  // 3 channels of 2 x 2
    CHECK(bytes.size() < net.to_onnx().size());
    nn_test::check_export_runs(net, bytes, inlay::Shape{4, 2, 10, 10}, 5);
  }
  SECTION("Conv1D, Tanh, Conv1D, Flatten, Dense") {
    Conv1dNet net(3);
    nn::init_weights(net, 6);
    for (float& b : net.layer<0>().bias) b = 0.4f;  // tanh(0.4): folded through the taps
    prune_outputs(net, 0.5);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 3);
    CHECK(dims[0] == std::vector<std::int64_t>{4, 3, 3});
    CHECK(dims[1] == std::vector<std::int64_t>{2, 4, 3});
    CHECK(dims[2] == std::vector<std::int64_t>{16, 2});
    nn_test::check_export_runs(net, bytes, inlay::Shape{3, 3, 12}, 7);
  }
  SECTION("BatchNorm and pooling between a convolution and GlobalAvgPool, Dense") {
    NormGapNet net(4);
    nn::init_weights(net, 8);
    auto& bn = net.layer<1>();
    const std::vector<float> r = inlay_test::random_floats(24, 9);
    for (std::size_t c = 0; c < 6; ++c) {
      net.layer<0>().bias[c] = 0.1f * static_cast<float>(c);
      bn.scale[c] = 1.0f + r[c];
      bn.bias[c] = 2.0f + r[6 + c];  // positive after ReLU: constants reach the Dense layer
      bn.running_mean[c] = 0.5f * r[12 + c];
      bn.running_var[c] = 1.0f + 0.5f * r[18 + c];
    }
    prune_outputs(net, 0.5);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 2);
    CHECK(dims[0] == std::vector<std::int64_t>{3, 1, 3, 3});
    CHECK(dims[1] == std::vector<std::int64_t>{3, 3});
    nn_test::check_export_runs(net, bytes, inlay::Shape{4, 1, 6, 6}, 10);
  }
}

TEST_CASE("Pruned exports of edge cases compute the typed network", "[nn/pruned_export]") {
  SECTION("global pruning may empty a layer but one channel") {
    ConvPoolNet net(2);
    nn::init_weights(net, 21);
    for (float& b : net.layer<0>().bias) b = 0.2f;
    for (float& b : net.layer<3>().bias) b = 0.1f;
    nn::Pruner(nn::weight_matrices(net), nn::PruneScope::global, nn::PruneUnit::outputs).prune(0.9);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 3);
    CHECK(dims[0][0] + dims[1][0] <= 3);  // 13 of 14 channels removed, each layer keeps one
    nn_test::check_export_runs(net, bytes, inlay::Shape{2, 2, 10, 10}, 22);
  }
  SECTION("padded average pooling between convolutions") {
    PaddedPoolNet net(2);
    nn::init_weights(net, 23);
    for (float& b : net.layer<0>().bias) b = 0.3f;
    prune_outputs(net, 0.5);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 3);
    CHECK(dims[0] == std::vector<std::int64_t>{2, 1, 3, 3});  // the pads are not averaged in
    nn_test::check_export_runs(net, bytes, inlay::Shape{2, 1, 8, 8}, 24);
  }
  SECTION("BatchNorm between Dense layers") {
    DenseNormNet net(3);
    nn::init_weights(net, 25);
    const std::vector<float> r = inlay_test::random_floats(40, 26);
    for (std::size_t c = 0; c < 10; ++c) {
      net.layer<1>().scale[c] = 1.0f + r[c];
      net.layer<1>().bias[c] = 1.0f + r[10 + c];
      net.layer<1>().running_mean[c] = r[20 + c];
      net.layer<1>().running_var[c] = 1.5f + r[30 + c];
    }
    prune_outputs(net, 0.5);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 2);
    CHECK(dims[0] == std::vector<std::int64_t>{6, 5});
    CHECK(dims[1] == std::vector<std::int64_t>{5, 3});
    nn_test::check_export_runs(net, bytes, inlay::Shape{3, 6}, 27);
  }
}

TEST_CASE("A removed channel stays where the next convolution zero-pads a nonzero constant",
          "[nn/pruned_export]") {
  PaddedNextNet net(2);
  nn::init_weights(net, 11);
  prune_outputs(net, 0.5);
  const std::vector<bool> zero = zero_channels(net.layer<0>().weight, 6);
  REQUIRE(std::count(zero.begin(), zero.end(), true) == 3);
  // The first removed channel is ReLU(-0.5) = 0, which the padding cannot tell from the border;
  // the other two ReLU(0.5) = 0.5, a plane the padding would break: they stay.
  bool first = true;
  for (std::size_t c = 0; c < 6; ++c) {
    net.layer<0>().bias[c] = zero[c] && first ? -0.5f : 0.5f;
    first = first && !zero[c];
  }
  const std::string bytes = nn::to_onnx_pruned(net);
  const auto dims = exported_weight_dims(bytes);
  REQUIRE(dims.size() == 3);
  CHECK(dims[0] == std::vector<std::int64_t>{5, 2, 3, 3});
  CHECK(dims[1] == std::vector<std::int64_t>{2, 5, 3, 3});
  CHECK(dims[2] == std::vector<std::int64_t>{72, 3});
  nn_test::check_export_runs(net, bytes, inlay::Shape{2, 2, 8, 8}, 12);
}

TEST_CASE("A convolution before a depthwise one keeps its channels in the pruned export",
          "[nn/pruned_export]") {
  DepthwiseNextNet net(2);
  nn::init_weights(net, 13);
  for (float& b : net.layer<0>().bias) b = 0.2f;
  const auto report = prune_outputs(net, 0.5);
  CHECK(report[0].removed == 3);
  CHECK(report[1].removed == 3);
  const std::string bytes = nn::to_onnx_pruned(net);
  const auto dims = exported_weight_dims(bytes);
  REQUIRE(dims.size() == 3);
  CHECK(dims[0] == std::vector<std::int64_t>{6, 1, 3, 3});
  CHECK(dims[1] == std::vector<std::int64_t>{6, 1, 3, 3});
  nn_test::check_export_runs(net, bytes, inlay::Shape{2, 1, 6, 6}, 14);
}

TEST_CASE("The pruned export shrinks feed-forward networks inside TimeDistributed blocks",
          "[nn/pruned_export]") {
  SECTION("TimeDistributed<Sequential<Dense, GELU, Dense>>") {
    FfnNet net(3);
    nn::init_weights(net, 15);
    for (float& b : net.layer<0>().layer.layer<0>().bias) b = 0.3f;  // GELU(0.3) folded
    const auto report = prune_outputs(net, 0.5);
    CHECK(report[0].removed == 5);
    const std::string bytes = nn::to_onnx_pruned(net);
    const auto dims = exported_weight_dims(bytes);
    REQUIRE(dims.size() == 3);
    CHECK(dims[0] == std::vector<std::int64_t>{6, 5});
    CHECK(dims[1] == std::vector<std::int64_t>{5, 6});
    CHECK(dims[2] == std::vector<std::int64_t>{24, 3});
    nn_test::check_export_runs(net, bytes, inlay::Shape{3, 4, 6}, 16);
  }
  SECTION("TransformerEncoderBlock") {
    EncoderFfnNet net(3);
    nn::init_weights(net, 17);
    for (float& b : net.layer<0>().ffn_in().bias) b = 0.25f;
    const auto report = prune_outputs(net, 0.5);
    CHECK(report[4].removed == 4);  // 4 of the 8 hidden units
    const std::string bytes = nn::to_onnx_pruned(net);
    std::size_t narrow_in = 0, narrow_out = 0, wide = 0;
    for (const auto& d : exported_weight_dims(bytes)) {
      narrow_in += d == std::vector<std::int64_t>{6, 4};
      narrow_out += d == std::vector<std::int64_t>{4, 6};
      wide += d == std::vector<std::int64_t>{6, 8} || d == std::vector<std::int64_t>{8, 6};
    }
    CHECK(narrow_in == 1);
    CHECK(narrow_out == 1);
    CHECK(wide == 0);
    nn_test::check_export_runs(net, bytes, inlay::Shape{3, 4, 6}, 18);
  }
}

TEST_CASE("Embedding and LearnedPositions tables prune and share, but only unstructured",
          "[nn/pruned_export]") {
  TableNet net(2);
  nn::init_weights(net, 19);
  const std::vector<nn::WeightMatrix> m = nn::weight_matrices(net);
  REQUIRE(m.size() == 4);
  CHECK(m[0].name == "0.weight");
  CHECK(m[0].outputs == 4);
  CHECK(m[0].fan_in == 10);
  CHECK(m[0].value == net.layer<0>().weight.data());
  CHECK(m[0].bias == nullptr);
  CHECK_FALSE(m[0].structured);
  CHECK(m[1].name == "1.weight");
  CHECK(m[1].fan_in == 5);
  CHECK_FALSE(m[1].structured);
  CHECK(m[2].structured);

  SECTION("unstructured pruning masks the tables too") {
    nn::Pruner pruner(nn::weight_matrices(net));
    pruner.prune(0.5);
    CHECK(std::count(net.layer<0>().weight.begin(), net.layer<0>().weight.end(), 0.0f) == 20);
    CHECK(std::count(net.layer<1>().weight.begin(), net.layer<1>().weight.end(), 0.0f) == 10);
  }
  SECTION("structured pruning leaves the tables whole") {
    const auto report = prune_outputs(net, 0.5);
    CHECK(report[0].zeros == 0);
    CHECK(report[1].zeros == 0);
    CHECK(report[2].removed == 4);
    CHECK(report[3].removed == 0);
  }
  SECTION("weight sharing gives the tables a few values") {
    nn::WeightSharing sharing(nn::weight_matrices(net), 4);
    std::vector<float> values = net.layer<0>().weight;
    std::sort(values.begin(), values.end());
    CHECK(std::unique(values.begin(), values.end()) - values.begin() <= 4);
  }
  SECTION("structured pruning needs two weight layers besides the tables") {
    nn::Sequential<nn::Embedding<10, 4, 5>, nn::Flatten, nn::Dense<20, 3>> one(1);
    CHECK_THROWS_AS(
        nn::Pruner(nn::weight_matrices(one), nn::PruneScope::per_layer, nn::PruneUnit::outputs),
        inlay::Error);
  }
}
