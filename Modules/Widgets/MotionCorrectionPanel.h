#pragma once
// The motion-correction panel: choose a run and outputs, set the parameters (SPM's defaults), run it
// in the background, watch the motion plots fill frame by frame, compare before/after. The same
// widget serves the standalone app and the Slicer module. This header pulls in no Qt Charts header
// and its layout does not depend on MC_WITH_QT_CHARTS: the Slicer module widget includes it, and
// Slicer ships no Qt Charts. Its definition is split by idea: MotionCorrectionPanel.cxx (assembly,
// enabled state, status), ...Form.cxx (the parameter widgets), ...Parameters.cxx (values, defaults,
// settings, the EngineRequest), ...Run.cxx (a run's life), ...Results.cxx (the result tabs) and
// ...Live.cxx (Live mode: following a folder as volumes arrive, MotionCorrectionFollowTask).
#include <QElapsedTimer>
#include <QMap>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "MotionCorrectionFollowTask.h"
#include "MotionCorrectionTask.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLayout;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTabWidget;

namespace mc {

class CollapsibleSection;
class LiveCounters;
class MotionPlots;
class MotionSummary;
class MotionTrace;
class PathChooser;
class SliceComparisonView;

class MotionCorrectionPanel : public QWidget {
  Q_OBJECT
public:
  explicit MotionCorrectionPanel(QWidget* parent = nullptr);
  ~MotionCorrectionPanel() override;  // cancels its own running job (its outputs are not written)

  QString inputPath() const;
  // The parameters the form shows as name -> text, named as in the parameter table
  // (ParameterTable.h: input, output, ..., quality, sep, ..., backend, mpi-ranks). setParameterValues
  // ignores names it does not show and still reads the old spelling "ranks".
  QMap<QString, QString> parameterValues() const;
  void setParameterValues(const QMap<QString, QString>& values);
  // The widget that edits the table parameter `name` (its range, tooltip and default come from the
  // table), or null when the form does not show it (wrap, keep-datatype, ...).
  QWidget* parameterWidget(const QString& name) const;
  // What Run would start, built with setRunParameter; throws std::invalid_argument with
  // RunRequest::validate()'s one-line message.
  EngineRequest engineRequest() const;

  // A run or a Live session is in progress.
  bool isRunning() const { return !task_.isNull() || !liveTask_.isNull(); }
  MotionCorrectionTask* task() const { return task_; }
  // Shows the progress, status, live motion and final results of `task`, started or not yet,
  // whoever started it (Slicer's logic); the panel's own runs go this way too. A task the panel
  // did not start stays its owner's (Cancel still cancels it); one already followed is left.
  void followTask(MotionCorrectionTask* task);
  // The motion tab: Qt Charts plots when built with MC_WITH_QT_CHARTS (the standalone app), else a
  // chart-free summary (threshold, table of the frames above it). Exactly one is non-null.
  MotionPlots* plots() const { return plots_; }
  MotionSummary* summary() const { return summary_; }
  // The frames as the motion tab shows them (live estimates, then the final parameters).
  const MotionTrace& motionTrace() const;
  // The FD threshold (mm), saved in the settings; frames above it are the outliers.
  double fdThreshold() const;
  void setFdThreshold(double mm);
  QList<int> outlierFrames() const;
  SliceComparisonView* comparison() const { return comparison_; }
  CollapsibleSection* advancedSection() const { return advanced_; }
  // The engine's parameters (mm, radians) and FD of the last run that finished; empty before.
  const std::vector<RigidParameters>& finalParameters() const { return finalParameters_; }
  const std::vector<double>& finalDisplacement() const { return finalDisplacement_; }
  QString statusText() const;
  QString errorText() const;  // empty when no error is shown
  // Controls beside the results (wide windows) or above them (Slicer's module panel).
  void setOrientation(Qt::Orientation orientation);

  // Live mode ("Follow a folder as volumes arrive"): Run starts following the chosen folder and
  // Cancel stops it; each volume fills the motion tab and the live counters as it is aligned.
  bool isLiveMode() const;
  void setLiveMode(bool live);
  void setLiveFolder(const QString& folder);
  // What Start would follow: the folder, TR, FD threshold and outputs of the Live section, the
  // form's estimation parameters, the first volume as reference (one pass). Throws
  // std::invalid_argument with FollowOptions::validate()'s message.
  FollowOptions followOptions() const;
  MotionCorrectionFollowTask* liveTask() const { return liveTask_; }
  LiveCounters* liveCounters() const { return liveCounters_; }

  // Slicer picks the run and the outputs as MRML nodes and starts runs from its own Apply button.
  void setFileSectionVisible(bool visible);
  void setRunButtonVisible(bool visible);

  // QSettings (the application's organization/name), group "MotionCorrectionPanel".
  void saveSettings() const;
  void restoreSettings();
  // Back to SPM's defaults (outputs are kept).
  void resetParameters();

public slots:
  void setInputPath(const QString& path);
  void run();  // in Live mode: startLive()
  void startLive();
  void cancel();
  void showError(const QString& message);
  void clearError();

signals:
  void inputChanged(const QString& path);
  void parametersChanged();  // any parameter (not a path) edited, e.g. to mirror into a parameter node
  void taskStarted(mc::MotionCorrectionTask* task);  // e.g. for Slicer's logic to follow the frames
  void runFinished(const QStringList& writtenPaths);
  void runFailed(const QString& reason);
  void runCancelled();
  // run() was asked for while a run is in progress; nothing new started, `reason` is shown.
  void runRefused(const QString& reason);
  void liveStarted(mc::MotionCorrectionFollowTask* task);
  void liveModeChanged(bool live);  // the Live switch (a host's own Apply may then start it)
  // A Live session ended: followEndName ("frame count", "end marker", "time-out", "cancelled"), or
  // "failed" after the error is shown.
  void liveEnded(const QString& endReason);

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  // The sections, built in this order (which is also the tab order): MotionCorrectionPanelForm.cxx
  // (files, parameters, Advanced), MotionCorrectionPanelRun.cxx (run controls) and
  // MotionCorrectionPanelResults.cxx (motion and before/after tabs); buildUi assembles them.
  void buildUi();
  QWidget* buildFileSection();
  QWidget* buildLiveSection();
  void updateLiveMode();
  void onLiveVolume(const mc::FollowVolume& volume);
  void onLiveNotice(const QString& line);
  void endLive(const QString& endReason);
  QWidget* buildParameterSection();
  void buildAdvancedSection();
  QLayout* buildRunControls();
  void buildResultTabs();
  void connectSignals();
  QWidget* addField(const char* name, QWidget* widget);
  void fitLabelHeights();
  void updateDefaultOutputs();
  void updateEnabledState();
  void loadOriginal(const QString& path);
  void loadRealigned(const QString& path);
  void onFrameEstimated(const mc::FrameResult& result);
  void onProgress(double fraction, const QString& stage);
  void onFinished(const QStringList& paths, const QVariantMap& timings);
  void onFailed(const QString& reason);
  void onCancelled();
  void resetRunDisplay(const EngineRequest& request);
  int expectedFrames() const;
  void endRun();
  static QString alreadyRunningMessage();
  // When a run or Live session is in progress: shows why nothing starts, emits runRefused, true.
  bool refusedWhileRunning();
  void clearRefusal();
  void setStatus(const QString& text);

  PathChooser* input_;
  PathChooser* realigned_;
  PathChooser* mean_;
  PathChooser* parameters_;
  PathChooser* confounds_;
  PathChooser* transforms_;
  PathChooser* weight_;
  QComboBox* reference_;
  QSpinBox* referenceFrame_;
  QCheckBox* estimateOnly_;
  QComboBox* backend_;
  QSpinBox* ranks_;
  QSpinBox* threads_;
  QDoubleSpinBox* quality_;
  QDoubleSpinBox* separation_;
  QDoubleSpinBox* fwhm_;
  QComboBox* estimationInterpolation_;
  QComboBox* resliceInterpolation_;
  QCheckBox* mask_;
  CollapsibleSection* advanced_;
  QPushButton* runButton_;
  QPushButton* cancelButton_;
  QProgressBar* progress_;
  QLabel* stageLabel_;
  QLabel* status_;
  QLabel* error_;
  QTabWidget* results_;
  MotionPlots* plots_ = nullptr;
  MotionSummary* summary_ = nullptr;
  SliceComparisonView* comparison_;
  QSplitter* splitter_;
  QWidget* filesGroup_;
  QWidget* inputSection_;  // the Live switch, the run's files or the Live section
  QWidget* parametersGroup_;  // reference, backend, threads: not Live mode's (one pass, one thread)
  bool fileSectionVisible_ = true;  // setFileSectionVisible, outside Live mode
  bool runButtonVisible_ = true;    // setRunButtonVisible, outside Live mode

  QCheckBox* liveMode_;
  QWidget* liveGroup_;
  PathChooser* liveFolder_;
  QDoubleSpinBox* liveTr_;
  QDoubleSpinBox* liveThreshold_;
  QSpinBox* liveFrames_;
  QDoubleSpinBox* liveTimeout_;
  PathChooser* liveParameters_;
  PathChooser* liveConfounds_;
  LiveCounters* liveCounters_;
  QPointer<MotionCorrectionFollowTask> liveTask_;
  QStringList liveNotices_;

  QMap<QString, QWidget*> fields_;  // table name -> the widget editing it
  QPointer<MotionCorrectionTask> task_;
  bool ownsTask_ = false;  // started by run(): deleted at its end
  int taskFrames_ = 0;     // frames of the followed task's in-memory run (0: from the input file)
  QElapsedTimer clock_;
  QMap<QString, QString> lastDefaults_;  // outputs as last filled in, to tell user edits apart
  int framesSeen_ = 0;  // in currentStage_
  QString currentStage_;
  std::vector<RigidParameters> finalParameters_;
  std::vector<double> finalDisplacement_;
  int loadGeneration_ = 0;
};

}  // namespace mc
