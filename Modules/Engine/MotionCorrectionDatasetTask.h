#pragma once
// A whole BIDS dataset in the background: mc::runDataset (DatasetRun.h) on a thread of the task's
// own, each finished run and the end delivered as signals in the receiver's thread. The Qt face of
// the core's dataset loop, as MotionCorrectionFollowTask is of followFolder: discovery, naming,
// resume, the summary and the report are the core's, not written again here. cancel() makes the
// dataset callback answer Abort: runDataset stops when the runs in flight end (or are cancelled),
// the finished runs and the summary stay.
#include <memory>
#include <vector>

#include <QMetaType>
#include <QObject>
#include <QString>

#include "DatasetRun.h"

namespace mc {

class MotionCorrectionDatasetTask : public QObject {
  Q_OBJECT
public:
  explicit MotionCorrectionDatasetTask(DatasetOptions options, QObject* parent = nullptr);
  ~MotionCorrectionDatasetTask() override;  // cancels and waits if still running

  const DatasetOptions& options() const;
  bool isRunning() const;
  // The runs as they ended (corrected, skipped or failed), in that order: runFinished(row) is a row
  // of this. Grows while the task runs; cleared by start().
  const std::vector<DatasetRunResult>& finishedRuns() const;
  // runDataset's whole result (every run, the summary and report paths): valid after finished()
  // or cancelled(); empty before and after failed().
  const DatasetResult& result() const;

public slots:
  void start();   // returns at once; emits started()
  void cancel();  // at the next frame of the run in flight; emits cancelled()

signals:
  void started();
  void runFinished(int row);  // finishedRuns()[row] just ended
  // After each run: `done` counts every run that ended (corrected, skipped or failed), `failed`
  // those that failed; remainingSeconds is the core's estimate for the dataset, -1 while unknown.
  void progress(int done, int total, int failed, double remainingSeconds);
  void finished();
  void cancelled();
  void failed(const QString& reason);  // one line: bad options, an unwritable derivatives folder

private:
  struct Private;
  std::unique_ptr<Private> d;
  void runInBackground();
};

}  // namespace mc
