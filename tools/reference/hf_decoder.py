"""Plain-torch reference of the decoder families the engine runs, written from their published definitions.

Follows Hugging Face transformers' modeling code (LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM,
Qwen3MoeForCausalLM; eager attention) and `modeling_rope_utils` (RoPE parameter standardisation, the rope types
default/linear/dynamic/yarn/llama3, partial rotary) rather than the engine's code: it reads config.json the way
transformers does, so a config spelling the engine misreads shows up as a mismatch. LoRA is PEFT's
(`base(x) + scaling · B(A(x))`). Run with Debian's /usr/bin/python3 (python3-torch); transformers is not needed.
"""
import math

import torch

LORA_ALPHA = 32.0
ATTN = ["q_proj", "k_proj", "v_proj", "o_proj"]
MLP = ["gate_proj", "up_proj", "down_proj"]
EXPERT_LORA = {"gate_proj": "w1", "up_proj": "w3", "down_proj": "w2"}


# ---------------------------------------------------------------------------------------------------- RoPE
def rope_parameters(cfg):
    """HF `convert_rope_params_to_dict` + `standardize_rope_params`: one dict with rope_type and rope_theta."""
    p = dict(cfg.get("rope_scaling") or cfg.get("rope_parameters") or {})
    if p and all(isinstance(v, dict) for v in p.values()):
        p = dict(p["full_attention"])
    p.setdefault("rope_theta", cfg.get("rope_theta", 10000.0))
    if cfg.get("partial_rotary_factor") is not None:
        p.setdefault("partial_rotary_factor", cfg["partial_rotary_factor"])
    p.setdefault("rope_type", p.get("type", "default"))
    if p["rope_type"] in ("llama3", "yarn", "longrope"):
        if "original_max_position_embeddings" in cfg:
            p["original_max_position_embeddings"] = cfg["original_max_position_embeddings"]
        else:
            p.setdefault("original_max_position_embeddings", cfg.get("max_position_embeddings", 2048))
    return p


def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


def rope_init(cfg, seq_len=None):
    """(inv_freq, attention_factor) as `ROPE_INIT_FUNCTIONS[rope_type](config, device, seq_len)` returns them."""
    p = rope_parameters(cfg)
    t = p["rope_type"]
    base = p["rope_theta"]
    dim = int(head_dim(cfg) * p.get("partial_rotary_factor", 1.0))
    max_pos = cfg.get("max_position_embeddings", 2048)

    def default(b):
        return 1.0 / (b ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))

    if t == "default":
        return default(base), 1.0
    if t == "linear":
        return default(base) / p["factor"], 1.0
    if t == "dynamic":
        factor = p["factor"]
        if seq_len is None:
            seq_len = max_pos
        elif isinstance(seq_len, torch.Tensor):
            seq_len = torch.maximum(seq_len, torch.tensor(max_pos, dtype=seq_len.dtype))
        else:
            seq_len = max(seq_len, max_pos)
        base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim)), 1.0
    if t == "llama3":
        inv = default(base)
        factor, low, high = p["factor"], p["low_freq_factor"], p["high_freq_factor"]
        old = p["original_max_position_embeddings"]
        low_wl, high_wl = old / low, old / high
        wavelen = 2 * math.pi / inv
        inv_l = torch.where(wavelen > low_wl, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        return torch.where(medium, smoothed, inv_l), 1.0
    if t == "yarn":
        factor = p.get("factor")
        orig = p["original_max_position_embeddings"]
        if factor is None:
            factor = max_pos / orig
        att = p.get("attention_factor")
        mscale, mscale_all = p.get("mscale"), p.get("mscale_all_dim")

        def get_mscale(scale, m=1):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

        if att is None:
            att = float(get_mscale(factor, mscale) / get_mscale(factor, mscale_all)) if mscale and mscale_all else get_mscale(factor)
        beta_fast = p.get("beta_fast") or 32
        beta_slow = p.get("beta_slow") or 1

        def corr_dim(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))

        lo, hi = corr_dim(beta_fast), corr_dim(beta_slow)
        if p.get("truncate", True):
            lo, hi = math.floor(lo), math.ceil(hi)
        lo, hi = max(lo, 0), min(hi, dim - 1)
        if lo == hi:
            hi += 0.001
        pos_freqs = base ** (torch.arange(0, dim, 2).to(dtype=torch.float) / dim)
        extra = 1.0 / pos_freqs
        inter = 1.0 / (factor * pos_freqs)
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - lo) / (hi - lo), 0, 1)
        extra_factor = 1 - ramp
        return inter * (1 - extra_factor) + extra * extra_factor, att
    raise ValueError(f"rope_type {t} is not implemented in the reference")


def rope_cos_sin(cfg, positions):
    """positions [T] (int64) -> cos, sin [T, rotary_dim], as the model's RotaryEmbedding.forward gives them."""
    seq_len = positions.max() + 1
    p = rope_parameters(cfg)
    if p["rope_type"] == "dynamic" and seq_len > cfg.get("max_position_embeddings", 2048):
        inv, att = rope_init(cfg, seq_len)  # dynamic_frequency_update (fresh model: grows past max positions)
    else:
        inv, att = rope_init(cfg)
    freqs = (inv[:, None].float() @ positions[None, :].float()).transpose(0, 1)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos() * att, emb.sin() * att


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary(x, cos, sin):
    """x [B, heads, T, hd]; rotates the first cos.shape[-1] dims (partial rotary), passes the rest through."""
    rd = cos.shape[-1]
    rot, rest = x[..., :rd], x[..., rd:]
    return torch.cat([rot * cos + rotate_half(rot) * sin, rest], dim=-1)


# ---------------------------------------------------------------------------------------------------- model
def upcast(dtype):
    """HF computes norms and softmax in float32 (inputs may be bf16); float64 stays float64 (noise studies)."""
    return torch.promote_types(dtype, torch.float32)


def rms_norm(x, w, eps):
    h = x.to(upcast(x.dtype))
    var = h.pow(2).mean(-1, keepdim=True)
    return w * (h * torch.rsqrt(var + eps))


class Decoder:
    """Llama / Qwen2 / Qwen3 / Qwen3-MoE causal LM over a dict of float32 weights (HF tensor names)."""

    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.w = weights
        self.type = cfg["model_type"]
        self.H = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = head_dim(cfg)
        self.L = cfg["num_hidden_layers"]
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.tied = cfg.get("tie_word_embeddings", False)
        self.lora, self.scaling = {}, 1.0

    def set_lora(self, tensors, rank):
        """tensors: {"<module>.lora_A.weight": A, ...} (leaves that may require grad)."""
        self.lora = {}
        for name, t in tensors.items():
            mod, ab = name.rsplit(".lora_", 1)
            self.lora.setdefault(mod, {})[ab[0]] = t
        self.scaling = LORA_ALPHA / rank

    def linear(self, x, module):
        w = self.w["model.embed_tokens.weight"] if module == "lm_head" and self.tied else self.w[module + ".weight"]
        y = torch.nn.functional.linear(x, w, self.w.get(module + ".bias"))
        lo = self.lora.get(module)
        if lo is not None:  # PEFT LoRA layer: base_layer(x) + lora_B(lora_A(x)) * scaling
            y = y + (x @ lo["A"].t() @ lo["B"].t()) * self.scaling
        return y

    def mlp(self, x, prefix):
        return self.linear(
            torch.nn.functional.silu(self.linear(x, prefix + "gate_proj")) * self.linear(x, prefix + "up_proj"),
            prefix + "down_proj",
        )

    def expert_linear(self, x, prefix, e, proj):
        """Expert e's projection plus Tinker's fused expert LoRA (`mlp.experts.w1|w3|w2`, A [1|E, r, in],
        B [1|E, out, r]; a leading 1 is shared by all experts), i.e. what the cookbook merges into expert e."""
        y = torch.nn.functional.linear(x, self.w[f"{prefix}experts.{e}.{proj}.weight"])
        lo = self.lora.get(prefix + "experts." + EXPERT_LORA[proj])
        if lo is not None:
            A = lo["A"][0 if lo["A"].shape[0] == 1 else e]
            B = lo["B"][0 if lo["B"].shape[0] == 1 else e]
            y = y + (x @ A.t() @ B.t()) * self.scaling
        return y

    def expert(self, x, prefix, e):
        g = self.expert_linear(x, prefix, e, "gate_proj")
        u = self.expert_linear(x, prefix, e, "up_proj")
        return self.expert_linear(torch.nn.functional.silu(g) * u, prefix, e, "down_proj")

    def is_moe_layer(self, layer):
        c = self.cfg
        if self.type != "qwen3_moe":
            return False
        return layer not in (c.get("mlp_only_layers") or []) and c.get("num_experts", 0) > 0 and (layer + 1) % c.get("decoder_sparse_step", 1) == 0

    def moe(self, x, prefix):
        """Qwen3MoeSparseMoeBlock: softmax router, top-k, optional renormalisation, weighted sum of experts."""
        c = self.cfg
        B, T, H = x.shape
        flat = x.reshape(-1, H)
        logits = torch.nn.functional.linear(flat, self.w[prefix + "gate.weight"])  # the router: no LoRA
        probs = torch.softmax(logits, dim=1, dtype=upcast(logits.dtype))
        top_w, top_i = torch.topk(probs, c["num_experts_per_tok"], dim=-1)
        if c.get("norm_topk_prob", False):
            top_w = top_w / top_w.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(flat)
        for e in range(c["num_experts"]):
            rows, slot = torch.where(top_i == e)
            if rows.numel() == 0:
                continue
            y = self.expert(flat[rows], prefix, e)
            out = out.index_add(0, rows, y * top_w[rows, slot, None])
        return out.view(B, T, H)

    def hidden(self, tokens, offset=0, cache=None):
        """tokens [B, T] -> final-normed hidden [B, T, H]; cache: list per layer of [k, v] (rotated keys)."""
        B, T = tokens.shape
        pos = torch.arange(offset, offset + T)
        cos, sin = rope_cos_sin(self.cfg, pos)
        h = self.w["model.embed_tokens.weight"][tokens]
        S = offset + T
        mask = torch.full((T, S), float("-inf")).triu(offset + 1)
        rep = self.nh // self.nkv
        for l in range(self.L):
            p = f"model.layers.{l}."
            x = rms_norm(h, self.w[p + "input_layernorm.weight"], self.eps)
            q = self.linear(x, p + "self_attn.q_proj").view(B, T, self.nh, self.hd)
            k = self.linear(x, p + "self_attn.k_proj").view(B, T, self.nkv, self.hd)
            v = self.linear(x, p + "self_attn.v_proj").view(B, T, self.nkv, self.hd).transpose(1, 2)
            if self.type in ("qwen3", "qwen3_moe"):
                q = rms_norm(q, self.w[p + "self_attn.q_norm.weight"], self.eps)
                k = rms_norm(k, self.w[p + "self_attn.k_norm.weight"], self.eps)
            q, k = q.transpose(1, 2), k.transpose(1, 2)
            q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
            if cache is not None:
                if offset > 0:
                    k = torch.cat([cache[l][0], k], dim=2)
                    v = torch.cat([cache[l][1], v], dim=2)
                cache[l] = [k, v]
            k = k[:, :, None].expand(B, self.nkv, rep, S, self.hd).reshape(B, self.nh, S, self.hd)
            v = v[:, :, None].expand(B, self.nkv, rep, S, self.hd).reshape(B, self.nh, S, self.hd)
            att = torch.matmul(q, k.transpose(2, 3)) * self.hd**-0.5 + mask
            att = torch.softmax(att, dim=-1, dtype=upcast(att.dtype))
            o = torch.matmul(att, v).transpose(1, 2).reshape(B, T, self.nh * self.hd)
            h = h + self.linear(o, p + "self_attn.o_proj")
            x = rms_norm(h, self.w[p + "post_attention_layernorm.weight"], self.eps)
            h = h + (self.moe(x, p + "mlp.") if self.is_moe_layer(l) else self.mlp(x, p + "mlp."))
        return rms_norm(h, self.w["model.norm.weight"], self.eps)

    def target_logprobs(self, tokens, targets):
        """tokens [T], targets [T, K] -> [T, K] log-softmax of the next-token logits at the targets."""
        lg = self.linear(self.hidden(torch.tensor(tokens).view(1, -1))[0], "lm_head")
        return torch.log_softmax(lg, -1).gather(1, torch.tensor(targets))

    def greedy(self, prompt, n):
        """Greedy decoding with a KV cache (as `generate` runs it); returns tokens and each step's top-2 margin."""
        cache = [None] * self.L
        out, margins = [], []
        with torch.no_grad():
            h = self.hidden(torch.tensor(prompt).view(1, -1), 0, cache)
            pos = len(prompt)
            for _ in range(n):
                lg = self.linear(h[0, -1], "lm_head")
                top = torch.topk(lg, 2).values
                margins.append(float(top[0] - top[1]))
                t = int(torch.argmax(lg))
                out.append(t)
                h = self.hidden(torch.tensor([[t]]), pos, cache)
                pos += 1
        return out, margins

    def modules(self):
        """LoRA target modules: every attention and MLP projection, and the unembedding."""
        mods = ["lm_head"]
        for l in range(self.L):
            p = f"model.layers.{l}."
            mods += [p + "self_attn." + n for n in ATTN]
            if self.is_moe_layer(l):
                mods += [p + "mlp.experts." + n for n in ("w1", "w2", "w3")]
            else:
                mods += [p + "mlp." + n for n in MLP]
        return sorted(mods)

    def module_shape(self, module):
        w = self.w["model.embed_tokens.weight"] if module == "lm_head" and self.tied else self.w[module + ".weight"]
        return tuple(w.shape)

    def lora_shapes(self, module, rank):
        """(A shape, B shape) of a module's adapter; for MoE experts Tinker's shared-outer layout."""
        if ".mlp.experts.w" in module:
            E, H, I = self.cfg["num_experts"], self.H, self.cfg["moe_intermediate_size"]
            if module.endswith("w2"):
                return (E, rank, I), (1, H, rank)
            return (1, rank, H), (E, I, rank)
        o, i = self.module_shape(module)
        return (rank, i), (o, rank)
