# Golden data for PreprocessorTest, made with Debian's python3-pil 9.4, numpy 1.24 and PyTorch 1.13
# (/usr/bin/python3). Run from the repository root:
#   /usr/bin/python3 model/src/test/resources/dev/binaryvit/model/preprocess/make_golden.py
# Writes golden.safetensors next to this script:
#   fashion.u8, fashion.out   8 grey 28x28 images and what the Fashion-MNIST model's training code
#                             feeds the model: x = u8 / 255 (float32), F.pad(x, (2, 2, 2, 2), value=0),
#                             (x - 0.2860) / 0.3530, in float32 torch ops with Python-float scalars
#   resize/<src>/<filter>/<w>x<h>   Pillow's Image.resize(..., resample=filter) of a source, HWC or HW uint8
#   random.src, random/<filter>/<w>x<h>   the same for a random 23x17 grey source and random sizes
#   L/<image>                 Pillow's convert('L') of the test images in ../images/
#   pipeline/<case>           whole pipelines, each spelled out with PIL and numpy float32 as Preprocessor
#                             documents it (the configs are in PreprocessorTest)
import json, struct
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = "model/src/test/resources/dev/binaryvit/model/preprocess/"
IMAGES = "model/src/test/resources/dev/binaryvit/model/images/"
rs = np.random.RandomState(20240611)
tensors = {}

# ---- the Fashion-MNIST model's preprocessing, as its training code does it
u8 = rs.randint(0, 256, size=(8, 28, 28)).astype(np.uint8)
u8[0] = (np.arange(28 * 28) % 256).reshape(28, 28)           # every 8-bit value
u8[1] = 0
u8[2] = 255
x = torch.from_numpy(u8.astype(np.float32) / 255.0)           # numpy float32 / 255.0
x = F.pad(x, (2, 2, 2, 2), value=0.0)
x = (x - 0.2860) / 0.3530
assert x.dtype == torch.float32
tensors["fashion.u8"] = u8
tensors["fashion.out"] = x.numpy()

# ---- Pillow's resize, every filter (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)
FILTERS = [0, 1, 2, 3, 4, 5]
cases = {
    "rgb_97x61": [(40, 30), (97, 25), (50, 61), (120, 20), (11, 130), (7, 5), (1, 1)],
    "gray_13x9": [(40, 31), (13, 30), (5, 9), (64, 3)],
    "wide_300x7": [(31, 5), (300, 3), (64, 16)],
}
for name, sizes in cases.items():
    img = Image.open(IMAGES + name + ".png")
    img = img.convert("L" if img.mode in ("L", "I", "I;16") else "RGB")
    for f in FILTERS:
        for (w, h) in sizes:
            tensors[f"resize/{name}/{f}/{w}x{h}"] = np.array(img.resize((w, h), resample=f))
src = rs.randint(0, 256, size=(17, 23)).astype(np.uint8)
tensors["random.src"] = src
for f in FILTERS:
    for _ in range(12):
        w, h = (int(v) for v in rs.randint(1, 61, size=2))
        tensors[f"random/{f}/{w}x{h}"] = np.array(Image.fromarray(src, "L").resize((w, h), resample=f))

# ---- convert('L')
for name in ["rgb_97x61", "gray_13x9", "rgba_40x50", "palette_30x30", "wide_300x7"]:
    tensors[f"L/{name}"] = np.array(Image.open(IMAGES + name + ".png").convert("L"))

# ---- whole pipelines, as Preprocessor documents them
def resize(img, size, resample):
    if "shortest_edge" in size:
        w, h = img.size
        s = size["shortest_edge"]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = s, int(s * long / short)
        new = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new = (size["width"], size["height"])
    return img.resize(new, resample=resample)

def center_crop(a, ch, cw):                                    # torchvision CenterCrop on HW(C) uint8
    h, w = a.shape[:2]
    if ch > h or cw > w:
        pads = [((ch - h) // 2 if ch > h else 0, (ch - h + 1) // 2 if ch > h else 0),
                ((cw - w) // 2 if cw > w else 0, (cw - w + 1) // 2 if cw > w else 0)] + [(0, 0)] * (a.ndim - 2)
        a = np.pad(a, pads)
        h, w = a.shape[:2]
    top, left = int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0))
    return a[top:top + ch, left:left + cw]

def pad(a, ph, pw):                                            # centred zero padding
    h, w = a.shape[:2]
    return np.pad(a, [((ph - h) // 2, ph - h - (ph - h) // 2), ((pw - w) // 2, pw - w - (pw - w) // 2)]
                  + [(0, 0)] * (a.ndim - 2))

def pipeline(image, mode, resize_to=None, resample=2, crop=None, pad_to=None, rescale=1 / 255, mean=None, std=None):
    img = Image.open(IMAGES + image + ".png").convert(mode)
    if resize_to is not None:
        img = resize(img, resize_to, resample)
    a = np.array(img, dtype=np.uint8)
    if crop is not None:
        a = center_crop(a, *crop)
    if pad_to is not None:
        a = pad(a, *pad_to)
    a = a.astype(np.float32)
    if rescale is not None:
        a = a / np.float32(255) if abs(rescale - 1 / 255) < 1e-12 else a * np.float32(rescale)
    if mean is not None:
        a = (a - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return np.ascontiguousarray(a.transpose(2, 0, 1) if a.ndim == 3 else a[None]).astype(np.float32)

tensors["pipeline/shortest_crop_rgb"] = pipeline("rgb_97x61", "RGB", {"shortest_edge": 40}, 3, (32, 32),
                                                 mean=[0.5, 0.4, 0.3], std=[0.2, 0.25, 0.3])
tensors["pipeline/exact_lanczos_grey"] = pipeline("rgb_97x61", "L", {"height": 32, "width": 32}, 1,
                                                  mean=[0.45], std=[0.27])
tensors["pipeline/crop_pads_palette"] = pipeline("palette_30x30", "RGB", crop=(32, 34), pad_to=(36, 36),
                                                 rescale=None, mean=[100, 110, 120], std=[50, 60, 70])
tensors["pipeline/resize_crop_pad_rgba"] = pipeline("rgba_40x50", "RGB", {"height": 30, "width": 25}, 5, (28, 28),
                                                    (32, 32), rescale=0.5)
tensors["pipeline/nearest_grey_wide"] = pipeline("wide_300x7", "L", {"shortest_edge": 12}, 0, (16, 12), (16, 16),
                                                 mean=[0.5], std=[0.5])

# ---- write
DT = {np.dtype(np.uint8): "U8", np.dtype(np.float32): "F32"}
header, off, blobs = {"__metadata__": {"made_by": "make_golden.py"}}, 0, []
for k, v in tensors.items():
    v = np.ascontiguousarray(v)
    b = v.astype(v.dtype.newbyteorder("<")).tobytes()
    header[k] = {"dtype": DT[v.dtype], "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    off += len(b)
    blobs.append(b)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(HERE + "golden.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
print(len(tensors), "tensors,", off, "bytes")
