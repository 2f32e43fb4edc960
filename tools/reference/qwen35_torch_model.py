"""PyTorch reference of Qwen3.5 text models (model_type qwen3_5_text, and the text part of qwen3_5) with LoRA.

Written from Hugging Face transformers' published definition (models/qwen3_5/modeling_qwen3_5.py: Qwen3_5TextModel,
Qwen3_5GatedDeltaNet, Qwen3_5Attention, torch_chunk_gated_delta_rule / torch_recurrent_gated_delta_rule) with plain
torch ops. Run with Debian's /usr/bin/python3 (torch 1.13); transformers is not needed.

The family in short:
- RMSNorm weights are offsets: y = norm(x) * (1 + w) (input/post-attention/final norms and the q/k norms);
  the gated norm of the linear-attention output is y = w * norm(o) * silu(z) (plain weight).
- `layer_types[i]` is "linear_attention" (Gated DeltaNet) or "full_attention".
- Full attention: q_proj yields [query | gate] per head (2 * head_dim), q/k RMSNorm, rotary on the first
  head_dim * partial_rotary_factor dims only, GQA softmax attention, output * sigmoid(gate), o_proj.
- Gated DeltaNet: in_proj_qkv (fused Q|K|V) -> causal depthwise conv1d (no bias) + SiLU -> q, k, v heads;
  beta = sigmoid(in_proj_b x), g = -exp(A_log) * softplus(in_proj_a x + dt_bias); q, k L2-normalised (eps 1e-6),
  q scaled by dk^-0.5, query/key heads repeated (interleaved) to the value heads; the gated delta rule
  S_t = exp(g_t) S_{t-1} + k_t (beta_t (v_t - S^T k ...)); out = gated RMSNorm(o, z = in_proj_z x), out_proj.

LoRA modules follow Tinker's adapter names for this family: in_proj_q/k/v (the fused in_proj_qkv split by rows),
in_proj_z and out_proj on linear-attention layers; q/k/v/o_proj on full-attention layers; gate/up/down_proj;
lm_head. LoRA terms are added with one addmm, as the engine does.
"""
import math

import torch
import torch.nn.functional as F

from crucible_torch_model import LORA_ALPHA, rotate_half

MLP = ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
FULL = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"]
LINEAR = ["linear_attn.in_proj_q", "linear_attn.in_proj_k", "linear_attn.in_proj_v", "linear_attn.in_proj_z",
          "linear_attn.out_proj"]
CHUNK = 64


def text_config(config):
    """The text part of a config.json (qwen3_5 wraps it in text_config) and the weight-name prefix."""
    if config["model_type"] == "qwen3_5":
        return config["text_config"], "model.language_model."
    return config, "model."


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def l2norm(x, eps=1e-6):
    return x * torch.rsqrt((x * x).sum(-1, keepdim=True) + eps)


def chunk_gated_delta_rule(q, k, v, g, beta, state=None):
    """HF torch_chunk_gated_delta_rule (chunk 64). q,k [B,T,H,dk] (already L2-normed, repeated to H), v [B,T,H,dv],
    g, beta [B,T,H]. Returns out [B,T,H,dv] and the final state [B,H,dk,dv]."""
    B, T, H, dk = k.shape
    dv = v.shape[-1]
    q, k, v, beta, g = [x.transpose(1, 2).contiguous() for x in (q, k, v, beta, g)]
    q = q * (dk ** -0.5)
    pad = (CHUNK - T % CHUNK) % CHUNK
    q, k, v = (F.pad(x, (0, 0, 0, pad)) for x in (q, k, v))
    beta, g = (F.pad(x, (0, pad)) for x in (beta, g))
    n = (T + pad) // CHUNK
    v_beta = v * beta.unsqueeze(-1)
    k_beta = k * beta.unsqueeze(-1)
    q, k, k_beta, v_beta = (x.reshape(B, H, n, CHUNK, x.shape[-1]) for x in (q, k, k_beta, v_beta))
    g = g.reshape(B, H, n, CHUNK)
    upper = torch.ones(CHUNK, CHUNK, dtype=torch.bool).triu(1)
    cum = g.cumsum(-1)
    pair = (cum.unsqueeze(-1) - cum.unsqueeze(-2)).masked_fill(upper, float("-inf")).exp()
    ut = (k_beta @ k.transpose(-1, -2)) * pair
    intra = (q @ k.transpose(-1, -2)) * pair
    decayed_k_beta = k_beta * cum.exp().unsqueeze(-1)
    new_v = torch.linalg.solve_triangular(ut, v_beta, upper=False, unitriangular=True)
    k_cum = torch.linalg.solve_triangular(ut, decayed_k_beta, upper=False, unitriangular=True)
    S = torch.zeros(B, H, dk, dv) if state is None else state
    q = q * cum.exp().unsqueeze(-1)
    k = k * (cum[..., -1:] - cum).exp().unsqueeze(-1)
    chunk_decay = cum[..., -1].exp()[..., None, None]
    outs = []
    for i in range(n):
        v_new = new_v[:, :, i] - k_cum[:, :, i] @ S
        outs.append(q[:, :, i] @ S + intra[:, :, i] @ v_new)
        S = S * chunk_decay[:, :, i] + k[:, :, i].transpose(-1, -2) @ v_new
    out = torch.stack(outs, 2).reshape(B, H, -1, dv)[:, :, :T]
    return out.transpose(1, 2), S


def recurrent_gated_delta_rule(q, k, v, g, beta, state=None):
    """HF torch_recurrent_gated_delta_rule: same arguments and results, one token at a time."""
    B, T, H, dk = k.shape
    dv = v.shape[-1]
    q, k, v, beta, g = [x.transpose(1, 2) for x in (q, k, v, beta, g)]
    q = q * (dk ** -0.5)
    S = torch.zeros(B, H, dk, dv) if state is None else state
    outs = []
    for t in range(T):
        S = S * g[:, :, t].exp()[..., None, None]
        kv_mem = (S * k[:, :, t].unsqueeze(-1)).sum(-2)
        delta = (v[:, :, t] - kv_mem) * beta[:, :, t].unsqueeze(-1)
        S = S + k[:, :, t].unsqueeze(-1) * delta.unsqueeze(-2)
        outs.append((S * q[:, :, t].unsqueeze(-1)).sum(-2))
    return torch.stack(outs, 2).transpose(1, 2), S


class Qwen35Model:
    def __init__(self, config, weights, delta_rule=chunk_gated_delta_rule):
        c, self.prefix = text_config(config)
        self.H = c["hidden_size"]
        self.nh, self.nkv, self.hd = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        self.L = c["num_hidden_layers"]
        self.eps = c["rms_norm_eps"]
        self.types = c["layer_types"]
        self.nk, self.nv = c["linear_num_key_heads"], c["linear_num_value_heads"]
        self.dk, self.dv = c["linear_key_head_dim"], c["linear_value_head_dim"]
        self.conv_k = c["linear_conv_kernel_dim"]
        rope = c["rope_parameters"]
        self.rot = int(self.hd * rope.get("partial_rotary_factor", 1.0))
        theta = rope["rope_theta"]
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.rot, 2, dtype=torch.float32) / self.rot))
        tied = config.get("tie_word_embeddings", c.get("tie_word_embeddings", False))
        self.w = weights
        self.embed = weights[self.prefix + "embed_tokens.weight"]
        self.lm_head = self.embed if tied else weights["lm_head.weight"]
        self.delta_rule = delta_rule
        self.lora, self.scaling = {}, 1.0

    def W(self, l, name):
        return self.w[f"{self.prefix}layers.{l}.{name}.weight"]

    def module_weight(self, mod):
        """The (out, in) weight a LoRA module adapts (split rows of in_proj_qkv for in_proj_q/k/v)."""
        if mod == "lm_head":
            return self.lm_head
        l, name = int(mod.split(".")[2]), mod.split(".", 3)[3]
        kd, vd = self.nk * self.dk, self.nv * self.dv
        rows = {"linear_attn.in_proj_q": (0, kd), "linear_attn.in_proj_k": (kd, kd), "linear_attn.in_proj_v": (2 * kd, vd)}
        if name in rows:
            a, n = rows[name]
            return self.W(l, "linear_attn.in_proj_qkv")[a:a + n]
        return self.W(l, name)

    def modules(self, attn=True, mlp=True, unembed=True):
        mods = []
        for l in range(self.L):
            names = (LINEAR if self.types[l] == "linear_attention" else FULL) if attn else []
            mods += [f"model.layers.{l}.{n}" for n in names + (MLP if mlp else [])]
        return sorted(mods + (["lm_head"] if unembed else []))

    def set_lora(self, tensors, rank):
        self.lora = {}
        for name, t in tensors.items():
            mod, ab = name.rsplit(".lora_", 1)
            self.lora.setdefault(mod, {})[ab[0]] = t
        self.scaling = LORA_ALPHA / rank

    def lin(self, x, key, weight):
        l = self.lora.get(key)
        if l is None:
            return F.linear(x, weight)
        x2 = x.reshape(-1, x.shape[-1])
        y = torch.addmm(x2 @ weight.t(), x2 @ l["A"].t(), l["B"].t(), beta=1, alpha=self.scaling)
        return y.view(*x.shape[:-1], weight.shape[0])

    def norm(self, x, l, name):
        return rms_norm(x, 1.0 + self.w[f"{self.prefix}layers.{l}.{name}.weight"], self.eps)

    def full_attention(self, x, l, cos, sin, cache, offset):
        B, T, _ = x.shape
        p, hd, rot = f"model.layers.{l}.", self.hd, self.rot
        qg = self.lin(x, p + FULL[0], self.W(l, FULL[0])).view(B, T, self.nh, 2 * hd)
        q, gate = qg[..., :hd], qg[..., hd:].reshape(B, T, self.nh * hd)
        k = self.lin(x, p + FULL[1], self.W(l, FULL[1])).view(B, T, self.nkv, hd)
        v = self.lin(x, p + FULL[2], self.W(l, FULL[2])).view(B, T, self.nkv, hd).transpose(1, 2)
        q = self.norm(q, l, "self_attn.q_norm").transpose(1, 2)
        k = self.norm(k, l, "self_attn.k_norm").transpose(1, 2)
        q = torch.cat([q[..., :rot] * cos + rotate_half(q[..., :rot]) * sin, q[..., rot:]], -1)
        k = torch.cat([k[..., :rot] * cos + rotate_half(k[..., :rot]) * sin, k[..., rot:]], -1)
        if cache is not None:
            k = cache[l]["k"] = torch.cat([cache[l]["k"], k], 2) if "k" in cache[l] else k
            v = cache[l]["v"] = torch.cat([cache[l]["v"], v], 2) if "v" in cache[l] else v
        S = k.shape[2]
        rep = self.nh // self.nkv
        k = k.unsqueeze(2).expand(B, self.nkv, rep, S, hd).reshape(B, self.nh, S, hd)
        v = v.unsqueeze(2).expand(B, self.nkv, rep, S, hd).reshape(B, self.nh, S, hd)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (hd ** -0.5)
        if T > 1:
            scores = scores.masked_fill(torch.ones(T, S, dtype=torch.bool).triu(offset + 1), float("-inf"))
        attn = torch.matmul(torch.softmax(scores, -1), v).transpose(1, 2).reshape(B, T, self.nh * hd)
        return self.lin(attn * torch.sigmoid(gate), p + FULL[3], self.W(l, FULL[3]))

    def linear_attention(self, x, l, cache):
        B, T, _ = x.shape
        p = f"model.layers.{l}."
        kd, vd = self.nk * self.dk, self.nv * self.dv
        qkv = torch.cat([self.lin(x, p + m, self.module_weight(p + m)) for m in LINEAR[:3]], -1).transpose(1, 2)
        z = self.lin(x, p + LINEAR[3], self.W(l, LINEAR[3])).view(B, T, self.nv, self.dv)
        b = F.linear(x, self.W(l, "linear_attn.in_proj_b"))
        a = F.linear(x, self.W(l, "linear_attn.in_proj_a"))
        conv_w = self.W(l, "linear_attn.conv1d")  # [C, 1, K]
        K = self.conv_k
        if cache is not None:
            window = torch.cat([cache[l].get("conv", torch.zeros(B, qkv.shape[1], K - 1)), qkv], -1)
            cache[l]["conv"] = window[..., -(K - 1):]
            out = F.conv1d(window, conv_w, groups=qkv.shape[1])
        else:
            out = F.conv1d(qkv, conv_w, padding=K - 1, groups=qkv.shape[1])[..., :T]
        mixed = F.silu(out).transpose(1, 2)
        q = mixed[..., :kd].reshape(B, T, self.nk, self.dk)
        k = mixed[..., kd:2 * kd].reshape(B, T, self.nk, self.dk)
        v = mixed[..., 2 * kd:].reshape(B, T, self.nv, self.dv)
        beta = b.sigmoid()
        A_log = self.w[f"{self.prefix}layers.{l}.linear_attn.A_log"]
        dt_bias = self.w[f"{self.prefix}layers.{l}.linear_attn.dt_bias"]
        g = -A_log.exp() * F.softplus(a + dt_bias)
        rep = self.nv // self.nk
        q = l2norm(q.repeat_interleave(rep, dim=2))
        k = l2norm(k.repeat_interleave(rep, dim=2))
        state = cache[l].get("state") if cache is not None else None
        o, S = self.delta_rule(q, k, v, g, beta, state)
        if cache is not None:
            cache[l]["state"] = S
        o = rms_norm(o, self.W(l, "linear_attn.norm"), self.eps) * F.silu(z)
        return self.lin(o.reshape(B, T, vd), p + LINEAR[4], self.W(l, LINEAR[4]))

    def hidden(self, tokens, offset=0, cache=None):
        """tokens [B, T] at positions offset..; cache: a list of per-layer dicts (conv/state or k/v), or None."""
        B, T = tokens.shape
        pos = torch.arange(offset, offset + T, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos(), emb.sin()
        h = self.embed[tokens.reshape(-1)].view(B, T, self.H)
        for l in range(self.L):
            x = self.norm(h, l, "input_layernorm")
            if self.types[l] == "linear_attention":
                h = h + self.linear_attention(x, l, cache)
            else:
                h = h + self.full_attention(x, l, cos, sin, cache, offset)
            x = self.norm(h, l, "post_attention_layernorm")
            p = f"model.layers.{l}."
            g = F.silu(self.lin(x, p + MLP[0], self.W(l, MLP[0]))) * self.lin(x, p + MLP[1], self.W(l, MLP[1]))
            h = h + self.lin(g, p + MLP[2], self.W(l, MLP[2]))
        return rms_norm(h, 1.0 + self.w[self.prefix + "norm.weight"], self.eps)

    def logits(self, h):
        return self.lin(h, "lm_head", self.lm_head)

    def target_logprobs(self, tokens, targets):
        h = self.hidden(torch.tensor(tokens).view(1, -1))[0]
        lg = self.logits(h)
        return lg.gather(1, torch.tensor(targets)) - lg.logsumexp(-1, keepdim=True)

    def prompt_logprobs(self, tokens):
        """Logprob of each token given the ones before it (len(tokens) - 1 values)."""
        return self.target_logprobs(tokens[:-1], [[t] for t in tokens[1:]])[:, 0]

    def greedy(self, prompt, n):
        """n greedy tokens, each by a full re-forward of the sequence so far (no cache), and the smallest gap between
        the best and second-best logit over the steps (a small gap could flip on float rounding)."""
        seq, margin = list(prompt), float("inf")
        for _ in range(n):
            lg = self.logits(self.hidden(torch.tensor(seq).view(1, -1))[0, -1])
            top = lg.topk(2).values
            margin = min(margin, float(top[0] - top[1]))
            seq.append(int(lg.argmax(-1)))
        return seq[len(prompt):], margin

    def cached_decode(self, prompt, tokens):
        """Logprobs of `tokens` after `prompt` through the recurrent state (prefill once, then one token at a
        time), for checking that the cache path equals a full re-forward."""
        cache = [dict() for _ in range(self.L)]
        lp = []
        h = self.hidden(torch.tensor(prompt).view(1, -1), 0, cache)[0, -1:]
        pos = len(prompt)
        for t in tokens:
            lg = self.logits(h)
            lp.append(float(lg[0, t] - lg[0].logsumexp(-1)))
            h = self.hidden(torch.tensor([[t]]), pos, cache)[0]
            pos += 1
        return lp
