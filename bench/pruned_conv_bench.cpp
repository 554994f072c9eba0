// inlay_pruned_conv_bench: what structured pruning buys a small CNN in the graph door. It builds
//   Input 3x32x32, Conv2D(3->32, 3x3, pad 1), ReLU, MaxPool 2, Conv2D(32->64, 3x3), ReLU,
//   MaxPool 2, Conv2D(64->64, 3x3), ReLU, Flatten, Dense(1600->10)
// with random weights, removes half the channels of every layer but the last (nn::Pruner,
// PruneUnit::outputs), exports it twice, nn::to_onnx (full width, the removed channels as zeros)
// and nn::to_onnx_pruned (the channels left out), checks both compute the typed network, and
// times inlay::Session::run on one thread, the two models in alternating rounds (median ms).
//
//   inlay_pruned_conv_bench [--batch N] [--runs N]
#include <inlay/inlay.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace nn = inlay::nn;

namespace {
using Cnn = nn::Sequential<nn::Input<3, 32, 32>, nn::Conv2D<3, 32, 3, 1, 1>, nn::ReLU,
                           nn::MaxPool2D<2>, nn::Conv2D<32, 64, 3>, nn::ReLU, nn::MaxPool2D<2>,
                           nn::Conv2D<64, 64, 3>, nn::ReLU, nn::Flatten, nn::Dense<1600, 10>>;

double run_ms(inlay::Session& session, const inlay::Tensor& x) {
  const auto start = std::chrono::steady_clock::now();
  session.run({x});
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double largest_difference(const inlay::Tensor& a, const std::vector<float>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < b.size(); ++i)
    worst = std::max(worst, std::fabs(double(a.data<float>()[i]) - b[i]));
  return worst;
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t batch = 8, runs = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--batch") == 0) batch = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::strtoul(argv[i + 1], nullptr, 10);
  }
  Cnn net(batch);
  nn::init_weights(net, 1);
  inlay::data::Rng rng(2);
  for (float& b : net.layer<0>().bias) b = 0.1f * rng.normal();  // removed channels: constants
  for (float& b : net.layer<3>().bias) b = 0.1f * rng.normal();
  nn::Pruner(nn::weight_matrices(net), nn::PruneScope::per_layer, nn::PruneUnit::outputs)
      .prune(0.5);

  const std::string full = net.to_onnx(), pruned = nn::to_onnx_pruned(net);
  inlay::Session a(inlay::Model::from_bytes(full.data(), full.size()));
  inlay::Session b(inlay::Model::from_bytes(pruned.data(), pruned.size()));
  std::vector<float> x(batch * Cnn::in_size);
  for (float& v : x) v = rng.normal();
  const auto n = static_cast<std::int64_t>(batch);
  const inlay::Tensor input = inlay::Tensor::view(x.data(), inlay::Shape{n, 3, 32, 32});
  std::vector<float> want(batch * Cnn::out_size);
  net.forward(x.data(), batch, want.data());
  std::printf("largest difference from the typed forward: full %.2g, pruned %.2g\n",
              largest_difference(a.run({input})[0], want),
              largest_difference(b.run({input})[0], want));

  std::vector<double> ta, tb;
  for (std::size_t r = 0; r < 5; ++r) {  // warm-up: plans and arenas
    run_ms(a, input);
    run_ms(b, input);
  }
  for (std::size_t r = 0; r < runs; ++r) {
    ta.push_back(run_ms(a, input));
    tb.push_back(run_ms(b, input));
  }
  const double ma = median(ta), mb = median(tb);
  std::printf("batch %zu, %zu runs each, 1 thread\n", batch, runs);
  std::printf("full   %7.1f KB  %8.3f ms\n", full.size() / 1024.0, ma);
  std::printf("pruned %7.1f KB  %8.3f ms  (%.2fx faster)\n", pruned.size() / 1024.0, mb, ma / mb);
  return 0;
}
