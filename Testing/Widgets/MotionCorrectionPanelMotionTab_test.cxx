// The motion tab after a run: with Qt Charts the plots (threshold, outliers, hover, PNG/SVG/TSV
// export), without them the summary (the same threshold on a table of the outliers, TSV export).
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <algorithm>

#include "MotionMetrics.h"
#include "OutputNames.h"
#include "ParameterFiles.h"
#include "SliceComparisonView.h"

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"
#include "PanelTestSupport.h"

using namespace mc;
using namespace mc::test;

void MotionCorrectionPanelTest::thresholdHoverAndExports() {
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
void MotionCorrectionPanelTest::outlierTableAndExport() {
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
