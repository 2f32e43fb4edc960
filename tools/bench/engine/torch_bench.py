#!/usr/bin/python3
"""PyTorch side of tools/bench/engine: the same model shapes, LoRA and sampling loop as the engine, in eager
PyTorch (tools/reference/crucible_torch_model.py; Qwen3-MoE: hf_decoder.py; Qwen3.5: qwen35_torch_model.py), timed.
Prints one JSON line.

  /usr/bin/python3 torch_bench.py make-model <dir> '<config json>'   # random F32 HF directory
  /usr/bin/python3 torch_bench.py run <dir> '<bench json>'
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "reference"))
from crucible_torch_model import Model, read_safetensors, write_safetensors  # noqa: E402


def make_model(d, cfg):
    if cfg["model_type"] == "qwen3_moe":
        from moe_parity import random_weights  # Qwen3-MoE generator of the MoE parity fixtures
    elif cfg["model_type"] == "qwen3_5":
        from qwen35_parity import random_weights as text_weights  # Qwen3.5 generator of its parity fixtures

        def random_weights(c, g):
            return text_weights(c["text_config"], g)
    else:
        from engine_parity import random_weights  # same init helper as the parity fixtures

    os.makedirs(d, exist_ok=True)
    gen = torch.Generator().manual_seed(0)
    w = random_weights(cfg, gen)
    write_safetensors(os.path.join(d, "model.safetensors"), {k: v * 0.5 for k, v in w.items()})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)


def run_moe(d, b, cfg):
    """Qwen3-MoE in eager PyTorch: tools/reference/hf_decoder.py (HF's module structure: experts looped over the
    tokens routed to them, PEFT-style LoRA in Tinker's expert layout), the same bench loop as run()."""
    from hf_decoder import Decoder

    model = Decoder(cfg, read_safetensors(os.path.join(d, "model.safetensors")))
    rank = b["rank"]
    gen = torch.Generator().manual_seed(0)
    lora = {}
    for m in model.modules():
        a_shape, b_shape = model.lora_shapes(m, rank)
        lora[m + ".lora_A.weight"] = (torch.rand(*a_shape, generator=gen) * 2 - 1) / a_shape[-1] ** 0.5
        lora[m + ".lora_B.weight"] = torch.zeros(*b_shape)
    for t in lora.values():
        t.requires_grad_(True)
    model.set_lora(lora, rank)
    opt = torch.optim.AdamW(list(lora.values()), lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    T, B = b["seq"], b["batch"]
    toks = torch.randint(0, cfg["vocab_size"], (B, T + 1), generator=gen)

    def train_step():
        lg = model.linear(model.hidden(toks[:, :-1]).reshape(B * T, -1), "lm_head")
        lp = lg.gather(1, toks[:, 1:].reshape(-1, 1)) - lg.logsumexp(-1, keepdim=True)
        loss = -lp.sum()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    def sample():
        with torch.inference_mode():
            S, P, N = b["num_samples"], b["prompt"], b["max_tokens"]
            g = torch.Generator().manual_seed(1)
            cache = [None] * model.L
            h = model.hidden(toks[:1, :P].expand(S, P), 0, cache)[:, -1]
            out = []
            for i in range(N):
                tok = torch.multinomial(model.linear(h, "lm_head").softmax(-1), 1, False, generator=g)
                out.append(tok)
                if i == N - 1:
                    break
                h = model.hidden(tok.view(S, 1), P + i, cache)[:, -1]
            return torch.cat(out, 1)

    return train_step, sample


def run_qwen35(d, b, cfg):
    """Qwen3.5 (hybrid Gated DeltaNet + gated attention) in eager PyTorch: tools/reference/qwen35_torch_model.py
    (HF's chunked delta rule for training and prefill, the recurrent one per decoded token), the same bench loop."""
    from qwen35_torch_model import Qwen35Model

    model = Qwen35Model(cfg, read_safetensors(os.path.join(d, "model.safetensors")))
    rank = b["rank"]
    gen = torch.Generator().manual_seed(0)
    lora = {}
    for m in model.modules():
        W = model.module_weight(m)
        lora[m + ".lora_A.weight"] = (torch.rand(rank, W.shape[1], generator=gen) * 2 - 1) / W.shape[1] ** 0.5
        lora[m + ".lora_B.weight"] = torch.zeros(W.shape[0], rank)
    for t in lora.values():
        t.requires_grad_(True)
    model.set_lora(lora, rank)
    opt = torch.optim.AdamW(list(lora.values()), lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    T, B = b["seq"], b["batch"]
    toks = torch.randint(0, cfg["text_config"]["vocab_size"], (B, T + 1), generator=gen)

    def train_step():
        lg = model.logits(model.hidden(toks[:, :-1]).reshape(B * T, -1))
        lp = lg.gather(1, toks[:, 1:].reshape(-1, 1)) - lg.logsumexp(-1, keepdim=True)
        (-lp.sum()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    def sample():
        # prefill one row, copy its per-layer state (k/v, or conv window + delta-rule state) to every sample
        with torch.inference_mode():
            S, P, N = b["num_samples"], b["prompt"], b["max_tokens"]
            g = torch.Generator().manual_seed(1)
            one = [dict() for _ in range(model.L)]
            h = model.hidden(toks[0, :P].view(1, P), 0, one)[0]
            cache = [{k: v.expand(S, *v.shape[1:]).clone() for k, v in layer.items()} for layer in one]
            lg = model.logits(h[-1:]).expand(S, -1)
            out = []
            for i in range(N):
                tok = torch.multinomial(lg.softmax(-1), 1, False, generator=g).squeeze(1)
                out.append(tok)
                if i == N - 1:
                    break
                lg = model.logits(model.hidden(tok.view(S, 1), P + i, cache).view(S, -1))
            return torch.stack(out, 1)

    return train_step, sample


def run(d, b):
    torch.set_num_threads(b["threads"])
    cfg = json.load(open(os.path.join(d, "config.json")))
    if cfg["model_type"] == "qwen3_moe":
        train_step, sample = run_moe(d, b, cfg)
        return timed(b, train_step, sample)
    if cfg["model_type"] == "qwen3_5":
        return timed(b, *run_qwen35(d, b, cfg))
    model = Model(cfg, read_safetensors(os.path.join(d, "model.safetensors")))
    rank = b["rank"]
    gen = torch.Generator().manual_seed(0)
    lora = {}
    for m in model.modules():
        W = model.lm_head if m == "lm_head" else model.w[m + ".weight"]
        lora[m + ".lora_A.weight"] = (torch.rand(rank, W.shape[1], generator=gen) * 2 - 1) / W.shape[1] ** 0.5
        lora[m + ".lora_B.weight"] = torch.zeros(W.shape[0], rank)
    for t in lora.values():
        t.requires_grad_(True)
    model.set_lora(lora, rank)
    opt = torch.optim.AdamW(list(lora.values()), lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    T, B = b["seq"], b["batch"]
    toks = torch.randint(0, cfg["vocab_size"], (B, T + 1), generator=gen)

    def train_step():
        h = model.hidden(toks[:, :-1]).reshape(B * T, -1)
        lg = model.logits(h)
        lp = lg.gather(1, toks[:, 1:].reshape(-1, 1)) - lg.logsumexp(-1, keepdim=True)
        loss = -lp.sum()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return float(loss)

    def sample():
        with torch.inference_mode():
            S, P, N = b["num_samples"], b["prompt"], b["max_tokens"]
            g = torch.Generator().manual_seed(1)
            prompt = toks[0, :P].view(1, P)
            cache = [(torch.empty(S, model.nkv, P + N, model.hd), torch.empty(S, model.nkv, P + N, model.hd)) for _ in range(model.L)]
            one = [(k[:1], v[:1]) for k, v in cache]
            h = model.hidden(prompt, 0, one)[0]
            for (k, v), (k1, v1) in zip(cache, one):
                k[:, :, :P] = k1[:, :, :P]
                v[:, :, :P] = v1[:, :, :P]
            lg = model.logits(h[-1:]).expand(S, -1)
            out = []
            for i in range(N):
                lsm = torch.log_softmax(lg / 1.0, -1)
                tok = torch.multinomial(lsm.softmax(-1), 1, False, generator=g).squeeze(1)
                out.append(tok)
                if i == N - 1:
                    break
                h = model.hidden(tok.view(S, 1), P + i, cache).view(S, -1)
                lg = model.logits(h)
            return torch.stack(out, 1)

    return timed(b, train_step, sample)


def timed(b, train_step, sample):
    T, B = b["seq"], b["batch"]
    for _ in range(b["warmup"]):
        train_step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(b["steps"]):
        train_step()
    train_s = (time.perf_counter() - t0) / b["steps"]
    train_cpu_s = (time.process_time() - c0) / b["steps"]

    sample()
    t0, c0 = time.perf_counter(), time.process_time()
    sample()
    sample_s = time.perf_counter() - t0
    sample_cpu_s = time.process_time() - c0
    print(json.dumps({
        "train_step_s": train_s,
        "train_cpu_s": train_cpu_s,
        "train_tokens_per_s": B * T / train_s,
        "sample_s": sample_s,
        "sample_cpu_s": sample_cpu_s,
        "sample_tokens_per_s": b["num_samples"] * b["max_tokens"] / sample_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "reference"))
    if sys.argv[1] == "make-model":
        make_model(sys.argv[2], json.loads(sys.argv[3]))
    else:
        run(sys.argv[2], json.loads(sys.argv[3]))
