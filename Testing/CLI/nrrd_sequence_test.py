"""4D NRRD (Slicer volume sequences) in and out.
In: the same generated (oblique) run as .nii.gz and as a hand-written Slicer .seq.nrrd (list axis
first, as Slicer <= 5.8 writes it; and list axis last, as newer Slicer writes it) give the same
motion parameters. Out: --output *.seq.nrrd is a sequence file as Slicer documents it (kinds list
domain domain domain, space directions none + the voxel axes in RAS, axis 0 index values,
DataNodeClassName) holding the same voxels and geometry as the .nii.gz output, and reads back in."""
import array
import gzip
import os
import struct
import sys

from cli_test_support import check, generate, read_rp, run_cli, workdir

mc, gen = sys.argv[1], sys.argv[2]


def read_nifti(path):
    """Float32 NIfTI-1 (as our writer produces): (dims x,y,z,t, 3x4 RAS sform rows, voxels, TR)."""
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    check(struct.unpack("<i", raw[:4])[0] == 348, path + ": not little-endian NIfTI-1")
    dim = struct.unpack("<8h", raw[40:56])
    datatype = struct.unpack("<h", raw[70:72])[0]
    check(datatype == 16, f"{path}: datatype {datatype}, expected float32")
    offset = int(struct.unpack("<f", raw[108:112])[0])
    check(struct.unpack("<h", raw[254:256])[0] > 0, path + ": no sform")
    srow = struct.unpack("<12f", raw[280:328])
    tr = struct.unpack("<8f", raw[76:108])[4]
    nx, ny, nz, nt = dim[1:5]
    vox = array.array("f")
    vox.frombytes(raw[offset:offset + 4 * nx * ny * nz * nt])
    return (nx, ny, nz, nt), [srow[0:4], srow[4:8], srow[8:12]], vox, tr


def write_seq_nrrd(path, dims, rows, vox, list_first=True):
    """A Slicer volume sequence file written by hand from Slicer's documentation."""
    nx, ny, nz, nt = dims
    n = nx * ny * nz
    if list_first:
        data = array.array("f", bytes(4 * n * nt))
        for t in range(nt):
            data[t::nt] = vox[t * n:(t + 1) * n]
    else:
        data = vox  # x, y, z, then frames: the list axis is the slowest
    axes = [f"({rows[0][a]},{rows[1][a]},{rows[2][a]})" for a in range(3)]
    origin = f"({rows[0][3]},{rows[1][3]},{rows[2][3]})"
    values = " ".join(str(t) for t in range(nt))
    a = 0 if list_first else 3
    header = ["NRRD0005", "# Complete NRRD file format specification at:", "# http://teem.sourceforge.net/nrrd/format.html",
              "type: float", "dimension: 4", "space: right-anterior-superior",
              f"sizes: {nt} {nx} {ny} {nz}" if list_first else f"sizes: {nx} {ny} {nz} {nt}",
              "space directions: none " + " ".join(axes) if list_first else "space directions: " + " ".join(axes) + " none",
              "kinds: list domain domain domain" if list_first else "kinds: domain domain domain list",
              'labels: "frame" "" "" ""' if list_first else 'labels: "" "" "" "frame"',
              "endian: little", "encoding: gzip", f"space origin: {origin}",
              "measurement frame: (1,0,0) (0,1,0) (0,0,1)", f"axis {a} index type:=numeric",
              f"axis {a} index values:={values}", "DataNodeClassName:=vtkMRMLScalarVolumeNode"]
    with open(path, "wb") as f:
        f.write(("\n".join(header) + "\n\n").encode())
        f.write(gzip.compress(data.tobytes()))


def read_our_nrrd(path):
    raw = open(path, "rb").read()
    head, body = raw.split(b"\n\n", 1)
    fields = {}
    for line in head.decode().splitlines()[1:]:
        if line.startswith("#"):
            continue
        k, sep, v = line.partition(":=") if ":=" in line else line.partition(": ")
        fields[k] = v
    return fields, gzip.decompress(body)


def parse_vectors(text):
    out = []
    for item in text.split():
        out.append(None if item == "none" else [float(x) for x in item.strip("()").split(",")])
    return out


def max_rp_difference(a, b):
    return max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


with workdir() as d:
    run, _ = generate(gen, d, frames=8, size="28,28,18", spacing="4,4,5", seed=7, extra=("--oblique", "12"))
    dims, rows, vox, tr = read_nifti(run)
    seq_first = os.path.join(d, "run.seq.nrrd")
    seq_last = os.path.join(d, "run_listlast.nrrd")
    write_seq_nrrd(seq_first, dims, rows, vox, list_first=True)
    write_seq_nrrd(seq_last, dims, rows, vox, list_first=False)

    rps = {}
    for name, path in [("nii", run), ("nrrd", seq_first), ("nrrd-list-last", seq_last)]:
        rp = os.path.join(d, f"rp_{name}.txt")
        p = run_cli(mc, "--input", path, "--params", rp, "--progress", "none")
        check(p.returncode == 0, f"{name}: {p.stderr}")
        rps[name] = read_rp(rp)
    check(len(rps["nii"]) == dims[3], "rows")
    for name in ("nrrd", "nrrd-list-last"):
        diff = max_rp_difference(rps["nii"], rps[name])
        check(diff < 1e-5, f".nii.gz and {name} parameters differ by {diff}")
    print(f"ok: .nrrd (list axis first and last) and .nii.gz inputs give the same parameters "
          f"(max difference {max(max_rp_difference(rps['nii'], rps[n]) for n in ('nrrd', 'nrrd-list-last')):.2e})")

    # Output as a sequence file, against the same run's .nii.gz output.
    out_nrrd, out_nii = os.path.join(d, "r.seq.nrrd"), os.path.join(d, "r.nii.gz")
    for out in (out_nrrd, out_nii):
        p = run_cli(mc, "--input", run, "--output", out, "--progress", "none")
        check(p.returncode == 0, p.stderr)
    fields, body = read_our_nrrd(out_nrrd)
    odims, orows, ovox, otr = read_nifti(out_nii)
    nx, ny, nz, nt = odims
    check(fields["dimension"] == "4", "dimension")
    check(fields["kinds"] == "list domain domain domain", "kinds: " + fields["kinds"])
    check(fields["sizes"] == f"{nt} {nx} {ny} {nz}", "sizes: " + fields["sizes"])
    check(fields["space"] == "right-anterior-superior", "space: " + fields["space"])
    check(fields["type"] == "float", "type")
    check(fields.get("labels", "").startswith('"time"') or fields.get("labels", "").startswith('"frame"'), "labels")
    check(fields["axis 0 index type"] == "numeric", "axis 0 index type")
    index = fields["axis 0 index values"].split()
    check(len(index) == nt, f"{len(index)} index values for {nt} frames")
    if otr > 0:
        check(abs(float(index[1]) - otr) < 1e-4, f"index step {index[1]} vs TR {otr}")
    check(fields["DataNodeClassName"] == "vtkMRMLScalarVolumeNode", "DataNodeClassName")
    dirs = parse_vectors(fields["space directions"])
    check(dirs[0] is None, "the list axis must have no space direction")
    for a in range(3):
        for r in range(3):
            check(abs(dirs[a + 1][r] - orows[r][a]) < 1e-4, f"space direction {a} differs from the NIfTI sform")
    origin = parse_vectors(fields["space origin"])[0]
    check(all(abs(origin[r] - orows[r][3]) < 1e-4 for r in range(3)), "origin differs from the NIfTI sform")
    data = array.array("f")
    data.frombytes(body)
    n = nx * ny * nz
    check(len(data) == n * nt, "voxel count")
    worst = max(abs(data[i * nt + t] - ovox[t * n + i]) for t in range(nt) for i in range(0, n, 7))
    check(worst < 1e-4, f"voxels differ from the .nii.gz output by {worst}")

    # And the sequence file reads back as a run, keeping the TR (index values in seconds).
    rp, back = os.path.join(d, "rp_back.txt"), os.path.join(d, "back.nii.gz")
    p = run_cli(mc, "--input", out_nrrd, "--params", rp, "--output", back, "--reference", "first", "--progress", "none")
    check(p.returncode == 0, p.stderr)
    check(len(read_rp(rp)) == nt, "frames read back")
    check(otr > 0 and abs(read_nifti(back)[3] - otr) < 1e-4, f"TR {read_nifti(back)[3]} after the .seq.nrrd round trip, expected {otr}")
print(f"ok: --output .seq.nrrd has Slicer's sequence header, the .nii.gz output's voxels and geometry, and reads back (TR {otr} s kept)")
