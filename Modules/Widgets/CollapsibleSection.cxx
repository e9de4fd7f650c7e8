#include "CollapsibleSection.h"

#include <QFrame>
#include <QToolButton>
#include <QVBoxLayout>

namespace mc {

CollapsibleSection::CollapsibleSection(const QString& title, QWidget* parent) : QWidget(parent) {
  header_ = new QToolButton(this);
  header_->setObjectName(QStringLiteral("sectionHeader"));
  header_->setText(title);
  header_->setCheckable(true);
  header_->setChecked(true);
  header_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  header_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  header_->setAutoRaise(true);
  QFont f = header_->font();
  f.setBold(true);
  header_->setFont(f);

  body_ = new QFrame(this);
  bodyLayout_ = new QVBoxLayout(body_);
  bodyLayout_->setContentsMargins(12, 2, 2, 2);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(header_);
  layout->addWidget(body_);

  connect(header_, &QToolButton::toggled, this, [this](bool expanded) { setCollapsed(!expanded); });
  setCollapsed(false);
}

bool CollapsibleSection::isCollapsed() const { return body_->isHidden(); }

void CollapsibleSection::setCollapsed(bool collapsed) {
  const bool changed = collapsed != body_->isHidden();
  header_->blockSignals(true);
  header_->setChecked(!collapsed);
  header_->blockSignals(false);
  header_->setArrowType(collapsed ? Qt::RightArrow : Qt::DownArrow);
  body_->setHidden(collapsed);
  if (changed) emit collapsedChanged(collapsed);
}

}  // namespace mc
