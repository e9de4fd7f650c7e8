# nifti_clib (Debian: libnifti2-dev): the NIfTI-1/2 reference library. Debian 12's NIFTIConfig.cmake
# points at /usr/lib/libznz.so.3.0.0, which the package installs under the multiarch folder, so
# find_package(NIFTI CONFIG) fails there; this finds the headers and libraries directly and defines
# NiftiClib::NiftiClib (nifti2 with niftiio and znz).
find_path(NiftiClib_INCLUDE_DIR nifti2_io.h PATH_SUFFIXES nifti)
find_library(NiftiClib_nifti2_LIBRARY nifti2)
find_library(NiftiClib_znz_LIBRARY znz)
find_package(ZLIB REQUIRED)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NiftiClib REQUIRED_VARS NiftiClib_nifti2_LIBRARY NiftiClib_znz_LIBRARY
  NiftiClib_INCLUDE_DIR)
if(NiftiClib_FOUND AND NOT TARGET NiftiClib::NiftiClib)
  add_library(NiftiClib::NiftiClib INTERFACE IMPORTED)
  set_target_properties(NiftiClib::NiftiClib PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${NiftiClib_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${NiftiClib_nifti2_LIBRARY};${NiftiClib_znz_LIBRARY};ZLIB::ZLIB;m")
endif()
