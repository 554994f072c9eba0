// The protobuf wire reader on hand-made bytes: every scalar encoding, skipping, and refusals.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <inlay/onnx/wire.hpp>  // internal: not part of the umbrella header

#include "onnx/onnx_test_util.hpp"

using Catch::Matchers::Contains;
using inlay::ErrorKind;
using inlay::onnx::wire::Field;
using inlay::onnx::wire::Path;
using inlay::onnx::wire::Reader;
using inlay::onnx::wire::WireType;
using inlay_test::error_of;
using inlay_test::ExactBytes;
using inlay_test::Pb;
using inlay_test::varint;

namespace {
// Reads every field of `bytes` as a message named "M" and hands each to visit(reader, field).
template <class Visit>
void read_all(const std::string& bytes, Visit visit) {
  ExactBytes b(bytes);
  const Path root{nullptr, "M", -1};
  Reader r(b.data.get(), b.data.get(), b.data.get() + b.size, root, 0);
  Field f;
  while (r.next(f)) visit(r, f);
}
}  // namespace

TEST_CASE("Varints decode up to 64 bits and refuse overflow and truncation", "[onnx][onnx/wire]") {
  for (std::uint64_t v :
       {std::uint64_t(0), std::uint64_t(1), std::uint64_t(127), std::uint64_t(128),
        std::uint64_t(300), std::uint64_t(1) << 35, ~std::uint64_t(0)}) {
    std::uint64_t got = 12345;
    read_all(Pb().u(1, v).bytes, [&](Reader& r, const Field& f) { got = r.as_uint64(f, "x"); });
    CHECK(got == v);
  }
  // a negative int32 is a sign-extended 10-byte varint
  std::int32_t i32 = 0;
  read_all(Pb().u(2, static_cast<std::uint64_t>(std::int64_t(-5))).bytes,
           [&](Reader& r, const Field& f) { i32 = r.as_int32(f, "x"); });
  CHECK(i32 == -5);

  const std::string overflow = varint(8) + std::string(9, '\xff') + "\x02";  // bit 64 set
  CHECK_THAT(
      error_of([&] { read_all(overflow, [](Reader&, const Field&) {}); }, ErrorKind::invalid_model),
      Contains("M: varint overflows 64 bits at byte 1"));
  const std::string too_long = varint(8) + std::string(11, '\x80') + "\x01";
  CHECK_THAT(
      error_of([&] { read_all(too_long, [](Reader&, const Field&) {}); }, ErrorKind::invalid_model),
      Contains("varint overflows 64 bits"));
  const std::string truncated = varint(8) + "\x80\x80";
  CHECK_THAT(error_of([&] { read_all(truncated, [](Reader&, const Field&) {}); },
                      ErrorKind::invalid_model),
             Contains("M: varint runs past the end of the buffer at byte 1"));
}

TEST_CASE("Fixed-width and length-delimited fields are bounds-checked", "[onnx][onnx/wire]") {
  float f = 0;
  std::uint64_t bits = 0;
  std::string s;
  read_all(Pb().f32(1, 2.5f).f64(2, 0x0102030405060708u).s(3, "abc").bytes,
           [&](Reader& r, const Field& fl) {
             if (fl.number == 1) f = r.as_float(fl, "f");
             if (fl.number == 2) bits = fl.number_value;
             if (fl.number == 3) s = std::string(r.as_bytes(fl, "s"));
           });
  CHECK(f == 2.5f);
  CHECK(bits == 0x0102030405060708u);
  CHECK(s == "abc");

  const auto ignore = [](Reader&, const Field&) {};
  CHECK_THAT(
      error_of([&] { read_all(Pb().tag(1, 5).raw("ab").bytes, ignore); }, ErrorKind::invalid_model),
      Contains("fixed32 runs past the end"));
  CHECK_THAT(error_of([&] { read_all(Pb().tag(1, 1).raw("abcdefg").bytes, ignore); },
                      ErrorKind::invalid_model),
             Contains("fixed64 runs past the end"));
  CHECK_THAT(
      error_of([&] { read_all(Pb().tag(4, 2).raw(varint(10) + "abc").bytes, ignore); },
               ErrorKind::invalid_model),
      Contains("M: field 4: length 10 runs past the end of the buffer (3 bytes left) at byte 1"));
  // a length near 2^64 must not wrap around the pointer arithmetic
  CHECK_THAT(
      error_of([&] { read_all(Pb().tag(4, 2).raw(varint(~std::uint64_t(0) - 1)).bytes, ignore); },
               ErrorKind::invalid_model),
      Contains("runs past the end"));
}

TEST_CASE("Repeated scalars are read packed and unpacked, mixed", "[onnx][onnx/wire]") {
  std::vector<std::int64_t> ints;
  std::vector<float> floats;
  std::vector<double> doubles;
  const std::string packed_ints = varint(1) + varint(300) + varint(static_cast<std::uint64_t>(-2));
  Pb pb;
  pb.s(1, packed_ints).u(1, 7);  // packed then unpacked
  pb.s(2, inlay_test::le_bytes<float>({1.5f, -2.0f})).f32(2, 3.0f);
  pb.s(3, inlay_test::le_bytes<double>({0.25})).f64(3, 0x4000000000000000u);  // 2.0
  read_all(pb.bytes, [&](Reader& r, const Field& f) {
    if (f.number == 1) r.append_int64(f, "ints", ints);
    if (f.number == 2) r.append_float(f, "floats", floats);
    if (f.number == 3) r.append_double(f, "doubles", doubles);
  });
  CHECK(ints == std::vector<std::int64_t>{1, 300, -2, 7});
  CHECK(floats == std::vector<float>{1.5f, -2.0f, 3.0f});
  CHECK(doubles == std::vector<double>{0.25, 2.0});

  // a packed float payload that is not a whole number of elements
  CHECK_THAT(error_of(
                 [&] {
                   read_all(Pb().s(2, "abcde").bytes, [&](Reader& r, const Field& f) {
                     r.append_float(f, "floats", floats);
                   });
                 },
                 ErrorKind::invalid_model),
             Contains("M.floats: packed payload of 5 bytes is not a multiple of 4"));
  // a packed varint list whose last element is cut
  CHECK_THAT(error_of(
                 [&] {
                   read_all(Pb().s(1, varint(1) + "\x80").bytes,
                            [&](Reader& r, const Field& f) { r.append_int64(f, "ints", ints); });
                 },
                 ErrorKind::invalid_model),
             Contains("M.ints: varint runs past the end of the buffer at byte 3"));
}

TEST_CASE("Unknown fields of every wire type are skipped; groups are refused",
          "[onnx][onnx/wire]") {
  std::vector<std::uint32_t> numbers;
  read_all(Pb().u(100, 5).f64(101, 1).s(102, "xyz").f32(103, 1.0f).u(1, 9).bytes,
           [&](Reader&, const Field& f) { numbers.push_back(f.number); });
  CHECK(numbers == std::vector<std::uint32_t>{100, 101, 102, 103, 1});
  const auto ignore = [](Reader&, const Field&) {};
  CHECK_THAT(error_of([&] { read_all(Pb().tag(5, 3).bytes, ignore); }, ErrorKind::invalid_model),
             Contains("field 5: groups (wire types 3 and 4) are not supported at byte 0"));
  CHECK_THAT(error_of([&] { read_all(Pb().tag(5, 4).bytes, ignore); }, ErrorKind::invalid_model),
             Contains("groups"));
  CHECK_THAT(error_of([&] { read_all(Pb().tag(5, 6).bytes, ignore); }, ErrorKind::invalid_model),
             Contains("invalid wire type 6"));
  CHECK_THAT(error_of([&] { read_all(Pb().tag(0, 0).raw("\x01").bytes, ignore); },
                      ErrorKind::invalid_model),
             Contains("invalid field number 0"));
}

TEST_CASE("Known fields with the wrong wire type are refused", "[onnx][onnx/wire]") {
  const auto expect = [](const std::string& bytes, const char* message,
                         std::function<void(Reader&, const Field&)> visit) {
    CHECK_THAT(error_of([&] { read_all(bytes, visit); }, ErrorKind::invalid_model),
               Contains(message));
  };
  expect(Pb().s(1, "x").bytes, "M.n: wire type length-delimited, expected varint at byte 2",
         [](Reader& r, const Field& f) { r.as_int64(f, "n"); });
  expect(Pb().u(1, 3).bytes, "M.s: wire type varint, expected length-delimited at byte 1",
         [](Reader& r, const Field& f) { r.as_bytes(f, "s"); });
  expect(Pb().u(1, 3).bytes, "M.f: wire type varint, expected fixed32",
         [](Reader& r, const Field& f) { r.as_float(f, "f"); });
  expect(Pb().f32(1, 3).bytes, "M.ints: wire type fixed32, expected length-delimited",
         [](Reader& r, const Field& f) {
           std::vector<std::int64_t> v;
           r.append_int64(f, "ints", v);
         });
}

TEST_CASE("Nesting deeper than the limit is refused", "[onnx][onnx/wire]") {
  ExactBytes b(std::string("x"));
  const Path root{nullptr, "M", -1};
  CHECK_NOTHROW(
      Reader(b.data.get(), b.data.get(), b.data.get() + 1, root, inlay::onnx::wire::max_depth));
  CHECK_THAT(error_of(
                 [&] {
                   Reader(b.data.get(), b.data.get(), b.data.get() + 1, root,
                          inlay::onnx::wire::max_depth + 1);
                 },
                 ErrorKind::invalid_model),
             Contains("nested deeper than 64 levels"));
}
