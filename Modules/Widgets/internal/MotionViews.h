#pragma once
// The panel's motion tab is one of two widgets, Qt Charts plots or (inside Slicer, which ships no Qt
// Charts) the chart-free summary. Private to the panel's sources.
#include "MotionSummary.h"
#if MC_WITH_QT_CHARTS
#include "MotionPlots.h"
#endif

namespace mc {

class MotionPlots;

// Calls f on the motion tab (plots or summary, whichever exists): both take the same frames.
template <class F>
void forEachMotionView(MotionPlots* plots, MotionSummary* summary, F&& f) {
#if MC_WITH_QT_CHARTS
  if (plots) f(plots);
#else
  (void)plots;
#endif
  if (summary) f(summary);
}

}  // namespace mc
