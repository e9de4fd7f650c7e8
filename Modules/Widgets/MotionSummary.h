#pragma once
// The panel's motion tab without Qt Charts (inside Slicer, where the live plots are MRML plot nodes
// in the layout's plot view): the FD threshold, how many frames are above it and a table of those
// frames with their six parameters and FD, plus the export of the parameters as a confounds TSV.
// Frames arrive live as in MotionPlots; the latest value of a frame wins (MotionTrace).
#include <QList>
#include <QWidget>
#include <vector>

#include "MotionTrace.h"
#include "OutlierControls.h"
#include "RigidTransform.h"

class QLabel;
class QTableWidget;
class QTimer;

namespace mc {

class MotionSummary : public QWidget {
  Q_OBJECT
public:
  explicit MotionSummary(QWidget* parent = nullptr);

  void clear(int expectedFrames = 0);
  // A live estimate (rp order: mm, radians); redrawn shortly after, coalescing bursts.
  void setFrameParameters(int frame, const RigidParameters& parameters);
  void setExpectedFrames(int frames);
  // The engine's final parameters and FD; replaces everything and redraws at once.
  void setFinalParameters(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd);

  const MotionTrace& trace() const { return trace_; }
  double threshold() const;
  QList<int> outlierFrames() const { return thresholdControls_->outliers(); }
  QString outlierSummary() const { return trace_.outlierSummary(threshold()); }
  // Columns: frame, x, y, z (mm), pitch, roll, yaw (degrees), FD (mm); one row per outlier.
  QTableWidget* outlierTable() const { return table_; }
  bool exportParametersTsv(const QString& path, QString* error = nullptr) const {
    return trace_.exportParametersTsv(path, error);
  }

public slots:
  void setThreshold(double mm);
  void refresh();
  void exportParametersInteractively();

signals:
  void outliersChanged(const QList<int>& frames);
  void thresholdChanged(double mm);
  void frameClicked(int frame);  // a row of the table, e.g. to show that frame before/after

private:
  MotionTrace trace_;
  FdThresholdControls* thresholdControls_;  // fdThreshold, outlierLabel and the outliers, as in MotionPlots
  QLabel* statsLabel_;
  QTableWidget* table_;
  QTimer* refreshTimer_;
};

}  // namespace mc
