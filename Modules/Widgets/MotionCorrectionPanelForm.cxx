// The panel's parameter form: the run and its outputs, the parameters most runs change (reference,
// estimate-only, backend, threads) and the collapsed Advanced section (SPM's estimation and reslice
// options). Only builds the widgets; their values are read and set in MotionCorrectionPanelParameters.
#include "MotionCorrectionPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>

#include "CollapsibleSection.h"
#include "PathChooser.h"

namespace mc {
namespace {

const char* kImageFilter = "4D images (*.nii.gz *.nii *.nrrd *.nhdr);;All files (*)";

QDoubleSpinBox* makeDoubleSpin(double lo, double hi, double step, int decimals, const QString& suffix) {
  auto* s = new QDoubleSpinBox;
  s->setRange(lo, hi);
  s->setSingleStep(step);
  s->setDecimals(decimals);
  s->setSuffix(suffix);
  return s;
}

}  // namespace

// Every path: the run and its outputs (this group), and the weight image and the transforms file,
// which the Advanced section shows.
QWidget* MotionCorrectionPanel::buildFileSection() {
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
  return files;
}

QWidget* MotionCorrectionPanel::buildParameterSection() {
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
  return basics;
}

void MotionCorrectionPanel::buildAdvancedSection() {
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
  connect(resetButton, &QPushButton::clicked, this, &MotionCorrectionPanel::resetParameters);
}

}  // namespace mc
