// Images into model inputs: read a PNG/JPEG/BMP/TGA/GIF file (with stb_image, when the
// implementation unit is built with INLAY_WITH_STB), resize it bilinearly and turn it into the
// normalized NCHW floats image classifiers take (examples/classify_image).
#ifndef INLAY_IMAGE_HPP
#define INLAY_IMAGE_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN

// Whether load_image can read files: the implementation unit was compiled with INLAY_WITH_STB
// (CMake option INLAY_WITH_STB, vcpkg feature `stb`) and stb_image.h on its include path.
bool image_loading_available() noexcept;

// The pixels of an image file as u8 [height, width, channels], rows top to bottom, channels
// interleaved (channels 3: RGB, 1: grey, 4: RGBA; the file's own layout is converted).
// An Error (io) when the file cannot be read or decoded, naming the file and stb's reason; an
// Error (unsupported_op) when the implementation was built without INLAY_WITH_STB.
Tensor load_image(const std::string& path, int channels = 3);

// u8 or f32 [height, width, channels] resized to [out_height, out_width, channels] by bilinear
// interpolation with half-pixel centres (ONNX Resize, mode linear, half_pixel; no antialiasing).
// u8 results are rounded to nearest.
Tensor resize_bilinear(const Tensor& image, std::int64_t out_height, std::int64_t out_width);

// u8 [height, width, channels] into f32 [1, channels, height, width]: each value v of channel c
// becomes (v / 255 - mean[c]) / stddev[c]. mean and stddev have one value per channel.
Tensor to_nchw_normalized(const Tensor& image, const std::vector<float>& mean,
                          const std::vector<float>& stddev);

INLAY_NAMESPACE_END

#endif  // INLAY_IMAGE_HPP
