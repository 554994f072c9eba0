// Convolution layers (include/inlay/nn/conv.hpp): Conv2D, DepthwiseConv2D and Conv1D against a
// naive convolution with stride and padding, on every CPU target and through each path of the
// kernel (direct, im2col + GEMM, columns made inside the GEMM, 1x1, depthwise); backward against
// finite differences (tests/nn/grad_check.hpp).
#include "alloc_counter.hpp"
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
struct ConvGeometry {
  std::size_t in_c, in_h, in_w, out_c, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, groups;
  std::size_t out_h() const { return (in_h + 2 * pad_h - kernel_h) / stride_h + 1; }
  std::size_t out_w() const { return (in_w + 2 * pad_w - kernel_w) / stride_w + 1; }
};

// y [batch, out_c, out_h, out_w] of x [batch, in_c, in_h, in_w] with w [out_c, in_c / groups,
// kernel_h, kernel_w] and zero padding, in double.
std::vector<double> naive_conv(const ConvGeometry& g, std::size_t batch,
                               const std::vector<float>& x, const std::vector<float>& w,
                               const std::vector<float>& b) {
  const std::size_t oh = g.out_h(), ow = g.out_w();
  const std::size_t cg = g.in_c / g.groups, og = g.out_c / g.groups;
  std::vector<double> y(batch * g.out_c * oh * ow);
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t oc = 0; oc < g.out_c; ++oc) {
      const std::size_t group = oc / og;
      for (std::size_t oy = 0; oy < oh; ++oy) {
        for (std::size_t ox = 0; ox < ow; ++ox) {
          double sum = b[oc];
          for (std::size_t ic = 0; ic < cg; ++ic) {
            const std::size_t c = group * cg + ic;
            for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
              for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
                const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * g.stride_h + ky) -
                                          static_cast<std::ptrdiff_t>(g.pad_h);
                const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(ox * g.stride_w + kx) -
                                          static_cast<std::ptrdiff_t>(g.pad_w);
                if (iy < 0 || ix < 0 || iy >= static_cast<std::ptrdiff_t>(g.in_h) ||
                    ix >= static_cast<std::ptrdiff_t>(g.in_w)) {
                  continue;
                }
                sum += static_cast<double>(
                           x[((n * g.in_c + c) * g.in_h + static_cast<std::size_t>(iy)) * g.in_w +
                             static_cast<std::size_t>(ix)]) *
                       w[((oc * cg + ic) * g.kernel_h + ky) * g.kernel_w + kx];
              }
            }
          }
          y[((n * g.out_c + oc) * oh + oy) * ow + ox] = sum;
        }
      }
    }
  }
  return y;
}

// The one-layer network `Net` (Input + a convolution) with random weights and biases against
// naive_conv, in inference and training mode, on every CPU target (and through a thread pool).
template <class Net>
void check_conv(const ConvGeometry& g, std::size_t batch, std::uint32_t seed, float rel) {
  INFO("in " << g.in_c << "x" << g.in_h << "x" << g.in_w << ", out channels " << g.out_c
             << ", kernel " << g.kernel_h << "x" << g.kernel_w << ", stride " << g.stride_h << "x"
             << g.stride_w << ", pad " << g.pad_h << "x" << g.pad_w << ", groups " << g.groups
             << ", batch " << batch);
  Net net;
  auto& conv = net.template layer<0>();
  REQUIRE(conv.weight.size() == g.out_c * (g.in_c / g.groups) * g.kernel_h * g.kernel_w);
  REQUIRE(Net::out_size == g.out_c * g.out_h() * g.out_w());
  conv.weight = inlay_test::random_floats(conv.weight.size(), seed);
  conv.bias = inlay_test::random_floats(g.out_c, seed + 1);
  const std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed + 2);
  const std::vector<double> want = naive_conv(g, batch, x, conv.weight, conv.bias);
  inlay_test::CountingPool pool;
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      nn_test::check_scaled(nn_test::run_forward(net, x, batch, training), want, rel);
    }
    nn_test::check_scaled(nn_test::run_forward(net, x, batch, false, &pool), want, rel);
  });
  // The batch's first image alone gives the same first image.
  const std::vector<float> x1(x.begin(), x.begin() + Net::in_size);
  const std::vector<double> want1(want.begin(), want.begin() + Net::out_size);
  nn_test::check_scaled(nn_test::run_forward(net, x1, 1, false), want1, rel);
}

ConvGeometry conv2d(std::size_t in_c, std::size_t h, std::size_t w, std::size_t out_c,
                    std::size_t k, std::size_t stride, std::size_t pad) {
  return {in_c, h, w, out_c, k, k, stride, stride, pad, pad, 1};
}
ConvGeometry depthwise(std::size_t c, std::size_t h, std::size_t w, std::size_t k,
                       std::size_t stride, std::size_t pad) {
  return {c, h, w, c, k, k, stride, stride, pad, pad, c};
}
ConvGeometry conv1d(std::size_t in_c, std::size_t l, std::size_t out_c, std::size_t k,
                    std::size_t stride, std::size_t pad) {
  return {in_c, 1, l, out_c, 1, k, 1, stride, 0, pad, 1};
}
}  // namespace

TEST_CASE("Conv2D matches a naive convolution with stride and padding", "[nn/conv]") {
  // Direct kernel (stride 1, few taps).
  check_conv<nn::Sequential<nn::Input<2, 5, 6>, nn::Conv2D<2, 3, 3, 1, 1>>>(
      conv2d(2, 5, 6, 3, 3, 1, 1), 2, 1, 1e-5f);
  check_conv<nn::Sequential<nn::Input<3, 7, 5>, nn::Conv2D<3, 4, 2>>>(conv2d(3, 7, 5, 4, 2, 1, 0),
                                                                      2, 2, 1e-5f);
  // im2col + GEMM (strided, fewer than 64 taps).
  check_conv<nn::Sequential<nn::Input<2, 7, 7>, nn::Conv2D<2, 3, 3, 2, 0>>>(
      conv2d(2, 7, 7, 3, 3, 2, 0), 2, 3, 1e-5f);
  check_conv<nn::Sequential<nn::Input<3, 9, 8>, nn::Conv2D<3, 5, 3, 2, 1>>>(
      conv2d(3, 9, 8, 5, 3, 2, 1), 3, 4, 1e-5f);
  // Columns made by the GEMM (64 taps or more, strided).
  check_conv<nn::Sequential<nn::Input<8, 9, 9>, nn::Conv2D<8, 6, 3, 2, 1>>>(
      conv2d(8, 9, 9, 6, 3, 2, 1), 2, 5, 1e-5f);
  // 1x1: the input is the column matrix; and a strided 1x1.
  check_conv<nn::Sequential<nn::Input<4, 5, 5>, nn::Conv2D<4, 6, 1>>>(conv2d(4, 5, 5, 6, 1, 1, 0),
                                                                      2, 6, 1e-5f);
  check_conv<nn::Sequential<nn::Input<4, 6, 6>, nn::Conv2D<4, 3, 1, 2>>>(
      conv2d(4, 6, 6, 3, 1, 2, 0), 2, 7, 1e-5f);
  // Kernel 5 with padding 2 ("same").
  check_conv<nn::Sequential<nn::Input<2, 8, 8>, nn::Conv2D<2, 4, 5, 1, 2>>>(
      conv2d(2, 8, 8, 4, 5, 1, 2), 2, 8, 1e-5f);
}

TEST_CASE("Conv2D with 16 channels matches a naive convolution, training or not", "[nn/conv]") {
  // 16 -> 16 channels, 3x3, stride 1, pad 1, batch 2: the sizes where the fast paths apply. At
  // inference the layer's plan takes Winograd (kernels/conv_plan.hpp), whose transforms add
  // rounding: 1e-3 of the output scale; in training the direct kernel (16x16, 20x20) or columns
  // made in the GEMM (24x24).
  check_conv<nn::Sequential<nn::Input<16, 16, 16>, nn::Conv2D<16, 16, 3, 1, 1>>>(
      conv2d(16, 16, 16, 16, 3, 1, 1), 2, 20, 1e-3f);
  check_conv<nn::Sequential<nn::Input<16, 20, 20>, nn::Conv2D<16, 16, 3, 1, 1>>>(
      conv2d(16, 20, 20, 16, 3, 1, 1), 2, 21, 1e-3f);
  check_conv<nn::Sequential<nn::Input<16, 24, 24>, nn::Conv2D<16, 16, 3, 1, 1>>>(
      conv2d(16, 24, 24, 16, 3, 1, 1), 2, 22, 1e-3f);
}

TEST_CASE("A 16-channel Conv2D forward on a reserved batch makes no heap allocation", "[nn/conv]") {
  // The workspace and the Winograd form's storage are reserved with the network; the first
  // inference forward builds the form in that storage.
  using Net = nn::Sequential<nn::Input<16, 20, 20>, nn::Conv2D<16, 16, 3, 1, 1>>;
  Net net(2), warm_up;
  inlay::data::Rng rng(23);
  net.init(rng);
  const std::vector<float> x = inlay_test::random_floats(2 * Net::in_size, 24);
  std::vector<float> y(2 * Net::out_size);
  warm_up.forward(x.data(), 1, y.data());  // the first kernel call picks the CPU target
  const std::uint64_t before = inlay_test::heap_allocations();
  net.forward(x.data(), 2, y.data());
  CHECK(inlay_test::heap_allocations() - before == 0);
}

TEST_CASE("DepthwiseConv2D matches a naive grouped convolution", "[nn/conv]") {
  check_conv<nn::Sequential<nn::Input<3, 6, 5>, nn::DepthwiseConv2D<3, 3, 1, 1>>>(
      depthwise(3, 6, 5, 3, 1, 1), 2, 30, 1e-5f);
  check_conv<nn::Sequential<nn::Input<4, 9, 9>, nn::DepthwiseConv2D<4, 3, 2, 1>>>(
      depthwise(4, 9, 9, 3, 2, 1), 2, 31, 1e-5f);
  check_conv<nn::Sequential<nn::Input<16, 12, 11>, nn::DepthwiseConv2D<16, 5, 1, 2>>>(
      depthwise(16, 12, 11, 5, 1, 2), 2, 32, 1e-5f);
  check_conv<nn::Sequential<nn::Input<5, 8, 8>, nn::DepthwiseConv2D<5, 3>>>(
      depthwise(5, 8, 8, 3, 1, 0), 3, 33, 1e-5f);
}

TEST_CASE("Conv1D matches a naive one-dimensional convolution", "[nn/conv]") {
  check_conv<nn::Sequential<nn::Input<2, 9>, nn::Conv1D<2, 4, 3, 2, 1>>>(conv1d(2, 9, 4, 3, 2, 1),
                                                                         3, 40, 1e-5f);
  check_conv<nn::Sequential<nn::Input<3, 10>, nn::Conv1D<3, 5, 3>>>(conv1d(3, 10, 5, 3, 1, 0), 2,
                                                                    41, 1e-5f);
  check_conv<nn::Sequential<nn::Input<4, 16>, nn::Conv1D<4, 8, 5, 1, 2>>>(conv1d(4, 16, 8, 5, 1, 2),
                                                                          2, 42, 1e-5f);
  check_conv<nn::Sequential<nn::Input<16, 40>, nn::Conv1D<16, 16, 7, 3, 3>>>(
      conv1d(16, 40, 16, 7, 3, 3), 2, 43, 1e-4f);
}

TEST_CASE("Convolution layers' gradients match finite differences", "[nn/conv]") {
  nn::Sequential<nn::Input<2, 5, 6>, nn::Conv2D<2, 3, 3, 1, 1>> conv;
  check_network_gradient(conv, 2, 40);
  nn::Sequential<nn::Input<2, 7, 7>, nn::Conv2D<2, 2, 3, 2, 0>> strided;
  check_network_gradient(strided, 2, 41);
  nn::Sequential<nn::Input<3, 6, 5>, nn::DepthwiseConv2D<3, 3, 1, 1>> depthwise;
  check_network_gradient(depthwise, 2, 42);
  nn::Sequential<nn::Input<2, 9>, nn::Conv1D<2, 4, 3, 2, 1>> conv1d;
  check_network_gradient(conv1d, 3, 43);
}
