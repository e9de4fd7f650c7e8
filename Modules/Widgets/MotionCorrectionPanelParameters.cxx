// The panel's parameters as text (the job parameter names), back from text, SPM's defaults, the
// settings remembered between sessions, and the JobSpec / EngineRequest a run starts from.
#include "MotionCorrectionPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSettings>
#include <QSpinBox>
#include <stdexcept>

#include "JobParameters.h"
#include "PathChooser.h"

namespace mc {
namespace {

const char* kSettingsGroup = "MotionCorrectionPanel";

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

QString boolText(bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); }

bool textBool(const QString& v) {
  return v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("on") ||
         v == QLatin1String("yes");
}

}  // namespace

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

}  // namespace mc
