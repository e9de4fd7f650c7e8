#pragma once
// Default output names derived from the input run, SPM-style, in the input's folder:
// bold.nii.gz -> rbold.nii.gz, meanbold.nii.gz, rp_bold.txt, bold_confounds.tsv.
#include <QString>

namespace mc {

struct DefaultOutputs {
  QString realigned;
  QString mean;
  QString parameters;
  QString confounds;
};

// The file name without folder and without the image extension (.nii.gz, .nii, .nrrd, .nhdr).
QString runBaseName(const QString& inputPath);
// Realigned/mean keep the input's image extension (.nii.gz for anything else).
DefaultOutputs defaultOutputsFor(const QString& inputPath);

}  // namespace mc
