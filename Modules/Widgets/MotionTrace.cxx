#include "MotionTrace.h"

#include <QCoreApplication>
#include <QStringList>
#include <cmath>
#include <stdexcept>

#include "AtomicOutput.h"
#include "MotionMetrics.h"
#include "ParameterFiles.h"

namespace mc {
namespace {

constexpr double kDegreesPerRadian = 180.0 / M_PI;

QString tr(const char* text) { return QCoreApplication::translate("mc::MotionTrace", text); }

}  // namespace

void MotionTrace::clear(int expectedFrames) {
  parameters_.clear();
  finalFd_.clear();
  final_ = false;
  setExpectedFrames(expectedFrames);
}

void MotionTrace::setFrameParameters(int frame, const RigidParameters& parameters) {
  if (frame >= 0) parameters_[frame] = parameters;
}

void MotionTrace::setFinalParameters(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd) {
  parameters_.clear();
  finalFd_.clear();
  for (int j = 0; j < int(parameters.size()); ++j) parameters_[j] = parameters[j];
  for (int j = 0; j < int(fd.size()); ++j) finalFd_[j] = fd[j];
  final_ = true;
  expectedFrames_ = int(parameters.size());
}

bool MotionTrace::hasDisplacement(int frame) const {
  if (!parameters_.contains(frame)) return false;
  return final_ || frame == 0 || parameters_.contains(frame - 1);
}

double MotionTrace::displacement(int frame) const {
  if (final_) return finalFd_.value(frame, 0.0);
  if (frame <= 0 || !parameters_.contains(frame) || !parameters_.contains(frame - 1)) return 0.0;
  // The core defines FD; two rows give the second frame's.
  return framewiseDisplacement({parameters_.value(frame - 1), parameters_.value(frame)})[1];
}

QList<int> MotionTrace::outlierFrames(double thresholdMm) const {
  QList<int> out;
  for (auto it = parameters_.cbegin(); it != parameters_.cend(); ++it)
    if (hasDisplacement(it.key()) && displacement(it.key()) > thresholdMm) out.append(it.key());
  return out;
}

QString MotionTrace::outlierSummary(double thresholdMm) const {
  if (parameters_.isEmpty()) return tr("No frames yet.");
  const QList<int> outliers = outlierFrames(thresholdMm);
  if (outliers.isEmpty()) return tr("No frame above %1 mm.").arg(thresholdMm, 0, 'f', 2);
  QStringList frames;
  for (int j : outliers) frames << QString::number(j);
  const QString limit = QString::number(thresholdMm, 'f', 2);
  if (outliers.size() == 1) return tr("1 outlier above %1 mm: frame %2").arg(limit, frames.first());
  return tr("%1 outliers above %2 mm: frames %3")
      .arg(QString::number(outliers.size()), limit, frames.join(QStringLiteral(", ")));
}

QString MotionTrace::frameDetails(int frame) const {
  if (!parameters_.contains(frame)) return tr("Frame %1: not estimated yet").arg(frame);
  const RigidParameters& p = parameters_[frame];
  return tr("Frame %1: x %2, y %3, z %4 mm · pitch %5, roll %6, yaw %7° · FD %8 mm")
      .arg(frame)
      .arg(p[0], 0, 'f', 3)
      .arg(p[1], 0, 'f', 3)
      .arg(p[2], 0, 'f', 3)
      .arg(p[3] * kDegreesPerRadian, 0, 'f', 3)
      .arg(p[4] * kDegreesPerRadian, 0, 'f', 3)
      .arg(p[5] * kDegreesPerRadian, 0, 'f', 3)
      .arg(displacement(frame), 0, 'f', 3);
}

std::vector<RigidParameters> MotionTrace::contiguousParameters(QString* error) const {
  std::vector<RigidParameters> rows;
  if (parameters_.isEmpty()) {
    if (error) *error = tr("no parameters yet: run the motion correction first");
    return rows;
  }
  for (int j = 0; j <= parameters_.lastKey(); ++j) {
    if (!parameters_.contains(j)) {
      if (error) *error = tr("frame %1 is not estimated yet").arg(j);
      return {};
    }
    rows.push_back(parameters_.value(j));
  }
  return rows;
}

bool MotionTrace::exportParametersTsv(const QString& path, QString* error) const {
  QString why;
  const std::vector<RigidParameters> rows = contiguousParameters(&why);
  if (rows.empty()) {
    if (error) *error = tr("%1: %2").arg(path, why);
    return false;
  }
  std::vector<double> fd;
  for (int j = 0; j < int(rows.size()); ++j) fd.push_back(displacement(j));
  try {
    writeTextAtomically(path.toStdString(), formatConfoundsTsv(rows, fd));
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  return true;
}

}  // namespace mc
