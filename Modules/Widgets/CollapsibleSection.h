#pragma once
// A titled section whose body folds away behind an arrow button (ctkCollapsibleButton's look,
// without depending on CTK outside Slicer).
#include <QWidget>

class QToolButton;
class QVBoxLayout;

namespace mc {

class CollapsibleSection : public QWidget {
  Q_OBJECT
public:
  explicit CollapsibleSection(const QString& title, QWidget* parent = nullptr);
  QWidget* body() const { return body_; }
  QVBoxLayout* bodyLayout() const { return bodyLayout_; }
  bool isCollapsed() const;

public slots:
  void setCollapsed(bool collapsed);

signals:
  void collapsedChanged(bool collapsed);

private:
  QToolButton* header_;
  QWidget* body_;
  QVBoxLayout* bodyLayout_;
};

}  // namespace mc
