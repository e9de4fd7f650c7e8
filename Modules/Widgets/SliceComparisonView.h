#pragma once
// Before/after view: an axial, a coronal and a sagittal slice through the centre of one frame, the
// original run above the realigned run, or each one's difference to the reference frame (which
// shrinks where realignment worked). Slices follow the voxel axes (i, j, k), drawn with square pixels
// in millimetres.
#include <QWidget>
#include <memory>

#include "VolumeSeries.h"

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace mc {

class SliceComparisonView : public QWidget {
  Q_OBJECT
public:
  enum Mode { Images = 0, DifferenceToReference = 1 };
  enum Orientation { Axial = 0, Coronal = 1, Sagittal = 2 };

  explicit SliceComparisonView(QWidget* parent = nullptr);

  void setOriginal(std::shared_ptr<const VolumeSeries> run);
  void setRealigned(std::shared_ptr<const VolumeSeries> run);  // null: "not available"
  std::shared_ptr<const VolumeSeries> original() const { return original_; }
  std::shared_ptr<const VolumeSeries> realigned() const { return realigned_; }
  void setReferenceFrame(int frame);

  int frame() const;
  Mode mode() const;
  // The image currently shown for row 0 (original) or 1 (realigned); null when that row is empty.
  QImage image(int row, Orientation orientation) const;

  // One slice through the centre of `frame` as 8-bit grey. With subtractFrame >= 0 the pixel is
  // |frame - subtractFrame|. Values map linearly from [0, windowMax] to [0, 255].
  static QImage renderSlice(const VolumeSeries& run, int frame, Orientation orientation, double windowMax,
                            int subtractFrame = -1);
  // Robust maximum (99.5th percentile of nonzero voxels) of one frame, for a shared intensity window.
  static double robustMaximum(const VolumeSeries& run, int frame);

public slots:
  void setFrame(int frame);
  void setMode(int mode);

signals:
  void frameChanged(int frame);

private:
  void updateImages();
  void updateRange();

  std::shared_ptr<const VolumeSeries> original_, realigned_;
  int referenceFrame_ = 0;
  double window_ = 1.0;
  QImage images_[2][3];
  QLabel* cells_[2][3];
  QLabel* rowTitles_[2];
  QSlider* slider_;
  QSpinBox* frameSpin_;
  QComboBox* modeCombo_;
  QLabel* infoLabel_;
};

}  // namespace mc
