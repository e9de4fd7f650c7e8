#pragma once
// Several runs corrected one after the other with one thread pool: a list of requests, or every
// run of a BIDS folder. Progress per run and overall; a failing run is reported and
// the batch goes on with the next.
#include <memory>

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "MotionCorrectionTask.h"

namespace mc {

class MotionCorrectionBatch : public QObject {
  Q_OBJECT
public:
  explicit MotionCorrectionBatch(QList<EngineRequest> runs, QObject* parent = nullptr);
  ~MotionCorrectionBatch() override;  // cancels and waits if still running

  // One request per BIDS run under `folder` (sub-*/[ses-*/]func/*_bold.nii[.gz], as mc::findBidsRuns
  // finds them, sorted), built from `templ` (options, backend, pool size) with the outputs of
  // mc::derivativesJob under `outputFolder` at the same relative place: for
  // sub-01/func/sub-01_task-rest_bold.nii.gz,
  //   sub-01/func/sub-01_task-rest_desc-realigned_bold.nii.gz   (unless templ.spec.estimateOnly)
  //   sub-01/func/sub-01_task-rest_desc-mean_boldref.nii.gz      (unless estimateOnly)
  //   sub-01/func/rp_sub-01_task-rest_bold.txt
  //   sub-01/func/sub-01_task-rest_desc-confounds_timeseries.tsv
  // The output folders are created. Throws std::runtime_error when `folder` does not exist or holds
  // no run. (The whole-dataset path with resume, summary and report is MotionCorrectionDatasetTask.)
  static QList<EngineRequest> requestsForFolder(const QString& folder, const QString& outputFolder,
                                                const EngineRequest& templ);

  const QList<EngineRequest>& runs() const;
  bool isRunning() const;
  int succeededCount() const;
  int failedCount() const;

public slots:
  void start();   // returns at once; emits started()
  void cancel();  // cancels the current run and skips the rest; emits cancelled()

signals:
  void started();
  void runStarted(int run, const QString& input);
  void frameEstimated(int run, const mc::FrameResult& result);
  void runProgress(int run, double fraction, const QString& stage);
  void progress(double fraction);  // overall 0..1 over all runs, monotonic
  void runFinished(int run, const QStringList& writtenPaths, const QVariantMap& timings);
  void runFailed(int run, const QString& reason);
  void finished(int succeeded, int failed);
  void cancelled();

private:
  void startNext();
  struct Private;
  std::unique_ptr<Private> d;
};

}  // namespace mc
