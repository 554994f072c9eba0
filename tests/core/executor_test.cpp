#include <atomic>
#include <thread>
#include <vector>

#include "test_util.hpp"

TEST_CASE("parallel_for runs every index exactly once", "[core/executor]") {
  inlay::SerialExecutor serial;
  inlay::ThreadPool pool1(1), pool2(2), pool4(4);
  inlay::Executor* executors[] = {nullptr, &serial, &pool1, &pool2, &pool4};
  for (inlay::Executor* ex : executors) {
    for (std::size_t n : {0u, 1u, 2u, 7u, 1000u}) {
      std::vector<std::atomic<int>> hits(n);
      for (auto& h : hits) h = 0;
      inlay::parallel_for(ex, n, [&](std::size_t i) { hits[i].fetch_add(1); });
      for (std::size_t i = 0; i < n; ++i) REQUIRE(hits[i].load() == 1);
    }
  }
  CHECK(pool4.concurrency() == 4);
  CHECK(serial.concurrency() == 1);
}

TEST_CASE("A pool runs many jobs back to back and from several host threads", "[core/executor]") {
  // Spin 0: every wait blocks at once; 1 s: workers are still spinning when the next job (and the
  // destructor) comes; the default lies between.
  const std::size_t spin =
      GENERATE(std::size_t{0}, inlay::ThreadPool::kDefaultSpinMicroseconds, std::size_t{1000000});
  CAPTURE(spin);
  inlay::ThreadPool pool(3, spin);
  std::atomic<long> total{0};
  for (int job = 0; job < 2000; ++job) {
    inlay::parallel_for(&pool, 5, [&](std::size_t i) { total += static_cast<long>(i); });
  }
  CHECK(total.load() == 2000L * 10);

  total = 0;
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      for (int job = 0; job < 200; ++job) {
        inlay::parallel_for(&pool, 4, [&](std::size_t) { total += 1; });
      }
    });
  }
  for (auto& c : callers) c.join();
  CHECK(total.load() == 3 * 200 * 4);
}

TEST_CASE("Results written by a pool's tasks are visible when run() returns", "[core/executor]") {
  const std::size_t spin = GENERATE(std::size_t{0}, std::size_t{1000000});
  CAPTURE(spin);
  inlay::ThreadPool pool(2, spin);
  std::vector<long> out(64);  // plain memory: run() must order the tasks' writes before its return
  for (long job = 1; job <= 500; ++job) {
    inlay::parallel_for(&pool, out.size(),
                        [&](std::size_t i) { out[i] = job * static_cast<long>(i); });
    long sum = 0;
    for (long v : out) sum += v;
    REQUIRE(sum == job * 63 * 64 / 2);
  }
}

TEST_CASE("A pool of zero threads is an error", "[core/executor]") {
  CHECK_THROWS_AS(inlay::ThreadPool(0), inlay::Error);
}
