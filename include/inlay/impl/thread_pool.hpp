// Definitions behind inlay::ThreadPool (core/executor.hpp).
//
// One job at a time: run() waits until no worker is still inside the previous job, publishes
// (task, count) under the mutex and bumps a generation number; workers copy the job under the
// mutex, count themselves active, and take indices from an atomic counter until it passes count.
// The caller works too, then waits until every index has finished and every worker has left.
// Idle workers block on a condition variable (no spinning).
#ifndef INLAY_IMPL_THREAD_POOL_HPP
#define INLAY_IMPL_THREAD_POOL_HPP

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/core/executor.hpp"

INLAY_NAMESPACE_BEGIN

struct ThreadPool::State {
  std::mutex run_mutex;          // serializes run() calls from different host threads
  std::mutex mutex;              // guards everything below but the two counters
  std::condition_variable wake;  // workers: a new job or stop
  std::condition_variable idle;  // caller: the job finished and no worker is inside it
  std::vector<std::thread> workers;

  Task task = nullptr;
  void* context = nullptr;
  std::size_t count = 0;
  std::uint64_t generation = 0;
  std::size_t active = 0;  // workers inside the current job
  bool stop = false;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};

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
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stop || generation != seen; });
      if (stop) return;
      seen = generation;
      const Task job_task = task;
      void* const job_context = context;
      const std::size_t job_count = count;
      ++active;
      lock.unlock();
      work(job_task, job_context, job_count);
      lock.lock();
      if (--active == 0) idle.notify_all();
    }
  }
};

ThreadPool::ThreadPool(std::size_t threads) : state_(new State) {
  if (threads == 0) fail(ErrorKind::invalid_argument, "ThreadPool needs at least one thread");
  for (std::size_t i = 1; i < threads; ++i) {
    state_->workers.emplace_back([s = state_.get()] { s->worker_loop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_all();
  for (std::thread& t : state_->workers) t.join();
}

std::size_t ThreadPool::concurrency() const noexcept { return state_->workers.size() + 1; }

void ThreadPool::run(std::size_t count, Task task, void* context) {
  if (count == 0) return;
  State& s = *state_;
  std::lock_guard<std::mutex> serial(s.run_mutex);
  std::unique_lock<std::mutex> lock(s.mutex);
  s.idle.wait(lock, [&] { return s.active == 0; });  // a late worker may still hold the last job
  s.task = task;
  s.context = context;
  s.count = count;
  s.next.store(0, std::memory_order_relaxed);
  s.finished.store(0, std::memory_order_relaxed);
  ++s.generation;
  lock.unlock();
  s.wake.notify_all();
  s.work(task, context, count);
  lock.lock();
  s.idle.wait(lock,
              [&] { return s.active == 0 && s.finished.load(std::memory_order_acquire) == count; });
}

INLAY_NAMESPACE_END

#endif  // INLAY_IMPL_THREAD_POOL_HPP
