// TensorProto -> inlay::Tensor: raw_data and typed fields for every supported type, and the
// checks on types, dims and element counts.
#include <cstdint>
#include <string>
#include <vector>

#include "onnx/onnx_test_util.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Tensor;
using inlay::onnx::TensorProto;
using inlay_test::error_of;
using inlay_test::Pb;
using inlay_test::varint;

namespace {
std::string dims(std::initializer_list<std::int64_t> d) {
  std::string s;
  for (std::int64_t v : d) s += varint(static_cast<std::uint64_t>(v));
  return s;
}
Tensor convert(const Pb& pb) {
  const auto t = inlay_test::parse_tensor_bytes(pb.bytes);
  return inlay::onnx::to_tensor(t.proto);
}
}  // namespace

TEST_CASE("raw_data converts for every supported type", "[onnx][onnx/convert]") {
  Tensor f = convert(Pb().s(8, "f")
                         .s(1, dims({2, 3}))
                         .u(2, 1)
                         .s(9, inlay_test::le_bytes<float>({1, 2, 3, 4, 5, -6})));
  REQUIRE(f.dtype() == DType::f32);
  CHECK(f.shape() == inlay::Shape{2, 3});
  CHECK(f.data<float>()[5] == -6.0f);
  CHECK_FALSE(f.is_view());

  Tensor h = convert(
      Pb().s(1, dims({2})).u(2, 10).s(9, inlay_test::le_bytes<std::uint16_t>({0x3c00, 0xc000})));
  REQUIRE(h.dtype() == DType::f16);
  CHECK(inlay::to_float(h.data<inlay::float16>()[0]) == 1.0f);
  CHECK(inlay::to_float(h.data<inlay::float16>()[1]) == -2.0f);

  Tensor i8 = convert(Pb().s(1, dims({2})).u(2, 3).s(9, "\x80\x7f"));
  CHECK(i8.data<std::int8_t>()[0] == -128);
  CHECK(i8.data<std::int8_t>()[1] == 127);
  Tensor u8 = convert(Pb().s(1, dims({1})).u(2, 2).s(9, "\xff"));
  CHECK(u8.data<std::uint8_t>()[0] == 255);
  Tensor i32 = convert(Pb().s(1, dims({1})).u(2, 6).s(9, inlay_test::le_bytes<std::int32_t>({-7})));
  CHECK(i32.data<std::int32_t>()[0] == -7);
  Tensor i64 = convert(Pb().u(2, 7).s(9, inlay_test::le_bytes<std::int64_t>({INT64_MIN})));
  CHECK(i64.rank() == 0);  // a scalar
  CHECK(i64.data<std::int64_t>()[0] == INT64_MIN);
  Tensor b = convert(Pb().s(1, dims({3})).u(2, 9).s(9, std::string("\x00\x01\x05", 3)));
  REQUIRE(b.dtype() == DType::boolean);
  CHECK(b.data<bool>()[0] == false);
  CHECK(b.data<bool>()[2] == true);
  Tensor empty = convert(Pb().s(1, dims({0, 4})).u(2, 1).s(9, ""));
  CHECK(empty.numel() == 0);
}

TEST_CASE("Typed data fields convert, values checked against the type", "[onnx][onnx/convert]") {
  Tensor f =
      convert(Pb().s(1, dims({2})).u(2, 1).s(4, inlay_test::le_bytes<float>({0.5f})).f32(4, 1.5f));
  CHECK(f.data<float>()[0] == 0.5f);
  CHECK(f.data<float>()[1] == 1.5f);
  Tensor i64 = convert(
      Pb().s(1, dims({2})).u(2, 7).s(7, varint(3) + varint(static_cast<std::uint64_t>(-4))));
  CHECK(i64.data<std::int64_t>()[1] == -4);
  Tensor i32 = convert(Pb().s(1, dims({1})).u(2, 6).u(5, static_cast<std::uint64_t>(-9)));
  CHECK(i32.data<std::int32_t>()[0] == -9);
  Tensor h = convert(Pb().s(1, dims({1})).u(2, 10).u(5, 0x3c00));
  CHECK(inlay::to_float(h.data<inlay::float16>()[0]) == 1.0f);
  Tensor i8 = convert(Pb().s(1, dims({1})).u(2, 3).u(5, static_cast<std::uint64_t>(-3)));
  CHECK(i8.data<std::int8_t>()[0] == -3);
  Tensor b = convert(Pb().s(1, dims({2})).u(2, 9).s(5, varint(1) + varint(0)));
  CHECK(b.data<bool>()[0] == true);
  CHECK(b.data<bool>()[1] == false);

  CHECK_THAT(error_of([&] { convert(Pb().s(8, "q").s(1, dims({1})).u(2, 2).u(5, 300)); },
                      ErrorKind::invalid_model),
             Contains("tensor 'q': int32_data[0] = 300 does not fit UINT8"));
  CHECK_THAT(error_of([&] { convert(Pb().s(8, "q").s(1, dims({1})).u(2, 9).u(5, 2)); },
                      ErrorKind::invalid_model),
             Contains("does not fit BOOL"));
  CHECK_THAT(error_of([&] { convert(Pb().s(8, "c").s(1, dims({3})).u(2, 1).f32(4, 1.0f)); },
                      ErrorKind::invalid_model),
             Contains("tensor 'c': float_data holds 1 elements but dims [3] need 3"));
}

TEST_CASE("Unsupported types, bad dims and size mismatches are refused", "[onnx][onnx/convert]") {
  CHECK_THAT(
      error_of([&] { convert(Pb().s(8, "b").s(1, dims({1})).u(2, 14).s(9, std::string(8, '\0'))); },
               ErrorKind::unsupported_op),
      Contains("tensor 'b': data type COMPLEX64 is not supported"));
  // DOUBLE is held (f64), from double_data as well as raw_data.
  const inlay::Tensor d =  // 0x4004000000000000: the IEEE 754 bits of 2.5
      convert(Pb().s(8, "d").s(1, dims({1})).u(2, 11).f64(10, 0x4004000000000000u));
  CHECK(d.dtype() == inlay::DType::f64);
  CHECK(d.data<double>()[0] == 2.5);
  CHECK_THAT(error_of([&] { convert(Pb().s(8, "u").u(2, 77)); }, ErrorKind::unsupported_op),
             Contains("UNKNOWN(77)"));
  CHECK_THAT(error_of(
                 [&] {
                   convert(Pb().s(8, "big")
                               .s(1, dims({INT64_C(1) << 31, INT64_C(1) << 31, 4}))
                               .u(2, 1)
                               .s(9, "abcd"));
                 },
                 ErrorKind::invalid_model),
             Contains("tensor 'big': the product of the dims overflows"));
  CHECK_THAT(error_of(
                 [&] {
                   convert(Pb().s(8, "neg").s(1, dims({2, -1})).u(2, 1));
                 },
                 ErrorKind::invalid_model),
             Contains("tensor 'neg': dims[1] is negative (-1)"));
  CHECK_THAT(error_of(
                 [&] {
                   convert(Pb().s(8, "r")
                               .s(1, dims({2, 2}))
                               .u(2, 1)
                               .s(9, inlay_test::le_bytes<float>({1, 2, 3})));
                 },
                 ErrorKind::invalid_model),
             Contains("tensor 'r': raw_data holds 12 bytes but dims [2, 2] of FLOAT need 16"));
  // huge dims with little data: refused before anything is allocated
  CHECK_THAT(
      error_of([&] { convert(Pb().s(8, "h").s(1, dims({INT64_C(1) << 40})).u(2, 1).s(9, "abcd")); },
               ErrorKind::invalid_model),
      Contains("raw_data holds 4 bytes"));
  CHECK_THAT(error_of(
                 [&] {
                   convert(Pb().s(8, "r9").s(1, dims({1, 1, 1, 1, 1, 1, 1, 1, 1})).u(2, 1));
                 },
                 ErrorKind::unsupported_op),
             Contains("exceeds inlay's maximum rank"));
  CHECK_THAT(error_of([&] { convert(Pb().s(8, "x").s(1, dims({1})).u(2, 1).u(14, 1)); },
                      ErrorKind::invalid_model),
             Contains("tensor 'x': external data"));
}

TEST_CASE("Data type names and the dtype mapping", "[onnx][onnx/convert]") {
  CHECK(inlay::onnx::data_type_name(1) == "FLOAT");
  CHECK(inlay::onnx::data_type_name(16) == "BFLOAT16");
  CHECK(inlay::onnx::data_type_name(-1) == "UNKNOWN(-1)");
  DType d = DType::f32;
  CHECK(inlay::onnx::to_dtype(7, d));
  CHECK(d == DType::i64);
  CHECK(inlay::onnx::to_dtype(16, d));
  CHECK(d == DType::bf16);
  CHECK(inlay::onnx::to_dtype(8, d));
  CHECK(d == DType::string);
  CHECK_FALSE(inlay::onnx::to_dtype(14, d));
}

TEST_CASE("BFLOAT16 converts from raw_data and int32_data", "[onnx][onnx/convert]") {
  // 0x3f80 is 1.0, 0xc040 is -3.0 (sign, exponent 128, mantissa 0x40: 1.5 * 2).
  Tensor raw = convert(
      Pb().s(1, dims({2})).u(2, 16).s(9, inlay_test::le_bytes<std::uint16_t>({0x3f80, 0xc040})));
  REQUIRE(raw.dtype() == DType::bf16);
  CHECK(inlay::to_float(raw.data<inlay::bfloat16>()[0]) == 1.0f);
  CHECK(inlay::to_float(raw.data<inlay::bfloat16>()[1]) == -3.0f);
  Tensor typed = convert(Pb().s(1, dims({2})).u(2, 16).u(5, 0x3f80).u(5, 0xc040));
  CHECK(inlay::to_float(typed.data<inlay::bfloat16>()[1]) == -3.0f);
  CHECK_THAT(error_of([&] { convert(Pb().s(8, "w").s(1, dims({1})).u(2, 16).u(5, 0x10000)); },
                      ErrorKind::invalid_model),
             Contains("tensor 'w': int32_data[0] = 65536 does not fit BFLOAT16"));
}

TEST_CASE("STRING converts from string_data only, counts checked", "[onnx][onnx/convert]") {
  Tensor s = convert(Pb().s(1, dims({3})).u(2, 8).s(6, "monday").s(6, "").s(6, "x y"));
  REQUIRE(s.dtype() == DType::string);
  CHECK(s.data<std::string>()[0] == "monday");
  CHECK(s.data<std::string>()[1].empty());
  CHECK(s.data<std::string>()[2] == "x y");
  CHECK_THAT(error_of([&] { convert(Pb().s(8, "s").s(1, dims({2})).u(2, 8).s(6, "one")); },
                      ErrorKind::invalid_model),
             Contains("tensor 's': string_data holds 1 elements but dims [2] need 2"));
  // raw_data cannot hold strings: refused rather than read as std::string objects.
  CHECK_THAT(
      error_of([&] { convert(Pb().s(8, "r").s(1, dims({1})).u(2, 8).s(9, std::string(32, 'z'))); },
               ErrorKind::invalid_model),
      Contains("tensor 'r': a STRING tensor must hold its elements in string_data"));
}
