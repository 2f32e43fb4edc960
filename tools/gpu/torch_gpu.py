#!/usr/bin/env python3
"""PyTorch side of the GPU check (tools/gpu/check.sh): the reference model of tools/reference on a CUDA device, in
the engine's mixed precision (bf16 weights and activations, float32 RMSNorm, logits and LoRA), with fused
scaled-dot-product attention, as the engine runs on a GPU.

  python3 torch_gpu.py fixtures <dir>                  parity fixtures (tools/reference/engine_parity.py's cases)
  python3 torch_gpu.py compare <dir> <engine.json>     engine outputs vs this reference in bf16, and the bf16
                                                       reference's own distance to float32 (the tolerance's basis)
  python3 torch_gpu.py bench <shape> <dir> '<json>'    random Qwen3-shaped model saved to <dir>, eager PyTorch timed
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import engine_parity as ep  # noqa: E402
from crucible_torch_model import ATTN, MLP, Model, read_safetensors, rms_norm, rotate_half  # noqa: E402

DEV = os.environ.get("TORCH_GPU_DEVICE", "cuda")  # "cpu" only to dry-run this script where there is no GPU


def sdpa(q, k, v, mask, causal, scale, gqa):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal, scale=scale, enable_gqa=gqa)
    rep = q.shape[1] // k.shape[1]  # libtorch < 2.0 (the dry run): plain attention, K/V repeated per query head
    k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
    s = (q @ k.transpose(-2, -1)) * scale
    if causal:
        mask = ~torch.ones(q.shape[2], k.shape[2], dtype=torch.bool, device=q.device).triu(1)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    return torch.softmax(s, -1) @ v


def rms_norm_mp(x, w, eps):
    """float32 statistics whatever the activations' dtype (transformers' Qwen3RMSNorm), back to it before the weight."""
    if x.dtype == torch.float32:
        return rms_norm(x, w, eps)
    xf = x.float()
    return w * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


class GpuModel(Model):
    """Model on a CUDA device in `dtype`; LoRA tensors stay float32 leaves (cast for the matmuls)."""

    def __init__(self, config, weights, dtype=torch.bfloat16):
        super().__init__(config, {k: v.to(DEV, dtype) for k, v in weights.items()})
        self.dtype = dtype

    def lin(self, x, key, weight):
        l = self.lora.get(key)
        if l is None:
            return F.linear(x, weight)
        x2 = x.reshape(-1, x.shape[-1])
        A, B = l["A"].to(x.device, x.dtype), l["B"].to(x.device, x.dtype)
        y = torch.addmm(x2 @ weight.t(), x2 @ A.t(), B.t(), beta=1, alpha=self.scaling)
        return y.view(*x.shape[:-1], weight.shape[0])

    def hidden(self, tokens, offset=0, cache=None):
        B, T = tokens.shape
        pos = torch.arange(offset, offset + T, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos().to(DEV, self.dtype), emb.sin().to(DEV, self.dtype)
        h = self.w["model.embed_tokens.weight"][tokens.reshape(-1)].view(B, T, self.H)
        S = offset + T
        for l in range(self.L):
            p = f"model.layers.{l}."
            W = lambda n: self.w[p + n + ".weight"]  # noqa: E731
            x = rms_norm_mp(h, W("input_layernorm"), self.eps)
            q = self.lin(x, p + ATTN[0], W(ATTN[0])).view(B, T, self.nh, self.hd)
            k = self.lin(x, p + ATTN[1], W(ATTN[1])).view(B, T, self.nkv, self.hd)
            v = self.lin(x, p + ATTN[2], W(ATTN[2])).view(B, T, self.nkv, self.hd).transpose(1, 2)
            if self.arch == "qwen3":
                q = rms_norm_mp(q, W("self_attn.q_norm"), self.eps)
                k = rms_norm_mp(k, W("self_attn.k_norm"), self.eps)
            q, k = q.transpose(1, 2), k.transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache is not None:
                cache[l][0][:, :, offset:S] = k
                cache[l][1][:, :, offset:S] = v
                k, v = cache[l][0][:, :, :S], cache[l][1][:, :, :S]
            mask = None
            if T > 1 and offset > 0:
                mask = ~torch.ones(T, S, dtype=torch.bool, device=DEV).triu(offset + 1)
            attn = sdpa(q, k, v, mask, T > 1 and offset == 0, 1.0 / math.sqrt(self.hd), self.nh != self.nkv)
            attn = attn.transpose(1, 2).reshape(B, T, self.nh * self.hd)
            h = h + self.lin(attn, p + ATTN[3], W(ATTN[3]))
            x = rms_norm_mp(h, W("post_attention_layernorm"), self.eps)
            g = F.silu(self.lin(x, p + MLP[0], W(MLP[0]))) * self.lin(x, p + MLP[1], W(MLP[1]))
            h = h + self.lin(g, p + MLP[2], W(MLP[2]))
        return rms_norm_mp(h, self.w["model.norm.weight"], self.eps)

    def target_logprobs(self, tokens, targets):
        h = self.hidden(torch.tensor(tokens, device=DEV).view(1, -1))[0]
        lg = self.logits(h).float()
        t = torch.tensor(targets, device=DEV)
        return (lg.gather(1, t) - lg.logsumexp(-1, keepdim=True)).cpu()  # differentiable back to the LoRA leaves


# A Qwen3-shaped model big enough for bf16 to matter (GQA 8/4, head_dim 64), beside the two tiny fixture models.
QWEN3_512 = dict(ep.CONFIGS["qwen3"], hidden_size=512, intermediate_size=1536, num_hidden_layers=4,
                 num_attention_heads=8, num_key_value_heads=4, head_dim=64, vocab_size=2048)
ARCHS = [("llama", 1234, 96), ("qwen3", 5678, 96), ("qwen3_512", 91011, 2048)]


def fixtures(out):
    ep.CONFIGS["qwen3_512"] = QWEN3_512
    ep.Model = lambda cfg, w: GpuModel(cfg, w, torch.bfloat16)
    for arch, seed, vocab in ARCHS:
        ep.VOCAB = vocab
        ep.build(arch, out, seed)
    with open(os.path.join(out, "archs.txt"), "w") as f:
        f.write("\n".join(a for a, _, _ in ARCHS) + "\n")


def load(d, dtype):
    cfg = json.load(open(os.path.join(d, "model", "config.json")))
    m = GpuModel(cfg, read_safetensors(os.path.join(d, "model", "model.safetensors")), dtype)
    lora = {k.replace("base_model.model.", ""): v
            for k, v in read_safetensors(os.path.join(d, "adapter", "adapter_model.safetensors")).items()}
    return m, lora


def reference(d, dtype):
    """Per case: logprobs, elementwise loss, loss sum, LoRA grads; AdamW params after cross_entropy; on the
    fixture's own inputs (its sampler logprobs included), in `dtype`."""
    fx = json.load(open(os.path.join(d, "cases.json")))
    model, lora0 = load(d, dtype)
    out = {}
    for c in fx["cases"]:
        name = c["name"]
        lora = {k: v.clone().requires_grad_(True) for k, v in lora0.items()}
        model.set_lora(lora, fx["rank"])
        batch = [fx["topk_datum"]] if name == "cross_entropy_topk" else fx["datums"]
        fn = name if name == "ppo_per_token" else c["loss_fn"]
        lps, elems, total = [], [], 0.0
        for dd in batch:
            lp = model.target_logprobs(dd["tokens"], dd["targets"])
            e = ep.loss_fn(fn, lp, dd, c["loss_fn_config"])
            total = total + e.sum()
            lps.append(lp.detach().reshape(-1))
            elems.append(e.detach().reshape(-1))
        total.backward()
        r = {"logprobs": lps, "elementwise_loss": elems, "loss_sum": float(total),
             "grads": {k: v.grad.clone() for k, v in lora.items()}}
        if name == "cross_entropy":
            a = fx["adam"]
            params = list(lora.values())
            r["grad_norm"] = float(torch.nn.utils.clip_grad_norm_(params, a["grad_clip_norm"]))
            torch.optim.AdamW(params, lr=a["learning_rate"], betas=(a["beta1"], a["beta2"]), eps=a["eps"],
                              weight_decay=a["weight_decay"]).step()
            r["params"] = {k: v.detach().clone() for k, v in lora.items()}
        out[name] = r
    return model, lora0, fx, out


def sample_reference(model, lora0, rank, s):
    """Logprobs (of softmax(logits/τ)) of the engine's sampled tokens and of the prompt, teacher-forced."""
    model.set_lora(lora0, rank)
    res = []
    with torch.no_grad():
        P = len(s["prompt"])
        for seq in s["sequences"]:
            full = s["prompt"] + seq["tokens"]
            h = model.hidden(torch.tensor(full[:-1], device=DEV).view(1, -1))[0]
            lg = model.logits(h).float()
            lsm = torch.log_softmax(lg / s["temperature"], -1)
            idx = torch.tensor(seq["tokens"], device=DEV)
            res.append(lsm[P - 1:P - 1 + len(idx)].gather(1, idx.view(-1, 1)).view(-1).cpu())
        lp1 = torch.log_softmax(lg, -1)  # prompt logprobs at τ = 1 (same prefix for every row)
        prompt_lp = lp1[: P - 1].gather(1, torch.tensor(s["prompt"][1:], device=DEV).view(-1, 1)).view(-1).cpu()
    return res, prompt_lp


def scaled(a, b, scale):
    """max |a − b| relative to the largest |value| of `scale` (the float32 reference: one yardstick for all)."""
    a, b = torch.as_tensor(a, dtype=torch.float32).reshape(-1), torch.as_tensor(b, dtype=torch.float32).reshape(-1)
    return float((a - b).abs().max() / torch.as_tensor(scale, dtype=torch.float32).abs().max().clamp_min(1e-12))


def absdiff(a, b):
    a, b = torch.as_tensor(a, dtype=torch.float32).reshape(-1), torch.as_tensor(b, dtype=torch.float32).reshape(-1)
    return float((a - b).abs().max()) if a.numel() else 0.0


# The bound for each quantity: engine vs bf16 reference ≤ 2 × (bf16 reference vs float32 reference) + floor. Two bf16
# implementations of the same maths differ by where they round (cuBLAS algorithms, fused attention, accumulation
# order), i.e. by the same order as bf16 differs from float32 itself; a real defect (a wrong op, a shifted position,
# a missing norm or LoRA term) is off by orders of magnitude more. The floor keeps quantities whose bf16-vs-f32
# distance happens to be tiny (e.g. near-zero gradients) from failing on rounding noise.
FLOOR = {"logprobs (max abs)": 2e-2, "elementwise loss (scaled)": 2e-2, "loss sum (rel)": 1e-2,
         "LoRA grads (scaled)": 5e-2, "grad norm (rel)": 2e-2, "AdamW params (scaled)": 2e-2,
         "sampled-token logprobs (max abs)": 5e-2, "prompt logprobs (max abs)": 2e-2}


def compare(d, engine_file):
    eng = json.load(open(engine_file))
    archs = open(os.path.join(d, "archs.txt")).read().split()
    worst = {}

    def note(q, eng_v, r16, r32, kind):
        """Three distances: engine vs bf16 ref, bf16 ref vs f32 ref (the bf16 noise), engine vs f32 ref."""
        if kind == "abs":
            d = (absdiff(eng_v, r16), absdiff(r16, r32), absdiff(eng_v, r32))
        elif kind == "rel":
            d = tuple(abs(x - y) / abs(r32) for x, y in ((eng_v, r16), (r16, r32), (eng_v, r32)))
        else:
            d = (scaled(eng_v, r16, r32), scaled(r16, r32, r32), scaled(eng_v, r32, r32))
        w = worst.get(q, (0.0, 0.0, 0.0))
        worst[q] = tuple(max(a, b) for a, b in zip(w, d))

    ok = True
    for arch in archs:
        ad = os.path.join(d, arch)
        model16, lora0, fx, ref16 = reference(ad, torch.bfloat16)
        _, _, _, ref32 = reference(ad, torch.float32)
        for c in eng[arch]["cases"]:
            b, f = ref16[c["name"]], ref32[c["name"]]
            for i, lp in enumerate(c["logprobs"]):
                note("logprobs (max abs)", lp, b["logprobs"][i], f["logprobs"][i], "abs")
                note("elementwise loss (scaled)", c["elementwise_loss"][i], b["elementwise_loss"][i],
                     f["elementwise_loss"][i], "scaled")
            note("loss sum (rel)", c["loss_sum"], b["loss_sum"], f["loss_sum"], "rel")
            for k, g in c["grads"].items():
                note("LoRA grads (scaled)", g, b["grads"][k], f["grads"][k], "scaled")
                note(f"  grads {arch}/{c['name']}", g, b["grads"][k], f["grads"][k], "scaled")
            if "params" in c:
                note("grad norm (rel)", c["grad_norm"], b["grad_norm"], f["grad_norm"], "rel")
                for k, p in c["params"].items():
                    note("AdamW params (scaled)", p, b["params"][k], f["params"][k], "scaled")
        m32, _ = load(ad, torch.float32)
        for s in eng[arch]["samples"]:
            r16, p16 = sample_reference(model16, lora0, fx["rank"], s)
            r32, p32 = sample_reference(m32, lora0, fx["rank"], s)
            for seq, a, b in zip(s["sequences"], r16, r32):
                note("sampled-token logprobs (max abs)", seq["logprobs"], a, b, "abs")
            note("prompt logprobs (max abs)", s["prompt_logprobs"][1:], p16, p32, "abs")
            if not s["same_seed_same_tokens"]:
                ok = False
                print(f"  {arch}: same seed gave different tokens")
    print(f"parity on {eng['device']} ({', '.join(archs)}), worst over all tensors:")
    print(f"  {'quantity':34s} engine-vs-bf16ref | bf16ref-vs-f32ref | engine-vs-f32ref | bound on the first")
    detail = [(q, v) for q, v in worst.items() if q.startswith("  grads ")]
    for q, (e16, r, e32) in worst.items():
        if q.startswith("  grads "):
            continue
        bound = 2 * r + FLOOR[q]
        passed = e16 <= bound
        ok = ok and passed
        print(f"  {q:34s} {e16:.2e} | {r:.2e} | {e32:.2e} | {bound:.2e}  {'PASS' if passed else 'FAIL'}")
    print("  LoRA grads per case (where the row above comes from):")
    for q, (e16, r, e32) in detail:
        print(f"  {q:36s} {e16:.2e} | {r:.2e} | {e32:.2e}")
    print("parity:", "PASS" if ok else "FAIL")
    return ok


SHAPES = {
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, head_dim=16, tie_word_embeddings=True),  # dry runs without a GPU
    "0.6b": dict(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                 num_key_value_heads=8, tie_word_embeddings=True),
    "1.7b": dict(hidden_size=2048, intermediate_size=6144, num_hidden_layers=28, num_attention_heads=16,
                 num_key_value_heads=8, tie_word_embeddings=True),
    "8b": dict(hidden_size=4096, intermediate_size=12288, num_hidden_layers=36, num_attention_heads=32,
               num_key_value_heads=8, tie_word_embeddings=False),
}


def make_model(shape, d):
    try:
        from safetensors.torch import save_file
    except ImportError:  # the dry run's Debian torch has no safetensors package
        from crucible_torch_model import write_safetensors

        def save_file(t, path):
            write_safetensors(path, t, torch.bfloat16)
    cfg = {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_act": "silu", "head_dim": 128,
           "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "max_position_embeddings": 40960, "vocab_size": 151936,
           "bos_token_id": 151643, "eos_token_id": 151645, "torch_dtype": "bfloat16", **SHAPES[shape]}
    hd = cfg["head_dim"]
    H, I, V, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"], cfg["num_hidden_layers"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    g = torch.Generator(device=DEV).manual_seed(0)
    rnd = lambda *s: (torch.randn(*s, generator=g, device=DEV, dtype=torch.bfloat16) * 0.02)  # noqa: E731
    w = {"model.embed_tokens.weight": rnd(V, H), "model.norm.weight": torch.ones(H, device=DEV, dtype=torch.bfloat16)}
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(V, H)
    for l in range(L):
        p = f"model.layers.{l}."
        ones = lambda n: torch.ones(n, device=DEV, dtype=torch.bfloat16)  # noqa: E731
        w.update({p + "input_layernorm.weight": ones(H), p + "post_attention_layernorm.weight": ones(H),
                  p + "self_attn.q_norm.weight": ones(hd), p + "self_attn.k_norm.weight": ones(hd),
                  p + "self_attn.q_proj.weight": rnd(nh * hd, H), p + "self_attn.k_proj.weight": rnd(nkv * hd, H),
                  p + "self_attn.v_proj.weight": rnd(nkv * hd, H), p + "self_attn.o_proj.weight": rnd(H, nh * hd),
                  p + "mlp.gate_proj.weight": rnd(I, H), p + "mlp.up_proj.weight": rnd(I, H),
                  p + "mlp.down_proj.weight": rnd(H, I)})
    os.makedirs(d, exist_ok=True)
    save_file({k: v.contiguous().cpu() for k, v in w.items()}, os.path.join(d, "model.safetensors"))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)
    return cfg, w


def sync():
    if DEV == "cuda":
        torch.cuda.synchronize()


def bench(shape, d, b):
    """Eager PyTorch as the issue's reference: bf16 frozen weights, f32 LoRA on every linear (lm_head too, as the
    engine's bench), SDPA, fused AdamW; then KV-cached sampling. Prints one JSON line."""
    cfg, w = make_model(shape, d)
    model = GpuModel(cfg, w)  # already bf16 on the device: no copy
    rank = b["rank"]
    g = torch.Generator(device=DEV).manual_seed(0)
    lora = {}
    for m in model.modules():
        W = model.lm_head if m == "lm_head" else w[m + ".weight"]
        lora[m + ".lora_A.weight"] = ((torch.rand(rank, W.shape[1], generator=g, device=DEV) * 2 - 1)
                                      / W.shape[1] ** 0.5).requires_grad_(True)
        lora[m + ".lora_B.weight"] = torch.zeros(W.shape[0], rank, device=DEV, requires_grad=True)
    model.set_lora(lora, rank)
    fused = {"fused": True} if DEV == "cuda" else {}  # fused AdamW: CUDA only
    opt = torch.optim.AdamW(list(lora.values()), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, **fused)
    T, B = b["seq"], b["batch"]
    toks = torch.randint(0, cfg["vocab_size"], (B, T + 1), generator=g, device=DEV)

    def step():
        h = model.hidden(toks[:, :-1]).reshape(B * T, -1)
        lg = model.logits(h).float()
        lp = lg.gather(1, toks[:, 1:].reshape(-1, 1)) - lg.logsumexp(-1, keepdim=True)
        (-lp.sum()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(b["warmup"]):
        step()
    sync()
    if DEV == "cuda":
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(b["steps"]):
        step()
    sync()
    train_s = (time.perf_counter() - t0) / b["steps"]
    peak = torch.cuda.max_memory_allocated() / 2**30 if DEV == "cuda" else 0.0

    def sample():
        with torch.inference_mode():
            S, P, N = b["num_samples"], b["prompt"], b["max_tokens"]
            gen = torch.Generator(device=DEV).manual_seed(1)
            cache = [(torch.empty(S, model.nkv, P + N, model.hd, device=DEV, dtype=torch.bfloat16),
                      torch.empty(S, model.nkv, P + N, model.hd, device=DEV, dtype=torch.bfloat16))
                     for _ in range(model.L)]
            one = [(k[:1], v[:1]) for k, v in cache]
            h = model.hidden(toks[:1, :P], 0, one)[0]
            for (k, v), (k1, v1) in zip(cache, one):
                k[:, :, :P] = k1[:, :, :P]
                v[:, :, :P] = v1[:, :, :P]
            lg = model.logits(h[-1:]).float().expand(S, -1)
            out = []
            for i in range(N):
                tok = torch.multinomial(torch.softmax(lg, -1), 1, generator=gen).squeeze(1)
                out.append(tok)
                if i == N - 1:
                    break
                h = model.hidden(tok.view(S, 1), P + i, cache).view(S, -1)
                lg = model.logits(h).float()
            return torch.stack(out, 1).cpu()

    sample()
    sync()
    t0 = time.perf_counter()
    sample()
    sample_s = time.perf_counter() - t0
    print(json.dumps({"torch": torch.__version__, "train_step_s": train_s, "train_tokens_per_s": B * T / train_s,
                      "sample_tokens_per_s": b["num_samples"] * b["max_tokens"] / sample_s, "peak_allocated_gb": peak}))


if __name__ == "__main__":
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 reference in true float32
    torch.backends.cudnn.allow_tf32 = False
    cmd = sys.argv[1]
    if cmd == "fixtures":
        fixtures(sys.argv[2])
    elif cmd == "compare":
        sys.exit(0 if compare(sys.argv[2], sys.argv[3]) else 1)
    elif cmd == "bench":
        bench(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
