// Graph-door tests of GridSample (include/inlay/graph/ops/grid_sample.hpp): hand-computed
// samples, every mode, padding and align_corners against a naive 2-D reference on random grids,
// and the errors for shapes and attributes that do not fit.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

OpTester grid_sample(const Tensor& x, const Tensor& grid, const std::string& mode,
                     const std::string& padding, std::int64_t align) {
  OpTester t("GridSample", 16);
  t.in(x).in(grid).attr("mode", mode).attr("padding_mode", padding).attr("align_corners", align);
  return t;
}

// The naive reference, written from torch.nn.functional.grid_sample's documentation: each
// sample is a weighted sum over the whole image, a pixel's weight being the product of the 1-D
// kernel at its distance from the sample on each axis; padding moves the sample (bilinear,
// nearest) or each pixel the bicubic kernel reaches.
struct Reference {
  std::string mode, padding;
  bool align;

  // Mirror step by step (no fmod) between lo and hi.
  static double mirror(double v, double lo, double hi) {
    if (lo == hi) return 0;
    while (v < lo || v > hi) v = v < lo ? 2 * lo - v : 2 * hi - v;
    return v;
  }
  double move(double v, std::int64_t size) const {
    const double last = static_cast<double>(size - 1);
    if (padding == "reflection") v = align ? mirror(v, 0, last) : mirror(v, -0.5, last + 0.5);
    if (padding != "zeros") v = std::min(std::max(v, 0.0), last);
    return v;
  }
  static double cubic(double d) {  // Keys' kernel, a = -0.75
    const double a = -0.75;
    d = std::fabs(d);
    if (d <= 1) return (a + 2) * d * d * d - (a + 3) * d * d + 1;
    if (d < 2) return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
    return 0;
  }
  double unnormalize(double g, std::int64_t size) const {
    const double s = static_cast<double>(size);
    return align ? (g + 1) / 2 * (s - 1) : ((g + 1) * s - 1) / 2;
  }
  // The weight of pixel p of an axis of `size` for position v.
  std::vector<double> weights(double v, std::int64_t size) const {
    std::vector<double> w(static_cast<std::size_t>(size), 0.0);
    if (mode == "bicubic") {
      const double base = std::floor(v);
      for (int k = -1; k <= 2; ++k) {
        const double p = move(base + k, size);
        const double weight = cubic(v - (base + k));
        if (p >= 0 && p <= static_cast<double>(size - 1)) w[static_cast<std::size_t>(p)] += weight;
      }
      return w;
    }
    v = move(v, size);
    for (std::int64_t p = 0; p < size; ++p) {
      const double d = std::fabs(v - static_cast<double>(p));
      if (mode == "nearest") {
        w[static_cast<std::size_t>(p)] = std::nearbyint(v) == static_cast<double>(p) ? 1 : 0;
      } else {
        w[static_cast<std::size_t>(p)] = d < 1 ? 1 - d : 0;
      }
    }
    return w;
  }
  std::vector<float> run(const std::vector<float>& x, std::int64_t n, std::int64_t c,
                         std::int64_t h, std::int64_t w, const std::vector<float>& grid,
                         std::int64_t oh, std::int64_t ow) const {
    std::vector<float> y;
    y.resize(static_cast<std::size_t>(n * c * oh * ow));
    for (std::int64_t b = 0; b < n; ++b) {
      for (std::int64_t i = 0; i < oh * ow; ++i) {
        const float* g = &grid[static_cast<std::size_t>((b * oh * ow + i) * 2)];
        const std::vector<double> wx = weights(unnormalize(g[0], w), w);
        const std::vector<double> wy = weights(unnormalize(g[1], h), h);
        for (std::int64_t ch = 0; ch < c; ++ch) {
          double acc = 0;
          for (std::int64_t r = 0; r < h; ++r)
            for (std::int64_t q = 0; q < w; ++q)
              acc += wy[static_cast<std::size_t>(r)] * wx[static_cast<std::size_t>(q)] *
                     x[static_cast<std::size_t>(((b * c + ch) * h + r) * w + q)];
          y[static_cast<std::size_t>((b * c + ch) * oh * ow + i)] = static_cast<float>(acc);
        }
      }
    }
    return y;
  }
};

}  // namespace

TEST_CASE("GridSample: hand-computed samples", "[graph/ops/grid_sample]") {
  const Tensor x = make_tensor<float>(Shape{1, 1, 2, 2}, {1, 2, 3, 4});
  auto at = [&](float gx, float gy, const std::string& mode, const std::string& padding,
                std::int64_t align, float want) {
    INFO(mode << " " << padding << " align " << align << " at (" << gx << ", " << gy << ")");
    grid_sample(x, make_tensor<float>(Shape{1, 1, 1, 2}, {gx, gy}), mode, padding, align)
        .check({make_tensor<float>(Shape{1, 1, 1, 1}, {want})});
  };
  // align_corners = 1: -1 and 1 are the corner pixels' centres.
  at(0, 0, "bilinear", "zeros", 1, 2.5f);
  at(-1, -1, "bilinear", "zeros", 1, 1);
  at(1, -1, "bilinear", "zeros", 1, 2);
  at(0.5f, 0, "bilinear", "zeros", 1, 2.75f);  // x 0.75, y 0.5: (1.75 + 3.75) / 2
  // align_corners = 0: -1 is the corner pixel's outer edge, half a pixel outside its centre.
  at(-1, -1, "bilinear", "zeros", 0, 0.25f);
  at(-1, -1, "bilinear", "border", 0, 1);
  at(-1.5f, 1, "bilinear", "reflection", 0, 3);  // x -1 mirrors at -0.5 to 0; y 1.5 -> 1
  at(0.1f, -0.6f, "nearest", "zeros", 0, 2);     // x 0.6 -> 1, y -0.1 -> 0
  at(0, 0, "nearest", "zeros", 0, 1);            // 0.5 rounds to even: pixel 0
  at(-1, 1, "bicubic", "zeros", 1, 3);           // a pixel centre: that pixel alone
  // Far outside: zeros reads 0, border the nearest corner.
  at(-40, 50, "bilinear", "zeros", 0, 0);
  at(-40, 50, "bicubic", "border", 0, 3);
  // Non-finite positions read 0.
  at(NAN, 0, "bilinear", "border", 0, 0);
}

TEST_CASE("GridSample matches a naive reference in every mode", "[graph/ops/grid_sample]") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-2, 2), pos(-1.6f, 1.6f);
  const std::int64_t n = 2, c = 3, h = 4, w = 5, oh = 3, ow = 7;
  std::vector<float> x(static_cast<std::size_t>(n * c * h * w)), grid;
  for (float& v : x) v = value(rng);
  for (std::int64_t i = 0; i < n * oh * ow * 2; ++i) grid.push_back(pos(rng));
  grid[0] = -7.3f;  // several reflections away
  grid[3] = 9.1f;
  for (const char* mode : {"bilinear", "nearest", "bicubic"}) {
    for (const char* padding : {"zeros", "border", "reflection"}) {
      for (std::int64_t align : {0, 1}) {
        INFO(mode << " " << padding << " align " << align);
        const Reference ref{mode, padding, align == 1};
        const Tensor tx = make_tensor<float>(Shape{n, c, h, w}, x);
        const Tensor tg = make_tensor<float>(Shape{n, oh, ow, 2}, grid);
        grid_sample(tx, tg, mode, padding, align)
            .check({make_tensor<float>(Shape{n, c, oh, ow}, ref.run(x, n, c, h, w, grid, oh, ow))});
      }
    }
  }
  // f64 image and grid; opset 20's spelling of the modes.
  std::vector<double> xd(x.begin(), x.end()), gd(grid.begin(), grid.end());
  OpTester t("GridSample", 20);
  t.in(make_tensor<double>(Shape{n, c, h, w}, xd))
      .in(make_tensor<double>(Shape{n, oh, ow, 2}, gd))
      .attr("mode", std::string("cubic"));
  const std::vector<float> want =
      Reference{"bicubic", "zeros", false}.run(x, n, c, h, w, grid, oh, ow);
  t.check({make_tensor<double>(Shape{n, c, oh, ow}, std::vector<double>(want.begin(), want.end()))},
          {1e-5, 1e-5});
}

TEST_CASE("GridSample names what is wrong", "[graph/ops/grid_sample]") {
  const Tensor x(DType::f32, Shape{1, 2, 3, 3});
  const Tensor grid(DType::f32, Shape{1, 2, 2, 2});
  grid_sample(x, grid, "trilinear", "zeros", 0)
      .expect_load_error(ErrorKind::unsupported_op, "mode 'trilinear'");
  grid_sample(x, grid, "cubic", "zeros", 0)
      .expect_load_error(ErrorKind::unsupported_op, "mode 'cubic'");
  grid_sample(x, grid, "bilinear", "mirror", 0)
      .expect_load_error(ErrorKind::unsupported_op, "padding_mode 'mirror'");
  grid_sample(x, grid, "bilinear", "zeros", 2)
      .expect_load_error(ErrorKind::invalid_model, "align_corners 2");
  grid_sample(Tensor(DType::f32, Shape{2, 3, 3}), grid, "bilinear", "zeros", 0)
      .expect_run_error(ErrorKind::shape_mismatch, "X must be 4-D");
  grid_sample(x, Tensor(DType::f32, Shape{1, 2, 2, 3}), "bilinear", "zeros", 0)
      .expect_run_error(ErrorKind::shape_mismatch, "grid must be [N, H_out, W_out, 2]");
  grid_sample(x, Tensor(DType::f32, Shape{2, 2, 2, 2}), "bilinear", "zeros", 0)
      .expect_run_error(ErrorKind::shape_mismatch, "grid must be [N, H_out, W_out, 2]");
  grid_sample(Tensor(DType::i32, Shape{1, 2, 3, 3}), grid, "bilinear", "zeros", 0)
      .expect_run_error(ErrorKind::unsupported_op, "dtype i32");
  // Opset 20's volumes are not supported.
  OpTester("GridSample", 20)
      .in(Tensor(DType::f32, Shape{1, 1, 2, 2, 2}))
      .in(Tensor(DType::f32, Shape{1, 2, 2, 2, 3}))
      .expect_run_error(ErrorKind::unsupported_op, "only 2-D sampling");
}
