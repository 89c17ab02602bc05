#!/usr/bin/python3
"""Writes images/ and images.csv: the first test image of each Fashion-MNIST class, as 28x28 grey PNGs.

Reads Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist); needs numpy and Pillow.
"""
import gzip, os, struct
import numpy as np
from PIL import Image

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


images, labels = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
os.makedirs(os.path.join(HERE, "images"), exist_ok=True)
rows = ["file,label"]
for c in range(10):
    i = int(np.flatnonzero(labels == c)[0])
    name = f"images/t10k-{i:05d}.png"
    Image.fromarray(images[i], mode="L").save(os.path.join(HERE, name), optimize=True)
    rows.append(f"{name},{c}")
with open(os.path.join(HERE, "images.csv"), "w") as f:
    f.write("\n".join(rows) + "\n")

# The first 500 test images and labels as IDX files: a real data set small enough to ship, for the
# tests and for `eval` on a machine without the Debian package.
N = 500
os.makedirs(os.path.join(HERE, "test-500"), exist_ok=True)
for kind, arr, magic in (("images-idx3", images[:N], b"\0\0\x08\x03"), ("labels-idx1", labels[:N], b"\0\0\x08\x01")):
    header = magic + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    with gzip.GzipFile(os.path.join(HERE, "test-500", f"t10k-first500-{kind}-ubyte.gz"), "wb", mtime=0) as f:
        f.write(header + arr.tobytes())
