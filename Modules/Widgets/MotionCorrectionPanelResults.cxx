// The panel's result tabs: the motion tab (Qt Charts plots or the chart-free summary) and the
// before/after view, with the run and the realigned run read in the background for the latter.
#include "MotionCorrectionPanel.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QSpinBox>
#include <QTabWidget>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <memory>

#include "ImageIO.h"
#include "MotionTrace.h"
#include "MotionViews.h"
#include "SliceComparisonView.h"

namespace mc {
namespace {

struct LoadedRun {
  std::shared_ptr<const VolumeSeries> run;
  QString error;
};

LoadedRun readRun(const QString& path) {
  LoadedRun out;
  try {
    out.run = std::make_shared<const VolumeSeries>(readVolumeSeries(path.toStdString()));
  } catch (const std::exception& e) {
    out.error = QString::fromStdString(e.what());
  }
  return out;
}

}  // namespace

void MotionCorrectionPanel::buildResultTabs() {
  comparison_ = new SliceComparisonView;
  comparison_->setObjectName(QStringLiteral("sliceComparison"));
  results_ = new QTabWidget;
  results_->setObjectName(QStringLiteral("resultsTabs"));
#if MC_WITH_QT_CHARTS
  plots_ = new MotionPlots;
  plots_->setObjectName(QStringLiteral("motionPlots"));
  results_->addTab(plots_, tr("Motion"));
  connect(plots_, &MotionPlots::frameClicked, this, [this](int frame) {
    comparison_->setFrame(frame);
    results_->setCurrentWidget(comparison_);
  });
#else
  // Without Qt Charts (inside Slicer the plots are MRML plot nodes in the layout's plot view) the tab
  // lists the frames above the FD threshold instead.
  summary_ = new MotionSummary;
  summary_->setObjectName(QStringLiteral("motionSummary"));
  results_->addTab(summary_, tr("Motion"));
  connect(summary_, &MotionSummary::frameClicked, this, [this](int frame) {
    comparison_->setFrame(frame);
    results_->setCurrentWidget(comparison_);
  });
#endif
  results_->addTab(comparison_, tr("Before / after"));
}

// The motion tab is one of two widgets; these forward to whichever this build has.
const MotionTrace& MotionCorrectionPanel::motionTrace() const {
#if MC_WITH_QT_CHARTS
  return plots_->trace();
#else
  return summary_->trace();
#endif
}

double MotionCorrectionPanel::fdThreshold() const {
#if MC_WITH_QT_CHARTS
  return plots_->threshold();
#else
  return summary_->threshold();
#endif
}

void MotionCorrectionPanel::setFdThreshold(double mm) {
#if MC_WITH_QT_CHARTS
  plots_->setThreshold(mm);
#else
  summary_->setThreshold(mm);
#endif
}

QList<int> MotionCorrectionPanel::outlierFrames() const {
#if MC_WITH_QT_CHARTS
  return plots_->outlierFrames();
#else
  return summary_->outlierFrames();
#endif
}
void MotionCorrectionPanel::loadOriginal(const QString& path) {
  const int generation = ++loadGeneration_;
  comparison_->setOriginal(nullptr);
  comparison_->setRealigned(nullptr);
  if (path.isEmpty()) return;
  if (!QFileInfo::exists(path)) {
    showError(tr("%1: no such file").arg(path));
    return;
  }
  setStatus(tr("Reading %1…").arg(QFileInfo(path).fileName()));
  auto* watcher = new QFutureWatcher<LoadedRun>(this);
  connect(watcher, &QFutureWatcher<LoadedRun>::finished, this, [this, watcher, generation, path] {
    watcher->deleteLater();
    if (generation != loadGeneration_) return;  // the input changed meanwhile
    const LoadedRun loaded = watcher->result();
    if (!loaded.run) {
      showError(loaded.error);
      setStatus(tr("The run could not be read."));
      return;
    }
    comparison_->setReferenceFrame(referenceFrame_->value());
    comparison_->setOriginal(loaded.run);
    referenceFrame_->setMaximum(std::max(0, loaded.run->frameCount - 1));
    forEachMotionView(plots_, summary_, [&](auto* view) { view->setExpectedFrames(loaded.run->frameCount); });
    if (!isRunning()) {
      const auto& n = loaded.run->geometry.size;
      setStatus(tr("%1: %2 × %3 × %4 voxels, %5 frames. Ready to run.")
                    .arg(QFileInfo(path).fileName())
                    .arg(n[0])
                    .arg(n[1])
                    .arg(n[2])
                    .arg(loaded.run->frameCount));
    }
  });
  watcher->setFuture(QtConcurrent::run([path] { return readRun(path); }));
}

void MotionCorrectionPanel::loadRealigned(const QString& path) {
  const int generation = loadGeneration_;
  auto* watcher = new QFutureWatcher<LoadedRun>(this);
  connect(watcher, &QFutureWatcher<LoadedRun>::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    if (generation != loadGeneration_) return;
    const LoadedRun loaded = watcher->result();
    if (loaded.run) comparison_->setRealigned(loaded.run);
  });
  watcher->setFuture(QtConcurrent::run([path] { return readRun(path); }));
}

}  // namespace mc
