#include <cmath>
#include <string>
#include <vector>

#include "reference/norm.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;

namespace {
// Scale/bias of n channels, or no vector (null pointer) when `present` is false.
const float* maybe(const std::vector<float>& v, bool present) {
  return present ? v.data() : nullptr;
}
}  // namespace

TEST_CASE("batch_norm matches the reference", "[kernels/norm]") {
  std::mt19937 rng(21);
  for (int round = 0; round < 24; ++round) {
    const std::size_t b = inlay_test::random_size(rng, 0, 3),
                      c = inlay_test::random_size(rng, 1, 9),
                      s = inlay_test::random_size(rng, 0, 70);
    auto x = inlay_test::random_floats(b * c * s, 200 + round, -3.0f, 3.0f);
    if (round == 5) inlay_test::sprinkle_specials(x);
    const auto mean = inlay_test::random_floats(c, 300 + round);
    const auto var = inlay_test::random_floats(c, 400 + round, 0.0f, 2.0f);
    const auto scale = inlay_test::random_floats(c, 500 + round);
    const auto bias = inlay_test::random_floats(c, 600 + round);
    const bool with_scale = round % 2, with_bias = round % 3 != 0;
    const float eps = round % 4 ? 1e-5f : 0.0f;
    INFO("batch " << b << " channels " << c << " spatial " << s << " eps " << eps);
    const auto want = inlay_ref::batch_norm(x, b, c, s, mean, var, maybe(scale, with_scale),
                                            maybe(bias, with_bias), eps);
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> y(x.size());
      k::batch_norm_f32(x.data(), y.data(), b, c, s, mean.data(), var.data(),
                        maybe(scale, with_scale), maybe(bias, with_bias), eps);
      inlay_test::check_close(y, want, 1e-5f, 1e-5f);
      std::vector<float> z = x;  // in place
      k::batch_norm_f32(z.data(), z.data(), b, c, s, mean.data(), var.data(),
                        maybe(scale, with_scale), maybe(bias, with_bias), eps);
      inlay_test::check_close(z, want, 1e-5f, 1e-5f);
    });
  }
}

TEST_CASE("layer_norm matches the reference, with and without scale, bias and statistics",
          "[kernels/norm]") {
  std::mt19937 rng(22);
  for (int round = 0; round < 32; ++round) {
    const std::size_t rows = inlay_test::random_size(rng, 0, 5);
    const std::size_t cols = round == 3 ? 1 : inlay_test::random_size(rng, 1, 300);
    // Every fourth round offsets the data by 1e4: E[x^2] - E[x]^2 would lose all digits.
    const float offset = round % 4 == 1 ? 1e4f : 0.0f;
    auto x = inlay_test::random_floats(rows * cols, 700 + round, offset - 1.0f, offset + 1.0f);
    if (round == 7) inlay_test::sprinkle_specials(x);
    const auto scale = inlay_test::random_floats(cols, 800 + round);
    const auto bias = inlay_test::random_floats(cols, 900 + round);
    const bool with_scale = round % 2, with_bias = (round / 2) % 2;
    const float eps = 1e-5f;
    INFO("rows " << rows << " cols " << cols << " offset " << offset);
    std::vector<float> want_mean, want_inv;
    const auto want = inlay_ref::layer_norm(x, rows, cols, maybe(scale, with_scale),
                                            maybe(bias, with_bias), eps, &want_mean, &want_inv);
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> y(x.size()), mean(rows), inv(rows);
      k::layer_norm_f32(x.data(), y.data(), rows, cols, maybe(scale, with_scale),
                        maybe(bias, with_bias), eps, mean.data(), inv.data());
      const float tol = 2e-5f;
      inlay_test::check_close(y, want, tol, tol);
      inlay_test::check_close(mean, want_mean, 1e-6f, 1e-6f);  // float rounding of the mean
      inlay_test::check_close(inv, want_inv, tol, tol);
      std::vector<float> z = x;  // in place, without statistics
      k::layer_norm_f32(z.data(), z.data(), rows, cols, maybe(scale, with_scale),
                        maybe(bias, with_bias), eps);
      inlay_test::check_close(z, y, 0.0f, 0.0f);
    });
  }
}

TEST_CASE("instance_norm and group_norm match the reference", "[kernels/norm]") {
  std::mt19937 rng(23);
  for (int round = 0; round < 32; ++round) {
    const std::size_t groups = inlay_test::random_size(rng, 1, 4);
    const std::size_t b = inlay_test::random_size(rng, 0, 3);
    const std::size_t c = groups * inlay_test::random_size(rng, 1, 3);
    const std::size_t s = round == 2 ? 1 : inlay_test::random_size(rng, 1, 90);
    const float offset = round % 4 == 1 ? 1e4f : 0.0f;
    auto x = inlay_test::random_floats(b * c * s, 1000 + round, offset - 1.0f, offset + 1.0f);
    if (round == 6) inlay_test::sprinkle_specials(x);
    const auto scale = inlay_test::random_floats(c, 1100 + round);
    const auto bias = inlay_test::random_floats(c, 1200 + round);
    const bool with_affine = round % 3 != 0;
    const float eps = 1e-3f;
    const float tol = 2e-5f;
    INFO("batch " << b << " channels " << c << " spatial " << s << " groups " << groups);
    const auto want_g = inlay_ref::group_norm(x, b, c, s, groups, maybe(scale, with_affine),
                                              maybe(bias, with_affine), eps);
    const auto want_i = inlay_ref::group_norm(x, b, c, s, c, maybe(scale, with_affine),
                                              maybe(bias, with_affine), eps);
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> y(x.size());
      k::group_norm_f32(x.data(), y.data(), b, c, s, groups, maybe(scale, with_affine),
                        maybe(bias, with_affine), eps);
      inlay_test::check_close(y, want_g, tol, tol);
      k::instance_norm_f32(x.data(), y.data(), b, c, s, maybe(scale, with_affine),
                           maybe(bias, with_affine), eps);
      inlay_test::check_close(y, want_i, tol, tol);
      std::vector<float> z = x;  // in place
      k::group_norm_f32(z.data(), z.data(), b, c, s, groups, maybe(scale, with_affine),
                        maybe(bias, with_affine), eps);
      inlay_test::check_close(z, want_g, tol, tol);
    });
  }
}

TEST_CASE("norm kernels reject bad parameters", "[kernels/norm]") {
  using Catch::Matchers::Contains;
  std::vector<float> x(12, 1.0f), p(3, 1.0f);
  CHECK_THROWS_WITH(
      k::group_norm_f32(x.data(), x.data(), 1, 3, 4, 2, p.data(), p.data(), 1e-5f),
      Contains("group_norm_f32") && Contains("groups (2)") && Contains("channels (3)"));
  CHECK_THROWS_WITH(k::group_norm_f32(x.data(), x.data(), 1, 3, 4, 0, p.data(), p.data(), 1e-5f),
                    Contains("group_norm_f32") && Contains("groups (0)"));
  CHECK_THROWS_WITH(k::layer_norm_f32(x.data(), x.data(), 3, 4, nullptr, nullptr, -1.0f),
                    Contains("layer_norm_f32") && Contains("eps") && Contains("-1"));
  CHECK_THROWS_WITH(k::instance_norm_f32(x.data(), x.data(), 1, 3, 4, nullptr, nullptr, NAN),
                    Contains("instance_norm_f32") && Contains("eps"));
  CHECK_THROWS_WITH(
      k::batch_norm_f32(x.data(), x.data(), 1, 3, 4, nullptr, p.data(), nullptr, nullptr, 1e-5f),
      Contains("batch_norm_f32") && Contains("mean and var"));
  CHECK_THROWS_AS(
      k::batch_norm_f32(x.data(), x.data(), 1, 3, 4, p.data(), p.data(), nullptr, nullptr, -1e-3f),
      inlay::Error);
}
