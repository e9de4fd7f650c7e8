#include "MotionSummary.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

namespace mc {
namespace {

constexpr double kDegreesPerRadian = 180.0 / M_PI;

QTableWidgetItem* numberItem(double value, int decimals) {
  auto* item = new QTableWidgetItem(QString::number(value, 'f', decimals));
  item->setData(Qt::UserRole, value);  // the unrounded value, for whoever reads the table
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  return item;
}

}  // namespace

MotionSummary::MotionSummary(QWidget* parent) : QWidget(parent) {
  thresholdControls_ =
      new FdThresholdControls(tr("Frames whose framewise displacement (Power et al. 2012) exceeds this are listed as "
                                 "outliers; 0.5 mm is a common censoring threshold."),
                              this);
  statsLabel_ = new QLabel(this);
  statsLabel_->setObjectName(QStringLiteral("motionStatsLabel"));
  statsLabel_->setWordWrap(true);

  table_ = new QTableWidget(0, 8, this);
  table_->setObjectName(QStringLiteral("outlierTable"));
  table_->setHorizontalHeaderLabels({tr("frame"), tr("x (mm)"), tr("y (mm)"), tr("z (mm)"), tr("pitch (°)"),
                                     tr("roll (°)"), tr("yaw (°)"), tr("FD (mm)")});
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setToolTip(tr("The frames above the FD threshold; click one to compare it before and after."));
  connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
    if (QTableWidgetItem* item = table_->item(row, 0)) emit frameClicked(item->data(Qt::UserRole).toInt());
  });

  QPushButton* exportTsv = makeExportParametersButton(this);
  connect(exportTsv, &QPushButton::clicked, this, &MotionSummary::exportParametersInteractively);

  auto* bottomRow = new QHBoxLayout;
  bottomRow->addWidget(statsLabel_, 1);
  bottomRow->addWidget(exportTsv);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(thresholdControls_);
  layout->addWidget(table_, 1);
  layout->addLayout(bottomRow);

  refreshTimer_ = connectMotionView(this, thresholdControls_);
  refresh();
}

void MotionSummary::clear(int expectedFrames) {
  trace_.clear(expectedFrames);
  refresh();
}

void MotionSummary::setFrameParameters(int frame, const RigidParameters& parameters) {
  addLiveFrame(trace_, refreshTimer_, frame, parameters);
}

void MotionSummary::setExpectedFrames(int frames) {
  trace_.setExpectedFrames(frames);
  refresh();
}

void MotionSummary::setFinalParameters(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd) {
  setFinalFrames(trace_, refreshTimer_, parameters, fd);
  refresh();
}

double MotionSummary::threshold() const { return thresholdControls_->threshold(); }

void MotionSummary::setThreshold(double mm) { thresholdControls_->setThreshold(mm); }

void MotionSummary::refresh() {
  const bool changed = thresholdControls_->update(trace_);  // also the outlier label
  const QList<int>& outliers = thresholdControls_->outliers();
  table_->setRowCount(int(outliers.size()));
  for (int row = 0; row < int(outliers.size()); ++row) {
    const int j = outliers[row];
    const RigidParameters& p = trace_.frames()[j];
    auto* frameItem = new QTableWidgetItem(QString::number(j));
    frameItem->setData(Qt::UserRole, j);
    frameItem->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    table_->setItem(row, 0, frameItem);
    for (int a = 0; a < 3; ++a) {
      table_->setItem(row, 1 + a, numberItem(p[a], 3));
      table_->setItem(row, 4 + a, numberItem(p[a + 3] * kDegreesPerRadian, 3));
    }
    table_->setItem(row, 7, numberItem(trace_.displacement(j), 3));
  }
  // How far the run got and its worst frame, so a run without outliers still says something.
  double worst = -1;
  int worstFrame = -1;
  for (auto it = trace_.frames().cbegin(); it != trace_.frames().cend(); ++it)
    if (trace_.hasDisplacement(it.key()) && trace_.displacement(it.key()) > worst) {
      worst = trace_.displacement(it.key());
      worstFrame = it.key();
    }
  const int total = trace_.expectedFrames();
  QString stats = total > 0 ? tr("%1 of %2 frames estimated").arg(trace_.frameCount()).arg(total)
                            : tr("%1 frames estimated").arg(trace_.frameCount());
  if (trace_.isFinal()) stats = tr("%1 frames, final parameters").arg(trace_.frameCount());
  if (worstFrame > 0) stats += tr("; largest FD %1 mm (frame %2)").arg(worst, 0, 'f', 3).arg(worstFrame);
  statsLabel_->setText(stats);
  if (changed) emit outliersChanged(outliers);
}

void MotionSummary::exportParametersInteractively() {
  const QString status = exportParametersWithDialog(this, trace_);
  if (!status.isEmpty()) statsLabel_->setText(status);
}

}  // namespace mc
