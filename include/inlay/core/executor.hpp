// How inlay runs work in parallel. By default nothing runs in parallel and inlay starts no thread.
// A host hands in an Executor (its own pool behind this interface) or creates an inlay::ThreadPool.
#ifndef INLAY_CORE_EXECUTOR_HPP
#define INLAY_CORE_EXECUTOR_HPP

#include <cstddef>
#include <memory>
#include <type_traits>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN

class Executor {
 public:
  using Task = void (*)(void* context, std::size_t index);

  virtual ~Executor() = default;
  // How many tasks can run at the same time (the calling thread included).
  virtual std::size_t concurrency() const noexcept = 0;
  // Runs task(context, i) for every i in [0, count), in any order and on any thread, and returns
  // when all have finished. Must not throw; tasks themselves do not throw.
  virtual void run(std::size_t count, Task task, void* context) = 0;
};

// Runs every task on the calling thread.
class SerialExecutor final : public Executor {
 public:
  std::size_t concurrency() const noexcept override { return 1; }
  void run(std::size_t count, Task task, void* context) override {
    for (std::size_t i = 0; i < count; ++i) task(context, i);
  }
};

// A pool of `threads - 1` workers; the thread that calls run() works too. A worker that has
// finished a job spins for up to `spin_microseconds` waiting for the next one, then sleeps on a
// condition variable; the caller waits for the job's end the same way. Spinning makes
// back-to-back parallel steps (one per layer) start at once, where waking a sleeping thread
// costs tens of microseconds; it burns a core while it lasts. 0: never spin (lowest CPU use).
// Defined in the implementation translation unit.
class ThreadPool final : public Executor {
 public:
  static constexpr std::size_t kDefaultSpinMicroseconds = 100;
  explicit ThreadPool(std::size_t threads,
                      std::size_t spin_microseconds = kDefaultSpinMicroseconds);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t concurrency() const noexcept override;
  void run(std::size_t count, Task task, void* context) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// parallel_for(executor, n, f): f(i) for i in [0, n); a null executor runs serially.
template <class F>
void parallel_for(Executor* executor, std::size_t count, F&& f) {
  if (executor == nullptr || count <= 1 || executor->concurrency() <= 1) {
    for (std::size_t i = 0; i < count; ++i) f(i);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  executor->run(
      count, [](void* context, std::size_t i) { (*static_cast<Fn*>(context))(i); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

// parallel_ranges(executor, n, min_per_task, f): f(begin, end) over ranges that cover [0, n),
// about four per thread and none shorter than min_per_task; serial (one call f(0, n)) when that
// leaves one range. For work whose result per item does not depend on the split (element-wise,
// row by row): the results are then the same for every thread count.
template <class F>
void parallel_ranges(Executor* executor, std::size_t n, std::size_t min_per_task, F&& f) {
  const std::size_t threads = executor != nullptr ? executor->concurrency() : 1;
  const std::size_t most = n / (min_per_task > 0 ? min_per_task : 1);
  std::size_t tasks = 4 * threads < most ? 4 * threads : most;
  if (threads <= 1 || tasks <= 1) {
    if (n > 0) f(std::size_t{0}, n);
    return;
  }
  const std::size_t per = (n + tasks - 1) / tasks;
  tasks = (n + per - 1) / per;
  parallel_for(executor, tasks, [&](std::size_t t) {
    const std::size_t begin = t * per;
    f(begin, n - begin < per ? n : begin + per);
  });
}

// Element-wise steps split into ranges of at least this many elements: a few microseconds of the
// cheapest op (an Add streams 16 K floats in ~3 us), several times what starting a task on a
// spinning pool costs.
constexpr std::size_t kMinParallelElements = std::size_t{1} << 14;

// Kernels hand a step to the executor only when it has at least this much work (multiply-adds):
// waking sleeping workers costs microseconds, more than splitting a smaller step saves (LeNet's
// layers ran slower on two threads than on one). 2^18 multiply-adds take a few microseconds on one
// core.
constexpr std::size_t kMinParallelWork = std::size_t{1} << 18;
inline Executor* executor_for_work(Executor* executor, std::size_t multiply_adds) {
  return multiply_adds < kMinParallelWork ? nullptr : executor;
}

INLAY_NAMESPACE_END

#endif  // INLAY_CORE_EXECUTOR_HPP
