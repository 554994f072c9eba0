// The non-kernel definitions of the implementation: error reporting, the thread pool, the
// functions that name and force the CPU target, and the link guard's definition.
#ifndef INLAY_IMPL_CORE_HPP
#define INLAY_IMPL_CORE_HPP

#include "inlay/impl/dispatch.hpp"
#include "inlay/impl/error.hpp"
#include "inlay/impl/thread_pool.hpp"

INLAY_NAMESPACE_BEGIN

const char* cpu_target() {
  detail::target_slot();
  return hwy::TargetName(detail::target_choice().target.load(std::memory_order_acquire));
}

std::vector<std::string> available_cpu_targets() {
  std::vector<std::string> names;
  for (std::int64_t t : detail::usable_targets()) names.emplace_back(hwy::TargetName(t));
  return names;
}

void set_cpu_target(const std::string& name) { detail::choose_target(name, "set_cpu_target"); }

INLAY_NAMESPACE_END

extern "C" {
int INLAY_LINK_GUARD = 1;
}

#endif  // INLAY_IMPL_CORE_HPP
