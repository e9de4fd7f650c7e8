#include "FrameExecutor.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mc {
namespace {

int defaultThreads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return std::max(1u, std::thread::hardware_concurrency());
#endif
}

}  // namespace

OpenMPFrameExecutor::OpenMPFrameExecutor(int threads) : threads_(threads > 0 ? threads : defaultThreads()) {}

void OpenMPFrameExecutor::run(int count, const std::function<bool(int, int)>& task) {
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex errorMutex;
  auto runOne = [&](int i, int worker) {
    if (stop.load(std::memory_order_relaxed)) return;
    try {
      if (!task(i, worker)) stop = true;
    } catch (...) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };
#ifdef _OPENMP
#pragma omp parallel num_threads(threads_)
  {
    // A task's own OpenMP loops (smoothing, prefilter, the sample points) run on its thread: the
    // frames already keep every worker busy. Left to the default, a team of one (threads_ == 1) is
    // not an active level, so each of those loops would start a nested team of all cores: measured
    // 14.9 s instead of 3.6 s for the estimate of 200 frames on 1 thread (2 cores, busy machine).
    // The setting is this region's own (each implicit task's ICV) and ends with it.
    omp_set_num_threads(1);
#pragma omp for schedule(dynamic, 1)
    for (int i = 0; i < count; ++i) runOne(i, omp_get_thread_num());
  }
#else
  // Without OpenMP (Apple clang, say): the same dynamic schedule on std::thread, frames handed out
  // one at a time; worker 0 is the calling thread, as OpenMP's master is.
  std::atomic<int> next{0};
  auto worker = [&](int w) {
    for (int i; (i = next.fetch_add(1)) < count;) runOne(i, w);
  };
  const int workers = std::max(1, std::min(threads_, count));
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(worker, w);
  worker(0);
  for (auto& t : pool) t.join();
#endif
  if (error) std::rethrow_exception(error);
}

}  // namespace mc
