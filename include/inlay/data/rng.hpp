// inlay::data::Rng: a small seeded random generator whose streams are the same on every platform
// and standard library (std::mt19937 is, but std::uniform_*_distribution and std::shuffle are
// not), for splits, shuffling, weight initialization and dropout.
#ifndef INLAY_DATA_RNG_HPP
#define INLAY_DATA_RNG_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

// xoshiro256** (D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators", 2018),
// seeded through splitmix64 so that nearby seeds give unrelated streams.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

  void reseed(std::uint64_t seed) noexcept {
    std::uint64_t x = seed;
    for (std::uint64_t& s : state_) s = splitmix64(x);
    has_spare_normal_ = false;
  }

  // 64 random bits.
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), unbiased (rejection sampling); 0 when n == 0.
  std::uint64_t below(std::uint64_t n) noexcept;
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  float normal() noexcept;
  float normal(float mean, float stddev) noexcept { return mean + stddev * normal(); }
  // Fisher-Yates shuffle in place.
  void shuffle(std::vector<std::size_t>& v) noexcept;

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4];
  bool has_spare_normal_ = false;
  float spare_normal_ = 0.0f;
};

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_RNG_HPP
