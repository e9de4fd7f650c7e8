#pragma once
// A file or folder path field with a browse button (ctkPathLineEdit's role, without CTK).
#include <QWidget>

class QLineEdit;
class QToolButton;

namespace mc {

class PathChooser : public QWidget {
  Q_OBJECT
public:
  enum Mode { OpenFile, SaveFile, OpenFolder };  // OpenFolder: an existing folder (filter unused)
  PathChooser(Mode mode, const QString& filter, QWidget* parent = nullptr);

  QString path() const;
  QLineEdit* lineEdit() const { return edit_; }
  void setPlaceholderText(const QString& text);

public slots:
  void setPath(const QString& path);
  void browse();

signals:
  void pathChanged(const QString& path);  // on every edit and on browse
  void editingFinished();

private:
  Mode mode_;
  QString filter_;
  QLineEdit* edit_;
  QToolButton* button_;
};

}  // namespace mc
