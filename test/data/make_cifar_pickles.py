# Writes the small CIFAR "python version" fixtures in test/data/fixtures/ that
# test/data/cifar-pickle.test.ts reads, and checks each with Python's own pickle module:
#   cifar-10-batches-py/  as the original archive's files are: Python 2 cPickle, protocol 2
#                         (str keys and pixels as BINSTRING), emitted opcode by opcode here
#                         because Python 3 cannot write Python 2 strings; pickle.load(...,
#                         encoding="bytes") must read them back as torchvision does.
#   cifar-100-python/     written by Python 3's pickle.dump at protocol 2 (numpy's bytes
#                         go through _codecs.encode), as a re-pickled copy would be.
#   proto4.pkl, proto5.pkl  the same dict at protocols 4 and 5.
# Pixel g (image), p (byte): (g * 31 + p) % 256; label (g * 3 + 1) % classes. Run with
# /usr/bin/python3 (numpy); the files are committed, so the tests need no Python.
import io
import os
import pickle
import struct
import sys

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def images(first, n):
    g = np.arange(first, first + n, dtype=np.int64)[:, None]
    p = np.arange(3072, dtype=np.int64)[None, :]
    return ((g * 31 + p) % 256).astype(np.uint8)


def labels(first, n, classes):
    return [int((g * 3 + 1) % classes) for g in range(first, first + n)]


class Py2Writer:
    """Protocol-2 opcodes as Python 2's cPickle writes a dict of str, lists and an array."""

    def __init__(self):
        self.out = io.BytesIO()
        self.memo = 0

    def w(self, b):
        self.out.write(b)

    def put(self):
        self.memo += 1
        self.w(b"q" + bytes([self.memo]) if self.memo < 256 else b"r" + struct.pack("<I", self.memo))

    def string(self, s):
        if len(s) < 256:
            self.w(b"U" + bytes([len(s)]) + s)
        else:
            self.w(b"T" + struct.pack("<i", len(s)) + s)
        self.put()

    def int(self, v):
        if 0 <= v < 256:
            self.w(b"K" + bytes([v]))
        elif 0 <= v < 65536:
            self.w(b"M" + struct.pack("<H", v))
        else:
            self.w(b"J" + struct.pack("<i", v))

    def array(self, a):
        self.w(b"cnumpy.core.multiarray\n_reconstruct\n")
        self.put()
        self.w(b"cnumpy\nndarray\n")
        self.put()
        self.int(0)
        self.w(b"\x85")
        self.string(b"b")
        self.w(b"\x87R")
        self.put()
        self.w(b"(")
        self.int(1)
        self.int(a.shape[0])
        self.int(a.shape[1])
        self.w(b"\x86")
        self.put()
        self.w(b"cnumpy\ndtype\n")
        self.put()
        self.string(b"u1")
        self.int(0)
        self.int(1)
        self.w(b"\x87R")
        self.put()
        self.w(b"(")
        self.int(3)
        self.string(b"|")
        self.w(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff")
        self.int(0)
        self.w(b"tb\x89")
        self.string(a.tobytes())
        self.w(b"tb")

    def batch(self, data, labs, label_key, batch_label, filenames):
        self.w(b"\x80\x02}")
        self.put()
        self.w(b"(")
        self.string(b"data")
        self.array(data)
        self.string(label_key)
        self.w(b"]")
        self.put()
        for at in range(0, len(labs), 1000):  # cPickle's BATCHSIZE
            self.w(b"(")
            for v in labs[at : at + 1000]:
                self.int(v)
            self.w(b"e")
        self.string(b"batch_label")
        self.string(batch_label)
        self.string(b"filenames")
        self.w(b"]")
        self.put()
        self.w(b"(")
        for f in filenames:
            self.string(f)
        self.w(b"e")
        self.w(b"u.")
        return self.out.getvalue()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def check(path, data, labs, label_key, encoding):
    with open(path, "rb") as f:
        d = pickle.load(f, encoding=encoding)
    key = (lambda k: k.encode()) if encoding == "bytes" else (lambda k: k)
    assert np.array_equal(d[key("data")], data), path
    assert d[key(label_key)] == labs, path


def main():
    counts = {"data_batch_1": 30, "data_batch_2": 2, "data_batch_3": 2, "data_batch_4": 3, "data_batch_5": 2, "test_batch": 4}
    first = 0
    for name, n in counts.items():
        if name == "test_batch":
            first = 1000  # the test split's own images
        data, labs = images(first, n), labels(first, n, 10)
        names = [b"img_%d.png" % (first + i) for i in range(n)]
        path = os.path.join(HERE, "cifar-10-batches-py", name)
        write(path, Py2Writer().batch(data, labs, b"labels", b"batch " + name.encode(), names))
        check(path, data, labs, "labels", "bytes")
        first += n
    for name, first, n in [("train", 0, 5), ("test", 1000, 2)]:
        data, fine = images(first, n), labels(first, n, 100)
        d = {"filenames": ["f%d" % i for i in range(n)], "batch_label": name, "fine_labels": fine, "coarse_labels": [v // 5 for v in fine], "data": data}
        path = os.path.join(HERE, "cifar-100-python", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            pickle.dump(d, f, protocol=2)
        check(path, data, fine, "fine_labels", "latin1")
    for proto in (4, 5):
        data, labs = images(0, 3), labels(0, 3, 10)
        path = os.path.join(HERE, "proto%d.pkl" % proto)
        with open(path, "wb") as f:
            pickle.dump({"data": data, "labels": labs, "note": "ünïcode"}, f, protocol=proto)
        check(path, data, labs, "labels", "latin1")
    print("wrote and checked the fixtures in", HERE, "with numpy", np.__version__, "python", sys.version.split()[0])


main()
