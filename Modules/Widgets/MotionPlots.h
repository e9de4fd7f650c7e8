#pragma once
// Live plots of a run's motion: translations (mm), rotations (degrees) and framewise displacement
// with an editable threshold; frames above it are marked and listed. Frames may arrive in any order
// and more than once (pass 1, then pass 2); the latest value of a frame wins (MotionTrace keeps
// them). Qt Charts: built only with MC_WITH_QT_CHARTS (the standalone app); MotionSummary is the
// chart-free counterpart.
#include <QList>
#include <QMap>
#include <QWidget>
#include <vector>

#include "MotionTrace.h"
#include "OutlierControls.h"
#include "QtChartsCompat.h"
#include "RigidTransform.h"

class QLabel;
class QTimer;
class QPainter;

namespace mc {

class MotionPlots : public QWidget {
  Q_OBJECT
public:
  explicit MotionPlots(QWidget* parent = nullptr);

  // Forgets all frames; expectedFrames (if known) fixes the frame axis from the start.
  void clear(int expectedFrames = 0);
  // A live estimate for one frame (rp order: mm, radians). Redraws shortly after, coalescing bursts.
  void setFrameParameters(int frame, const RigidParameters& parameters);
  // The engine's final parameters and FD; replaces everything and redraws at once.
  // The run's length once known, so the frame axis does not grow while frames arrive.
  void setExpectedFrames(int frames);
  void setFinalParameters(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd);

  int frameCount() const { return trace_.frameCount(); }
  bool hasFinalParameters() const { return trace_.isFinal(); }
  const MotionTrace& trace() const { return trace_; }
  double threshold() const;
  QList<int> outlierFrames() const { return thresholdControls_->outliers(); }
  double displacement(int frame) const;  // FD of a frame (0 for frame 0 or unknown)

  QLineSeries* translationSeries(int axis) const { return translation_[axis]; }
  QLineSeries* rotationSeries(int axis) const { return rotation_[axis]; }
  QLineSeries* displacementSeries() const { return fdSeries_; }
  QLineSeries* thresholdSeries() const { return thresholdSeries_; }
  QScatterSeries* outlierSeries() const { return outlierSeries_; }
  QChartView* chartView(int i) const { return views_[i]; }  // 0 translations, 1 rotations, 2 FD

  // One line with the frame's values, as shown on hover.
  QString frameDetails(int frame) const;
  QString outlierSummary() const;

  // Exports; false with a one-line reason in *error.
  bool exportPng(const QString& path, QString* error = nullptr);
  bool exportSvg(const QString& path, QString* error = nullptr);
  // fMRIPrep-style confounds TSV (the core's format); needs every frame 0..n-1.
  bool exportParametersTsv(const QString& path, QString* error = nullptr) const;

public slots:
  void setThreshold(double mm);
  void showFrameDetails(int frame);
  void refresh();
  void exportPlotsInteractively();
  void exportParametersInteractively();

signals:
  void outliersChanged(const QList<int>& frames);
  void thresholdChanged(double mm);
  void frameClicked(int frame);

private:
  QChartView* makeChart(const QString& title, const QString& unit, QList<QLineSeries*> series);
  void connectHover(QXYSeries* series);
  void renderCharts(QPainter& painter, const QSize& chartSize);
  QSize exportChartSize() const;
  void updateAxes();

  MotionTrace trace_;

  QLineSeries* translation_[3];
  QLineSeries* rotation_[3];
  QLineSeries* fdSeries_;
  QLineSeries* thresholdSeries_;
  QScatterSeries* outlierSeries_;
  QChartView* views_[3];
  FdThresholdControls* thresholdControls_;  // fdThreshold, outlierLabel and the outliers, as in MotionSummary
  QLabel* detailsLabel_;
  QTimer* refreshTimer_;
};

}  // namespace mc
