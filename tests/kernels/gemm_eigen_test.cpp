// GEMM against an independent oracle: Eigen's own matrix product (in double), on every target.
#include <Eigen/Core>

#include <random>
#include <vector>

#include "test_util.hpp"

namespace {
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

TEST_CASE("gemm_f32 agrees with Eigen's product on random shapes", "[kernels/gemm_eigen]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 12; ++trial) {
    const std::size_t m = inlay_test::random_size(rng, 1, 150);
    const std::size_t n = inlay_test::random_size(rng, 1, 150);
    const std::size_t k = inlay_test::random_size(rng, 1, 300);
    const bool ta = trial & 1, tb = trial & 2;
    MatrixF a = MatrixF::Random(ta ? k : m, ta ? m : k);
    MatrixF b = MatrixF::Random(tb ? n : k, tb ? k : n);
    const MatrixD opa = ta ? MatrixD(a.cast<double>().transpose()) : MatrixD(a.cast<double>());
    const MatrixD opb = tb ? MatrixD(b.cast<double>().transpose()) : MatrixD(b.cast<double>());
    const MatrixD expected = 0.75 * opa * opb;
    INFO("m=" << m << " n=" << n << " k=" << k << " trans_a=" << ta << " trans_b=" << tb);
    inlay_test::for_each_cpu_target([&] {
      MatrixF c(m, n);
      inlay::kernels::gemm_f32(ta, tb, m, n, k, 0.75f, a.data(), a.cols(), b.data(), b.cols(), 0.0f,
                               c.data(), n);
      // Entries of a and b are in [-1, 1]: |error| <= k * eps * sum |a||b| <= k * eps * k.
      const double bound = 2.0 * k * 1.2e-7 * k * 0.75;
      const double worst = (c.cast<double>() - expected).cwiseAbs().maxCoeff();
      CHECK(worst <= bound);
    });
  }
}
