#include "MotionCorrectionTask.h"

#include "EngineText.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>

#include <QFuture>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent>

#include "FrameExecutor.h"
#include "MpiLaunch.h"
#include "QtFrameExecutor.h"

namespace mc {
namespace {

// FrameResult crosses threads in queued signals.
const int kFrameResultType = qRegisterMetaType<mc::FrameResult>("mc::FrameResult");

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

QVariantMap timingsOf(const JobResult& r, double totalSeconds) {
  QVariantMap t;
  t.insert(QStringLiteral("read"), r.readSeconds);
  t.insert(QStringLiteral("estimate"), r.estimateSeconds);
  t.insert(QStringLiteral("reslice"), r.resliceSeconds);
  t.insert(QStringLiteral("write"), r.writeSeconds);
  t.insert(QStringLiteral("total"), totalSeconds);
  return t;
}

QStringList pathsOf(const JobResult& r) {
  QStringList paths;
  for (const auto& p : r.written) paths << QString::fromStdString(p);
  return paths;
}

const JobResult& emptyResult() {
  static const JobResult none;
  return none;
}

}  // namespace

struct MotionCorrectionTask::Private {
  explicit Private(EngineRequest r) : request(std::move(r)) { orchestrator.setMaxThreadCount(1); }

  EngineRequest request;
  std::atomic<bool> running{false};
  std::atomic<bool> cancelRequested{false};
  double lastFraction = 0;
  QString lastStage;
  std::shared_ptr<const JobResult> result;  // set by a run that finished
  std::chrono::steady_clock::time_point startTime;

  // mc::run runs on `orchestrator`'s one thread (and waits there for mpirun under MPI); frames of
  // the Threads backend on the frame pool (the task's own, or a shared one).
  QThreadPool orchestrator;
  QThreadPool* sharedPool = nullptr;
  std::unique_ptr<QThreadPool> ownPool;
  QFuture<void> future;

};

MotionCorrectionTask::MotionCorrectionTask(EngineRequest request, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(request))) {
  (void)kFrameResultType;
  // The task runs mpirun from a worker thread: the application's signal handlers stay its own.
  d->request.mpi.forwardSignals = false;
}

MotionCorrectionTask::~MotionCorrectionTask() {
  // The run stops at its next progress report (under MPI: mpirun gets SIGTERM, then SIGKILL after
  // 3 s); what it posts to this object is dropped with it.
  d->cancelRequested = true;
  d->future.waitForFinished();
  d->orchestrator.waitForDone();
}

const EngineRequest& MotionCorrectionTask::request() const { return d->request; }

bool MotionCorrectionTask::isRunning() const { return d->running; }

QVector<QVector<double>> MotionCorrectionTask::parameters() const {
  QVector<QVector<double>> rows;
  for (const auto& p : result().parameters) rows.push_back(QVector<double>(p.values.begin(), p.values.end()));
  return rows;
}

QVector<double> MotionCorrectionTask::framewiseDisplacement() const {
  const std::vector<double>& fd = result().framewiseDisplacement;
  return QVector<double>(fd.begin(), fd.end());
}

const JobResult& MotionCorrectionTask::result() const { return d->result ? *d->result : emptyResult(); }

void MotionCorrectionTask::setThreadPool(QThreadPool* pool) { d->sharedPool = pool; }

QString MotionCorrectionTask::backendUnavailableReason(Backend backend) {
  return oneLine(mc::backendUnavailableReason(backend));
}

QStringList MotionCorrectionTask::mpiCommand(const QString& jobFile) const {
  const MpiOptions& o = d->request.mpi;
  QStringList cmd;
  for (const auto& a : mpiCommandLine(o, findMpirun(o.mpirun), findMpiWorker(o.worker), jobFile.toStdString()))
    cmd << QString::fromStdString(a);
  return cmd;
}

void MotionCorrectionTask::start() {
  if (d->running) return;
  d->running = true;
  d->cancelRequested = false;
  d->lastFraction = 0;
  d->lastStage.clear();
  d->result.reset();
  d->startTime = std::chrono::steady_clock::now();
  emit started();

  QThreadPool* pool = d->sharedPool;
  if (d->request.backend == Backend::Threads && !pool) {
    d->ownPool = std::make_unique<QThreadPool>();
    d->ownPool->setMaxThreadCount(d->request.poolThreads > 0 ? d->request.poolThreads : QThread::idealThreadCount());
    pool = d->ownPool.get();
  }
  d->future = QtConcurrent::run(&d->orchestrator, [this, pool] { runOnOrchestrator(pool); });
}

void MotionCorrectionTask::runOnOrchestrator(QThreadPool* pool) {
  const EngineRequest& req = d->request;
  // Runs on the orchestration thread (events of the in-process backends are serialized by the core,
  // those of MPI come from the launcher's loop); every report is posted to this object's thread.
  const ProgressCallback callback = [this](const ProgressEvent& e) {
    if (d->cancelRequested) return CallbackReturn::Abort;
    FrameMotion motion;
    if (e.motion) motion = *e.motion;
    const bool hasMotion = e.motion != nullptr;
    ProgressEvent copy = e;
    copy.motion = nullptr;
    QMetaObject::invokeMethod(
        this,
        [this, copy, motion, hasMotion]() mutable {
          if (d->cancelRequested) return;
          if (hasMotion) copy.motion = &motion;
          deliverProgress(copy);
        },
        Qt::QueuedConnection);
    return CallbackReturn::Continue;
  };
  try {
    std::unique_ptr<QtFrameExecutor> executor;
    if (req.backend == Backend::Threads) executor = std::make_unique<QtFrameExecutor>(pool, req.poolThreads);
    auto result = std::make_shared<JobResult>(mc::run(req, callback, executor.get()));
    const QVariantMap timings = timingsOf(*result, secondsSince(d->startTime));
    QMetaObject::invokeMethod(
        this, [this, result, timings] { succeed(result, timings); }, Qt::QueuedConnection);
  } catch (const Cancelled&) {
    QMetaObject::invokeMethod(
        this,
        [this] {
          d->running = false;
          emit cancelled();
        },
        Qt::QueuedConnection);
  } catch (const std::exception& e) {
    postFailure(oneLine(e.what()));
  }
}

void MotionCorrectionTask::postFailure(const QString& reason) {
  // Every outcome is delivered in this object's thread, after start() has returned.
  QMetaObject::invokeMethod(
      this,
      [this, reason] {
        d->running = false;
        emit failed(reason);
      },
      Qt::QueuedConnection);
}

void MotionCorrectionTask::deliverProgress(const ProgressEvent& e) {
  const QString stage = QString::fromLatin1(stageName(e.stage));
  if (e.motion && (e.stage == Stage::Pass1 || e.stage == Stage::Pass2)) {
    FrameResult f;
    f.frame = e.frame;
    f.stage = stage;
    for (int i = 0; i < 6; ++i) f.parameters[i] = e.motion->parameters[i];
    emit frameEstimated(f);
  }
  // Reports of concurrent frames are posted in completion order, so this only guards the promise.
  d->lastFraction = std::max(d->lastFraction, e.fraction);
  d->lastStage = stage;
  emit progress(d->lastFraction, stage);
}

void MotionCorrectionTask::succeed(std::shared_ptr<JobResult> r, const QVariantMap& timings) {
  const QStringList paths = pathsOf(*r);
  d->result = std::move(r);
  if (d->lastFraction < 1.0) {
    d->lastFraction = 1.0;
    emit progress(1.0, d->lastStage.isEmpty() ? QStringLiteral("reslice") : d->lastStage);
  }
  d->running = false;
  emit finished(paths, timings);
}

void MotionCorrectionTask::cancel() {
  if (!d->running || d->cancelRequested) return;
  // Seen by the callback at the run's next report: the in-process backends stop within one frame's
  // work, the MPI launcher sends SIGTERM to mpirun and its ranks (SIGKILL after 3 s).
  d->cancelRequested = true;
}

}  // namespace mc
