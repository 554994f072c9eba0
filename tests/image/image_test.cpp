// inlay::load_image, resize_bilinear and to_nchw_normalized (include/inlay/image.hpp). The pixel
// values expected of examples/classify_image/test_image.png come from the formulas of
// make_test_image.py, which wrote it.
#include <string>
#include <vector>

#include "catch.hpp"
#include "test_util.hpp"
#include "inlay/inlay.hpp"

using Catch::Matchers::Contains;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Tensor;
using inlay_test::error_of;

namespace {

std::vector<int> pixel(const Tensor& image, std::int64_t y, std::int64_t x) {
  const std::int64_t w = image.shape()[1], c = image.shape()[2];
  const std::uint8_t* p = image.data<std::uint8_t>() + (y * w + x) * c;
  return std::vector<int>(p, p + c);
}

const std::string test_image = INLAY_SOURCE_DIR "/examples/classify_image/test_image.png";

}  // namespace

TEST_CASE("resize_bilinear uses half-pixel centres and clamps at the border", "[image/image]") {
  // One row [0, 100] to four columns: source x = (i + 0.5) / 2 - 0.5 = -0.25 (clamped to 0),
  // 0.25, 0.75, 1.25 (clamped to 1), so 0, 25, 75, 100.
  std::vector<std::uint8_t> row = {0, 100};
  Tensor out = inlay::resize_bilinear(Tensor::view(row.data(), {1, 2, 1}), 1, 4);
  REQUIRE(out.dtype() == DType::u8);
  REQUIRE(out.shape() == inlay::Shape{1, 4, 1});
  CHECK(pixel(out, 0, 0) == std::vector<int>{0});
  CHECK(pixel(out, 0, 1) == std::vector<int>{25});
  CHECK(pixel(out, 0, 2) == std::vector<int>{75});
  CHECK(pixel(out, 0, 3) == std::vector<int>{100});

  // f32, 2x2 with 2 channels down to 1x1: the centre (0.5, 0.5) averages the four pixels.
  std::vector<float> square = {0, 10, 2, 20,   // row 0: (0, 10), (2, 20)
                               4, 30, 6, 40};  // row 1: (4, 30), (6, 40)
  Tensor small = inlay::resize_bilinear(Tensor::view(square.data(), {2, 2, 2}), 1, 1);
  REQUIRE(small.shape() == inlay::Shape{1, 1, 2});
  CHECK(small.data<float>()[0] == Approx(3.0f));
  CHECK(small.data<float>()[1] == Approx(25.0f));

  // The same size gives the same pixels.
  Tensor same = inlay::resize_bilinear(Tensor::view(square.data(), {2, 2, 2}), 2, 2);
  for (std::size_t i = 0; i < square.size(); ++i) CHECK(same.data<float>()[i] == square[i]);
}

TEST_CASE("resize_bilinear refuses what is not an image", "[image/image]") {
  std::vector<std::uint8_t> flat(6, 1);
  CHECK_THAT(error_of([&] { inlay::resize_bilinear(Tensor::view(flat.data(), {6}), 2, 2); },
                      ErrorKind::shape_mismatch),
             Contains("resize_bilinear") && Contains("[6]"));
  CHECK_THAT(error_of(
                 [&] {
                   inlay::resize_bilinear(Tensor::view(flat.data(), {1, 2, 3}), 0, 2);
                 },
                 ErrorKind::invalid_argument),
             Contains("0x2"));
  std::vector<std::int32_t> ints(6, 1);
  CHECK_THAT(error_of(
                 [&] {
                   inlay::resize_bilinear(Tensor::view(ints.data(), {1, 2, 3}), 2, 2);
                 },
                 ErrorKind::invalid_argument),
             Contains("i32"));
}

TEST_CASE("to_nchw_normalized moves channels first and normalizes each", "[image/image]") {
  // 1x2 pixels of 3 channels: (0, 51, 255) and (255, 102, 0).
  std::vector<std::uint8_t> hwc = {0, 51, 255, 255, 102, 0};
  Tensor x = inlay::to_nchw_normalized(Tensor::view(hwc.data(), {1, 2, 3}), {0.5f, 0.0f, 1.0f},
                                       {0.5f, 0.1f, 2.0f});
  REQUIRE(x.dtype() == DType::f32);
  REQUIRE(x.shape() == inlay::Shape{1, 3, 1, 2});
  const float* v = x.data<float>();
  // channel 0: (0 - 0.5) / 0.5, (1 - 0.5) / 0.5; channel 1: 0.2 / 0.1, 0.4 / 0.1;
  // channel 2: (1 - 1) / 2, (0 - 1) / 2.
  const float expected[6] = {-1.0f, 1.0f, 2.0f, 4.0f, 0.0f, -0.5f};
  for (int i = 0; i < 6; ++i) CHECK(v[i] == Approx(expected[i]).margin(1e-6));

  CHECK_THAT(error_of(
                 [&] {
                   inlay::to_nchw_normalized(Tensor::view(hwc.data(), {1, 2, 3}), {0, 0}, {1, 1});
                 },
                 ErrorKind::invalid_argument),
             Contains("2 means") && Contains("3 channels"));
  CHECK_THAT(
      error_of(
          [&] {
            inlay::to_nchw_normalized(Tensor::view(hwc.data(), {1, 2, 3}), {0, 0, 0}, {1, 0, 1});
          },
          ErrorKind::invalid_argument),
      Contains("not positive"));
}

TEST_CASE("load_image reads the example's PNG, or says it was built without stb", "[image/image]") {
#ifdef INLAY_WITH_STB
  REQUIRE(inlay::image_loading_available());
  Tensor image = inlay::load_image(test_image);
  REQUIRE(image.dtype() == DType::u8);
  REQUIRE(image.shape() == inlay::Shape{64, 96, 3});
  // make_test_image.py: sky (90 + 3y, 140 + 2y, 235); sun around (x 70, y 14) (250, 220, 60);
  // ground below y 40: (40, 120 + (3x) % 40, 30).
  CHECK(pixel(image, 0, 0) == std::vector<int>{90, 140, 235});
  CHECK(pixel(image, 30, 5) == std::vector<int>{180, 200, 235});
  CHECK(pixel(image, 14, 70) == std::vector<int>{250, 220, 60});
  CHECK(pixel(image, 50, 10) == std::vector<int>{40, 150, 30});
  CHECK(pixel(image, 63, 95) == std::vector<int>{40, 120 + (3 * 95) % 40, 30});

  Tensor grey = inlay::load_image(test_image, 1);
  REQUIRE(grey.shape() == inlay::Shape{64, 96, 1});
  // stb's luma: (77 r + 150 g + 29 b) >> 8 of the ground pixel (40, 150, 30).
  CHECK(pixel(grey, 50, 10) == std::vector<int>{(77 * 40 + 150 * 150 + 29 * 30) >> 8});

  CHECK_THAT(
      error_of([] { inlay::load_image(INLAY_SOURCE_DIR "/no/such/image.png"); }, ErrorKind::io),
      Contains("no/such/image.png"));
  CHECK_THAT(error_of([] { inlay::load_image(INLAY_SOURCE_DIR "/CMakeLists.txt"); }, ErrorKind::io),
             Contains("CMakeLists.txt"));
#else
  CHECK_FALSE(inlay::image_loading_available());
  CHECK_THAT(error_of([] { inlay::load_image(test_image); }, ErrorKind::unsupported_op),
             Contains("INLAY_WITH_STB"));
#endif
  CHECK_THAT(error_of([] { inlay::load_image(test_image, 5); }, ErrorKind::invalid_argument),
             Contains("channels"));
}
