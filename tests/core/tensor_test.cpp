#include <cstdint>
#include <string>
#include <vector>

#include "test_util.hpp"

using inlay::DType;
using inlay::Error;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

TEST_CASE("Shape stores dimensions inline and counts elements", "[core/tensor]") {
  Shape s{2, 3, 4};
  CHECK(s.rank() == 3);
  CHECK(s.numel() == 24);
  CHECK(s.to_string() == "[2, 3, 4]");
  CHECK(Shape{}.numel() == 1);  // a scalar
  CHECK(Shape{5, 0, 7}.numel() == 0);
  CHECK(Shape{2, 3} == Shape{2, 3});
  CHECK(Shape{2, 3} != Shape{3, 2});
}

TEST_CASE("Shape rejects bad dimensions with inlay::Error", "[core/tensor]") {
  CHECK_THROWS_AS((Shape{2, -1}), Error);
  CHECK_THROWS_WITH((Shape{2, -1}), Catch::Matchers::Contains("dimension 1 is negative"));
  CHECK_THROWS_WITH((Shape{1, 1, 1, 1, 1, 1, 1, 1, 1}),
                    Catch::Matchers::Contains("exceeds inlay's maximum rank"));
  CHECK_THROWS_WITH((Shape{INT64_C(1) << 40, INT64_C(1) << 40}),
                    Catch::Matchers::Contains("too many elements"));
  Shape s{2, 3};
  CHECK_THROWS_AS(s.dim(2), Error);
  try {
    s.dim(5);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_argument);
    CHECK(std::string(e.what()) == std::string("invalid argument: ") + e.message());
    CHECK(std::string(e.message()).rfind("dimension 5 of a shape of rank 2", 0) == 0);
  }
}

TEST_CASE("Owning tensors are zeroed, aligned and shared by copies", "[core/tensor]") {
  for (DType t :
       {DType::f32, DType::f16, DType::i8, DType::u8, DType::i32, DType::i64, DType::boolean}) {
    Tensor x(t, {3, 5});
    CHECK(x.dtype() == t);
    CHECK(x.numel() == 15);
    CHECK(x.nbytes() == 15 * inlay::dtype_size(t));
    CHECK(reinterpret_cast<std::uintptr_t>(x.raw_data()) % inlay::buffer_alignment == 0);
    const auto* bytes = static_cast<const unsigned char*>(x.raw_data());
    for (std::size_t i = 0; i < x.nbytes(); ++i) REQUIRE(bytes[i] == 0);
    CHECK_FALSE(x.is_view());
  }
  Tensor a(DType::f32, {4});
  Tensor b = a;  // handle copy
  b.data<float>()[2] = 7.0f;
  CHECK(a.data<float>()[2] == 7.0f);
  Tensor c = a.clone();  // element copy
  c.data<float>()[2] = 1.0f;
  CHECK(a.data<float>()[2] == 7.0f);
  CHECK(c.data<float>()[2] == 1.0f);
}

TEST_CASE("String tensors hold std::string elements that clone and copy as strings",
          "[core/tensor]") {
  Tensor s(DType::string, {2, 2});
  CHECK(s.nbytes() == 4 * sizeof(std::string));
  std::string* p = s.data<std::string>();
  for (int i = 0; i < 4; ++i) CHECK(p[i].empty());  // constructed, not zero bytes
  // Longer than any small-string buffer: a memcpy'd copy would share (and double free) it.
  p[0] = std::string(100, 'a');
  p[3] = "three";
  Tensor c = s.clone();
  c.data<std::string>()[0][0] = 'b';
  CHECK(p[0] == std::string(100, 'a'));
  CHECK(c.data<std::string>()[0] == "b" + std::string(99, 'a'));
  CHECK(c.data<std::string>()[3] == "three");
  Tensor d(DType::string, {4});
  Tensor::copy_elements(s, d);
  CHECK(d.data<std::string>()[3] == "three");
  Tensor three(DType::string, {3});
  CHECK_THROWS_WITH(Tensor::copy_elements(s, three),
                    Catch::Matchers::Contains("copy_elements from string [2, 2] to string [3]"));
  CHECK_THROWS_AS(s.data<float>(), Error);
}

TEST_CASE("Tensor::data<T> is checked against the dtype", "[core/tensor]") {
  Tensor x(DType::i64, {2});
  CHECK_NOTHROW(x.data<std::int64_t>());
  CHECK_THROWS_WITH(x.data<float>(),
                    Catch::Matchers::Contains("data<f32>() on a tensor of dtype i64"));
  CHECK_THROWS_AS(x.data<std::int32_t>(), Error);
}

TEST_CASE("Views wrap host memory without copying", "[core/tensor]") {
  std::vector<float> host(6, 0.5f);
  Tensor v = Tensor::view(host.data(), {2, 3});
  CHECK(v.is_view());
  CHECK(v.dtype() == DType::f32);
  CHECK(v.data<float>() == host.data());
  v.data<float>()[4] = 3.0f;
  CHECK(host[4] == 3.0f);

  const std::vector<std::int32_t> ro(4, 1);
  Tensor r = Tensor::view(ro.data(), {4});
  CHECK(r.is_read_only());
  const Tensor& cr = r;
  CHECK(cr.data<std::int32_t>()[0] == 1);
  CHECK_THROWS_WITH(r.data<std::int32_t>(), Catch::Matchers::Contains("read-only view"));

  CHECK_THROWS_AS(Tensor::view(static_cast<float*>(nullptr), {3}), Error);
  CHECK_NOTHROW(Tensor::view(static_cast<float*>(nullptr), {0, 3}));
}
