#pragma once
// A motion-correction job that runs in the background (QThreadPool, or an MPI subprocess) without
// blocking the caller's event loop, and reports through signals delivered in the receiver's thread.
// This header is the contract between the engine and the panel/logic: keep signatures stable.
#include <memory>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

#include "MotionCorrectionJob.h"

class QThreadPool;

namespace mc {

class GroupedProcess;

enum class Backend { Serial, Threads, Mpi };

struct MpiSettings {
  int ranks = 2;
  QString mpirun;            // empty: found on PATH
  QString hostfile;          // optional
  QStringList hosts;         // optional, alternative to hostfile
  QStringList extraArguments;  // e.g. --bind-to core --map-by core
  QString worker;            // MotionCorrectionMPI; empty: env MC_MPI_WORKER, else beside the application
  int threadsPerRank = 0;    // OpenMP threads per rank; 0: cores / ranks (at least 1)
};

struct EngineRequest {
  JobSpec spec;              // what to do (the same struct the CLI fills)
  Backend backend = Backend::Threads;
  int poolThreads = 0;       // 0: QThread::idealThreadCount()
  MpiSettings mpi;
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
  QVector<double> framewiseDisplacement() const;
  // Returns "" if the backend can run here, else a one-line reason (e.g. "MPI backend not built").
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
  void runInProcess(QThreadPool* pool);
  void deliverProgress(const ProgressEvent& event);
  void succeed(const JobResult& result, const QStringList& paths, const QVariantMap& timings);
  void mpiFinished(GroupedProcess* process, int exitCode, bool crashed);
};

}  // namespace mc

Q_DECLARE_METATYPE(mc::FrameResult)
