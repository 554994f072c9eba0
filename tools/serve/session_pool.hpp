// The sessions of one loaded model version: `instances` worker threads, each with its own
// inlay::Session (a Session serves one thread at a time), fed by one bounded queue. With dynamic
// batching on, a worker takes the oldest request and, for up to `max_delay` after that request
// arrived, the requests behind it that fit in the same batch (at most `max_batch` rows), runs
// them as one and splits the outputs again. A full queue refuses new requests (429) rather than
// holding unbounded memory; a request that waited longer than its timeout is answered 503
// without running. The destructor finishes every queued request before it returns, so a model
// that is unloaded or replaced answers the requests it already accepted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <inlay/inlay.hpp>

#include "batching.hpp"
#include "request_error.hpp"

namespace inlay_serve {

using Clock = std::chrono::steady_clock;

struct PoolConfig {
  std::size_t instances = 1;        // sessions, each on a thread of its own
  std::size_t threads = 1;          // threads of each session's own pool
  std::int64_t max_batch = 0;       // rows of a dynamic batch; 0 or 1: batching off
  std::int64_t max_delay_us = 500;  // how long the oldest request may wait for others
  // true: a batch waits only while other requests are being read (no added latency when a
  // request is alone); false: it always waits out max_delay_us for more (Triton's rule).
  bool eager = true;
  std::size_t max_queue = 256;      // queued requests before 429
  std::int64_t timeout_ms = 10000;  // waiting longer than this in the queue: 503
};

struct JobResult {
  std::vector<inlay::Tensor> outputs;
  int status = 200;
  std::string error;
  double queue_seconds = 0, compute_seconds = 0;
  std::int64_t batch_rows = 0;  // rows of the batch this request ran in
  bool first_in_batch = false;  // so that each batch is counted once
};

struct Job {
  std::vector<inlay::Tensor> inputs;  // in the model's input order
  Clock::time_point arrived = Clock::now();
  std::promise<JobResult> done;
};

class SessionPool {
 public:
  SessionPool(const inlay::Model& model, const PoolConfig& config)
      : config_(config), batching_(config.max_batch > 1 && has_batch_dimension(model)) {
    inlay::SessionOptions options;
    options.threads = config.threads;
    std::vector<inlay::Session> sessions;
    for (std::size_t i = 0; i < config.instances; ++i) sessions.emplace_back(model, options);
    for (inlay::Session& s : sessions) {
      workers_.emplace_back(
          [this, session = std::make_shared<inlay::Session>(std::move(s))] { work(*session); });
    }
  }
  ~SessionPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  bool batching() const noexcept { return batching_; }
  const PoolConfig& config() const noexcept { return config_; }

  // Counts a request that has arrived and is being read: a batch waits for such requests only,
  // so a request alone on the server runs at once instead of waiting out the delay. Every
  // arrive() is followed by one submit() or left().
  void arrive() { ++arriving_; }
  void left() {
    --arriving_;
    ready_.notify_all();
  }

  // Queues a request (after arrive(), whose count it ends even when it throws); its future gives
  // the outputs. Throws RequestError 429 when the queue is full.
  std::future<JobResult> submit(std::vector<inlay::Tensor> inputs) {
    auto job = std::make_unique<Job>();
    job->inputs = std::move(inputs);
    std::future<JobResult> result = job->done.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --arriving_;
      if (stopping_) throw RequestError(503, "the model is being unloaded");
      if (queue_.size() >= config_.max_queue) {
        throw RequestError(429, "the model's queue is full (" + std::to_string(config_.max_queue) +
                                    " requests): try again later");
      }
      queue_.push_back(std::move(job));
    }
    ready_.notify_all();  // a worker to take it, or one gathering a batch
    return result;
  }

 private:
  void work(inlay::Session& session) {
    std::vector<std::unique_ptr<Job>> batch;
    for (;;) {
      batch.clear();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and nothing left to answer
        batch.push_back(take_front());
        if (batching_) gather(lock, batch);
      }
      run(session, batch);
    }
  }

  std::unique_ptr<Job> take_front() {
    std::unique_ptr<Job> job = std::move(queue_.front());
    queue_.pop_front();
    return job;
  }

  // Adds the queued requests that fit behind batch[0], waiting for more until its delay ends
  // while other requests are still being read.
  void gather(std::unique_lock<std::mutex>& lock, std::vector<std::unique_ptr<Job>>& batch) {
    std::int64_t rows = batch_rows(batch[0]->inputs);
    const Clock::time_point until =
        batch[0]->arrived + std::chrono::microseconds(config_.max_delay_us);
    while (rows < config_.max_batch) {
      if (queue_.empty()) {
        if (stopping_ || (config_.eager && arriving_ <= 0) || Clock::now() >= until) return;
        ready_.wait_until(lock, until);
        continue;
      }
      const Job& next = *queue_.front();
      const std::int64_t more = batch_rows(next.inputs);
      if (rows + more > config_.max_batch || !can_share_batch(batch[0]->inputs, next.inputs))
        return;
      rows += more;
      batch.push_back(take_front());
    }
  }

  void run(inlay::Session& session, std::vector<std::unique_ptr<Job>>& batch) {
    const Clock::time_point start = Clock::now();
    std::vector<std::unique_ptr<Job>> live;
    for (auto& job : batch) {
      JobResult r;
      r.queue_seconds = std::chrono::duration<double>(start - job->arrived).count();
      if (r.queue_seconds * 1000 > static_cast<double>(config_.timeout_ms)) {
        r.status = 503;
        r.error =
            "timed out after waiting " + std::to_string(config_.timeout_ms) + " ms in the queue";
        job->done.set_value(std::move(r));
      } else {
        live.push_back(std::move(job));
      }
    }
    if (live.empty()) return;
    std::vector<JobResult> results(live.size());
    try {
      if (live.size() == 1) {
        results[0].outputs = session.run(live[0]->inputs);
      } else {
        std::vector<const std::vector<inlay::Tensor>*> parts;
        for (auto& job : live) parts.push_back(&job->inputs);
        const std::vector<inlay::Tensor> outputs = session.run(join_batch(parts));
        std::int64_t total = 0;
        for (auto& job : live) total += batch_rows(job->inputs);
        std::int64_t begin = 0;
        for (std::size_t j = 0; j < live.size(); ++j) {
          const std::int64_t rows = batch_rows(live[j]->inputs);
          for (const inlay::Tensor& o : outputs) {
            if (o.rank() == 0 || o.shape()[0] != total) {
              inlay::fail(inlay::ErrorKind::shape_mismatch,
                          "an output of a batch of " + std::to_string(total) + " rows has " +
                              o.shape().to_string() + ": not one row per input row");
            }
            results[j].outputs.push_back(batch_slice(o, begin, rows));
          }
          begin += rows;
        }
      }
    } catch (const inlay::Error& e) {
      for (JobResult& r : results) {
        r.outputs.clear();
        r.status = 400;
        r.error = e.what();
      }
    } catch (const std::exception& e) {
      for (JobResult& r : results) {
        r.outputs.clear();
        r.status = 500;
        r.error = e.what();
      }
    }
    const double compute = std::chrono::duration<double>(Clock::now() - start).count();
    std::int64_t rows = 0;
    for (auto& job : live) rows += batch_rows(job->inputs);
    for (std::size_t j = 0; j < live.size(); ++j) {
      results[j].queue_seconds = std::chrono::duration<double>(start - live[j]->arrived).count();
      results[j].compute_seconds = compute;
      results[j].batch_rows = rows;
      results[j].first_in_batch = j == 0;
      live[j]->done.set_value(std::move(results[j]));
    }
  }

  PoolConfig config_;
  bool batching_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;
  std::atomic<int> arriving_{0};
  std::vector<std::thread> workers_;
};

}  // namespace inlay_serve
