// A run the user walks away from: a second Run while one runs is refused with a message (the Run
// button is disabled meanwhile, but the menu's shortcut, Slicer's Apply or a script can still ask),
// and a panel closed and destroyed mid-run (its window closed, the application quitting) cancels
// the run: no output and no temporary file is left, and with the MPI backend mpirun and its ranks
// are gone once the panel is.
#include <QComboBox>
#include <QSpinBox>
#include <unistd.h>

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"
#include "OutputNames.h"
#include "PanelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

// A panel on `run` (outputs under their default names beside it) with the given backend.
MotionCorrectionPanel* panelFor(const QString& run, const QString& backend) {
  auto* panel = new MotionCorrectionPanel;
  panel->show();
  setPath(panel, "inputPath", run);
  auto* backendBox = child<QComboBox>(panel, "backend");
  backendBox->setCurrentIndex(backendBox->findData(backend));
  child<QSpinBox>(panel, "ranks")->setValue(2);
  child<QSpinBox>(panel, "threads")->setValue(1);
  return panel;
}

// Destroys `panel` at its first live frame (the run is under way: reading is over, estimation and
// the staged outputs ahead); `started` gets the processes the run had started by then. `context`
// outlives the wait (calls queued to it are dropped with it).
void destroyAtFirstFrame(QObject* context, MotionCorrectionPanel* panel, std::vector<pid_t>* started) {
  bool destroyed = false;
  QObject::connect(panel, &MotionCorrectionPanel::taskStarted, context, [&, panel](MotionCorrectionTask* task) {
    // Queued: the panel (and the task with it) is deleted after the task's signal, not inside it.
    QObject::connect(task, &MotionCorrectionTask::frameEstimated, context, [&, panel] {
      if (destroyed) return;
      destroyed = true;
      *started = descendantsOf(::getpid());
      delete panel;  // as a window deletes its panel when it closes
    }, Qt::QueuedConnection);
  });
  QTest::mouseClick(child<QPushButton>(panel, "runButton"), Qt::LeftButton);
  QTRY_VERIFY_WITH_TIMEOUT(destroyed, kRunTimeoutMs);
}

}  // namespace

void MotionCorrectionPanelTest::secondRunIsRefusedWithAMessage() {
  QTemporaryDir dir;
  const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("bold.nii.gz")), 16, 6);
  std::unique_ptr<MotionCorrectionPanel> panel(panelFor(run.path, QStringLiteral("threads")));
  QSignalSpy started(panel.get(), &MotionCorrectionPanel::taskStarted);
  QSignalSpy refused(panel.get(), &MotionCorrectionPanel::runRefused);
  QSignalSpy finished(panel.get(), &MotionCorrectionPanel::runFinished);
  QSignalSpy failed(panel.get(), &MotionCorrectionPanel::runFailed);
  QString shownWhileRunning;
  bool asked = false;
  connect(panel.get(), &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
    connect(task, &MotionCorrectionTask::frameEstimated, this, [&] {
      if (asked) return;
      asked = true;
      QVERIFY(!child<QPushButton>(panel.get(), "runButton")->isEnabled());
      panel->run();  // as the Run menu's Ctrl+R or a script would
      shownWhileRunning = panel->errorText();
    });
  });
  QTest::mouseClick(child<QPushButton>(panel.get(), "runButton"), Qt::LeftButton);
  QVERIFY(finished.wait(kRunTimeoutMs) || !failed.isEmpty());
  QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
  QVERIFY(asked);
  QCOMPARE(started.size(), 1);  // the second request started nothing
  QCOMPARE(refused.size(), 1);
  const QString reason = refused.first().first().toString();
  QVERIFY2(reason.contains(QLatin1String("already in progress")) && !reason.contains(QLatin1Char('\n')),
           qPrintable(reason));
  QCOMPARE(shownWhileRunning, reason);
  // The first run was not disturbed, and the refusal is not left on screen after it.
  QCOMPARE(finished.size(), 1);
  QCOMPARE(int(panel->finalParameters().size()), 16);
  QVERIFY(panel->errorText().isEmpty());
  QVERIFY(QFile::exists(defaultOutputsFor(run.path).realigned));
}

void MotionCorrectionPanelTest::destroyedDuringARunLeavesNothing() {
  QTemporaryDir dir;
  const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("bold.nii.gz")), 24, 7);
  QObject context;
  std::vector<pid_t> started;
  destroyAtFirstFrame(&context, panelFor(run.path, QStringLiteral("threads")), &started);
  if (QTest::currentTestFailed()) return;
  // The panel's destructor waited for its run to stop; nothing it staged is left.
  QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("bold.nii.gz")});
}

void MotionCorrectionPanelTest::destroyedDuringAnMpiRunLeavesNoProcess() {
  const QString why = MotionCorrectionTask::backendUnavailableReason(Backend::Mpi);
  if (!why.isEmpty()) QSKIP(qPrintable(why));
  QTemporaryDir dir, tmp;
  const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("mpi.nii.gz")), 24, 8);
  // The launcher's private folder (job file, Open MPI's session files) goes to TMPDIR: one of its own.
  const QByteArray oldTmp = qgetenv("TMPDIR");
  qputenv("TMPDIR", tmp.path().toLocal8Bit());
  QObject context;
  std::vector<pid_t> started;
  destroyAtFirstFrame(&context, panelFor(run.path, QStringLiteral("mpi")), &started);
  if (QTest::currentTestFailed()) return;
  QVERIFY2(started.size() >= 3, qPrintable(QStringLiteral("%1 processes under the test at the first frame, "
                                                          "expected mpirun and 2 ranks").arg(started.size())));
  // mpirun was waited for by the panel's destructor; its ranks die with it (PR_SET_PDEATHSIG), a
  // moment later, and are reaped by whoever adopted them.
  QTRY_VERIFY_WITH_TIMEOUT(aliveCount(started) == 0, 15000);
  QVERIFY(descendantsOf(::getpid()).empty());
  QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("mpi.nii.gz")});
  QTRY_COMPARE_WITH_TIMEOUT(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                            QStringList{}, 5000);
  qputenv("TMPDIR", oldTmp);
}
