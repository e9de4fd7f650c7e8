#include "DatasetDialog.h"

#include <cmath>
#include <stdexcept>

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QUrl>
#include <QVBoxLayout>

#include "MotionCorrectionDatasetTask.h"

namespace mc {
namespace {

// "01 02", "sub-01, sub-02": the labels, as findBidsRuns takes them (the key is optional).
std::vector<std::string> labelsIn(const QString& text) {
  std::vector<std::string> labels;
  for (const QString& s : text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts))
    labels.push_back(s.toStdString());
  return labels;
}

QString timeLeft(double seconds) {
  if (seconds < 0) return QString();
  if (seconds < 90) return DatasetDialog::tr(", about %1 s left").arg(int(std::ceil(seconds)));
  return DatasetDialog::tr(", about %1 min left").arg(int(std::ceil(seconds / 60)));
}

}  // namespace

DatasetDialog::DatasetDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Correct BIDS dataset"));
  auto folderRow = [this](QLineEdit*& edit, const QString& name, const QString& title) {
    edit = new QLineEdit(this);
    edit->setObjectName(name);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this, &edit, title] { chooseFolder(edit, title); });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return row;
  };
  auto* form = new QFormLayout;
  form->addRow(tr("BIDS folder"), folderRow(bids_, QStringLiteral("bidsFolderEdit"), tr("BIDS dataset")));
  form->addRow(tr("Derivatives folder"),
               folderRow(derivatives_, QStringLiteral("derivativesFolderEdit"), tr("Derivatives folder")));
  connect(bids_, &QLineEdit::editingFinished, this, [this] { setBidsFolder(bids_->text()); });
  participants_ = new QLineEdit(this);
  participants_->setObjectName(QStringLiteral("participantsEdit"));
  participants_->setPlaceholderText(tr("all (or e.g. 01 02)"));
  form->addRow(tr("Participants"), participants_);
  task_ = new QLineEdit(this);
  task_->setObjectName(QStringLiteral("taskEdit"));
  task_->setPlaceholderText(tr("all (or e.g. rest)"));
  form->addRow(tr("Task"), task_);
  backend_ = new QComboBox(this);
  backend_->setObjectName(QStringLiteral("backendCombo"));
  backend_->addItem(tr("Threads (this computer, one run after the other)"), int(Backend::Threads));
  backend_->addItem(tr("MPI (ranks take runs from a queue)"), int(Backend::Mpi));
  form->addRow(tr("Backend"), backend_);
  resume_ = new QCheckBox(tr("Skip runs already complete (resume)"), this);
  resume_->setObjectName(QStringLiteral("resumeCheck"));
  resume_->setChecked(true);
  form->addRow(QString(), resume_);

  status_ = new QLabel(tr("Choose a BIDS folder."), this);  // not through setStatus: nothing connected yet
  status_->setObjectName(QStringLiteral("statusLabel"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  start_ = buttons->addButton(tr("Start"), QDialogButtonBox::ActionRole);
  start_->setObjectName(QStringLiteral("startButton"));
  cancel_ = buttons->addButton(tr("Cancel dataset"), QDialogButtonBox::ActionRole);
  cancel_->setObjectName(QStringLiteral("cancelButton"));
  cancel_->setEnabled(false);
  openReport_ = buttons->addButton(tr("Open report"), QDialogButtonBox::ActionRole);
  openReport_->setObjectName(QStringLiteral("openReportButton"));
  openReport_->setEnabled(false);
  connect(start_, &QPushButton::clicked, this, &DatasetDialog::start);
  connect(cancel_, &QPushButton::clicked, this, &DatasetDialog::cancel);
  connect(openReport_, &QPushButton::clicked, this, &DatasetDialog::openReport);
  connect(buttons, &QDialogButtonBox::rejected, this, &DatasetDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(status_);
  layout->addWidget(buttons);
  resize(620, sizeHint().height());
}

DatasetDialog::~DatasetDialog() = default;  // the task's destructor cancels and waits

void DatasetDialog::setJobTemplate(const JobSpec& templ) { template_ = templ; }

void DatasetDialog::setBidsFolder(const QString& folder) {
  bids_->setText(folder);
  // The BIDS-apps convention, unless the user chose another place.
  if (derivatives_->text().isEmpty() && !folder.isEmpty())
    derivatives_->setText(QDir(folder).filePath(QStringLiteral("derivatives/motioncorrection")));
}

void DatasetDialog::setDerivativesFolder(const QString& folder) { derivatives_->setText(folder); }

void DatasetDialog::setStatus(const QString& line) {
  status_->setText(line);
  emit statusChanged(line);
}

bool DatasetDialog::isRunning() const { return running_ && running_->isRunning(); }

QString DatasetDialog::statusText() const { return status_->text(); }

QString DatasetDialog::reportPath() const { return reportPath_; }

DatasetOptions DatasetDialog::options() const {
  DatasetOptions o;
  o.bidsRoot = bids_->text().trimmed().toStdString();
  o.derivativesRoot = derivatives_->text().trimmed().toStdString();
  if (o.bidsRoot.empty()) throw std::invalid_argument("choose the BIDS folder");
  if (o.derivativesRoot.empty()) throw std::invalid_argument("choose the derivatives folder");
  o.selection.participants = labelsIn(participants_->text());
  o.selection.tasks = labelsIn(task_->text());
  o.job = template_;
  for (std::string* path : {&o.job.input, &o.job.realignedOutput, &o.job.meanOutput, &o.job.parametersOutput,
                            &o.job.transformsOutput, &o.job.confoundsOutput})
    path->clear();  // the derivatives layout names every run's files
  o.backend = Backend(backend_->currentData().toInt());
  o.resume = resume_->isChecked();
  o.validate();
  return o;
}

void DatasetDialog::start() {
  if (isRunning()) return;
  DatasetOptions o;
  try {
    o = options();
  } catch (const std::exception& e) {
    setStatus(tr("Not started: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  reportPath_.clear();
  openReport_->setEnabled(false);
  running_ = std::make_unique<MotionCorrectionDatasetTask>(std::move(o));
  connect(running_.get(), &MotionCorrectionDatasetTask::progress, this, &DatasetDialog::showProgress);
  connect(running_.get(), &MotionCorrectionDatasetTask::finished, this, &DatasetDialog::ended);
  connect(running_.get(), &MotionCorrectionDatasetTask::cancelled, this, &DatasetDialog::ended);
  connect(running_.get(), &MotionCorrectionDatasetTask::failed, this, [this](const QString& reason) {
    setStatus(tr("Failed: %1").arg(reason));
    start_->setEnabled(true);
    cancel_->setEnabled(false);
    emit datasetFailed(reason);
  });
  start_->setEnabled(false);
  cancel_->setEnabled(true);
  setStatus(tr("Looking for runs…"));
  running_->start();
}

void DatasetDialog::cancel() {
  if (!isRunning()) return;
  running_->cancel();
  setStatus(status_->text() + tr(" — cancelling (the run in flight is not kept)"));
}

void DatasetDialog::openReport() {
  if (!reportPath_.isEmpty()) QDesktopServices::openUrl(QUrl::fromLocalFile(reportPath_));
}

void DatasetDialog::reject() {
  if (isRunning()) running_->cancel();  // stops at the next frame; the task's destructor waits
  QDialog::reject();
}

void DatasetDialog::showProgress(int ended, int total, int failed, double remainingSeconds) {
  setStatus(tr("%1 of %2 runs, %3 failed%4").arg(ended).arg(total).arg(failed).arg(timeLeft(remainingSeconds)));
}

void DatasetDialog::ended() {
  const DatasetResult& r = running_->result();
  const int done = r.count(RunStatus::Done), skipped = r.count(RunStatus::Skipped), failed = r.count(RunStatus::Failed);
  QString line = tr("%1: %2 corrected, %3 skipped (complete), %4 failed")
                     .arg(r.cancelled ? tr("Cancelled") : tr("Done"))
                     .arg(done)
                     .arg(skipped)
                     .arg(failed);
  // The first failure's reason names the file; the summary table has them all.
  for (const auto& run : r.runs)
    if (run.status == RunStatus::Failed) {
      line += tr(" — %1").arg(QString::fromStdString(run.reason));
      break;
    }
  setStatus(line);
  reportPath_ = QString::fromStdString(r.reportPath);
  openReport_->setEnabled(!reportPath_.isEmpty());
  start_->setEnabled(true);
  cancel_->setEnabled(false);
  if (r.cancelled)
    emit datasetCancelled();
  else
    emit datasetFinished(done, skipped, failed);
}

void DatasetDialog::chooseFolder(QLineEdit* edit, const QString& title) {
  const QString folder = QFileDialog::getExistingDirectory(this, title, edit->text());
  if (folder.isEmpty()) return;
  if (edit == bids_)
    setBidsFolder(folder);
  else
    edit->setText(folder);
}

}  // namespace mc
