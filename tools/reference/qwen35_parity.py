#!/usr/bin/python3
"""Parity fixtures for Qwen3.5 in the @crucible/tinker-local engine (Debian's /usr/bin/python3, torch 1.13).

Writes packages/tinker-local/test/fixtures/parity/qwen3_5: a generated Qwen3.5 model saved as the multimodal wrapper
(model_type qwen3_5, text_config, weights under model.language_model.; the engine trains its text part), with
sharp attention (q/k projections std 2, v/o std 0.3) so that a wrong rotary fraction, norm offset, gate or decay
moves logprobs by far more than the tolerance. Layers alternate linear (Gated DeltaNet) and full attention, with
grouped value heads (2 key heads, 4 value heads) and unequal key/value head dims.

Cases: the five losses (as engine_parity.py: logprobs, loss terms, LoRA gradients, one AdamW step) on padded
batches, prompt logprobs on a 20- and a 400-token prompt (one and seven 64-token chunks), greedy tokens by full
re-forwards, and the recurrent (sequential) delta rule checked against the chunked one here.

Usage: /usr/bin/python3 tools/reference/qwen35_parity.py [out_dir]
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crucible_torch_model import write_safetensors  # noqa: E402
from engine_parity import ADAM, CASES, VOCAB, datums, loss_fn  # noqa: E402
from qwen35_torch_model import Qwen35Model, recurrent_gated_delta_rule  # noqa: E402

RANK = 4

TEXT = {
    "model_type": "qwen3_5_text", "hidden_act": "silu", "hidden_size": 32, "intermediate_size": 48,
    "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
    "layer_types": ["linear_attention", "full_attention", "linear_attention", "full_attention"],
    "linear_num_key_heads": 2, "linear_num_value_heads": 4, "linear_key_head_dim": 8, "linear_value_head_dim": 12,
    "linear_conv_kernel_dim": 4, "rms_norm_eps": 1e-6, "attention_bias": False,
    "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "partial_rotary_factor": 0.25,
                        "mrope_section": [2, 1, 1], "mrope_interleaved": True},
    "max_position_embeddings": 1024, "vocab_size": VOCAB, "tie_word_embeddings": False,
    "bos_token_id": 1, "eos_token_id": 2,
}
CONFIG = {"architectures": ["Qwen3_5ForConditionalGeneration"], "model_type": "qwen3_5", "text_config": TEXT,
          "vision_config": {"model_type": "qwen3_5_vision", "depth": 1}, "tie_word_embeddings": False}
PREFIX = "model.language_model."


def random_weights(c, gen):
    H, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    nh, nkv, hd = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    kd = c["linear_num_key_heads"] * c["linear_key_head_dim"]
    nv, vd = c["linear_num_value_heads"], c["linear_num_value_heads"] * c["linear_value_head_dim"]
    K = c["linear_conv_kernel_dim"]
    randn = lambda *s: torch.randn(*s, generator=gen)  # noqa: E731
    w = {PREFIX + "embed_tokens.weight": randn(V, H), PREFIX + "norm.weight": 0.1 * randn(H),
         "lm_head.weight": 0.3 * randn(V, H),
         "model.visual.blocks.0.attn.qkv.weight": randn(3, 3),  # a vision tower the text model ignores
         "mtp.fc.weight": randn(2, 2)}
    for l, kind in enumerate(c["layer_types"]):
        p = f"{PREFIX}layers.{l}."
        w[p + "input_layernorm.weight"] = 0.1 * randn(H)
        w[p + "post_attention_layernorm.weight"] = 0.1 * randn(H)
        w[p + "mlp.gate_proj.weight"] = 0.3 * randn(I, H)
        w[p + "mlp.up_proj.weight"] = 0.3 * randn(I, H)
        w[p + "mlp.down_proj.weight"] = 0.3 * randn(H, I)
        if kind == "full_attention":
            w[p + "self_attn.q_proj.weight"] = 2.0 * randn(nh * hd * 2, H)
            w[p + "self_attn.k_proj.weight"] = 2.0 * randn(nkv * hd, H)
            w[p + "self_attn.v_proj.weight"] = 0.3 * randn(nkv * hd, H)
            w[p + "self_attn.o_proj.weight"] = 0.3 * randn(H, nh * hd)
            w[p + "self_attn.q_norm.weight"] = 0.3 * randn(hd)
            w[p + "self_attn.k_norm.weight"] = 0.3 * randn(hd)
        else:
            qkv = torch.cat([2.0 * randn(2 * kd, H), 0.3 * randn(vd, H)])
            w[p + "linear_attn.in_proj_qkv.weight"] = qkv
            w[p + "linear_attn.in_proj_z.weight"] = 0.3 * randn(vd, H)
            w[p + "linear_attn.in_proj_b.weight"] = 0.3 * randn(nv, H)
            w[p + "linear_attn.in_proj_a.weight"] = 0.3 * randn(nv, H)
            w[p + "linear_attn.conv1d.weight"] = 0.5 * randn(2 * kd + vd, 1, K)
            w[p + "linear_attn.A_log"] = torch.empty(nv).uniform_(0.01, 2.0, generator=gen).log()
            w[p + "linear_attn.dt_bias"] = 0.5 * randn(nv)
            w[p + "linear_attn.norm.weight"] = 1.0 + 0.1 * randn(vd // nv)
            w[p + "linear_attn.out_proj.weight"] = 0.3 * randn(H, vd)
    return w


def max_rel(a, b):
    return float(((a - b).abs() / (b.abs() + 1e-6)).max())


def build(out_dir, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    d = os.path.join(out_dir, "qwen3_5")
    os.makedirs(os.path.join(d, "model"), exist_ok=True)
    os.makedirs(os.path.join(d, "adapter"), exist_ok=True)
    weights = random_weights(TEXT, gen)
    with open(os.path.join(d, "model", "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    write_safetensors(os.path.join(d, "model", "model.safetensors"), weights, torch.bfloat16)
    weights = {k: v.to(torch.bfloat16).to(torch.float32) for k, v in weights.items()}
    model = Qwen35Model(CONFIG, weights)
    mods = model.modules()
    lora0 = {}
    for m in mods:
        out_f, in_f = model.module_weight(m).shape
        lora0[m + ".lora_A.weight"] = 0.2 * torch.randn(RANK, in_f, generator=gen)
        lora0[m + ".lora_B.weight"] = 0.05 * torch.randn(out_f, RANK, generator=gen)
    write_safetensors(os.path.join(d, "adapter", "adapter_model.safetensors"),
                      {"base_model.model." + k: v for k, v in lora0.items()})
    with open(os.path.join(d, "adapter", "adapter_config.json"), "w") as f:
        json.dump({"peft_type": "LORA", "r": RANK, "lora_alpha": 32,
                   "target_modules": sorted({m.split(".")[-1] for m in mods})}, f)

    data = datums(gen)
    n = 7
    toks = torch.randint(0, VOCAB, (n,), generator=gen).tolist()
    topk = {"tokens": toks, "targets": torch.randint(0, VOCAB, (n, 3), generator=gen).tolist(),
            "weights": torch.softmax(torch.randn(n, 3, generator=gen), -1).tolist()}

    def fresh_lora():
        t = {k: v.clone().requires_grad_(True) for k, v in lora0.items()}
        model.set_lora(t, RANK)
        return t

    fresh_lora()
    with torch.no_grad():
        for dd in data:
            lp = model.target_logprobs(dd["tokens"], dd["targets"])[:, 0]
            dd["sampler_logprobs"] = (lp + torch.tensor(dd["noise"])).tolist()

    cases, expected = [], {}
    for name, cfgl in CASES:
        lora = fresh_lora()
        batch = [topk] if name == "cross_entropy_topk" else data
        lps, elems, total = [], [], 0.0
        loss_name = {"cross_entropy_topk": "cross_entropy", "ppo_per_token": "ppo"}.get(name, name)
        for dd in batch:
            lp = model.target_logprobs(dd["tokens"], dd["targets"])
            e = loss_fn(name if name == "ppo_per_token" else loss_name, lp, dd, cfgl)
            total = total + e.sum()
            lps.append(lp.detach().reshape(-1).tolist())
            elems.append(e.detach().reshape(-1).tolist())
        total.backward()
        for k, v in lora.items():
            expected[f"{name}/grad/{k}"] = v.grad.clone()
        case = {"name": name, "loss_fn": loss_name, "loss_fn_config": cfgl, "loss_sum": float(total),
                "logprobs": lps, "elementwise_loss": elems}
        if name == "cross_entropy":
            params = list(lora.values())
            opt = torch.optim.AdamW(params, lr=ADAM["learning_rate"], betas=(ADAM["beta1"], ADAM["beta2"]),
                                    eps=ADAM["eps"], weight_decay=ADAM["weight_decay"])
            norm = torch.nn.utils.clip_grad_norm_(params, ADAM["grad_clip_norm"])
            opt.step()
            case["grad_norm"] = float(norm)
            for k, v in lora.items():
                expected[f"adamw/param/{k}"] = v.detach()
        cases.append(case)

    # Long prompts with the adapter loaded: one chunk (20 tokens) and seven (400 tokens).
    lora = fresh_lora()
    prompts, checks = [], {}
    with torch.no_grad():
        for length in (20, 400):
            toks = torch.randint(0, VOCAB, (length,), generator=gen).tolist()
            lp = model.prompt_logprobs(toks)
            prompts.append({"tokens": toks, "logprobs": lp.tolist()})
        # the recurrent form of the delta rule agrees with the chunked one (both are HF's)
        seq_model = Qwen35Model(CONFIG, weights, recurrent_gated_delta_rule)
        seq_model.set_lora(lora, RANK)
        long = prompts[1]["tokens"]
        checks["recurrent_vs_chunked_max_rel"] = max_rel(seq_model.prompt_logprobs(long), model.prompt_logprobs(long))
        # greedy decode by full re-forwards; the cached (recurrent-state) decode gives the same logprobs
        gprompt = torch.randint(0, VOCAB, (11,), generator=gen).tolist()
        greedy, checks["greedy_min_top2_margin"] = model.greedy(gprompt, 24)
        full = model.prompt_logprobs(gprompt + greedy)[len(gprompt) - 1:]
        cached = torch.tensor(model.cached_decode(gprompt, greedy))
        checks["cached_vs_full_max_rel"] = max_rel(cached, full)
    assert checks["recurrent_vs_chunked_max_rel"] < 1e-4 and checks["cached_vs_full_max_rel"] < 1e-4, checks
    assert checks["greedy_min_top2_margin"] > 1e-2, checks  # greedy tokens cannot flip on rounding

    fixture = {
        "arch": "qwen3_5", "rank": RANK, "adam": ADAM, "datums": data, "topk_datum": topk, "cases": cases,
        "prompts": prompts, "greedy": {"prompt": gprompt, "tokens": greedy, "logprobs": full.tolist()},
        "reference_checks": checks,
        "generated_by": "tools/reference/qwen35_parity.py with torch " + torch.__version__,
    }
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump(fixture, f)
    write_safetensors(os.path.join(d, "expected.safetensors"), expected)
    print(f"wrote {d}: {len(cases)} cases, {len(expected)} expected tensors, checks {checks}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "packages", "tinker-local", "test", "fixtures", "parity")
    torch.set_num_threads(1)
    build(out, 4242)


if __name__ == "__main__":
    main()
