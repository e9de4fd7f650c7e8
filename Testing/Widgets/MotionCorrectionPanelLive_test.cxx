// The panel's Live mode on real files: a writer thread replays volumes of a real BOLD run into a
// folder (FollowReplay.h) while the panel follows it, driven through its widgets as a user would.
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>
#include <algorithm>
#include <memory>

#include "FollowReplay.h"
#include "GuiTestSupport.h"
#include "LiveCounters.h"
#include "MotionCorrectionPanelTest.h"
#include "MotionTrace.h"
#include "PanelTestSupport.h"
#include "ParameterFiles.h"

using namespace mc;
using namespace mc::test;

namespace {

// Live mode on, the folder typed, the TR and threshold set, rp rows written beside the folder.
void setUpLive(MotionCorrectionPanel& panel, const QString& folder, const QString& rp) {
  QCheckBox* live = child<QCheckBox>(&panel, "liveMode");
  QVERIFY(!live->isChecked());
  QVERIFY(!child<QWidget>(&panel, "liveSection")->isVisible());
  live->click();
  QVERIFY(panel.isLiveMode());
  QVERIFY(child<QWidget>(&panel, "liveSection")->isVisible());
  QVERIFY(!child<PathChooser>(&panel, "inputPath")->isVisible());  // the run's files make way
  QCOMPARE(child<QPushButton>(&panel, "runButton")->text(), QStringLiteral("Start following"));
  QCOMPARE(child<QPushButton>(&panel, "cancelButton")->text(), QStringLiteral("Stop"));
  if (QTest::currentTestFailed()) return;
  setPath(&panel, "liveFolder", folder);
  setPath(&panel, "liveParametersPath", rp);
  child<QDoubleSpinBox>(&panel, "liveTr")->setValue(2.0);
  child<QDoubleSpinBox>(&panel, "liveFdThreshold")->setValue(0.3);
  child<QDoubleSpinBox>(&panel, "liveTimeout")->setValue(60);  // a guard; Stop or END ends the tests
}

}  // namespace

void MotionCorrectionPanelTest::liveModeFillsThePlotsAndCountersAsVolumesArrive() {
  const int frames = 40;
  const VolumeSeries& run = realRun(frames);
  QTemporaryDir folder, out;
  const QString rp = out.filePath(QStringLiteral("rp_live.txt"));
  MotionCorrectionPanel panel;
  panel.setOrientation(Qt::Horizontal);
  panel.resize(1200, 820);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  setUpLive(panel, folder.path(), rp);
  if (QTest::currentTestFailed()) return;
  QCOMPARE(panel.fdThreshold(), 0.3);  // the motion tab marks frames against the live threshold

  QSignalSpy started(&panel, &MotionCorrectionPanel::liveStarted);
  QSignalSpy ended(&panel, &MotionCorrectionPanel::liveEnded);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QCOMPARE(started.count(), 1);
  QVERIFY(panel.isRunning());
  QVERIFY(panel.liveTask());
  QVERIFY(!child<QPushButton>(&panel, "runButton")->isEnabled());
  QVERIFY(child<QPushButton>(&panel, "cancelButton")->isEnabled());
  QVERIFY(!child<QCheckBox>(&panel, "liveMode")->isEnabled());
  QVERIFY(panel.statusText().startsWith(QLatin1String("Following ")));

  // Per volume: the motion tab's frames and the counters grow with the volumes written so far.
  std::vector<int> framesSeen;
  connect(panel.liveTask(), &MotionCorrectionFollowTask::volumeAligned, this, [&](const FollowVolume& v) {
    framesSeen.push_back(panel.motionTrace().frameCount());
    QCOMPARE(panel.liveCounters()->summary().volumes, v.summary.volumes);
  });
  ReplayPlan plan;
  plan.intervalMs = 15;
  FollowReplay replay(folder.path().toStdString(), run, plan);
  QTRY_COMPARE_WITH_TIMEOUT(panel.motionTrace().frameCount(), frames, 60000);
  replay.join();
  QCOMPARE(int(framesSeen.size()), frames);
  for (int j = 0; j < frames; ++j) QCOMPARE(framesSeen[std::size_t(j)], j + 1);  // one frame per volume, in order
  QVERIFY(panel.isRunning());  // no frame count, no END: it waits for more

  // What the plots and counters show equals what the rp file (written by the core) gives.
  refreshMotionTab(panel);
  const std::vector<RigidParameters> rows = parseRpFile(rp.toStdString());
  QCOMPARE(int(rows.size()), frames);
  const std::vector<double> fd = framewiseDisplacement(rows);
#if MC_WITH_QT_CHARTS
  QCOMPARE(int(panel.plots()->translationSeries(0)->count()), frames);
  QCOMPARE(int(panel.plots()->rotationSeries(2)->count()), frames);
  QCOMPARE(int(panel.plots()->displacementSeries()->count()), frames);
  for (int j = 0; j < frames; ++j) {
    QVERIFY(std::fabs(panel.plots()->translationSeries(0)->at(j).y() - rows[std::size_t(j)][0]) < 1e-5);
    QVERIFY(std::fabs(panel.plots()->displacementSeries()->at(j).y() - fd[std::size_t(j)]) < 1e-5);
  }
#endif
  const FollowSummary& s = panel.liveCounters()->summary();
  QCOMPARE(s.volumes, frames);
  const double levels[] = {0.2, 0.3, 0.5};
  QCOMPARE(int(s.under.size()), 3);
  for (int i = 0; i < 3; ++i)
    QCOMPARE(s.under[std::size_t(i)], int(std::count_if(fd.begin(), fd.end(), [&](double d) { return d < levels[i]; })));
  const int usable = int(std::count_if(fd.begin(), fd.end(), [](double d) { return d < 0.3; }));
  QCOMPARE(s.usable, usable);
  QVERIFY(std::fabs(s.usableMinutes - usable * 2.0 / 60.0) < 1e-9);
  QVERIFY(std::fabs(s.maxFd - *std::max_element(fd.begin(), fd.end())) < 1e-6);
  const QStringList lines = panel.liveCounters()->lines();
  QVERIFY2(lines.contains(QStringLiteral("volumes: %1").arg(frames)), qPrintable(lines.join(QLatin1Char('|'))));
  const QString under02 = QStringLiteral("FD < 0.2 mm: %1 (%2%)").arg(s.under[0]).arg(std::lround(100.0 * s.under[0] / frames));
  QVERIFY2(lines.contains(under02), qPrintable(lines.join(QLatin1Char('|')) + QLatin1String(" want ") + under02));
  QVERIFY(child<QLabel>(&panel, "stageLabel")->text().startsWith(QStringLiteral("volume %1 (vol%2.nii)").arg(frames).arg(frames - 1, 4, 10, QLatin1Char('0'))));
  QVERIFY(saveScreenshot(&panel, QStringLiteral("live-panel.png")));  // the source of Resources/Screenshots/live-panel.png

  // Stop ends it: the rows so far stay, the panel is idle and shows how it ended.
  QTest::mouseClick(child<QPushButton>(&panel, "cancelButton"), Qt::LeftButton);
  QVERIFY(ended.wait(10000));
  QCOMPARE(ended.first().first().toString(), QStringLiteral("cancelled"));
  QVERIFY(!panel.isRunning());
  QVERIFY(!panel.liveTask());
  QVERIFY(child<QPushButton>(&panel, "runButton")->isEnabled());
  QVERIFY2(panel.statusText().startsWith(QStringLiteral("Stopped (cancelled): %1 volumes; rows in rp_live.txt").arg(frames)),
           qPrintable(panel.statusText()));
  QCOMPARE(int(panel.finalParameters().size()), frames);
  QCOMPARE(panel.motionTrace().frameCount(), frames);
  QCOMPARE(int(parseRpFile(rp.toStdString()).size()), frames);
  QVERIFY(panel.errorText().isEmpty());
}

void MotionCorrectionPanelTest::liveModeShowsNoticesAndEndsOnTheEndMarker() {
  const VolumeSeries& run = realRun(6);
  QTemporaryDir folder, out;
  MotionCorrectionPanel panel;
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  setUpLive(panel, folder.path(), out.filePath(QStringLiteral("rp.txt")));
  if (QTest::currentTestFailed()) return;
  QSignalSpy ended(&panel, &MotionCorrectionPanel::liveEnded);
  panel.run();  // Slicer's Apply, the app's menu: the same as Start in Live mode
  QVERIFY(panel.liveTask());
  ReplayPlan plan;
  plan.corrupt = {3};
  plan.endMarker = true;
  {
    FollowReplay replay(folder.path().toStdString(), run, plan);
  }
  QVERIFY(ended.wait(30000));
  QCOMPARE(ended.first().first().toString(), QStringLiteral("end marker"));
  QCOMPARE(panel.motionTrace().frameCount(), 5);
  QCOMPARE(panel.liveCounters()->summary().volumes, 5);
  const QString status = panel.statusText();
  QVERIFY2(status.startsWith(QLatin1String("Stopped (end marker): 5 volumes, 1 skipped")), qPrintable(status));
  QVERIFY2(status.contains(QLatin1String("vol0003.nii")) && status.contains(QLatin1String("skipped")), qPrintable(status));
}

void MotionCorrectionPanelTest::liveModeRefusesAMissingFolder() {
  QTemporaryDir out;
  MotionCorrectionPanel panel;
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  setUpLive(panel, out.filePath(QStringLiteral("no-such-folder")), QString());
  if (QTest::currentTestFailed()) return;
  panel.run();
  QVERIFY(!panel.isRunning());
  QVERIFY2(panel.errorText().contains(QLatin1String("no-such-folder: not a folder")), qPrintable(panel.errorText()));
  // As in Slicer's module (files chosen as nodes, Apply runs): the Live switch and Start stay.
  panel.setFileSectionVisible(false);
  panel.setRunButtonVisible(false);
  QVERIFY(child<QCheckBox>(&panel, "liveMode")->isVisible());
  QVERIFY(child<QPushButton>(&panel, "runButton")->isVisible());
  QVERIFY(!child<PathChooser>(&panel, "inputPath")->isVisible());
  child<QCheckBox>(&panel, "liveMode")->click();
  QVERIFY(!child<QPushButton>(&panel, "runButton")->isVisible());
  QVERIFY(!child<PathChooser>(&panel, "inputPath")->isVisible());
  panel.setFileSectionVisible(true);
  panel.setRunButtonVisible(true);
  child<QCheckBox>(&panel, "liveMode")->click();
  // Back to a run's files: the offline form is as it was.
  child<QCheckBox>(&panel, "liveMode")->click();
  QVERIFY(child<PathChooser>(&panel, "inputPath")->isVisible());
  QCOMPARE(child<QPushButton>(&panel, "runButton")->text(), QStringLiteral("Run motion correction"));
}

void MotionCorrectionPanelTest::liveModeDestroyedWhileFollowingStopsTheSession() {
  QTemporaryDir folder;
  auto panel = std::make_unique<MotionCorrectionPanel>();
  panel->show();
  QVERIFY(QTest::qWaitForWindowExposed(panel.get()));
  setUpLive(*panel, folder.path(), QString());
  if (QTest::currentTestFailed()) return;
  child<QDoubleSpinBox>(panel.get(), "liveTimeout")->setValue(0);  // it would wait for ever
  panel->run();
  QPointer<MotionCorrectionFollowTask> task = panel->liveTask();
  QVERIFY(task);
  QTRY_VERIFY(task->isRunning());
  QTest::qWait(50);  // the session is looking at the empty folder
  panel.reset();     // cancels the session and waits for its thread
  QVERIFY(task.isNull());
}
