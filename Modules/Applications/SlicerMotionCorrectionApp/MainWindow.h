#pragma once
// The standalone app's window: the panel, File > Open, recent files, drag-and-drop of a run, and
// File > Correct BIDS dataset… (DatasetDialog).
#include <QMainWindow>
#include <QStringList>

class QMenu;
class QMimeData;

namespace mc {

class DatasetDialog;
class MotionCorrectionPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  MotionCorrectionPanel* panel() const { return panel_; }
  QStringList recentFiles() const;
  // The dataset dialog once File > Correct BIDS dataset… opened it (it stays, with its last status).
  DatasetDialog* datasetDialog() const { return datasetDialog_; }
  static constexpr int kMaxRecentFiles = 8;
  // True for a local file name the app can open (.nii, .nii.gz, .nrrd, .nhdr).
  static bool isOpenableImage(const QString& path);

public slots:
  void openFile(const QString& path);
  void openFileInteractively();
  void clearRecentFiles();
  void showDatasetDialog();

protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

private:
  void rebuildRecentMenu();
  QString droppedImage(const QMimeData* mime) const;

  MotionCorrectionPanel* panel_;
  QMenu* recentMenu_;
  DatasetDialog* datasetDialog_ = nullptr;
};

}  // namespace mc
