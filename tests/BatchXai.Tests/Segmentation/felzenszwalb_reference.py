"""Reference segmentations for FelzenszwalbReferenceTests: scikit-image's felzenszwalb on an image
the test wrote (H x W x C float32 .npy, used as float64), one line of labels per scale.
Usage: felzenszwalb_reference.py IMAGE.npy OUT.txt SIGMA MIN_SIZE SCALE [SCALE ...]"""
import sys

import numpy as np
from skimage.segmentation import felzenszwalb

image = np.load(sys.argv[1]).astype(np.float64)
sigma, min_size = float(sys.argv[3]), int(sys.argv[4])
with open(sys.argv[2], "w") as out:
    for scale in sys.argv[5:]:
        labels = felzenszwalb(image, scale=float(scale), sigma=sigma, min_size=min_size)
        out.write(" ".join(str(v) for v in labels.ravel()) + "\n")
