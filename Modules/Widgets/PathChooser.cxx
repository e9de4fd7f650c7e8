#include "PathChooser.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

namespace mc {

PathChooser::PathChooser(Mode mode, const QString& filter, QWidget* parent)
    : QWidget(parent), mode_(mode), filter_(filter) {
  edit_ = new QLineEdit(this);
  edit_->setObjectName(QStringLiteral("pathEdit"));
  edit_->setClearButtonEnabled(true);
  button_ = new QToolButton(this);
  button_->setObjectName(QStringLiteral("browseButton"));
  button_->setText(QStringLiteral("…"));
  button_->setToolTip(mode == OpenFile ? tr("Choose a file") : mode == OpenFolder ? tr("Choose a folder") : tr("Choose where to save"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(edit_, 1);
  layout->addWidget(button_);
  connect(edit_, &QLineEdit::textChanged, this, &PathChooser::pathChanged);
  connect(edit_, &QLineEdit::editingFinished, this, &PathChooser::editingFinished);
  connect(button_, &QToolButton::clicked, this, &PathChooser::browse);
}

QString PathChooser::path() const { return edit_->text().trimmed(); }

void PathChooser::setPlaceholderText(const QString& text) { edit_->setPlaceholderText(text); }

void PathChooser::setPath(const QString& path) {
  if (path == edit_->text()) return;
  edit_->setText(path);
}

void PathChooser::browse() {
  const QString start = path().isEmpty() ? QString() : QFileInfo(path()).absolutePath();
  const QString chosen = mode_ == OpenFile     ? QFileDialog::getOpenFileName(this, tr("Open"), start, filter_)
                         : mode_ == OpenFolder ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"), path())
                                               : QFileDialog::getSaveFileName(this, tr("Save as"), path(), filter_);
  if (chosen.isEmpty()) return;
  setPath(chosen);
  emit editingFinished();
}

}  // namespace mc
