// Which compiled CPU target (Highway's names: AVX3_DL, AVX3, AVX2, SSE4, SSSE3, EMU128, NEON, ...)
// the kernels run on. The best one this CPU supports is chosen at first use; the environment
// variable INLAY_CPU_TARGET or set_cpu_target() forces another one (for tests and comparisons).
#ifndef INLAY_CORE_CPU_TARGET_HPP
#define INLAY_CORE_CPU_TARGET_HPP

#include <string>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN

// Name of the target the kernels use now.
const char* cpu_target();

// Targets compiled into this program that this CPU can run, best first.
std::vector<std::string> available_cpu_targets();

// Forces `name` (case-insensitive), which must be one of available_cpu_targets(); "best" or ""
// returns to the automatic choice. Throws inlay::Error (invalid_argument) for any other name.
// Affects every thread; call it while no kernel runs.
void set_cpu_target(const std::string& name);

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_CPU_TARGET_HPP
