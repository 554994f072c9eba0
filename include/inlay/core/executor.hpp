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

// A pool of `threads - 1` workers; the thread that calls run() works too. Idle workers sleep on a
// condition variable (no spinning). Defined in the implementation translation unit.
class ThreadPool final : public Executor {
 public:
  explicit ThreadPool(std::size_t threads);
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
