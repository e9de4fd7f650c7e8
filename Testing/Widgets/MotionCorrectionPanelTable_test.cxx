// The panel on the parameter table: every Job/Run entry the form shows has the table's default,
// range, step, choices and help in its widget; the request and its errors come from the table's
// setters and RunRequest::validate.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <set>

#include "ParameterTable.h"
#include "RunParameters.h"

#include "MotionCorrectionPanelTest.h"
#include "PanelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

// The widget's value as the table's text.
void checkDefault(const ParameterEntry& e, QWidget* w) {
  const QString name = q(e.name);
  if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) {
    QVERIFY2(d->value() == std::stod(e.defaultValue), qPrintable(name));
  } else if (auto* s = qobject_cast<QSpinBox*>(w)) {
    QCOMPARE(QString::number(s->value()), q(e.defaultValue));
  } else if (auto* c = qobject_cast<QCheckBox*>(w)) {
    QCOMPARE(c->isChecked() ? QStringLiteral("true") : QStringLiteral("false"), q(e.defaultValue));
  } else if (auto* c = qobject_cast<QComboBox*>(w)) {
    QCOMPARE(c->currentData().toString(), q(e.defaultValue));
  } else if (auto* p = qobject_cast<PathChooser*>(w)) {
    QCOMPARE(p->path(), q(e.defaultValue));
  } else {
    QFAIL(qPrintable(name + QStringLiteral(": unexpected widget kind")));
  }
}

void checkRange(const ParameterEntry& e, QWidget* w) {
  const QString name = q(e.name);
  if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) {
    QVERIFY2(e.minimum && e.maximum && e.step, qPrintable(name));
    QVERIFY2(d->minimum() == *e.minimum && d->maximum() == *e.maximum && d->singleStep() == *e.step, qPrintable(name));
  } else if (auto* s = qobject_cast<QSpinBox*>(w)) {
    QVERIFY2(e.minimum && e.maximum, qPrintable(name));
    QVERIFY2(s->minimum() == *e.minimum && s->maximum() == *e.maximum, qPrintable(name));
  } else if (auto* c = qobject_cast<QComboBox*>(w); c && e.type == ParameterType::Integer) {
    // One item per whole number of the range.
    QCOMPARE(c->count(), int(*e.maximum - *e.minimum) + 1);
    QCOMPARE(c->itemData(0).toInt(), int(*e.minimum));
    QCOMPARE(c->itemData(c->count() - 1).toInt(), int(*e.maximum));
  } else if (c && e.type == ParameterType::Choice) {
    QStringList items, choices;
    for (int i = 0; i < c->count(); ++i) items << c->itemData(i).toString();
    for (const std::string& choice : e.choices) choices << q(choice);
    QCOMPARE(items, choices);
  }
}

}  // namespace

void MotionCorrectionPanelTest::widgetsFollowTheParameterTable() {
  MotionCorrectionPanel panel;
  std::set<std::string> shown;
  for (const ParameterEntry& e : parameterTable()) {
    QWidget* w = panel.parameterWidget(q(e.name));
    if (!w) continue;
    shown.insert(e.name);
    QCOMPARE(w->toolTip(), q(e.help));
    checkDefault(e, w);
    checkRange(e, w);
    if (QTest::currentTestFailed()) return;
    QVERIFY2(panel.parameterValues().contains(q(e.name)), e.name.c_str());
  }
  // Every table entry but the wrap flags and keep-datatype is in the form, of both scopes.
  for (const char* name : {"input", "output", "mean", "params", "transforms", "confounds", "weight", "quality", "sep",
                           "fwhm", "interp", "reference", "reslice-interp", "mask", "estimate-only", "threads",
                           "backend", "mpi-ranks"})
    QVERIFY2(shown.count(name) == 1, name);
  // The rank count is "mpi-ranks" in the values; the widget keeps its objectName.
  QCOMPARE(panel.parameterWidget(QStringLiteral("mpi_ranks"))->objectName(), QStringLiteral("ranks"));
  QVERIFY(!panel.parameterValues().contains(QStringLiteral("ranks")));
  panel.setParameterValues({{QStringLiteral("ranks"), QStringLiteral("5")}});  // old scenes and settings
  QCOMPARE(panel.parameterValues().value(QStringLiteral("mpi-ranks")), QStringLiteral("5"));
  panel.setParameterValues({{QStringLiteral("mpi-ranks"), QStringLiteral("3")}, {QStringLiteral("backend"), QStringLiteral("mpi")}});

  // The request is the table's reading of the values; its problems are validate()'s one line.
  try {
    panel.engineRequest();
    QFAIL("a request without input was accepted");
  } catch (const std::invalid_argument& e) {
    RunRequest empty;
    try {
      empty.validate();
    } catch (const std::invalid_argument& expected) {
      QCOMPARE(QString::fromUtf8(e.what()), QString::fromUtf8(expected.what()));
    }
  }
  QTemporaryDir dir;
  setPath(&panel, "inputPath", dir.filePath(QStringLiteral("bold.nii.gz")));
  const EngineRequest request = panel.engineRequest();
  QCOMPARE(request.mpi.ranks, 3);
  QCOMPARE(request.backend, Backend::Mpi);
  for (const auto& [name, value] : runParameters(request))
    if (panel.parameterWidget(q(name)))
      QCOMPARE(q(name) + QLatin1Char('=') + panel.parameterValues().value(q(name)), q(name) + QLatin1Char('=') + q(value));
  for (const char* path : {"output", "mean", "params", "confounds"})
    QVERIFY2(!panel.parameterValues().value(QString::fromLatin1(path)).isEmpty(), path);
  for (const char* path : {"realignedPath", "meanPath", "parametersPath", "confoundsPath"})
    child<PathChooser>(&panel, path)->setPath(QString());
  try {
    panel.engineRequest();
    QFAIL("a request without outputs was accepted");
  } catch (const std::invalid_argument& e) {
    QVERIFY2(QString::fromUtf8(e.what()).startsWith(QLatin1String("--output: no output requested")), e.what());
  }
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  QVERIFY(!panel.isRunning());
  QVERIFY2(panel.errorText().startsWith(QLatin1String("--output: no output requested")), qPrintable(panel.errorText()));
}
