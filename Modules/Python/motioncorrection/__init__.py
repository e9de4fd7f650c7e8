"""Rigid head-motion correction of 4D fMRI runs (SPM12-style realign: estimate and reslice).

The Python face of the SlicerMotionCorrection engine. The same engine, parameter names and defaults
as the ``MotionCorrectionCLI`` command line tool: a keyword here is the CLI's long flag with '-' written
as '_' (``--reslice-interp 4`` is ``reslice_interp=4``).

    import nibabel as nib, motioncorrection as mc
    img = nib.load("bold.nii.gz")
    result = mc.realign(img.get_fdata(dtype="float32"), img.affine, fwhm=5)
    result.parameters          # N x 6, SPM rp order: x y z (mm) pitch roll yaw (rad)

    result = mc.realign_file("bold.nii.gz", "rbold.nii.gz", params="rp_bold.txt")

    for v in mc.follow_volumes("/export/run1", tr=2.0):   # real time: a volume as each arrives
        print(v.frame, v.fd)

    result = mc.correct_dataset("/data/study", "/data/study/derivatives/motioncorrection")  # a BIDS dataset

See Docs/Python.md for the full description.
"""


import numpy as np

from ._motioncorrection import Cancelled
from . import _motioncorrection as _core
from ._text import as_text
from .follow import FollowResult, FollowVolume, follow, follow_defaults, follow_volumes
from .dataset import DatasetProgress, DatasetResult, DatasetRun, correct_dataset

__all__ = ["realign", "realign_file", "MotionCorrectionResult", "Cancelled", "parameter_names", "defaults",
           "follow", "follow_volumes", "FollowVolume", "FollowResult", "follow_defaults",
           "correct_dataset", "DatasetResult", "DatasetRun", "DatasetProgress"]

# Keywords naming an input are given positionally instead.
_INPUT_KEYWORDS = {"input"}


# Python keyword -> engine name (the engine's names may spell words with '-').
_ENGINE_NAMES = {n.replace("-", "_"): n for n in _core.parameter_names() if n not in _INPUT_KEYWORDS}


def parameter_names():
    """The keyword arguments realign()/realign_file() accept (engine names with '-' as '_')."""
    return list(_ENGINE_NAMES)


def defaults():
    """Every parameter's default, as the text the engine parses (same as the CLI's defaults)."""
    return {n.replace("-", "_"): v for n, v in _core.default_parameters() if n not in _INPUT_KEYWORDS}


class MotionCorrectionResult:
    """What one motion correction produced.

    parameters         (N, 6) float64: x y z (mm) pitch roll yaw (rad) per frame, SPM rp order,
                       relative to the reference frame; the rows of the CLI's --params file.
    matrices           (N, 4, 4) float64: each frame's world-space (RAS mm) rigid motion.
    fd                 (N,) framewise displacement (Power et al. 2012, 50 mm radius), fd[0] = 0.
    displacement_mean, displacement_max
                       (N,) mean / max displacement (mm) of head voxels relative to the reference
                       (NaN for realign_file with backend='mpi': the run was read by the worker only).
    iterations         (N,) Gauss-Newton iterations of each frame's final pass (0 with backend='mpi').
    sample_points      sample points kept in the final reference model.
    warnings           list of one-line warnings (empty frames, non-converged frames, ...).
    damaged_frames     list of the frames with NaN/Inf voxels or all voxels zero (0-based), left out
                       of the reference and the mean; the confounds TSV's motion_outlierXX columns.
    written            paths of the output files written (empty when none was asked for).
    timings            dict of seconds: read, estimate, reslice, write.
    resliced           (X, Y, Z, N) float32 realigned run, Fortran order (nibabel's), or None when
                       estimate_only=True.
    mean               (X, Y, Z) float32 mean of the realigned run, or None.
    affine             (4, 4) voxel-to-world (RAS) of resliced/mean (the input grid), or None.
    repetition_time    seconds (0 when unknown) when resliced, else None.
    """

    __slots__ = ("parameters", "matrices", "fd", "displacement_mean", "displacement_max", "iterations",
                 "sample_points", "warnings", "damaged_frames", "written", "timings", "resliced", "mean",
                 "affine", "repetition_time")

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields[name])

    def __repr__(self):
        n = len(self.parameters)
        shape = "none" if self.resliced is None else "x".join(str(s) for s in self.resliced.shape)
        return (f"<MotionCorrectionResult: {n} frames, max FD {float(np.max(self.fd, initial=0)):.3f} mm, "
                f"resliced {shape}, {len(self.warnings)} warning(s)>")


def _text(name, value):
    return as_text(name, value, ("wrap", "reslice_wrap"))


def _engine_parameters(function, params):
    pairs = []
    for key, value in params.items():
        if key not in _ENGINE_NAMES:
            raise TypeError(f"{function}() got an unexpected keyword argument '{key}' "
                            f"(known: {', '.join(sorted(_ENGINE_NAMES))})")
        if value is None:  # the default
            continue
        pairs.append((_ENGINE_NAMES[key], _text(key, value)))
    return pairs


_STORED_TYPES = {np.dtype(t): t for t in ("uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
                                          "float64")}


def _as_run(data):
    """data as a float32 Fortran-ordered 4D array (a copy when needed); ValueError if it is not a run."""
    if not isinstance(data, np.ndarray):
        try:
            data = np.asarray(data)
        except Exception as e:  # ragged lists and the like
            raise ValueError(f"data: cannot be read as an array ({e})") from None
    if data.dtype.kind not in "iuf":
        raise ValueError(f"data: dtype {data.dtype} is not a real numeric type; the run must be integer or "
                         "floating-point voxels (complex, boolean, object and string arrays are refused)")
    if data.ndim != 4:
        hint = " (one volume has no motion to correct; stack the frames on a 4th axis)" if data.ndim == 3 else ""
        raise ValueError(f"data: expected a 4D array (x, y, z, t), got {data.ndim}D with shape {data.shape}{hint}")
    if min(data.shape) < 1:
        raise ValueError(f"data: empty array of shape {data.shape}")
    stored = _STORED_TYPES.get(data.dtype.newbyteorder("="), "float32")
    with np.errstate(over="ignore", invalid="ignore"):  # values beyond float32 become inf, refused below
        run = np.asfortranarray(data, dtype=np.float32)
    if data.dtype.kind == "f":  # integers are always finite, also as float32
        finite = np.isfinite(run).all(axis=(0, 1, 2))
        if not finite.all():
            frames = np.flatnonzero(~finite)
            counts = [int((~np.isfinite(run[..., t])).sum()) for t in frames[:5]]
            listed = ", ".join(f"frame {t} ({c} voxels)" for t, c in zip(frames[:5], counts))
            more = f" and {len(frames) - 5} more frames" if len(frames) > 5 else ""
            raise ValueError(f"data: NaN or infinite voxels (as float32) in {listed}{more}; replace them first, "
                             "e.g. numpy.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)")
    return run, stored


def _as_affine(affine):
    try:
        a = np.array(affine, dtype=np.float64, order="C")
    except (TypeError, ValueError) as e:
        raise ValueError(f"affine: cannot be read as a 4x4 matrix of numbers ({e})") from None
    if a.shape != (4, 4):
        raise ValueError(f"affine: expected a 4x4 voxel-to-world matrix, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("affine: contains NaN or infinite entries")
    if not np.allclose(a[3], [0, 0, 0, 1]):
        raise ValueError(f"affine: last row must be [0, 0, 0, 1], got {a[3].tolist()}")
    if abs(np.linalg.det(a[:3, :3])) < 1e-12:
        raise ValueError("affine: the 3x3 part is singular (zero voxel size?)")
    return a


def _check_progress(progress):
    if progress is not None and not callable(progress):
        raise TypeError(f"progress: expected a callable progress(stage, frame, fraction), got {type(progress).__name__}")


def realign(data, affine, *, progress=None, repetition_time=0.0, **params):
    """Motion-corrects an in-memory 4D run.

    data      4D array (x, y, z, t) as nibabel's get_fdata() gives it, any real numeric dtype (converted
              to float32), C or Fortran order. NaN/inf voxels are refused (ValueError naming the frames).
    affine    4x4 voxel-to-world matrix (NIfTI RAS+ mm), as nibabel's img.affine.
    progress  optional callable progress(stage, frame, fraction) called once per frame per stage
              ("pass 1", "mean", "pass 2", "reslice"); return False (or raise) to stop the run.
    repetition_time
              seconds per frame, stored in the written realigned run (0: unknown), e.g.
              img.header.get_zooms()[3].
    params    the CLI's parameters with '_' for '-': quality, sep, fwhm, interp, wrap, reference
              ('first' | 'mean' | frame index), reslice_interp, reslice_wrap, mask, estimate_only,
              keep_datatype, threads, weight (image path), and output paths (output, mean, params,
              transforms, confounds) to also write files; backend ('serial' | 'threads' | 'mpi') and
              mpi_ranks (MPI processes for backend='mpi'; threads is then per rank).

    Returns a MotionCorrectionResult. Raises ValueError for bad arrays or parameters (the engine's
    message), TypeError for an unknown keyword, OSError for unreadable/unwritable images, Cancelled
    when progress returned False.
    """
    _check_progress(progress)
    run, stored = _as_run(data)
    a = _as_affine(affine)
    pairs = _engine_parameters("realign", params)
    tr = float(repetition_time)
    if not (np.isfinite(tr) and tr >= 0):
        raise ValueError(f"repetition_time: must be >= 0 seconds, got {repetition_time!r}")
    return MotionCorrectionResult(_core.run_array(run, a, stored, tr, pairs, progress))


def realign_file(in_path, out_path=None, *, progress=None, **params):
    """Motion-corrects a 4D image file (.nii, .nii.gz, .nrrd), like the MotionCorrectionCLI command line tool.

    in_path   the 4D run.
    out_path  where to write the realigned run (same as output=...); None writes no image (the
              resliced run is still returned unless estimate_only=True).
    Other arguments as realign(). Outputs are written all together or not at all.
    """
    _check_progress(progress)
    if out_path is not None:
        if params.get("output") is not None:
            raise TypeError("realign_file() got out_path and output=; give one of them")
        params["output"] = out_path
    pairs = [("input", _text("in_path", in_path))] + _engine_parameters("realign_file", params)
    return MotionCorrectionResult(_core.run_file(pairs, progress))
