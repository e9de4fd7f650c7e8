#pragma once
// NIfTI-2 (.nii / .nii.gz, 540-byte header) reading. Debian's ITK 5.2 reads only NIfTI-1, and the
// format is simple enough to read directly: header, datatype conversion, scl_slope/inter, and the
// voxel-to-world matrix by NIfTI's rules (sform if set, else qform, else pixdim).
//
// Why not nifti_clib (Debian libnifti2-dev), measured on 2026-12-02: its libnifti2/libznz export
// the same unversioned C functions (nifti_image_read, znzopen, ...) as the NIfTI library bundled in
// ITK (libITKniftiio, which ITK's NIfTI-1 IO, and every Slicer process, loads), with NIfTI-2's
// structs. In one process the dynamic linker binds each call to whichever copy loaded first: with
// libnifti2.so linked, ITK read a 4D NIfTI-1 header as "has 156 dimensions" and every NIfTI write
// failed ("nifti_image_write_hdr_img: bad fname input"; 15 logic tests, 4 panel tests and the
// install-tree test failed in the Kit build). Making our copy private needs a position-independent
// static archive linked with hidden symbols, but Debian's libnifti2.a is not PIC, so the shared
// libraries of an extension cannot link it. nifti_clib did read faster (64x64x33x200 .nii.gz:
// 1.33 s against ITK's 1.82 s, best of 5) with identical voxels: worth revisiting for NIfTI-1 with a
// PIC build of nifti_clib in a Slicer superbuild (issue 12).
#include <string>

#include "VolumeSeries.h"

namespace mc {

// True if the file starts with a NIfTI-2 header (either byte order).
bool isNifti2File(const std::string& path);

// Throws std::runtime_error with a one-line message naming the file.
VolumeSeries readNifti2(const std::string& path);

}  // namespace mc
