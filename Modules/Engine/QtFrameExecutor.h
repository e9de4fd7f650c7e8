#pragma once
// mc::FrameExecutor on a QThreadPool: the Qt engine's way to spread a run's frames over threads.
//
// Thread policy (pool threads x OpenMP threads <= cores): the core's per-frame code has OpenMP
// loops inside (smoothing, B-spline coefficients, reslicing rows). On an OpenMP thread those run
// serially (no nesting), but a QThreadPool thread is not one, so each would start a team of all
// cores. Each worker therefore sets omp_set_num_threads(max(1, cores / workers)) for the time it
// runs frames: 4 workers on 8 cores get 2 OpenMP threads each, 2 workers on 2 cores get 1.
#include <QThreadPool>

#include "FrameExecutor.h"

namespace mc {

class QtFrameExecutor : public FrameExecutor {
public:
  // Frames run on `pool` (not owned), at most `workers` at once (0: pool->maxThreadCount()).
  // The calling thread only waits, so it must not be one of the pool's threads.
  explicit QtFrameExecutor(QThreadPool* pool, int workers = 0);

  int workerCount() const override { return workers_; }
  // OpenMP threads each worker uses inside a frame under the policy above.
  int openMpThreadsPerWorker() const { return ompThreads_; }
  // Exceptions thrown by a task stop the others from starting and are rethrown here.
  void run(int count, const std::function<bool(int index, int worker)>& task) override;

private:
  QThreadPool* pool_;
  int workers_;
  int ompThreads_;
};

}  // namespace mc
