#!/usr/bin/python3
"""Independent numpy reference for SpRAy's spectral clustering (BatchXai.Core.Audit.Spray).

    /usr/bin/python3 spray_reference.py POINTS.npy NEIGHBOURS MAX_CLUSTERS

POINTS.npy: float32 (n, d). Prints JSON: the normalised Laplacian's smallest eigenvalues (numpy.linalg.eigh),
k chosen by the largest gap among the first MAX_CLUSTERS+1 eigenvalues, and a partition of the points from
k-means on the row-normalised spectral embedding (farthest-first initialisation, plain Lloyd), written with
clusters renumbered by decreasing size (ties: smallest member index first). No sklearn: every step is here.
"""
import json
import sys

import numpy as np


def knn_affinity(x, k):
    n = x.shape[0]
    d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    w = np.zeros((n, n))
    for i in range(n):
        others = [j for j in range(n) if j != i]
        others.sort(key=lambda j: (d2[i, j], j))
        for j in others[:k]:
            w[i, j] = w[j, i] = 1.0
    return w


def kmeans(e, k):
    centres = [e[0]]
    while len(centres) < k:
        d = np.min([((e - c) ** 2).sum(1) for c in centres], axis=0)
        centres.append(e[int(np.argmax(d))])
    centres = np.array(centres)
    labels = None
    for _ in range(300):
        new = np.argmin(((e[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        if labels is not None and (new == labels).all():
            break
        labels = new
        centres = np.array([e[labels == c].mean(0) if (labels == c).any() else centres[c] for c in range(k)])
    return labels


def by_size(labels):
    groups = sorted(set(labels.tolist()), key=lambda g: (-(labels == g).sum(), int(np.flatnonzero(labels == g)[0])))
    rank = {g: r for r, g in enumerate(groups)}
    return [rank[int(l)] for l in labels]


x = np.load(sys.argv[1]).astype(np.float64)
neighbours, max_clusters = int(sys.argv[2]), int(sys.argv[3])
n = x.shape[0]
w = knn_affinity(x, min(neighbours, n - 1))
r = 1.0 / np.sqrt(w.sum(1))
lap = np.eye(n) - r[:, None] * w * r[None, :]
values, vectors = np.linalg.eigh(lap)
kmax = min(max_clusters, n - 1)
gaps = np.diff(values[: kmax + 1])
k = int(np.argmax(gaps)) + 1
emb = vectors[:, :k]
emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
labels = np.zeros(n, dtype=int) if k == 1 else kmeans(emb, k)
print(json.dumps({"eigenvalues": values[: kmax + 1].tolist(), "k": k, "eigengap": float(gaps[k - 1]), "labels": by_size(np.asarray(labels))}))
