// The panel's parameter form: the run and its outputs, the parameters most runs change (reference,
// estimate-only, backend, threads) and the collapsed Advanced section (SPM's estimation and reslice
// options). Labels, tooltips (help), ranges and steps come from the parameter table
// (ParameterTable.h); the defaults too, set by resetParameters. Only builds the widgets; their
// values are read and set in MotionCorrectionPanelParameters.
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
#include <stdexcept>

#include "CollapsibleSection.h"
#include "ParameterTable.h"
#include "PathChooser.h"

namespace mc {
namespace {

const char* kImageFilter = "4D images (*.nii.gz *.nii *.nrrd *.nhdr);;All files (*)";

const ParameterEntry& param(const char* name) {
  const ParameterEntry* e = findParameter(name);
  if (!e) throw std::logic_error(std::string("the parameter table has no ") + name);
  return *e;
}

QString labelOf(const char* name) { return QString::fromStdString(param(name).label) + QLatin1Char(':'); }

// The widget's objectName (kept for tests, the app and saved layouts) and help from the table.
template <class W>
W* named(W* w, const char* objectName, const char* parameter) {
  w->setObjectName(QString::fromLatin1(objectName));
  w->setToolTip(QString::fromStdString(param(parameter).help));
  return w;
}

QDoubleSpinBox* numberSpin(const char* name, int decimals, const QString& suffix) {
  const ParameterEntry& e = param(name);
  auto* s = new QDoubleSpinBox;
  s->setDecimals(decimals);  // before the range, which is rounded to it
  s->setRange(e.minimum.value_or(-1e9), e.maximum.value_or(1e9));
  s->setSingleStep(e.step.value_or(1));
  s->setSuffix(suffix);
  return s;
}

QSpinBox* integerSpin(const char* name) {
  const ParameterEntry& e = param(name);
  auto* s = new QSpinBox;
  s->setRange(int(e.minimum.value_or(0)), int(e.maximum.value_or(1e9)));
  s->setSingleStep(int(e.step.value_or(1)));
  return s;
}

// One item per B-spline degree in the table's range.
QComboBox* degreeCombo(const char* name) {
  const ParameterEntry& e = param(name);
  auto* c = new QComboBox;
  for (int d = int(e.minimum.value_or(0)); d <= int(e.maximum.value_or(7)); ++d)
    c->addItem(d == 0   ? QObject::tr("Nearest neighbour")
               : d == 1 ? QObject::tr("Trilinear")
                        : QObject::tr("B-spline degree %1").arg(d),
               d);
  return c;
}

QString pathObjectName(const std::string& name) {
  static const QMap<QString, QString> names = {
      {QStringLiteral("input"), QStringLiteral("inputPath")},     {QStringLiteral("output"), QStringLiteral("realignedPath")},
      {QStringLiteral("mean"), QStringLiteral("meanPath")},       {QStringLiteral("params"), QStringLiteral("parametersPath")},
      {QStringLiteral("confounds"), QStringLiteral("confoundsPath")},
      {QStringLiteral("transforms"), QStringLiteral("transformsPath")},
      {QStringLiteral("weight"), QStringLiteral("weightPath")}};
  const QString key = QString::fromStdString(name);
  return names.value(key, key + QStringLiteral("Path"));
}

QString pathFilter(const std::string& name) {
  if (name == "params" || name == "transforms") return QObject::tr("Text (*.txt)");
  if (name == "confounds") return QObject::tr("Tab-separated (*.tsv)");
  return QObject::tr(kImageFilter);
}

}  // namespace

QWidget* MotionCorrectionPanel::addField(const char* name, QWidget* widget) {
  fields_.insert(QString::fromLatin1(name), widget);
  return widget;
}

// Every path of the table: the run and the outputs in this group; the others (the weight image,
// the transforms file) in the Advanced section.
QWidget* MotionCorrectionPanel::buildFileSection() {
  auto* files = new QGroupBox(tr("Run and outputs"));
  filesGroup_ = files;
  auto* filesForm = new QFormLayout(files);
  filesForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (const ParameterEntry& e : parameterTable()) {
    if (e.type != ParameterType::Path) continue;
    auto* p = new PathChooser(e.isOutput ? PathChooser::SaveFile : PathChooser::OpenFile, pathFilter(e.name));
    p->setObjectName(pathObjectName(e.name));
    p->setToolTip(QString::fromStdString(e.help));
    p->setPlaceholderText(e.isOutput ? tr("not written") : e.name == "input" ? tr("a 4D run: .nii.gz, .nii or .nrrd")
                                                                           : tr("none"));
    fields_.insert(QString::fromStdString(e.name), p);
    if (e.name != "weight" && e.name != "transforms")
      filesForm->addRow(QString::fromStdString(e.label) + QLatin1Char(':'), p);
  }
  auto path = [this](const char* name) { return static_cast<PathChooser*>(fields_.value(QString::fromLatin1(name))); };
  input_ = path("input");
  realigned_ = path("output");
  mean_ = path("mean");
  parameters_ = path("params");
  confounds_ = path("confounds");
  transforms_ = path("transforms");
  weight_ = path("weight");
  weight_->setPlaceholderText(tr("none: the whole head"));
  return files;
}

QWidget* MotionCorrectionPanel::buildParameterSection() {
  reference_ = named(new QComboBox, "reference", "reference");
  reference_->addItem(tr("Mean of the run (two passes)"), QStringLiteral("mean"));
  reference_->addItem(tr("First frame"), QStringLiteral("first"));
  reference_->addItem(tr("Frame number…"), QStringLiteral("frame"));
  addField("reference", reference_);
  referenceFrame_ = new QSpinBox;
  referenceFrame_->setObjectName(QStringLiteral("referenceFrame"));
  referenceFrame_->setRange(0, 100000);
  referenceFrame_->setToolTip(tr("The 0-based frame used as reference when 'Frame number' is chosen."));
  auto* referenceRow = new QHBoxLayout;
  referenceRow->setContentsMargins(0, 0, 0, 0);
  referenceRow->addWidget(reference_, 1);
  referenceRow->addWidget(referenceFrame_);

  estimateOnly_ = named(new QCheckBox(QString::fromStdString(param("estimate-only").label)), "estimateOnly",
                        "estimate-only");
  addField("estimate-only", estimateOnly_);

  backend_ = named(new QComboBox, "backend", "backend");
  const QMap<QString, QString> backendTexts = {{QStringLiteral("serial"), tr("Serial (one thread)")},
                                               {QStringLiteral("threads"), tr("Threads (this computer)")},
                                               {QStringLiteral("mpi"), tr("MPI (processes)")}};
  for (const std::string& choice : param("backend").choices) {
    const QString data = QString::fromStdString(choice);
    backend_->addItem(backendTexts.value(data, data), data);
    const QString problem = MotionCorrectionTask::backendUnavailableReason(parseBackend(choice));
    if (!problem.isEmpty()) backend_->setItemData(backend_->count() - 1, problem, Qt::ToolTipRole);
  }
  addField("backend", backend_);
  ranks_ = named(integerSpin("mpi-ranks"), "ranks", "mpi-ranks");  // objectName from before "mpi-ranks"
  ranks_->setPrefix(tr("ranks: "));
  addField("mpi-ranks", ranks_);
  auto* backendRow = new QHBoxLayout;
  backendRow->setContentsMargins(0, 0, 0, 0);
  backendRow->addWidget(backend_, 1);
  backendRow->addWidget(ranks_);

  threads_ = named(integerSpin("threads"), "threads", "threads");
  threads_->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
  addField("threads", threads_);

  auto* basics = new QGroupBox(tr("Parameters"));
  auto* basicsForm = new QFormLayout(basics);
  basicsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  basicsForm->addRow(labelOf("reference"), referenceRow);
  basicsForm->addRow(QString(), estimateOnly_);
  basicsForm->addRow(labelOf("backend"), backendRow);
  basicsForm->addRow(labelOf("threads"), threads_);
  return basics;
}

void MotionCorrectionPanel::buildAdvancedSection() {
  quality_ = named(numberSpin("quality", 2, QString()), "quality", "quality");
  separation_ = named(numberSpin("sep", 1, tr(" mm")), "separation", "sep");
  fwhm_ = named(numberSpin("fwhm", 1, tr(" mm")), "fwhm", "fwhm");
  estimationInterpolation_ = named(degreeCombo("interp"), "estimationInterpolation", "interp");
  resliceInterpolation_ = named(degreeCombo("reslice-interp"), "resliceInterpolation", "reslice-interp");
  mask_ = named(new QCheckBox(tr("Mask voxels not seen by every frame")), "mask", "mask");
  addField("quality", quality_);
  addField("sep", separation_);
  addField("fwhm", fwhm_);
  addField("interp", estimationInterpolation_);
  addField("reslice-interp", resliceInterpolation_);
  addField("mask", mask_);

  advanced_ = new CollapsibleSection(tr("Advanced"));
  advanced_->setObjectName(QStringLiteral("advancedSection"));
  auto* advancedForm = new QFormLayout;
  advancedForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (const char* name : {"quality", "sep", "fwhm", "interp", "reslice-interp"})
    advancedForm->addRow(labelOf(name), fields_.value(QString::fromLatin1(name)));
  advancedForm->addRow(labelOf("mask"), mask_);
  advancedForm->addRow(labelOf("weight"), weight_);
  advancedForm->addRow(labelOf("transforms"), transforms_);
  auto* resetButton = new QPushButton(tr("Restore SPM defaults"));
  resetButton->setObjectName(QStringLiteral("resetButton"));
  resetButton->setToolTip(tr("Set every parameter back to SPM12's defaults (paths are kept)."));
  advancedForm->addRow(QString(), resetButton);
  advanced_->bodyLayout()->addLayout(advancedForm);
  advanced_->setCollapsed(true);
  connect(resetButton, &QPushButton::clicked, this, &MotionCorrectionPanel::resetParameters);
}

}  // namespace mc
