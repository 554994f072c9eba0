// Graph-door tests of the gemm-family operators (include/inlay/graph/ops/gemm.hpp) beyond the
// official node tests: Einsum's malformed equations and a contraction against a direct loop;
// MatMulInteger, QLinearMatMul and com.microsoft QGemm against the reference (reference/qgemm.hpp).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "graph/op_tester.hpp"
#include "reference/qgemm.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

TEST_CASE("Einsum refuses malformed equations and computes a contraction", "[graph/ops/gemm]") {
  auto einsum = [](const std::string& eq, std::size_t inputs) {
    OpTester m;
    m.input("a", DType::f32, {2, 3}).input("b", DType::f32, {3, 4});
    std::vector<std::string> names{"a", "b"};
    names.resize(inputs);
    m.node("Einsum", names, {"y"}, {attr_string("equation", eq)}).output("y");
    return m;
  };
  einsum("ij,jk->ik", 1).expect_load_error(ErrorKind::invalid_model, "2 operands");
  einsum("i$,jk", 2).expect_load_error(ErrorKind::invalid_model, "not a letter");
  auto a = random_floats(6, 81), b = random_floats(12, 82);
  std::vector<float> want(8);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        want[static_cast<std::size_t>(k * 2 + i)] +=
            a[static_cast<std::size_t>(i * 3 + j)] * b[static_cast<std::size_t>(j * 4 + k)];
  einsum("ij,jk->ki", 2)
      .check({f32_view(a, {2, 3}), f32_view(b, {3, 4})}, {make_tensor<float>({4, 2}, want)}, {});
  einsum("ij,ik->jk", 2)
      .expect_run_error({f32_view(a, {2, 3}), f32_view(b, {3, 4})}, ErrorKind::shape_mismatch,
                        "sizes 2 and 3");
}

// ---- MatMulInteger, QLinearMatMul, com.microsoft QGemm on the int8 GEMM ----

namespace {

// Random 8-bit values of dtype Q as a tensor, and as int32 values for the reference.
template <class Q>
inlay::Tensor random_q(const inlay::Shape& shape, std::uint32_t seed,
                       std::vector<std::int32_t>* values) {
  inlay::Tensor t(inlay::dtype_of_v<Q>, shape);
  std::mt19937 rng(seed);
  values->resize(static_cast<std::size_t>(shape.numel()));
  for (std::int64_t i = 0; i < shape.numel(); ++i) {
    const auto v = static_cast<Q>(static_cast<std::uint8_t>(rng()));
    t.data<Q>()[i] = v;
    (*values)[static_cast<std::size_t>(i)] = v;
  }
  return t;
}

// Narrows 8-bit values of dtype Q to 7 bits, in the kernel's terms: int8 into [-64, 63], uint8 into
// [64, 191] (int8 [-64, 63] once flipped), as `inlay quantize --reduce-range` writes weights.
template <class Q>
void make_7bit(inlay::Tensor& t, std::vector<std::int32_t>& values) {
  const int base = std::is_same<Q, std::uint8_t>::value ? 64 : -64;
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = (values[i] & 0x7F) + base;
    t.data<Q>()[i] = static_cast<Q>(values[i]);
  }
}

template <class Q>
inlay::Tensor q_values(const std::vector<std::int32_t>& v) {
  std::vector<Q> q(v.begin(), v.end());
  return make_tensor<Q>(inlay::Shape{static_cast<std::int64_t>(v.size())}, q);
}

// QLinearMatMul a [2, m, k] x b [k, n] with per-column b_scale / b_zero_point, constant or fed b,
// against the reference: int32 sums, then the float multiplier a_scale * b_scale[j] / y_scale.
// seven_bit: B's values fit 7 bits (the kernel's vpmaddubsw path on SSSE3 .. AVX3).
template <class A, class B, class Y>
void check_qlinear_matmul(bool constant_b, bool seven_bit = false) {
  const std::int64_t m = 5, k = 37, n = 19;
  std::vector<std::int32_t> av, bv;
  const inlay::Tensor a = random_q<A>({2, m, k}, 1, &av);
  inlay::Tensor b = random_q<B>({k, n}, 2, &bv);
  if (seven_bit) make_7bit<B>(b, bv);
  std::vector<float> b_scale(n);
  std::vector<std::int32_t> b_zero(n);
  std::mt19937 rng(3);
  for (std::int64_t j = 0; j < n; ++j) {
    b_scale[static_cast<std::size_t>(j)] = 0.001f * float(1 + rng() % 50);
    b_zero[static_cast<std::size_t>(j)] = static_cast<B>(static_cast<std::uint8_t>(rng()));
  }
  const float a_scale = 0.02f, y_scale = 0.3f;
  const std::int32_t a_zero = static_cast<A>(static_cast<std::uint8_t>(131)),
                     y_zero = static_cast<Y>(static_cast<std::uint8_t>(7));
  inlay::Tensor want(inlay::dtype_of_v<Y>, {2, m, n});
  const bool y_unsigned = std::is_same<Y, std::uint8_t>::value;
  for (std::int64_t e = 0; e < 2; ++e) {
    const std::vector<std::int32_t> ae(av.begin() + e * m * k, av.begin() + (e + 1) * m * k);
    const auto acc = inlay_ref::integer_matmul(m, n, k, ae, {a_zero}, bv, b_zero);
    for (std::int64_t i = 0; i < m * n; ++i) {
      const float mult = a_scale * b_scale[static_cast<std::size_t>(i % n)] / y_scale;
      want.data<Y>()[e * m * n + i] =
          static_cast<Y>(inlay_ref::requantize(acc[static_cast<std::size_t>(i)], 0, mult, y_zero,
                                               y_unsigned ? 0 : -128, y_unsigned ? 255 : 127));
    }
  }
  OpTester t("QLinearMatMul");
  t.in(a)
      .constant(make_tensor<float>({}, {a_scale}))
      .constant(make_tensor<A, std::int32_t>({}, {a_zero}));
  if (constant_b) t.constant(b);
  else t.in(b);
  t.constant(make_tensor<float>({n}, b_scale))
      .constant(q_values<B>(b_zero))
      .constant(make_tensor<float>({}, {y_scale}))
      .constant(make_tensor<Y, std::int32_t>({}, {y_zero}))
      .check({want});
}

}  // namespace

TEST_CASE("QLinearMatMul with per-column b_scale and b_zero_point, every signedness",
          "[graph/ops/gemm]") {
  for (bool constant_b : {true, false}) {
    check_qlinear_matmul<std::uint8_t, std::int8_t, std::uint8_t>(constant_b);
    check_qlinear_matmul<std::int8_t, std::uint8_t, std::int8_t>(constant_b);
    check_qlinear_matmul<std::uint8_t, std::uint8_t, std::int8_t>(constant_b);
    check_qlinear_matmul<std::int8_t, std::int8_t, std::uint8_t>(constant_b);
  }
}

TEST_CASE("QLinearMatMul with 7-bit weights matches the reference", "[graph/ops/gemm]") {
  for (bool constant_b : {true, false}) {
    check_qlinear_matmul<std::uint8_t, std::int8_t, std::uint8_t>(constant_b, true);
    check_qlinear_matmul<std::int8_t, std::uint8_t, std::int8_t>(constant_b, true);
  }
}

TEST_CASE("MatMulInteger broadcasts batches with per-row and per-column zero points",
          "[graph/ops/gemm]") {
  const std::int64_t m = 3, k = 21, n = 34;
  std::vector<std::int32_t> av, bv, za = {1, 200, 37}, zb(n);
  const inlay::Tensor a = random_q<std::uint8_t>({m, k}, 4, &av);
  const inlay::Tensor b = random_q<std::int8_t>({2, k, n}, 5, &bv);
  for (std::int64_t j = 0; j < n; ++j)
    zb[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j * 7 % 256) - 128;
  std::vector<std::int32_t> want;
  for (std::int64_t e = 0; e < 2; ++e) {
    const std::vector<std::int32_t> be(bv.begin() + e * k * n, bv.begin() + (e + 1) * k * n);
    const auto acc = inlay_ref::integer_matmul(m, n, k, av, za, be, zb);
    want.insert(want.end(), acc.begin(), acc.end());
  }
  const inlay::Tensor y = make_tensor<std::int32_t>({2, m, n}, want);
  OpTester("MatMulInteger")
      .in(a)
      .constant(b)
      .constant(q_values<std::uint8_t>(za))
      .constant(q_values<std::int8_t>(zb))
      .check({y});
  OpTester("MatMulInteger")
      .in(a)
      .in(b)
      .in(q_values<std::uint8_t>(za))
      .in(q_values<std::int8_t>(zb))
      .check({y});
}

TEST_CASE("com.microsoft QGemm: float and requantized output, transposes, alpha, bias",
          "[graph/ops/gemm]") {
  const std::int64_t m = 6, k = 29, n = 17;
  for (int trans_a = 0; trans_a < 2; ++trans_a) {
    for (int trans_b = 0; trans_b < 2; ++trans_b) {
      for (bool quantized : {false, true}) {
        INFO("transA " << trans_a << " transB " << trans_b << " quantized " << quantized);
        std::vector<std::int32_t> av, bv;
        const inlay::Tensor a =
            random_q<std::uint8_t>(trans_a ? inlay::Shape{k, m} : inlay::Shape{m, k}, 6, &av);
        const inlay::Tensor b =
            random_q<std::int8_t>(trans_b ? inlay::Shape{n, k} : inlay::Shape{k, n}, 7, &bv);
        // The reference takes a [m, k] and b [k, n].
        std::vector<std::int32_t> ar(av.size()), br(bv.size());
        for (std::int64_t i = 0; i < m; ++i)
          for (std::int64_t p = 0; p < k; ++p)
            ar[static_cast<std::size_t>(i * k + p)] =
                av[static_cast<std::size_t>(trans_a ? p * m + i : i * k + p)];
        for (std::int64_t p = 0; p < k; ++p)
          for (std::int64_t j = 0; j < n; ++j)
            br[static_cast<std::size_t>(p * n + j)] =
                bv[static_cast<std::size_t>(trans_b ? j * k + p : p * n + j)];
        std::vector<float> b_scale(n);
        std::vector<std::int32_t> b_zero(n), bias(n);
        for (std::int64_t j = 0; j < n; ++j) {
          b_scale[static_cast<std::size_t>(j)] = 0.002f * float(1 + j % 5);
          b_zero[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j * 13 % 256) - 128;
          bias[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j * 1001) - 9000;
        }
        const float alpha = 0.75f, a_scale = 0.05f, y_scale = 0.4f;
        const std::int32_t a_zero = 120, y_zero = 100;
        const auto acc = inlay_ref::integer_matmul(m, n, k, ar, {a_zero}, br, b_zero);
        inlay::Tensor want(quantized ? DType::u8 : DType::f32, {m, n});
        for (std::int64_t i = 0; i < m * n; ++i) {
          const auto j = static_cast<std::size_t>(i % n);
          const std::int32_t s = acc[static_cast<std::size_t>(i)] + bias[j];
          if (quantized) {
            want.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(
                inlay_ref::requantize(acc[static_cast<std::size_t>(i)], bias[j],
                                      alpha * a_scale * b_scale[j] / y_scale, y_zero, 0, 255));
          } else {
            want.data<float>()[i] = static_cast<float>(s) * (alpha * a_scale * b_scale[j] / 1.0f);
          }
        }
        OpTester t("QGemm");
        t.domain("com.microsoft")
            .attr("transA", std::int64_t{trans_a})
            .attr("transB", std::int64_t{trans_b})
            .attr("alpha", alpha);
        t.in(a)
            .constant(make_tensor<float>({}, {a_scale}))
            .constant(make_tensor<std::uint8_t, std::int32_t>({}, {a_zero}));
        t.constant(b)
            .constant(make_tensor<float>({n}, b_scale))
            .constant(q_values<std::int8_t>(b_zero));
        t.constant(make_tensor<std::int32_t>({n}, bias));
        if (quantized)
          t.constant(make_tensor<float>({}, {y_scale}))
              .constant(make_tensor<std::uint8_t, std::int32_t>({}, {y_zero}));
        t.check({want});
      }
    }
  }
}

TEST_CASE("the integer matmuls name what is wrong", "[graph/ops/gemm]") {
  std::vector<std::int32_t> v;
  const inlay::Tensor a = random_q<std::uint8_t>({2, 3}, 8, &v);
  const inlay::Tensor b = random_q<std::int8_t>({3, 4}, 9, &v);
  OpTester("QLinearMatMul")
      .in(a)
      .constant(make_tensor<float>({}, {0.0f}))
      .constant(make_tensor<std::uint8_t>({}, {0}))
      .constant(b)
      .constant(make_tensor<float>({}, {1.0f}))
      .constant(make_tensor<std::int8_t>({}, {0}))
      .constant(make_tensor<float>({}, {1.0f}))
      .constant(make_tensor<std::uint8_t>({}, {0}))
      .expect_load_error(ErrorKind::invalid_model,
                         "the scale of A holds 0.000000; scales must be finite and > 0");
  OpTester("QLinearMatMul")
      .in(a)
      .constant(make_tensor<float>({}, {1.0f}))
      .constant(make_tensor<std::uint8_t>({}, {0}))
      .constant(b)
      .constant(make_tensor<float>({3}, {1.0f, 1.0f, 1.0f}))
      .constant(make_tensor<std::int8_t>({}, {0}))
      .constant(make_tensor<float>({}, {1.0f}))
      .constant(make_tensor<std::uint8_t>({}, {0}))
      .expect_run_error(ErrorKind::shape_mismatch, "the scale of B has 3 values; B has 4 columns");
  OpTester("MatMulInteger")
      .in(a)
      .in(make_tensor<float>({3, 4}, std::vector<float>(12)))
      .expect_run_error(ErrorKind::unsupported_op, "B has dtype f32; uint8 or int8 expected");
}

TEST_CASE("DynamicQuantizeMatMul with K = 0 gives the bias in every row", "[graph/ops/gemm]") {
  // A [2, 0] times B [0, 3]: the sums are empty, so Y = 0 * scale + bias.
  const inlay::Tensor a(inlay::DType::f32, inlay::Shape{2, 0});
  const inlay::Tensor b(inlay::DType::i8, inlay::Shape{0, 3});
  OpTester("DynamicQuantizeMatMul")
      .domain("com.microsoft")
      .in(a)
      .constant(b)
      .constant(make_tensor<float>({}, {0.5f}))
      .none()
      .constant(make_tensor<float>({3}, {1.0f, -2.0f, 0.25f}))
      .check({make_tensor<float>({2, 3}, {1.0f, -2.0f, 0.25f, 1.0f, -2.0f, 0.25f})});
}

TEST_CASE("QLinearMatMul with a constant B of K = 0 gives the zero point", "[graph/ops/gemm]") {
  // No products: acc = 0, so every element is y_zero_point.
  const inlay::Tensor a(inlay::DType::u8, inlay::Shape{2, 0});
  const inlay::Tensor b(inlay::DType::i8, inlay::Shape{0, 3});
  OpTester("QLinearMatMul")
      .in(a)
      .constant(make_tensor<float>({}, {0.1f}))
      .constant(make_tensor<std::uint8_t>({}, {128}))
      .constant(b)
      .constant(make_tensor<float>({}, {0.2f}))
      .constant(make_tensor<std::int8_t>({}, {0}))
      .constant(make_tensor<float>({}, {0.5f}))
      .constant(make_tensor<std::uint8_t>({}, {7}))
      .check({make_tensor<std::uint8_t>({2, 3}, {7, 7, 7, 7, 7, 7})});
}
