// The standalone app: in-process (open, recent files, drag-and-drop) and as a real process started the
// way the README does (file on the command line, --run), offscreen.
#include <QAction>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QTabWidget>
#include <QSettings>
#include <QStatusBar>
#include <QUrl>
#include <QtTest>
#include <csignal>
#include <unistd.h>

#include "FollowReplay.h"
#include "GuiTestSupport.h"
#include "LiveCounters.h"
#include "MainWindow.h"
#include "MotionCorrectionPanel.h"
#include "MotionCorrectionTask.h"
#include "MotionPlots.h"
#include "OutputNames.h"
#include "PanelTestSupport.h"
#include "ParameterFiles.h"
#include "SliceComparisonView.h"

using namespace mc;

namespace {

QList<QAction*> recentActions(MainWindow& window) {
  QList<QAction*> out;
  for (QAction* a : window.findChild<QMenu*>(QStringLiteral("recentMenu"))->actions())
    if (a->data().isValid()) out << a;
  return out;
}

// Sends a drag entering the window and then a drop, as the window system would.
bool dropFiles(MainWindow& window, const QList<QUrl>& urls) {
  QMimeData mime;
  mime.setUrls(urls);
  const QPoint at = window.rect().center();
  QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &enter);
  if (!enter.isAccepted()) return false;
  QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &drop);
  return drop.isAccepted();
}

}  // namespace

class SlicerMotionCorrectionAppTest : public QObject {
  Q_OBJECT
private:
  QTemporaryDir settingsDir_;
  QTemporaryDir data_;
  test::GeneratedRun run_;

private slots:
  void initTestCase() {
    QVERIFY(settingsDir_.isValid() && data_.isValid());
    test::isolateSettings(settingsDir_.path());
    run_ = test::writePhantomRun(data_.filePath(QStringLiteral("example.nii.gz")), 8, 4);
  }

  void openFileAndRecentFiles() {
    const QString second = data_.filePath(QStringLiteral("second.nii.gz"));
    QVERIFY(QFile::copy(run_.path, second));
    {
      MainWindow window;
      window.show();
      QVERIFY(recentActions(window).isEmpty());
      window.openFile(run_.path);
      QCOMPARE(window.panel()->inputPath(), run_.path);
      QVERIFY(window.windowTitle().startsWith(QLatin1String("example.nii.gz")));
      window.openFile(second);
      window.openFile(run_.path);  // reopening moves it to the top, not twice in the list
      QCOMPARE(window.recentFiles(), (QStringList{run_.path, second}));
      // Missing files are reported, not remembered.
      window.openFile(data_.filePath(QStringLiteral("gone.nii.gz")));
      QTRY_VERIFY(window.panel()->errorText().contains(QLatin1String("gone.nii.gz: no such file")));
      QCOMPARE(window.recentFiles().size(), 2);
    }
    // Another session: the menu lists them and opens them.
    MainWindow window;
    const QList<QAction*> actions = recentActions(window);
    QCOMPARE(actions.size(), 2);
    QCOMPARE(actions[1]->data().toString(), second);
    actions[1]->trigger();
    QCOMPARE(window.panel()->inputPath(), second);
    QCOMPARE(window.recentFiles().first(), second);
    window.clearRecentFiles();
    QVERIFY(recentActions(window).isEmpty());
    QFile::remove(second);
  }

  void dragAndDropOpensARun() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(!dropFiles(window, {QUrl::fromLocalFile(data_.filePath(QStringLiteral("notes.txt")))}));
    QVERIFY(window.panel()->inputPath().isEmpty());
    QVERIFY(dropFiles(window, {QUrl(QStringLiteral("https://example.org/bold.nii.gz")), QUrl::fromLocalFile(run_.path)}));
    QCOMPARE(window.panel()->inputPath(), run_.path);
    QCOMPARE(window.panel()->parameterValues()["output"], defaultOutputsFor(run_.path).realigned);
    QCOMPARE(window.recentFiles().first(), run_.path);
  }

  void commandLineOpensAndRunsTheExample() {
    QTemporaryDir out;
    const QString shot = test::screenshotPath(QStringLiteral("app_after_run.png"));
    QFile::remove(shot);
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), settingsDir_.path());
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(MC_APP_PATH), {run_.path, QStringLiteral("--run"), QStringLiteral("--output-dir"), out.path(),
                                           QStringLiteral("--quit-when-done"), QStringLiteral("--screenshot"), shot});
    QVERIFY(app.waitForFinished(180000));
    const QString err = QString::fromUtf8(app.readAllStandardError());
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QVERIFY2(app.exitCode() == 0, qPrintable(err));
    const DefaultOutputs expected = defaultOutputsFor(QDir(out.path()).filePath(QStringLiteral("example.nii.gz")));
    const QStringList printed = QString::fromUtf8(app.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString& p : {expected.realigned, expected.mean, expected.parameters, expected.confounds}) {
      QVERIFY2(QFile::exists(p), qPrintable(p));
      QVERIFY(printed.contains(p));
    }
    QCOMPARE(int(parseRpFile(expected.parameters.toStdString()).size()), 8);
    const QImage picture(shot);
    QVERIFY(picture.width() >= 800 && picture.height() >= 500);
  }

  void commandLineReportsABadRun() {
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("truncated.nii.gz"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("\x1f\x8b garbage");
    f.close();
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), settingsDir_.path());
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(MC_APP_PATH), {bad, QStringLiteral("--run"), QStringLiteral("--quit-when-done")});
    QVERIFY(app.waitForFinished(60000));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 1);
    const QString err = QString::fromUtf8(app.readAllStandardError());
    QVERIFY2(err.contains(QLatin1String("truncated.nii.gz")), qPrintable(err));
    QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("truncated.nii.gz")});
    // Usage errors exit 2.
    app.start(QStringLiteral(MC_APP_PATH), {QStringLiteral("--run")});
    QVERIFY(app.waitForFinished(60000));
    QCOMPARE(app.exitCode(), 2);
  }

  // File > Quit (the window closes) during an MPI run: the run is cancelled, mpirun and its ranks
  // are gone once the window is (as when main() returns), and no output or temporary is left.
  void quitDuringAnMpiRunLeavesNothing() {
    const QString why = MotionCorrectionTask::backendUnavailableReason(Backend::Mpi);
    if (!why.isEmpty()) QSKIP(qPrintable(why));
    QTemporaryDir out;
    auto* window = new MainWindow;
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    window->openFile(run_.path);
    const DefaultOutputs names = defaultOutputsFor(QDir(out.path()).filePath(QStringLiteral("example.nii.gz")));
    window->panel()->setParameterValues({{QStringLiteral("output"), names.realigned},
                                         {QStringLiteral("mean"), names.mean},
                                         {QStringLiteral("params"), names.parameters},
                                         {QStringLiteral("confounds"), names.confounds},
                                         {QStringLiteral("backend"), QStringLiteral("mpi")},
                                         {QStringLiteral("mpi-ranks"), QStringLiteral("2")},
                                         {QStringLiteral("threads"), QStringLiteral("1")}});
    QCOMPARE(window->panel()->engineRequest().backend, Backend::Mpi);
    QObject context;  // queued calls to it are dropped when the test ends
    std::vector<pid_t> started;
    bool quit = false;
    connect(window->panel(), &MotionCorrectionPanel::taskStarted, &context, [&](MotionCorrectionTask* task) {
      connect(task, &MotionCorrectionTask::frameEstimated, &context, [&] {
        if (quit) return;
        quit = true;
        started = test::descendantsOf(::getpid());
        window->findChild<QAction*>(QStringLiteral("actionQuit"))->trigger();
      }, Qt::QueuedConnection);
    });
    window->panel()->run();
    QTRY_VERIFY_WITH_TIMEOUT(quit, 180000);
    QVERIFY(!window->isVisible());
    QVERIFY2(started.size() >= 3, qPrintable(QStringLiteral("%1 processes at the first frame").arg(started.size())));
    delete window;  // what main() does once the last window closed and the event loop returned
    QTRY_VERIFY_WITH_TIMEOUT(test::aliveCount(started) == 0, 15000);
    QVERIFY(test::descendantsOf(::getpid()).empty());
    QCOMPARE(test::filesIn(out.path()), QStringList{});
  }

  // The app as a real process, SIGTERM while its MPI run is under way: exit 128+15, no mpirun or
  // rank left, no output or temporary. The MPI backend comes from the app's remembered settings.
  void terminatedDuringAnMpiRunLeavesNothing() {
    const QString why = MotionCorrectionTask::backendUnavailableReason(Backend::Mpi);
    if (!why.isEmpty()) QSKIP(qPrintable(why));
    QTemporaryDir config, out, tmp;
    {
      QSettings s(config.filePath(QStringLiteral("SlicerMotionCorrection/SlicerMotionCorrectionApp.conf")),
                  QSettings::IniFormat);
      s.beginGroup(QStringLiteral("MotionCorrectionPanel"));
      s.setValue(QStringLiteral("backend"), QStringLiteral("mpi"));
      s.setValue(QStringLiteral("mpi-ranks"), 2);
      s.setValue(QStringLiteral("threads"), 1);
    }
    const test::GeneratedRun run = test::writePhantomRun(out.filePath(QStringLiteral("long.nii.gz")), 60, 5);
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), config.path());  // Qt's own, not to be counted below
    env.insert(QStringLiteral("TMPDIR"), tmp.path());  // the MPI job folder, to see that none is left
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(MC_APP_PATH), {run.path, QStringLiteral("--run"), QStringLiteral("--quit-when-done")});
    QVERIFY(app.waitForStarted());
    // Under way once mpirun and both ranks exist.
    std::vector<pid_t> started;
    QTRY_VERIFY_WITH_TIMEOUT((started = test::descendantsOf(pid_t(app.processId()))).size() >= 3 ||
                                 app.state() == QProcess::NotRunning, 120000);
    QVERIFY2(app.state() == QProcess::Running, qPrintable(QString::fromUtf8(app.readAllStandardError())));
    ::kill(pid_t(app.processId()), SIGTERM);
    QVERIFY(app.waitForFinished(60000));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 128 + SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(test::aliveCount(started) == 0, 15000);
    QCOMPARE(test::filesIn(out.path()), QStringList{QStringLiteral("long.nii.gz")});
    QTRY_COMPARE_WITH_TIMEOUT(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                              QStringList{}, 5000);
  }

  void windowScreenshot() {
    // A longer run than the other tests, so the picture (Resources/Screenshots/panel.png) looks like a
    // real session.
    QTemporaryDir dir;
    const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("sub-01_task-rest_bold.nii.gz")), 40, 2);
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openFile(run.path);
    // The stage line under the progress bar, as each progress report arrives.
    QStringList stageTexts;
    QElapsedTimer clock;
    connect(window.panel(), &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
      connect(task, &MotionCorrectionTask::progress, &window, [&] {
        stageTexts << window.findChild<QLabel*>(QStringLiteral("stageLabel"))->text();
      });
    });
    QSignalSpy finished(window.panel(), &MotionCorrectionPanel::runFinished);
    clock.start();
    window.panel()->run();
    QVERIFY(finished.wait(180000));
    const double seconds = clock.elapsed() / 1000.0;
    QVERIFY(!stageTexts.isEmpty());
    QVERIFY(stageTexts.filter(QStringLiteral("pass 1")).size() > 0);
    // Names each stage with its frame count; the time left appears once the rate is known (after 0.15 s).
    QVERIFY2(stageTexts.filter(QStringLiteral("of 40 frames")).size() > 0, qPrintable(stageTexts.join(QLatin1Char('|'))));
    if (seconds > 0.5)
      QVERIFY2(stageTexts.filter(QStringLiteral("left")).size() > 0, qPrintable(stageTexts.join(QLatin1Char('|'))));
    qInfo("run of 40 frames: %.2f s; stage line e.g. '%s'", seconds, qPrintable(stageTexts.value(stageTexts.size() / 2)));
    QTest::qWait(300);  // the realigned run loads in the background for the before/after tab
    QVERIFY(test::saveScreenshot(&window, QStringLiteral("app_window.png")));
    QCOMPARE(window.panel()->plots()->frameCount(), 40);
  }

  void realRunBeforeAfter() {
    // A real BOLD run (2 frames) from the shared data: the before/after view shows real slices.
    const QString real = QDir(QStringLiteral(MC_DATA_DIR)).filePath(QStringLiteral("nibabel_example4d.nii.gz"));
    if (!QFile::exists(real)) QSKIP("MC_DATA_DIR has no nibabel_example4d.nii.gz");
    QTemporaryDir out;
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openFile(real);
    const DefaultOutputs names = defaultOutputsFor(QDir(out.path()).filePath(QStringLiteral("nibabel_example4d.nii.gz")));
    window.panel()->setParameterValues({{QStringLiteral("output"), names.realigned},
                                        {QStringLiteral("mean"), names.mean},
                                        {QStringLiteral("params"), names.parameters},
                                        {QStringLiteral("confounds"), names.confounds}});
    QSignalSpy finished(window.panel(), &MotionCorrectionPanel::runFinished);
    window.panel()->run();
    QVERIFY(finished.wait(180000));
    SliceComparisonView* view = window.panel()->comparison();
    QTRY_VERIFY_WITH_TIMEOUT(view->realigned() != nullptr, 20000);
    window.findChild<QTabWidget*>(QStringLiteral("resultsTabs"))->setCurrentWidget(view);
    view->setFrame(1);
    for (int row = 0; row < 2; ++row)
      for (int o = 0; o < 3; ++o) {
        const QImage slice = view->image(row, SliceComparisonView::Orientation(o));
        QVERIFY(!slice.isNull());
        QVERIFY(test::meanGrey(slice) > 5);  // brain, not an empty frame
      }
    QVERIFY(test::saveScreenshot(&window, QStringLiteral("app_real_before_after.png")));
  }

  void liveModeFromTheRunMenu() {
    // The app's way to Live mode: the panel's switch, then Run > Run and Run > Cancel, on a real BOLD
    // run replayed into a folder (the source of Resources/Screenshots/live-panel.png).
    const int frames = 60;
    const VolumeSeries& run = test::realRun(frames);
    QTemporaryDir folder, out;
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    MotionCorrectionPanel* panel = window.panel();
    test::child<QCheckBox>(panel, "liveMode")->click();
    test::setPath(panel, "liveFolder", folder.path());
    test::setPath(panel, "liveParametersPath", out.filePath(QStringLiteral("rp_live.txt")));
    test::child<QDoubleSpinBox>(panel, "liveTr")->setValue(2.0);
    QAction* runAction = nullptr;
    QAction* cancelAction = nullptr;
    for (QAction* a : window.findChildren<QAction*>()) {
      if (a->text() == QLatin1String("&Run motion correction")) runAction = a;
      if (a->text() == QLatin1String("&Cancel")) cancelAction = a;
    }
    QVERIFY(runAction && cancelAction);
    QSignalSpy ended(panel, &MotionCorrectionPanel::liveEnded);
    runAction->trigger();
    QVERIFY(panel->liveTask());
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Live: following"));
    test::ReplayPlan plan;
    plan.intervalMs = 15;
    {
      test::FollowReplay replay(folder.path().toStdString(), run, plan);
      QTRY_COMPARE_WITH_TIMEOUT(panel->plots()->frameCount(), frames, 60000);
    }
    panel->plots()->refresh();
    QCOMPARE(int(panel->plots()->displacementSeries()->count()), frames);
    QCOMPARE(panel->liveCounters()->summary().volumes, frames);
    QVERIFY(test::saveScreenshot(&window, QStringLiteral("app_live.png")));
    cancelAction->trigger();
    QVERIFY(ended.wait(10000));
    QCOMPARE(ended.first().first().toString(), QStringLiteral("cancelled"));
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Live: stopped (cancelled)"));
    QCOMPARE(int(parseRpFile(out.filePath(QStringLiteral("rp_live.txt")).toStdString()).size()), frames);
  }
};

QTEST_MAIN(SlicerMotionCorrectionAppTest)
#include "SlicerMotionCorrectionApp_test.moc"
