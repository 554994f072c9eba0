// Graph-door tests of Conv and ConvTranspose over 3 and more spatial dimensions
// (include/inlay/graph/ops/conv_nd.hpp): fixed and seeded random cases (groups, strides, pads,
// dilations, auto_pad, output_padding, output_shape, bias, a fused-free graph) against a direct
// N-D loop written here, and the errors on bad shapes and attributes.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

namespace {

using Dims64 = std::vector<std::int64_t>;

std::int64_t product(const Dims64& d, std::size_t from = 0) {
  std::int64_t p = 1;
  for (std::size_t i = from; i < d.size(); ++i) p *= d[i];
  return p;
}

// Row-major position of `pos` in a box of sizes `dims`.
std::int64_t flat(const Dims64& pos, const Dims64& dims) {
  std::int64_t at = 0;
  for (std::size_t i = 0; i < dims.size(); ++i) at = at * dims[i] + pos[i];
  return at;
}

// Steps `pos` through the box `dims` in row-major order; false after the last.
bool next(Dims64& pos, const Dims64& dims) {
  for (std::size_t i = dims.size(); i-- > 0;) {
    if (++pos[i] < dims[i]) return true;
    pos[i] = 0;
  }
  return false;
}

// One N-D convolution case: X [n, c, in...], W [m, c / group, k...] (Conv) or [c, m / group,
// k...] (ConvTranspose), with explicit pads (begin..., end...).
struct NdCase {
  std::int64_t n = 1, c = 1, m = 1, group = 1;
  Dims64 in, k, strides, dilations, pads, output_padding;
  bool bias = false;

  std::size_t rank() const { return in.size(); }
  Dims64 x_dims() const {
    Dims64 d{n, c};
    d.insert(d.end(), in.begin(), in.end());
    return d;
  }
  Dims64 w_dims(bool transposed) const {
    Dims64 d{transposed ? c : m, transposed ? m / group : c / group};
    d.insert(d.end(), k.begin(), k.end());
    return d;
  }
  Dims64 conv_out() const {
    Dims64 o;
    for (std::size_t i = 0; i < rank(); ++i) {
      o.push_back(
          (in[i] + pads[i] + pads[i + rank()] - dilations[i] * (k[i] - 1) - 1) / strides[i] + 1);
    }
    return o;
  }
  Dims64 transposed_out() const {
    Dims64 o;
    for (std::size_t i = 0; i < rank(); ++i) {
      const std::int64_t extra = output_padding.empty() ? 0 : output_padding[i];
      o.push_back(strides[i] * (in[i] - 1) + extra + dilations[i] * (k[i] - 1) + 1 - pads[i] -
                  pads[i + rank()]);
    }
    return o;
  }

  // y[b, o, p] = bias[o] + sum over c in o's group and taps t of x[b, c, p * s + t * d - pad] w.
  std::vector<float> conv(const std::vector<float>& x, const std::vector<float>& w,
                          const std::vector<float>& b) const {
    const Dims64 out = conv_out();
    const std::int64_t cg = c / group, mg = m / group;
    std::vector<float> y(static_cast<std::size_t>(n * m * product(out)));
    for (std::int64_t bi = 0; bi < n; ++bi)
      for (std::int64_t o = 0; o < m; ++o) {
        Dims64 p(rank(), 0);
        do {
          double s = bias ? b[static_cast<std::size_t>(o)] : 0.0;
          for (std::int64_t ci = 0; ci < cg; ++ci) {
            Dims64 t(rank(), 0);
            do {
              Dims64 at(rank());
              bool inside = true;
              for (std::size_t i = 0; i < rank(); ++i) {
                at[i] = p[i] * strides[i] + t[i] * dilations[i] - pads[i];
                inside = inside && at[i] >= 0 && at[i] < in[i];
              }
              if (!inside) continue;
              const std::int64_t ch = o / mg * cg + ci;
              s += double(x[static_cast<std::size_t>((bi * c + ch) * product(in) + flat(at, in))]) *
                   w[static_cast<std::size_t>((o * cg + ci) * product(k) + flat(t, k))];
            } while (next(t, k));
          }
          y[static_cast<std::size_t>((bi * m + o) * product(out) + flat(p, out))] =
              static_cast<float>(s);
        } while (next(p, out));
      }
    return y;
  }

  // Each x[b, c, p] adds x * w[c, o, t] to y[b, o, p * s + t * d - pad] for the o of c's group.
  std::vector<float> conv_transpose(const std::vector<float>& x, const std::vector<float>& w,
                                    const std::vector<float>& b) const {
    const Dims64 out = transposed_out();
    const std::int64_t cg = c / group, mg = m / group, plane = product(out);
    std::vector<double> acc(static_cast<std::size_t>(n * m * plane), 0.0);
    for (std::int64_t bi = 0; bi < n; ++bi)
      for (std::int64_t ci = 0; ci < c; ++ci) {
        Dims64 p(rank(), 0);
        do {
          const double xv = x[static_cast<std::size_t>((bi * c + ci) * product(in) + flat(p, in))];
          for (std::int64_t og = 0; og < mg; ++og) {
            const std::int64_t o = ci / cg * mg + og;
            Dims64 t(rank(), 0);
            do {
              Dims64 at(rank());
              bool inside = true;
              for (std::size_t i = 0; i < rank(); ++i) {
                at[i] = p[i] * strides[i] + t[i] * dilations[i] - pads[i];
                inside = inside && at[i] >= 0 && at[i] < out[i];
              }
              if (!inside) continue;
              acc[static_cast<std::size_t>((bi * m + o) * plane + flat(at, out))] +=
                  xv * w[static_cast<std::size_t>((ci * mg + og) * product(k) + flat(t, k))];
            } while (next(t, k));
          }
        } while (next(p, in));
      }
    std::vector<float> y(acc.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      const std::size_t o = i / static_cast<std::size_t>(plane) % static_cast<std::size_t>(m);
      y[i] = static_cast<float>(acc[i] + (bias ? b[o] : 0.0));
    }
    return y;
  }

  std::vector<Pb> attrs(bool with_pads = true) const {
    std::vector<Pb> a{attr_ints("kernel_shape", k), attr_ints("strides", strides),
                      attr_ints("dilations", dilations), attr_int("group", group)};
    if (with_pads) a.push_back(attr_ints("pads", pads));
    if (!output_padding.empty()) a.push_back(attr_ints("output_padding", output_padding));
    return a;
  }

  // Runs the node (Conv or ConvTranspose) on every CPU target against the reference loop.
  void check(bool transposed, std::uint32_t seed, std::vector<Pb> extra_attrs = {},
             bool with_pads = true) const {
    std::vector<float> x = random_floats(static_cast<std::size_t>(product(x_dims())), seed);
    const std::vector<float> w =
        random_floats(static_cast<std::size_t>(product(w_dims(transposed))), seed + 1);
    const std::vector<float> b = random_floats(static_cast<std::size_t>(m), seed + 2);
    std::vector<Pb> a = attrs(with_pads);
    a.insert(a.end(), extra_attrs.begin(), extra_attrs.end());
    OpTester t;
    t.input("x", DType::f32, x_dims()).init("w", w_dims(transposed), w);
    if (bias) t.init("b", {m}, b);
    t.node(transposed ? "ConvTranspose" : "Conv",
           bias ? std::vector<std::string>{"x", "w", "b"} : std::vector<std::string>{"x", "w"},
           {"y"}, a)
        .output("y");
    Dims64 y_dims{n, m};
    const Dims64 out = transposed ? transposed_out() : conv_out();
    y_dims.insert(y_dims.end(), out.begin(), out.end());
    const std::vector<float> want = transposed ? conv_transpose(x, w, b) : conv(x, w, b);
    t.check({f32_view(x, x_dims())},
            {make_tensor<float>(inlay::Shape(y_dims.data(), y_dims.size()), want)}, {1e-4, 1e-4});
  }
};

// A random case of `rank` spatial axes whose window fits its padded input.
NdCase random_case(std::mt19937& rng, std::size_t rank, bool transposed) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  NdCase c;
  c.n = pick(1, 2);
  c.group = pick(1, 2);
  c.c = c.group * pick(1, 3);
  c.m = c.group * pick(1, 3);
  c.bias = pick(0, 1) == 1;
  c.pads.assign(2 * rank, 0);
  for (std::size_t i = 0; i < rank; ++i) {
    c.k.push_back(pick(1, 3));
    c.strides.push_back(pick(1, 2));
    c.dilations.push_back(pick(1, 2));
    c.pads[i] = pick(0, c.k[i] - 1);
    c.pads[i + rank] = pick(0, c.k[i] - 1);
    const std::int64_t extent = c.dilations[i] * (c.k[i] - 1) + 1;
    c.in.push_back(pick(std::max<std::int64_t>(1, extent - c.pads[i] - c.pads[i + rank]), 6));
  }
  if (transposed) {
    for (std::size_t i = 0; i < rank; ++i) {
      c.output_padding.push_back(pick(0, std::max(c.strides[i], c.dilations[i]) - 1));
      // The pads must leave at least one output.
      const std::int64_t full =
          c.strides[i] * (c.in[i] - 1) + c.output_padding[i] + c.dilations[i] * (c.k[i] - 1) + 1;
      while (c.pads[i] + c.pads[i + rank] >= full) c.pads[i] = c.pads[i + rank] = 0;
    }
  }
  return c;
}

NdCase case_3d() {
  NdCase c;
  c.n = 2;
  c.c = 4;
  c.m = 6;
  c.group = 2;
  c.in = {5, 4, 6};
  c.k = {3, 2, 3};
  c.strides = {2, 1, 2};
  c.dilations = {1, 2, 1};
  c.pads = {1, 0, 2, 0, 1, 1};
  c.bias = true;
  return c;
}

}  // namespace

TEST_CASE("Conv 3-D matches a direct convolution", "[graph/ops/conv_nd]") {
  SECTION("groups, strides, dilations, asymmetric pads, bias") { case_3d().check(false, 1); }
  SECTION("pointwise (the column matrix is X)") {
    NdCase c;
    c.c = 3;
    c.m = 5;
    c.in = {3, 4, 5};
    c.k = {1, 1, 1};
    c.strides = c.dilations = {1, 1, 1};
    c.pads.assign(6, 0);
    c.bias = true;
    c.check(false, 4);
  }
  SECTION("depthwise 3-D") {
    NdCase c;
    c.c = c.m = c.group = 3;
    c.in = {4, 5, 3};
    c.k = {3, 3, 3};
    c.strides = c.dilations = {1, 1, 1};
    c.pads.assign(6, 1);
    c.check(false, 7);
  }
  SECTION("4 spatial dimensions") {
    NdCase c;
    c.n = 1;
    c.c = 2;
    c.m = 3;
    c.in = {3, 4, 3, 5};
    c.k = {2, 3, 1, 2};
    c.strides = {1, 2, 1, 2};
    c.dilations = {2, 1, 1, 1};
    c.pads = {1, 0, 0, 1, 0, 1, 2, 0};
    c.bias = true;
    c.check(false, 10);
  }
  SECTION("auto_pad SAME_UPPER, SAME_LOWER and VALID") {
    NdCase c;
    c.c = 2;
    c.m = 2;
    c.in = {5, 4, 6};
    c.k = {2, 3, 4};
    c.strides = {2, 1, 3};
    c.dilations = {1, 1, 1};
    // SAME keeps out = ceil(in / stride): total pad = (out - 1) * stride + k - in, the odd one
    // at the end (UPPER) or the beginning (LOWER). Out: 3, 4, 2; totals 1, 2, 1.
    c.pads = {0, 1, 0, 1, 1, 1};
    c.check(false, 13, {attr_string("auto_pad", "SAME_UPPER")}, false);
    c.pads = {1, 1, 1, 0, 1, 0};
    c.check(false, 13, {attr_string("auto_pad", "SAME_LOWER")}, false);
    c.pads.assign(6, 0);
    c.check(false, 13, {attr_string("auto_pad", "VALID")}, false);
  }
  SECTION("seeded random 3-D cases") {
    std::mt19937 rng(2026);
    for (std::uint32_t i = 0; i < 12; ++i) {
      const NdCase c = random_case(rng, 3, false);
      INFO("case " << i);
      c.check(false, 100 + i);
    }
  }
}

TEST_CASE("ConvTranspose 3-D matches a direct scatter", "[graph/ops/conv_nd]") {
  SECTION("groups, strides, dilations, pads, output_padding, bias") {
    NdCase c = case_3d();
    c.output_padding = {1, 1, 0};
    c.check(true, 20);
  }
  SECTION("output_shape gives the pads (SAME_UPPER split) and grows past the full size") {
    NdCase c;
    c.c = 2;
    c.m = 3;
    c.in = {3, 2, 4};
    c.k = {3, 3, 2};
    c.strides = {2, 2, 1};
    c.dilations = {1, 1, 1};
    // Full sizes 7, 5, 5; output_shape 6, 5, 7: pads (0, 1), (0, 0), and 2 more at the end.
    c.pads = {0, 0, 0, 1, 0, 0};
    c.output_padding = {0, 0, 2};
    std::vector<float> x = random_floats(static_cast<std::size_t>(product(c.x_dims())), 30);
    const std::vector<float> w =
        random_floats(static_cast<std::size_t>(product(c.w_dims(true))), 31);
    OpTester t;
    t.input("x", DType::f32, c.x_dims()).init("w", c.w_dims(true), w);
    t.node("ConvTranspose", {"x", "w"}, {"y"},
           {attr_ints("strides", c.strides), attr_ints("output_shape", {6, 5, 7})})
        .output("y");
    t.check({f32_view(x, c.x_dims())},
            {make_tensor<float>(inlay::Shape{1, 3, 6, 5, 7}, c.conv_transpose(x, w, {}))},
            {1e-4, 1e-4});
  }
  SECTION("seeded random 3-D cases") {
    std::mt19937 rng(7);
    for (std::uint32_t i = 0; i < 12; ++i) {
      const NdCase c = random_case(rng, 3, true);
      INFO("case " << i);
      c.check(true, 200 + i);
    }
  }
  SECTION("4 spatial dimensions") {
    std::mt19937 rng(11);
    random_case(rng, 4, true).check(true, 300);
  }
}

TEST_CASE("Conv and ConvTranspose 3-D refuse bad shapes", "[graph/ops/conv_nd]") {
  using Catch::Matchers::Contains;
  auto conv = [](const Dims64& x, const Dims64& w, const std::vector<Pb>& attrs,
                 const char* op = "Conv") {
    OpTester t;
    t.input("x", DType::f32, x)
        .init("w", w, std::vector<float>(static_cast<std::size_t>(product(w)), 0.5f))
        .node(op, {"x", "w"}, {"y"}, attrs)
        .output("y");
    return t;
  };
  // W of another rank than X.
  CHECK_THAT(conv({1, 2, 4, 4, 4}, {3, 2, 3, 3}, {}).run_error(ErrorKind::shape_mismatch),
             Contains("must have the rank of X") && Contains("Conv"));
  // A kernel larger than the padded input.
  CHECK_THAT(conv({1, 1, 4, 2, 4}, {1, 1, 3, 3, 3}, {attr_ints("pads", {0, 0, 0, 0, 0, 0})})
                 .run_error(ErrorKind::shape_mismatch),
             Contains("spatial axis 1") && Contains("X [1, 1, 4, 2, 4]") && Contains("Conv"));
  // Attribute lists of the wrong length for three spatial axes.
  conv({1, 1, 4, 4, 4}, {1, 1, 2, 2, 2}, {attr_ints("strides", {1, 1})})
      .expect_run_error(ErrorKind::invalid_model, "strides has 2 values; the input needs 3");
  conv({1, 1, 4, 4, 4}, {1, 1, 2, 2, 2}, {attr_ints("pads", {1, 1, 1})})
      .expect_run_error(ErrorKind::invalid_model, "pads has 3 values; the input needs 6");
  conv({1, 2, 4, 4, 4}, {1, 1, 2, 2, 2}, {})
      .expect_run_error(ErrorKind::shape_mismatch, "W[1] * group != C");
  // ConvTranspose: pads that remove every output.
  CHECK_THAT(conv({1, 1, 2, 2, 2}, {1, 1, 1, 1, 1}, {attr_ints("pads", {2, 2, 2, 2, 2, 2})},
                  "ConvTranspose")
                 .run_error(ErrorKind::shape_mismatch),
             Contains("remove more than") && Contains("ConvTranspose"));
  conv({1, 1, 2, 2, 2}, {1, 1, 2, 2, 2}, {attr_ints("output_padding", {1, 1})}, "ConvTranspose")
      .expect_run_error(ErrorKind::invalid_model, "output_padding has 2 values");
}
