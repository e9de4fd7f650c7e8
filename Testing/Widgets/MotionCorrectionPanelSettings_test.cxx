// The panel before any run: SPM's defaults and help in the widgets, default output names that
// follow the input, settings remembered between sessions.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QTabWidget>

#include "CollapsibleSection.h"
#include "JobParameters.h"
#include "OutputNames.h"

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"
#include "PanelTestSupport.h"

using namespace mc;
using namespace mc::test;

void MotionCorrectionPanelTest::defaultsTooltipsAndAdvancedCollapsed() {
  MotionCorrectionPanel panel;
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  // SPM12's defaults, read from the widgets.
  QCOMPARE(child<QDoubleSpinBox>(&panel, "quality")->value(), 0.9);
  QCOMPARE(child<QDoubleSpinBox>(&panel, "separation")->value(), 4.0);
  QCOMPARE(child<QDoubleSpinBox>(&panel, "fwhm")->value(), 5.0);
  QCOMPARE(child<QComboBox>(&panel, "estimationInterpolation")->currentData().toInt(), 2);
  QCOMPARE(child<QComboBox>(&panel, "resliceInterpolation")->currentData().toInt(), 4);
  QCOMPARE(child<QComboBox>(&panel, "reference")->currentData().toString(), QStringLiteral("mean"));
  QVERIFY(child<QCheckBox>(&panel, "mask")->isChecked());
  QVERIFY(!child<QCheckBox>(&panel, "estimateOnly")->isChecked());
  QCOMPARE(child<QSpinBox>(&panel, "threads")->value(), 0);
  QCOMPARE(child<QComboBox>(&panel, "backend")->currentData().toString(), QStringLiteral("threads"));
  QCOMPARE(panel.fdThreshold(), 0.5);
  // One motion tab: the charts with Qt Charts, the summary without.
#if MC_WITH_QT_CHARTS
  QVERIFY(panel.plots() != nullptr && panel.summary() == nullptr);
#else
  QVERIFY(panel.plots() == nullptr && panel.summary() != nullptr);
#endif
  QCOMPARE(child<QTabWidget>(&panel, "resultsTabs")->count(), 2);
  // The panel's values are exactly a default JobSpec's, through the shared parameter map.
  const JobSpec defaults;
  const QMap<QString, QString> values = panel.parameterValues();
  for (const auto& [name, value] : jobParameters(defaults)) {
    const QString key = QString::fromStdString(name);
    if (!values.contains(key) || key == QLatin1String("input")) continue;
    JobSpec a, b;
    setJobParameter(a, name, value);
    setJobParameter(b, name, values.value(key).toStdString());
    QCOMPARE(QString::fromStdString(jobParameters(b) == jobParameters(a) ? "same" : name + " differs"),
             QStringLiteral("same"));
  }
  // Advanced is collapsed by default: its fields are hidden until it is opened.
  QVERIFY(panel.advancedSection()->isCollapsed());
  QVERIFY(!child<QDoubleSpinBox>(&panel, "fwhm")->isVisible());
  QTest::mouseClick(panel.advancedSection()->findChild<QWidget*>(QStringLiteral("sectionHeader")), Qt::LeftButton);
  QVERIFY(!panel.advancedSection()->isCollapsed());
  QVERIFY(child<QDoubleSpinBox>(&panel, "fwhm")->isVisible());
  // One sentence of help on every parameter.
  for (const char* name : {"quality", "separation", "fwhm", "estimationInterpolation", "resliceInterpolation",
                           "reference", "referenceFrame", "mask", "weightPath", "estimateOnly", "backend", "ranks",
                           "threads", "inputPath", "realignedPath", "meanPath", "parametersPath", "confoundsPath",
                           "fdThreshold"}) {
    const QString tip = child<QWidget>(&panel, name)->toolTip();
    QVERIFY2(tip.size() > 20 && tip.endsWith(QLatin1Char('.')), name);
  }
  test::saveScreenshot(&panel, QStringLiteral("panel_advanced_open.png"));
}

void MotionCorrectionPanelTest::defaultOutputNamesFollowTheInput() {
  MotionCorrectionPanel panel;
  setPath(&panel, "inputPath", QStringLiteral("/data/sub-01/func/sub-01_task-rest_bold.nii.gz"));
  auto values = panel.parameterValues();
  QCOMPARE(values["output"], QStringLiteral("/data/sub-01/func/rsub-01_task-rest_bold.nii.gz"));
  QCOMPARE(values["mean"], QStringLiteral("/data/sub-01/func/meansub-01_task-rest_bold.nii.gz"));
  QCOMPARE(values["params"], QStringLiteral("/data/sub-01/func/rp_sub-01_task-rest_bold.txt"));
  QCOMPARE(values["confounds"], QStringLiteral("/data/sub-01/func/sub-01_task-rest_bold_confounds.tsv"));
  // A name the user typed stays; the others follow a new input.
  setPath(&panel, "parametersPath", QStringLiteral("/elsewhere/motion.txt"));
  setPath(&panel, "inputPath", QStringLiteral("/data/run2.nii"));
  values = panel.parameterValues();
  QCOMPARE(values["params"], QStringLiteral("/elsewhere/motion.txt"));
  QCOMPARE(values["output"], QStringLiteral("/data/rrun2.nii"));
  QCOMPARE(values["confounds"], QStringLiteral("/data/run2_confounds.tsv"));
  QCOMPARE(runBaseName(QStringLiteral("/a/b.c/bold.nrrd")), QStringLiteral("bold"));
}

void MotionCorrectionPanelTest::settingsAreRememberedBetweenSessions() {
  {
    MotionCorrectionPanel panel;
    child<QDoubleSpinBox>(&panel, "fwhm")->setValue(6.5);
    child<QDoubleSpinBox>(&panel, "quality")->setValue(0.75);
    auto* reference = child<QComboBox>(&panel, "reference");
    reference->setCurrentIndex(reference->findData(QStringLiteral("frame")));
    child<QSpinBox>(&panel, "referenceFrame")->setValue(3);
    child<QComboBox>(&panel, "resliceInterpolation")->setCurrentIndex(1);
    child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
    child<QSpinBox>(&panel, "threads")->setValue(2);
    child<QDoubleSpinBox>(&panel, "fdThreshold")->setValue(0.3);
    panel.saveSettings();
  }
  MotionCorrectionPanel panel;
  QCOMPARE(child<QDoubleSpinBox>(&panel, "fwhm")->value(), 6.5);
  QCOMPARE(child<QDoubleSpinBox>(&panel, "quality")->value(), 0.75);
  QCOMPARE(panel.parameterValues()["reference"], QStringLiteral("3"));
  QCOMPARE(child<QComboBox>(&panel, "resliceInterpolation")->currentData().toInt(), 1);
  QVERIFY(child<QCheckBox>(&panel, "estimateOnly")->isChecked());
  QCOMPARE(child<QSpinBox>(&panel, "threads")->value(), 2);
  QCOMPARE(panel.fdThreshold(), 0.3);
  // The button brings SPM back.
  QTest::mouseClick(child<QPushButton>(&panel, "resetButton"), Qt::LeftButton);
  QCOMPARE(child<QDoubleSpinBox>(&panel, "fwhm")->value(), 5.0);
  QCOMPARE(panel.parameterValues()["reference"], QStringLiteral("mean"));
}
