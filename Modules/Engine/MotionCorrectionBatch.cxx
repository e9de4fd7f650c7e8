#include "MotionCorrectionBatch.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <QThread>
#include <QThreadPool>

#include "BidsRuns.h"
#include "DerivativesLayout.h"

namespace mc {

struct MotionCorrectionBatch::Private {
  QList<EngineRequest> runs;
  QThreadPool pool;  // shared by every run's task
  MotionCorrectionTask* task = nullptr;
  int current = -1;
  int succeeded = 0, failed = 0;
  double overall = 0;
  bool running = false;
  bool cancelling = false;
};

MotionCorrectionBatch::MotionCorrectionBatch(QList<EngineRequest> runs, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>()) {
  d->runs = std::move(runs);
  int threads = 0;
  for (const auto& r : d->runs) threads = std::max(threads, r.poolThreads);
  d->pool.setMaxThreadCount(threads > 0 ? threads : QThread::idealThreadCount());
}

MotionCorrectionBatch::~MotionCorrectionBatch() {
  // The task (a child) cancels and waits in its destructor; delete it before the pool it uses.
  delete d->task;
  d->task = nullptr;
  d->pool.waitForDone();
}

const QList<EngineRequest>& MotionCorrectionBatch::runs() const { return d->runs; }
bool MotionCorrectionBatch::isRunning() const { return d->running; }
int MotionCorrectionBatch::succeededCount() const { return d->succeeded; }
int MotionCorrectionBatch::failedCount() const { return d->failed; }

QList<EngineRequest> MotionCorrectionBatch::requestsForFolder(const QString& folder, const QString& outputFolder,
                                                              const EngineRequest& templ) {
  // Discovery and naming are the dataset component's (BidsRuns.h, DerivativesLayout.h): written once
  // for the CLI, Python, the dataset task and this batch.
  std::vector<BidsRun> runs;
  try {
    runs = findBidsRuns(folder.toStdString());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());  // this function's contract: the folder is not usable
  }
  QList<EngineRequest> requests;
  for (const BidsRun& run : runs) {
    EngineRequest r = templ;
    r.spec = derivativesJob(run, outputFolder.toStdString(), templ.spec);
    requests << r;
  }
  return requests;
}

void MotionCorrectionBatch::start() {
  if (d->running) return;
  d->running = true;
  d->cancelling = false;
  d->current = -1;
  d->succeeded = d->failed = 0;
  d->overall = 0;
  emit started();
  QMetaObject::invokeMethod(this, [this] { startNext(); }, Qt::QueuedConnection);
}

void MotionCorrectionBatch::startNext() {
  if (d->task) {
    d->task->deleteLater();
    d->task = nullptr;
  }
  if (d->cancelling) {
    d->running = false;
    emit cancelled();
    return;
  }
  ++d->current;
  const int n = d->runs.size();
  if (d->current >= n) {
    d->running = false;
    if (d->overall < 1.0) {
      d->overall = 1.0;
      emit progress(1.0);
    }
    emit finished(d->succeeded, d->failed);
    return;
  }
  const int run = d->current;
  auto* task = new MotionCorrectionTask(d->runs[run], this);
  task->setThreadPool(&d->pool);
  d->task = task;
  connect(task, &MotionCorrectionTask::frameEstimated, this,
          [this, run](const FrameResult& f) { emit frameEstimated(run, f); });
  connect(task, &MotionCorrectionTask::progress, this, [this, run, n](double f, const QString& stage) {
    emit runProgress(run, f, stage);
    const double overall = std::max(d->overall, (run + f) / n);
    if (overall > d->overall) {
      d->overall = overall;
      emit progress(overall);
    }
  });
  connect(task, &MotionCorrectionTask::finished, this, [this, run](const QStringList& paths, const QVariantMap& t) {
    ++d->succeeded;
    emit runFinished(run, paths, t);
    startNext();
  });
  connect(task, &MotionCorrectionTask::failed, this, [this, run](const QString& reason) {
    ++d->failed;
    emit runFailed(run, reason);
    startNext();
  });
  connect(task, &MotionCorrectionTask::cancelled, this, [this] { startNext(); });
  emit runStarted(run, QString::fromStdString(d->runs[run].spec.input));
  task->start();
}

void MotionCorrectionBatch::cancel() {
  if (!d->running || d->cancelling) return;
  d->cancelling = true;
  if (d->task && d->task->isRunning()) d->task->cancel();
  // Between runs (no task running) the queued startNext() sees the flag.
}

}  // namespace mc
