// Pooling layers (include/inlay/nn/pool.hpp): MaxPool2D, AvgPool2D (padding not counted) and
// GlobalAvgPool against naive windows, on every CPU target; backward against finite differences
// (tests/nn/grad_check.hpp).
#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

namespace {
struct PoolGeometry {
  std::size_t c, h, w, k, stride, pad;
  std::size_t out_h() const { return (h + 2 * pad - k) / stride + 1; }
  std::size_t out_w() const { return (w + 2 * pad - k) / stride + 1; }
};

// The max, or the mean over the in-bounds part, of each window; in double.
std::vector<double> naive_pool(const PoolGeometry& g, bool max, std::size_t batch,
                               const std::vector<float>& x) {
  const std::size_t oh = g.out_h(), ow = g.out_w();
  std::vector<double> y(batch * g.c * oh * ow);
  for (std::size_t plane = 0; plane < batch * g.c; ++plane) {
    for (std::size_t oy = 0; oy < oh; ++oy) {
      for (std::size_t ox = 0; ox < ow; ++ox) {
        double best = -INFINITY, sum = 0.0;
        std::size_t count = 0;
        for (std::size_t ky = 0; ky < g.k; ++ky) {
          for (std::size_t kx = 0; kx < g.k; ++kx) {
            const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * g.stride + ky) -
                                      static_cast<std::ptrdiff_t>(g.pad);
            const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(ox * g.stride + kx) -
                                      static_cast<std::ptrdiff_t>(g.pad);
            if (iy < 0 || ix < 0 || iy >= static_cast<std::ptrdiff_t>(g.h) ||
                ix >= static_cast<std::ptrdiff_t>(g.w)) {
              continue;
            }
            const double v = x[(plane * g.h + static_cast<std::size_t>(iy)) * g.w +
                               static_cast<std::size_t>(ix)];
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        }
        y[(plane * oh + oy) * ow + ox] = max ? best : sum / static_cast<double>(count);
      }
    }
  }
  return y;
}

template <class Net>
void check_pool(const PoolGeometry& g, bool max, std::size_t batch, std::uint32_t seed) {
  INFO((max ? "max" : "average") << " pool of " << g.c << "x" << g.h << "x" << g.w << ", kernel "
                                 << g.k << ", stride " << g.stride << ", pad " << g.pad
                                 << ", batch " << batch);
  Net net;
  REQUIRE(Net::out_size == g.c * g.out_h() * g.out_w());
  const std::vector<float> x = inlay_test::random_floats(batch * Net::in_size, seed, -3.0f, 3.0f);
  const std::vector<float> want = nn_test::to_float(naive_pool(g, max, batch, x));
  inlay_test::for_each_cpu_target([&] {
    for (bool training : {false, true}) {
      INFO("training " << training);
      inlay_test::check_close(nn_test::run_forward(net, x, batch, training), want, 1e-5f, 1e-6f);
    }
  });
}
}  // namespace

TEST_CASE("MaxPool2D takes each window's maximum, padding never chosen", "[nn/pool]") {
  check_pool<nn::Sequential<nn::Input<2, 6, 6>, nn::MaxPool2D<2>>>({2, 6, 6, 2, 2, 0}, true, 2, 1);
  check_pool<nn::Sequential<nn::Input<3, 7, 7>, nn::MaxPool2D<3, 2, 1>>>({3, 7, 7, 3, 2, 1}, true,
                                                                         2, 2);
  check_pool<nn::Sequential<nn::Input<2, 9, 7>, nn::MaxPool2D<3, 1>>>({2, 9, 7, 3, 1, 0}, true, 3,
                                                                      3);
  check_pool<nn::Sequential<nn::Input<4, 19, 21>, nn::MaxPool2D<2>>>({4, 19, 21, 2, 2, 0}, true, 2,
                                                                     4);
  // All inputs negative: a padded zero would win if padding took part.
  nn::Sequential<nn::Input<1, 3, 3>, nn::MaxPool2D<2, 2, 1>> neg;
  const std::vector<float> x = {-9, -8, -7, -6, -5, -4, -3, -2, -1};
  inlay_test::check_close(nn_test::run_forward(neg, x, 1, false), {-9, -7, -3, -1});
}

TEST_CASE("AvgPool2D averages the in-bounds part of each window", "[nn/pool]") {
  check_pool<nn::Sequential<nn::Input<2, 8, 8>, nn::AvgPool2D<2>>>({2, 8, 8, 2, 2, 0}, false, 2,
                                                                   10);
  check_pool<nn::Sequential<nn::Input<2, 5, 5>, nn::AvgPool2D<3, 2, 1>>>({2, 5, 5, 3, 2, 1}, false,
                                                                         2, 11);
  check_pool<nn::Sequential<nn::Input<3, 10, 9>, nn::AvgPool2D<3, 1, 1>>>({3, 10, 9, 3, 1, 1},
                                                                          false, 2, 12);
  // By hand: the corner window of a 2x2 kernel with padding 1 holds one value.
  nn::Sequential<nn::Input<1, 2, 2>, nn::AvgPool2D<2, 1, 1>> tiny;
  const std::vector<float> x = {1, 2, 3, 4};
  inlay_test::check_close(nn_test::run_forward(tiny, x, 1, false),
                          {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
}

TEST_CASE("GlobalAvgPool gives each channel's mean", "[nn/pool]") {
  nn::Sequential<nn::Input<5, 7, 9>, nn::GlobalAvgPool> net;
  static_assert(decltype(net)::out_size == 5, "Dims<C, H, W> -> Dims<C>");
  const std::vector<float> x = inlay_test::random_floats(3 * 5 * 63, 13);
  std::vector<double> want(15);
  for (std::size_t plane = 0; plane < 15; ++plane) {
    for (std::size_t i = 0; i < 63; ++i) want[plane] += x[plane * 63 + i];
    want[plane] /= 63.0;
  }
  inlay_test::for_each_cpu_target([&] {
    inlay_test::check_close(nn_test::run_forward(net, x, 3, false), nn_test::to_float(want), 1e-5f,
                            1e-6f);
  });
}

TEST_CASE("Pooling layers' gradients match finite differences", "[nn/pool]") {
  nn::Sequential<nn::Input<2, 6, 6>, nn::MaxPool2D<2>> max;
  check_network_gradient(max, 2, 50, 1e-3f);  // small steps: no tie within a window
  nn::Sequential<nn::Input<2, 5, 5>, nn::AvgPool2D<3, 2, 1>> avg;
  check_network_gradient(avg, 2, 51);
  nn::Sequential<nn::Input<3, 4, 4>, nn::GlobalAvgPool> global;
  check_network_gradient(global, 2, 52);
}
