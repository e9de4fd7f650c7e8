#pragma once
// The pieces of the motion tab that MotionPlots (Qt Charts) and MotionSummary (without) share, so the
// two variants cannot drift apart: the FD threshold row with the outlier count, the frames above the
// threshold, the parameters' export button and its save dialog, and the timer that coalesces live
// frames. Built in both configurations (outside MC_WITH_QT_CHARTS); the data is MotionTrace's.
#include <QList>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "MotionTrace.h"
#include "RigidTransform.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace mc {

// "FD threshold: [spin box] <n frames above ...>" on one row. The spin box is `fdThreshold` and the
// label `outlierLabel`: the panel's settings and tests find them by these names, through the owner.
class FdThresholdControls : public QWidget {
  Q_OBJECT
public:
  // toolTip: the spin box's, which says what the owner does with the frames above the threshold.
  explicit FdThresholdControls(const QString& toolTip, QWidget* parent = nullptr);

  double threshold() const;
  // The frames above the threshold as of the last update(), ascending.
  const QList<int>& outliers() const { return outliers_; }
  // Recomputes the outliers of trace at the current threshold and shows its summary; true when the
  // list changed, so the owner emits outliersChanged only then.
  bool update(const MotionTrace& trace);

public slots:
  void setThreshold(double mm);

signals:
  void thresholdChanged(double mm);  // the user's or setThreshold's new value

private:
  QList<int> outliers_;
  QDoubleSpinBox* spin_;
  QLabel* label_;
};

// The `exportParametersButton`, parented to parent; the caller connects its clicked signal.
QPushButton* makeExportParametersButton(QWidget* parent);

// Asks for a file and writes trace's confounds TSV there. Returns the status line to show ("Saved
// ..." or "Export failed: ..."), or an empty string when the user cancelled the dialog.
QString exportParametersWithDialog(QWidget* parent, const MotionTrace& trace);

// Live frames arrive in bursts (one per frame and pass): a single-shot timer, restarted only when
// idle (addLiveFrame), so bursts are redrawn at most every 40 ms.
QTimer* makeRefreshTimer(QObject* parent);

// Wires a motion view (MotionPlots or MotionSummary: a refresh() slot, a thresholdChanged(double)
// signal) to its threshold controls and returns its refresh timer, parented to the view.
template <class View>
QTimer* connectMotionView(View* view, FdThresholdControls* controls) {
  QTimer* timer = makeRefreshTimer(view);
  QObject::connect(timer, &QTimer::timeout, view, &View::refresh);
  // A new threshold redraws before the view passes it on: slots run in the order they were connected.
  QObject::connect(controls, &FdThresholdControls::thresholdChanged, view, &View::refresh);
  QObject::connect(controls, &FdThresholdControls::thresholdChanged, view, &View::thresholdChanged);
  return timer;
}
// Records a live estimate in trace and schedules the coalesced refresh; negative frames are ignored.
void addLiveFrame(MotionTrace& trace, QTimer* refreshTimer, int frame, const RigidParameters& parameters);
// Replaces trace with the engine's final values and cancels a pending live refresh: the owner then
// refreshes at once, and a late timer cannot redraw over the final values.
void setFinalFrames(MotionTrace& trace, QTimer* refreshTimer, const std::vector<RigidParameters>& parameters,
                    const std::vector<double>& fd);

}  // namespace mc
