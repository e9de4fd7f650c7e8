// The panel's parameters as text (the parameter table's names), back from text, the table's
// defaults, the settings remembered between sessions, and the EngineRequest a run starts from.
// Every widget the form registered (fields_) is read and written here by its kind.
#include "MotionCorrectionPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSettings>
#include <QSpinBox>

#include "ParameterTable.h"
#include "PathChooser.h"
#include "RunParameters.h"

namespace mc {
namespace {

const char* kSettingsGroup = "MotionCorrectionPanel";
// The rank count's name before it was "mpi-ranks" everywhere (old settings, old scenes).
const char* kOldRanksName = "ranks";

QString boolText(bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); }

bool textBool(const QString& v) {
  return v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("on") ||
         v == QLatin1String("yes");
}

bool isPath(const QString& name) {
  const ParameterEntry* e = findParameter(name.toStdString());
  return e && e->type == ParameterType::Path;
}

QString readField(QWidget* w) {
  if (auto* p = qobject_cast<PathChooser*>(w)) return p->path();
  if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) return QString::number(d->value());
  if (auto* s = qobject_cast<QSpinBox*>(w)) return QString::number(s->value());
  if (auto* c = qobject_cast<QCheckBox*>(w)) return boolText(c->isChecked());
  if (auto* c = qobject_cast<QComboBox*>(w)) return c->currentData().toString();
  return {};
}

void writeField(QWidget* w, const QString& v) {
  if (auto* p = qobject_cast<PathChooser*>(w)) {
    p->setPath(v);
  } else if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) {
    d->setValue(v.toDouble());
  } else if (auto* s = qobject_cast<QSpinBox*>(w)) {
    s->setValue(v.toInt());
  } else if (auto* c = qobject_cast<QCheckBox*>(w)) {
    c->setChecked(textBool(v));
  } else if (auto* c = qobject_cast<QComboBox*>(w)) {
    int i = c->findData(v);
    if (i < 0) i = c->findData(v.toInt());  // the degree combos hold ints
    if (i >= 0) c->setCurrentIndex(i);
  }
}

}  // namespace

QWidget* MotionCorrectionPanel::parameterWidget(const QString& name) const {
  const ParameterEntry* e = findParameter(name.toStdString());
  return e ? fields_.value(QString::fromStdString(e->name)) : nullptr;
}

void MotionCorrectionPanel::resetParameters() {
  QMap<QString, QString> values;
  for (const ParameterEntry& e : parameterTable())
    if (e.type != ParameterType::Path) values[QString::fromStdString(e.name)] = QString::fromStdString(e.defaultValue);
  setParameterValues(values);  // paths are kept
}

QMap<QString, QString> MotionCorrectionPanel::parameterValues() const {
  QMap<QString, QString> v;
  for (auto it = fields_.cbegin(); it != fields_.cend(); ++it) v[it.key()] = readField(it.value());
  const QString ref = reference_->currentData().toString();
  v[QStringLiteral("reference")] = ref == QLatin1String("frame") ? QString::number(referenceFrame_->value()) : ref;
  return v;
}

void MotionCorrectionPanel::setParameterValues(const QMap<QString, QString>& given) {
  QMap<QString, QString> values = given;
  const QString ranks = QStringLiteral("mpi-ranks"), oldRanks = QString::fromLatin1(kOldRanksName);
  if (!values.contains(ranks) && values.contains(oldRanks)) values[ranks] = values.value(oldRanks);
  for (auto it = values.cbegin(); it != values.cend(); ++it) {
    QWidget* w = fields_.value(it.key());
    if (!w) continue;
    if (w != reference_) {
      writeField(w, it.value());
      continue;
    }
    bool isNumber = false;
    const int frame = it.value().toInt(&isNumber);
    if (isNumber) referenceFrame_->setValue(frame);
    writeField(reference_, isNumber ? QStringLiteral("frame") : it.value());
  }
  updateEnabledState();
}

EngineRequest MotionCorrectionPanel::engineRequest() const {
  EngineRequest request;
  const QMap<QString, QString> values = parameterValues();
  for (auto it = values.cbegin(); it != values.cend(); ++it)
    setRunParameter(request, it.key().toStdString(), it.value().toStdString());
  // Estimate-only writes no images: the image outputs stay in the form for a later run.
  if (request.spec.estimateOnly) {
    request.spec.realignedOutput.clear();
    request.spec.meanOutput.clear();
  }
  request.poolThreads = request.spec.threads;
  request.mpi.threadsPerRank = request.spec.threads;
  request.validate();
  return request;
}

// Remembered: the parameters, not the per-run paths.
void MotionCorrectionPanel::saveSettings() const {
  QSettings settings;
  settings.beginGroup(QLatin1String(kSettingsGroup));
  const QMap<QString, QString> values = parameterValues();
  for (auto it = values.cbegin(); it != values.cend(); ++it)
    if (!isPath(it.key())) settings.setValue(it.key(), it.value());
  settings.remove(QLatin1String(kOldRanksName));
  settings.setValue(QStringLiteral("fdThreshold"), fdThreshold());
  settings.endGroup();
}

void MotionCorrectionPanel::restoreSettings() {
  QSettings settings;
  settings.beginGroup(QLatin1String(kSettingsGroup));
  QMap<QString, QString> values;
  for (const QString& name : settings.childKeys())
    if (name == QLatin1String(kOldRanksName) || (parameterWidget(name) && !isPath(name)))
      values[name] = settings.value(name).toString();
  if (settings.contains(QStringLiteral("fdThreshold")))
    setFdThreshold(settings.value(QStringLiteral("fdThreshold")).toDouble());
  settings.endGroup();
  setParameterValues(values);
}

}  // namespace mc
