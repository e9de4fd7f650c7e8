#pragma once
// A whole BIDS dataset in the compiled module (_motioncorrection.correct_dataset): see
// MotionCorrectionDatasetPython.cxx.
#include <pybind11/pybind11.h>

void addDatasetBinding(pybind11::module_& m);
