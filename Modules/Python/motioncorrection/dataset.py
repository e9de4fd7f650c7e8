"""A whole BIDS dataset: every sub-*/[ses-*/]func/*_bold.nii[.gz] corrected into a BIDS-derivatives
folder, run by run, with a summary table and an HTML report. The same engine (mc::runDataset) as
``MotionCorrection --bids DIR --derivatives OUT``; a job keyword means what it means for
realign_file() (the CLI's long flag with '_' for '-').

    import motioncorrection as mc
    result = mc.correct_dataset("/data/study", "/data/study/derivatives/motioncorrection",
                                participant_label=["01", "02"], fwhm=5,
                                on_run=lambda p: print(p.run.relative_path, p.run.status))
    result.failed          # the runs that failed, each with its one-line reason
    result.report_path     # motion_report.html, opens from disk
"""

import os

from . import _motioncorrection as _core
from ._text import as_text

__all__ = ["correct_dataset", "DatasetResult", "DatasetRun", "DatasetProgress"]

# The outputs are named by the derivatives layout, the input by the dataset: these job keywords
# have no meaning here and are refused instead of silently ignored.
_NOT_FOR_DATASETS = {"input", "output", "mean", "params", "transforms", "confounds"}
_NAMES = {n.replace("-", "_"): n for n in _core.parameter_names() if n not in _NOT_FOR_DATASETS}


class DatasetRun:
    """One run of the dataset and what became of it.

    relative_path   the input from the BIDS root (sub-01/func/sub-01_task-rest_bold.nii.gz)
    input, stem, subject, session, task, run   the file and its BIDS entities ("" when absent)
    status          'done', 'skipped' (complete from an earlier call: resume) or 'failed'
    reason          for 'failed': one line naming the file and the problem, else ""
    frames, repetition_time, mean_fd, max_fd (mm), frames_over, minutes_over (FD above the
    threshold), max_translation (mm), max_rotation (degrees)   for 'done' and 'skipped'
    seconds         wall time of the correction (0 when skipped)
    rank            the MPI rank that ran it (0 for backend='threads')
    outputs         dict of the derivatives paths: folder, realigned, mean, parameters (rp),
                    confounds, confounds_sidecar ("" for what estimate_only does not write)
    """

    __slots__ = ("input", "relative_path", "stem", "subject", "session", "task", "run", "status", "reason",
                 "frames", "repetition_time", "mean_fd", "max_fd", "frames_over", "minutes_over",
                 "max_translation", "max_rotation", "seconds", "rank", "outputs")

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields[name])

    def __repr__(self):
        if self.status == "failed":
            return f"<DatasetRun {self.relative_path}: failed: {self.reason}>"
        return f"<DatasetRun {self.relative_path}: {self.status}, mean FD {self.mean_fd:.3f} mm>"


class DatasetProgress:
    """What on_run sees after each finished run: run (the DatasetRun that just ended), total, done,
    skipped, failed (counts so far; done counts corrected runs only), elapsed_seconds and
    remaining_seconds (estimate for the whole dataset; None until a run was corrected)."""

    __slots__ = ("run", "total", "done", "skipped", "failed", "elapsed_seconds", "remaining_seconds")

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields[name])
        self.run = DatasetRun(fields["run"])

    def __repr__(self):
        return (f"<DatasetProgress {self.done + self.skipped + self.failed}/{self.total}: "
                f"{self.failed} failed, last {self.run.relative_path}>")


class DatasetResult:
    """What correct_dataset() did: runs (every selected run, in relative-path order), done, skipped,
    failed (those lists), summary_path (motion_summary.tsv), report_path (motion_report.html; "" with
    report=False or a core built without the report) and cancelled (on_run stopped it: the runs that
    ended before are in runs, the one in flight and those not reached are not)."""

    __slots__ = ("runs", "summary_path", "report_path", "cancelled")

    def __init__(self, fields):
        self.runs = [DatasetRun(r) for r in fields["runs"]]
        self.summary_path = fields["summary_path"]
        self.report_path = fields["report_path"]
        self.cancelled = fields["cancelled"]

    def _with(self, status):
        return [r for r in self.runs if r.status == status]

    @property
    def done(self):
        return self._with("done")

    @property
    def skipped(self):
        return self._with("skipped")

    @property
    def failed(self):
        return self._with("failed")

    def count(self, status):
        """How many runs have status 'done', 'skipped' or 'failed'."""
        return len(self._with(status))

    def __repr__(self):
        return (f"<DatasetResult: {len(self.runs)} runs, {len(self.done)} done, {len(self.skipped)} skipped, "
                f"{len(self.failed)} failed{', cancelled' if self.cancelled else ''}>")


def _labels(name, value):
    """None, one label or a sequence of labels as a list of text ("01" or "sub-01")."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        value = [value]
    try:
        labels = [os.fspath(v) if isinstance(v, os.PathLike) else v for v in value]
    except TypeError:
        raise TypeError(f"{name}: expected a label or a list of labels, got {type(value).__name__}") from None
    for v in labels:
        if not isinstance(v, str) or not v:
            raise TypeError(f"{name}: expected non-empty label text, got {v!r}")
    return labels


def correct_dataset(bids_dir, derivatives_dir, *, participant_label=None, task=None, backend="threads",
                    mpi_ranks=None, fd_threshold=0.5, resume=True, report=True, on_run=None, **job_params):
    """Corrects every selected run of the BIDS dataset bids_dir into derivatives_dir and waits.

    participant_label  a label or list of labels ("01" or "sub-01"); None: every subject
    task               a task label or list of them; None: every task
    backend            'threads' (runs one after the other here, each on `threads` threads),
                       'serial', or 'mpi' (mpirun ranks take runs from a shared queue, largest first)
    mpi_ranks          MPI processes for backend='mpi' (threads is then per rank)
    fd_threshold       mm: the summary's frames and minutes over
    resume             skip runs whose outputs are complete for the same input and parameters
    report             write motion_report.html at the end
    on_run             callable on_run(DatasetProgress) after each finished run; return False (or
                       raise) to stop: the finished runs stay, the summary is written, the result
                       says cancelled (and what on_run raised is re-raised)
    job_params         realign_file()'s estimation and reslice keywords (quality, sep, fwhm, interp,
                       wrap, reference, reslice_interp, reslice_wrap, weight, estimate_only,
                       keep_datatype, threads); output paths are the derivatives layout's, not given

    Outputs per run (beside the input's sub-*/[ses-*/]func path): *_desc-realigned_bold.nii.gz,
    *_desc-mean_boldref.nii.gz, rp_*_bold.txt, *_desc-confounds_timeseries.tsv and its .json (the
    provenance resume checks); at the root dataset_description.json, motion_summary.tsv,
    motion_report.html. A failing run is a row of the result ('failed' and why), not an exception.

    Raises ValueError for a bad folder, selection or parameter value (the engine's one line),
    TypeError for an unknown or output keyword, OSError/RuntimeError when the derivatives folder
    cannot be written, KeyboardInterrupt on Ctrl-C.
    """
    if on_run is not None and not callable(on_run):
        raise TypeError(f"on_run: expected a callable on_run(progress), got {type(on_run).__name__}")
    pairs = []
    for key, value in dict(job_params, backend=backend, mpi_ranks=mpi_ranks).items():
        if key in _NOT_FOR_DATASETS:
            raise TypeError(f"correct_dataset() got the output keyword '{key}': a dataset's outputs are named "
                            "by the derivatives layout")
        if key not in _NAMES:
            raise TypeError(f"correct_dataset() got an unexpected keyword argument '{key}' "
                            f"(known: {', '.join(sorted(_NAMES))})")
        if value is not None:
            pairs.append((_NAMES[key], as_text(key, value, ("wrap", "reslice_wrap"))))
    for name, flag in (("resume", resume), ("report", report)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name}: expected True or False, got {flag!r}")
    try:
        threshold = float(fd_threshold)
    except (TypeError, ValueError):
        raise TypeError(f"fd_threshold: expected a number of mm, got {fd_threshold!r}") from None
    handler = None if on_run is None else (lambda fields: on_run(DatasetProgress(fields)))
    return DatasetResult(_core.correct_dataset(
        as_text("bids_dir", bids_dir), as_text("derivatives_dir", derivatives_dir),
        _labels("participant_label", participant_label), _labels("task", task), threshold, resume, report,
        pairs, handler))
