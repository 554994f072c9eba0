// unary_f32 (every UnaryOp through activate_f32) against the double-precision reference.
// Set INLAY_TEST_VERBOSE=1 to print the largest error measured per op.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "reference/elementwise.hpp"
#include "test_util.hpp"

using inlay::kernels::Activation;
using inlay::kernels::UnaryOp;

namespace {

constexpr double kUlp = 1.0 / (1 << 23);  // float ulp relative to the value (upper bound)
constexpr double kDenormUlp = 1.4012984643248171e-45;

// Allowed error for one element: ulps * unit with (the ulps are about twice the largest error
// measured on all targets, see INLAY_TEST_VERBOSE)
//   unit = kUlp (cond(x) |ref| + scale(x)) + kDenormUlp (1 + |x|).
// cond > 1 where the float evaluation amplifies rounding (pow: |alpha ln x|); scale is the
// absolute error floor where a float sum cancels (GELU's 1 + erf for x < 0, hard sigmoid). The
// last term covers x g(x) with g subnormal (SiLU, mish for x < -87): g keeps few bits.
struct Tolerance {
  using Cond = std::function<double(double x, double ref)>;
  using Scale = std::function<double(double x)>;
  Tolerance(double u, Cond c = nullptr, Scale s = nullptr)
      : ulps(u), cond(std::move(c)), scale(std::move(s)) {}
  double ulps;
  Cond cond;    // empty: 1
  Scale scale;  // empty: 0
};

struct OpCase {
  std::string name;
  Activation f;
  Tolerance tol;
};

std::vector<OpCase> op_cases() {
  const auto x_scale = [](double k) { return [k](double x) { return k * std::fabs(x); }; };
  const auto constant = [](double k) { return [k](double) { return k; }; };
  std::vector<OpCase> cases = {
      {"identity", Activation::none(), {0}},
      {"relu", Activation::relu(), {0}},
      {"leaky_relu", Activation::leaky_relu(), {0.5}},
      {"leaky_relu(-0.3)", Activation::leaky_relu(-0.3f), {0.5}},
      {"sigmoid", Activation::sigmoid(), {2.5}},
      // alpha x + beta cancels near -beta/alpha: absolute error ~1 ulp of beta.
      {"hard_sigmoid", Activation::hard_sigmoid(), {1, {}, constant(1.0)}},
      {"hard_sigmoid(1/6)", Activation::hard_sigmoid(1.0f / 6, 0.5f), {1, {}, constant(1.0)}},
      {"tanh", Activation::tanh(), {3}},
      // 1 + erf(x / sqrt 2) cancels for x < 0: absolute error ~ |x| ulp(1).
      {"gelu_erf", Activation::gelu(), {2, {}, x_scale(1.0)}},
      // sigmoid(2u) amplifies the rounding of u = c (x + 0.044715 x^3) by ~2|u| for u << 0.
      {"gelu_tanh",
       Activation::gelu_tanh(),
       {2.5,
        [](double x, double) {
          return 1.0 + 2.0 * std::fabs(0.7978845608 * (x + 0.044715 * x * x * x));
        }}},
      {"silu", Activation::silu(), {3}},
      // x / 6 + 0.5 cancels near x = -3: absolute error ~ |x| ulp(0.5).
      {"hard_swish", Activation::hard_swish(), {1, {}, x_scale(1.0)}},
      {"mish", Activation::mish(), {3}},
      {"softplus", Activation::softplus(), {2.5}},
      {"elu", Activation::elu(), {2.5}},
      {"elu(0.5)", Activation::elu(0.5f), {2.5}},
      {"selu", Activation::selu(), {3}},
      {"clip", Activation::clip(-1.5f, 6.0f), {0}},
      {"relu6", Activation::relu6(), {0}},
      {"clip(lo > hi)", Activation::clip(2.0f, 1.0f), {0}},
      {"exp", Activation::of(UnaryOp::exp), {1.5}},
      {"log", Activation::of(UnaryOp::log), {1.5}},
      {"sqrt", Activation::of(UnaryOp::sqrt), {0.5}},
      {"erf", Activation::of(UnaryOp::erf), {3}},
      {"reciprocal", Activation::of(UnaryOp::reciprocal), {0.5}},
      {"abs", Activation::of(UnaryOp::abs), {0}},
      {"neg", Activation::of(UnaryOp::neg), {0}},
  };
  // pow: exact paths for 0, 1, 2, 3, -1; e^(alpha ln|x|) otherwise, whose error grows with
  // |alpha ln x| (the rounding of ln x is scaled by the exponential).
  for (float alpha : {0.0f, 1.0f, 2.0f, 3.0f, -1.0f, 0.5f, -2.5f, 1.7f, 4.0f, -3.0f, 7.0f}) {
    cases.push_back({"pow(" + std::to_string(alpha) + ")",
                     Activation::of(UnaryOp::pow, alpha),
                     {2, [alpha](double x, double) {
                        return 1.0 + std::fabs(alpha * std::log(std::fabs(x)));
                      }}});
  }
  return cases;
}

// Inputs with a well-defined result: signed zeros, infinities, NaN, denormals, the overflow and
// underflow edges of exp, the branch points of the piecewise approximations.
std::vector<float> special_inputs() {
  return {0.0f,     -0.0f,   INFINITY, -INFINITY, NAN,     1e-40f,   -1e-40f, FLT_MIN,
          -FLT_MIN, FLT_MAX, -FLT_MAX, 1.0f,      -1.0f,   0.5f,     -0.5f,   2.0f,
          -3.0f,    3.0f,    -6.0f,    6.0f,      88.72f,  88.73f,   -87.3f,  -103.9f,
          -104.1f,  -110.0f, 20.0f,    -20.0f,    1.4142f, -1.4142f, 5.6568f, -5.6568f,
          30.0f,    -30.0f,  1e-20f,   -1e-20f,   1e20f,   -1e20f,   0.1f,    -2.9f};
}

struct ErrorStats {
  double worst = 0;  // in units of the tolerance's unit
  float worst_x = 0;
};

// Checks got against the reference element by element with the op's tolerance.
void check_op(const OpCase& c, const std::vector<float>& x, const std::vector<float>& got,
              ErrorStats& stats) {
  REQUIRE(got.size() == x.size());
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double ref = inlay_ref::activation(c.f, x[i]);
    const float ref_f = static_cast<float>(ref);
    const double g = got[i];
    bool ok;
    if (std::isnan(ref_f) || std::isnan(g) || std::isinf(ref_f) || std::isinf(g)) {
      ok = (std::isnan(ref_f) && std::isnan(g)) || ref_f == g;
    } else {
      const double cond = c.tol.cond ? c.tol.cond(x[i], ref) : 1.0;
      const double scale = c.tol.scale ? c.tol.scale(x[i]) : 0.0;
      const double unit =
          kUlp * (cond * std::fabs(ref) + scale) + kDenormUlp * (1.0 + std::fabs(x[i]));
      const double err = std::fabs(g - ref);
      ok = err <= c.tol.ulps * unit || g == ref_f;  // the correctly rounded result is always fine
      if (g != ref_f && err / unit > stats.worst) {
        stats.worst = err / unit;
        stats.worst_x = x[i];
      }
    }
    if (!ok && bad++ == 0) first = i;
  }
  if (bad) {
    FAIL_CHECK(c.name << ": " << bad << " of " << x.size() << " differ; first x = " << x[first]
                      << ": got " << got[first] << ", expected "
                      << static_cast<float>(inlay_ref::activation(c.f, x[first])));
  } else {
    SUCCEED();
  }
}

bool verbose() { return std::getenv("INLAY_TEST_VERBOSE") != nullptr; }

}  // namespace

TEST_CASE("unary_f32 matches the reference for every op on random and special inputs",
          "[kernels/activation]") {
  const std::vector<OpCase> cases = op_cases();
  std::vector<ErrorStats> stats(cases.size());
  struct Range {
    float lo, hi;
  };
  const Range ranges[] = {{-20, 20}, {-100, 100}, {-1e4f, 1e4f}, {0, 5}, {-1, 1}};
  const std::size_t sizes[] = {0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 100, 1001};
  inlay_test::for_each_cpu_target([&] {
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const OpCase& c = cases[k];
      INFO("op " << c.name);
      std::uint32_t seed = 1;
      for (const Range& r : ranges) {
        for (std::size_t n : sizes) {
          std::vector<float> x = inlay_test::random_floats(n, seed++, r.lo, r.hi);
          std::vector<float> y(n, -7.0f);
          inlay::kernels::unary_f32(x.data(), y.data(), n, c.f);
          check_op(c, x, y, stats[k]);
        }
      }
      std::vector<float> x = special_inputs();
      std::vector<float> y(x.size());
      inlay::kernels::unary_f32(x.data(), y.data(), x.size(), c.f);
      check_op(c, x, y, stats[k]);
    }
  });
  if (verbose()) {
    for (std::size_t k = 0; k < cases.size(); ++k) {
      std::printf("activation %-22s max error %.2f ulp at x = %g (allowed %.1f)\n",
                  cases[k].name.c_str(), stats[k].worst, stats[k].worst_x, cases[k].tol.ulps);
    }
  }
}

TEST_CASE("unary_f32 runs in place and leaves memory past n untouched", "[kernels/activation]") {
  const std::vector<OpCase> cases = op_cases();
  ErrorStats unused;
  inlay_test::for_each_cpu_target([&] {
    for (const OpCase& c : cases) {
      INFO("op " << c.name);
      for (std::size_t n : {1, 5, 19, 64, 77}) {
        std::vector<float> x = inlay_test::random_floats(n + 3, 42, -8, 8);
        inlay_test::sprinkle_specials(x);
        const std::vector<float> original = x;
        inlay::kernels::unary_f32(x.data(), x.data(), n, c.f);
        check_op(c, std::vector<float>(original.begin(), original.begin() + n),
                 std::vector<float>(x.begin(), x.begin() + n), unused);
        CHECK(std::memcmp(x.data() + n, original.data() + n, 3 * sizeof(float)) == 0);
      }
    }
  });
}

TEST_CASE("unary_f32 does not overflow and keeps NaN in the saturated ranges",
          "[kernels/activation]") {
  inlay_test::for_each_cpu_target([&] {
    const auto f = [](Activation a, float x) {
      float y = 0;
      inlay::kernels::unary_f32(&x, &y, 1, a);
      return y;
    };
    CHECK(f(Activation::softplus(), 100.0f) == 100.0f);
    CHECK(f(Activation::softplus(), 1e30f) == 1e30f);
    CHECK(f(Activation::sigmoid(), -100.0f) < 1e-40f);
    CHECK(f(Activation::sigmoid(), 1e4f) == 1.0f);
    CHECK(f(Activation::mish(), -100.0f) <= 0.0f);
    CHECK(f(Activation::mish(), -100.0f) > -1e-40f);
    CHECK(f(Activation::mish(), 1e4f) == 1e4f);
    CHECK(f(Activation::silu(), 1e30f) == 1e30f);
    CHECK(f(Activation::gelu(), 1e30f) == 1e30f);
    CHECK(f(Activation::gelu_tanh(), 1e30f) == 1e30f);
    CHECK(f(Activation::gelu_tanh(), -1e30f) == 0.0f);
    for (UnaryOp op : {UnaryOp::sigmoid, UnaryOp::silu, UnaryOp::mish, UnaryOp::softplus,
                       UnaryOp::gelu_erf, UnaryOp::gelu_tanh, UnaryOp::clip, UnaryOp::relu,
                       UnaryOp::hard_sigmoid, UnaryOp::hard_swish, UnaryOp::exp, UnaryOp::log,
                       UnaryOp::erf, UnaryOp::tanh, UnaryOp::elu, UnaryOp::pow}) {
      INFO("op " << static_cast<int>(op));
      CHECK(std::isnan(f(Activation::of(op, 1.5f, 2.0f), NAN)));
    }
  });
}

TEST_CASE("pow with a scalar exponent follows std::pow on negative and zero bases",
          "[kernels/activation]") {
  inlay_test::for_each_cpu_target([&] {
    for (float alpha : {-3.0f, -2.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 2.0f, 3.0f, 5.0f, 2.5f}) {
      INFO("alpha " << alpha);
      const std::vector<float> x = {-2.0f, -0.0f, 0.0f, -1.5f, -INFINITY, INFINITY,
                                    NAN,   -1.0f, 1.0f, 0.25f, -3.0f};
      std::vector<float> y(x.size());
      inlay::kernels::unary_f32(x.data(), y.data(), x.size(), Activation::of(UnaryOp::pow, alpha));
      for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("x " << x[i]);
        const float ref = std::pow(x[i], alpha);
        if (std::isnan(ref)) {
          CHECK(std::isnan(y[i]));
        } else {
          CHECK((y[i] == ref || std::fabs(y[i] - ref) <= 1e-6f * std::fabs(ref)));
          CHECK(std::signbit(y[i]) == std::signbit(ref));
        }
      }
    }
  });
}

TEST_CASE("unary_f32 reports bad parameters", "[kernels/activation]") {
  float x = 1.0f, y = 0.0f;
  CHECK_THROWS_WITH(inlay::kernels::unary_f32(&x, &y, 1, Activation::of(static_cast<UnaryOp>(200))),
                    Catch::Matchers::Contains("unary_f32: unknown UnaryOp 200"));
  CHECK_THROWS_WITH(inlay::kernels::unary_f32(nullptr, &y, 3, Activation::relu()),
                    Catch::Matchers::Contains("unary_f32: null x for 3 elements"));
  CHECK_NOTHROW(inlay::kernels::unary_f32(nullptr, nullptr, 0, Activation::relu()));
}
