"""PyTorch reference of the @crucible/tinker-local engine: Llama/Qwen3 decoder with LoRA.

Written from the Hugging Face modeling code (LlamaForCausalLM / Qwen3ForCausalLM, eager attention) and kept
op-for-op equal to packages/tinker-local/native/src/engine.cc. Run with Debian's /usr/bin/python3 (torch 1.13).
No third-party packages besides torch: safetensors is read and written by hand.
"""
import json
import math
import struct

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
NAMES = {v: k for k, v in DTYPES.items()}
ATTN = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"]
MLP = ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
LORA_ALPHA = 32.0


def write_safetensors(path, tensors, dtype=torch.float32):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(dtype).contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": NAMES[dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (len(h) + 8) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = bytearray(data[8 + n + a : 8 + n + b])
        t = torch.frombuffer(buf, dtype=DTYPES[info["dtype"]]) if buf else torch.empty(0, dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).to(torch.float32)
    return out


def rope_inv_freq(head_dim, theta, scaling=None):
    # float64 then rounded to float32, exactly like the engine's config.ts
    inv = [1.0 / theta ** (float(torch.tensor(2 * i / head_dim, dtype=torch.float32))) for i in range(head_dim // 2)]
    if scaling and scaling.get("rope_type", scaling.get("type")) == "llama3":
        inv32 = [float(torch.tensor(v, dtype=torch.float32)) for v in inv]
        f, lo, hi, orig = (scaling[k] for k in ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"))
        out = []
        for v in inv32:
            wl = 2 * math.pi / v
            if wl > orig / lo:
                out.append(v / f)
            elif wl >= orig / hi:
                s = (orig / wl - lo) / (hi - lo)
                out.append((1 - s) * (v / f) + s * v)
            else:
                out.append(v)
        inv = out
    return torch.tensor(inv, dtype=torch.float32)


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


class Model:
    def __init__(self, config, weights):
        c = config
        self.arch = c["model_type"]
        self.H = c["hidden_size"]
        self.nh = c["num_attention_heads"]
        self.nkv = c.get("num_key_value_heads", self.nh)
        self.hd = c.get("head_dim", self.H // self.nh)
        self.L = c["num_hidden_layers"]
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.tied = c.get("tie_word_embeddings", False)
        self.inv_freq = rope_inv_freq(self.hd, c.get("rope_theta", 10000.0), c.get("rope_scaling"))
        self.w = weights
        self.lm_head = self.w["model.embed_tokens.weight"] if self.tied else self.w["lm_head.weight"]
        self.lora, self.scaling = {}, 1.0

    def modules(self, attn=True, mlp=True, unembed=True):
        mods = [f"model.layers.{l}.{n}" for l in range(self.L) for n in (ATTN if attn else []) + (MLP if mlp else [])]
        return sorted(mods + (["lm_head"] if unembed else []))

    def set_lora(self, tensors, rank):
        """tensors: {"<module>.lora_A.weight": A, ...}; requires_grad leaves."""
        self.lora = {}
        for name, t in tensors.items():
            mod, ab = name.rsplit(".lora_", 1)
            self.lora.setdefault(mod, {})[ab[0]] = t
        self.scaling = LORA_ALPHA / rank

    def lin(self, x, key, weight):
        l = self.lora.get(key)
        if l is None:
            return torch.nn.functional.linear(x, weight)
        # W x + scaling * B (A x) with the LoRA term added by one addmm, as the engine does (PEFT's separate
        # matmul, scale and add give the same values up to float32 rounding).
        x2 = x.reshape(-1, x.shape[-1])
        y = torch.addmm(x2 @ weight.t(), x2 @ l["A"].t(), l["B"].t(), beta=1, alpha=self.scaling)
        return y.view(*x.shape[:-1], weight.shape[0])

    def hidden(self, tokens, offset=0, cache=None):
        B, T = tokens.shape
        pos = torch.arange(offset, offset + T, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos(), emb.sin()
        h = self.w["model.embed_tokens.weight"][tokens.reshape(-1)].view(B, T, self.H)
        S = offset + T
        mask = torch.ones(T, S, dtype=torch.bool).triu(offset + 1) if T > 1 else None
        rep = self.nh // self.nkv
        for l in range(self.L):
            p = f"model.layers.{l}."
            W = lambda n: self.w[p + n + ".weight"]
            x = rms_norm(h, W("input_layernorm"), self.eps)
            q = self.lin(x, p + ATTN[0], W(ATTN[0])).view(B, T, self.nh, self.hd)
            k = self.lin(x, p + ATTN[1], W(ATTN[1])).view(B, T, self.nkv, self.hd)
            v = self.lin(x, p + ATTN[2], W(ATTN[2])).view(B, T, self.nkv, self.hd).transpose(1, 2)
            if self.arch == "qwen3":
                q = rms_norm(q, W("self_attn.q_norm"), self.eps)
                k = rms_norm(k, W("self_attn.k_norm"), self.eps)
            q, k = q.transpose(1, 2), k.transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache is not None:
                cache[l][0][:, :, offset:S] = k
                cache[l][1][:, :, offset:S] = v
                k, v = cache[l][0][:, :, :S], cache[l][1][:, :, :S]
            if rep > 1:
                k = k.unsqueeze(2).expand(B, self.nkv, rep, S, self.hd).reshape(B, self.nh, S, self.hd)
                v = v.unsqueeze(2).expand(B, self.nkv, rep, S, self.hd).reshape(B, self.nh, S, self.hd)
            scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))
            if mask is not None:
                scores = scores.masked_fill(mask, float("-inf"))
            attn = torch.matmul(torch.softmax(scores, -1), v).transpose(1, 2).reshape(B, T, self.nh * self.hd)
            h = h + self.lin(attn, p + ATTN[3], W(ATTN[3]))
            x = rms_norm(h, W("post_attention_layernorm"), self.eps)
            g = torch.nn.functional.silu(self.lin(x, p + MLP[0], W(MLP[0]))) * self.lin(x, p + MLP[1], W(MLP[1]))
            h = h + self.lin(g, p + MLP[2], W(MLP[2]))
        return rms_norm(h, self.w["model.norm.weight"], self.eps)

    def logits(self, h):
        return self.lin(h, "lm_head", self.lm_head)

    def target_logprobs(self, tokens, targets):
        """tokens [T] ints, targets [T, K] ints -> [T, K] logprobs (one datum)."""
        h = self.hidden(torch.tensor(tokens).view(1, -1))[0]
        lg = self.logits(h)
        return lg.gather(1, torch.tensor(targets)) - lg.logsumexp(-1, keepdim=True)
