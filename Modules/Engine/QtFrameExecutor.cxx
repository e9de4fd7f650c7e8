#include "QtFrameExecutor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>

#include <QRunnable>
#include <QThread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mc {

QtFrameExecutor::QtFrameExecutor(QThreadPool* pool, int workers)
    : pool_(pool), workers_(std::max(1, workers > 0 ? workers : pool->maxThreadCount())) {
  ompThreads_ = std::max(1, QThread::idealThreadCount() / workers_);
}

void QtFrameExecutor::run(int count, const std::function<bool(int, int)>& task) {
  if (count <= 0) return;
  struct Shared {
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable allDone;
    int running = 0;
    std::exception_ptr error;
  } s;
  const int workers = std::min(workers_, count);
  const int omp = ompThreads_;
  s.running = workers;

  // Each worker pulls the next frame until none is left (or a task asked to stop), so a worker
  // index is never used by two frames at once.
  auto work = [&s, &task, count, omp](int worker) {
#ifdef _OPENMP
    // Each pool worker's inner loops share the cores with the other workers.
    const int previousOmp = omp_get_max_threads();
    omp_set_num_threads(omp);
#else
    (void)omp;  // without OpenMP the inner loops are serial
#endif
    for (;;) {
      if (s.stop.load()) break;
      const int i = s.next.fetch_add(1);
      if (i >= count) break;
      try {
        if (!task(i, worker)) s.stop = true;
      } catch (...) {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (!s.error) s.error = std::current_exception();
        s.stop = true;
      }
    }
#ifdef _OPENMP
    omp_set_num_threads(previousOmp);
#endif
    std::lock_guard<std::mutex> lock(s.mutex);
    if (--s.running == 0) s.allDone.notify_all();
  };

  // The pool owns and deletes the runnables; they only touch `s` until their last unlock.
  for (int w = 0; w < workers; ++w) pool_->start(QRunnable::create([work, w] { work(w); }));
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.allDone.wait(lock, [&] { return s.running == 0; });
  }
  if (s.error) std::rethrow_exception(s.error);
}

}  // namespace mc
