// Real runs through the widgets: the parameters typed in reach the engine, every frame arrives
// live, the motion tab and the panel's final parameters are the engine's rp file, the before/after
// view shows the realigned run closer to the reference; the MPI backend fills the tab the same way.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QProgressBar>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <algorithm>

#include "MotionMetrics.h"
#include "MotionTrace.h"
#include "OutputNames.h"
#include "ParameterFiles.h"
#include "SliceComparisonView.h"

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"
#include "PanelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

// After a finished 8-frame run: what the Slicer glue imports and what the motion tab shows (plots or
// outlier table) are the numbers of the engine's rp file and the core's FD.
void checkMotionTabShows(MotionCorrectionPanel& panel, const std::vector<RigidParameters>& rp,
                         const std::vector<double>& fd) {
  // What the Slicer glue imports: the same numbers.
  QCOMPARE(int(panel.finalParameters().size()), 8);
  QCOMPARE(int(panel.finalDisplacement().size()), 8);
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 6; ++i) QVERIFY(std::abs(panel.finalParameters()[j][i] - rp[j][i]) < 1e-6);
  // The motion tab holds the engine's final numbers, in either build.
  const MotionTrace& trace = panel.motionTrace();
  QVERIFY(trace.isFinal());
  QCOMPARE(trace.frameCount(), 8);
  for (int j = 0; j < 8; ++j) {
    for (int i = 0; i < 6; ++i) QVERIFY(std::abs(trace.frames()[j][i] - rp[j][i]) < 1e-6);
    QVERIFY(std::abs(trace.displacement(j) - fd[j]) < 1e-5);
  }
#if MC_WITH_QT_CHARTS
  MotionPlots* plots = panel.plots();
  for (int a = 0; a < 3; ++a) {
    const auto t = plots->translationSeries(a)->points();
    const auto r = plots->rotationSeries(a)->points();
    QCOMPARE(int(t.size()), 8);
    QCOMPARE(int(r.size()), 8);
    for (int j = 0; j < 8; ++j) {
      QCOMPARE(t[j].x(), double(j));
      QVERIFY2(std::abs(t[j].y() - rp[j][a]) < 1e-6, qPrintable(QStringLiteral("frame %1 axis %2").arg(j).arg(a)));
      QVERIFY(std::abs(r[j].y() - rp[j][a + 3] * kDeg) < 1e-6);
    }
  }
  const auto fdPoints = plots->displacementSeries()->points();
  QCOMPARE(int(fdPoints.size()), 8);
  for (int j = 0; j < 8; ++j) QVERIFY(std::abs(fdPoints[j].y() - fd[j]) < 1e-5);
#else
  // Without charts: at a 0 mm threshold every moved frame (1..7) is a row of the outlier table,
  // with the rp file's numbers (rotations in degrees) and the core's FD.
  panel.setFdThreshold(0.0);
  QTableWidget* table = child<QTableWidget>(panel.summary(), "outlierTable");
  QCOMPARE(table->rowCount(), 7);
  for (int row = 0; row < 7; ++row) {
    const int j = row + 1;
    QCOMPARE(table->item(row, 0)->text(), QString::number(j));
    for (int a = 0; a < 3; ++a) {
      QVERIFY(std::abs(table->item(row, 1 + a)->data(Qt::UserRole).toDouble() - rp[j][a]) < 1e-6);
      QVERIFY(std::abs(table->item(row, 4 + a)->data(Qt::UserRole).toDouble() - rp[j][a + 3] * kDeg) < 1e-6);
    }
    QVERIFY(std::abs(table->item(row, 7)->data(Qt::UserRole).toDouble() - fd[j]) < 1e-5);
  }
  panel.setFdThreshold(0.5);
#endif
}

// Before/after: realigned frames differ less from the reference than the originals do.
void checkBeforeAfterIsCloser(MotionCorrectionPanel& panel, const std::vector<RigidParameters>& rp) {
  SliceComparisonView* view = panel.comparison();
  QTRY_VERIFY_WITH_TIMEOUT(view->realigned() != nullptr && view->original() != nullptr, 20000);
  child<QTabWidget>(&panel, "resultsTabs")->setCurrentWidget(view);
  int moved = 1;
  for (int j = 1; j < 8; ++j)
    if (std::abs(rp[j][0]) + std::abs(rp[j][1]) + std::abs(rp[j][2]) >
        std::abs(rp[moved][0]) + std::abs(rp[moved][1]) + std::abs(rp[moved][2]))
      moved = j;
  child<QSlider>(view, "frameSlider")->setValue(moved);
  QCOMPARE(view->frame(), moved);
  QCOMPARE(child<QSpinBox>(view, "frameSpin")->value(), moved);
  auto* mode = child<QComboBox>(view, "comparisonMode");
  mode->setCurrentIndex(SliceComparisonView::DifferenceToReference);
  for (int o = 0; o < 3; ++o) {
    const double before = test::meanGrey(view->image(0, SliceComparisonView::Orientation(o)));
    const double after = test::meanGrey(view->image(1, SliceComparisonView::Orientation(o)));
    QVERIFY2(before > 0 && after < 0.8 * before,
             qPrintable(QStringLiteral("orientation %1: %2 -> %3").arg(o).arg(before).arg(after)));
  }
  test::saveScreenshot(&panel, QStringLiteral("panel_before_after.png"));
  mode->setCurrentIndex(SliceComparisonView::Images);
  QVERIFY(!view->image(1, SliceComparisonView::Axial).isNull());
}

}  // namespace

void MotionCorrectionPanelTest::runShowsTheEngineParameters() {
  QTemporaryDir dir;
  const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("bold.nii.gz")), 8);
  MotionCorrectionPanel panel;
  panel.resize(1100, 900);
  panel.setOrientation(Qt::Horizontal);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  setPath(&panel, "inputPath", run.path);
  child<QDoubleSpinBox>(&panel, "fwhm")->setValue(4.0);
  child<QSpinBox>(&panel, "threads")->setValue(2);
  auto* reslice = child<QComboBox>(&panel, "resliceInterpolation");
  reslice->setCurrentIndex(reslice->findData(3));
  QCOMPARE(panel.engineRequest().spec.estimation.fwhm, 4.0);
  QCOMPARE(panel.engineRequest().spec.reslice.interpolation, 3);

  int liveFrames = 0;
  bool shotTaken = false;
  connect(&panel, &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
    connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&](const FrameResult& r) {
      QVERIFY(r.frame >= 0 && r.frame < 8);
      ++liveFrames;
      // Mid-run: the plots are partly filled, the progress bar moves.
      if (liveFrames == 5 && !shotTaken) refreshMotionTab(panel);
      if (liveFrames == 5 && !shotTaken) shotTaken = test::saveScreenshot(&panel, QStringLiteral("panel_running.png"));
    });
  });
  QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
  QSignalSpy failed(&panel, &MotionCorrectionPanel::runFailed);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(panel.isRunning());
  QVERIFY(!child<QPushButton>(&panel, "runButton")->isEnabled());
  QVERIFY(child<QPushButton>(&panel, "cancelButton")->isEnabled());
  QVERIFY2(finished.wait(kRunTimeoutMs) || !failed.isEmpty(), "run did not end");
  QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
  QVERIFY(liveFrames >= 8);  // every frame arrived live, before the end
  QVERIFY(shotTaken);
  QVERIFY(!panel.isRunning());
  QCOMPARE(child<QProgressBar>(&panel, "progressBar")->value(), 1000);
  QVERIFY(panel.errorText().isEmpty());
  QVERIFY(panel.statusText().startsWith(QLatin1String("Done")));

  // Outputs exist under their default names, nothing else is left in the folder.
  const DefaultOutputs out = defaultOutputsFor(run.path);
  for (const QString& p : {out.realigned, out.mean, out.parameters, out.confounds}) QVERIFY2(QFile::exists(p), qPrintable(p));
  QCOMPARE(test::filesIn(dir.path()), (QStringList{QStringLiteral("bold.nii.gz"), QStringLiteral("bold_confounds.tsv"),
                                                   QStringLiteral("meanbold.nii.gz"), QStringLiteral("rbold.nii.gz"),
                                                   QStringLiteral("rp_bold.txt")}));
  QCOMPARE(finished.first().first().toStringList().size(), 4);

  // One point per frame, equal to the engine's rp file.
  const std::vector<RigidParameters> rp = parseRpFile(out.parameters.toStdString());
  QCOMPARE(int(rp.size()), 8);
  const std::vector<double> fd = framewiseDisplacement(rp);
  checkMotionTabShows(panel, rp, fd);
  if (QTest::currentTestFailed()) return;
  // The estimates are the phantom's true motion (the engine's accuracy is tested elsewhere; this
  // guards against plotting the wrong thing, e.g. radians as degrees or frames shifted).
  double worst = 0, worstDeg = 0;
  for (int j = 0; j < 8; ++j)
    for (int a = 0; a < 3; ++a) {
      worst = std::max(worst, std::abs(panel.finalParameters()[j][a] - run.truth[j][a]));
      worstDeg = std::max(worstDeg, std::abs(panel.finalParameters()[j][a + 3] - run.truth[j][a + 3]) * kDeg);
    }
  QVERIFY2(worst < 0.3, qPrintable(QString::number(worst)));
  QVERIFY2(worstDeg < 0.3, qPrintable(QString::number(worstDeg)));
  // Confounds TSV: header and one row per frame.
  QCOMPARE(readLines(out.confounds).size(), 9);

  checkBeforeAfterIsCloser(panel, rp);
  if (QTest::currentTestFailed()) return;
  child<QTabWidget>(&panel, "resultsTabs")->setCurrentIndex(0);
  QVERIFY(test::saveScreenshot(&panel, QStringLiteral("panel_done.png")));
}

void MotionCorrectionPanelTest::mpiRunReportsEveryFrame() {
  const QString why = MotionCorrectionTask::backendUnavailableReason(Backend::Mpi);
  if (!why.isEmpty()) QSKIP(qPrintable(why));
  QTemporaryDir dir;
  const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("mpi.nii.gz")), 8, 9);
  MotionCorrectionPanel panel;
  setPath(&panel, "inputPath", run.path);
  auto* backend = child<QComboBox>(&panel, "backend");
  backend->setCurrentIndex(backend->findData(QStringLiteral("mpi")));
  child<QSpinBox>(&panel, "ranks")->setValue(2);
  child<QSpinBox>(&panel, "threads")->setValue(1);
  child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
  QCOMPARE(panel.engineRequest().backend, Backend::Mpi);
  int live = 0;
  connect(&panel, &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
    connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&] { ++live; });
  });
  QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
  QSignalSpy failed(&panel, &MotionCorrectionPanel::runFailed);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(finished.wait(kRunTimeoutMs) || !failed.isEmpty());
  QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
  QVERIFY(live >= 8);
  const auto rp = parseRpFile(defaultOutputsFor(run.path).parameters.toStdString());
  QCOMPARE(panel.motionTrace().frameCount(), 8);
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 6; ++i) QVERIFY(std::abs(panel.motionTrace().frames()[j][i] - rp[j][i]) < 1e-6);
#if MC_WITH_QT_CHARTS
  const auto points = panel.plots()->translationSeries(2)->points();
  QCOMPARE(int(points.size()), 8);
  for (int j = 0; j < 8; ++j) QVERIFY(std::abs(points[j].y() - rp[j][2]) < 1e-6);
#endif
}
