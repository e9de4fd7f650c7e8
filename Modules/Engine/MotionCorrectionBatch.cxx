#include "MotionCorrectionBatch.h"

#include <algorithm>
#include <stdexcept>

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QThread>
#include <QThreadPool>

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
  const QDir root(folder);
  if (!root.exists()) throw std::runtime_error(folder.toStdString() + ": folder does not exist");
  QStringList inputs;
  QDirIterator it(folder, {QStringLiteral("*_bold.nii.gz"), QStringLiteral("*_bold.nii")}, QDir::Files,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) inputs << it.next();
  inputs.sort();
  QList<EngineRequest> requests;
  for (const QString& input : inputs) {
    const QString rel = root.relativeFilePath(input);
    const QFileInfo relInfo(rel);
    const QString name = relInfo.fileName();
    const QString ext = name.endsWith(QLatin1String(".nii.gz")) ? QStringLiteral(".nii.gz") : QStringLiteral(".nii");
    const QString stem = name.left(name.size() - ext.size() - int(qstrlen("_bold")));  // without _bold
    const QDir outDir(QDir(outputFolder).filePath(relInfo.path()));
    if (!QDir().mkpath(outDir.path()))
      throw std::runtime_error(outDir.path().toStdString() + ": cannot create the output folder");
    EngineRequest r = templ;
    r.spec.input = input.toStdString();
    if (!r.spec.estimateOnly) {
      r.spec.realignedOutput = outDir.filePath(stem + QStringLiteral("_desc-realigned_bold") + ext).toStdString();
      r.spec.meanOutput = outDir.filePath(stem + QStringLiteral("_desc-mean_boldref") + ext).toStdString();
    } else {
      r.spec.realignedOutput.clear();
      r.spec.meanOutput.clear();
    }
    r.spec.parametersOutput = outDir.filePath(QStringLiteral("rp_") + stem + QStringLiteral("_bold.txt")).toStdString();
    r.spec.confoundsOutput = outDir.filePath(stem + QStringLiteral("_desc-confounds_timeseries.tsv")).toStdString();
    r.spec.transformsOutput.clear();
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
