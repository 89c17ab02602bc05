# Small torch.save fixtures for TorchCheckpointTest, made once with Debian's PyTorch (python3-torch 1.13)
# and committed with the values they must read as. Run from the repository root:
#   /usr/bin/python3 model/src/test/resources/dev/binaryvit/model/checkpoints/make_checkpoints.py
import argparse, collections, io, json, struct
import torch

OUT = "model/src/test/resources/dev/binaryvit/model/checkpoints/"
torch.manual_seed(1234)
expected = {}   # "<fixture>/<key>" -> the tensor the Java reader must return (made contiguous)

def expect(fixture, state):
    for k, v in state.items():
        expected[fixture + "/" + k] = v.detach().contiguous()

# 1. A bare state dict of every dtype the reader widens, special values included, and a 0-d scalar.
sd = collections.OrderedDict()
sd["f32"] = torch.tensor([[1.5, -2.0, 0.1], [float("inf"), -0.0, 1e-40]])   # 1e-40: a float32 subnormal
sd["f16"] = torch.tensor([1.0, -2.0, 65504.0, 6e-8, float("-inf"), 0.1], dtype=torch.float16)
sd["bf16"] = torch.tensor([1.0, 3.14159, -1e30, 1e-39], dtype=torch.bfloat16)
sd["f64"] = torch.tensor([3.141592653589793, -1e-300, 1e300], dtype=torch.float64)
sd["i64"] = torch.tensor([7, -3, 2**40 + 1], dtype=torch.int64)
sd["i32"] = torch.tensor([-(2**31), 2**31 - 1], dtype=torch.int32)
sd["i16"] = torch.tensor([-32768, 5], dtype=torch.int16)
sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
sd["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
sd["bool"] = torch.tensor([True, False, True])
sd["scalar"] = torch.tensor(2.5)
sd["empty"] = torch.zeros(0, 3)
torch.save(sd, OUT + "state_dict.pth")
expect("state_dict", sd)

# 2. Views: a transpose, a slice with a storage offset, a row, an expanded (stride 0) tensor, all
#    sharing storages with the tensors they view.
w = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8
base = torch.arange(3, dtype=torch.float32)
views = {"w": w, "t": w.t(), "slice": w[1:, 1:3], "row": w[2], "base": base, "expanded": base.expand(2, 3)}
torch.save(views, OUT + "views.pth")
expect("views", views)

# 3. A training checkpoint as the BinaryViT (DeiT) main.py writes it, with a real AdamW and LambdaLR state.
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.05)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.5 ** epoch)
model.train()
model(torch.randn(5, 4)).pow(2).sum().backward()
optimizer.step()
scheduler.step()
args = argparse.Namespace(model="binaryvit_small", batch_size=128, epochs=300, lr=5e-4, weight_decay=0.05,
                          replace_ln_bn=True, avg_res3=True, avg_res5=False, weight_bits=1, input_bits=1,
                          drop_path=0.1, smoothing=0.1, input_size=224, teacher_model=None, seed=-7,
                          big=2**40, mean=[0.485, 0.456, 0.406], betas=(0.9, 0.999), output_dir="out/run1")
checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
              "lr_scheduler": scheduler.state_dict(), "epoch": 7, "scaler": {}, "args": args}
torch.save(checkpoint, OUT + "training.pth")
expect("training", checkpoint["model"])

# 4. DataParallel keys under "state_dict", pickled with protocol 4 (STACK_GLOBAL, MEMOIZE, FRAME),
#    with an nn.Parameter (torch._utils._rebuild_parameter).
dp = collections.OrderedDict()
dp["module.weight"] = torch.nn.Parameter(torch.randn(2, 3))
dp["module.bias"] = torch.randn(2).half()
torch.save({"state_dict": dp, "epoch": 3}, OUT + "module_prefix.pth", pickle_protocol=4)
expect("module_prefix", {k[len("module."):]: v for k, v in dp.items()})

# 5. A Hugging Face pytorch_model.bin: a bare state dict saved to a stream, so its folder is "archive/".
hf = collections.OrderedDict(("encoder.layer.%d.weight" % i, torch.randn(2, 2)) for i in range(3))
buf = io.BytesIO()
torch.save(hf, buf)
open(OUT + "pytorch_model.bin", "wb").write(buf.getvalue())
expect("pytorch_model", hf)

# 6. The legacy (pre-1.6) format, which the reader refuses with advice.
torch.save(sd, OUT + "legacy.pth", _use_new_zipfile_serialization=False)

# Expected tensors as safetensors (read back by the Java Safetensors reader) and the expected args.
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}
header, off, blobs = {}, 0, []
for k, v in expected.items():
    b = (v.view(torch.int16) if v.dtype == torch.bfloat16 else v).numpy().tobytes()
    header[k] = {"dtype": DTYPES[v.dtype], "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    off += len(b); blobs.append(b)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(OUT + "expected.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
json.dump({"args": vars(args), "epoch": checkpoint["epoch"]}, open(OUT + "expected_args.json", "w"), indent=1)
print(len(expected), "expected tensors")
