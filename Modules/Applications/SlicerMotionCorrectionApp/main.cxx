// SlicerMotionCorrectionApp: the motion-correction panel as a desktop application.
//   SlicerMotionCorrectionApp [run.nii.gz] [--run] [--output-dir DIR] [--quit-when-done] [--screenshot FILE.png]
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QMap>
#include <QTimer>
#include <cstdio>

#include "AtomicOutput.h"
#include "MainWindow.h"
#include "MotionCorrectionPanel.h"
#include "OutputNames.h"

namespace {

void saveScreenshot(QWidget* window, const QString& path) {
  if (path.isEmpty()) return;
  if (!window->grab().save(path)) std::fprintf(stderr, "SlicerMotionCorrectionApp: %s: cannot write screenshot\n", qPrintable(path));
}

}  // namespace

int main(int argc, char** argv) {
  mc::installTemporaryFileCleanupOnSignals();
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("SlicerMotionCorrection"));
  QApplication::setApplicationName(QStringLiteral("SlicerMotionCorrectionApp"));
  QApplication::setApplicationVersion(QStringLiteral(MC_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Rigid head-motion correction of 4D fMRI runs (SPM12-style realign), with live motion plots."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("run"), QStringLiteral("A 4D run to open (.nii.gz, .nii, .nrrd)."),
                               QStringLiteral("[run]"));
  const QCommandLineOption runOption(QStringLiteral("run"), QStringLiteral("Start the motion correction at once."));
  const QCommandLineOption outputDirOption(
      QStringLiteral("output-dir"), QStringLiteral("Write the outputs (default names) to DIR instead of beside the run."),
      QStringLiteral("DIR"));
  const QCommandLineOption quitOption(QStringLiteral("quit-when-done"),
                                      QStringLiteral("Exit when the run ends: 0 if it succeeded, 1 otherwise."));
  const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                            QStringLiteral("Save a picture of the window to FILE when the run ends "
                                                           "(or once shown, without --run)."),
                                            QStringLiteral("FILE"));
  parser.addOptions({runOption, outputDirOption, quitOption, screenshotOption});
  parser.process(app);

  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1) {
    std::fprintf(stderr, "SlicerMotionCorrectionApp: error: give one run, got %d files\n", int(positional.size()));
    return 2;
  }
  if (parser.isSet(runOption) && positional.isEmpty()) {
    std::fprintf(stderr, "SlicerMotionCorrectionApp: error: --run needs a run to open\n");
    return 2;
  }

  mc::MainWindow window;
  mc::MotionCorrectionPanel* panel = window.panel();
  const QString screenshot = parser.value(screenshotOption);
  const bool quitWhenDone = parser.isSet(quitOption);
  if (!positional.isEmpty()) {
    window.openFile(positional.first());
    if (parser.isSet(outputDirOption)) {
      const QDir dir(parser.value(outputDirOption));
      if (!dir.exists()) {
        std::fprintf(stderr, "SlicerMotionCorrectionApp: error: --output-dir: %s: no such folder\n",
                     qPrintable(dir.path()));
        return 2;
      }
      const mc::DefaultOutputs d = mc::defaultOutputsFor(dir.filePath(QFileInfo(positional.first()).fileName()));
      panel->setParameterValues({{QStringLiteral("output"), d.realigned},
                                 {QStringLiteral("mean"), d.mean},
                                 {QStringLiteral("params"), d.parameters},
                                 {QStringLiteral("confounds"), d.confounds}});
    }
  }
  window.show();

  bool ended = false;
  auto finish = [&](int code) {
    if (ended) return;
    ended = true;
    // Let the last status text lay out (and the realigned run load) before the picture is taken.
    QTimer::singleShot(screenshot.isEmpty() ? 0 : 400, &window, [&, code] {
      saveScreenshot(&window, screenshot);
      if (quitWhenDone) QApplication::exit(code);
    });
  };
  QObject::connect(panel, &mc::MotionCorrectionPanel::runFinished, &app, [&](const QStringList& paths) {
    for (const QString& p : paths) std::printf("%s\n", qPrintable(p));
    std::fflush(stdout);
    finish(0);
  });
  QObject::connect(panel, &mc::MotionCorrectionPanel::runFailed, &app, [&](const QString& reason) {
    std::fprintf(stderr, "SlicerMotionCorrectionApp: error: %s\n", qPrintable(reason));
    finish(1);
  });
  QObject::connect(panel, &mc::MotionCorrectionPanel::runCancelled, &app, [&] { finish(1); });

  if (parser.isSet(runOption)) {
    QTimer::singleShot(0, panel, [&] {
      panel->run();
      // run() reports a bad request in the panel without starting a task.
      if (!panel->isRunning()) {
        std::fprintf(stderr, "SlicerMotionCorrectionApp: error: %s\n", qPrintable(panel->errorText()));
        finish(1);
      }
    });
  } else if (!screenshot.isEmpty() || quitWhenDone) {
    QTimer::singleShot(800, &window, [&] { finish(panel->errorText().isEmpty() ? 0 : 1); });
  }
  return app.exec();
}
