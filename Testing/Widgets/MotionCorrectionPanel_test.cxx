// The panel with a real event loop, the real engine and real NIfTI files (QT_QPA_PLATFORM=offscreen).
// Built twice: with Qt Charts (the standalone app's panel, MotionPlots) and without (the extension
// build; Slicer ships no Qt Charts, so the motion tab is MotionSummary).

// First, alone: the panel's header must not bring Qt Charts in, in either build (the Slicer module
// widget includes it against Slicer's headers). QCHARTGLOBAL_H guards Qt 5's and Qt 6's qchartglobal.h.
#include "MotionCorrectionPanel.h"
#ifdef QCHARTGLOBAL_H
#error "MotionCorrectionPanel.h includes Qt Charts"
#endif
// The Widgets target states its variant (PUBLIC), and without charts no Qt Charts target is linked
// (its usage requirements would define QT_CHARTS_LIB).
#ifndef MC_WITH_QT_CHARTS
#error "MC_WITH_QT_CHARTS is not defined by MotionCorrectionWidgets"
#endif
#if !MC_WITH_QT_CHARTS && defined(QT_CHARTS_LIB)
#error "the no-charts build links Qt Charts"
#endif

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "CollapsibleSection.h"
#include "GuiTestSupport.h"
#include "JobParameters.h"
#include "MotionMetrics.h"
#include "MotionSummary.h"
#include "MotionTrace.h"
#include "OutputNames.h"
#include "ParameterFiles.h"
#include "PathChooser.h"
#include "SliceComparisonView.h"
#if MC_WITH_QT_CHARTS
#include "MotionPlots.h"
#endif

using namespace mc;

namespace {

constexpr int kRunTimeoutMs = 180000;
constexpr double kDeg = 180.0 / M_PI;

template <class T>
T* child(QWidget* parent, const char* name) {
  T* w = parent->findChild<T*>(QString::fromLatin1(name));
  if (!w) qFatal("no child widget %s", name);
  return w;
}

void setPath(QWidget* panel, const char* name, const QString& path) {
  QLineEdit* edit = child<PathChooser>(panel, name)->lineEdit();
  edit->selectAll();
  QTest::keyClicks(edit, path);  // typed, as a user would
  QVERIFY(edit->text() == path);
  QMetaObject::invokeMethod(edit, "editingFinished");
}

QStringList readLines(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Redraws the motion tab now instead of after its 40 ms coalescing of bursts.
void refreshMotionTab(MotionCorrectionPanel& panel) {
#if MC_WITH_QT_CHARTS
  panel.plots()->refresh();
#else
  panel.summary()->refresh();
#endif
}

// Shows the panel, types `input` as a user would, ticks estimate-only (which must disable the
// realigned-run row), clicks Run and waits until the run finished. False if any step fails.
bool runEstimateOnly(MotionCorrectionPanel& panel, const QString& input) {
  panel.show();
  if (!QTest::qWaitForWindowExposed(&panel)) return false;
  setPath(&panel, "inputPath", input);
  child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
  if (child<PathChooser>(&panel, "realignedPath")->isEnabled()) return false;
  QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
  QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
  return finished.wait(kRunTimeoutMs);
}

}  // namespace

class MotionCorrectionPanelTest : public QObject {
  Q_OBJECT
private:
  QTemporaryDir settingsDir_;

private slots:
  void initTestCase() {
    QVERIFY(settingsDir_.isValid());
    test::isolateSettings(settingsDir_.path());
  }
  void init() { QSettings().clear(); }

  void defaultsTooltipsAndAdvancedCollapsed() {
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

  void defaultOutputNamesFollowTheInput() {
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

  void settingsAreRememberedBetweenSessions() {
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

  void runShowsTheEngineParameters() {
    QTemporaryDir dir;
    const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("bold.nii.gz")), 8);
    MotionCorrectionPanel panel;
    panel.resize(1100, 900);
    panel.setOrientation(Qt::Horizontal);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    setPath(&panel, "inputPath", run.path);
    child<QDoubleSpinBox>(&panel, "fwhm")->setValue(4.0);
    child<QSpinBox>(&panel, "threads")->setValue(2);
    auto* reslice = child<QComboBox>(&panel, "resliceInterpolation");
    reslice->setCurrentIndex(reslice->findData(3));
    QCOMPARE(panel.engineRequest().spec.estimation.fwhm, 4.0);
    QCOMPARE(panel.engineRequest().spec.reslice.interpolation, 3);

    int liveFrames = 0;
    bool shotTaken = false;
    connect(&panel, &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
      connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&](const FrameResult& r) {
        QVERIFY(r.frame >= 0 && r.frame < 8);
        ++liveFrames;
        // Mid-run: the plots are partly filled, the progress bar moves.
        if (liveFrames == 5 && !shotTaken) refreshMotionTab(panel);
        if (liveFrames == 5 && !shotTaken) shotTaken = test::saveScreenshot(&panel, QStringLiteral("panel_running.png"));
      });
    });
    QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
    QSignalSpy failed(&panel, &MotionCorrectionPanel::runFailed);
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!child<QPushButton>(&panel, "runButton")->isEnabled());
    QVERIFY(child<QPushButton>(&panel, "cancelButton")->isEnabled());
    QVERIFY2(finished.wait(kRunTimeoutMs) || !failed.isEmpty(), "run did not end");
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
    QVERIFY(liveFrames >= 8);  // every frame arrived live, before the end
    QVERIFY(shotTaken);
    QVERIFY(!panel.isRunning());
    QCOMPARE(child<QProgressBar>(&panel, "progressBar")->value(), 1000);
    QVERIFY(panel.errorText().isEmpty());
    QVERIFY(panel.statusText().startsWith(QLatin1String("Done")));

    // Outputs exist under their default names, nothing else is left in the folder.
    const DefaultOutputs out = defaultOutputsFor(run.path);
    for (const QString& p : {out.realigned, out.mean, out.parameters, out.confounds}) QVERIFY2(QFile::exists(p), qPrintable(p));
    QCOMPARE(test::filesIn(dir.path()), (QStringList{QStringLiteral("bold.nii.gz"), QStringLiteral("bold_confounds.tsv"),
                                                     QStringLiteral("meanbold.nii.gz"), QStringLiteral("rbold.nii.gz"),
                                                     QStringLiteral("rp_bold.txt")}));
    QCOMPARE(finished.first().first().toStringList().size(), 4);

    // One point per frame, equal to the engine's rp file.
    const std::vector<RigidParameters> rp = parseRpFile(out.parameters.toStdString());
    QCOMPARE(int(rp.size()), 8);
    const std::vector<double> fd = framewiseDisplacement(rp);
    // What the Slicer glue imports: the same numbers.
    QCOMPARE(int(panel.finalParameters().size()), 8);
    QCOMPARE(int(panel.finalDisplacement().size()), 8);
    for (int j = 0; j < 8; ++j)
      for (int i = 0; i < 6; ++i) QVERIFY(std::abs(panel.finalParameters()[j][i] - rp[j][i]) < 1e-6);
    // The motion tab holds the engine's final numbers, in either build.
    const MotionTrace& trace = panel.motionTrace();
    QVERIFY(trace.isFinal());
    QCOMPARE(trace.frameCount(), 8);
    for (int j = 0; j < 8; ++j) {
      for (int i = 0; i < 6; ++i) QVERIFY(std::abs(trace.frames()[j][i] - rp[j][i]) < 1e-6);
      QVERIFY(std::abs(trace.displacement(j) - fd[j]) < 1e-5);
    }
#if MC_WITH_QT_CHARTS
    MotionPlots* plots = panel.plots();
    for (int a = 0; a < 3; ++a) {
      const auto t = plots->translationSeries(a)->points();
      const auto r = plots->rotationSeries(a)->points();
      QCOMPARE(int(t.size()), 8);
      QCOMPARE(int(r.size()), 8);
      for (int j = 0; j < 8; ++j) {
        QCOMPARE(t[j].x(), double(j));
        QVERIFY2(std::abs(t[j].y() - rp[j][a]) < 1e-6, qPrintable(QStringLiteral("frame %1 axis %2").arg(j).arg(a)));
        QVERIFY(std::abs(r[j].y() - rp[j][a + 3] * kDeg) < 1e-6);
      }
    }
    const auto fdPoints = plots->displacementSeries()->points();
    QCOMPARE(int(fdPoints.size()), 8);
    for (int j = 0; j < 8; ++j) QVERIFY(std::abs(fdPoints[j].y() - fd[j]) < 1e-5);
#else
    // Without charts: at a 0 mm threshold every moved frame (1..7) is a row of the outlier table,
    // with the rp file's numbers (rotations in degrees) and the core's FD.
    panel.setFdThreshold(0.0);
    QTableWidget* table = child<QTableWidget>(panel.summary(), "outlierTable");
    QCOMPARE(table->rowCount(), 7);
    for (int row = 0; row < 7; ++row) {
      const int j = row + 1;
      QCOMPARE(table->item(row, 0)->text(), QString::number(j));
      for (int a = 0; a < 3; ++a) {
        QVERIFY(std::abs(table->item(row, 1 + a)->data(Qt::UserRole).toDouble() - rp[j][a]) < 1e-6);
        QVERIFY(std::abs(table->item(row, 4 + a)->data(Qt::UserRole).toDouble() - rp[j][a + 3] * kDeg) < 1e-6);
      }
      QVERIFY(std::abs(table->item(row, 7)->data(Qt::UserRole).toDouble() - fd[j]) < 1e-5);
    }
    panel.setFdThreshold(0.5);
#endif
    // The estimates are the phantom's true motion (the engine's accuracy is tested elsewhere; this
    // guards against plotting the wrong thing, e.g. radians as degrees or frames shifted).
    double worst = 0, worstDeg = 0;
    for (int j = 0; j < 8; ++j)
      for (int a = 0; a < 3; ++a) {
        worst = std::max(worst, std::abs(panel.finalParameters()[j][a] - run.truth[j][a]));
        worstDeg = std::max(worstDeg, std::abs(panel.finalParameters()[j][a + 3] - run.truth[j][a + 3]) * kDeg);
      }
    QVERIFY2(worst < 0.3, qPrintable(QString::number(worst)));
    QVERIFY2(worstDeg < 0.3, qPrintable(QString::number(worstDeg)));
    // Confounds TSV: header and one row per frame.
    QCOMPARE(readLines(out.confounds).size(), 9);

    // Before/after: realigned frames differ less from the reference than the originals do.
    SliceComparisonView* view = panel.comparison();
    QTRY_VERIFY_WITH_TIMEOUT(view->realigned() != nullptr && view->original() != nullptr, 20000);
    child<QTabWidget>(&panel, "resultsTabs")->setCurrentWidget(view);
    int moved = 1;
    for (int j = 1; j < 8; ++j)
      if (std::abs(rp[j][0]) + std::abs(rp[j][1]) + std::abs(rp[j][2]) >
          std::abs(rp[moved][0]) + std::abs(rp[moved][1]) + std::abs(rp[moved][2]))
        moved = j;
    child<QSlider>(view, "frameSlider")->setValue(moved);
    QCOMPARE(view->frame(), moved);
    QCOMPARE(child<QSpinBox>(view, "frameSpin")->value(), moved);
    auto* mode = child<QComboBox>(view, "comparisonMode");
    mode->setCurrentIndex(SliceComparisonView::DifferenceToReference);
    for (int o = 0; o < 3; ++o) {
      const double before = test::meanGrey(view->image(0, SliceComparisonView::Orientation(o)));
      const double after = test::meanGrey(view->image(1, SliceComparisonView::Orientation(o)));
      QVERIFY2(before > 0 && after < 0.8 * before,
               qPrintable(QStringLiteral("orientation %1: %2 -> %3").arg(o).arg(before).arg(after)));
    }
    test::saveScreenshot(&panel, QStringLiteral("panel_before_after.png"));
    mode->setCurrentIndex(SliceComparisonView::Images);
    QVERIFY(!view->image(1, SliceComparisonView::Axial).isNull());
    child<QTabWidget>(&panel, "resultsTabs")->setCurrentIndex(0);
    QVERIFY(test::saveScreenshot(&panel, QStringLiteral("panel_done.png")));
  }

  // Both variant-specific tests are declared in both builds (moc's output then does not depend on
  // MC_WITH_QT_CHARTS, so flipping the option in a build tree cannot leave a stale .moc); CMake
  // registers each only where it applies.
  void thresholdHoverAndExports() {
#if !MC_WITH_QT_CHARTS
    QSKIP("the Qt Charts plots are not built (MC_WITH_QT_CHARTS=OFF)");
#else
    QTemporaryDir dir;
    const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("run.nii")), 8, 11);
    MotionCorrectionPanel panel;
    panel.resize(1000, 900);
    QVERIFY(runEstimateOnly(panel, run.path));
    const DefaultOutputs out = defaultOutputsFor(run.path);
    QVERIFY(QFile::exists(out.parameters) && QFile::exists(out.confounds));
    QVERIFY(!QFile::exists(out.realigned) && !QFile::exists(out.mean));  // estimate only

    // Threshold between two FD values: the frames above are marked, counted and listed.
    MotionPlots* plots = panel.plots();
    std::vector<double> fd;
    for (int j = 0; j < 8; ++j) fd.push_back(plots->displacement(j));
    std::vector<double> sorted = fd;
    std::sort(sorted.begin(), sorted.end());
    const double limit = std::round((sorted[5] + sorted[6]) / 2 * 100) / 100;  // the spin box keeps 2 decimals
    child<QDoubleSpinBox>(plots, "fdThreshold")->setValue(limit);
    QList<int> expected;
    for (int j = 0; j < 8; ++j)
      if (fd[j] > limit) expected << j;
    QVERIFY(!expected.isEmpty());
    QCOMPARE(plots->outlierFrames(), expected);
    QCOMPARE(int(plots->outlierSeries()->points().size()), int(expected.size()));
    for (const QPointF& p : plots->outlierSeries()->points()) QVERIFY(p.y() > limit);
    QCOMPARE(plots->thresholdSeries()->points().first().y(), limit);
    const QString summary = child<QLabel>(plots, "outlierLabel")->text();
    QVERIFY2(summary.startsWith(QString::number(expected.size())) && summary.contains(QString::number(expected.last())),
             qPrintable(summary));
    child<QDoubleSpinBox>(plots, "fdThreshold")->setValue(19.0);
    QVERIFY(plots->outlierFrames().isEmpty());
    child<QDoubleSpinBox>(plots, "fdThreshold")->setValue(limit);

    // Hover: the chart's hovered signal names the frame and its values.
    const QPointF onCurve = plots->translationSeries(0)->points().at(4);
    emit plots->translationSeries(0)->hovered(onCurve, true);
    const QString details = child<QLabel>(plots, "frameDetailsLabel")->text();
    QVERIFY2(details.startsWith(QLatin1String("Frame 4:")) &&
                 details.contains(QString::number(onCurve.y(), 'f', 3)),
             qPrintable(details));

    // Exports: PNG, SVG and the parameters as TSV.
    QString error;
    const QString png = dir.filePath(QStringLiteral("plots.png"));
    const QString svg = dir.filePath(QStringLiteral("plots.svg"));
    const QString tsv = dir.filePath(QStringLiteral("params.tsv"));
    QVERIFY2(plots->exportPng(png, &error), qPrintable(error));
    QVERIFY2(plots->exportSvg(svg, &error), qPrintable(error));
    QVERIFY2(plots->exportParametersTsv(tsv, &error), qPrintable(error));
    const QImage image(png);
    QVERIFY(image.width() >= 300 && image.height() >= 360);
    QVERIFY(test::meanGrey(image) < 254.5);  // something is drawn on the white page
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    QVERIFY(svgText.contains("<svg") && svgText.contains("<path") && svgText.contains("Framewise displacement"));
    const QStringList rows = readLines(tsv);
    QCOMPARE(rows.size(), 9);
    QVERIFY(rows.first().startsWith(QLatin1String("trans_x\ttrans_y\ttrans_z\trot_x")));
    QCOMPARE(rows, readLines(out.confounds));  // the same table the engine wrote
    QVERIFY(!plots->exportPng(QStringLiteral("/nonexistent-folder/x.png"), &error));
    QVERIFY(error.contains(QLatin1String("/nonexistent-folder/x.png")));
    test::saveScreenshot(&panel, QStringLiteral("panel_outliers.png"));
#endif
  }

  // The chart-free motion tab: the same threshold, outliers and export as the plots'.
  void outlierTableAndExport() {
#if MC_WITH_QT_CHARTS
    QSKIP("the panel shows the Qt Charts plots, not the summary (MC_WITH_QT_CHARTS=ON)");
#else
    QTemporaryDir dir;
    const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("run.nii")), 8, 11);
    MotionCorrectionPanel panel;
    panel.resize(900, 800);
    QVERIFY(runEstimateOnly(panel, run.path));
    const DefaultOutputs out = defaultOutputsFor(run.path);
    const std::vector<RigidParameters> rp = parseRpFile(out.parameters.toStdString());
    QCOMPARE(int(rp.size()), 8);
    const std::vector<double> fd = framewiseDisplacement(rp);

    // A threshold between two FD values (the spin box keeps 2 decimals): the frames above are
    // counted, named and listed, and clicking one shows it before/after.
    MotionSummary* summary = panel.summary();
    std::vector<double> sorted = fd;
    std::sort(sorted.begin(), sorted.end());
    const double limit = std::round((sorted[5] + sorted[6]) / 2 * 100) / 100;
    QSignalSpy outliersChanged(summary, &MotionSummary::outliersChanged);
    child<QDoubleSpinBox>(summary, "fdThreshold")->setValue(limit);
    QList<int> expected;
    for (int j = 0; j < 8; ++j)
      if (fd[j] > limit) expected << j;
    QVERIFY(!expected.isEmpty() && expected.size() < 8);
    QCOMPARE(panel.outlierFrames(), expected);
    QCOMPARE(outliersChanged.size(), 1);
    QTableWidget* table = child<QTableWidget>(summary, "outlierTable");
    QCOMPARE(table->rowCount(), int(expected.size()));
    for (int row = 0; row < table->rowCount(); ++row) {
      QCOMPARE(table->item(row, 0)->text().toInt(), expected[row]);
      QVERIFY(table->item(row, 7)->data(Qt::UserRole).toDouble() > limit);
    }
    const QString label = child<QLabel>(summary, "outlierLabel")->text();
    QVERIFY2(label.startsWith(QString::number(expected.size())) && label.contains(QString::number(expected.last())),
             qPrintable(label));
    QVERIFY(child<QLabel>(summary, "motionStatsLabel")->text().contains(QLatin1String("8 frames")));
    const int lastRow = table->rowCount() - 1;
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier,
                      table->visualItemRect(table->item(lastRow, 0)).center());
    QCOMPARE(panel.comparison()->frame(), expected.last());
    QCOMPARE(child<QTabWidget>(&panel, "resultsTabs")->currentWidget(), static_cast<QWidget*>(panel.comparison()));
    child<QTabWidget>(&panel, "resultsTabs")->setCurrentWidget(summary);
    test::saveScreenshot(&panel, QStringLiteral("panel_outliers_nocharts.png"));
    child<QDoubleSpinBox>(summary, "fdThreshold")->setValue(19.0);
    QCOMPARE(table->rowCount(), 0);
    QVERIFY(panel.outlierFrames().isEmpty());

    // The threshold is a setting here too.
    panel.setFdThreshold(limit);
    panel.saveSettings();
    MotionCorrectionPanel again;
    QCOMPARE(again.fdThreshold(), limit);

    // Export: the same table the engine wrote; a bad folder is named in the error.
    QString error;
    const QString tsv = dir.filePath(QStringLiteral("params.tsv"));
    QVERIFY2(summary->exportParametersTsv(tsv, &error), qPrintable(error));
    QCOMPARE(readLines(tsv), readLines(out.confounds));
    QVERIFY(!summary->exportParametersTsv(QStringLiteral("/nonexistent-folder/x.tsv"), &error));
    QVERIFY(error.contains(QLatin1String("/nonexistent-folder/x.tsv")));
    // Before any run there is nothing to export.
    QVERIFY(!again.summary()->exportParametersTsv(dir.filePath(QStringLiteral("none.tsv")), &error));
    QVERIFY(error.contains(QLatin1String("no parameters yet")));
#endif
  }

  void cancelLeavesNoOutput() {
    QTemporaryDir dir;
    const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("long.nii.gz")), 24, 5);
    MotionCorrectionPanel panel;
    panel.show();
    setPath(&panel, "inputPath", run.path);
    child<QSpinBox>(&panel, "threads")->setValue(1);
    bool cancelled = false;
    connect(&panel, &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
      connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&] {
        if (!cancelled) {
          cancelled = true;
          QTest::mouseClick(child<QPushButton>(&panel, "cancelButton"), Qt::LeftButton);
        }
      });
    });
    QSignalSpy cancelledSpy(&panel, &MotionCorrectionPanel::runCancelled);
    QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(cancelledSpy.wait(kRunTimeoutMs));
    QVERIFY(cancelled);
    QVERIFY(finished.isEmpty());
    QVERIFY(!panel.isRunning());
    QVERIFY(panel.statusText().startsWith(QLatin1String("Cancelled")));
    QVERIFY(panel.errorText().isEmpty());
    QTest::qWait(200);  // anything late would show up now
    QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("long.nii.gz")});
    // The panel is ready again: the same run completes.
    child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(finished.wait(kRunTimeoutMs));
    QCOMPARE(int(panel.finalParameters().size()), 24);
    QCOMPARE(panel.motionTrace().frameCount(), 24);
#if MC_WITH_QT_CHARTS
    QCOMPARE(panel.plots()->translationSeries(0)->points().size(), 24);
#endif
  }

  void badInputShowsAnErrorInThePanel() {
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("broken.nii.gz"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("this is not a NIfTI file");
    }
    MotionCorrectionPanel panel;
    panel.show();
    setPath(&panel, "inputPath", bad);
    // Reading it for the before/after view already reports it.
    QTRY_VERIFY_WITH_TIMEOUT(panel.errorText().contains(QLatin1String("broken.nii.gz")), 10000);
    QSignalSpy failed(&panel, &MotionCorrectionPanel::runFailed);
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(failed.wait(kRunTimeoutMs));
    const QString reason = failed.first().first().toString();
    QVERIFY2(reason.contains(QLatin1String("broken.nii.gz")) && !reason.contains(QLatin1Char('\n')), qPrintable(reason));
    QCOMPARE(panel.errorText(), reason);
    QVERIFY(child<QLabel>(&panel, "errorLabel")->isVisible());
    QVERIFY(child<QPushButton>(&panel, "runButton")->isEnabled());
    QCOMPARE(test::filesIn(dir.path()), QStringList{QStringLiteral("broken.nii.gz")});
    test::saveScreenshot(&panel, QStringLiteral("panel_error.png"));

    // A missing file and a bad parameter are refused before anything starts.
    setPath(&panel, "inputPath", dir.filePath(QStringLiteral("missing.nii.gz")));
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(!panel.isRunning());
    QVERIFY2(panel.errorText().contains(QLatin1String("missing.nii.gz: no such file")), qPrintable(panel.errorText()));
    setPath(&panel, "inputPath", bad);
    setPath(&panel, "meanPath", dir.filePath(QStringLiteral("mean.txt")));
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(!panel.isRunning());
    QVERIFY2(panel.errorText().contains(QLatin1String("mean.txt")), qPrintable(panel.errorText()));
    // Typing into the input clears the message.
    setPath(&panel, "inputPath", dir.filePath(QStringLiteral("other.nii.gz")));
    QTRY_VERIFY(panel.errorText().contains(QLatin1String("other.nii.gz: no such file")));
  }

  void mpiRunReportsEveryFrame() {
    const QString why = MotionCorrectionTask::backendUnavailableReason(Backend::Mpi);
    if (!why.isEmpty()) QSKIP(qPrintable(why));
    QTemporaryDir dir;
    const test::GeneratedRun run = test::writePhantomRun(dir.filePath(QStringLiteral("mpi.nii.gz")), 8, 9);
    MotionCorrectionPanel panel;
    setPath(&panel, "inputPath", run.path);
    auto* backend = child<QComboBox>(&panel, "backend");
    backend->setCurrentIndex(backend->findData(QStringLiteral("mpi")));
    child<QSpinBox>(&panel, "ranks")->setValue(2);
    child<QSpinBox>(&panel, "threads")->setValue(1);
    child<QCheckBox>(&panel, "estimateOnly")->setChecked(true);
    QCOMPARE(panel.engineRequest().backend, Backend::Mpi);
    int live = 0;
    connect(&panel, &MotionCorrectionPanel::taskStarted, this, [&](MotionCorrectionTask* task) {
      connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&] { ++live; });
    });
    QSignalSpy finished(&panel, &MotionCorrectionPanel::runFinished);
    QSignalSpy failed(&panel, &MotionCorrectionPanel::runFailed);
    QTest::mouseClick(child<QPushButton>(&panel, "runButton"), Qt::LeftButton);
    QVERIFY(finished.wait(kRunTimeoutMs) || !failed.isEmpty());
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
    QVERIFY(live >= 8);
    const auto rp = parseRpFile(defaultOutputsFor(run.path).parameters.toStdString());
    QCOMPARE(panel.motionTrace().frameCount(), 8);
    for (int j = 0; j < 8; ++j)
      for (int i = 0; i < 6; ++i) QVERIFY(std::abs(panel.motionTrace().frames()[j][i] - rp[j][i]) < 1e-6);
#if MC_WITH_QT_CHARTS
    const auto points = panel.plots()->translationSeries(2)->points();
    QCOMPARE(int(points.size()), 8);
    for (int j = 0; j < 8; ++j) QVERIFY(std::abs(points[j].y() - rp[j][2]) < 1e-6);
#endif
  }
};

QTEST_MAIN(MotionCorrectionPanelTest)
#include "MotionCorrectionPanel_test.moc"
