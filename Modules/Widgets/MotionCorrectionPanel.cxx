#include "MotionCorrectionPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>
#include <stdexcept>

#include "CollapsibleSection.h"
#include "ImageIO.h"
#include "JobParameters.h"
#include "MotionSummary.h"
#include "MotionTrace.h"
#include "OutputNames.h"
#include "PathChooser.h"
#include "SliceComparisonView.h"
#if MC_WITH_QT_CHARTS
#include "MotionPlots.h"
#endif

namespace mc {
namespace {

const char* kSettingsGroup = "MotionCorrectionPanel";
const char* kImageFilter = "4D images (*.nii.gz *.nii *.nrrd *.nhdr);;All files (*)";

// Names kept in QSettings: the parameters, not the per-run paths.
const QStringList& rememberedNames() {
  static const QStringList names = {QStringLiteral("quality"),        QStringLiteral("sep"),
                                    QStringLiteral("fwhm"),           QStringLiteral("interp"),
                                    QStringLiteral("reference"),      QStringLiteral("reslice-interp"),
                                    QStringLiteral("mask"),           QStringLiteral("estimate-only"),
                                    QStringLiteral("threads"),        QStringLiteral("backend"),
                                    QStringLiteral("ranks")};
  return names;
}

struct LoadedRun {
  std::shared_ptr<const VolumeSeries> run;
  QString error;
};

LoadedRun readRun(const QString& path) {
  LoadedRun out;
  try {
    out.run = std::make_shared<const VolumeSeries>(readVolumeSeries(path.toStdString()));
  } catch (const std::exception& e) {
    out.error = QString::fromStdString(e.what());
  }
  return out;
}

QString formatSeconds(double s) {
  if (s < 1) return QObject::tr("under a second");
  if (s < 90) return QObject::tr("%1 s").arg(int(std::lround(s)));
  const int total = int(std::lround(s));
  return QObject::tr("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

QDoubleSpinBox* makeDoubleSpin(double lo, double hi, double step, int decimals, const QString& suffix) {
  auto* s = new QDoubleSpinBox;
  s->setRange(lo, hi);
  s->setSingleStep(step);
  s->setDecimals(decimals);
  s->setSuffix(suffix);
  return s;
}

// A scroll area as tall as its content when there is room (so the run controls sit right below the
// settings), scrolling only when the panel is shorter than that.
class FittingScrollArea : public QScrollArea {
public:
  QSize sizeHint() const override {
    const QSize content = widget() ? widget()->sizeHint() : QSize();
    return QSize(content.width() + verticalScrollBar()->sizeHint().width(), content.height() + 2 * frameWidth());
  }
};

QString boolText(bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); }

bool textBool(const QString& v) {
  return v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("on") ||
         v == QLatin1String("yes");
}

}  // namespace

// Calls f on the motion tab (plots or summary, whichever exists): both take the same frames.
template <class F>
void forEachMotionView(MotionPlots* plots, MotionSummary* summary, F&& f) {
#if MC_WITH_QT_CHARTS
  if (plots) f(plots);
#else
  (void)plots;
#endif
  if (summary) f(summary);
}

MotionCorrectionPanel::MotionCorrectionPanel(QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<mc::FrameResult>("mc::FrameResult");
  buildUi();
  resetParameters();
  restoreSettings();
  updateEnabledState();
}

MotionCorrectionPanel::~MotionCorrectionPanel() {
  if (task_) {
    task_->disconnect(this);
    task_->cancel();
    delete task_.data();  // the task's destructor waits for its workers
  }
}

void MotionCorrectionPanel::buildUi() {
  // Inputs and outputs.
  input_ = new PathChooser(PathChooser::OpenFile, tr(kImageFilter));
  input_->setObjectName(QStringLiteral("inputPath"));
  input_->setPlaceholderText(tr("a 4D run: .nii.gz, .nii or .nrrd"));
  input_->setToolTip(tr("The 4D fMRI run to correct: one file, frames along the fourth dimension."));
  auto makeOutput = [this](const char* name, const QString& filter, const QString& tip) {
    auto* p = new PathChooser(PathChooser::SaveFile, filter);
    p->setObjectName(QString::fromLatin1(name));
    p->setToolTip(tip);
    p->setPlaceholderText(tr("not written"));
    return p;
  };
  realigned_ = makeOutput("realignedPath", tr(kImageFilter),
                          tr("The run resliced onto the reference grid (SPM's r prefix); leave empty to skip."));
  mean_ = makeOutput("meanPath", tr(kImageFilter), tr("The mean of the realigned run; leave empty to skip."));
  parameters_ = makeOutput("parametersPath", tr("Text (*.txt)"),
                           tr("SPM-style rp file: x y z (mm) pitch roll yaw (radians), one row per frame."));
  confounds_ = makeOutput("confoundsPath", tr("Tab-separated (*.tsv)"),
                          tr("fMRIPrep-style confounds table: trans_x … rot_z and framewise_displacement."));
  transforms_ = makeOutput("transformsPath", tr("Text (*.txt)"),
                           tr("Optional: each frame's 4x4 world (RAS mm) motion matrix, one row per frame."));
  weight_ = new PathChooser(PathChooser::OpenFile, tr(kImageFilter));
  weight_->setObjectName(QStringLiteral("weightPath"));
  weight_->setPlaceholderText(tr("none: the whole head"));
  weight_->setToolTip(tr("Optional mask or weight image on the reference grid; estimation only uses voxels where "
                         "it is nonzero (e.g. to ignore eyes or neck)."));

  auto* files = new QGroupBox(tr("Run and outputs"));
  filesGroup_ = files;
  auto* filesForm = new QFormLayout(files);
  filesForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  filesForm->addRow(tr("4D run:"), input_);
  filesForm->addRow(tr("Realigned run:"), realigned_);
  filesForm->addRow(tr("Mean image:"), mean_);
  filesForm->addRow(tr("Parameters (rp):"), parameters_);
  filesForm->addRow(tr("Confounds (TSV):"), confounds_);

  // The parameters most runs change.
  reference_ = new QComboBox;
  reference_->setObjectName(QStringLiteral("reference"));
  reference_->addItem(tr("Mean of the run (two passes)"), QStringLiteral("mean"));
  reference_->addItem(tr("First frame"), QStringLiteral("first"));
  reference_->addItem(tr("Frame number…"), QStringLiteral("frame"));
  reference_->setToolTip(tr("What the frames are aligned to: SPM's default registers to the first frame, then to "
                            "the mean of the aligned run (two passes); a chosen frame avoids a bad first frame."));
  referenceFrame_ = new QSpinBox;
  referenceFrame_->setObjectName(QStringLiteral("referenceFrame"));
  referenceFrame_->setRange(0, 100000);
  referenceFrame_->setToolTip(tr("The 0-based frame used as reference when 'Frame number' is chosen."));
  auto* referenceRow = new QHBoxLayout;
  referenceRow->setContentsMargins(0, 0, 0, 0);
  referenceRow->addWidget(reference_, 1);
  referenceRow->addWidget(referenceFrame_);

  estimateOnly_ = new QCheckBox(tr("Estimate only (no realigned images)"));
  estimateOnly_->setObjectName(QStringLiteral("estimateOnly"));
  estimateOnly_->setToolTip(tr("Only estimate the motion and write the parameter files; skips reslicing, which "
                               "is faster when only confounds are needed."));

  backend_ = new QComboBox;
  backend_->setObjectName(QStringLiteral("backend"));
  backend_->addItem(tr("Threads (this computer)"), QStringLiteral("threads"));
  backend_->addItem(tr("MPI (processes)"), QStringLiteral("mpi"));
  backend_->setToolTip(tr("Where the frames are estimated: worker threads in this program, or MPI processes "
                          "(also on other machines) started with mpirun."));
  const QString mpiProblem = MotionCorrectionTask::backendUnavailableReason(Backend::Mpi);
  if (!mpiProblem.isEmpty()) {
    backend_->setItemData(1, mpiProblem, Qt::ToolTipRole);
  }
  ranks_ = new QSpinBox;
  ranks_->setObjectName(QStringLiteral("ranks"));
  ranks_->setRange(1, 1024);
  ranks_->setPrefix(tr("ranks: "));
  ranks_->setToolTip(tr("Number of MPI processes (mpirun -np); each estimates a share of the frames."));
  auto* backendRow = new QHBoxLayout;
  backendRow->setContentsMargins(0, 0, 0, 0);
  backendRow->addWidget(backend_, 1);
  backendRow->addWidget(ranks_);

  threads_ = new QSpinBox;
  threads_->setObjectName(QStringLiteral("threads"));
  threads_->setRange(0, 1024);
  threads_->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
  threads_->setToolTip(tr("Worker threads (per MPI rank with MPI); 0 uses every core."));

  auto* basics = new QGroupBox(tr("Parameters"));
  auto* basicsForm = new QFormLayout(basics);
  basicsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  basicsForm->addRow(tr("Reference:"), referenceRow);
  basicsForm->addRow(QString(), estimateOnly_);
  basicsForm->addRow(tr("Backend:"), backendRow);
  basicsForm->addRow(tr("Threads:"), threads_);

  // Advanced: SPM's estimation and reslice options; the defaults suit most EPI runs.
  quality_ = makeDoubleSpin(0.01, 1.0, 0.05, 2, QString());
  quality_->setObjectName(QStringLiteral("quality"));
  quality_->setToolTip(tr("Fraction of the most informative sample points used (SPM's quality, 0.9); lower is "
                          "faster and slightly less accurate."));
  separation_ = makeDoubleSpin(0.5, 20.0, 0.5, 1, tr(" mm"));
  separation_->setObjectName(QStringLiteral("separation"));
  separation_->setToolTip(tr("Spacing of the sample grid in the reference (SPM: 4 mm); smaller is slower and "
                             "more accurate."));
  fwhm_ = makeDoubleSpin(0.0, 20.0, 0.5, 1, tr(" mm"));
  fwhm_->setObjectName(QStringLiteral("fwhm"));
  fwhm_->setToolTip(tr("Gaussian smoothing applied before estimation (SPM: 5 mm); about twice the voxel size "
                       "suits most EPI."));
  estimationInterpolation_ = new QComboBox;
  estimationInterpolation_->setObjectName(QStringLiteral("estimationInterpolation"));
  for (int d = 1; d <= 7; ++d)
    estimationInterpolation_->addItem(d == 1 ? tr("Trilinear") : tr("B-spline degree %1").arg(d), d);
  estimationInterpolation_->setToolTip(tr("Interpolation of the frames during estimation (SPM: 2nd degree "
                                          "B-spline); higher degrees are slower and rarely more accurate."));
  resliceInterpolation_ = new QComboBox;
  resliceInterpolation_->setObjectName(QStringLiteral("resliceInterpolation"));
  for (int d = 0; d <= 7; ++d)
    resliceInterpolation_->addItem(d == 0   ? tr("Nearest neighbour")
                                   : d == 1 ? tr("Trilinear")
                                            : tr("B-spline degree %1").arg(d),
                                   d);
  resliceInterpolation_->setToolTip(tr("Interpolation used to write the realigned run (SPM: 4th degree B-spline); "
                                       "higher degrees blur less."));
  mask_ = new QCheckBox(tr("Mask voxels not seen by every frame"));
  mask_->setObjectName(QStringLiteral("mask"));
  mask_->setToolTip(tr("Set to zero the voxels that some frame does not cover after realignment (SPM's mask), "
                       "so edges do not flicker."));

  advanced_ = new CollapsibleSection(tr("Advanced"));
  advanced_->setObjectName(QStringLiteral("advancedSection"));
  auto* advancedForm = new QFormLayout;
  advancedForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  advancedForm->addRow(tr("Quality:"), quality_);
  advancedForm->addRow(tr("Separation:"), separation_);
  advancedForm->addRow(tr("Smoothing (FWHM):"), fwhm_);
  advancedForm->addRow(tr("Estimation interpolation:"), estimationInterpolation_);
  advancedForm->addRow(tr("Reslice interpolation:"), resliceInterpolation_);
  advancedForm->addRow(QString(), mask_);
  advancedForm->addRow(tr("Weight/mask image:"), weight_);
  advancedForm->addRow(tr("Transforms (4x4):"), transforms_);
  auto* resetButton = new QPushButton(tr("Restore SPM defaults"));
  resetButton->setObjectName(QStringLiteral("resetButton"));
  resetButton->setToolTip(tr("Set every parameter back to SPM12's defaults (paths are kept)."));
  advancedForm->addRow(QString(), resetButton);
  advanced_->bodyLayout()->addLayout(advancedForm);
  advanced_->setCollapsed(true);

  // Running.
  runButton_ = new QPushButton(tr("Run motion correction"));
  runButton_->setObjectName(QStringLiteral("runButton"));
  runButton_->setDefault(true);
  runButton_->setToolTip(tr("Estimate the motion of every frame and write the outputs; the plots fill as frames "
                            "finish."));
  QFont bold = runButton_->font();
  bold.setBold(true);
  runButton_->setFont(bold);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setObjectName(QStringLiteral("cancelButton"));
  cancelButton_->setToolTip(tr("Stop the running job; nothing is written."));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(runButton_, 1);
  buttons->addWidget(cancelButton_);
  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("progressBar"));
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setFormat(QStringLiteral("%p%"));
  stageLabel_ = new QLabel;
  stageLabel_->setObjectName(QStringLiteral("stageLabel"));
  status_ = new QLabel(tr("Choose a 4D run to start."));
  status_->setObjectName(QStringLiteral("statusLabel"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_ = new QLabel;
  error_->setObjectName(QStringLiteral("errorLabel"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("QLabel { color: #8b0000; background: #fde8e8; border: 1px solid #e0a0a0; "
                                       "border-radius: 3px; padding: 4px; }"));
  error_->hide();

  // Settings scroll when space is short; the run controls, status and errors below them never do.
  auto* settings = new QWidget;
  auto* settingsLayout = new QVBoxLayout(settings);
  settingsLayout->setContentsMargins(4, 4, 4, 0);
  settingsLayout->addWidget(files);
  settingsLayout->addWidget(basics);
  settingsLayout->addWidget(advanced_);
  auto* scroll = new FittingScrollArea;
  scroll->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(settings);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(settings->sizeHint().width() + 20);
  scroll->setMinimumHeight(120);

  auto* controls = new QWidget;
  auto* controlsLayout = new QVBoxLayout(controls);
  controlsLayout->setContentsMargins(0, 0, 0, 0);
  controlsLayout->setSpacing(2);
  controlsLayout->addWidget(scroll);
  auto* runBox = new QVBoxLayout;
  runBox->setContentsMargins(4, 0, 4, 4);
  runBox->addLayout(buttons);
  runBox->addWidget(progress_);
  runBox->addWidget(stageLabel_);
  runBox->addWidget(status_);
  runBox->addWidget(error_);
  controlsLayout->addLayout(runBox);
  controlsLayout->addStretch(1);
  connect(advanced_, &CollapsibleSection::collapsedChanged, scroll, [scroll] { scroll->updateGeometry(); });

  comparison_ = new SliceComparisonView;
  comparison_->setObjectName(QStringLiteral("sliceComparison"));
  results_ = new QTabWidget;
  results_->setObjectName(QStringLiteral("resultsTabs"));
#if MC_WITH_QT_CHARTS
  plots_ = new MotionPlots;
  plots_->setObjectName(QStringLiteral("motionPlots"));
  results_->addTab(plots_, tr("Motion"));
  connect(plots_, &MotionPlots::frameClicked, this, [this](int frame) {
    comparison_->setFrame(frame);
    results_->setCurrentWidget(comparison_);
  });
#else
  // Without Qt Charts (inside Slicer the plots are MRML plot nodes in the layout's plot view) the tab
  // lists the frames above the FD threshold instead.
  summary_ = new MotionSummary;
  summary_->setObjectName(QStringLiteral("motionSummary"));
  results_->addTab(summary_, tr("Motion"));
  connect(summary_, &MotionSummary::frameClicked, this, [this](int frame) {
    comparison_->setFrame(frame);
    results_->setCurrentWidget(comparison_);
  });
#endif
  results_->addTab(comparison_, tr("Before / after"));

  splitter_ = new QSplitter(Qt::Vertical);
  splitter_->setChildrenCollapsible(false);
  splitter_->addWidget(controls);
  splitter_->addWidget(results_);
  splitter_->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter_);

  connect(input_, &PathChooser::pathChanged, this, [this](const QString& path) {
    updateDefaultOutputs();
    clearError();
    emit inputChanged(path);
  });
  connect(input_, &PathChooser::editingFinished, this, [this] { loadOriginal(inputPath()); });
  connect(reference_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { updateEnabledState(); });
  connect(referenceFrame_, QOverload<int>::of(&QSpinBox::valueChanged), comparison_,
          &SliceComparisonView::setReferenceFrame);
  connect(estimateOnly_, &QCheckBox::toggled, this, [this] { updateEnabledState(); });
  connect(backend_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { updateEnabledState(); });
  connect(resetButton, &QPushButton::clicked, this, &MotionCorrectionPanel::resetParameters);
  connect(runButton_, &QPushButton::clicked, this, &MotionCorrectionPanel::run);
  connect(cancelButton_, &QPushButton::clicked, this, &MotionCorrectionPanel::cancel);
  for (QComboBox* c : {reference_, backend_, estimationInterpolation_, resliceInterpolation_})
    connect(c, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &MotionCorrectionPanel::parametersChanged);
  for (QSpinBox* sb : {referenceFrame_, ranks_, threads_})
    connect(sb, QOverload<int>::of(&QSpinBox::valueChanged), this, &MotionCorrectionPanel::parametersChanged);
  for (QDoubleSpinBox* sb : {quality_, separation_, fwhm_})
    connect(sb, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, &MotionCorrectionPanel::parametersChanged);
  for (QCheckBox* cb : {estimateOnly_, mask_}) connect(cb, &QCheckBox::toggled, this, &MotionCorrectionPanel::parametersChanged);
  connect(weight_, &PathChooser::pathChanged, this, &MotionCorrectionPanel::parametersChanged);
}

// The motion tab is one of two widgets; these forward to whichever this build has.
const MotionTrace& MotionCorrectionPanel::motionTrace() const {
#if MC_WITH_QT_CHARTS
  return plots_->trace();
#else
  return summary_->trace();
#endif
}

double MotionCorrectionPanel::fdThreshold() const {
#if MC_WITH_QT_CHARTS
  return plots_->threshold();
#else
  return summary_->threshold();
#endif
}

void MotionCorrectionPanel::setFdThreshold(double mm) {
#if MC_WITH_QT_CHARTS
  plots_->setThreshold(mm);
#else
  summary_->setThreshold(mm);
#endif
}

QList<int> MotionCorrectionPanel::outlierFrames() const {
#if MC_WITH_QT_CHARTS
  return plots_->outlierFrames();
#else
  return summary_->outlierFrames();
#endif
}

void MotionCorrectionPanel::setOrientation(Qt::Orientation orientation) {
  splitter_->setOrientation(orientation);
  if (orientation == Qt::Horizontal) splitter_->setSizes({380, 720});
}

void MotionCorrectionPanel::setFileSectionVisible(bool visible) { filesGroup_->setVisible(visible); }

void MotionCorrectionPanel::setRunButtonVisible(bool visible) { runButton_->setVisible(visible); }

QString MotionCorrectionPanel::inputPath() const { return input_->path(); }

void MotionCorrectionPanel::setInputPath(const QString& path) {
  input_->setPath(path);
  loadOriginal(path);
}

void MotionCorrectionPanel::updateDefaultOutputs() {
  const DefaultOutputs d = defaultOutputsFor(inputPath());
  const QMap<QString, QString> defaults = {{QStringLiteral("output"), d.realigned},
                                           {QStringLiteral("mean"), d.mean},
                                           {QStringLiteral("params"), d.parameters},
                                           {QStringLiteral("confounds"), d.confounds}};
  const QMap<QString, PathChooser*> fields = {{QStringLiteral("output"), realigned_},
                                              {QStringLiteral("mean"), mean_},
                                              {QStringLiteral("params"), parameters_},
                                              {QStringLiteral("confounds"), confounds_}};
  // A field the user typed into keeps its text; one still showing the previous default follows the input.
  for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
    const QString current = it.value()->path();
    if (current.isEmpty() || current == lastDefaults_.value(it.key())) it.value()->setPath(defaults.value(it.key()));
  }
  lastDefaults_ = defaults;
}

void MotionCorrectionPanel::updateEnabledState() {
  const bool idle = !isRunning();
  const bool images = !estimateOnly_->isChecked();
  const bool frameReference = reference_->currentData().toString() == QLatin1String("frame");
  const bool mpi = backend_->currentData().toString() == QLatin1String("mpi");
  for (QWidget* w : std::initializer_list<QWidget*>{input_, parameters_, confounds_, transforms_, weight_, reference_,
                                                     estimateOnly_, backend_, ranks_, threads_, quality_, separation_,
                                                     fwhm_, estimationInterpolation_})
    w->setEnabled(idle);
  // Estimate-only writes no images, so the image outputs and their options do not apply.
  for (QWidget* w : std::initializer_list<QWidget*>{realigned_, mean_, resliceInterpolation_, mask_})
    w->setEnabled(idle && images);
  referenceFrame_->setVisible(frameReference);
  referenceFrame_->setEnabled(idle && frameReference);
  ranks_->setVisible(mpi);
  runButton_->setEnabled(idle);
  cancelButton_->setEnabled(!idle);
}

void MotionCorrectionPanel::resetParameters() {
  const JobSpec defaults;
  QMap<QString, QString> values;
  for (const auto& [name, value] : jobParameters(defaults)) values[QString::fromStdString(name)] = QString::fromStdString(value);
  // The path entries of a default JobSpec are empty: keep the panel's paths.
  for (const char* path : {"input", "output", "mean", "params", "transforms", "confounds", "weight"})
    values.remove(QString::fromLatin1(path));
  values[QStringLiteral("backend")] = QStringLiteral("threads");
  values[QStringLiteral("ranks")] = QStringLiteral("2");
  setParameterValues(values);
}

QMap<QString, QString> MotionCorrectionPanel::parameterValues() const {
  QMap<QString, QString> v;
  v[QStringLiteral("input")] = input_->path();
  v[QStringLiteral("output")] = realigned_->path();
  v[QStringLiteral("mean")] = mean_->path();
  v[QStringLiteral("params")] = parameters_->path();
  v[QStringLiteral("confounds")] = confounds_->path();
  v[QStringLiteral("transforms")] = transforms_->path();
  v[QStringLiteral("weight")] = weight_->path();
  v[QStringLiteral("quality")] = QString::number(quality_->value());
  v[QStringLiteral("sep")] = QString::number(separation_->value());
  v[QStringLiteral("fwhm")] = QString::number(fwhm_->value());
  v[QStringLiteral("interp")] = estimationInterpolation_->currentData().toString();
  v[QStringLiteral("reslice-interp")] = resliceInterpolation_->currentData().toString();
  const QString ref = reference_->currentData().toString();
  v[QStringLiteral("reference")] = ref == QLatin1String("frame") ? QString::number(referenceFrame_->value()) : ref;
  v[QStringLiteral("mask")] = boolText(mask_->isChecked());
  v[QStringLiteral("estimate-only")] = boolText(estimateOnly_->isChecked());
  v[QStringLiteral("threads")] = QString::number(threads_->value());
  v[QStringLiteral("backend")] = backend_->currentData().toString();
  v[QStringLiteral("ranks")] = QString::number(ranks_->value());
  return v;
}

void MotionCorrectionPanel::setParameterValues(const QMap<QString, QString>& values) {
  auto has = [&](const char* name) { return values.contains(QString::fromLatin1(name)); };
  auto get = [&](const char* name) { return values.value(QString::fromLatin1(name)); };
  auto selectData = [](QComboBox* combo, const QVariant& data) {
    const int i = combo->findData(data);
    if (i >= 0) combo->setCurrentIndex(i);
  };
  if (has("input")) input_->setPath(get("input"));
  if (has("output")) realigned_->setPath(get("output"));
  if (has("mean")) mean_->setPath(get("mean"));
  if (has("params")) parameters_->setPath(get("params"));
  if (has("confounds")) confounds_->setPath(get("confounds"));
  if (has("transforms")) transforms_->setPath(get("transforms"));
  if (has("weight")) weight_->setPath(get("weight"));
  if (has("quality")) quality_->setValue(get("quality").toDouble());
  if (has("sep")) separation_->setValue(get("sep").toDouble());
  if (has("fwhm")) fwhm_->setValue(get("fwhm").toDouble());
  if (has("interp")) selectData(estimationInterpolation_, get("interp").toInt());
  if (has("reslice-interp")) selectData(resliceInterpolation_, get("reslice-interp").toInt());
  if (has("reference")) {
    const QString ref = get("reference");
    bool isNumber = false;
    const int frame = ref.toInt(&isNumber);
    if (isNumber) {
      referenceFrame_->setValue(frame);
      selectData(reference_, QStringLiteral("frame"));
    } else {
      selectData(reference_, ref);
    }
  }
  if (has("mask")) mask_->setChecked(textBool(get("mask")));
  if (has("estimate-only")) estimateOnly_->setChecked(textBool(get("estimate-only")));
  if (has("threads")) threads_->setValue(get("threads").toInt());
  if (has("backend")) selectData(backend_, get("backend"));
  if (has("ranks")) ranks_->setValue(get("ranks").toInt());
  updateEnabledState();
}

JobSpec MotionCorrectionPanel::jobSpec() const {
  const QMap<QString, QString> values = parameterValues();
  if (values.value(QStringLiteral("input")).isEmpty())
    throw std::invalid_argument(tr("Choose a 4D run first.").toStdString());
  JobSpec spec;
  const bool estimateOnly = estimateOnly_->isChecked();
  for (const std::string& name : jobParameterNames()) {
    const QString key = QString::fromStdString(name);
    if (!values.contains(key)) continue;  // e.g. wrap: the SPM default is kept
    if (estimateOnly && (key == QLatin1String("output") || key == QLatin1String("mean"))) continue;
    setJobParameter(spec, name, values.value(key).toStdString());
  }
  if (spec.realignedOutput.empty() && spec.meanOutput.empty() && spec.parametersOutput.empty() &&
      spec.confoundsOutput.empty() && spec.transformsOutput.empty())
    throw std::invalid_argument(tr("No output chosen: give at least a parameters file.").toStdString());
  spec.validate();
  return spec;
}

EngineRequest MotionCorrectionPanel::engineRequest() const {
  EngineRequest request;
  request.spec = jobSpec();
  request.backend = backend_->currentData().toString() == QLatin1String("mpi") ? Backend::Mpi : Backend::Threads;
  request.poolThreads = threads_->value();
  request.mpi.ranks = ranks_->value();
  request.mpi.threadsPerRank = threads_->value();
  return request;
}

void MotionCorrectionPanel::saveSettings() const {
  QSettings settings;
  settings.beginGroup(QLatin1String(kSettingsGroup));
  const QMap<QString, QString> values = parameterValues();
  for (const QString& name : rememberedNames()) settings.setValue(name, values.value(name));
  settings.setValue(QStringLiteral("fdThreshold"), fdThreshold());
  settings.endGroup();
}

void MotionCorrectionPanel::restoreSettings() {
  QSettings settings;
  settings.beginGroup(QLatin1String(kSettingsGroup));
  QMap<QString, QString> values;
  for (const QString& name : rememberedNames())
    if (settings.contains(name)) values[name] = settings.value(name).toString();
  if (settings.contains(QStringLiteral("fdThreshold")))
    setFdThreshold(settings.value(QStringLiteral("fdThreshold")).toDouble());
  settings.endGroup();
  setParameterValues(values);
}

void MotionCorrectionPanel::loadOriginal(const QString& path) {
  const int generation = ++loadGeneration_;
  comparison_->setOriginal(nullptr);
  comparison_->setRealigned(nullptr);
  if (path.isEmpty()) return;
  if (!QFileInfo::exists(path)) {
    showError(tr("%1: no such file").arg(path));
    return;
  }
  setStatus(tr("Reading %1…").arg(QFileInfo(path).fileName()));
  auto* watcher = new QFutureWatcher<LoadedRun>(this);
  connect(watcher, &QFutureWatcher<LoadedRun>::finished, this, [this, watcher, generation, path] {
    watcher->deleteLater();
    if (generation != loadGeneration_) return;  // the input changed meanwhile
    const LoadedRun loaded = watcher->result();
    if (!loaded.run) {
      showError(loaded.error);
      setStatus(tr("The run could not be read."));
      return;
    }
    comparison_->setReferenceFrame(referenceFrame_->value());
    comparison_->setOriginal(loaded.run);
    referenceFrame_->setMaximum(std::max(0, loaded.run->frameCount - 1));
    forEachMotionView(plots_, summary_, [&](auto* view) { view->setExpectedFrames(loaded.run->frameCount); });
    if (!isRunning()) {
      const auto& n = loaded.run->geometry.size;
      setStatus(tr("%1: %2 × %3 × %4 voxels, %5 frames. Ready to run.")
                    .arg(QFileInfo(path).fileName())
                    .arg(n[0])
                    .arg(n[1])
                    .arg(n[2])
                    .arg(loaded.run->frameCount));
    }
  });
  watcher->setFuture(QtConcurrent::run([path] { return readRun(path); }));
}

void MotionCorrectionPanel::loadRealigned(const QString& path) {
  const int generation = loadGeneration_;
  auto* watcher = new QFutureWatcher<LoadedRun>(this);
  connect(watcher, &QFutureWatcher<LoadedRun>::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    if (generation != loadGeneration_) return;
    const LoadedRun loaded = watcher->result();
    if (loaded.run) comparison_->setRealigned(loaded.run);
  });
  watcher->setFuture(QtConcurrent::run([path] { return readRun(path); }));
}

void MotionCorrectionPanel::run() {
  if (isRunning()) return;
  clearError();
  EngineRequest request;
  try {
    request = engineRequest();
  } catch (const std::exception& e) {
    showError(QString::fromStdString(e.what()));
    return;
  }
  if (!QFileInfo::exists(QString::fromStdString(request.spec.input))) {
    showError(tr("%1: no such file").arg(QString::fromStdString(request.spec.input)));
    return;
  }
  const QString backendProblem = MotionCorrectionTask::backendUnavailableReason(request.backend);
  if (!backendProblem.isEmpty()) {
    showError(backendProblem);
    return;
  }
  saveSettings();
  const int knownFrames = comparison_->original() ? comparison_->original()->frameCount : 0;
  forEachMotionView(plots_, summary_, [&](auto* view) { view->clear(knownFrames); });
  finalParameters_.clear();
  finalDisplacement_.clear();
  comparison_->setRealigned(nullptr);
  comparison_->setReferenceFrame(request.spec.estimation.referenceFrame);
  framesSeen_ = 0;
  currentStage_.clear();
  status_->setToolTip(QString());
  progress_->setValue(0);
  stageLabel_->setText(tr("starting…"));

  task_ = new MotionCorrectionTask(request, this);
  connect(task_, &MotionCorrectionTask::frameEstimated, this, &MotionCorrectionPanel::onFrameEstimated);
  connect(task_, &MotionCorrectionTask::progress, this, &MotionCorrectionPanel::onProgress);
  connect(task_, &MotionCorrectionTask::finished, this, &MotionCorrectionPanel::onFinished);
  connect(task_, &MotionCorrectionTask::failed, this, &MotionCorrectionPanel::onFailed);
  connect(task_, &MotionCorrectionTask::cancelled, this, &MotionCorrectionPanel::onCancelled);
  updateEnabledState();
  const int threads = request.poolThreads > 0 ? request.poolThreads : QThread::idealThreadCount();
  const QString where = request.backend == Backend::Mpi ? tr("%1 MPI ranks").arg(request.mpi.ranks)
                                                        : (threads == 1 ? tr("1 thread") : tr("%1 threads").arg(threads));
  setStatus(tr("Running on %1…").arg(where));
  clock_.start();
  emit taskStarted(task_);
  task_->start();
}

void MotionCorrectionPanel::cancel() {
  if (!task_) return;
  setStatus(tr("Cancelling…"));
  cancelButton_->setEnabled(false);
  task_->cancel();
}

void MotionCorrectionPanel::onFrameEstimated(const FrameResult& result) {
  RigidParameters p;
  for (int i = 0; i < 6; ++i) p[i] = result.parameters[i];
  forEachMotionView(plots_, summary_, [&](auto* view) { view->setFrameParameters(result.frame, p); });
  if (result.stage != currentStage_) {
    currentStage_ = result.stage;
    framesSeen_ = 0;
  }
  ++framesSeen_;
}

void MotionCorrectionPanel::onProgress(double fraction, const QString& stage) {
  progress_->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
  const double elapsed = clock_.elapsed() / 1000.0;
  QString text = stage;
  const int frames = comparison_->original() ? comparison_->original()->frameCount : 0;
  if (stage == currentStage_ && frames > 0) text += tr(": %1 of %2 frames").arg(std::min(framesSeen_, frames)).arg(frames);
  // The rate so far predicts the rest; too early it is noise.
  if (fraction > 0.05 && fraction < 1.0 && elapsed > 0.15) {
    const double left = elapsed * (1.0 - fraction) / fraction;
    text += left < 1 ? tr(" — under a second left") : tr(" — about %1 left").arg(formatSeconds(left));
  }
  stageLabel_->setText(text);
}

void MotionCorrectionPanel::onFinished(const QStringList& paths, const QVariantMap& timings) {
  const auto finalParameters = task_->parameters();
  const auto fd = task_->framewiseDisplacement();
  std::vector<RigidParameters> rows;
  for (const auto& row : finalParameters) {
    RigidParameters p;
    for (int i = 0; i < 6 && i < row.size(); ++i) p[i] = row[i];
    rows.push_back(p);
  }
  finalParameters_ = rows;
  finalDisplacement_.assign(fd.begin(), fd.end());
  forEachMotionView(plots_, summary_, [&](auto* view) { view->setFinalParameters(finalParameters_, finalDisplacement_); });
  progress_->setValue(1000);
  // Stage times in pipeline order (the engine's names), then any others it reports.
  QStringList stages;
  QVariantMap rest = timings;
  for (const char* key : {"read", "estimate", "reslice", "write", "total"})
    if (rest.contains(QLatin1String(key)))
      stages << tr("%1 %2 s").arg(QLatin1String(key)).arg(rest.take(QLatin1String(key)).toDouble(), 0, 'f', 2);
  for (auto it = rest.cbegin(); it != rest.cend(); ++it)
    stages << tr("%1 %2 s").arg(it.key()).arg(it.value().toDouble(), 0, 'f', 2);
  const double seconds = clock_.elapsed() / 1000.0;
  stageLabel_->setText(tr("done in %1").arg(formatSeconds(seconds)));
  setStatus(tr("Done: %1 written.").arg(paths.size() == 1 ? tr("1 file") : tr("%1 files").arg(paths.size())));
  status_->setToolTip(tr("Seconds per stage: %1\nWritten:\n%2")
                          .arg(stages.join(QStringLiteral(", ")), paths.join(QLatin1Char('\n'))));
  const QString realignedPath = QString::fromStdString(task_->request().spec.realignedOutput);
  endRun();
  if (!realignedPath.isEmpty() && paths.contains(realignedPath)) loadRealigned(realignedPath);
  emit runFinished(paths);
}

void MotionCorrectionPanel::onFailed(const QString& reason) {
  showError(reason);
  setStatus(tr("Failed: nothing was written."));
  stageLabel_->clear();
  endRun();
  emit runFailed(reason);
}

void MotionCorrectionPanel::onCancelled() {
  setStatus(tr("Cancelled: nothing was written."));
  stageLabel_->clear();
  progress_->setValue(0);
  endRun();
  emit runCancelled();
}

void MotionCorrectionPanel::endRun() {
  if (task_) {
    task_->disconnect(this);
    task_->deleteLater();
    task_ = nullptr;
  }
  updateEnabledState();
}

void MotionCorrectionPanel::setStatus(const QString& text) {
  status_->setText(text);
  fitLabelHeights();
}

void MotionCorrectionPanel::fitLabelHeights() {
  // Splitters ignore height-for-width: wrapped messages get the lines they need at the current width.
  for (QLabel* label : {status_, error_}) {
    const int width = label->width() > 50 ? label->width() : 300;
    label->setMinimumHeight(label->isHidden() || label->text().isEmpty() ? 0 : label->heightForWidth(width));
  }
}

void MotionCorrectionPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitLabelHeights();
}

QString MotionCorrectionPanel::statusText() const { return status_->text(); }

QString MotionCorrectionPanel::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void MotionCorrectionPanel::showError(const QString& message) {
  error_->setText(message);
  error_->show();
  fitLabelHeights();
}

void MotionCorrectionPanel::clearError() {
  error_->clear();
  error_->hide();
  fitLabelHeights();
}

}  // namespace mc
