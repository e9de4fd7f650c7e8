#pragma once
// A motion-correction job that runs in the background without blocking the caller's event loop,
// and reports through signals delivered in the receiver's thread. Every backend goes the same way:
// mc::run (Run.h) on the task's orchestration thread; cancel makes the progress callback answer
// Abort. This header is the contract between the engine and the panel/logic: keep signatures stable.
#include <memory>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

#include "MotionCorrectionJob.h"
#include "Run.h"

class QThreadPool;

namespace mc {

// A RunRequest (spec, backend, mpi options, inputRun, keepImages) plus the size of the task's own
// frame pool for the Threads backend.
struct EngineRequest : RunRequest {
  int poolThreads = 0;       // 0: QThread::idealThreadCount()
};

// One frame's result as it arrives. parameters: x y z (mm) pitch roll yaw (rad), SPM rp order,
// relative to the reference frame. stage: "pass 1" or "pass 2".
struct FrameResult {
  int frame = -1;
  QString stage;
  double parameters[6] = {0, 0, 0, 0, 0, 0};
};

class MotionCorrectionTask : public QObject {
  Q_OBJECT
public:
  explicit MotionCorrectionTask(EngineRequest request, QObject* parent = nullptr);
  ~MotionCorrectionTask() override;  // cancels and waits if still running

  const EngineRequest& request() const;
  bool isRunning() const;
  // The engine's final parameters (valid after finished()).
  QVector<QVector<double>> parameters() const;
  // The whole result of mc::run (valid after finished(); empty before): parameters, motion, written
  // paths, timings, and the realigned run and mean when the request had keepImages.
  const JobResult& result() const;
  QVector<double> framewiseDisplacement() const;
  // Returns "" if the backend can run here, else a one-line reason (mc::backendUnavailableReason).
  static QString backendUnavailableReason(Backend backend);

  // Frames of the Threads backend run on this pool (not owned; e.g. one pool for a whole batch)
  // instead of a pool of the task's own. Call before start().
  void setThreadPool(QThreadPool* pool);
  // The mpirun command line the Mpi backend runs (resolved programs, job file path as given);
  // throws std::runtime_error when mpirun or the worker is missing.
  QStringList mpiCommand(const QString& jobFile) const;

public slots:
  void start();   // returns at once; emits started()
  void cancel();  // stops within one frame's work; emits cancelled(); no output file is left

signals:
  void started();
  void frameEstimated(const mc::FrameResult& result);
  void progress(double fraction, const QString& stage);  // overall 0..1, monotonic, ends at 1
  void finished(const QStringList& writtenPaths, const QVariantMap& timings);  // timings: seconds per stage
  void failed(const QString& reason);  // one line
  void cancelled();

private:
  struct Private;
  std::unique_ptr<Private> d;
  void postFailure(const QString& reason);
  void runOnOrchestrator(QThreadPool* pool);
  void deliverProgress(const ProgressEvent& event);
  void succeed(std::shared_ptr<JobResult> result, const QVariantMap& timings);
};

}  // namespace mc

Q_DECLARE_METATYPE(mc::FrameResult)
