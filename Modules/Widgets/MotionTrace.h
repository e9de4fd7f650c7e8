#pragma once
// A run's motion as the panel knows it, without any drawing: the latest parameters of every frame
// (live estimates, then the engine's final values), FD, the frames above an FD threshold and the
// export to a confounds table. Shared by the Qt Charts plots (standalone app) and the chart-free
// summary (inside Slicer, where the plots are MRML plot nodes), so both list the same outliers.
#include <QList>
#include <QMap>
#include <QString>
#include <vector>

#include "RigidTransform.h"

namespace mc {

class MotionTrace {
public:
  static constexpr double kDefaultThresholdMm = 0.5;  // a common censoring threshold (Power et al. 2012)

  // Forgets all frames; expectedFrames (if known) is the run's length.
  void clear(int expectedFrames = 0);
  // A live estimate for one frame (rp order: mm, radians); frames may come in any order and more
  // than once (pass 1, then pass 2): the latest wins.
  void setFrameParameters(int frame, const RigidParameters& parameters);
  // The engine's final parameters and FD; replaces everything.
  void setFinalParameters(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd);
  void setExpectedFrames(int frames) { expectedFrames_ = frames > 0 ? frames : 0; }

  const QMap<int, RigidParameters>& frames() const { return parameters_; }
  int frameCount() const { return int(parameters_.size()); }
  int expectedFrames() const { return expectedFrames_; }
  bool isFinal() const { return final_; }
  // FD of a frame (0 for frame 0 or unknown); live, it needs the frame and its predecessor.
  double displacement(int frame) const;
  bool hasDisplacement(int frame) const;
  // Frames whose FD exceeds the threshold, ascending.
  QList<int> outlierFrames(double thresholdMm) const;
  QString outlierSummary(double thresholdMm) const;
  // One line with the frame's values (translations mm, rotations degrees, FD).
  QString frameDetails(int frame) const;
  // fMRIPrep-style confounds TSV (the core's format); needs every frame 0..n-1. False with a
  // one-line reason naming the file in *error.
  bool exportParametersTsv(const QString& path, QString* error = nullptr) const;

private:
  std::vector<RigidParameters> contiguousParameters(QString* error) const;

  QMap<int, RigidParameters> parameters_;
  QMap<int, double> finalFd_;
  bool final_ = false;
  int expectedFrames_ = 0;
};

}  // namespace mc
