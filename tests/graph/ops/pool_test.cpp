// Graph-door tests of the pooling operators (include/inlay/graph/ops/pool.hpp) beyond the official
// node tests: the errors on bad attributes and on inputs of the wrong rank or a window larger than
// the padded input; 3-D and 4-D MaxPool (indices, storage_order, dilations, ceil_mode),
// AveragePool (count_include_pad, ceil_mode), LpPool and the global pools against a direct loop.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

TEST_CASE("Pools refuse bad attributes and input shapes", "[graph/ops/pool]") {
  OpTester p;
  p.input("x", DType::f32, {1, 1, 4, 4}).node("MaxPool", {"x"}, {"y"}).output("y");
  p.expect_load_error(ErrorKind::invalid_model, "kernel_shape");
  OpTester q;
  q.input("x", DType::f32, {1, 1, 4, 4})
      .node("MaxPool", {"x"}, {"y"},
            {attr_ints("kernel_shape", {2, 2}), attr_int("storage_order", 2)})
      .output("y");
  q.expect_load_error(ErrorKind::invalid_model, "storage_order 2");
  OpTester k;
  k.input("x", DType::f32, {1, 1, 4})
      .node("AveragePool", {"x"}, {"y"}, {attr_ints("kernel_shape", {2, 2})})
      .output("y");
  k.expect_run_error(ErrorKind::shape_mismatch, "spatial");
}

namespace {

using Dims64 = std::vector<std::int64_t>;

std::int64_t count_of(const Dims64& d) {
  std::int64_t p = 1;
  for (std::int64_t v : d) p *= v;
  return p;
}

// Steps `pos` through the box `dims` in row-major order; false after the last.
bool step(Dims64& pos, const Dims64& dims) {
  for (std::size_t i = dims.size(); i-- > 0;) {
    if (++pos[i] < dims[i]) return true;
    pos[i] = 0;
  }
  return false;
}

// A 3-D (or any N-D) pool written as loops: ONNX's output size (ceil_mode drops a last window
// that starts in the end padding), max with the row- or column-major index of the first maximum,
// averages with or without the padding counted, Lp norms.
struct PoolRef {
  std::string op;  // MaxPool, AveragePool, LpPool
  Dims64 x_dims, k, strides, dilations, pads;
  bool ceil_mode = false, count_include_pad = false, column_major = false;
  double p = 2.0;

  std::size_t rank() const { return k.size(); }
  Dims64 out() const {
    Dims64 o;
    for (std::size_t i = 0; i < rank(); ++i) {
      const std::int64_t in = x_dims[i + 2], padded = in + pads[i] + pads[i + rank()];
      const std::int64_t span = padded - dilations[i] * (k[i] - 1) - 1;
      std::int64_t n = (ceil_mode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
      if (ceil_mode && (n - 1) * strides[i] >= in + pads[i]) --n;
      o.push_back(n);
    }
    return o;
  }
  Dims64 y_dims() const {
    Dims64 d{x_dims[0], x_dims[1]};
    const Dims64 o = out();
    d.insert(d.end(), o.begin(), o.end());
    return d;
  }
  void run(const std::vector<float>& x, std::vector<float>& y,
           std::vector<std::int64_t>& idx) const {
    const Dims64 in(x_dims.begin() + 2, x_dims.end()), o = out();
    const std::int64_t planes = x_dims[0] * x_dims[1], in_plane = count_of(in);
    for (std::int64_t pl = 0; pl < planes; ++pl) {
      Dims64 pos(rank(), 0);
      do {
        double acc = 0.0, best = 0.0;
        std::int64_t best_at = -1, inside = 0, padded = 0;
        Dims64 t(rank(), 0);
        do {
          bool in_x = true, in_padded = true;
          std::int64_t row = 0, col = 0, col_scale = 1;
          for (std::size_t i = 0; i < rank(); ++i) {
            const std::int64_t at = pos[i] * strides[i] + t[i] * dilations[i] - pads[i];
            in_x = in_x && at >= 0 && at < in[i];
            in_padded = in_padded && at < in[i] + pads[i + rank()];
            row = row * in[i] + at;
            col += at * col_scale;
            col_scale *= in[i];
          }
          padded += in_padded ? 1 : 0;
          if (!in_x) continue;
          ++inside;
          const double v = x[static_cast<std::size_t>(pl * in_plane + row)];
          if (best_at < 0 || v > best) {
            best = v;
            best_at = column_major ? col : row;
          }
          acc += op == "LpPool" ? std::pow(std::fabs(v), p) : v;
        } while (step(t, k));
        double r = best;
        if (op == "AveragePool") r = acc / double(count_include_pad ? padded : inside);
        if (op == "LpPool") r = std::pow(acc, 1.0 / p);
        y.push_back(static_cast<float>(r));
        idx.push_back(pl * in_plane + best_at);
      } while (step(pos, o));
    }
  }
  void check(std::uint32_t seed, bool with_indices = false) const {
    std::vector<float> x = random_floats(static_cast<std::size_t>(count_of(x_dims)), seed);
    std::vector<float> y;
    std::vector<std::int64_t> idx;
    run(x, y, idx);
    std::vector<Pb> a{attr_ints("kernel_shape", k), attr_ints("strides", strides),
                      attr_ints("pads", pads), attr_int("ceil_mode", ceil_mode ? 1 : 0)};
    if (op == "MaxPool") {
      a.push_back(attr_ints("dilations", dilations));
      a.push_back(attr_int("storage_order", column_major ? 1 : 0));
    }
    if (op == "AveragePool") a.push_back(attr_int("count_include_pad", count_include_pad ? 1 : 0));
    if (op == "LpPool") a.push_back(attr_int("p", static_cast<std::int64_t>(p)));
    OpTester t;
    t.input("x", DType::f32, x_dims);
    if (with_indices) {
      t.node(op, {"x"}, {"y", "i"}, a).output("y").output("i");
    } else {
      t.node(op, {"x"}, {"y"}, a).output("y");
    }
    const Dims64 yd = y_dims();
    const inlay::Shape ys(yd.data(), yd.size());
    std::vector<inlay::Tensor> want{make_tensor<float>(ys, y)};
    if (with_indices) want.push_back(make_tensor<std::int64_t>(ys, idx));
    t.check({f32_view(x, x_dims)}, want, {1e-5, 1e-5});
  }
};

}  // namespace

TEST_CASE("Pools over 3 spatial dimensions match a direct loop", "[graph/ops/pool]") {
  PoolRef r;
  r.x_dims = {2, 3, 5, 6, 7};
  r.k = {2, 3, 2};
  r.strides = {2, 2, 3};
  r.dilations = {1, 1, 1};
  r.pads = {1, 0, 1, 0, 1, 1};
  SECTION("MaxPool with row- and column-major indices, dilations, ceil_mode") {
    r.op = "MaxPool";
    r.dilations = {2, 1, 2};
    r.check(1, true);
    r.column_major = true;
    r.ceil_mode = true;
    r.check(2, true);
  }
  SECTION("AveragePool with and without the padding counted, ceil_mode") {
    r.op = "AveragePool";
    r.check(3);
    r.count_include_pad = true;
    r.ceil_mode = true;
    r.check(4);
  }
  SECTION("LpPool p = 3") {
    r.op = "LpPool";
    r.p = 3.0;
    r.check(5);
  }
  SECTION("4 spatial dimensions, many planes (split over threads)") {
    r.op = "MaxPool";
    r.x_dims = {2, 40, 3, 4, 3, 5};
    r.k = {2, 2, 1, 3};
    r.strides = {1, 2, 1, 2};
    r.dilations = {1, 1, 1, 1};
    r.pads = {0, 1, 0, 1, 1, 0, 0, 1};
    r.check(6, true);
    r.op = "AveragePool";
    r.check(7);
  }
}

namespace {

// MaxPool of uint8 and int8 (pool.hpp's 8-bit path for 1 and 2 spatial axes) against the loop
// above, on every byte value.
void check_max_pool_bytes(PoolRef r, std::uint32_t seed) {
  r.op = "MaxPool";
  std::mt19937 rng(seed);
  const auto n = static_cast<std::size_t>(count_of(r.x_dims));
  std::vector<std::uint8_t> u(n);
  for (auto& v : u) v = static_cast<std::uint8_t>(rng());
  const Dims64 yd = r.y_dims();
  const inlay::Shape xs(r.x_dims.data(), r.x_dims.size()), ys(yd.data(), yd.size());
  for (const bool is_signed : {false, true}) {
    INFO("signed " << is_signed);
    std::vector<float> xf(n), y;
    std::vector<std::int64_t> idx;
    for (std::size_t i = 0; i < n; ++i) {
      xf[i] = is_signed ? float(static_cast<std::int8_t>(u[i])) : float(u[i]);
    }
    r.run(xf, y, idx);
    OpTester t;
    t.input("x", is_signed ? DType::i8 : DType::u8, r.x_dims)
        .node("MaxPool", {"x"}, {"y"},
              {attr_ints("kernel_shape", r.k), attr_ints("strides", r.strides),
               attr_ints("pads", r.pads), attr_ints("dilations", r.dilations),
               attr_int("ceil_mode", r.ceil_mode ? 1 : 0)})
        .output("y");
    if (is_signed) {
      std::vector<std::int8_t> xs8(n), want(y.size());
      for (std::size_t i = 0; i < n; ++i) xs8[i] = static_cast<std::int8_t>(u[i]);
      for (std::size_t i = 0; i < y.size(); ++i) want[i] = static_cast<std::int8_t>(y[i]);
      const std::vector<inlay::Tensor> feeds{make_tensor<std::int8_t>(xs, xs8)};
      t.check(feeds, {make_tensor<std::int8_t>(ys, want)}, {0, 0});
    } else {
      std::vector<std::uint8_t> want(y.size());
      for (std::size_t i = 0; i < y.size(); ++i) want[i] = static_cast<std::uint8_t>(y[i]);
      const std::vector<inlay::Tensor> feeds{make_tensor<std::uint8_t>(xs, u)};
      t.check(feeds, {make_tensor<std::uint8_t>(ys, want)}, {0, 0});
    }
  }
}

}  // namespace

TEST_CASE("MaxPool of uint8 and int8 over 1 and 2 spatial axes matches a direct loop",
          "[graph/ops/pool]") {
  PoolRef r;
  r.x_dims = {2, 5, 17, 23};
  r.k = {3, 3};
  r.strides = {2, 2};
  r.dilations = {1, 1};
  r.pads = {1, 1, 1, 1};
  check_max_pool_bytes(r, 11);  // ResNet's stem pool
  r.k = {2, 3};
  r.strides = {1, 3};
  r.dilations = {2, 1};
  r.pads = {0, 2, 1, 0};
  r.ceil_mode = true;
  check_max_pool_bytes(r, 12);
  r.x_dims = {1, 64, 30, 40};  // many planes: ranges of them on the session's threads
  r.ceil_mode = false;
  check_max_pool_bytes(r, 13);
  r.x_dims = {3, 2, 19};  // 1-D
  r.k = {4};
  r.strides = {3};
  r.dilations = {1};
  r.pads = {2, 3};
  r.ceil_mode = true;
  check_max_pool_bytes(r, 14);
}

TEST_CASE("Global pools over 3 spatial dimensions", "[graph/ops/pool]") {
  std::vector<float> x = random_floats(2 * 3 * 4 * 5 * 6, 9);
  const std::size_t plane = 4 * 5 * 6;
  for (const char* op : {"GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool"}) {
    INFO(op);
    std::vector<float> want;
    for (std::size_t pl = 0; pl < 6; ++pl) {
      double mx = -1e30, sum = 0.0, sq = 0.0;
      for (std::size_t i = 0; i < plane; ++i) {
        const double v = x[pl * plane + i];
        mx = std::max(mx, v);
        sum += v;
        sq += v * v;
      }
      const std::string o = op;
      want.push_back(static_cast<float>(o == "GlobalMaxPool"       ? mx
                                        : o == "GlobalAveragePool" ? sum / double(plane)
                                                                   : std::sqrt(sq)));
    }
    OpTester t;
    t.input("x", DType::f32, {2, 3, 4, 5, 6}).node(op, {"x"}, {"y"}).output("y");
    t.check({f32_view(x, {2, 3, 4, 5, 6})}, {make_tensor<float>(inlay::Shape{2, 3, 1, 1, 1}, want)},
            {1e-5, 1e-5});
  }
}

TEST_CASE("Pools refuse a window larger than the padded input", "[graph/ops/pool]") {
  using Catch::Matchers::Contains;
  OpTester t;
  t.input("x", DType::f32, {1, 2, 4, 3, 4})
      .node("MaxPool", {"x"}, {"y"},
            {attr_ints("kernel_shape", {2, 5, 2}), attr_ints("pads", {0, 1, 0, 0, 0, 0})})
      .output("y");
  CHECK_THAT(t.run_error(ErrorKind::shape_mismatch),
             Contains("spatial axis 1") && Contains("MaxPool"));
}
