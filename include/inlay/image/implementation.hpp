// Definitions behind inlay/image.hpp, compiled once in the implementation unit.
#ifndef INLAY_IMAGE_IMPLEMENTATION_HPP
#define INLAY_IMAGE_IMPLEMENTATION_HPP

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "inlay/image.hpp"
#ifdef INLAY_WITH_STB
#include "inlay/image/stb.hpp"
#endif

INLAY_NAMESPACE_BEGIN

bool image_loading_available() noexcept {
#ifdef INLAY_WITH_STB
  return true;
#else
  return false;
#endif
}

Tensor load_image(const std::string& path, int channels) {
  if (channels < 1 || channels > 4) {
    fail(ErrorKind::invalid_argument,
         "load_image(" + path + "): channels must be 1 to 4, not " + std::to_string(channels));
  }
#ifdef INLAY_WITH_STB
  int width = 0, height = 0, file_channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &width, &height, &file_channels, channels);
  if (pixels == nullptr) {
    fail(ErrorKind::io, "load_image: cannot read image " + path + ": " + stbi_failure_reason());
  }
  Tensor image(DType::u8, {height, width, channels});
  std::memcpy(image.data<std::uint8_t>(), pixels, static_cast<std::size_t>(image.numel()));
  stbi_image_free(pixels);
  return image;
#else
  fail(ErrorKind::unsupported_op,
       "load_image(" + path +
           "): this inlay implementation was built without stb_image "
           "(CMake option INLAY_WITH_STB=ON, vcpkg feature stb, or define INLAY_WITH_STB in the "
           "implementation unit with stb_image.h on its include path)");
#endif
}

namespace image_detail {

inline void check_hwc(const Tensor& image, const char* who) {
  if (image.shape().rank() != 3 || image.numel() == 0) {
    fail(ErrorKind::shape_mismatch, std::string(who) +
                                        ": expected a non-empty image [height, "
                                        "width, channels], got " +
                                        image.shape().to_string());
  }
}

// Source coordinate of output index i (half-pixel centres), clamped to the image: the two
// neighbours and the weight of the second.
struct Tap {
  std::int64_t lo, hi;
  float weight;
};
inline std::vector<Tap> taps(std::int64_t in, std::int64_t out) {
  std::vector<Tap> t(static_cast<std::size_t>(out));
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (std::int64_t i = 0; i < out; ++i) {
    const double x =
        std::clamp((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
    const auto lo = static_cast<std::int64_t>(x);
    t[static_cast<std::size_t>(i)] = {lo, std::min(lo + 1, in - 1),
                                      static_cast<float>(x - static_cast<double>(lo))};
  }
  return t;
}

template <class T>
void resize(const T* in, std::int64_t h, std::int64_t w, std::int64_t c, T* out, std::int64_t oh,
            std::int64_t ow) {
  const std::vector<Tap> ys = taps(h, oh), xs = taps(w, ow);
  for (std::int64_t y = 0; y < oh; ++y) {
    const Tap& ty = ys[static_cast<std::size_t>(y)];
    for (std::int64_t x = 0; x < ow; ++x) {
      const Tap& tx = xs[static_cast<std::size_t>(x)];
      for (std::int64_t k = 0; k < c; ++k) {
        auto at = [&](std::int64_t yy, std::int64_t xx) {
          return static_cast<float>(in[(yy * w + xx) * c + k]);
        };
        const float top = at(ty.lo, tx.lo) + tx.weight * (at(ty.lo, tx.hi) - at(ty.lo, tx.lo));
        const float bottom = at(ty.hi, tx.lo) + tx.weight * (at(ty.hi, tx.hi) - at(ty.hi, tx.lo));
        const float v = top + ty.weight * (bottom - top);
        if constexpr (std::is_same<T, std::uint8_t>::value) {
          out[(y * ow + x) * c + k] =
              static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
        } else {
          out[(y * ow + x) * c + k] = v;
        }
      }
    }
  }
}

}  // namespace image_detail

Tensor resize_bilinear(const Tensor& image, std::int64_t out_height, std::int64_t out_width) {
  image_detail::check_hwc(image, "resize_bilinear");
  if (out_height < 1 || out_width < 1) {
    fail(ErrorKind::invalid_argument, "resize_bilinear: output size " + std::to_string(out_height) +
                                          "x" + std::to_string(out_width) + " is not positive");
  }
  const std::int64_t h = image.shape()[0], w = image.shape()[1], c = image.shape()[2];
  Tensor out(image.dtype(), {out_height, out_width, c});
  if (image.dtype() == DType::u8) {
    image_detail::resize(image.data<std::uint8_t>(), h, w, c, out.data<std::uint8_t>(), out_height,
                         out_width);
  } else if (image.dtype() == DType::f32) {
    image_detail::resize(image.data<float>(), h, w, c, out.data<float>(), out_height, out_width);
  } else {
    fail(ErrorKind::invalid_argument, std::string("resize_bilinear: dtype ") +
                                          dtype_name(image.dtype()) + " (u8 or f32 expected)");
  }
  return out;
}

Tensor to_nchw_normalized(const Tensor& image, const std::vector<float>& mean,
                          const std::vector<float>& stddev) {
  image_detail::check_hwc(image, "to_nchw_normalized");
  const std::int64_t h = image.shape()[0], w = image.shape()[1], c = image.shape()[2];
  if (mean.size() != static_cast<std::size_t>(c) || stddev.size() != static_cast<std::size_t>(c)) {
    fail(ErrorKind::invalid_argument, "to_nchw_normalized: " + std::to_string(mean.size()) +
                                          " means and " + std::to_string(stddev.size()) +
                                          " deviations for an image of " + std::to_string(c) +
                                          " channels");
  }
  for (float s : stddev) {
    if (!(s > 0.0f)) {
      fail(ErrorKind::invalid_argument, "to_nchw_normalized: a deviation is not positive");
    }
  }
  const std::uint8_t* in = image.data<std::uint8_t>();
  Tensor out(DType::f32, {1, c, h, w});
  float* o = out.data<float>();
  const std::int64_t plane = h * w;
  for (std::int64_t p = 0; p < plane; ++p) {
    for (std::int64_t k = 0; k < c; ++k) {
      o[k * plane + p] = (in[p * c + k] / 255.0f - mean[static_cast<std::size_t>(k)]) /
                         stddev[static_cast<std::size_t>(k)];
    }
  }
  return out;
}

INLAY_NAMESPACE_END

#endif  // INLAY_IMAGE_IMPLEMENTATION_HPP
