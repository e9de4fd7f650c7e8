#pragma once
// Runs a batch of independent per-frame tasks. The core ships an OpenMP executor; the Qt engine
// plugs in a QThreadPool one. Orchestration (passes, mean, reslicing) is written once, against this.
#include <functional>

namespace mc {

class FrameExecutor {
public:
  virtual ~FrameExecutor() = default;
  // Number of tasks that may run at once; task(i, worker) gets worker in [0, workerCount()).
  virtual int workerCount() const = 0;
  // Runs task(i, worker) for every i in [0, count). A task returning false asks the executor to
  // start no further tasks (cancellation); run() returns after running tasks finish.
  virtual void run(int count, const std::function<bool(int index, int worker)>& task) = 0;
};

// Frames spread over OpenMP threads (std::thread when built without OpenMP); each frame's inner
// loops then run on one thread.
class OpenMPFrameExecutor : public FrameExecutor {
public:
  explicit OpenMPFrameExecutor(int threads = 0);  // 0: all cores (OpenMP's default)
  int workerCount() const override { return threads_; }
  void run(int count, const std::function<bool(int, int)>& task) override;

private:
  int threads_;
};

}  // namespace mc
