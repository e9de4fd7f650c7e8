#include "SliceComparisonView.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <vector>

namespace mc {
namespace {

constexpr int kCellSize = 150;  // pixels on the longer side of a slice

}  // namespace

SliceComparisonView::SliceComparisonView(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout;
  grid->setSpacing(4);
  const char* columnTitles[3] = {"Axial", "Coronal", "Sagittal"};
  for (int c = 0; c < 3; ++c) {
    auto* title = new QLabel(tr(columnTitles[c]), this);
    title->setAlignment(Qt::AlignCenter);
    grid->addWidget(title, 0, c + 1);
  }
  for (int r = 0; r < 2; ++r) {
    rowTitles_[r] = new QLabel(this);
    grid->addWidget(rowTitles_[r], r + 1, 0);
    for (int c = 0; c < 3; ++c) {
      auto* cell = new QLabel(this);
      cell->setObjectName(QStringLiteral("slice_%1_%2").arg(r).arg(c));
      cell->setAlignment(Qt::AlignCenter);
      cell->setMinimumSize(kCellSize / 2, kCellSize / 2);
      cell->setStyleSheet(QStringLiteral("background: black; color: #bbb;"));
      cells_[r][c] = cell;
      grid->addWidget(cell, r + 1, c + 1);
    }
  }

  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setObjectName(QStringLiteral("frameSlider"));
  slider_->setToolTip(tr("The frame shown; frames with large motion show the clearest difference."));
  frameSpin_ = new QSpinBox(this);
  frameSpin_->setObjectName(QStringLiteral("frameSpin"));
  modeCombo_ = new QComboBox(this);
  modeCombo_->setObjectName(QStringLiteral("comparisonMode"));
  modeCombo_->addItem(tr("Images"));
  modeCombo_->addItem(tr("Difference to reference"));
  modeCombo_->setToolTip(tr("Show the frames themselves, or their absolute difference to the reference frame "
                            "(residual motion shows as bright edges)."));
  infoLabel_ = new QLabel(this);
  infoLabel_->setObjectName(QStringLiteral("comparisonInfo"));
  infoLabel_->setWordWrap(true);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Frame:"), this));
  controls->addWidget(slider_, 1);
  controls->addWidget(frameSpin_);
  controls->addWidget(modeCombo_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addLayout(grid);
  layout->addWidget(infoLabel_);
  layout->addStretch(1);

  connect(slider_, &QSlider::valueChanged, this, &SliceComparisonView::setFrame);
  connect(frameSpin_, QOverload<int>::of(&QSpinBox::valueChanged), this, &SliceComparisonView::setFrame);
  connect(modeCombo_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &SliceComparisonView::setMode);
  updateRange();
}

void SliceComparisonView::setOriginal(std::shared_ptr<const VolumeSeries> run) {
  original_ = std::move(run);
  if (original_ && original_->frameCount > 0)
    window_ = robustMaximum(*original_, std::clamp(referenceFrame_, 0, original_->frameCount - 1));
  updateRange();
  updateImages();
}

void SliceComparisonView::setRealigned(std::shared_ptr<const VolumeSeries> run) {
  realigned_ = std::move(run);
  updateRange();
  updateImages();
}

void SliceComparisonView::setReferenceFrame(int frame) {
  referenceFrame_ = std::max(0, frame);
  if (original_ && original_->frameCount > 0)
    window_ = robustMaximum(*original_, std::min(referenceFrame_, original_->frameCount - 1));
  updateImages();
}

int SliceComparisonView::frame() const { return slider_->value(); }

SliceComparisonView::Mode SliceComparisonView::mode() const { return Mode(modeCombo_->currentIndex()); }

QImage SliceComparisonView::image(int row, Orientation orientation) const { return images_[row][orientation]; }

void SliceComparisonView::setFrame(int frame) {
  const QSignalBlocker b1(slider_), b2(frameSpin_);
  slider_->setValue(frame);
  frameSpin_->setValue(frame);
  updateImages();
  emit frameChanged(slider_->value());
}

void SliceComparisonView::setMode(int mode) {
  if (modeCombo_->currentIndex() != mode) {
    const QSignalBlocker block(modeCombo_);
    modeCombo_->setCurrentIndex(mode);
  }
  updateImages();
}

void SliceComparisonView::updateRange() {
  const int frames = original_ ? original_->frameCount : (realigned_ ? realigned_->frameCount : 0);
  const QSignalBlocker b1(slider_), b2(frameSpin_);
  slider_->setRange(0, std::max(0, frames - 1));
  frameSpin_->setRange(0, std::max(0, frames - 1));
  slider_->setEnabled(frames > 1);
  frameSpin_->setEnabled(frames > 1);
}

double SliceComparisonView::robustMaximum(const VolumeSeries& run, int frame) {
  const float* v = run.frame(frame);
  std::vector<float> values;
  values.reserve(run.frameSize());
  for (std::size_t i = 0; i < run.frameSize(); ++i)
    if (v[i] > 0 && std::isfinite(v[i])) values.push_back(v[i]);
  if (values.empty()) return 1.0;
  const std::size_t k = std::min(values.size() - 1, std::size_t(values.size() * 0.995));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return std::max(1e-6, double(values[k]));
}

QImage SliceComparisonView::renderSlice(const VolumeSeries& run, int frame, Orientation orientation, double windowMax,
                                        int subtractFrame) {
  const auto& n = run.geometry.size;
  const auto spacing = run.geometry.spacing();
  // Axes of the slice: (horizontal, vertical, fixed). Axial: i-j at centre k; coronal: i-k at centre
  // j; sagittal: j-k at centre i. Vertical axes are drawn bottom-up, as radiological viewers do.
  int h = 0, v = 1, fixed = 2;
  if (orientation == Coronal) v = 2, fixed = 1;
  if (orientation == Sagittal) h = 1, v = 2, fixed = 0;
  const int width = n[h], height = n[v], at = n[fixed] / 2;
  if (width <= 0 || height <= 0 || frame < 0 || frame >= run.frameCount) return QImage();
  QImage img(width, height, QImage::Format_Grayscale8);
  const float* data = run.frame(frame);
  const float* sub = subtractFrame >= 0 && subtractFrame < run.frameCount ? run.frame(subtractFrame) : nullptr;
  const double scale = 255.0 / std::max(1e-9, windowMax);
  for (int y = 0; y < height; ++y) {
    uchar* line = img.scanLine(height - 1 - y);
    for (int x = 0; x < width; ++x) {
      int idx[3];
      idx[h] = x;
      idx[v] = y;
      idx[fixed] = at;
      const std::size_t offset = std::size_t(idx[0]) + std::size_t(n[0]) * (idx[1] + std::size_t(n[1]) * idx[2]);
      double value = data[offset];
      if (sub) value = std::abs(value - sub[offset]);
      line[x] = uchar(std::clamp(value * scale, 0.0, 255.0));
    }
  }
  // Square millimetres on screen: stretch by the voxel sizes.
  const double mmW = width * spacing[h], mmH = height * spacing[v];
  const double zoom = kCellSize / std::max(mmW, mmH);
  return img.scaled(std::max(1, int(std::lround(mmW * zoom))), std::max(1, int(std::lround(mmH * zoom))),
                    Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

void SliceComparisonView::updateImages() {
  const bool difference = mode() == DifferenceToReference;
  const int t = frame();
  const std::shared_ptr<const VolumeSeries> rows[2] = {original_, realigned_};
  // Differences are small next to the image: a tighter window makes them visible, the same for both rows
  // so that their brightness compares.
  const double window = difference ? window_ * 0.35 : window_;
  rowTitles_[0]->setText(difference ? tr("Original\n− reference") : tr("Original"));
  rowTitles_[1]->setText(difference ? tr("Realigned\n− reference") : tr("Realigned"));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) {
      const auto& run = rows[r];
      images_[r][c] = QImage();
      if (run && t < run->frameCount) {
        const int ref = std::min(referenceFrame_, run->frameCount - 1);
        images_[r][c] = renderSlice(*run, t, Orientation(c), window, difference ? ref : -1);
      }
      if (images_[r][c].isNull()) {
        cells_[r][c]->setPixmap(QPixmap());
        cells_[r][c]->setText(r == 0 ? tr("no run loaded") : tr("run the correction\nto see the result"));
      } else {
        cells_[r][c]->setPixmap(QPixmap::fromImage(images_[r][c]));
      }
    }
  if (!original_)
    infoLabel_->setText(tr("Choose a run to see its slices."));
  else
    infoLabel_->setText(difference ? tr("Frame %1 minus reference frame %2 (absolute); darker is better aligned.")
                                         .arg(t)
                                         .arg(referenceFrame_)
                                   : tr("Frame %1 of %2, centre slices.").arg(t).arg(original_->frameCount));
}

}  // namespace mc
