#pragma once
// The counters operators watch during a scan (FIRMM's numbers), for the panel's Live mode: volumes
// so far, frames under each FD level (count and percentage), usable frames and minutes (FD under
// the threshold x TR), mean and max FD. It only shows the core's FollowSummary (FollowSession.h),
// which counts them; it computes nothing of its own.
#include <QWidget>

#include "FollowSession.h"

class QLabel;

namespace mc {

class LiveCounters : public QWidget {
  Q_OBJECT
public:
  explicit LiveCounters(QWidget* parent = nullptr);

  // Before the first volume: the levels and the threshold the run will count against.
  void clear(const std::vector<double>& levels, double thresholdMm);
  void show(const FollowSummary& summary);
  const FollowSummary& summary() const { return summary_; }
  // The counters as one line each ("volumes: 12", "FD < 0.2 mm: 9 (75%)", ...), as shown.
  QStringList lines() const;

private:
  void render();

  FollowSummary summary_;
  double threshold_ = 0.5;
  QLabel* label_;
};

}  // namespace mc
