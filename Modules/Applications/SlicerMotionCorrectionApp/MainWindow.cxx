#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QUrl>

#include "DatasetDialog.h"
#include "ImageIO.h"
#include "MotionCorrectionPanel.h"
#include "RunParameters.h"

namespace mc {
namespace {

const char* kRecentKey = "App/recentFiles";
const char* kGeometryKey = "App/geometry";

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("SlicerMotionCorrection"));
  panel_ = new MotionCorrectionPanel(this);
  panel_->setOrientation(Qt::Horizontal);
  setCentralWidget(panel_);
  setAcceptDrops(true);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open run…"), this, &MainWindow::openFileInteractively);
  open->setShortcut(QKeySequence::Open);
  open->setObjectName(QStringLiteral("actionOpen"));
  recentMenu_ = file->addMenu(tr("Open &recent"));
  recentMenu_->setObjectName(QStringLiteral("recentMenu"));
  file->addSeparator();
  QAction* dataset = file->addAction(tr("Correct BIDS &dataset…"), this, &MainWindow::showDatasetDialog);
  dataset->setObjectName(QStringLiteral("actionCorrectDataset"));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setObjectName(QStringLiteral("actionQuit"));

  QMenu* runMenu = menuBar()->addMenu(tr("&Run"));
  QAction* run = runMenu->addAction(tr("&Run motion correction"), panel_, &MotionCorrectionPanel::run);
  run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  QAction* cancel = runMenu->addAction(tr("&Cancel"), panel_, &MotionCorrectionPanel::cancel);
  cancel->setShortcut(QKeySequence(Qt::Key_Escape));
  runMenu->addSeparator();
  runMenu->addAction(tr("Restore SPM &defaults"), panel_, &MotionCorrectionPanel::resetParameters);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About"), this, [this] {
    QMessageBox::about(this, tr("About SlicerMotionCorrection"),
                       tr("<b>SlicerMotionCorrection</b> %1<br>Rigid head-motion correction (SPM12-style realign: "
                          "estimate and reslice) of 4D fMRI runs.<br>Qt %2.")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
  });

  statusBar()->showMessage(tr("Open a 4D run (File > Open, or drop a .nii.gz here)."));
  connect(panel_, &MotionCorrectionPanel::runFinished, this,
          [this](const QStringList& paths) { statusBar()->showMessage(tr("Done: %1 files written").arg(paths.size())); });
  connect(panel_, &MotionCorrectionPanel::runFailed, this, [this] { statusBar()->showMessage(tr("Failed")); });
  connect(panel_, &MotionCorrectionPanel::runCancelled, this, [this] { statusBar()->showMessage(tr("Cancelled")); });
  // Live mode (the panel's "Follow a folder as volumes arrive"): Run > Run starts it, Run > Cancel stops it.
  connect(panel_, &MotionCorrectionPanel::liveStarted, this, [this] { statusBar()->showMessage(tr("Live: following")); });
  connect(panel_, &MotionCorrectionPanel::liveEnded, this,
          [this](const QString& why) { statusBar()->showMessage(tr("Live: stopped (%1)").arg(why)); });

  QSettings settings;
  if (!restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray())) resize(1180, 780);
  rebuildRecentMenu();
}

MainWindow::~MainWindow() = default;

bool MainWindow::isOpenableImage(const QString& path) {
  return !path.isEmpty() && isSupportedImagePath(path.toStdString());
}

QStringList MainWindow::recentFiles() const {
  return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void MainWindow::openFile(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  panel_->setInputPath(absolute);
  setWindowTitle(tr("%1 — SlicerMotionCorrection").arg(QFileInfo(absolute).fileName()));
  if (!QFileInfo::exists(absolute)) return;  // the panel shows the error; not worth remembering
  QStringList recent = recentFiles();
  recent.removeAll(absolute);
  recent.prepend(absolute);
  while (recent.size() > kMaxRecentFiles) recent.removeLast();
  QSettings().setValue(QLatin1String(kRecentKey), recent);
  rebuildRecentMenu();
  statusBar()->showMessage(tr("Opened %1").arg(absolute));
}

void MainWindow::openFileInteractively() {
  const QStringList recent = recentFiles();
  const QString start = recent.isEmpty() ? QString() : QFileInfo(recent.first()).absolutePath();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a 4D run"), start,
                                                    tr("4D images (*.nii.gz *.nii *.nrrd *.nhdr);;All files (*)"));
  if (!path.isEmpty()) openFile(path);
}

void MainWindow::showDatasetDialog() {
  if (!datasetDialog_) {
    datasetDialog_ = new DatasetDialog(this);
    connect(datasetDialog_, &DatasetDialog::datasetFinished, this, [this](int done, int skipped, int failed) {
      statusBar()->showMessage(tr("Dataset: %1 corrected, %2 skipped, %3 failed").arg(done).arg(skipped).arg(failed));
    });
    connect(datasetDialog_, &DatasetDialog::datasetCancelled, this,
            [this] { statusBar()->showMessage(tr("Dataset: cancelled")); });
    connect(datasetDialog_, &DatasetDialog::datasetFailed, this,
            [this](const QString& why) { statusBar()->showMessage(tr("Dataset: failed (%1)").arg(why)); });
  }
  // Every run is corrected with the panel's estimation and reslice options; its paths are one
  // run's and do not apply (the derivatives layout names the files).
  RunRequest templ;
  const QMap<QString, QString> values = panel_->parameterValues();
  try {
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
      const std::string name = it.key().toStdString();
      if (name == "input" || name == "output" || name == "mean" || name == "params" || name == "transforms" ||
          name == "confounds")
        continue;
      setRunParameter(templ, name, it.value().toStdString());
    }
  } catch (const std::exception& e) {
    statusBar()->showMessage(tr("Dataset: the panel's options are not valid (%1); the defaults are used")
                                 .arg(QString::fromStdString(e.what())));
    templ = RunRequest{};
  }
  datasetDialog_->setJobTemplate(templ.spec);
  datasetDialog_->show();
  datasetDialog_->raise();
}

void MainWindow::clearRecentFiles() {
  QSettings().remove(QLatin1String(kRecentKey));
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = recentFiles();
  for (int i = 0; i < recent.size(); ++i) {
    const QString path = recent[i];
    QAction* a = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
                                        [this, path] { openFile(path); });
    a->setToolTip(path);
    a->setStatusTip(path);
    a->setData(path);
  }
  if (!recent.isEmpty()) recentMenu_->addSeparator();
  QAction* clear = recentMenu_->addAction(tr("Clear list"), this, &MainWindow::clearRecentFiles);
  clear->setEnabled(!recent.isEmpty());
}

QString MainWindow::droppedImage(const QMimeData* mime) const {
  if (!mime || !mime->hasUrls()) return QString();
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile() && isOpenableImage(url.toLocalFile())) return url.toLocalFile();
  return QString();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!droppedImage(event->mimeData()).isEmpty() && !panel_->isRunning()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString path = droppedImage(event->mimeData());
  if (path.isEmpty() || panel_->isRunning()) return;
  openFile(path);
  event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (panel_->isRunning()) panel_->cancel();
  if (datasetDialog_) datasetDialog_->reject();  // a running dataset stops at its next frame
  panel_->saveSettings();
  QSettings().setValue(QLatin1String(kGeometryKey), saveGeometry());
  event->accept();
}

}  // namespace mc
