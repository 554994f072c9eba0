// Calibration for quantization: the range [min, max] that an activation's 8-bit parameters are
// computed from, chosen from the values seen while the float model runs on sample inputs.
//   minmax      the smallest and largest value seen
//   percentile  the values at (100 - p)% and p% of a histogram of what was seen (outliers clipped)
//   entropy     the clipping threshold whose 128-level quantized histogram is closest to the
//               original in KL divergence (Migacz, "8-bit Inference with TensorRT", GTC 2017)
// Every range returned includes 0, so that 0 is exactly representable.
#ifndef INLAY_QUANTIZE_CALIBRATION_HPP
#define INLAY_QUANTIZE_CALIBRATION_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace quantization {

enum class CalibrationMethod { minmax, percentile, entropy };

// A range of real values that 8-bit parameters are computed from.
struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

// Counts of values in `bins` equal bins over [min, max] (values outside go to the end bins).
struct Histogram {
  float min = 0.0f;
  float max = 0.0f;
  std::vector<double> counts;

  Histogram() = default;
  Histogram(float lo, float hi, std::size_t bins);
  void add(const float* values, std::size_t n);
  double bin_width() const noexcept;
  double total() const noexcept;
};

// [min(lo, 0), max(hi, 0)]
Range including_zero(float lo, float hi) noexcept;
// The range holding all but (100 - p)% of the histogram's mass at each end (p in (0, 100]).
Range percentile_range(const Histogram& h, double p);
// TensorRT's entropy calibration on a histogram of |x| over [0, max] (h.min must be 0): the
// threshold T minimizing KL(P || Q), P the histogram clipped at T (outliers added to its last
// bin), Q the same quantized to `levels` levels. Returns T (h.max when there are too few bins).
float entropy_threshold(const Histogram& abs_histogram, std::size_t levels = 128);

}  // namespace quantization
INLAY_NAMESPACE_END

#endif  // INLAY_QUANTIZE_CALIBRATION_HPP
