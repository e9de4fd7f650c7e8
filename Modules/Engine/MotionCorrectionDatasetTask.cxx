#include "MotionCorrectionDatasetTask.h"

#include "EngineText.h"

#include <atomic>
#include <stdexcept>

#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent>

namespace mc {
namespace {

const DatasetResult& emptyResult() {
  static const DatasetResult none;
  return none;
}

}  // namespace

struct MotionCorrectionDatasetTask::Private {
  explicit Private(DatasetOptions o) : options(std::move(o)) {
    thread.setMaxThreadCount(1);
    // A Qt application keeps its own signal handlers: SIGINT is not forwarded to mpirun's group.
    options.mpi.forwardSignals = false;
  }

  DatasetOptions options;
  std::atomic<bool> running{false};
  std::atomic<bool> cancelRequested{false};
  std::vector<DatasetRunResult> finishedRuns;   // the receiver's thread only
  std::shared_ptr<const DatasetResult> result;  // set when runDataset returned
  // runDataset waits for its runs on this thread (its runs use their own threads or mpirun), so a
  // busy application pool never delays it.
  QThreadPool thread;
  QFuture<void> future;
};

MotionCorrectionDatasetTask::MotionCorrectionDatasetTask(DatasetOptions options, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(options))) {}

MotionCorrectionDatasetTask::~MotionCorrectionDatasetTask() {
  // runDataset stops at the next frame; what it posts to this object is dropped with it.
  d->cancelRequested = true;
  d->future.waitForFinished();
  d->thread.waitForDone();
}

const DatasetOptions& MotionCorrectionDatasetTask::options() const { return d->options; }

bool MotionCorrectionDatasetTask::isRunning() const { return d->running; }

const std::vector<DatasetRunResult>& MotionCorrectionDatasetTask::finishedRuns() const { return d->finishedRuns; }

const DatasetResult& MotionCorrectionDatasetTask::result() const { return d->result ? *d->result : emptyResult(); }

void MotionCorrectionDatasetTask::start() {
  if (d->running) return;
  d->running = true;
  d->cancelRequested = false;
  d->finishedRuns.clear();
  d->result.reset();
  emit started();
  d->future = QtConcurrent::run(&d->thread, [this] { runInBackground(); });
}

void MotionCorrectionDatasetTask::cancel() {
  if (!d->running) return;
  d->cancelRequested = true;
}

void MotionCorrectionDatasetTask::runInBackground() {
  // Every report is posted to this object's thread in order (one sender, one receiver), so the end
  // comes after the last run. The core also calls this for each frame of the run in flight (latest
  // null): only the answer matters then, which is how a cancel stops a run part-way.
  DatasetCallback callback = [this](const DatasetProgress& p) {
    if (p.latest) {
      const DatasetRunResult run = *p.latest;
      const int ended = p.done + p.skipped + p.failed, total = p.total, failedRuns = p.failed;
      const double remaining = p.remainingSeconds;
      QMetaObject::invokeMethod(
          this,
          [this, run, ended, total, failedRuns, remaining] {
            d->finishedRuns.push_back(run);
            emit runFinished(int(d->finishedRuns.size()) - 1);
            emit progress(ended, total, failedRuns, remaining);
          },
          Qt::QueuedConnection);
    }
    return d->cancelRequested ? CallbackReturn::Abort : CallbackReturn::Continue;
  };
  try {
    auto result = std::make_shared<const DatasetResult>(runDataset(d->options, callback));
    QMetaObject::invokeMethod(
        this,
        [this, result] {
          d->result = result;
          d->running = false;
          if (result->cancelled)
            emit cancelled();
          else
            emit finished();
        },
        Qt::QueuedConnection);
  } catch (const std::exception& e) {
    const QString reason = oneLine(e.what());
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
          d->running = false;
          emit failed(reason);
        },
        Qt::QueuedConnection);
  }
}

}  // namespace mc
