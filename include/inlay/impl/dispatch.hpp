// Run-time dispatch of kernel entry points, compiled in the implementation translation unit.
//
// inlay keeps its own choice of target instead of Highway's global one (hwy::GetChosenTarget), so
// that forcing a target for inlay never changes what the host's own Highway code runs. A table
// has one slot per dynamic target in Highway's order plus the EMU128/SCALAR fallback last, filled
// by Highway's HWY_CHOOSE_* macros (null where a target was not compiled).
#ifndef INLAY_IMPL_DISPATCH_HPP
#define INLAY_IMPL_DISPATCH_HPP

#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <hwy/highway.h>
#include <hwy/targets.h>

#include "inlay/core/cpu_target.hpp"
#include "inlay/core/error.hpp"

INLAY_NAMESPACE_BEGIN
namespace detail {

constexpr std::size_t dispatch_slots = HWY_MAX_DYNAMIC_TARGETS + 1;

inline std::size_t slot_of_target(std::int64_t target) noexcept {
  if (target & (HWY_EMU128 | HWY_SCALAR)) return HWY_MAX_DYNAMIC_TARGETS;
  std::size_t bit = 0;
  while (!((target >> bit) & 1)) ++bit;
  return bit - (HWY_HIGHEST_TARGET_BIT + 1 - HWY_MAX_DYNAMIC_TARGETS);
}

// Compiled targets this CPU supports, as single bits, best (lowest bit) first.
inline std::vector<std::int64_t> usable_targets() {
  std::vector<std::int64_t> out;
  for (std::int64_t t = hwy::SupportedTargets() & HWY_TARGETS; t != 0; t &= t - 1) {
    out.push_back(t & -t);
  }
  return out;
}

inline std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct TargetChoice {
  std::atomic<std::int64_t> target{0};  // 0: not chosen yet
  std::atomic<std::size_t> slot{0};
};

inline TargetChoice& target_choice() {
  static TargetChoice choice;
  return choice;
}

inline void choose_target(const std::string& requested, const char* origin) {
  const std::vector<std::int64_t> targets = usable_targets();
  std::int64_t chosen = targets.front();
  const std::string want = upper(requested);
  if (!want.empty() && want != "BEST") {
    chosen = 0;
    std::string names;
    for (std::int64_t t : targets) {
      names += std::string(names.empty() ? "" : ", ") + hwy::TargetName(t);
      if (want == hwy::TargetName(t)) chosen = t;
    }
    if (chosen == 0) {
      fail(ErrorKind::invalid_argument, std::string(origin) + ": CPU target '" + requested +
                                            "' is not compiled in or not supported by this CPU "
                                            "(available: " +
                                            names + ")");
    }
  }
  TargetChoice& c = target_choice();
  c.slot.store(slot_of_target(chosen), std::memory_order_relaxed);
  c.target.store(chosen, std::memory_order_release);
}

// The slot of the target in use; the first call picks it (honouring INLAY_CPU_TARGET).
inline std::size_t target_slot() {
  TargetChoice& c = target_choice();
  if (c.target.load(std::memory_order_acquire) == 0) {
    const char* env = std::getenv("INLAY_CPU_TARGET");
    choose_target(env ? env : "", "environment variable INLAY_CPU_TARGET");
  }
  return c.slot.load(std::memory_order_relaxed);
}

}  // namespace detail

INLAY_NAMESPACE_END

// INLAY_EXPORT(f) defines the dispatch table of the per-target function kernels::HWY_NAMESPACE::f;
// INLAY_DISPATCH(f) is the function pointer for the target in use. Use both inside the namespace
// that holds the per-target namespaces (inlay::kernels).
#define INLAY_EXPORT(FUNC)                                                   \
  static decltype(HWY_CHOOSE_FALLBACK(FUNC))                                 \
      const inlay_dispatch_table_##FUNC[::inlay::detail::dispatch_slots] = { \
          HWY_CHOOSE_TARGET_LIST(FUNC), HWY_CHOOSE_FALLBACK(FUNC)}
#define INLAY_DISPATCH(FUNC) (*inlay_dispatch_table_##FUNC[::inlay::detail::target_slot()])

#endif  // INLAY_IMPL_DISPATCH_HPP
