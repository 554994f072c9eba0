// Shared helpers of the tests: run a check on every CPU target, random data, comparisons.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

// 1 where malloc is the C library's: the sanitizers' allocators abort on a request too large to
// satisfy instead of failing it, so tests of such requests run only here.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INLAY_TEST_PLAIN_ALLOCATOR 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define INLAY_TEST_PLAIN_ALLOCATOR 0
#endif
#endif
#ifndef INLAY_TEST_PLAIN_ALLOCATOR
#define INLAY_TEST_PLAIN_ALLOCATOR 1
#endif

namespace inlay_test {

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// A missing cell of the data tests.
inline constexpr float missing = kNaN;

// A rows x cols f32 tensor holding v row by row, and an f32 tensor's values. Tests build some
// matrices before Catch2 runs (namespace-scope constants), so a wrong size throws, not REQUIRE.
inline inlay::Tensor matrix(std::int64_t rows, std::int64_t cols, const std::vector<float>& v) {
  if (static_cast<std::int64_t>(v.size()) != rows * cols)
    throw std::logic_error("inlay_test::matrix: " + std::to_string(v.size()) + " values for " +
                           std::to_string(rows) + " x " + std::to_string(cols));
  inlay::Tensor t(inlay::DType::f32, inlay::Shape{rows, cols});
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}
inline std::vector<float> values(const inlay::Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

// The op types of a serialized model's graph, in node order.
inline std::vector<std::string> op_types(const std::string& bytes) {
  const inlay::onnx::ModelProto m = inlay::onnx::parse_model(bytes.data(), bytes.size());
  std::vector<std::string> ops;
  for (const auto& node : m.graph.node) ops.emplace_back(node.op_type);
  return ops;
}

// Runs f, which must throw inlay::Error of `kind`; returns the message.
template <class F>
std::string error_of(F&& f, inlay::ErrorKind kind) {
  try {
    f();
  } catch (const inlay::Error& e) {
    CHECK(e.kind() == kind);
    return e.what();
  }
  FAIL_CHECK("no inlay::Error was thrown");
  return "";
}

inline std::set<std::string>& target_log() {
  static std::set<std::string> names;
  return names;
}

// The targets exercised so far, best first (in the order of available_cpu_targets()).
inline std::string targets_run() {
  std::string s;
  for (const std::string& t : inlay::available_cpu_targets()) {
    if (target_log().count(t)) s += " " + t;
  }
  return s.empty() ? " (none)" : s;
}

// Runs body() once per CPU target compiled in and supported by this CPU, with that target forced;
// restores the automatic choice afterwards. Failures name the target.
template <class Body>
void for_each_cpu_target(Body&& body) {
  const std::vector<std::string> targets = inlay::available_cpu_targets();
  REQUIRE(!targets.empty());
  for (const std::string& t : targets) {
    inlay::set_cpu_target(t);
    REQUIRE(std::string(inlay::cpu_target()) == t);
    target_log().insert(t);
    INFO("CPU target " << t);
    body();
  }
  inlay::set_cpu_target("best");
}

// Uniform random floats in [lo, hi), reproducible from the seed.
inline std::vector<float> random_floats(std::size_t n, std::uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Random size in [lo, hi], for odd shapes.
inline std::size_t random_size(std::mt19937& rng, std::size_t lo, std::size_t hi) {
  return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
}

// Puts NaN, +Inf and -Inf at a few places (when n is large enough).
inline void sprinkle_specials(std::vector<float>& v) {
  if (v.size() > 0) v[v.size() / 2] = NAN;
  if (v.size() > 3) v[1] = INFINITY;
  if (v.size() > 5) v[v.size() - 2] = -INFINITY;
}

// The one comparison of the tests: got agrees with ref when both are NaN, both the same infinity,
// or |got - ref| <= atol + rtol |ref|.
inline bool close(double got, double ref, double rtol, double atol) {
  if (std::isnan(got) || std::isnan(ref)) return std::isnan(got) && std::isnan(ref);
  if (std::isinf(got) || std::isinf(ref)) return got == ref;
  return std::fabs(got - ref) <= atol + rtol * std::fabs(ref);
}

// One CHECK that got(i) is close to ref(i) for every i < n; a failure says how many elements
// differ, the first one and the largest difference.
template <class Got, class Ref>
bool check_all_close(std::size_t n, Got got, Ref ref, double rtol, double atol) {
  std::size_t bad = 0, first = n;
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = got(i), r = ref(i);
    if (close(g, r, rtol, atol)) continue;
    if (!bad) first = i;
    ++bad;
    if (std::fabs(g - r) > worst) worst = std::fabs(g - r);
  }
  if (bad) {
    FAIL_CHECK(bad << " of " << n << " elements differ beyond " << atol << " + " << rtol
                   << " |ref|; first at " << first << ": got " << got(first) << ", expected "
                   << ref(first) << "; largest difference " << worst);
  } else {
    SUCCEED();
  }
  return bad == 0;
}

// Checks actual against expected element by element (check_all_close).
inline void check_close(const float* actual, const float* expected, std::size_t n,
                        float rtol = 1e-5f, float atol = 1e-6f) {
  check_all_close(
      n, [&](std::size_t i) { return double(actual[i]); },
      [&](std::size_t i) { return double(expected[i]); }, rtol, atol);
}
inline void check_close(const std::vector<float>& actual, const std::vector<float>& expected,
                        float rtol = 1e-5f, float atol = 1e-6f) {
  REQUIRE(actual.size() == expected.size());
  check_close(actual.data(), expected.data(), actual.size(), rtol, atol);
}

// A two-thread pool that counts the parallel steps handed to it (which layers go to threads).
class CountingPool final : public inlay::Executor {
 public:
  std::size_t concurrency() const noexcept override { return pool_.concurrency(); }
  void run(std::size_t count, Task task, void* context) override {
    ++runs;
    pool_.run(count, task, context);
  }
  std::size_t runs = 0;

 private:
  inlay::ThreadPool pool_{2};
};

}  // namespace inlay_test
