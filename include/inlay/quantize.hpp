// inlay::quantize: 8-bit QDQ models from float ONNX models, with calibration.
#ifndef INLAY_QUANTIZE_HPP
#define INLAY_QUANTIZE_HPP

#include "inlay/quantize/calibration.hpp"
#include "inlay/quantize/quantize.hpp"

#endif  // INLAY_QUANTIZE_HPP
