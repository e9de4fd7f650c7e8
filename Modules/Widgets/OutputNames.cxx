#include "OutputNames.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace mc {
namespace {

QString imageExtension(const QString& fileName) {
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr"})
    if (fileName.endsWith(QLatin1String(ext), Qt::CaseInsensitive)) return fileName.right(int(qstrlen(ext)));
  return QString();
}

}  // namespace

QString runBaseName(const QString& inputPath) {
  const QString name = QFileInfo(inputPath).fileName();
  const QString ext = imageExtension(name);
  if (!ext.isEmpty()) return name.left(name.size() - ext.size());
  return QFileInfo(inputPath).completeBaseName();
}

DefaultOutputs defaultOutputsFor(const QString& inputPath) {
  DefaultOutputs out;
  if (inputPath.trimmed().isEmpty()) return out;
  const QFileInfo info(inputPath);
  const QDir dir = info.dir();
  const QString base = runBaseName(inputPath);
  QString ext = imageExtension(info.fileName());
  // A detached header (.nhdr) would need its data file too: write single-file outputs instead.
  if (ext.isEmpty() || ext.compare(QLatin1String(".nhdr"), Qt::CaseInsensitive) == 0) ext = QStringLiteral(".nii.gz");
  out.realigned = dir.filePath(QStringLiteral("r") + base + ext);
  out.mean = dir.filePath(QStringLiteral("mean") + base + ext);
  out.parameters = dir.filePath(QStringLiteral("rp_") + base + QStringLiteral(".txt"));
  out.confounds = dir.filePath(base + QStringLiteral("_confounds.tsv"));
  return out;
}

}  // namespace mc
