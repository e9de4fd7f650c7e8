// Runs that end without results: cancelled mid-run (nothing is written, the panel is ready again),
// and a corrupt or missing input or a bad output name (a one-line error in the panel).
#include <QLabel>
#include <QSpinBox>

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"
#include "PanelTestSupport.h"

using namespace mc;
using namespace mc::test;

void MotionCorrectionPanelTest::cancelLeavesNoOutput() {
  QTemporaryDir dir;
  const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("long.nii.gz")), 24, 5);
  MotionCorrectionPanel panel;
  panel.show();
  setPath(&panel, "inputPath", run.path);
  child<QSpinBox>(&panel, "threads")->setValue(1);
  bool cancelled = false;
  connect(&panel, &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
    connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&] {
      if (!cancelled) {
        cancelled = true;
        QTest::mouseClick(child<QPushButton>(&panel, "cancelButton"), Qt::LeftButton);
      }
    });
  });
  QSignalSpy cancelledSpy(&panel, &MotionCorrectionPanel::runCancelled);
  QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(cancelledSpy.wait(kRunTimeoutMs));
  QVERIFY(cancelled);
  QVERIFY(finished.isEmpty());
  QVERIFY(!panel.isRunning());
  QVERIFY(panel.statusText().startsWith(QLatin1String("Cancelled")));
  QVERIFY(panel.errorText().isEmpty());
  QTest::qWait(200);  // anything late would show up now
  QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("long.nii.gz")});
  // The panel is ready again: the same run completes.
  child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(finished.wait(kRunTimeoutMs));
  QCOMPARE(int(panel.finalParameters().size()), 24);
  QCOMPARE(panel.motionTrace().frameCount(), 24);
#if MC_WITH_QT_CHARTS
  QCOMPARE(panel.plots()->translationSeries(0)->points().size(), 24);
#endif
}

void MotionCorrectionPanelTest::badInputShowsAnErrorInThePanel() {
  QTemporaryDir dir;
  const QString bad = dir.filePath(QStringLiteral("broken.nii.gz"));
  {
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a NIfTI file");
  }
  MotionCorrectionPanel panel;
  panel.show();
  setPath(&panel, "inputPath", bad);
  // Reading it for the before/after view already reports it.
  QTRY_VERIFY_WITH_TIMEOUT(panel.errorText().contains(QLatin1String("broken.nii.gz")), 10000);
  QSignalSpy failed(&panel, &MotionCorrectionPanel::runFailed);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(failed.wait(kRunTimeoutMs));
  const QString reason = failed.first().first().toString();
  QVERIFY2(reason.contains(QLatin1String("broken.nii.gz")) && !reason.contains(QLatin1Char('\n')), qPrintable(reason));
  QCOMPARE(panel.errorText(), reason);
  QVERIFY(child<QLabel>(&panel, "errorLabel")->isVisible());
  QVERIFY(child<QPushButton>(&panel, "runButton")->isEnabled());
  QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("broken.nii.gz")});
  test::saveScreenshot(&panel, QStringLiteral("panel_error.png"));

  // A missing file and a bad parameter are refused before anything starts.
  setPath(&panel, "inputPath", dir.filePath(QStringLiteral("missing.nii.gz")));
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(!panel.isRunning());
  QVERIFY2(panel.errorText().contains(QLatin1String("missing.nii.gz: no such file")), qPrintable(panel.errorText()));
  setPath(&panel, "inputPath", bad);
  setPath(&panel, "meanPath", dir.filePath(QStringLiteral("mean.txt")));
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(!panel.isRunning());
  QVERIFY2(panel.errorText().contains(QLatin1String("mean.txt")), qPrintable(panel.errorText()));
  // Typing into the input clears the message.
  setPath(&panel, "inputPath", dir.filePath(QStringLiteral("other.nii.gz")));
  QTRY_VERIFY(panel.errorText().contains(QLatin1String("other.nii.gz: no such file")));
}
