// The core's frame executor: OpenMP threads, or std::thread in a build without OpenMP (the same
// tests run in both builds; CMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON makes the second).
#include "FrameExecutor.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace mc;

TEST(FrameExecutor, RunsEveryTaskOnceOnTheRequestedNumberOfWorkers) {
  OpenMPFrameExecutor ex(3);
  ASSERT_EQ(ex.workerCount(), 3);
  std::vector<std::atomic<int>> runs(40);
  std::mutex m;
  std::set<int> workers;
  ex.run(40, [&](int i, int w) {
    {
      std::lock_guard<std::mutex> lock(m);
      workers.insert(w);
    }
    // Hold each task until all 3 workers have started one (or 10 s pass): only workers that
    // really run at the same time get there, so this shows the `threads` value is honoured.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard<std::mutex> lock(m);
        if (workers.size() >= 3) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ++runs[i];
    return true;
  });
  for (int i = 0; i < 40; ++i) EXPECT_EQ(runs[i], 1) << "task " << i;
  EXPECT_EQ(workers, (std::set<int>{0, 1, 2}));
}

TEST(FrameExecutor, DefaultUsesAllCoresAndZeroTasksIsFine) {
  OpenMPFrameExecutor ex(0);
  EXPECT_GE(ex.workerCount(), 1);
  int calls = 0;
  ex.run(0, [&](int, int) { return ++calls, true; });
  EXPECT_EQ(calls, 0);
}

TEST(FrameExecutor, StopsStartingTasksAfterAFalseAndRethrowsTheFirstError) {
  OpenMPFrameExecutor one(1);
  std::vector<int> order;
  one.run(10, [&](int i, int w) {
    EXPECT_EQ(w, 0);
    order.push_back(i);
    return i < 3;
  });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));

  OpenMPFrameExecutor two(2);
  std::atomic<int> started{0};
  EXPECT_THROW(two.run(1000,
                       [&](int i, int) {
                         ++started;
                         if (i == 5) throw std::runtime_error("frame 5");
                         // Real frames take milliseconds; trivial ones would let the other worker
                         // run all 1000 in the microseconds the throw takes to be caught.
                         std::this_thread::sleep_for(std::chrono::microseconds(200));
                         return true;
                       }),
               std::runtime_error);
  EXPECT_LT(started.load(), 1000);
}
