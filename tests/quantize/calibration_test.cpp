// Calibration ranges on known histograms: minmax's zero inclusion, percentile clipping, and
// TensorRT's entropy threshold (clips a long tail, keeps a histogram that quantizes exactly).
#include <cmath>
#include <vector>

#include "test_util.hpp"

using inlay::ErrorKind;
using inlay::quantization::entropy_threshold;
using inlay::quantization::Histogram;
using inlay::quantization::including_zero;
using inlay::quantization::percentile_range;
using inlay::quantization::Range;

TEST_CASE("quantize: ranges always include zero", "[quantize/calibration]") {
  const Range positive = including_zero(2.0f, 5.0f);
  CHECK(positive.min == 0.0f);
  CHECK(positive.max == 5.0f);
  const Range negative = including_zero(-3.0f, -1.0f);
  CHECK(negative.min == -3.0f);
  CHECK(negative.max == 0.0f);
}

TEST_CASE("quantize: histogram bins and totals", "[quantize/calibration]") {
  Histogram h(0.0f, 10.0f, 10);
  const std::vector<float> v = {0.0f, 0.5f, 1.0f, 9.99f, 10.0f, 20.0f, -5.0f, NAN};
  h.add(v.data(), v.size());
  CHECK(h.total() == 7.0);    // NaN left out
  CHECK(h.counts[0] == 3.0);  // 0, 0.5 and -5 (below the range)
  CHECK(h.counts[1] == 1.0);
  CHECK(h.counts[9] == 3.0);  // 9.99, 10 and 20 (above)
  CHECK(h.bin_width() == Approx(1.0));
}

TEST_CASE("quantize: percentile clips the tails of a known histogram", "[quantize/calibration]") {
  // 100 bins of one value each over [-50, 50]: 99% keeps all but one bin's mass at each end.
  Histogram h(-50.0f, 50.0f, 100);
  h.counts.assign(100, 1.0);
  const Range r = percentile_range(h, 99.0);
  CHECK(r.min == Approx(-49.0f));
  CHECK(r.max == Approx(49.0f));
  const Range all = percentile_range(h, 100.0);
  CHECK(all.min == Approx(-50.0f));
  CHECK(all.max == Approx(50.0f));
  // A far outlier holding 0.001% of the mass is clipped at 99.99.
  Histogram tail(0.0f, 1000.0f, 1000);
  tail.counts[0] = 999999.0;
  tail.counts[999] = 1.0;
  const Range clipped = percentile_range(tail, 99.99);
  CHECK(clipped.min == 0.0f);
  CHECK(clipped.max < 10.0f);
  inlay_test::error_of([&] { percentile_range(h, 0.0); }, ErrorKind::invalid_argument);
  inlay_test::error_of([&] { percentile_range(h, 100.5); }, ErrorKind::invalid_argument);
}

TEST_CASE("quantize: entropy threshold", "[quantize/calibration]") {
  SECTION("a Laplace-like |x| with one far outlier is clipped well below the outlier") {
    Histogram h(0.0f, 100.0f, 2048);
    for (std::size_t j = 0; j < 2047; ++j)
      h.counts[j] = std::floor(1e6 * std::exp(-double(j) / 20.0));
    h.counts[2047] = 1.0;
    const float t = entropy_threshold(h);
    CHECK(t < 50.0f);
    CHECK(t >= 128 * h.bin_width());  // never fewer bins than levels
  }
  SECTION("a histogram that 128 levels represent exactly is not clipped") {
    // 16 equal bins per level: merging and spreading gives back the same histogram.
    Histogram h(0.0f, 8.0f, 2048);
    h.counts.assign(2048, 5.0);
    CHECK(entropy_threshold(h) == Approx(8.0f));
  }
  SECTION("fewer bins than levels: the whole range") {
    Histogram h(0.0f, 3.0f, 64);
    h.counts.assign(64, 1.0);
    CHECK(entropy_threshold(h) == 3.0f);
  }
  SECTION("a histogram of signed values is refused") {
    Histogram h(-1.0f, 1.0f, 256);
    inlay_test::error_of([&] { entropy_threshold(h); }, ErrorKind::invalid_argument);
  }
}
