// File > Correct BIDS dataset… in the standalone app, offscreen: the dialog driven as a user would
// (its fields, Start) on a BIDS folder of 2 subjects x 2 generated runs, one of them not an image.
// The derivatives are written under the BIDS names, the status line says what happened (and names
// the broken file), the report can be opened; a second Start skips every complete run; a
// participant label filters; missing folders and unknown participants are refused in the line.
#include <QAction>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include "DatasetDialog.h"
#include "GuiTestSupport.h"
#include "MainWindow.h"
#include "ParameterFiles.h"

using namespace mc;

namespace {

const char* kBroken = "sub-02/func/sub-02_task-rest_run-2_bold.nii.gz";

template <class T>
T* field(DatasetDialog* dialog, const char* name) {
  T* w = dialog->findChild<T*>(QString::fromLatin1(name));
  if (!w) qFatal("no %s in the dataset dialog", name);
  return w;
}

}  // namespace

class DatasetDialogTest : public QObject {
  Q_OBJECT
private:
  QTemporaryDir settingsDir_;
  QTemporaryDir data_;
  QString bids_;

  QString derivative(const QString& out, const QString& sub, int run, const QString& suffix) const {
    return QDir(out).filePath(QStringLiteral("sub-%1/func/sub-%1_task-rest_run-%2_%3").arg(sub).arg(run).arg(suffix));
  }

  // Fills the dialog's fields and presses Start; returns when the dataset ended.
  bool runDialog(DatasetDialog* dialog, const QString& out, const QString& participants = QString()) {
    field<QLineEdit>(dialog, "bidsFolderEdit")->setText(bids_);
    field<QLineEdit>(dialog, "derivativesFolderEdit")->setText(out);
    field<QLineEdit>(dialog, "participantsEdit")->setText(participants);
    QSignalSpy finished(dialog, &DatasetDialog::datasetFinished);
    QTest::mouseClick(field<QPushButton>(dialog, "startButton"), Qt::LeftButton);
    return finished.count() == 1 || finished.wait(180000);
  }

private slots:
  void initTestCase() {
    QVERIFY(settingsDir_.isValid() && data_.isValid());
    test::isolateSettings(settingsDir_.path());
    bids_ = data_.filePath(QStringLiteral("bids"));
    std::uint64_t seed = 3;
    for (const QString sub : {QStringLiteral("01"), QStringLiteral("02")}) {
      QVERIFY(QDir().mkpath(QStringLiteral("%1/sub-%2/func").arg(bids_, sub)));
      for (int run = 1; run <= 2; ++run)
        test::writePhantomRun(QStringLiteral("%1/sub-%2/func/sub-%2_task-rest_run-%3_bold.nii.gz").arg(bids_, sub).arg(run),
                              6, seed++);
    }
    QFile broken(QDir(bids_).filePath(QLatin1String(kBroken)));
    QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
    broken.write("not an image");
  }

  void correctBidsDatasetFromTheFileMenu() {
    MainWindow window;
    window.show();
    QAction* action = window.findChild<QAction*>(QStringLiteral("actionCorrectDataset"));
    QVERIFY(action);
    action->trigger();
    DatasetDialog* dialog = window.datasetDialog();
    QVERIFY(dialog && dialog->isVisible());
    const QString out = data_.filePath(QStringLiteral("derivatives"));
    QStringList lines;
    connect(dialog, &DatasetDialog::statusChanged, this, [&lines](const QString& l) { lines << l; });
    QVERIFY(runDialog(dialog, out));
    // The progress line after each run: runs ended of 4, failed so far, the time left once a run
    // was corrected; in order, before the final line.
    const QRegularExpression progressLine(QStringLiteral("^(\\d) of 4 runs, (\\d) failed(, about \\d+ (s|min) left)?$"));
    QStringList progress;
    for (const QString& l : lines)
      if (progressLine.match(l).hasMatch()) progress << l;
    QCOMPARE(progress.size(), 4);
    for (int i = 0; i < 4; ++i) QVERIFY2(progress[i].startsWith(QStringLiteral("%1 of 4").arg(i + 1)), qPrintable(progress[i]));
    QVERIFY2(progress.last().startsWith(QLatin1String("4 of 4 runs, 1 failed")), qPrintable(progress.last()));
    // Largest first: the broken file (a few bytes) ends last, so the first run ended was corrected
    // and the time left is known from then on.
    QVERIFY2(progress.first().contains(QLatin1String("left")), qPrintable(progress.first()));
    QCOMPARE(lines.last(), dialog->statusText());

    for (const auto& [sub, run] : {std::pair{"01", 1}, {"01", 2}, {"02", 1}}) {
      const QString s = QString::fromLatin1(sub);
      QVERIFY2(QFile::exists(derivative(out, s, run, QStringLiteral("desc-realigned_bold.nii.gz"))), sub);
      QVERIFY(QFile::exists(derivative(out, s, run, QStringLiteral("desc-confounds_timeseries.tsv"))));
      const QString rp = QDir(out).filePath(QStringLiteral("sub-%1/func/rp_sub-%1_task-rest_run-%2_bold.txt").arg(s).arg(run));
      QCOMPARE(int(parseRpFile(rp.toStdString()).size()), 6);
    }
    QVERIFY(!QFile::exists(derivative(out, QStringLiteral("02"), 2, QStringLiteral("desc-realigned_bold.nii.gz"))));
    const QString status = dialog->statusText();
    QVERIFY2(status.startsWith(QLatin1String("Done: 3 corrected, 0 skipped (complete), 1 failed")), qPrintable(status));
    QVERIFY2(status.contains(QLatin1String("sub-02_task-rest_run-2_bold.nii.gz")), qPrintable(status));
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Dataset: 3 corrected, 0 skipped, 1 failed"));
    // Open report is offered when the core wrote one (a build with DatasetReport.cxx), else not.
    if (!dialog->reportPath().isEmpty()) {
      QCOMPARE(dialog->reportPath(), QDir(out).filePath(QStringLiteral("motion_report.html")));
      QVERIFY(QFile::exists(dialog->reportPath()));
    }
    QCOMPARE(field<QPushButton>(dialog, "openReportButton")->isEnabled(), !dialog->reportPath().isEmpty());
    QVERIFY(field<QPushButton>(dialog, "startButton")->isEnabled());

    // Start again: resume skips every complete run.
    QVERIFY(field<QCheckBox>(dialog, "resumeCheck")->isChecked());
    QVERIFY(runDialog(dialog, out));
    QVERIFY2(dialog->statusText().startsWith(QLatin1String("Done: 0 corrected, 3 skipped (complete), 1 failed")),
             qPrintable(dialog->statusText()));

    // One participant: only its two runs (skipped, complete), not the broken one.
    QVERIFY(runDialog(dialog, out, QStringLiteral("sub-01")));
    QCOMPARE(dialog->statusText(), QStringLiteral("Done: 0 corrected, 2 skipped (complete), 0 failed"));
  }

  void refusesWhatCannotBeCorrected() {
    DatasetDialog dialog;
    dialog.show();
    QSignalSpy failed(&dialog, &DatasetDialog::datasetFailed);
    QTest::mouseClick(field<QPushButton>(&dialog, "startButton"), Qt::LeftButton);
    QCOMPARE(dialog.statusText(), QStringLiteral("Not started: choose the BIDS folder"));
    QVERIFY(!dialog.isRunning());

    // The derivatives folder is proposed the BIDS-apps way.
    dialog.setBidsFolder(data_.filePath(QStringLiteral("no-such-dataset")));
    QCOMPARE(field<QLineEdit>(&dialog, "derivativesFolderEdit")->text(),
             data_.filePath(QStringLiteral("no-such-dataset/derivatives/motioncorrection")));
    QTest::mouseClick(field<QPushButton>(&dialog, "startButton"), Qt::LeftButton);
    QVERIFY(dialog.statusText().startsWith(QLatin1String("Not started")) || failed.count() == 1 || failed.wait(30000));
    QVERIFY2(dialog.statusText().contains(QLatin1String("no-such-dataset")), qPrintable(dialog.statusText()));

    // A participant the dataset does not have: one line naming it.
    field<QLineEdit>(&dialog, "bidsFolderEdit")->setText(bids_);
    field<QLineEdit>(&dialog, "derivativesFolderEdit")->setText(data_.filePath(QStringLiteral("unused")));
    field<QLineEdit>(&dialog, "participantsEdit")->setText(QStringLiteral("99"));
    failed.clear();
    QTest::mouseClick(field<QPushButton>(&dialog, "startButton"), Qt::LeftButton);
    QVERIFY(dialog.statusText().startsWith(QLatin1String("Not started")) || failed.count() == 1 || failed.wait(30000));
    QVERIFY2(dialog.statusText().contains(QLatin1String("99")),
             qPrintable(dialog.statusText()));
    QVERIFY(!QFile::exists(data_.filePath(QStringLiteral("unused/motion_summary.tsv"))));
  }
};

QTEST_MAIN(DatasetDialogTest)
#include "DatasetDialog_test.moc"
