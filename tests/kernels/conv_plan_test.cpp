// The convolution plan (kernels/conv_plan.hpp): which algorithm each kind of weights gets, that a
// prepared form is built once and only when a call takes its path, that checked weights rebuild
// after the weights change, and that every algorithm gives the convolution's result; then the
// typed door's Conv2D, which runs through a checked plan at inference.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>
// Internal (not in the umbrella header): the counts of prepared forms.
#include <inlay/kernels/impl/paths.hpp>

#include "alloc_counter.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;
using k::Conv2dAlgorithm;
using k::Conv2dWeights;

namespace {

k::Conv2dParams layer(std::size_t batch, std::size_t c, std::size_t m, std::size_t hw,
                      std::size_t kernel, std::size_t groups = 1) {
  k::Conv2dParams p;
  p.batch = batch;
  p.in_channels = c;
  p.out_channels = m;
  p.in_h = p.in_w = hw;
  p.kernel_h = p.kernel_w = kernel;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = kernel / 2;
  p.groups = groups;
  return p;
}

std::size_t weight_count(const k::Conv2dParams& p) {
  return p.out_channels * p.in_channels / p.groups * p.kernel_h * p.kernel_w;
}

struct FormCounts {
  std::size_t winograd, packed;
};
FormCounts forms_now() {
  const auto& c = k::detail::conv_form_counts();
  return {c.winograd.load(), c.packed.load()};
}

// conv2d_nchw_f32 (im2col + GEMM or the direct kernel), the reference of the other algorithms.
std::vector<float> by_gemm(const k::Conv2dParams& p, const std::vector<float>& x,
                           const std::vector<float>& w, const std::vector<float>& b) {
  std::vector<float> y(p.batch * p.out_channels * p.out_h() * p.out_w());
  std::vector<float> workspace(k::conv2d_workspace_size_f32(p));
  k::conv2d_nchw_f32(p, x.data(), w.data(), b.data(), y.data(), workspace.data());
  return y;
}

std::vector<float> by_plan(const k::Conv2dPlan& plan, const k::Conv2dParams& p,
                           const std::vector<float>& x, const std::vector<float>& w,
                           const std::vector<float>& b) {
  std::vector<float> y(p.batch * p.out_channels * p.out_h() * p.out_w());
  std::vector<float> workspace(plan.workspace_size_f32(p));
  plan.run(p, w.data(), x.data(), b.data(), y.data(), workspace.data());
  return y;
}

}  // namespace

TEST_CASE("Conv2dPlan chooses by layer and by how the weights behave", "[kernels/conv_plan]") {
  const k::Conv2dParams big3x3 = layer(1, 32, 32, 28, 3);  // 49 tiles of 4x4
  const k::Conv2dParams small_plane = layer(1, 64, 128, 7, 3);
  const k::Conv2dParams depthwise = layer(1, 32, 32, 28, 3, 32);
  const k::Conv2dParams tiny = layer(1, 3, 4, 6, 3);
  CHECK(k::choose_conv2d_algorithm(big3x3, Conv2dWeights::fixed) == Conv2dAlgorithm::winograd);
  CHECK(k::choose_conv2d_algorithm(big3x3, Conv2dWeights::checked) == Conv2dAlgorithm::winograd);
  CHECK(k::choose_conv2d_algorithm(big3x3, Conv2dWeights::changing) == Conv2dAlgorithm::gemm);
  CHECK(k::choose_conv2d_algorithm(small_plane, Conv2dWeights::fixed) == Conv2dAlgorithm::packed);
  // Checking the weights on every call would cost as much as the few-pixel convolution.
  CHECK(k::choose_conv2d_algorithm(small_plane, Conv2dWeights::checked) == Conv2dAlgorithm::gemm);
  CHECK(k::choose_conv2d_algorithm(small_plane, Conv2dWeights::changing) == Conv2dAlgorithm::gemm);
  for (Conv2dWeights wk : {Conv2dWeights::fixed, Conv2dWeights::checked, Conv2dWeights::changing}) {
    CHECK(k::choose_conv2d_algorithm(depthwise, wk) == Conv2dAlgorithm::depthwise);
    CHECK(k::choose_conv2d_algorithm(tiny, wk) == Conv2dAlgorithm::gemm);
  }
  // Winograd needs enough tiles over the batch: one 4x4 image is too small, sixteen are not.
  CHECK(k::choose_conv2d_algorithm(layer(1, 32, 32, 4, 3), Conv2dWeights::fixed) !=
        Conv2dAlgorithm::winograd);
  CHECK(k::choose_conv2d_algorithm(layer(16, 32, 32, 4, 3), Conv2dWeights::fixed) ==
        Conv2dAlgorithm::winograd);
  CHECK(std::string(k::conv2d_algorithm_name(Conv2dAlgorithm::winograd)) == "winograd");
}

TEST_CASE("Conv2dPlan gives the convolution's result on every algorithm and target",
          "[kernels/conv_plan]") {
  struct PlanCase {
    k::Conv2dParams p;
    Conv2dWeights weights;
    Conv2dAlgorithm expected;
    float rtol;  // Winograd's transforms add rounding (docs/kernels.md)
  };
  const PlanCase cases[] = {
      {layer(2, 16, 24, 16, 3), Conv2dWeights::fixed, Conv2dAlgorithm::winograd, 2e-3f},
      {layer(2, 16, 24, 16, 3), Conv2dWeights::checked, Conv2dAlgorithm::winograd, 2e-3f},
      {layer(1, 32, 80, 6, 3), Conv2dWeights::fixed, Conv2dAlgorithm::packed, 1e-4f},
      {layer(1, 32, 80, 6, 1), Conv2dWeights::fixed, Conv2dAlgorithm::packed, 1e-4f},
      {layer(2, 16, 24, 16, 3), Conv2dWeights::changing, Conv2dAlgorithm::gemm, 1e-5f},
      {layer(2, 8, 16, 9, 3, 8), Conv2dWeights::fixed, Conv2dAlgorithm::depthwise, 1e-4f},
  };
  for (const PlanCase& c : cases) {
    INFO("algorithm " << k::conv2d_algorithm_name(c.expected));
    const k::Conv2dParams& p = c.p;
    const auto x = inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, 1);
    const auto w = inlay_test::random_floats(weight_count(p), 2);
    const auto b = inlay_test::random_floats(p.out_channels, 3);
    const k::Conv2dPlan plan(c.weights);
    REQUIRE(plan.algorithm(p) == c.expected);
    const std::vector<float> want = by_gemm(p, x, w, b);
    inlay_test::for_each_cpu_target(
        [&] { inlay_test::check_close(by_plan(plan, p, x, w, b), want, c.rtol, 1e-4f); });
  }
}

TEST_CASE("Conv2dPlan builds each form once, and again only when checked weights change",
          "[kernels/conv_plan]") {
  const k::Conv2dParams p = layer(1, 16, 16, 16, 3);
  const auto x = inlay_test::random_floats(16 * 16 * 16, 4);
  auto w = inlay_test::random_floats(weight_count(p), 5);
  const auto b = inlay_test::random_floats(16, 6);

  SECTION("fixed weights: one build over many calls, none before the first") {
    const FormCounts before = forms_now();
    k::Conv2dPlan plan(Conv2dWeights::fixed);
    plan.reserve(p);
    CHECK(forms_now().winograd == before.winograd);
    for (int i = 0; i < 3; ++i) by_plan(plan, p, x, w, b);
    CHECK(forms_now().winograd - before.winograd == 1);
    // A copy carries the form: it builds nothing.
    const k::Conv2dPlan copy = plan;
    inlay_test::check_close(by_plan(copy, p, x, w, b), by_plan(plan, p, x, w, b), 0, 0);
    CHECK(forms_now().winograd - before.winograd == 1);
  }
  SECTION("checked weights: a rebuild after a change, the new weights' result") {
    const FormCounts before = forms_now();
    k::Conv2dPlan plan(Conv2dWeights::checked);
    by_plan(plan, p, x, w, b);
    by_plan(plan, p, x, w, b);
    CHECK(forms_now().winograd - before.winograd == 1);
    w[7] += 1.0f;
    inlay_test::check_close(by_plan(plan, p, x, w, b), by_gemm(p, x, w, b), 2e-3f, 1e-4f);
    CHECK(forms_now().winograd - before.winograd == 2);
  }
  SECTION("changing weights: nothing is built") {
    const FormCounts before = forms_now();
    const k::Conv2dPlan plan(Conv2dWeights::changing);
    by_plan(plan, p, x, w, b);
    CHECK(forms_now().winograd == before.winograd);
    CHECK(forms_now().packed == before.packed);
  }
  SECTION("null weights are an error, not a crash") {
    const k::Conv2dPlan plan(Conv2dWeights::fixed);
    std::vector<float> y(16 * 16 * 16), workspace(plan.workspace_size_f32(p));
    const std::string message = inlay_test::error_of(
        [&] { plan.run(p, nullptr, x.data(), b.data(), y.data(), workspace.data()); },
        inlay::ErrorKind::invalid_argument);
    CHECK(message.find("w is null") != std::string::npos);
  }
}

TEST_CASE("nn::Conv2D runs Winograd at inference and sees weights written at any time",
          "[kernels/conv_plan]") {
  namespace nn = inlay::nn;
  using Net = nn::Sequential<nn::Input<16, 16, 16>, nn::Conv2D<16, 16, 3, 1, 1>>;
  Net net(2);
  inlay::data::Rng rng(7);
  net.init(rng);
  auto& conv = net.layer<0>();
  const k::Conv2dParams p = layer(2, 16, 16, 16, 3);
  REQUIRE(k::choose_conv2d_algorithm(p, Conv2dWeights::checked) == Conv2dAlgorithm::winograd);
  const auto x = inlay_test::random_floats(2 * 16 * 16 * 16, 8);
  std::vector<float> y(2 * 16 * 16 * 16);

  const FormCounts before = forms_now();
  net.forward(x.data(), 2, y.data());
  inlay_test::check_close(y, by_gemm(p, x, conv.weight, conv.bias), 2e-3f, 1e-4f);
  CHECK(forms_now().winograd - before.winograd == 1);

  // Written through the public vector after a forward: the next forward uses the new values,
  // rebuilding the form in the storage it has (no allocation).
  for (float& v : conv.weight) v *= -0.5f;
  const std::uint64_t allocations = inlay_test::heap_allocations();
  net.forward(x.data(), 2, y.data());
  CHECK(inlay_test::heap_allocations() - allocations == 0);
  inlay_test::check_close(y, by_gemm(p, x, conv.weight, conv.bias), 2e-3f, 1e-4f);
  CHECK(forms_now().winograd - before.winograd == 2);
}
