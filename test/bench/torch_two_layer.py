"""The textbook's TwoLayerNet (784-H-10, ReLU, softmax cross-entropy, SGD lr 0.1, batches
drawn with replacement) in PyTorch, float32, as the bench's peer. Reads the MNIST IDX files
and prints one JSON line: ms_per_iter (the training loop only) and test_acc."""
import argparse
import json
import os
import time

import numpy as np
import torch


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--iters", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--hidden", type=int, default=50)
    ap.add_argument("--lr", type=float, default=0.1)
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    x = torch.from_numpy(read_idx(os.path.join(a.data, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255)
    t = torch.from_numpy(read_idx(os.path.join(a.data, "train-labels-idx1-ubyte")).astype(np.int64))
    xt = torch.from_numpy(read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255)
    tt = torch.from_numpy(read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    g = torch.Generator().manual_seed(1)
    W1 = (0.01 * torch.randn(784, a.hidden, generator=g)).requires_grad_()
    b1 = torch.zeros(a.hidden, requires_grad=True)
    W2 = (0.01 * torch.randn(a.hidden, 10, generator=g)).requires_grad_()
    b2 = torch.zeros(10, requires_grad=True)
    params = [W1, b1, W2, b2]
    start = time.perf_counter()
    for _ in range(a.iters):
        i = torch.randint(0, x.shape[0], (a.batch,), generator=g)
        score = torch.relu(x[i] @ W1 + b1) @ W2 + b2
        loss = torch.nn.functional.cross_entropy(score, t[i])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= a.lr * p.grad
    ms = (time.perf_counter() - start) * 1000 / a.iters
    with torch.no_grad():
        acc = (torch.argmax(torch.relu(xt @ W1 + b1) @ W2 + b2, 1) == tt).float().mean().item()
    print(json.dumps({"ms_per_iter": ms, "test_acc": acc, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
