#pragma once
// What the panel's tests share: finding its widgets by objectName, typing a path as a user would,
// and one estimate-only run driven through the widgets.
#include <QCheckBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStringList>
#include <QtTest>
#include <cmath>

#include "MotionCorrectionPanel.h"
#include "MotionSummary.h"
#include "PathChooser.h"
#if MC_WITH_QT_CHARTS
#include "MotionPlots.h"
#endif

namespace mc::test {

inline constexpr int kRunTimeoutMs = 180000;
inline constexpr double kDeg = 180.0 / M_PI;

template <class T>
T* child(QWidget* parent, const char* name) {
  T* w = parent->findChild<T*>(QString::fromLatin1(name));
  if (!w) qFatal("no child widget %s", name);
  return w;
}

inline void setPath(QWidget* panel, const char* name, const QString& path) {
  QLineEdit* edit = child<PathChooser>(panel, name)->lineEdit();
  edit->selectAll();
  QTest::keyClicks(edit, path);  // typed, as a user would
  QVERIFY(edit->text() == path);
  QMetaObject::invokeMethod(edit, "editingFinished");
}

inline QStringList readLines(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Redraws the motion tab now instead of after its 40 ms coalescing of bursts.
inline void refreshMotionTab(MotionCorrectionPanel& panel) {
#if MC_WITH_QT_CHARTS
  panel.plots()->refresh();
#else
  panel.summary()->refresh();
#endif
}

// Shows the panel, types `input` as a user would, ticks estimate-only (which must disable the
// realigned-run row), clicks Run and waits until the run finished. False if any step fails.
inline bool runEstimateOnly(MotionCorrectionPanel& panel, const QString& input) {
  panel.show();
  if (!QTest::qWaitForWindowExposed(&panel)) return false;
  setPath(&panel, "inputPath", input);
  child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
  if (child<PathChooser>(&panel, "realignedPath")->isEnabled()) return false;
  QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  return finished.wait(kRunTimeoutMs);
}

}  // namespace mc::test
