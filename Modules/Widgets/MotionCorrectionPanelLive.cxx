// The panel's Live mode: follow a folder into which a scanner's export writes one file per volume.
// The session is the core's (mc::followFolder, run by MotionCorrectionFollowTask); each aligned
// volume goes into the same motion tab as an offline run's live frames (MotionPlots or
// MotionSummary through MotionTrace), and its summary into the live counters. Run starts it and
// Cancel stops it, so the run controls, status and error are the offline run's.
#include "MotionCorrectionPanel.h"

#include <QCheckBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <stdexcept>

#include "LiveCounters.h"
#include "MotionViews.h"
#include "ParameterTable.h"
#include "PathChooser.h"
#include "RunParameters.h"

namespace mc {
namespace {

constexpr int kNoticesShown = 3;  // the latest notices in the status line; all of them in its tooltip

}  // namespace

QWidget* MotionCorrectionPanel::buildLiveSection() {
  liveMode_ = new QCheckBox(tr("Live: follow a folder as volumes arrive"));
  liveMode_->setObjectName(QStringLiteral("liveMode"));
  liveMode_->setToolTip(tr("Real-time mode: align each volume as the scanner's export writes it into a folder (one "
                           "file per volume, .nii or .nii.gz, in name order), and show its motion and the usable "
                           "minutes at once."));
  liveFolder_ = new PathChooser(PathChooser::OpenFolder, QString());
  liveFolder_->setObjectName(QStringLiteral("liveFolder"));
  liveFolder_->setPlaceholderText(tr("the folder the scanner exports volumes into"));
  liveFolder_->setToolTip(tr("Volumes are taken in name order once whole (renamed into place, or their size "
                             "stable); the first one is the reference. A file named END ends the run."));
  liveTr_ = new QDoubleSpinBox;
  liveTr_->setObjectName(QStringLiteral("liveTr"));
  liveTr_->setDecimals(3);
  liveTr_->setRange(0.001, 60);
  liveTr_->setSingleStep(0.1);
  liveTr_->setValue(2.0);
  liveTr_->setSuffix(tr(" s"));
  liveTr_->setToolTip(tr("Repetition time of the scan, for the usable minutes (usable volumes x TR)."));
  liveThreshold_ = new QDoubleSpinBox;
  liveThreshold_->setObjectName(QStringLiteral("liveFdThreshold"));
  liveThreshold_->setDecimals(2);
  liveThreshold_->setRange(0.01, 10);
  liveThreshold_->setSingleStep(0.05);
  liveThreshold_->setValue(MotionTrace::kDefaultThresholdMm);
  liveThreshold_->setSuffix(tr(" mm"));
  liveThreshold_->setToolTip(tr("A volume whose framewise displacement is under this is usable."));
  liveFrames_ = new QSpinBox;
  liveFrames_->setObjectName(QStringLiteral("liveFrames"));
  liveFrames_->setRange(0, 1000000);
  liveFrames_->setSpecialValueText(tr("until END or the time-out"));
  liveFrames_->setToolTip(tr("Stop after this many volumes (0: no limit)."));
  liveTimeout_ = new QDoubleSpinBox;
  liveTimeout_->setObjectName(QStringLiteral("liveTimeout"));
  liveTimeout_->setDecimals(0);
  liveTimeout_->setRange(0, 86400);
  liveTimeout_->setValue(60);
  liveTimeout_->setSuffix(tr(" s"));
  liveTimeout_->setSpecialValueText(tr("wait on"));
  liveTimeout_->setToolTip(tr("Stop when no volume has arrived for this long (0: wait until Stop or END)."));
  liveParameters_ = new PathChooser(PathChooser::SaveFile, tr("Text (*.txt)"));
  liveParameters_->setObjectName(QStringLiteral("liveParametersPath"));
  liveParameters_->setPlaceholderText(tr("not written"));
  liveParameters_->setToolTip(tr("SPM rp file, one row appended and flushed per volume (readable while it grows)."));
  liveConfounds_ = new PathChooser(PathChooser::SaveFile, tr("Tab-separated (*.tsv)"));
  liveConfounds_->setObjectName(QStringLiteral("liveConfoundsPath"));
  liveConfounds_->setPlaceholderText(tr("not written"));
  liveConfounds_->setToolTip(tr("Confounds TSV (fMRIPrep's columns), one row appended and flushed per volume."));

  auto* group = new QGroupBox(tr("Live"));
  group->setObjectName(QStringLiteral("liveSection"));
  auto* form = new QFormLayout(group);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->addRow(tr("Folder:"), liveFolder_);
  form->addRow(tr("TR:"), liveTr_);
  form->addRow(tr("FD threshold:"), liveThreshold_);
  form->addRow(tr("Volumes:"), liveFrames_);
  form->addRow(tr("Time-out:"), liveTimeout_);
  form->addRow(tr("Parameters:"), liveParameters_);
  form->addRow(tr("Confounds:"), liveConfounds_);
  liveGroup_ = group;

  liveCounters_ = new LiveCounters;
  liveCounters_->setObjectName(QStringLiteral("liveCounters"));
  connect(liveMode_, &QCheckBox::toggled, this, [this] { updateLiveMode(); });
  connect(liveThreshold_, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this,
          [this](double mm) { setFdThreshold(mm); });
  return group;
}

bool MotionCorrectionPanel::isLiveMode() const { return liveMode_->isChecked(); }

void MotionCorrectionPanel::setLiveMode(bool live) { liveMode_->setChecked(live); }

void MotionCorrectionPanel::setLiveFolder(const QString& folder) { liveFolder_->setPath(folder); }

void MotionCorrectionPanel::updateLiveMode() {
  const bool live = isLiveMode();
  filesGroup_->setVisible(!live && fileSectionVisible_);
  runButton_->setVisible(live || runButtonVisible_);
  // The reference is the first volume and the session aligns one volume at a time: the reference,
  // estimate-only, backend and thread choices are an offline run's. Advanced's options apply.
  parametersGroup_->setVisible(!live);
  liveGroup_->setVisible(live);
  liveCounters_->setVisible(live);
  runButton_->setText(live ? tr("Start following") : tr("Run motion correction"));
  runButton_->setToolTip(live ? tr("Follow the folder: each volume is aligned to the first as it arrives.")
                              : tr("Estimate the motion of every frame and write the outputs; the plots fill as "
                                   "frames finish."));
  cancelButton_->setText(live ? tr("Stop") : tr("Cancel"));
  cancelButton_->setToolTip(live ? tr("Stop following; the rows written so far stay.")
                                 : tr("Stop the running job; nothing is written."));
  if (!isRunning()) setStatus(live ? tr("Choose the folder the scanner exports into, then Start.") : tr("Choose a 4D run to start."));
  updateEnabledState();
  emit liveModeChanged(live);
}

FollowOptions MotionCorrectionPanel::followOptions() const {
  FollowOptions o;
  o.folder = QDir::cleanPath(liveFolder_->path()).toStdString();
  if (liveFolder_->path().isEmpty()) o.folder.clear();
  o.repetitionTime = liveTr_->value();
  o.fdThreshold = liveThreshold_->value();
  o.frames = liveFrames_->value();
  o.timeoutSeconds = liveTimeout_->value();
  o.params = liveParameters_->path().toStdString();
  o.confounds = liveConfounds_->path().toStdString();
  // The form's estimation parameters (quality, separation, smoothing, interpolation);
  // the reference is the first volume, in one pass: later volumes cannot be waited for.
  EngineRequest request;
  const QMap<QString, QString> values = parameterValues();
  for (auto it = values.cbegin(); it != values.cend(); ++it) {
    const ParameterEntry* e = findParameter(it.key().toStdString());
    if (e && e->type == ParameterType::Path) continue;
    setRunParameter(request, it.key().toStdString(), it.value().toStdString());
  }
  o.estimation = request.spec.estimation;
  o.estimation.registerToMean = false;
  o.estimation.referenceFrame = 0;
  o.reslice = request.spec.reslice;
  o.validate();
  return o;
}

void MotionCorrectionPanel::startLive() {
  if (refusedWhileRunning()) return;
  clearError();
  FollowOptions options;
  try {
    options = followOptions();
  } catch (const std::exception& e) {
    showError(QString::fromStdString(e.what()));
    return;
  }
  auto* task = new MotionCorrectionFollowTask(options, this);
  liveTask_ = task;
  liveNotices_.clear();
  ++loadGeneration_;  // a run file still being read is not what the tabs show now
  forEachMotionView(plots_, summary_, [&](auto* view) { view->clear(options.frames); });
  finalParameters_.clear();
  finalDisplacement_.clear();
  setFdThreshold(options.fdThreshold);
  liveCounters_->clear(options.fdLevels, options.fdThreshold);
  status_->setToolTip(QString());
  if (options.frames > 0) {
    progress_->setRange(0, options.frames);
    progress_->setValue(0);
  } else {
    progress_->setRange(0, 0);  // busy: the run's length is not known
  }
  stageLabel_->setText(tr("waiting for the first volume…"));
  setStatus(tr("Following %1…").arg(QDir::toNativeSeparators(liveFolder_->path())));
  connect(task, &MotionCorrectionFollowTask::volumeAligned, this, &MotionCorrectionPanel::onLiveVolume);
  connect(task, &MotionCorrectionFollowTask::notice, this, &MotionCorrectionPanel::onLiveNotice);
  connect(task, &MotionCorrectionFollowTask::finished, this, [this](const QString& why) { endLive(why); });
  connect(task, &MotionCorrectionFollowTask::cancelled, this, [this] { endLive(QStringLiteral("cancelled")); });
  connect(task, &MotionCorrectionFollowTask::failed, this, [this](const QString& reason) {
    showError(reason);
    endLive(QStringLiteral("failed"));
  });
  updateEnabledState();
  clock_.start();
  emit liveStarted(task);
  task->start();
}

void MotionCorrectionPanel::onLiveVolume(const FollowVolume& v) {
  forEachMotionView(plots_, summary_, [&](auto* view) { view->setFrameParameters(v.frame, v.motion.parameters); });
  liveCounters_->show(v.summary);
  if (progress_->maximum() > 0) progress_->setValue(std::min(v.summary.volumes, progress_->maximum()));
  stageLabel_->setText(tr("volume %1 (%2): FD %3 mm, aligned in %4 ms")
                           .arg(v.summary.volumes)
                           .arg(QFileInfo(QString::fromStdString(v.path)).fileName())
                           .arg(v.fd, 0, 'f', 3)
                           .arg(std::lround(v.latencySeconds * 1000)));
}

void MotionCorrectionPanel::onLiveNotice(const QString& line) {
  liveNotices_ << line;
  const QStringList latest = liveNotices_.mid(std::max<qsizetype>(0, liveNotices_.size() - kNoticesShown));
  const QString head = liveTask_ ? tr("Following %1…").arg(QDir::toNativeSeparators(liveFolder_->path()))
                                 : status_->text().section(QLatin1Char('\n'), 0, 0);
  setStatus(head + QLatin1Char('\n') + latest.join(QLatin1Char('\n')));
  status_->setToolTip(liveNotices_.join(QLatin1Char('\n')));
}

void MotionCorrectionPanel::endLive(const QString& endReason) {
  if (!liveTask_) return;
  const FollowResult& r = liveTask_->result();
  // The volumes the session aligned are the run's parameters now (and FD as the core computed it).
  for (const FollowVolume& v : r.volumes) {
    finalParameters_.push_back(v.motion.parameters);
    finalDisplacement_.push_back(v.fd);
  }
  if (!finalParameters_.empty())
    forEachMotionView(plots_, summary_, [&](auto* view) { view->setFinalParameters(finalParameters_, finalDisplacement_); });
  progress_->setRange(0, 1000);
  progress_->setValue(endReason == QLatin1String("failed") ? 0 : 1000);
  if (endReason == QLatin1String("failed")) {
    setStatus(tr("Live mode failed."));
    stageLabel_->clear();
  } else {
    const int n = int(r.volumes.size());
    QString text = tr("Stopped (%1): %2").arg(endReason, n == 1 ? tr("1 volume") : tr("%1 volumes").arg(n));
    if (r.skipped > 0) text += tr(", %1 skipped").arg(r.skipped);
    QStringList written;
    for (const std::string& p : {liveTask_->options().params, liveTask_->options().confounds})
      if (!p.empty()) written << QFileInfo(QString::fromStdString(p)).fileName();
    if (!written.isEmpty()) text += tr("; rows in %1").arg(written.join(QStringLiteral(", ")));
    const QStringList latest = liveNotices_.mid(std::max<qsizetype>(0, liveNotices_.size() - kNoticesShown));
    setStatus(text + QLatin1Char('.') + (latest.isEmpty() ? QString() : QLatin1Char('\n') + latest.join(QLatin1Char('\n'))));
  }
  liveTask_->disconnect(this);
  liveTask_->deleteLater();
  liveTask_ = nullptr;
  updateEnabledState();
  emit liveEnded(endReason);
}

}  // namespace mc
