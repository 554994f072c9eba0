// Definitions behind inlay::ThreadPool (core/executor.hpp).
//
// One job at a time: run() waits until no worker is still inside the previous job, publishes
// (task, count) under the mutex and bumps a generation number; workers copy the job under the
// mutex, count themselves active, and take indices from an atomic counter until it passes count.
// The caller works too, then waits until every index has finished and every worker has left.
//
// Waiting (a worker for the next job, the caller for the last index) first spins for up to
// `spin` on the atomics, then blocks on a condition variable. Waking a blocked thread costs
// tens of microseconds on a VM, more than a small GEMM step takes: without the spin, the second
// thread of a 2-thread session arrived after the first had done most of the work. The spin is
// bounded, so an idle pool still sleeps; spin 0 never spins.
#ifndef INLAY_IMPL_THREAD_POOL_HPP
#define INLAY_IMPL_THREAD_POOL_HPP

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/core/executor.hpp"

INLAY_NAMESPACE_BEGIN

namespace detail {
// Tells the core that this is a spin loop (saves power, and yields the core's other hardware
// thread on SMT machines).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
}  // namespace detail

struct ThreadPool::State {
  std::mutex run_mutex;          // serializes run() calls from different host threads
  std::mutex mutex;              // written under: the job, generation, active, stop
  std::condition_variable wake;  // workers: a new job or stop
  std::condition_variable idle;  // caller: the job finished and no worker is inside it
  std::vector<std::thread> workers;
  std::chrono::microseconds spin{0};

  Task task = nullptr;
  void* context = nullptr;
  std::size_t count = 0;
  // Read without the mutex while spinning, hence atomic.
  std::atomic<std::uint64_t> generation{0};
  std::atomic<std::size_t> active{0};  // workers inside the current job
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};

  // Spins until ready() or the spin time has passed; returns ready().
  template <class Ready>
  bool spin_until(Ready ready) const {
    if (ready()) return true;
    if (spin.count() == 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + spin;
    for (unsigned i = 1;; ++i) {
      detail::cpu_relax();
      if (ready()) return true;
      if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return false;
    }
  }

  void work(Task job_task, void* job_context, std::size_t job_count) {
    for (;;) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= job_count) return;
      job_task(job_context, i);
      finished.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void worker_loop() {
    std::uint64_t seen = 0;
    for (;;) {
      spin_until([&] {
        return stop.load(std::memory_order_acquire) ||
               generation.load(std::memory_order_acquire) != seen;
      });
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stop.load() || generation.load() != seen; });
      if (stop.load()) return;
      seen = generation.load();
      const Task job_task = task;
      void* const job_context = context;
      const std::size_t job_count = count;
      active.fetch_add(1);
      lock.unlock();
      work(job_task, job_context, job_count);
      lock.lock();
      if (active.fetch_sub(1) == 1) idle.notify_all();
    }
  }

  // Blocks (after the spin) until ready(), which turns true under the mutex.
  template <class Ready>
  void wait_idle(Ready ready) {
    if (spin_until(ready)) return;
    std::unique_lock<std::mutex> lock(mutex);
    idle.wait(lock, ready);
  }
};

ThreadPool::ThreadPool(std::size_t threads, std::size_t spin_microseconds) : state_(new State) {
  if (threads == 0) fail(ErrorKind::invalid_argument, "ThreadPool needs at least one thread");
  state_->spin = std::chrono::microseconds(spin_microseconds);
  for (std::size_t i = 1; i < threads; ++i) {
    state_->workers.emplace_back([s = state_.get()] { s->worker_loop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop.store(true);
  }
  state_->wake.notify_all();
  for (std::thread& t : state_->workers) t.join();
}

std::size_t ThreadPool::concurrency() const noexcept { return state_->workers.size() + 1; }

void ThreadPool::run(std::size_t count, Task task, void* context) {
  if (count == 0) return;
  State& s = *state_;
  std::lock_guard<std::mutex> serial(s.run_mutex);
  // A late worker may still be inside the last job: it would take indices of this one. The
  // check that decides is the one under the mutex, where workers enter a job.
  const auto no_worker_inside = [&] { return s.active.load(std::memory_order_acquire) == 0; };
  s.spin_until(no_worker_inside);
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.idle.wait(lock, no_worker_inside);
    s.task = task;
    s.context = context;
    s.count = count;
    s.next.store(0, std::memory_order_relaxed);
    s.finished.store(0, std::memory_order_relaxed);
    s.generation.fetch_add(1, std::memory_order_release);
  }
  s.wake.notify_all();  // cheap when every worker is spinning: none waits
  s.work(task, context, count);
  s.wait_idle([&] {
    return s.finished.load(std::memory_order_acquire) == count &&
           s.active.load(std::memory_order_acquire) == 0;
  });
}

INLAY_NAMESPACE_END

#endif  // INLAY_IMPL_THREAD_POOL_HPP
