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
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
  for (int i = 0; i < count; ++i) runOne(i, omp_get_thread_num());
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
