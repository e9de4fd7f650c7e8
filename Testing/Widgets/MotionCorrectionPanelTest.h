#pragma once
// The panel's test case: one QObject whose test functions are defined by topic in
// MotionCorrectionPanel*_test.cxx; CMake runs each function as its own ctest.
#include <QObject>
#include <QTemporaryDir>

class MotionCorrectionPanelTest : public QObject {
  Q_OBJECT
private:
  QTemporaryDir settingsDir_;

private slots:
  void initTestCase();
  void init();

  // MotionCorrectionPanelSettings_test.cxx: defaults, help, output names, remembered settings.
  void defaultsTooltipsAndAdvancedCollapsed();
  void defaultOutputNamesFollowTheInput();
  void settingsAreRememberedBetweenSessions();

  // MotionCorrectionPanelTable_test.cxx: the form's widgets on the parameter table.
  void widgetsFollowTheParameterTable();

  // MotionCorrectionPanelRun_test.cxx: real runs, threads and MPI, what they show.
  void runShowsTheEngineParameters();
  void mpiRunReportsEveryFrame();

  // MotionCorrectionPanelFollow_test.cxx: a task started elsewhere (Slicer's logic).
  void followsATaskStartedElsewhere();

  // MotionCorrectionPanelLive_test.cxx: Live mode, a real run replayed into a folder.
  void liveModeFillsThePlotsAndCountersAsVolumesArrive();
  void liveModeShowsNoticesAndEndsOnTheEndMarker();
  void liveModeRefusesAMissingFolder();
  void liveModeDestroyedWhileFollowingStopsTheSession();

  // MotionCorrectionPanelMotionTab_test.cxx: threshold, outliers and export in the motion tab.
  // Both variant-specific tests are declared in both builds (moc's output then does not depend on
  // MC_WITH_QT_CHARTS, so flipping the option in a build tree cannot leave a stale .moc); CMake
  // registers each only where it applies.
  void thresholdHoverAndExports();
  void outlierTableAndExport();

  // MotionCorrectionPanelFailures_test.cxx: cancel and bad input.
  void cancelLeavesNoOutput();
  void badInputShowsAnErrorInThePanel();

  // MotionCorrectionPanelShutdown_test.cxx: a second Run, and a panel destroyed mid-run.
  void secondRunIsRefusedWithAMessage();
  void destroyedDuringARunLeavesNothing();
  void destroyedDuringAnMpiRunLeavesNoProcess();
};
