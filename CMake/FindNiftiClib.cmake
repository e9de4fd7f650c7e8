# nifti_clib (Debian: libnifti2-dev): the NIfTI-1/2 reference library. Debian 12's NIFTIConfig.cmake
# points at /usr/lib/libznz.so.3.0.0, which the package installs under the multiarch folder, so
# find_package(NIFTI CONFIG) fails there; this finds the headers and libraries directly and defines
# NiftiClib::NiftiClib (nifti2 with znz).
#
# The static archives, with their symbols hidden: ITK's NIfTI IO (libITKniftiio, libITKznz) defines
# the same unversioned C functions (nifti_image_read, znzopen, ...) for the NIfTI-1-only structs of
# nifti_clib 2.0. With both shared libraries in one process the dynamic linker binds every call to
# whichever loaded first, and ITK then reads 4D NIfTI-1 headers through nifti2's structs ("has 156
# dimensions"); Slicer's own ITK would meet ours the same way. Linked statically with
# --exclude-libs, our copy is private to the binary that links it and ITK keeps its own.
find_path(NiftiClib_INCLUDE_DIR nifti2_io.h PATH_SUFFIXES nifti)
find_library(NiftiClib_nifti2_LIBRARY NAMES libnifti2.a nifti2)
find_library(NiftiClib_znz_LIBRARY NAMES libznz.a znz)
find_package(ZLIB REQUIRED)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NiftiClib REQUIRED_VARS NiftiClib_nifti2_LIBRARY NiftiClib_znz_LIBRARY
  NiftiClib_INCLUDE_DIR)
if(NiftiClib_FOUND AND NOT TARGET NiftiClib::NiftiClib)
  add_library(NiftiClib::NiftiClib INTERFACE IMPORTED)
  set_target_properties(NiftiClib::NiftiClib PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${NiftiClib_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${NiftiClib_nifti2_LIBRARY};${NiftiClib_znz_LIBRARY};ZLIB::ZLIB;m")
  get_filename_component(_mc_nifti2_archive "${NiftiClib_nifti2_LIBRARY}" NAME)
  get_filename_component(_mc_znz_archive "${NiftiClib_znz_LIBRARY}" NAME)
  if(_mc_nifti2_archive MATCHES "\\.a$" AND _mc_znz_archive MATCHES "\\.a$")
    set_property(TARGET NiftiClib::NiftiClib PROPERTY
      INTERFACE_LINK_OPTIONS "LINKER:--exclude-libs,${_mc_nifti2_archive}:${_mc_znz_archive}")
  else()
    message(WARNING "nifti_clib: no static archives; its symbols may clash with ITK's NIfTI IO at run time")
  endif()
endif()
