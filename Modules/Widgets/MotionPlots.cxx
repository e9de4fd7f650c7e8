#include "MotionPlots.h"

#include <QCursor>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSvgGenerator>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "AtomicOutput.h"

namespace mc {
namespace {

constexpr double kDegreesPerRadian = 180.0 / M_PI;
const QColor kAxisColours[3] = {QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c), QColor(0x1f, 0x77, 0xb4)};

QLineSeries* makeSeries(const QString& name, const QColor& colour) {
  auto* s = new QLineSeries;
  s->setName(name);
  QPen pen(colour);
  pen.setWidthF(1.6);
  s->setPen(pen);
  s->setPointsVisible(false);
  return s;
}

}  // namespace

MotionPlots::MotionPlots(QWidget* parent) : QWidget(parent) {
  const char* tNames[3] = {"x", "y", "z"};
  const char* rNames[3] = {"pitch", "roll", "yaw"};
  for (int i = 0; i < 3; ++i) {
    translation_[i] = makeSeries(QString::fromLatin1(tNames[i]), kAxisColours[i]);
    rotation_[i] = makeSeries(QString::fromLatin1(rNames[i]), kAxisColours[i]);
  }
  fdSeries_ = makeSeries(tr("FD"), QColor(0x44, 0x44, 0x44));
  thresholdSeries_ = makeSeries(tr("threshold"), QColor(0xd6, 0x27, 0x28));
  QPen dashed = thresholdSeries_->pen();
  dashed.setStyle(Qt::DashLine);
  dashed.setWidthF(1.2);
  thresholdSeries_->setPen(dashed);
  outlierSeries_ = new QScatterSeries;
  outlierSeries_->setName(tr("above threshold"));
  outlierSeries_->setMarkerSize(9);
  outlierSeries_->setColor(QColor(0xd6, 0x27, 0x28));
  outlierSeries_->setBorderColor(QColor(0x80, 0x10, 0x10));

  views_[0] = makeChart(tr("Translation"), tr("mm"), {translation_[0], translation_[1], translation_[2]});
  views_[1] = makeChart(tr("Rotation"), tr("degrees"), {rotation_[0], rotation_[1], rotation_[2]});
  views_[2] = makeChart(tr("Framewise displacement"), tr("mm"), {fdSeries_, thresholdSeries_});
  QChart* fdChart = views_[2]->chart();
  fdChart->addSeries(outlierSeries_);
  for (QAbstractAxis* axis : fdChart->axes()) outlierSeries_->attachAxis(axis);
  for (int i = 0; i < 3; ++i) views_[i]->setObjectName(QStringLiteral("chartView%1").arg(i));
  for (QLineSeries* s : {translation_[0], translation_[1], translation_[2], rotation_[0], rotation_[1], rotation_[2],
                         fdSeries_})
    connectHover(s);
  connectHover(outlierSeries_);

  thresholdControls_ =
      new FdThresholdControls(tr("Frames whose framewise displacement (Power et al. 2012) exceeds this are marked as "
                                 "outliers; 0.5 mm is a common censoring threshold."),
                              this);
  detailsLabel_ = new QLabel(tr("Hover over a curve to see a frame's values."), this);
  detailsLabel_->setObjectName(QStringLiteral("frameDetailsLabel"));
  detailsLabel_->setWordWrap(true);
  detailsLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* exportPlots = new QPushButton(tr("Export plots…"), this);
  exportPlots->setObjectName(QStringLiteral("exportPlotsButton"));
  exportPlots->setToolTip(tr("Save the three plots as one PNG image or SVG drawing."));
  QPushButton* exportTsv = makeExportParametersButton(this);
  connect(exportPlots, &QPushButton::clicked, this, &MotionPlots::exportPlotsInteractively);
  connect(exportTsv, &QPushButton::clicked, this, &MotionPlots::exportParametersInteractively);

  auto* exportRow = new QHBoxLayout;
  exportRow->addWidget(detailsLabel_, 1);
  exportRow->addWidget(exportPlots);
  exportRow->addWidget(exportTsv);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  for (QChartView* v : views_) layout->addWidget(v, 1);
  layout->addWidget(thresholdControls_);
  layout->addLayout(exportRow);

  refreshTimer_ = connectMotionView(this, thresholdControls_);
  refresh();
}

QChartView* MotionPlots::makeChart(const QString& title, const QString& unit, QList<QLineSeries*> series) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->setMargins(QMargins(4, 2, 4, 2));
  chart->legend()->setAlignment(Qt::AlignTop);  // the three plot areas then line up
  chart->setAnimationOptions(QChart::NoAnimation);
  auto* x = new QValueAxis;
  x->setTitleText(tr("frame"));
  x->setLabelFormat(QStringLiteral("%d"));
  auto* y = new QValueAxis;
  y->setTitleText(unit);
  y->setLabelFormat(QStringLiteral("%.2f"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QLineSeries* s : series) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  }
  auto* view = new QChartView(chart, this);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(190);  // below this the axis labels collapse to '...'
  return view;
}

void MotionPlots::connectHover(QXYSeries* series) {
  connect(series, &QXYSeries::hovered, this, [this](const QPointF& point, bool state) {
    if (state) showFrameDetails(qRound(point.x()));
  });
  connect(series, &QXYSeries::clicked, this, [this](const QPointF& point) { emit frameClicked(qRound(point.x())); });
}

void MotionPlots::clear(int expectedFrames) {
  trace_.clear(expectedFrames);
  detailsLabel_->setText(tr("Hover over a curve to see a frame's values."));
  refresh();
}

void MotionPlots::setFrameParameters(int frame, const RigidParameters& parameters) {
  addLiveFrame(trace_, refreshTimer_, frame, parameters);
}

void MotionPlots::setFinalParameters(const std::vector<RigidParameters>& parameters, const std::vector<double>& fd) {
  setFinalFrames(trace_, refreshTimer_, parameters, fd);
  refresh();
}

double MotionPlots::threshold() const { return thresholdControls_->threshold(); }

void MotionPlots::setThreshold(double mm) { thresholdControls_->setThreshold(mm); }

double MotionPlots::displacement(int frame) const { return trace_.displacement(frame); }

void MotionPlots::refresh() {
  QList<QPointF> t[3], r[3], fd, marked;
  const double limit = threshold();
  const QMap<int, RigidParameters>& frames = trace_.frames();
  for (auto it = frames.cbegin(); it != frames.cend(); ++it) {
    const int j = it.key();
    for (int a = 0; a < 3; ++a) {
      t[a].append(QPointF(j, it.value()[a]));
      r[a].append(QPointF(j, it.value()[a + 3] * kDegreesPerRadian));
    }
    if (trace_.hasDisplacement(j)) {
      const double d = displacement(j);
      fd.append(QPointF(j, d));
      if (d > limit) marked.append(QPointF(j, d));
    }
  }
  for (int a = 0; a < 3; ++a) {
    translation_[a]->replace(t[a]);
    rotation_[a]->replace(r[a]);
  }
  fdSeries_->replace(fd);
  outlierSeries_->replace(marked);
  updateAxes();
  if (thresholdControls_->update(trace_)) emit outliersChanged(thresholdControls_->outliers());
}

void MotionPlots::updateAxes() {
  const int lastFrame =
      std::max({trace_.expectedFrames() - 1, trace_.frames().isEmpty() ? 0 : trace_.frames().lastKey(), 1});
  thresholdSeries_->replace(QList<QPointF>{QPointF(0, threshold()), QPointF(lastFrame, threshold())});
  // Whole frames on the x axis: ticks every 1, 2, 5, 10, 20, ... frames, about six of them.
  double step = 1;
  for (double base = 1; step * 6 < lastFrame; base *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (step * 6 < lastFrame) step = m * base;
  auto fit = [&](QChartView* view, std::initializer_list<QXYSeries*> series, double minSpan, bool fromZero) {
    double lo = 0.0, hi = 0.0;  // zero stays in view: motion is relative to the reference
    for (QXYSeries* s : series)
      for (const QPointF& p : s->points()) {
        lo = std::min(lo, p.y());
        hi = std::max(hi, p.y());
      }
    const double pad = std::max((hi - lo) * 0.08, minSpan * 0.5);
    const auto axesX = view->chart()->axes(Qt::Horizontal);
    const auto axesY = view->chart()->axes(Qt::Vertical);
    if (!axesX.isEmpty()) {
      auto* x = static_cast<QValueAxis*>(axesX.first());
      x->setRange(0, lastFrame);
      x->setTickType(QValueAxis::TicksDynamic);
      x->setTickAnchor(0);
      x->setTickInterval(step);
    }
    if (!axesY.isEmpty()) {
      auto* y = static_cast<QValueAxis*>(axesY.first());
      y->setRange(fromZero ? 0.0 : lo - pad, hi + pad);
      y->applyNiceNumbers();
    }
  };
  fit(views_[0], {translation_[0], translation_[1], translation_[2]}, 0.2, false);
  fit(views_[1], {rotation_[0], rotation_[1], rotation_[2]}, 0.2, false);
  fit(views_[2], {fdSeries_, thresholdSeries_}, 0.2, true);
}

void MotionPlots::setExpectedFrames(int frames) {
  trace_.setExpectedFrames(frames);
  updateAxes();
}

QString MotionPlots::outlierSummary() const { return trace_.outlierSummary(threshold()); }

QString MotionPlots::frameDetails(int frame) const { return trace_.frameDetails(frame); }

void MotionPlots::showFrameDetails(int frame) {
  const QString text = frameDetails(frame);
  detailsLabel_->setText(text);
  if (isVisible()) QToolTip::showText(QCursor::pos(), text, this);
}

QSize MotionPlots::exportChartSize() const {
  const QSize shown = views_[0]->size();
  return shown.width() >= 300 && shown.height() >= 120 ? shown : QSize(900, 260);
}

void MotionPlots::renderCharts(QPainter& painter, const QSize& chartSize) {
  painter.fillRect(QRect(QPoint(0, 0), QSize(chartSize.width(), chartSize.height() * 3 + 30)), Qt::white);
  for (int i = 0; i < 3; ++i) {
    QChartView* view = views_[i];
    const QRectF target(0, i * chartSize.height(), chartSize.width(), chartSize.height());
    if (view->size() != chartSize) {
      // Not laid out at the export size (e.g. a hidden tab): draw the chart alone at that size.
      const QSizeF old = view->chart()->size();
      view->chart()->resize(chartSize);
      view->chart()->scene()->render(&painter, target, QRectF(view->chart()->pos(), QSizeF(chartSize)));
      view->chart()->resize(old);
    } else {
      view->render(&painter, target);
    }
  }
  painter.setPen(Qt::black);
  painter.drawText(QRectF(8, chartSize.height() * 3, chartSize.width() - 16, 30), Qt::AlignVCenter | Qt::AlignLeft,
                   outlierSummary());
}

bool MotionPlots::exportPng(const QString& path, QString* error) {
  const QSize chartSize = exportChartSize();
  QImage image(chartSize.width(), chartSize.height() * 3 + 30, QImage::Format_ARGB32);
  image.fill(Qt::white);
  {
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderCharts(painter, chartSize);
  }
  try {
    writeAtomically(path.toStdString(), [&](const std::string& tmp) {
      if (!image.save(QString::fromStdString(tmp), "PNG")) throw std::runtime_error("cannot write PNG");
    });
  } catch (const std::exception& e) {
    if (error) *error = tr("%1: %2").arg(path, QString::fromStdString(e.what()));
    return false;
  }
  return true;
}

bool MotionPlots::exportSvg(const QString& path, QString* error) {
  const QSize chartSize = exportChartSize();
  try {
    writeAtomically(path.toStdString(), [&](const std::string& tmp) {
      QSvgGenerator svg;
      svg.setFileName(QString::fromStdString(tmp));
      svg.setSize(QSize(chartSize.width(), chartSize.height() * 3 + 30));
      svg.setViewBox(QRect(0, 0, chartSize.width(), chartSize.height() * 3 + 30));
      svg.setTitle(tr("Head motion"));
      svg.setDescription(outlierSummary());
      QPainter painter;
      if (!painter.begin(&svg)) throw std::runtime_error("cannot write SVG");
      renderCharts(painter, chartSize);
      painter.end();
      if (!QFileInfo(QString::fromStdString(tmp)).size()) throw std::runtime_error("cannot write SVG");
    });
  } catch (const std::exception& e) {
    if (error) *error = tr("%1: %2").arg(path, QString::fromStdString(e.what()));
    return false;
  }
  return true;
}

bool MotionPlots::exportParametersTsv(const QString& path, QString* error) const {
  return trace_.exportParametersTsv(path, error);
}

void MotionPlots::exportPlotsInteractively() {
  QString filter;
  const QString path = QFileDialog::getSaveFileName(this, tr("Export plots"), QStringLiteral("motion.png"),
                                                    tr("PNG image (*.png);;SVG drawing (*.svg)"), &filter);
  if (path.isEmpty()) return;
  QString error;
  const bool svg = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive) ||
                   (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) && filter.contains(QLatin1String("svg")));
  const bool ok = svg ? exportSvg(path, &error) : exportPng(path, &error);
  detailsLabel_->setText(ok ? tr("Saved %1").arg(path) : tr("Export failed: %1").arg(error));
}

void MotionPlots::exportParametersInteractively() {
  const QString status = exportParametersWithDialog(this, trace_);
  if (!status.isEmpty()) detailsLabel_->setText(status);
}

}  // namespace mc
