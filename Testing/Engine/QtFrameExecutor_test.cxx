#include "QtFrameExecutor.h"

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <QThread>
#include <QThreadPool>

#include <gtest/gtest.h>
#include <omp.h>

using namespace mc;

TEST(QtFrameExecutor, RunsEveryFrameOnceWithExclusiveWorkers) {
  QThreadPool pool;
  pool.setMaxThreadCount(4);
  QtFrameExecutor ex(&pool);
  EXPECT_EQ(ex.workerCount(), 4);
  const int n = 200;
  std::vector<std::atomic<int>> runs(n);
  std::vector<std::atomic<int>> busy(4);
  std::atomic<bool> shared{false}, outOfRange{false};
  std::set<QThread*> threads;
  std::mutex m;
  ex.run(n, [&](int i, int w) {
    if (w < 0 || w >= 4) {
      outOfRange = true;
      return true;
    }
    if (busy[w]++ != 0) shared = true;  // two frames on one worker index at once
    {
      std::lock_guard<std::mutex> lock(m);
      threads.insert(QThread::currentThread());
    }
    runs[i]++;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    busy[w]--;
    return true;
  });
  for (int i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << "frame " << i;
  EXPECT_FALSE(shared);
  EXPECT_FALSE(outOfRange);
  EXPECT_EQ(threads.count(QThread::currentThread()), 0u) << "frames must run on the pool, not the caller";
  EXPECT_GE(threads.size(), 2u);
}

TEST(QtFrameExecutor, StopsStartingFramesWhenATaskSaysSo) {
  QThreadPool pool;
  pool.setMaxThreadCount(2);
  QtFrameExecutor ex(&pool);
  std::atomic<int> ran{0};
  ex.run(1000, [&](int i, int) {
    ++ran;
    return i < 5;
  });
  // Frames 0..5 run; after a false answer each worker starts at most what it already pulled.
  EXPECT_GE(ran.load(), 6);
  EXPECT_LT(ran.load(), 20);
}

TEST(QtFrameExecutor, RethrowsATaskException) {
  QThreadPool pool;
  pool.setMaxThreadCount(2);
  QtFrameExecutor ex(&pool);
  EXPECT_THROW(ex.run(50,
                      [&](int i, int) -> bool {
                        if (i == 7) throw std::runtime_error("frame 7 broke");
                        return true;
                      }),
               std::runtime_error);
}

TEST(QtFrameExecutor, PoolThreadsTimesOpenMpThreadsFitTheCores) {
  const int cores = QThread::idealThreadCount();
  for (int workers : {1, 2, 4}) {
    QThreadPool pool;
    pool.setMaxThreadCount(workers);
    QtFrameExecutor ex(&pool, workers);
    const int expected = std::max(1, cores / workers);
    EXPECT_EQ(ex.openMpThreadsPerWorker(), expected);
    std::atomic<int> seen{-1};
    ex.run(workers, [&](int, int) {
      seen = omp_get_max_threads();  // what an OpenMP loop inside a frame would use
      return true;
    });
    EXPECT_EQ(seen.load(), expected) << workers << " workers on " << cores << " cores";
    EXPECT_LE(workers * seen.load(), std::max(cores, workers));
  }
}

TEST(QtFrameExecutor, WorkersDefaultToThePoolSize) {
  QThreadPool pool;
  pool.setMaxThreadCount(3);
  EXPECT_EQ(QtFrameExecutor(&pool).workerCount(), 3);
  EXPECT_EQ(QtFrameExecutor(&pool, 2).workerCount(), 2);
}
