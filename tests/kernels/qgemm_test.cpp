// The int8 GEMM (kernels/qgemm.hpp) on every CPU target against the scalar reference
// (tests/reference/qgemm.hpp), bit for bit: odd shapes, every signedness and zero point form,
// per-row and per-column scales, saturation, int32 wrap-around, threads, 7-bit operands.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "reference/qgemm.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;

namespace {

using k::QgemmAxis;
using k::QgemmOutput;

// One problem in the operators' terms: A and B of either signedness with their zero points.
struct QgemmCase {
  std::size_t m = 1, n = 1, k = 1;
  bool a_signed = false, b_unsigned = false, trans_b = false;
  std::vector<std::int32_t> a, b;          // values; b is k x n (row-major) whatever trans_b
  std::vector<std::int32_t> za{0}, zb{0};  // 1, m (za) or n (zb) values
  QgemmOutput output = QgemmOutput::s32;
  std::vector<std::int32_t> bias;  // empty, 1, m or n
  QgemmAxis bias_axis = QgemmAxis::per_tensor;
  std::vector<float> scale{1.0f};
  QgemmAxis scale_axis = QgemmAxis::per_tensor;
  std::vector<float> float_bias;
  QgemmAxis float_bias_axis = QgemmAxis::per_tensor;
  std::int32_t zero = 0;
  bool a_narrow = false;  // tell the kernel that A fits 7 bits (QgemmNarrow::a)
};

// Whether the operand's values, in the kernel's form, fit 7 bits: A (uint8) in [64, 191], B
// (int8) in [-64, 63]. The kernel's own answer (qgemm_pack_b, qgemm_is_narrow_a) must agree.
bool a_fits_7bit(const QgemmCase& c) {
  return std::all_of(c.a.begin(), c.a.end(), [&](std::int32_t v) {
    const std::int32_t u = v + (c.a_signed ? 128 : 0);
    return u >= 64 && u <= 191;
  });
}
bool b_fits_7bit(const QgemmCase& c) {
  return std::all_of(c.b.begin(), c.b.end(), [&](std::int32_t v) {
    const std::int32_t s = v - (c.b_unsigned ? 128 : 0);
    return s >= -64 && s <= 63;
  });
}

std::int32_t random_byte(std::mt19937& rng, bool is_signed) {
  const auto v = static_cast<std::int32_t>(rng() & 0xFF);
  return is_signed ? v - 128 : v;
}

QgemmCase random_case(std::size_t m, std::size_t n, std::size_t kk, std::mt19937& rng) {
  QgemmCase c;
  c.m = m;
  c.n = n;
  c.k = kk;
  c.a_signed = rng() & 1;
  c.b_unsigned = rng() & 1;
  c.a.resize(m * kk);
  c.b.resize(kk * n);
  for (auto& v : c.a) v = random_byte(rng, c.a_signed);
  for (auto& v : c.b) v = random_byte(rng, !c.b_unsigned);
  return c;
}

std::size_t at(QgemmAxis axis, std::size_t i, std::size_t j) {
  return axis == QgemmAxis::per_tensor ? 0 : axis == QgemmAxis::per_row ? i : j;
}

// The expected bytes of C (ldc = n).
std::vector<std::uint8_t> expected(const QgemmCase& c) {
  const std::vector<std::int32_t> acc =
      inlay_ref::integer_matmul(c.m, c.n, c.k, c.a, c.za, c.b, c.zb);
  const std::size_t size = c.output == QgemmOutput::s32 || c.output == QgemmOutput::f32 ? 4 : 1;
  std::vector<std::uint8_t> out(c.m * c.n * size);
  for (std::size_t i = 0; i < c.m; ++i) {
    for (std::size_t j = 0; j < c.n; ++j) {
      const std::int32_t bias = c.bias.empty() ? 0 : c.bias[at(c.bias_axis, i, j)];
      const std::size_t e = i * c.n + j;
      const auto sum = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc[e]) +
                                                 static_cast<std::uint32_t>(bias));
      const float scale = c.scale[at(c.scale_axis, i, j)];
      switch (c.output) {
        case QgemmOutput::s32: std::memcpy(&out[4 * e], &sum, 4); break;
        case QgemmOutput::f32: {
          float f = static_cast<float>(sum) * scale;
          if (!c.float_bias.empty()) f = f + c.float_bias[at(c.float_bias_axis, i, j)];
          std::memcpy(&out[4 * e], &f, 4);
          break;
        }
        case QgemmOutput::u8:
          out[e] =
              static_cast<std::uint8_t>(inlay_ref::requantize(acc[e], bias, scale, c.zero, 0, 255));
          break;
        case QgemmOutput::s8:
          out[e] = static_cast<std::uint8_t>(static_cast<std::int8_t>(
              inlay_ref::requantize(acc[e], bias, scale, c.zero, -128, 127)));
          break;
      }
    }
  }
  return out;
}

// Runs the case through the packed and the unpacked entries, with padded leading dimensions and
// guard bytes, on the current target.
std::vector<std::uint8_t> run(const QgemmCase& c, bool packed, inlay::Executor* executor) {
  const std::size_t lda = c.k + 3,
                    size = c.output == QgemmOutput::s32 || c.output == QgemmOutput::f32 ? 4 : 1;
  // A in the kernel's form: uint8, an int8 A flipped with its zero point moved by +128.
  std::vector<std::uint8_t> a(std::max<std::size_t>(c.m * lda, 1), 0xA5);
  for (std::size_t i = 0; i < c.m; ++i) {
    for (std::size_t p = 0; p < c.k; ++p) {
      a[i * lda + p] = static_cast<std::uint8_t>(c.a[i * c.k + p] + (c.a_signed ? 128 : 0));
    }
  }
  std::vector<std::int32_t> za = c.za, zb = c.zb;
  for (auto& z : za) z += c.a_signed ? 128 : 0;
  for (auto& z : zb) z -= c.b_unsigned ? 128 : 0;
  // B as stored by the operator (bytes), k x n or, transposed, n x k; ld padded by 2.
  const std::size_t ldb = (c.trans_b ? c.k : c.n) + 2;
  std::vector<std::uint8_t> b(std::max<std::size_t>((c.trans_b ? c.n : c.k) * ldb, 1), 0x5A);
  for (std::size_t p = 0; p < c.k; ++p) {
    for (std::size_t j = 0; j < c.n; ++j) {
      b[c.trans_b ? j * ldb + p : p * ldb + j] = static_cast<std::uint8_t>(c.b[p * c.n + j]);
    }
  }
  k::QgemmZeroPoints zp;
  zp.a = za.data();
  zp.a_per_row = za.size() > 1;
  zp.b = zb.data();
  zp.b_per_column = zb.size() > 1;
  const std::size_t ldc = c.n + 1;
  std::vector<std::uint8_t> out(c.m * ldc * size + 8, 0xEE);
  k::QgemmEpilogue e;
  e.output = c.output;
  e.c = out.data();
  e.ldc = ldc;
  e.bias = c.bias.empty() ? nullptr : c.bias.data();
  e.bias_axis = c.bias_axis;
  e.scale = c.scale.data();
  e.scale_axis = c.scale_axis;
  e.float_bias = c.float_bias.empty() ? nullptr : c.float_bias.data();
  e.float_bias_axis = c.float_bias_axis;
  e.zero_point = c.zero;
  bool rows_narrow = true;
  for (std::size_t i = 0; i < c.m; ++i)
    rows_narrow &= k::qgemm_is_narrow_a(a.data() + i * lda, c.k);
  CHECK(rows_narrow == a_fits_7bit(c));
  if (c.a_narrow) REQUIRE(rows_narrow);
  if (packed) {
    std::vector<std::int8_t> pb(k::qgemm_packed_b_size(c.n, c.k) + 1);
    std::vector<std::int32_t> sums(c.n + 1);
    const bool b_narrow =
        k::qgemm_pack_b(c.trans_b, c.n, c.k, b.data(), ldb, c.b_unsigned, pb.data(), sums.data());
    CHECK(b_narrow == b_fits_7bit(c));
    const k::QgemmNarrow narrow = c.a_narrow ? k::QgemmNarrow::a
                                  : b_narrow ? k::QgemmNarrow::b
                                             : k::QgemmNarrow::none;
    k::qgemm_packed(c.m, c.n, c.k, a.data(), lda, pb.data(), sums.data(), zp, e, executor, narrow);
  } else {
    std::vector<std::int32_t> ws(k::qgemm_workspace_size(c.m, c.n, c.k) / 4 + 1);
    k::qgemm(c.m, c.n, c.k, a.data(), lda, c.trans_b, b.data(), ldb, c.b_unsigned, zp, e, ws.data(),
             executor, c.a_narrow);
  }
  // Between rows (ldc > n) and after the end nothing may change.
  std::vector<std::uint8_t> dense;
  for (std::size_t i = 0; i < c.m; ++i) {
    dense.insert(dense.end(), out.begin() + i * ldc * size, out.begin() + (i * ldc + c.n) * size);
    for (std::size_t x = c.n * size; x < ldc * size; ++x) CHECK(out[i * ldc * size + x] == 0xEE);
  }
  for (std::size_t x = c.m * ldc * size; x < out.size(); ++x) CHECK(out[x] == 0xEE);
  return dense;
}

void check(const QgemmCase& c) {
  INFO("m " << c.m << " n " << c.n << " k " << c.k << " a_signed " << c.a_signed << " b_unsigned "
            << c.b_unsigned << " trans_b " << c.trans_b << " output " << int(c.output) << " za "
            << c.za.size() << " zb " << c.zb.size() << " bias " << c.bias.size() << " scale "
            << c.scale.size());
  const std::vector<std::uint8_t> want = expected(c);
  inlay_test::for_each_cpu_target([&] {
    for (bool packed : {true, false}) {
      INFO("packed " << packed);
      const std::vector<std::uint8_t> got = run(c, packed, nullptr);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < want.size(); ++i) bad += got[i] != want[i];
      CHECK(bad == 0);
    }
  });
}

const std::size_t kDims[] = {1, 3, 4, 17, 33, 69};

}  // namespace

TEST_CASE("qgemm int32 sums match the reference on odd shapes and every signedness",
          "[kernels/qgemm]") {
  std::mt19937 rng(11);
  for (std::size_t m : kDims) {
    for (std::size_t n : kDims) {
      for (std::size_t kk : {std::size_t(1), std::size_t(3), std::size_t(17), std::size_t(69)}) {
        QgemmCase c = random_case(m, n, kk, rng);
        c.trans_b = rng() & 1;
        c.za = {random_byte(rng, c.a_signed)};
        c.zb = {random_byte(rng, !c.b_unsigned)};
        check(c);
      }
    }
  }
}

TEST_CASE("qgemm handles every zero point form", "[kernels/qgemm]") {
  std::mt19937 rng(12);
  for (int form = 0; form < 9; ++form) {
    QgemmCase c = random_case(19, 37, 23, rng);
    const int fa = form % 3, fb = form / 3;  // 0: none (0), 1: per tensor, 2: per row / column
    c.za = fa == 0 ? std::vector<std::int32_t>{0} : std::vector<std::int32_t>(fa == 1 ? 1 : c.m);
    c.zb = fb == 0 ? std::vector<std::int32_t>{0} : std::vector<std::int32_t>(fb == 1 ? 1 : c.n);
    if (fa > 0)
      for (auto& z : c.za) z = random_byte(rng, c.a_signed);
    if (fb > 0)
      for (auto& z : c.zb) z = random_byte(rng, !c.b_unsigned);
    check(c);
  }
}

TEST_CASE("qgemm wraps like int32 where the sums overflow", "[kernels/qgemm]") {
  // a = 255 and b = -128 everywhere: each product is -32640; with k = 70000 the sum (-2.28e9)
  // leaves int32 and wraps; zero points of the other extreme push it further.
  for (const std::int32_t zb : {0, 127, -128}) {
    QgemmCase c;
    c.m = zb == 0 ? 13 : 3;  // 13 rows: the word forms (chunks of K, the last one odd)
    c.n = 18;
    c.k = 70001;
    c.a.assign(c.m * c.k, 255);
    c.b.assign(c.k * c.n, -128);
    c.zb = {zb};  // b - zb: -128, -255 or 0
    check(c);
  }
  QgemmCase c;
  c.m = 2;
  c.n = 5;
  c.k = 66000;
  c.a_signed = true;
  c.b_unsigned = true;
  c.a.assign(c.m * c.k, -128);
  c.b.assign(c.k * c.n, 0);
  c.za = {127};
  c.zb = {255};  // (-255) (-255) per step
  check(c);
}

TEST_CASE("qgemm requantizes with per-tensor, per-row and per-column scales", "[kernels/qgemm]") {
  std::mt19937 rng(13);
  for (QgemmOutput out : {QgemmOutput::u8, QgemmOutput::s8, QgemmOutput::f32}) {
    for (QgemmAxis axis : {QgemmAxis::per_tensor, QgemmAxis::per_row, QgemmAxis::per_column}) {
      QgemmCase c = random_case(13, 35, 67, rng);
      c.output = out;
      c.za = {random_byte(rng, c.a_signed)};
      c.zb = {random_byte(rng, !c.b_unsigned)};
      c.scale_axis = axis;
      c.scale.assign(axis == QgemmAxis::per_tensor ? 1 : axis == QgemmAxis::per_row ? c.m : c.n, 0);
      // Small multipliers keep most values in range; a few large ones saturate.
      for (auto& s : c.scale) s = (rng() % 8 == 0 ? 0.5f : 2e-4f) * float(1 + rng() % 100);
      c.bias_axis = axis == QgemmAxis::per_row ? QgemmAxis::per_column : QgemmAxis::per_row;
      c.bias.resize(c.bias_axis == QgemmAxis::per_row ? c.m : c.n);
      for (auto& b : c.bias) b = static_cast<std::int32_t>(rng() % 20001) - 10000;
      if (out == QgemmOutput::f32) {
        c.float_bias_axis = axis;
        c.float_bias.resize(c.scale.size());
        for (auto& b : c.float_bias) b = float(rng() % 1000) * 0.01f - 5.0f;
      } else {
        c.zero =
            out == QgemmOutput::u8 ? std::int32_t(rng() % 256) : std::int32_t(rng() % 256) - 128;
      }
      check(c);
    }
  }
}

TEST_CASE("qgemm saturates and rounds halves to even", "[kernels/qgemm]") {
  // k = 1, a - za = 1: acc = b - zb, so acc * 0.5 covers every half; a scale of 4 saturates.
  for (QgemmOutput out : {QgemmOutput::u8, QgemmOutput::s8}) {
    for (float scale : {0.5f, 4.0f}) {
      QgemmCase c;
      c.m = 1;
      c.n = 256;
      c.k = 1;
      c.a = {1};
      c.b.resize(256);
      for (std::size_t j = 0; j < 256; ++j) c.b[j] = std::int32_t(j) - 128;
      c.output = out;
      c.scale = {scale};
      c.zero = out == QgemmOutput::u8 ? 128 : 0;
      check(c);
      // Every output saturated or rounded must hit both ends.
      const std::vector<std::uint8_t> want = expected(c);
      if (scale > 1.0f) {
        CHECK(std::count(want.begin(), want.end(), out == QgemmOutput::u8 ? 255 : 127) > 1);
      }
    }
  }
}

TEST_CASE("qgemm gives the same bits with any number of threads", "[kernels/qgemm]") {
  std::mt19937 rng(14);
  QgemmCase c = random_case(150, 600, 70, rng);
  c.za = {random_byte(rng, c.a_signed)};
  c.zb.resize(c.n);
  for (auto& z : c.zb) z = random_byte(rng, !c.b_unsigned);
  const std::vector<std::uint8_t> want = expected(c);
  inlay::ThreadPool pool2(2), pool3(3);
  inlay_test::for_each_cpu_target([&] {
    CHECK(run(c, true, &pool2) == want);
    CHECK(run(c, false, &pool3) == want);
  });
}

// A random case whose B (narrow_b) or A fits 7 bits: values in [-64, 63] in the kernel's form,
// the other operand full range.
QgemmCase narrow_case(std::size_t m, std::size_t n, std::size_t kk, bool narrow_b,
                      std::mt19937& rng) {
  QgemmCase c = random_case(m, n, kk, rng);
  if (narrow_b) {
    for (auto& v : c.b) v = static_cast<std::int32_t>(rng() % 128) - 64 + (c.b_unsigned ? 128 : 0);
  } else {
    for (auto& v : c.a) v = static_cast<std::int32_t>(rng() % 128) - 64 + (c.a_signed ? 0 : 128);
    c.a_narrow = true;
  }
  c.za = {random_byte(rng, c.a_signed)};
  c.zb = {random_byte(rng, !c.b_unsigned)};
  return c;
}

TEST_CASE("qgemm with 7-bit B or A matches the reference on odd shapes", "[kernels/qgemm]") {
  std::mt19937 rng(15);
  for (bool narrow_b : {true, false}) {
    for (std::size_t m : {std::size_t(1), std::size_t(5), std::size_t(7), std::size_t(50)}) {
      for (std::size_t n : {std::size_t(1), std::size_t(15), std::size_t(33), std::size_t(70)}) {
        for (std::size_t kk : {std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(5),
                               std::size_t(66), std::size_t(131)}) {
          QgemmCase c = narrow_case(m, n, kk, narrow_b, rng);
          c.trans_b = rng() & 1;
          check(c);
        }
      }
    }
  }
}

TEST_CASE("qgemm with 7-bit operands is exact at the extremes", "[kernels/qgemm]") {
  // vpmaddubsw sums two products into int16: 255 * -64 * 2 = -32640 and 255 * 63 * 2 = 32130
  // stay inside it, as do (b + 128) (a - 128) for a narrow A: 255 * -64 * 2.
  for (const std::int32_t bv : {-64, 63}) {
    for (const std::size_t kk : {std::size_t(7), std::size_t(9), std::size_t(1001)}) {
      QgemmCase c;
      c.m = 13;
      c.n = 35;
      c.k = kk;
      c.a.assign(c.m * c.k, 255);
      c.b.assign(c.k * c.n, bv);
      c.zb = {bv == 63 ? -64 : 63};
      c.output = QgemmOutput::f32;
      c.scale = {0.5f};
      check(c);
      // The same values with A as the narrow operand: B full range at both ends.
      QgemmCase d = c;
      d.a_signed = true;
      d.a.assign(d.m * d.k, bv);
      d.b.assign(d.k * d.n, bv < 0 ? 127 : -128);
      d.a_narrow = true;
      check(d);
      d.b_unsigned = true;
      d.b.assign(d.k * d.n, bv < 0 ? 255 : 0);
      d.zb = {0};
      check(d);
    }
  }
  // Past 2^31 the 7-bit sums wrap like int32 too: 255 * -64 * 140001 < -2^31; with a narrow A
  // the restoring term 16384 k does (2.29e9).
  QgemmCase w;
  w.m = 7;
  w.n = 17;
  w.k = 140001;
  w.a.assign(w.m * w.k, 255);
  w.b.assign(w.k * w.n, -64);
  check(w);
  w.a_signed = true;
  w.a.assign(w.m * w.k, -64);
  w.b.assign(w.k * w.n, 127);
  w.a_narrow = true;
  check(w);
}

TEST_CASE("qgemm falls back to the full path for one value outside 7 bits", "[kernels/qgemm]") {
  std::mt19937 rng(16);
  for (const std::int32_t outside : {-65, 64}) {
    QgemmCase c = narrow_case(9, 21, 30, true, rng);
    c.a_signed = false;
    c.a.assign(c.a.size(), 255);
    c.za = {3};
    c.b[c.b.size() / 2] = outside + (c.b_unsigned ? 128 : 0);
    REQUIRE(!b_fits_7bit(c));  // run() checks that qgemm_pack_b says so too
    check(c);
    // Unpacked, with a B that packs narrow save one byte: qgemm decides alone.
    c.b.assign(c.b.size(), -64 + (c.b_unsigned ? 128 : 0));
    c.b.back() = outside + (c.b_unsigned ? 128 : 0);
    check(c);
  }
  // An A one byte outside is not narrow.
  std::vector<std::uint8_t> a(40, 191);
  CHECK(k::qgemm_is_narrow_a(a.data(), a.size()));
  for (const std::uint8_t v : {std::uint8_t(63), std::uint8_t(192), std::uint8_t(0)}) {
    for (const std::size_t at : {std::size_t(0), std::size_t(39)}) {
      std::vector<std::uint8_t> bad = a;
      bad[at] = v;
      CHECK(!k::qgemm_is_narrow_a(bad.data(), bad.size()));
    }
  }
  a.assign(200, 64);
  CHECK(k::qgemm_is_narrow_a(a.data(), a.size()));
  a[131] = 200;
  CHECK(!k::qgemm_is_narrow_a(a.data(), a.size()));
}

TEST_CASE("qgemm refuses bad parameters", "[kernels/qgemm]") {
  std::vector<std::uint8_t> a(16), c(16);
  std::vector<std::int8_t> pb(k::qgemm_packed_b_size(4, 4));
  std::vector<std::int32_t> sums(4);
  k::QgemmEpilogue e;
  e.c = c.data();
  e.ldc = 2;  // < n
  CHECK_THROWS_AS(k::qgemm_packed(2, 4, 4, a.data(), 4, pb.data(), sums.data(), {}, e),
                  inlay::Error);
  e.ldc = 4;
  e.output = QgemmOutput::u8;  // no scale
  CHECK_THROWS_AS(k::qgemm_packed(2, 4, 4, a.data(), 4, pb.data(), sums.data(), {}, e),
                  inlay::Error);
  e.output = QgemmOutput::s32;
  CHECK_THROWS_AS(k::qgemm_packed(2, 4, 4, a.data(), 3, pb.data(), sums.data(), {}, e),
                  inlay::Error);  // lda < k
  CHECK_THROWS_AS(k::qgemm_packed(2, 4, 4, a.data(), 4, pb.data(), sums.data(), {}, e, nullptr,
                                  static_cast<k::QgemmNarrow>(7)),
                  inlay::Error);
  CHECK_THROWS_AS(
      k::qgemm_packed(2, 4, 4, a.data(), 4, pb.data(), nullptr, {}, e, nullptr, k::QgemmNarrow::a),
      inlay::Error);  // a narrow A needs the column sums
}
