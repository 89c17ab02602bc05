# Golden preprocessing outputs made with Pillow (Debian python3-pil 9.4) and numpy, following
# torchvision's Resize(int(256/224*size), interpolation=BICUBIC), CenterCrop(size), ToTensor(),
# Normalize(IMAGENET mean, std) on a PIL image opened with .convert('RGB').
import json, struct
import numpy as np
from PIL import Image

OUT = "model/src/test/resources/dev/binaryvit/model/images/"   # run from the repository root
SAMPLE = "model/src/main/resources/dev/binaryvit/model/sample.png"
rs = np.random.RandomState(1234)

def smooth_noise(h, w, c):
    y, x = np.mgrid[0:h, 0:w]
    base = 128 + 90 * np.sin(x[..., None] / 5.0 + np.arange(c)) * np.cos(y[..., None] / 7.0 - np.arange(c))
    return (base + rs.randint(-30, 31, size=(h, w, c))).clip(0, 255).astype(np.uint8)

Image.fromarray(smooth_noise(61, 97, 3), "RGB").save(OUT + "rgb_97x61.png")
Image.fromarray(smooth_noise(9, 13, 1)[..., 0], "L").save(OUT + "gray_13x9.png")
rgba = smooth_noise(50, 40, 4)
Image.fromarray(rgba, "RGBA").save(OUT + "rgba_40x50.png")
Image.fromarray(smooth_noise(30, 30, 3), "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT).save(OUT + "palette_30x30.png")
# a wide one: short side 7, long side 300
Image.fromarray(smooth_noise(7, 300, 3), "RGB").save(OUT + "wide_300x7.png")

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

def preprocess(path, size):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    target = int((256 / 224) * size)
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = target, int(target * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    img = img.resize((new_w, new_h), Image.BICUBIC)
    top = int(round((new_h - size) / 2.0))
    left = int(round((new_w - size) / 2.0))
    img = img.crop((left, top, left + size, top + size))
    a = np.array(img, dtype=np.uint8).astype(np.float32) / np.float32(255)
    a = (a - MEAN) / STD
    return np.ascontiguousarray(a.transpose(2, 0, 1)).astype(np.float32)

tensors = {}
for name in ["rgb_97x61", "gray_13x9", "rgba_40x50", "palette_30x30", "wide_300x7"]:
    for size in (32, 33):
        tensors[f"{name}@{size}"] = preprocess(OUT + name + ".png", size)
rows = [0, 1, 57, 111, 112, 200, 223]
tensors["sample@224.rows"] = preprocess(SAMPLE, 224)[:, rows, :]
tensors["gray_13x9@224.rows"] = preprocess(OUT + "gray_13x9.png", 224)[:, rows, :]

header, off, blobs = {"__metadata__": {"rows": ",".join(map(str, rows))}}, 0, []
for k, v in tensors.items():
    b = v.astype("<f4").tobytes()
    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    off += len(b); blobs.append(b)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(OUT + "golden.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
print({k: v.shape for k, v in tensors.items()})
