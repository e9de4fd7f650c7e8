#include "MotionCorrectionTask.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <stdexcept>

#include <QCoreApplication>
#include <QDir>
#include <QFuture>
#include <QPointer>
#include <QTemporaryFile>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent>

#include "FrameExecutor.h"
#include "GroupedProcess.h"
#include "JobParameters.h"
#include "MpiLaunch.h"
#include "QtFrameExecutor.h"

namespace mc {
namespace {

// FrameResult crosses threads in queued signals.
const int kFrameResultType = qRegisterMetaType<mc::FrameResult>("mc::FrameResult");

QString oneLine(const std::string& text) {
  QString s = QString::fromStdString(text);
  s.replace(QLatin1Char('\n'), QLatin1Char(' '));
  return s.simplified();
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

MpiOptions toMpiOptions(const MpiSettings& s) {
  MpiOptions o;
  o.ranks = s.ranks;
  o.mpirun = s.mpirun.toStdString();
  o.worker = s.worker.toStdString();
  o.hostfile = s.hostfile.toStdString();
  for (const QString& h : s.hosts) o.hosts.push_back(h.toStdString());
  for (const QString& a : s.extraArguments) o.extraArguments.push_back(a.toStdString());
  o.threadsPerRank = s.threadsPerRank;
  return o;
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

}  // namespace

struct MotionCorrectionTask::Private {
  explicit Private(EngineRequest r) : request(std::move(r)) { orchestrator.setMaxThreadCount(1); }

  EngineRequest request;
  std::atomic<bool> running{false};
  std::atomic<bool> cancelRequested{false};
  double lastFraction = 0;
  QString lastStage;
  QVector<QVector<double>> parameters;
  QVector<double> framewiseDisplacement;
  std::chrono::steady_clock::time_point startTime;

  // In-process backends: the core's orchestration runs on `orchestrator`'s one thread, frames on
  // the frame pool (the task's own, or a shared one).
  QThreadPool orchestrator;
  QThreadPool* sharedPool = nullptr;
  std::unique_ptr<QThreadPool> ownPool;
  QFuture<void> future;

  // MPI backend.
  QPointer<GroupedProcess> process;
  std::unique_ptr<QTemporaryFile> jobFile;
  std::unique_ptr<MpiOutputReader> reader;
  TextTail stderrTail;

  void keep(const JobResult& r) {
    parameters.clear();
    for (const auto& p : r.parameters) parameters.push_back(QVector<double>(p.values.begin(), p.values.end()));
    framewiseDisplacement = QVector<double>(r.framewiseDisplacement.begin(), r.framewiseDisplacement.end());
  }
};

MotionCorrectionTask::MotionCorrectionTask(EngineRequest request, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(request))) {
  (void)kFrameResultType;
}

MotionCorrectionTask::~MotionCorrectionTask() {
  d->cancelRequested = true;
  if (d->process && d->process->state() != QProcess::NotRunning) {
    d->process->signalGroup(SIGTERM);
    if (!d->process->waitForFinished(5000)) {
      d->process->signalGroup(SIGKILL);
      d->process->waitForFinished(2000);
    }
  }
  // The orchestration stops at its next progress report; what it posts to this object is
  // dropped with it.
  d->future.waitForFinished();
  d->orchestrator.waitForDone();
}

const EngineRequest& MotionCorrectionTask::request() const { return d->request; }

bool MotionCorrectionTask::isRunning() const { return d->running; }

QVector<QVector<double>> MotionCorrectionTask::parameters() const { return d->parameters; }

QVector<double> MotionCorrectionTask::framewiseDisplacement() const { return d->framewiseDisplacement; }

void MotionCorrectionTask::setThreadPool(QThreadPool* pool) { d->sharedPool = pool; }

QString MotionCorrectionTask::backendUnavailableReason(Backend backend) {
  if (backend != Backend::Mpi) return {};
#ifndef MC_HAVE_MPI_BACKEND
  return QStringLiteral("MPI backend not built");
#else
  try {
    findMpiWorker("", QCoreApplication::applicationDirPath().toStdString());
    findMpirun("");
  } catch (const std::exception& e) {
    return oneLine(e.what());
  }
  return {};
#endif
}

QStringList MotionCorrectionTask::mpiCommand(const QString& jobFile) const {
  const MpiOptions o = toMpiOptions(d->request.mpi);
  const std::string worker = findMpiWorker(o.worker, QCoreApplication::applicationDirPath().toStdString());
  QStringList cmd;
  for (const auto& a : mpiCommandLine(o, findMpirun(o.mpirun), worker, jobFile.toStdString()))
    cmd << QString::fromStdString(a);
  return cmd;
}

void MotionCorrectionTask::start() {
  if (d->running) return;
  d->running = true;
  d->cancelRequested = false;
  d->lastFraction = 0;
  d->lastStage.clear();
  d->parameters.clear();
  d->framewiseDisplacement.clear();
  d->startTime = std::chrono::steady_clock::now();
  emit started();

  if (d->request.backend == Backend::Mpi) {
#ifndef MC_HAVE_MPI_BACKEND
    postFailure(QStringLiteral("MPI backend not built"));
    return;
#endif
    try {
      d->request.spec.validate();
      d->jobFile = std::make_unique<QTemporaryFile>(QDir::tempPath() + QStringLiteral("/mc-job-XXXXXX.txt"));
      if (!d->jobFile->open()) throw std::runtime_error("cannot create the MPI job file in " + QDir::tempPath().toStdString());
      const std::string job = formatJobFile(d->request.spec);
      d->jobFile->write(job.data(), qint64(job.size()));
      d->jobFile->flush();
      const QStringList cmd = mpiCommand(d->jobFile->fileName());
      d->reader = std::make_unique<MpiOutputReader>(d->request.spec);
      d->stderrTail = TextTail();
      auto* p = new GroupedProcess(this);
      d->process = p;
      connect(p, &QProcess::readyReadStandardOutput, this, [this, p] {
        const QByteArray chunk = p->readAllStandardOutput();
        d->reader->feed(chunk.constData(), std::size_t(chunk.size()), [this](const ProgressEvent& e) {
          if (!d->cancelRequested) deliverProgress(e);
          return CallbackReturn::Continue;
        });
      });
      connect(p, &QProcess::readyReadStandardError, this, [this, p] {
        const QByteArray chunk = p->readAllStandardError();
        d->stderrTail.append(chunk.constData(), std::size_t(chunk.size()));
      });
      connect(p, &QProcess::errorOccurred, this, [this, p](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || !d->running) return;
        d->running = false;
        p->deleteLater();
        d->jobFile.reset();
        emit failed(QStringLiteral("cannot start mpirun: ") + p->errorString());
      });
      connect(p, QOverload<int, QProcess::ExitStatus>::of(&QProcess::finished), this,
              [this, p](int exitCode, QProcess::ExitStatus status) { mpiFinished(p, exitCode, status == QProcess::CrashExit); });
      p->setProgram(cmd.first());
      p->setArguments(cmd.mid(1));
      p->start();
    } catch (const std::exception& e) {
      postFailure(oneLine(e.what()));
    }
    return;
  }

  QThreadPool* pool = d->sharedPool;
  if (d->request.backend == Backend::Threads && !pool) {
    d->ownPool = std::make_unique<QThreadPool>();
    d->ownPool->setMaxThreadCount(d->request.poolThreads > 0 ? d->request.poolThreads : QThread::idealThreadCount());
    pool = d->ownPool.get();
  }
  d->future = QtConcurrent::run(&d->orchestrator, [this, pool] { runInProcess(pool); });
}

void MotionCorrectionTask::runInProcess(QThreadPool* pool) {
  const EngineRequest& req = d->request;
  // Runs on the orchestration thread; every report is posted to this object's thread.
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
    JobResult r;
    if (req.backend == Backend::Serial) {
      OpenMPFrameExecutor executor(req.spec.threads);
      r = runMotionCorrection(req.spec, executor, callback);
    } else {
      QtFrameExecutor executor(pool, req.poolThreads);
      r = runMotionCorrection(req.spec, executor, callback);
    }
    const QStringList paths = pathsOf(r);
    const QVariantMap timings = timingsOf(r, secondsSince(d->startTime));
    auto kept = std::make_shared<JobResult>();
    kept->parameters = std::move(r.parameters);
    kept->framewiseDisplacement = std::move(r.framewiseDisplacement);
    QMetaObject::invokeMethod(
        this, [this, paths, timings, kept] { succeed(*kept, paths, timings); }, Qt::QueuedConnection);
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

void MotionCorrectionTask::succeed(const JobResult& r, const QStringList& paths, const QVariantMap& timings) {
  d->keep(r);
  if (d->lastFraction < 1.0) {
    d->lastFraction = 1.0;
    emit progress(1.0, d->lastStage.isEmpty() ? QStringLiteral("reslice") : d->lastStage);
  }
  d->running = false;
  emit finished(paths, timings);
}

void MotionCorrectionTask::mpiFinished(GroupedProcess* p, int exitCode, bool crashed) {
  if (d->process != p || !d->running) return;
  const QByteArray out = p->readAllStandardOutput();
  const QByteArray err = p->readAllStandardError();
  d->stderrTail.append(err.constData(), std::size_t(err.size()));
  const auto forward = [this](const ProgressEvent& e) {
    if (!d->cancelRequested) deliverProgress(e);
    return CallbackReturn::Continue;
  };
  d->reader->feed(out.constData(), std::size_t(out.size()), forward);
  d->reader->finish(forward);
  p->deleteLater();
  d->process = nullptr;
  d->jobFile.reset();

  // A job that completed before the cancel reached it wrote its outputs: report them, not a cancel.
  const bool completed = !crashed && exitCode == 0 && d->reader->finishedReported();
  if (d->cancelRequested && !completed) {
    d->running = false;
    emit cancelled();
    return;
  }
  const std::string& tail = d->stderrTail.text();
  QString reason;
  if (crashed) reason = oneLine(mpiFailureMessage(-1, 0, d->reader->workerError(), tail));
  else if (exitCode != 0) reason = oneLine(mpiFailureMessage(exitCode, 0, d->reader->workerError(), tail));
  else if (!d->reader->finishedReported())
    reason = oneLine("MPI backend ended without reporting its outputs: " + summarizeMpiStderr(tail));
  if (!reason.isEmpty()) {
    d->running = false;
    emit failed(reason);
    return;
  }
  const JobResult& r = d->reader->result();
  QVariantMap timings = timingsOf(r, secondsSince(d->startTime));
  succeed(r, pathsOf(r), timings);
}

void MotionCorrectionTask::cancel() {
  if (!d->running || d->cancelRequested) return;
  d->cancelRequested = true;
  if (d->process) {
    // SIGTERM to mpirun and to its ranks (whose handlers remove temporary files); whatever is
    // left after 3 s is killed (ranks also die with mpirun: the worker sets PR_SET_PDEATHSIG).
    d->process->signalGroup(SIGTERM);
    QPointer<GroupedProcess> p = d->process;
    QTimer::singleShot(3000, this, [p] {
      if (p && p->state() != QProcess::NotRunning) p->signalGroup(SIGKILL);
    });
  }
}

}  // namespace mc
