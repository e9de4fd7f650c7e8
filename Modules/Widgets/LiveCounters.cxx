#include "LiveCounters.h"

#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>
#include <cmath>

namespace mc {
namespace {

QString percent(int count, int of) { return of > 0 ? QString::number(std::lround(100.0 * count / of)) + QLatin1Char('%') : QStringLiteral("–"); }

}  // namespace

LiveCounters::LiveCounters(QWidget* parent) : QWidget(parent) {
  label_ = new QLabel(this);
  label_->setObjectName(QStringLiteral("liveCountersLabel"));
  label_->setTextFormat(Qt::RichText);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label_->setToolTip(tr("Framewise displacement (Power et al. 2012) of each volume to the one before it. Usable "
                        "minutes: volumes whose FD is under the threshold, times the TR."));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(label_);
  clear({0.2, 0.3, 0.5}, 0.5);
}

void LiveCounters::clear(const std::vector<double>& levels, double thresholdMm) {
  summary_ = FollowSummary{};
  summary_.levels = levels;
  summary_.under.assign(levels.size(), 0);
  threshold_ = thresholdMm;
  render();
}

void LiveCounters::show(const FollowSummary& summary) {
  summary_ = summary;
  render();
}

QStringList LiveCounters::lines() const {
  const FollowSummary& s = summary_;
  QStringList out;
  out << tr("volumes: %1").arg(s.volumes);
  for (std::size_t i = 0; i < s.levels.size() && i < s.under.size(); ++i)
    out << tr("FD < %1 mm: %2 (%3)").arg(s.levels[i], 0, 'g', 3).arg(s.under[i]).arg(percent(s.under[i], s.volumes));
  out << tr("usable (FD < %1 mm): %2 (%3), %4 min")
             .arg(threshold_, 0, 'g', 3)
             .arg(s.usable)
             .arg(percent(s.usable, s.volumes))
             .arg(s.usableMinutes, 0, 'f', 2);
  out << tr("FD mean %1 mm, max %2 mm").arg(s.meanFd, 0, 'f', 3).arg(s.maxFd, 0, 'f', 3);
  return out;
}

void LiveCounters::render() {
  // A two-column table: the number an operator looks for stands out on the right.
  QString html = QStringLiteral("<table cellspacing='0' cellpadding='1'>");
  auto row = [&](const QString& what, const QString& value) {
    html += QStringLiteral("<tr><td>%1&nbsp;&nbsp;</td><td align='right'><b>%2</b></td></tr>").arg(what, value);
  };
  const FollowSummary& s = summary_;
  row(tr("Volumes"), QString::number(s.volumes));
  for (std::size_t i = 0; i < s.levels.size() && i < s.under.size(); ++i)
    row(tr("FD &lt; %1 mm").arg(s.levels[i], 0, 'g', 3),
        tr("%1 (%2)").arg(s.under[i]).arg(percent(s.under[i], s.volumes)));
  row(tr("Usable minutes (FD &lt; %1 mm)").arg(threshold_, 0, 'g', 3),
      tr("%1 min (%2 vol)").arg(s.usableMinutes, 0, 'f', 2).arg(s.usable));
  row(tr("FD mean / max"), tr("%1 / %2 mm").arg(s.meanFd, 0, 'f', 3).arg(s.maxFd, 0, 'f', 3));
  html += QStringLiteral("</table>");
  label_->setText(html);
}

}  // namespace mc
