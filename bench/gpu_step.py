# PyTorch SimCLR training throughput on a CUDA GPU (ResNet-18, CIFAR stem, solo-learn's
# projector 512->2048->256, 2 views of 32x32, batch 256 and 512 per view) in three
# precisions: fp32 (TF32 off everywhere: the arithmetic WGSL shaders do), tf32 (PyTorch's
# default flags: cuDNN convolutions in TF32 on tensor cores, matmuls in fp32; what a
# solo-learn user gets with 32-bit precision) and bf16 (autocast):
# how many augmented views per second a GPU consumes, to size adainf's augmentation
# threads (docs/augmentation.md), and the PyTorch side of bench/gpu-check.sh. Needs PyTorch
# with CUDA:  python3 bench/gpu_step.py [--batches 256,512] [--precisions fp32,tf32,bf16]
# [--warmup 15] [--steps 40] [--device cuda|cpu] [--threads N]  (cpu: tiny sizes, or the CPU
# figure of gpu-check.sh, with as many threads as adainf's wasm backend gets)
import argparse, json, time, torch, torch.nn as nn, torch.nn.functional as F, torchvision

def model():
    net = torchvision.models.resnet18()
    net.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    net.maxpool = nn.Identity()
    net.fc = nn.Identity()
    proj = nn.Sequential(nn.Linear(512, 2048), nn.ReLU(), nn.Linear(2048, 256))
    return nn.Sequential(net, proj)

def loss_fn(z, t=0.2):
    z = F.normalize(z, dim=1)
    n = z.shape[0] // 2
    sim = z @ z.t() / t
    sim = sim - torch.eye(2 * n, device=z.device) * 1e9
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(sim, target)

ap = argparse.ArgumentParser()
ap.add_argument("--batches", default="256,512", help="images per view, comma-separated")
ap.add_argument("--precisions", default="fp32,tf32,bf16")
ap.add_argument("--warmup", type=int, default=15)
ap.add_argument("--steps", type=int, default=40)
ap.add_argument("--device", default="cuda")
ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
args = ap.parse_args()
if args.threads > 0:
    torch.set_num_threads(args.threads)
dev = args.device
cuda = dev.startswith("cuda")
sync = torch.cuda.synchronize if cuda else (lambda: None)
gpu = torch.cuda.get_device_name() if cuda else f"cpu ({torch.get_num_threads()} threads)"
torch.backends.cudnn.benchmark = True
# What each precision sets: (cuDNN may use TF32, matmuls may use TF32, bf16 autocast).
# tf32 and bf16 keep PyTorch's defaults (set explicitly, so a release that changes them
# does not change what is measured); the flags are printed with each row.
PRECISIONS = {"fp32": (False, False, False), "tf32": (True, False, False), "bf16": (True, False, True)}
for precision in args.precisions.split(","):
    if precision not in PRECISIONS:
        ap.error(f"--precisions: {precision!r} is not one of {', '.join(PRECISIONS)}")
for precision in args.precisions.split(","):
    cudnn_tf32, matmul_tf32, bf16 = PRECISIONS[precision]
    torch.backends.cudnn.allow_tf32 = cudnn_tf32
    torch.backends.cuda.matmul.allow_tf32 = matmul_tf32
    for batch in [int(b) for b in args.batches.split(",")]:
        m = model().to(dev).to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        x = torch.randn(2 * batch, 3, 32, 32, device=dev).to(memory_format=torch.channels_last)
        def step():
            with torch.autocast("cuda" if cuda else "cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(m(x))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        for _ in range(args.warmup):
            step()
        sync()
        t0 = time.perf_counter()
        n = args.steps
        for _ in range(n):
            step()
        sync()
        dt = (time.perf_counter() - t0) / n
        print(json.dumps({"bench": "gpu_step", "gpu": gpu, "torch": torch.__version__, "precision": precision,
                          "cudnn_allow_tf32": cudnn_tf32, "matmul_allow_tf32": matmul_tf32, "batch_per_view": batch,
                          "ms_per_step": round(dt * 1000, 2), "images_per_s": round(batch / dt), "views_per_s": round(2 * batch / dt),
                          "max_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None}), flush=True)
        del m, opt, x
        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
