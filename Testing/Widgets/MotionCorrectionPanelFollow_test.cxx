// A task the panel did not start (as Slicer's logic starts them, on voxels in memory): the panel
// shows its progress, status, live motion, the frames above the FD threshold and the before/after
// images, and leaves the task to its owner.
#include <QLabel>
#include <QProgressBar>
#include <QSpinBox>
#include <memory>

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"
#include "MotionTrace.h"
#include "PanelTestSupport.h"
#include "SliceComparisonView.h"

using namespace mc;
using namespace mc::test;

void MotionCorrectionPanelTest::followsATaskStartedElsewhere() {
  QTemporaryDir dir;
  const GeneratedRun run = writePhantomRun(dir.filePath(QStringLiteral("bold.nii.gz")), 8);
  EngineRequest request;
  request.inputRun = std::make_shared<const VolumeSeries>(readVolumeSeries(run.path.toStdString()));
  request.keepImages = true;  // no file: the results stay in memory, as in Slicer
  request.poolThreads = 2;
  request.spec.threads = 2;
  auto task = std::make_unique<MotionCorrectionTask>(request);
  QPointer<MotionCorrectionTask> watched = task.get();

  auto panel = std::make_unique<MotionCorrectionPanel>();
  panel->show();
  QVERIFY(QTest::qWaitForWindowExposed(panel.get()));
  int progressSteps = 0, liveFrames = 0;
  connect(task.get(), &MotionCorrectionTask::progress, this, [&] { ++progressSteps; });
  connect(task.get(), &MotionCorrectionTask::frameEstimated, this, [&] { ++liveFrames; });
  panel->followTask(task.get());
  QVERIFY(panel->isRunning());
  QCOMPARE(panel->task(), task.get());
  QVERIFY(!child<QPushButton>(panel.get(), "runButton")->isEnabled());
  QVERIFY(child<QPushButton>(panel.get(), "cancelButton")->isEnabled());
  QVERIFY(panel->statusText().startsWith(QLatin1String("Running on 2 threads")));
  QCOMPARE(panel->comparison()->original(), request.inputRun);

  QSignalSpy finished(panel.get(), &MotionCorrectionPanel::runFinished);
  QSignalSpy failed(panel.get(), &MotionCorrectionPanel::runFailed);
  task->start();
  // Mid-run the progress bar moves and the frames arrive one by one.
  QTRY_VERIFY_WITH_TIMEOUT(panel->motionTrace().frameCount() > 0 || !finished.isEmpty(), kRunTimeoutMs);
  QVERIFY2(finished.wait(kRunTimeoutMs) || !finished.isEmpty() || !failed.isEmpty(), "run did not end");
  QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
  QVERIFY(liveFrames >= 8 && progressSteps > 0);
  QVERIFY(!panel->isRunning());
  QCOMPARE(child<QProgressBar>(panel.get(), "progressBar")->value(), 1000);
  QVERIFY2(panel->statusText().startsWith(QLatin1String("Done")), qPrintable(panel->statusText()));
  QVERIFY(child<QLabel>(panel.get(), "stageLabel")->text().startsWith(QLatin1String("done in")));

  // The motion tab holds the task's final parameters, and the outliers are its FD above the threshold.
  const JobResult& result = task->result();
  QCOMPARE(int(panel->finalParameters().size()), 8);
  QCOMPARE(panel->motionTrace().frameCount(), 8);
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 6; ++i) QCOMPARE(panel->finalParameters()[j][i], result.parameters[j][i]);
  QCOMPARE(panel->finalDisplacement(), result.framewiseDisplacement);
  for (double mm : {0.05, 0.5}) {
    panel->setFdThreshold(mm);
    refreshMotionTab(*panel);
    QList<int> above;
    for (int j = 0; j < 8; ++j)
      if (result.framewiseDisplacement[j] > mm) above << j;
    QCOMPARE(panel->outlierFrames(), above);
  }
  QVERIFY(!panel->outlierFrames().isEmpty() || result.framewiseDisplacement[1] <= 0.5);
  // The realigned run in memory is the "after" image.
  QVERIFY(panel->comparison()->realigned() != nullptr);
  QCOMPARE(panel->comparison()->realigned()->frameCount, 8);

  // The task stays its owner's: not deleted at its end nor with the panel.
  QTest::qWait(50);
  QVERIFY(!watched.isNull());
  panel.reset();
  QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
  QVERIFY(!watched.isNull());
  QCOMPARE(int(task->result().parameters.size()), 8);
}
