#include "FrameExecutor.h"

#include <atomic>
#include <exception>
#include <mutex>

#include <omp.h>

namespace mc {

OpenMPFrameExecutor::OpenMPFrameExecutor(int threads)
    : threads_(threads > 0 ? threads : omp_get_max_threads()) {}

void OpenMPFrameExecutor::run(int count, const std::function<bool(int, int)>& task) {
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex errorMutex;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
  for (int i = 0; i < count; ++i) {
    if (stop.load(std::memory_order_relaxed)) continue;
    try {
      if (!task(i, omp_get_thread_num())) stop = true;
    } catch (...) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace mc
