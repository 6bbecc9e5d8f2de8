#!/usr/bin/env python3
"""Replays augmentation steps with explicit parameters through torchvision + PIL.

Used by test/augment/parity.test.ts to check that the TypeScript ops give the same bytes
as the reference. Reads one JSON object from stdin:
  {"programs": [{"h": H, "w": W, "c": C, "pixels": base64 uint8 HWC,
                 "steps": [{"op": "crop", "top", "left", "height", "width", "size", "filter"},
                           {"op": "brightness" | "contrast" | "saturation" | "hue", "factor"},
                           {"op": "grayscale"}, {"op": "blur", "sigma"},
                           {"op": "solarize", "threshold"}, {"op": "equalize"},
                           {"op": "flip"}, {"op": "normalize", "mean", "std"}]}]}
Writes {"outputs": [{"kind": "uint8" | "float32", "data": base64 HWC}]}.
"""
import base64, json, sys

import numpy as np
from PIL import Image, ImageFilter, ImageOps
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

FILTERS = {"bicubic": InterpolationMode.BICUBIC, "bilinear": InterpolationMode.BILINEAR,
           "nearest": InterpolationMode.NEAREST}


def run(program):
    h, w, c = program["h"], program["w"], program["c"]
    arr = np.frombuffer(base64.b64decode(program["pixels"]), dtype=np.uint8).reshape(h, w, c)
    img = Image.fromarray(arr[:, :, 0], "L") if c == 1 else Image.fromarray(arr, "RGB")
    for st in program["steps"]:
        op = st["op"]
        if op == "crop":
            img = F.resized_crop(img, st["top"], st["left"], st["height"], st["width"],
                                 [st["size"], st["size"]], FILTERS[st["filter"]])
        elif op == "brightness":
            img = F.adjust_brightness(img, st["factor"])
        elif op == "contrast":
            img = F.adjust_contrast(img, st["factor"])
        elif op == "saturation":
            img = F.adjust_saturation(img, st["factor"])
        elif op == "hue":
            img = F.adjust_hue(img, st["factor"])
        elif op == "grayscale":
            img = F.rgb_to_grayscale(img, num_output_channels=len(img.getbands()))
        elif op == "blur":
            img = img.filter(ImageFilter.GaussianBlur(radius=st["sigma"]))
        elif op == "solarize":
            img = ImageOps.solarize(img, st["threshold"])
        elif op == "equalize":
            img = ImageOps.equalize(img)
        elif op == "flip":
            img = F.hflip(img)
        elif op == "normalize":
            t = F.normalize(F.to_tensor(img), st["mean"], st["std"])
            data = t.permute(1, 2, 0).contiguous().numpy().astype(np.float32).tobytes()
            return {"kind": "float32", "data": base64.b64encode(data).decode()}
        else:
            raise ValueError(op)
    out = np.asarray(img, dtype=np.uint8)
    return {"kind": "uint8", "data": base64.b64encode(out.tobytes()).decode()}


job = json.load(sys.stdin)
json.dump({"outputs": [run(p) for p in job["programs"]]}, sys.stdout)
