#pragma once
// File > Correct BIDS dataset…: a small dialog choosing a BIDS folder, its derivatives folder, the
// participants and task (as BIDS apps take them), the backend and resume; it runs
// MotionCorrectionDatasetTask (the core's runDataset) with a progress line (runs done and failed,
// time left) and, at the end, offers to open the HTML report. The estimation and reslice options
// are the panel's (the template given), so a dataset is corrected as the single run would be.
#include <memory>

#include <QDialog>
#include <QString>

#include "JobSpec.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace mc {

struct DatasetOptions;
class MotionCorrectionDatasetTask;

class DatasetDialog : public QDialog {
  Q_OBJECT
public:
  explicit DatasetDialog(QWidget* parent = nullptr);
  ~DatasetDialog() override;  // cancels and waits for a running dataset

  // The estimation and reslice options (no paths) every run is corrected with.
  void setJobTemplate(const JobSpec& templ);
  void setBidsFolder(const QString& folder);  // also proposes <folder>/derivatives/motioncorrection
  void setDerivativesFolder(const QString& folder);
  bool isRunning() const;
  QString statusText() const;
  QString reportPath() const;  // motion_report.html once a dataset finished with a report; else ""
  // The options the fields describe; throws std::invalid_argument with one line for what is missing.
  DatasetOptions options() const;

public slots:
  void start();  // refuses (status line says why) when a field is wrong or a dataset is running
  void cancel();
  void openReport();  // QDesktopServices: the system's browser
  void reject() override;  // Close (and closing the window) while running cancels first

signals:
  void statusChanged(const QString& line);  // every status line, progress lines included
  void datasetFinished(int done, int skipped, int failed);
  void datasetCancelled();
  void datasetFailed(const QString& reason);

private:
  void setStatus(const QString& line);
  void showProgress(int ended, int total, int failed, double remainingSeconds);
  void ended();
  void chooseFolder(QLineEdit* edit, const QString& title);

  JobSpec template_;
  QLineEdit *bids_, *derivatives_, *participants_, *task_;
  QComboBox* backend_;
  QCheckBox* resume_;
  QLabel* status_;
  QPushButton *start_, *cancel_, *openReport_;
  std::unique_ptr<MotionCorrectionDatasetTask> running_;
  QString reportPath_;
};

}  // namespace mc
