#include "OutlierControls.h"

#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

namespace mc {

FdThresholdControls::FdThresholdControls(const QString& toolTip, QWidget* parent) : QWidget(parent) {
  spin_ = new QDoubleSpinBox(this);
  spin_->setObjectName(QStringLiteral("fdThreshold"));
  spin_->setRange(0.0, 20.0);
  spin_->setDecimals(2);  // the tests pick thresholds with two decimals
  spin_->setSingleStep(0.05);
  spin_->setSuffix(QStringLiteral(" mm"));
  spin_->setValue(MotionTrace::kDefaultThresholdMm);
  spin_->setToolTip(toolTip);
  label_ = new QLabel(this);
  label_->setObjectName(QStringLiteral("outlierLabel"));
  label_->setWordWrap(true);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);  // laid out as a row of the owner's layout, as before
  row->addWidget(new QLabel(tr("FD threshold:"), this));
  row->addWidget(spin_);
  row->addWidget(label_, 1);
  connect(spin_, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, &FdThresholdControls::thresholdChanged);
}

double FdThresholdControls::threshold() const { return spin_->value(); }

void FdThresholdControls::setThreshold(double mm) { spin_->setValue(mm); }

bool FdThresholdControls::update(const MotionTrace& trace) {
  const double limit = threshold();
  QList<int> outliers = trace.outlierFrames(limit);
  const bool changed = outliers != outliers_;
  outliers_ = std::move(outliers);
  label_->setText(trace.outlierSummary(limit));
  return changed;
}

QPushButton* makeExportParametersButton(QWidget* parent) {
  auto* button = new QPushButton(QObject::tr("Export parameters…"), parent);
  button->setObjectName(QStringLiteral("exportParametersButton"));
  button->setToolTip(QObject::tr("Save the motion parameters and FD as a tab-separated confounds table."));
  return button;
}

QString exportParametersWithDialog(QWidget* parent, const MotionTrace& trace) {
  const QString path =
      QFileDialog::getSaveFileName(parent, QObject::tr("Export parameters"), QStringLiteral("confounds.tsv"),
                                   QObject::tr("Tab-separated values (*.tsv)"));
  if (path.isEmpty()) return QString();
  QString error;
  return trace.exportParametersTsv(path, &error) ? QObject::tr("Saved %1").arg(path)
                                                 : QObject::tr("Export failed: %1").arg(error);
}

QTimer* makeRefreshTimer(QObject* parent) {
  auto* timer = new QTimer(parent);
  timer->setSingleShot(true);
  timer->setInterval(40);
  return timer;
}

void addLiveFrame(MotionTrace& trace, QTimer* refreshTimer, int frame, const RigidParameters& parameters) {
  if (frame < 0) return;
  trace.setFrameParameters(frame, parameters);
  if (!refreshTimer->isActive()) refreshTimer->start();
}

void setFinalFrames(MotionTrace& trace, QTimer* refreshTimer, const std::vector<RigidParameters>& parameters,
                    const std::vector<double>& fd) {
  trace.setFinalParameters(parameters, fd);
  refreshTimer->stop();
}

}  // namespace mc
