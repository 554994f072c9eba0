#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "reference/gemm.hpp"
#include "test_util.hpp"

namespace {

using inlay::kernels::Activation;
using inlay::kernels::BiasKind;
using inlay::kernels::GemmEpilogue;
using inlay_test::kNaN;

// Beyond the end of each row (ld > width): must never change.
constexpr float kPad = -12345.0f;

// The sizes of the issue: edges of vectors, tiles and blocks.
const std::size_t kSizes[] = {0, 1, 2, 3, 5, 7, 16, 17, 31, 33, 65, 130};

std::size_t pick_size(std::mt19937& rng) {
  return kSizes[inlay_test::random_size(rng, 0, sizeof(kSizes) / sizeof(kSizes[0]) - 1)];
}

// A rows x cols matrix with leading dimension ld; random inside, kPad beyond the width. At least
// one element, so that data() is never null.
std::vector<float> matrix(std::size_t rows, std::size_t cols, std::size_t ld, std::uint32_t seed) {
  std::vector<float> v = inlay_test::random_floats(std::max<std::size_t>(rows * ld, 1), seed);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = cols; c < ld; ++c) v[r * ld + c] = kPad;
  }
  return v;
}

// Lipschitz bound of the activations the tests use (gelu's slope is at most 1.13).
double slope(const Activation& f) { return f.op == inlay::kernels::UnaryOp::gelu_erf ? 1.2 : 1.0; }

// Checks got against the reference want (both rows x cols with leading dimension ld): within the
// rounding bound of a k-term sum (Higham, eq. 3.5: |error| <= gamma_k sum |a b|, gamma_k ~ k u)
// plus the activation's own float error; padding untouched.
void check_result(const std::vector<float>& got, const std::vector<float>& want,
                  const std::vector<double>& magnitude, std::size_t rows, std::size_t cols,
                  std::size_t ld, std::size_t k, const Activation& act) {
  REQUIRE(got.size() == want.size());
  const double u = std::numeric_limits<float>::epsilon() / 2;
  std::size_t bad = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < ld; ++c) {
      const float g = got[r * ld + c], w = want[r * ld + c];
      bool ok;
      if (c >= cols) {
        ok = g == kPad;
      } else if (std::isnan(w) || std::isinf(w)) {
        ok = std::isnan(w) ? std::isnan(g) : g == w;
      } else {
        const double tol =
            slope(act) * 2 * (k + 4) * u * magnitude[r * cols + c] + 4e-6 * std::fabs(w) + 1e-30;
        ok = std::fabs(static_cast<double>(g) - w) <= tol;
      }
      if (!ok && bad++ == 0) {
        FAIL_CHECK("first mismatch at row " << r << " column " << c << ": got " << g
                                            << ", expected " << w);
      }
    }
  }
  CHECK(bad == 0);
}

struct GemmCase {
  bool trans_a, trans_b;
  std::size_t m, n, k, lda, ldb, ldc;
  float alpha, beta;
  BiasKind bias_kind;
  Activation act;
};

// Runs gemm_f32 (or, with `packed`, gemm_pack_b_f32 + gemm_packed_f32) on every target and
// compares with the reference.
void run_case(const GemmCase& t, std::uint32_t seed, bool packed = false) {
  INFO("trans_a " << t.trans_a << " trans_b " << t.trans_b << " m " << t.m << " n " << t.n << " k "
                  << t.k << " lda " << t.lda << " ldb " << t.ldb << " ldc " << t.ldc << " alpha "
                  << t.alpha << " beta " << t.beta << " bias " << static_cast<int>(t.bias_kind)
                  << " act " << static_cast<int>(t.act.op) << " packed " << packed);
  const std::vector<float> a =
      t.trans_a ? matrix(t.k, t.m, t.lda, seed) : matrix(t.m, t.k, t.lda, seed);
  const std::vector<float> b =
      t.trans_b ? matrix(t.n, t.k, t.ldb, seed + 1) : matrix(t.k, t.n, t.ldb, seed + 1);
  std::vector<float> c0 = matrix(t.m, t.n, t.ldc, seed + 2);
  if (t.beta == 0.0f) {  // C must not be read
    for (std::size_t i = 0; i < t.m; ++i)
      std::fill(c0.begin() + i * t.ldc, c0.begin() + i * t.ldc + t.n, kNaN);
  }
  const std::vector<float> bias = inlay_test::random_floats(std::max(t.m, t.n) + 1, seed + 3);
  GemmEpilogue ep;
  ep.bias = t.bias_kind == BiasKind::none ? nullptr : bias.data();
  ep.bias_kind = t.bias_kind;
  ep.activation = t.act;

  std::vector<float> want = c0;
  std::vector<double> magnitude;
  inlay_ref::gemm_f32(t.trans_a, t.trans_b, t.m, t.n, t.k, t.alpha, a.data(), t.lda, b.data(),
                      t.ldb, t.beta, want.data(), t.ldc, ep, &magnitude);
  std::vector<float> pb(std::max<std::size_t>(inlay::kernels::gemm_packed_b_size_f32(t.n, t.k), 1));
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> got = c0;
    if (packed) {
      inlay::kernels::gemm_pack_b_f32(t.trans_b, t.n, t.k, b.data(), t.ldb, pb.data());
      inlay::kernels::gemm_packed_f32(t.trans_a, t.m, t.n, t.k, t.alpha, a.data(), t.lda, pb.data(),
                                      t.beta, got.data(), t.ldc, ep);
    } else {
      inlay::kernels::gemm_f32(t.trans_a, t.trans_b, t.m, t.n, t.k, t.alpha, a.data(), t.lda,
                               b.data(), t.ldb, t.beta, got.data(), t.ldc, ep);
    }
    check_result(got, want, magnitude, t.m, t.n, t.ldc, t.k, t.act);
  });
}

const Activation kActivations[] = {Activation::none(), Activation::relu(), Activation::gelu(),
                                   Activation::clip(-0.5f, 0.75f)};

}  // namespace

TEST_CASE("gemm_f32 matches the reference for every transpose, alpha, beta, bias, activation",
          "[kernels/gemm]") {
  std::mt19937 rng(42);
  std::uint32_t seed = 1;
  for (bool trans_a : {false, true}) {
    for (bool trans_b : {false, true}) {
      for (float alpha : {1.0f, -0.5f}) {
        for (float beta : {0.0f, 1.0f, 0.25f}) {
          for (BiasKind bias : {BiasKind::none, BiasKind::per_row, BiasKind::per_column}) {
            for (const Activation& act : kActivations) {
              GemmCase t{trans_a, trans_b, pick_size(rng), pick_size(rng), pick_size(rng), 0,
                         0,       0,       alpha,          beta,           bias,           act};
              // Leading dimensions equal to the width or a little larger.
              t.lda = (trans_a ? t.m : t.k) + inlay_test::random_size(rng, 0, 3);
              t.ldb = (trans_b ? t.k : t.n) + inlay_test::random_size(rng, 0, 3);
              t.ldc = t.n + inlay_test::random_size(rng, 0, 3);
              run_case(t, seed += 4);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("gemm_f32 handles sizes 0 and 1 and k == 0 (C = beta C + bias)", "[kernels/gemm]") {
  std::uint32_t seed = 1000;
  for (std::size_t m : {0u, 1u, 4u}) {
    for (std::size_t n : {0u, 1u, 5u}) {
      for (std::size_t k : {0u, 1u}) {
        for (float beta : {0.0f, 0.25f}) {
          for (bool trans : {false, true}) {
            const std::size_t lda = trans ? m : k, ldb = trans ? k : n;
            run_case({trans, trans, m, n, k, lda, ldb, n, -0.5f, beta, BiasKind::per_column,
                      Activation::relu()},
                     seed += 4);
            run_case({trans, !trans, m, n, k, lda, trans ? n : k, n, 1.0f, beta, BiasKind::per_row,
                      Activation::none()},
                     seed += 4);
          }
        }
      }
    }
  }
}

TEST_CASE("gemm_f32 splits long K and tall M into blocks without losing beta, bias, activation",
          "[kernels/gemm]") {
  // K blocks are 192 deep: one, exactly one, one and a bit, several. M blocks are 96 to 256 rows
  // (32 to 256 by target): m = 23 is one block or a few, m = 531 several with a ragged end.
  std::uint32_t seed = 2000;
  for (std::size_t k : {191u, 192u, 193u, 401u}) {
    for (bool trans_a : {false, true}) {
      for (bool trans_b : {false, true}) {
        const std::size_t m = k == 193u ? 531 : 23, n = 70;
        run_case(
            {trans_a, trans_b, m, n, k, (trans_a ? m : k) + 1, (trans_b ? k : n) + 2, n + 3, -0.5f,
             0.25f, trans_a ? BiasKind::per_row : BiasKind::per_column, Activation::gelu()},
            seed += 4);
      }
    }
  }
}

TEST_CASE("gemm_packed_f32 matches the reference and gemm_f32 bit for bit", "[kernels/gemm]") {
  std::mt19937 rng(7);
  std::uint32_t seed = 3000;
  for (bool trans_a : {false, true}) {
    for (bool trans_b : {false, true}) {
      for (int rep = 0; rep < 4; ++rep) {
        GemmCase t{trans_a,
                   trans_b,
                   pick_size(rng),
                   pick_size(rng),
                   pick_size(rng),
                   0,
                   0,
                   0,
                   rep % 2 ? -0.5f : 1.0f,
                   rep % 3 ? 0.0f : 0.25f,
                   static_cast<BiasKind>(rep % 3),
                   kActivations[rep]};
        if (rep == 3) t.k = 200;  // more than one K block
        t.lda = (trans_a ? t.m : t.k) + 1;
        t.ldb = trans_b ? t.k : t.n;
        t.ldc = t.n + 2;
        run_case(t, seed += 4, /*packed=*/true);
      }
    }
  }

  // Same blocking, same order of additions: the two paths agree exactly, also for the few-row
  // problems (m < 4) that the packed path computes row by row.
  for (std::size_t m : {1u, 3u, 37u}) {
    INFO("m " << m);
    const std::size_t n = 75, k = 250;
    const std::vector<float> a = matrix(m, k, k, 1), b = matrix(k, n, n, 2);
    const std::vector<float> c0 = matrix(m, n, n, 3);
    const std::vector<float> bias = inlay_test::random_floats(n, 4);
    GemmEpilogue ep{bias.data(), BiasKind::per_column, Activation::relu()};
    std::vector<float> packed(inlay::kernels::gemm_packed_b_size_f32(n, k));
    inlay::set_cpu_target(inlay::available_cpu_targets().back());
    inlay::kernels::gemm_pack_b_f32(false, n, k, b.data(), n, packed.data());
    inlay_test::for_each_cpu_target([&] {  // weights packed under another target stay valid
      std::vector<float> direct = c0, via_packed = c0;
      inlay::kernels::gemm_f32(false, false, m, n, k, 0.5f, a.data(), k, b.data(), n, 0.25f,
                               direct.data(), n, ep);
      inlay::kernels::gemm_packed_f32(false, m, n, k, 0.5f, a.data(), k, packed.data(), 0.25f,
                                      via_packed.data(), n, ep);
      CHECK(std::memcmp(direct.data(), via_packed.data(), direct.size() * sizeof(float)) == 0);
    });
  }
}

TEST_CASE("gemm_pack_b_f32 writes the documented layout, zero-padded", "[kernels/gemm]") {
  for (bool trans_b : {false, true}) {
    for (std::size_t n : {1u, 15u, 16u, 17u, 40u}) {
      for (std::size_t k : {0u, 1u, 3u, 20u}) {
        INFO("trans_b " << trans_b << " n " << n << " k " << k);
        const std::size_t ldb = (trans_b ? k : n) + 1;
        const std::vector<float> b = trans_b ? matrix(n, k, ldb, 5) : matrix(k, n, ldb, 5);
        const std::vector<float> want = inlay_ref::pack_b_f32(trans_b, n, k, b.data(), ldb);
        REQUIRE(inlay::kernels::gemm_packed_b_size_f32(n, k) == want.size());
        inlay_test::for_each_cpu_target([&] {
          // One guard element after the end: it must stay untouched.
          std::vector<float> got(want.size() + 1, kNaN);
          inlay::kernels::gemm_pack_b_f32(trans_b, n, k, b.data(), ldb, got.data());
          CHECK(std::equal(want.begin(), want.end(), got.begin()));  // all finite
          CHECK(std::isnan(got.back()));
        });
      }
    }
  }
}

TEST_CASE("gemm_batched_f32 matches the reference, including broadcast A or B (stride 0)",
          "[kernels/gemm]") {
  const std::size_t batch = 3, m = 9, n = 21, k = 13;
  for (bool trans_a : {false, true}) {
    for (bool trans_b : {false, true}) {
      for (int broadcast = 0; broadcast < 3; ++broadcast) {  // none, A, B
        INFO("trans_a " << trans_a << " trans_b " << trans_b << " broadcast " << broadcast);
        const std::size_t lda = (trans_a ? m : k) + 1, ldb = trans_b ? k : n, ldc = n + 1;
        const std::size_t a_size = (trans_a ? k : m) * lda, b_size = (trans_b ? n : k) * ldb;
        const std::size_t stride_a = broadcast == 1 ? 0 : a_size + 5;
        const std::size_t stride_b = broadcast == 2 ? 0 : b_size + 3;
        const std::size_t stride_c = m * ldc + 2;
        const std::vector<float> a = inlay_test::random_floats(stride_a * (batch - 1) + a_size, 8);
        const std::vector<float> b = inlay_test::random_floats(stride_b * (batch - 1) + b_size, 9);
        const std::vector<float> c0 = inlay_test::random_floats(stride_c * batch, 10);
        const std::vector<float> bias = inlay_test::random_floats(m, 11);
        const GemmEpilogue ep{bias.data(), BiasKind::per_row, Activation::clip(-0.5f, 0.5f)};
        std::vector<float> want = c0;
        std::vector<std::vector<double>> magnitude(batch);
        for (std::size_t i = 0; i < batch; ++i) {
          inlay_ref::gemm_f32(trans_a, trans_b, m, n, k, -0.5f, a.data() + i * stride_a, lda,
                              b.data() + i * stride_b, ldb, 0.25f, want.data() + i * stride_c, ldc,
                              ep, &magnitude[i]);
        }
        inlay_test::for_each_cpu_target([&] {
          std::vector<float> got = c0;
          inlay::kernels::gemm_batched_f32(batch, trans_a, trans_b, m, n, k, -0.5f, a.data(), lda,
                                           stride_a, b.data(), ldb, stride_b, 0.25f, got.data(),
                                           ldc, stride_c, ep);
          for (std::size_t i = 0; i < batch; ++i) {
            const std::vector<float> g(got.begin() + i * stride_c,
                                       got.begin() + i * stride_c + m * ldc);
            const std::vector<float> w(want.begin() + i * stride_c,
                                       want.begin() + i * stride_c + m * ldc);
            // Column n of each row (ldc = n + 1) holds random data that must stay as it was.
            std::vector<float> gp = g, wp = w;
            for (std::size_t r = 0; r < m; ++r) {
              CHECK(g[r * ldc + n] == c0[i * stride_c + r * ldc + n]);
              gp[r * ldc + n] = wp[r * ldc + n] = kPad;
            }
            check_result(gp, wp, magnitude[i], m, n, ldc, k, ep.activation);
          }
          // The gaps between the matrices of C are untouched.
          for (std::size_t i = 0; i < batch; ++i) {
            for (std::size_t x = m * ldc; x < stride_c; ++x) {
              CHECK(got[i * stride_c + x] == c0[i * stride_c + x]);
            }
          }
        });
      }
    }
  }
}

TEST_CASE("gemm with few rows splits its columns over threads, same bits", "[kernels/gemm]") {
  // m <= 8 register tiles of rows: tasks take column blocks (each reads its share of B).
  const std::size_t m = 49, n = 300, k = 70;
  const std::vector<float> a = matrix(k, m, m, 31), b = matrix(n, k, k, 32);
  const std::vector<float> bias = inlay_test::random_floats(n, 33);
  const GemmEpilogue ep{bias.data(), BiasKind::per_column, Activation::relu()};
  std::vector<float> packed(inlay::kernels::gemm_packed_b_size_f32(n, k));
  inlay::kernels::gemm_pack_b_f32(true, n, k, b.data(), k, packed.data());
  inlay::ThreadPool pool2(2), pool3(3);
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> serial(m * n);
    inlay::kernels::gemm_packed_f32(true, m, n, k, 1.0f, a.data(), m, packed.data(), 0.0f,
                                    serial.data(), n, ep);
    for (inlay::Executor* pool :
         {static_cast<inlay::Executor*>(&pool2), static_cast<inlay::Executor*>(&pool3)}) {
      INFO("threads " << pool->concurrency());
      std::vector<float> via_packed(m * n, 5.0f), direct(m * n, 5.0f);
      inlay::kernels::gemm_packed_f32(true, m, n, k, 1.0f, a.data(), m, packed.data(), 0.0f,
                                      via_packed.data(), n, ep, pool);
      CHECK(std::memcmp(via_packed.data(), serial.data(), serial.size() * sizeof(float)) == 0);
      inlay::kernels::gemm_f32(true, true, m, n, k, 1.0f, a.data(), m, b.data(), k, 0.0f,
                               direct.data(), n, ep, pool);
      CHECK(std::memcmp(direct.data(), serial.data(), serial.size() * sizeof(float)) == 0);
    }
  });
}

TEST_CASE("gemm runs on a thread pool give the serial result bit for bit", "[kernels/gemm]") {
  // Several blocks of columns, rows split among threads, two K blocks.
  const std::size_t m = 150, n = 99, k = 250;
  const std::vector<float> a = matrix(m, k, k, 21), b = matrix(n, k, k, 22);
  const std::vector<float> c0 = matrix(m, n, n, 23), bias = inlay_test::random_floats(n, 24);
  const GemmEpilogue ep{bias.data(), BiasKind::per_column, Activation::gelu()};
  std::vector<float> packed(inlay::kernels::gemm_packed_b_size_f32(n, k));
  inlay::kernels::gemm_pack_b_f32(true, n, k, b.data(), k, packed.data());
  inlay::ThreadPool pool2(2), pool3(3);
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> serial = c0;
    inlay::kernels::gemm_f32(false, true, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.25f,
                             serial.data(), n, ep);
    for (inlay::Executor* pool :
         {static_cast<inlay::Executor*>(&pool2), static_cast<inlay::Executor*>(&pool3)}) {
      INFO("threads " << pool->concurrency());
      std::vector<float> direct = c0, via_packed = c0, batched(2 * m * n);
      inlay::kernels::gemm_f32(false, true, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.25f,
                               direct.data(), n, ep, pool);
      CHECK(std::memcmp(direct.data(), serial.data(), serial.size() * sizeof(float)) == 0);
      inlay::kernels::gemm_packed_f32(false, m, n, k, 1.0f, a.data(), k, packed.data(), 0.25f,
                                      via_packed.data(), n, ep, pool);
      CHECK(std::memcmp(via_packed.data(), serial.data(), serial.size() * sizeof(float)) == 0);
      std::copy(c0.begin(), c0.end(), batched.begin());
      std::copy(c0.begin(), c0.end(), batched.begin() + m * n);
      inlay::kernels::gemm_batched_f32(2, false, true, m, n, k, 1.0f, a.data(), k, 0, b.data(), k,
                                       0, 0.25f, batched.data(), n, m * n, ep, pool);
      CHECK(std::memcmp(batched.data(), serial.data(), serial.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(batched.data() + m * n, serial.data(), serial.size() * sizeof(float)) == 0);
    }
  });
}

TEST_CASE("NaN and Inf in A reach exactly the rows of C that use them", "[kernels/gemm]") {
  const std::size_t m = 13, n = 19, k = 11;
  for (bool trans_a : {false, true}) {
    for (float special : {kNaN, std::numeric_limits<float>::infinity()}) {
      INFO("trans_a " << trans_a << " special " << special);
      const std::size_t lda = trans_a ? m : k;
      std::vector<float> a = matrix(trans_a ? k : m, trans_a ? m : k, lda, 31);
      const std::vector<float> b = matrix(k, n, n, 32);
      // op(A)(4, 6) and op(A)(12, 0): rows 4 and 12 of C are special, no other.
      a[trans_a ? 6 * lda + 4 : 4 * lda + 6] = special;
      a[trans_a ? 0 * lda + 12 : 12 * lda + 0] = special;
      std::vector<float> want(m * n, 0.0f);
      std::vector<double> magnitude;
      inlay_ref::gemm_f32(trans_a, false, m, n, k, 1.0f, a.data(), lda, b.data(), n, 0.0f,
                          want.data(), n, {}, &magnitude);
      inlay_test::for_each_cpu_target([&] {
        std::vector<float> got(m * n, kNaN);
        inlay::kernels::gemm_f32(trans_a, false, m, n, k, 1.0f, a.data(), lda, b.data(), n, 0.0f,
                                 got.data(), n);
        check_result(got, want, magnitude, m, n, n, k, Activation::none());
        for (std::size_t i = 0; i < m; ++i) {
          for (std::size_t j = 0; j < n; ++j) {
            CHECK(std::isfinite(got[i * n + j]) == (i != 4 && i != 12));
          }
        }
      });
    }
  }
}

TEST_CASE("matvec_f32 matches the reference for both transposes", "[kernels/gemm]") {
  std::uint32_t seed = 5000;
  for (bool trans_a : {false, true}) {
    for (std::size_t m : {0u, 1u, 3u, 17u, 33u, 130u, 1500u}) {
      for (std::size_t n : {0u, 1u, 7u, 64u, 65u}) {
        for (int variant = 0; variant < 3; ++variant) {
          const float beta = variant == 0 ? 0.0f : (variant == 1 ? 1.0f : 0.25f);
          const Activation act = kActivations[variant + 1];
          const bool with_bias = variant != 1;
          INFO("trans_a " << trans_a << " m " << m << " n " << n << " variant " << variant);
          const std::size_t lda = (trans_a ? m : n) + 2;
          std::vector<float> a = trans_a ? matrix(n, m, lda, seed) : matrix(m, n, lda, seed);
          if (variant == 2 && m > 2 && n > 0) {  // a NaN reaches y[2] only
            a[trans_a ? (n - 1) * lda + 2 : 2 * lda + n - 1] = kNaN;
          }
          const std::vector<float> x = inlay_test::random_floats(n + 1, seed + 1);
          std::vector<float> y0 = inlay_test::random_floats(m + 1, seed + 2);
          if (beta == 0.0f) std::fill(y0.begin(), y0.end() - 1, kNaN);
          const std::vector<float> bias = inlay_test::random_floats(m + 1, seed + 3);
          seed += 4;
          std::vector<float> want = y0;
          std::vector<double> magnitude;
          inlay_ref::matvec_f32(trans_a, m, n, -0.5f, a.data(), lda, x.data(), beta, want.data(),
                                with_bias ? bias.data() : nullptr, act, &magnitude);
          inlay_test::for_each_cpu_target([&] {
            std::vector<float> got = y0;
            inlay::kernels::matvec_f32(trans_a, m, n, -0.5f, a.data(), lda, x.data(), beta,
                                       got.data(), with_bias ? bias.data() : nullptr, act);
            // y as an m x 1 matrix; its last element is a guard and stays as it was.
            want.back() = y0.back();
            check_result(std::vector<float>(got.begin(), got.end() - 1),
                         std::vector<float>(want.begin(), want.end() - 1), magnitude, m, 1, 1, n,
                         act);
            CHECK(got.back() == y0.back());
            if (variant == 2 && m > 2 && n > 0) CHECK(std::isnan(got[2]));
          });
        }
      }
    }
  }
}

TEST_CASE("gemm entry points report bad parameters", "[kernels/gemm]") {
  using Catch::Matchers::Contains;
  std::vector<float> a(64), b(64), c(64);
  namespace k = inlay::kernels;
  CHECK_THROWS_WITH(
      k::gemm_f32(false, false, 4, 4, 5, 1.0f, a.data(), 3, b.data(), 4, 0.0f, c.data(), 4),
      Contains("gemm_f32") && Contains("lda (3)") && Contains("5 columns of A"));
  CHECK_THROWS_WITH(
      k::gemm_f32(false, true, 4, 6, 2, 1.0f, a.data(), 2, b.data(), 1, 0.0f, c.data(), 6),
      Contains("gemm_f32") && Contains("ldb (1)") && Contains("2 columns of B"));
  CHECK_THROWS_WITH(
      k::gemm_f32(false, false, 4, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, c.data(), 2),
      Contains("gemm_f32") && Contains("ldc (2)"));
  CHECK_THROWS_WITH(
      k::gemm_f32(false, false, 2, 2, 2, 1.0f, nullptr, 2, b.data(), 2, 0.0f, c.data(), 2),
      Contains("gemm_f32") && Contains("A is null"));
  k::GemmEpilogue no_bias;
  no_bias.bias_kind = BiasKind::per_row;
  CHECK_THROWS_WITH(
      k::gemm_f32(false, false, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2,
                  no_bias),
      Contains("gemm_f32") && Contains("epilogue.bias is null") && Contains("per_row"));
  k::GemmEpilogue bad_kind;
  bad_kind.bias = b.data();
  bad_kind.bias_kind = static_cast<BiasKind>(7);
  CHECK_THROWS_WITH(
      k::gemm_packed_f32(false, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 0.0f, c.data(), 2, bad_kind),
      Contains("gemm_packed_f32") && Contains("bias_kind 7"));
  CHECK_THROWS_WITH(k::gemm_batched_f32(2, false, false, 2, 3, 2, 1.0f, a.data(), 2, 4, b.data(), 3,
                                        6, 0.0f, c.data(), 3, 5),
                    Contains("gemm_batched_f32") && Contains("stride_c (5)"));
  CHECK_THROWS_WITH(k::gemm_pack_b_f32(false, 3, 2, b.data(), 3, nullptr),
                    Contains("gemm_pack_b_f32") && Contains("packed is null"));
  CHECK_THROWS_WITH(
      k::gemm_packed_f32(false, 2, 3, 2, 1.0f, a.data(), 2, nullptr, 0.0f, c.data(), 3),
      Contains("gemm_packed_f32") && Contains("packed_b is null"));
  CHECK_THROWS_WITH(k::matvec_f32(true, 3, 4, 1.0f, a.data(), 2, b.data(), 0.0f, c.data()),
                    Contains("matvec_f32") && Contains("lda (2)") && Contains("3 columns of A"));
  CHECK_THROWS_WITH(k::matvec_f32(false, 3, 4, 1.0f, a.data(), 4, nullptr, 0.0f, c.data()),
                    Contains("matvec_f32") && Contains("x is null"));
  // Empty problems need no memory at all.
  CHECK_NOTHROW(k::gemm_f32(false, false, 0, 0, 0, 1.0f, nullptr, 0, nullptr, 0, 0.0f, nullptr, 0));
  CHECK_NOTHROW(k::gemm_f32(true, true, 0, 3, 0, 1.0f, nullptr, 0, nullptr, 0, 0.0f, nullptr, 0));
}
