// A run's life in the panel: the run controls (Run, Cancel, progress, stage, status, error), starting
// the engine's task from the panel's EngineRequest, following a task's frames and progress (its own
// or one started elsewhere, followTask), and ending it (finished, failed or cancelled).
#include "MotionCorrectionPanel.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <memory>

#include "MotionViews.h"
#include "SliceComparisonView.h"

namespace mc {
namespace {

QString formatSeconds(double s) {
  if (s < 1) return QObject::tr("under a second");
  if (s < 90) return QObject::tr("%1 s").arg(int(std::lround(s)));
  const int total = int(std::lround(s));
  return QObject::tr("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

QLayout* MotionCorrectionPanel::buildRunControls() {
  runButton_ = new QPushButton(tr("Run motion correction"));
  runButton_->setObjectName(QStringLiteral("runButton"));
  runButton_->setDefault(true);
  runButton_->setToolTip(tr("Estimate the motion of every frame and write the outputs; the plots fill as frames "
                            "finish."));
  QFont bold = runButton_->font();
  bold.setBold(true);
  runButton_->setFont(bold);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setObjectName(QStringLiteral("cancelButton"));
  cancelButton_->setToolTip(tr("Stop the running job; nothing is written."));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(runButton_, 1);
  buttons->addWidget(cancelButton_);
  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("progressBar"));
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setFormat(QStringLiteral("%p%"));
  stageLabel_ = new QLabel;
  stageLabel_->setObjectName(QStringLiteral("stageLabel"));
  status_ = new QLabel(tr("Choose a 4D run to start."));
  status_->setObjectName(QStringLiteral("statusLabel"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_ = new QLabel;
  error_->setObjectName(QStringLiteral("errorLabel"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("QLabel { color: #8b0000; background: #fde8e8; border: 1px solid #e0a0a0; "
                                       "border-radius: 3px; padding: 4px; }"));
  error_->hide();
  auto* runBox = new QVBoxLayout;
  runBox->setContentsMargins(4, 0, 4, 4);
  runBox->addLayout(buttons);
  runBox->addWidget(progress_);
  runBox->addWidget(stageLabel_);
  runBox->addWidget(status_);
  runBox->addWidget(error_);
  return runBox;
}

bool MotionCorrectionPanel::refusedWhileRunning() {
  if (!isRunning()) return false;
  // The Run button is disabled meanwhile, but the Run menu's shortcut, Slicer's Apply or a script
  // can still ask: say why nothing starts instead of ignoring the request (the running job goes on).
  const QString reason = alreadyRunningMessage();
  showError(reason);
  emit runRefused(reason);
  return true;
}

void MotionCorrectionPanel::run() {
  if (isLiveMode() && !isRunning()) {
    startLive();
    return;
  }
  if (refusedWhileRunning()) return;
  clearError();
  EngineRequest request;
  try {
    request = engineRequest();
  } catch (const std::exception& e) {
    showError(QString::fromStdString(e.what()));
    return;
  }
  if (!QFileInfo::exists(QString::fromStdString(request.spec.input))) {
    showError(tr("%1: no such file").arg(QString::fromStdString(request.spec.input)));
    return;
  }
  const QString backendProblem = MotionCorrectionTask::backendUnavailableReason(request.backend);
  if (!backendProblem.isEmpty()) {
    showError(backendProblem);
    return;
  }
  saveSettings();
  auto* task = new MotionCorrectionTask(request, this);
  followTask(task);
  ownsTask_ = true;
  emit taskStarted(task);
  task->start();
}

void MotionCorrectionPanel::followTask(MotionCorrectionTask* task) {
  if (!task || task == task_) return;
  if (task_) {  // no longer shown; the panel's own run is stopped
    task_->disconnect(this);
    if (ownsTask_) {
      task_->cancel();
      task_->deleteLater();
    }
  }
  clearError();
  resetRunDisplay(task->request());
  task_ = task;
  ownsTask_ = false;
  connect(task, &MotionCorrectionTask::frameEstimated, this, &MotionCorrectionPanel::onFrameEstimated);
  connect(task, &MotionCorrectionTask::progress, this, &MotionCorrectionPanel::onProgress);
  connect(task, &MotionCorrectionTask::finished, this, &MotionCorrectionPanel::onFinished);
  connect(task, &MotionCorrectionTask::failed, this, &MotionCorrectionPanel::onFailed);
  connect(task, &MotionCorrectionTask::cancelled, this, &MotionCorrectionPanel::onCancelled);
  // Deleted by its owner before it ended here: the panel is idle again.
  connect(task, &QObject::destroyed, this, [this] {
    stageLabel_->clear();
    updateEnabledState();
  });
  updateEnabledState();
  const EngineRequest& request = task->request();
  const int threads = request.poolThreads > 0 ? request.poolThreads : QThread::idealThreadCount();
  const QString where = request.backend == Backend::Mpi ? tr("%1 MPI ranks").arg(request.mpi.ranks)
                        : request.backend == Backend::Serial ? tr("1 thread")
                        : (threads == 1 ? tr("1 thread") : tr("%1 threads").arg(threads));
  setStatus(tr("Running on %1…").arg(where));
  clock_.start();
}

// Empty plots and progress for a new run; a run handed over in memory is also the "before" image.
void MotionCorrectionPanel::resetRunDisplay(const EngineRequest& request) {
  taskFrames_ = request.inputRun ? request.inputRun->frameCount : 0;
  if (request.inputRun) {
    ++loadGeneration_;  // a file still being read is not this run
    comparison_->setOriginal(request.inputRun);
  }
  const int knownFrames = expectedFrames();
  forEachMotionView(plots_, summary_, [&](auto* view) { view->clear(knownFrames); });
  finalParameters_.clear();
  finalDisplacement_.clear();
  comparison_->setRealigned(nullptr);
  comparison_->setReferenceFrame(request.spec.estimation.referenceFrame);
  framesSeen_ = 0;
  currentStage_.clear();
  status_->setToolTip(QString());
  progress_->setValue(0);
  stageLabel_->setText(tr("starting…"));
}

int MotionCorrectionPanel::expectedFrames() const {
  if (taskFrames_ > 0) return taskFrames_;
  return comparison_->original() ? comparison_->original()->frameCount : 0;
}

void MotionCorrectionPanel::cancel() {
  if (liveTask_) {
    setStatus(tr("Stopping…"));
    cancelButton_->setEnabled(false);
    liveTask_->cancel();
    return;
  }
  if (!task_) return;
  setStatus(tr("Cancelling…"));
  cancelButton_->setEnabled(false);
  task_->cancel();
}

void MotionCorrectionPanel::onFrameEstimated(const FrameResult& result) {
  RigidParameters p;
  for (int i = 0; i < 6; ++i) p[i] = result.parameters[i];
  forEachMotionView(plots_, summary_, [&](auto* view) { view->setFrameParameters(result.frame, p); });
  if (result.stage != currentStage_) {
    currentStage_ = result.stage;
    framesSeen_ = 0;
  }
  ++framesSeen_;
}

void MotionCorrectionPanel::onProgress(double fraction, const QString& stage) {
  progress_->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
  const double elapsed = clock_.elapsed() / 1000.0;
  QString text = stage;
  const int frames = expectedFrames();
  if (stage == currentStage_ && frames > 0) text += tr(": %1 of %2 frames").arg(std::min(framesSeen_, frames)).arg(frames);
  // The rate so far predicts the rest; too early it is noise.
  if (fraction > 0.05 && fraction < 1.0 && elapsed > 0.15) {
    const double left = elapsed * (1.0 - fraction) / fraction;
    text += left < 1 ? tr(" — under a second left") : tr(" — about %1 left").arg(formatSeconds(left));
  }
  stageLabel_->setText(text);
}

QString MotionCorrectionPanel::alreadyRunningMessage() {
  return tr("A run is already in progress: cancel it or wait for it to end before starting another.");
}

// The refusal of a second Run is about the run that just ended; it is not left on screen after it.
void MotionCorrectionPanel::clearRefusal() {
  if (errorText() == alreadyRunningMessage()) clearError();
}

void MotionCorrectionPanel::onFinished(const QStringList& paths, const QVariantMap& timings) {
  clearRefusal();
  const auto finalParameters = task_->parameters();
  const auto fd = task_->framewiseDisplacement();
  std::vector<RigidParameters> rows;
  for (const auto& row : finalParameters) {
    RigidParameters p;
    for (int i = 0; i < 6 && i < row.size(); ++i) p[i] = row[i];
    rows.push_back(p);
  }
  finalParameters_ = rows;
  finalDisplacement_.assign(fd.begin(), fd.end());
  forEachMotionView(plots_, summary_, [&](auto* view) { view->setFinalParameters(finalParameters_, finalDisplacement_); });
  progress_->setValue(1000);
  // Stage times in pipeline order (the engine's names), then any others it reports.
  QStringList stages;
  QVariantMap rest = timings;
  for (const char* key : {"read", "estimate", "reslice", "write", "total"})
    if (rest.contains(QLatin1String(key)))
      stages << tr("%1 %2 s").arg(QLatin1String(key)).arg(rest.take(QLatin1String(key)).toDouble(), 0, 'f', 2);
  for (auto it = rest.cbegin(); it != rest.cend(); ++it)
    stages << tr("%1 %2 s").arg(it.key()).arg(it.value().toDouble(), 0, 'f', 2);
  const double seconds = clock_.elapsed() / 1000.0;
  stageLabel_->setText(tr("done in %1").arg(formatSeconds(seconds)));
  setStatus(paths.isEmpty() ? tr("Done.")  // results in memory (Slicer's scene)
                            : tr("Done: %1 written.").arg(paths.size() == 1 ? tr("1 file") : tr("%1 files").arg(paths.size())));
  status_->setToolTip(tr("Seconds per stage: %1\nWritten:\n%2")
                          .arg(stages.join(QStringLiteral(", ")), paths.join(QLatin1Char('\n'))));
  const QString realignedPath = QString::fromStdString(task_->request().spec.realignedOutput);
  std::shared_ptr<const VolumeSeries> realignedInMemory;
  if (task_->request().keepImages && task_->result().realigned.frameCount > 0)
    realignedInMemory = std::make_shared<const VolumeSeries>(task_->result().realigned);
  endRun();
  if (realignedInMemory)
    comparison_->setRealigned(realignedInMemory);
  else if (!realignedPath.isEmpty() && paths.contains(realignedPath))
    loadRealigned(realignedPath);
  emit runFinished(paths);
}

void MotionCorrectionPanel::onFailed(const QString& reason) {
  showError(reason);
  setStatus(tr("Failed: nothing was written."));
  stageLabel_->clear();
  endRun();
  emit runFailed(reason);
}

void MotionCorrectionPanel::onCancelled() {
  clearRefusal();
  setStatus(tr("Cancelled: nothing was written."));
  stageLabel_->clear();
  progress_->setValue(0);
  endRun();
  emit runCancelled();
}

void MotionCorrectionPanel::endRun() {
  if (task_) {
    task_->disconnect(this);
    if (ownsTask_) task_->deleteLater();  // a followed task stays its owner's
    task_ = nullptr;
  }
  ownsTask_ = false;
  taskFrames_ = 0;
  updateEnabledState();
}

}  // namespace mc
