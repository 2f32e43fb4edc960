#!/usr/bin/python3
"""Config-spelling parity fixtures for the @crucible/tinker-local engine (Debian's /usr/bin/python3, torch).

Generated models with large q/k projections (outputs of std ≈ 2 per component) and small v/o (std ≈ 0.3), so that
attention is sharp and a wrong RoPE, rotary fraction, bias or norm moves prompt logprobs by more than 1e-2 (each
variant records that sensitivity and the script refuses to write a fixture where it is below 1e-2). For every
variant (Llama theta 5e5, llama3 scaling, linear, dynamic, yarn, partial rotary; Qwen3; Qwen2 with biases) it writes
the config in the old spelling (rope_theta + rope_scaling) and the current one (rope_parameters), and, with the
reference in hf_decoder.py: prompt logprobs for a 20- and a 400-token prompt, LoRA gradients of a cross-entropy
loss, the adapter after one torch.optim.AdamW step, and greedy tokens decoded with a KV cache.

Usage: /usr/bin/python3 tools/reference/rope_parity.py [out_dir]
(default out_dir: packages/tinker-local/test/fixtures/rope-parity)
"""
import copy
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crucible_torch_model import write_safetensors  # noqa: E402
from hf_decoder import Decoder  # noqa: E402

VOCAB = 96
RANK = 2
SHORT, LONG = 20, 400
GREEDY = 6
ADAM = {"learning_rate": 1e-2, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.1, "grad_clip_norm": 0.0}

BASE = {
    "hidden_act": "silu", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "rms_norm_eps": 1e-6,
    "max_position_embeddings": 512, "vocab_size": VOCAB, "bos_token_id": 1, "eos_token_id": 2,
}
ARCH = {
    "llama": {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "tie_word_embeddings": False},
    "qwen3": {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "tie_word_embeddings": True},
    "qwen2": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "tie_word_embeddings": False},
}

# name -> (weights, theta, rope dict without theta (None = default), extra top-level keys)
VARIANTS = {
    "llama-theta5e5": ("llama", 500000.0, None, {}),
    "llama-llama3": ("llama", 500000.0, {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                         "high_freq_factor": 4.0, "original_max_position_embeddings": 64}, {}),
    "llama-linear": ("llama", 10000.0, {"rope_type": "linear", "factor": 4.0}, {}),
    "llama-dynamic": ("llama", 10000.0, {"rope_type": "dynamic", "factor": 4.0}, {"max_position_embeddings": 128}),
    "llama-yarn": ("llama", 10000.0, {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 128}, {}),
    "llama-partial": ("llama", 10000.0, None, {"partial_rotary_factor": 0.5}),
    "qwen3": ("qwen3", 1000000.0, None, {}),
    "qwen3-yarn": ("qwen3", 1000000.0, {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 128}, {}),
    "qwen2-bias": ("qwen2", 1000000.0, None, {}),
}


def spellings(weights, theta, rope, extra):
    """(old, new): rope_theta + rope_scaling at the top level, and everything in rope_parameters."""
    base = {**ARCH[weights], **BASE, **extra}
    old = {**base, "rope_theta": theta}
    if rope is not None:
        old["rope_scaling"] = dict(rope)
    new = copy.deepcopy(base)
    params = {"rope_type": "default", **(rope or {}), "rope_theta": theta}
    if "partial_rotary_factor" in new:
        params["partial_rotary_factor"] = new.pop("partial_rotary_factor")
    new["rope_parameters"] = params
    return old, new


def random_weights(arch, gen):
    c = {**ARCH[arch], **BASE}
    H, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    nh, nkv, hd = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    w = {"model.embed_tokens.weight": torch.randn(V, H, generator=gen),
         "model.norm.weight": 1 + 0.1 * torch.randn(H, generator=gen)}
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = 0.3 * torch.randn(V, H, generator=gen)
    sd = H**-0.5  # a weight of std s/√H maps an RMS-normed input to outputs of std ≈ s
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(H, generator=gen)
        w[p + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(H, generator=gen)
        w[p + "self_attn.q_proj.weight"] = 2 * sd * torch.randn(nh * hd, H, generator=gen)
        w[p + "self_attn.k_proj.weight"] = 2 * sd * torch.randn(nkv * hd, H, generator=gen)
        w[p + "self_attn.v_proj.weight"] = 0.3 * sd * torch.randn(nkv * hd, H, generator=gen)
        w[p + "self_attn.o_proj.weight"] = 0.3 * (nh * hd) ** -0.5 * torch.randn(H, nh * hd, generator=gen)
        w[p + "mlp.gate_proj.weight"] = sd * torch.randn(I, H, generator=gen)
        w[p + "mlp.up_proj.weight"] = sd * torch.randn(I, H, generator=gen)
        w[p + "mlp.down_proj.weight"] = 0.5 * I**-0.5 * torch.randn(H, I, generator=gen)
        if arch == "qwen3":  # q/k norms normalise the projections away: sharpen through their weights instead
            w[p + "self_attn.q_norm.weight"] = 2 + 0.3 * torch.randn(hd, generator=gen)
            w[p + "self_attn.k_norm.weight"] = 2 + 0.3 * torch.randn(hd, generator=gen)
        if arch == "qwen2":
            w[p + "self_attn.q_proj.bias"] = 1.0 * torch.randn(nh * hd, generator=gen)
            w[p + "self_attn.k_proj.bias"] = 1.0 * torch.randn(nkv * hd, generator=gen)
            w[p + "self_attn.v_proj.bias"] = 0.3 * torch.randn(nkv * hd, generator=gen)
    return w


def prompt_logprobs(model, tokens):
    with torch.no_grad():
        return model.target_logprobs(tokens[:-1], [[t] for t in tokens[1:]])[:, 0]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "..", "packages", "tinker-local", "test", "fixtures", "rope-parity")
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(2026)
    os.makedirs(out, exist_ok=True)
    weights = {}
    for arch in ARCH:
        w = random_weights(arch, gen)
        d = os.path.join(out, "weights", arch)
        os.makedirs(d, exist_ok=True)
        # bf16 storage keeps the fixture small; the reference uses exactly the bf16-rounded values.
        write_safetensors(os.path.join(d, "model.safetensors"), w, torch.bfloat16)
        # Expected values are computed in float64 (RoPE tables in float32, as HF computes them), so the tests
        # measure the engine's float32 error, not the sum of two float32 errors.
        weights[arch] = {k: v.to(torch.bfloat16).to(torch.float64) for k, v in w.items()}
    prompts = {"short": torch.randint(3, VOCAB, (SHORT,), generator=gen).tolist(),
               "long": torch.randint(3, VOCAB, (LONG,), generator=gen).tolist()}
    fixture = {"generated_by": "tools/reference/rope_parity.py with torch " + torch.__version__, "rank": RANK,
               "adam": ADAM, "prompts": prompts, "variants": []}
    expected = {}
    for name, (arch, theta, rope, extra) in VARIANTS.items():
        old, new = spellings(arch, theta, rope, extra)
        w = weights[arch]
        m_old, m_new = Decoder(old, w), Decoder(new, w)
        lps = {k: prompt_logprobs(m_new, t) for k, t in prompts.items()}
        for k, t in prompts.items():  # the reference reads both spellings the same way, as transformers does
            assert torch.equal(lps[k], prompt_logprobs(m_old, t)), f"{name}: spellings differ in the reference"
        # Sensitivity: the same weights read with the bug this guards against (theta 10000, no scaling, full rotary).
        naive = {**ARCH[arch], **BASE, **{k: v for k, v in extra.items() if k != "partial_rotary_factor"}}
        sens = float((prompt_logprobs(Decoder(naive, w), prompts["long"]) - lps["long"]).abs().max())
        if name == "qwen2-bias":  # guards the biases instead of the RoPE
            nobias = {k: v for k, v in w.items() if not k.endswith(".bias")}
            sens = float((prompt_logprobs(Decoder(new, nobias), prompts["long"]) - lps["long"]).abs().max())
        assert sens > 1e-2, f"{name}: a misread config moves logprobs by only {sens:.2e}; sharpen the model"

        # LoRA: random non-zero A and B on the attention projections and the unembedding (the modules RoPE acts
        # through; MLP LoRA is covered by engine_parity.py); cross-entropy over the long prompt, one AdamW step.
        mods = [m for m in m_new.modules() if ".mlp." not in m]
        lora = {}
        for mod in mods:
            o, i = m_new.module_shape(mod)
            lora[mod + ".lora_A.weight"] = (0.3 * torch.randn(RANK, i, generator=gen)).double()
            lora[mod + ".lora_B.weight"] = (0.05 * torch.randn(o, RANK, generator=gen)).double()
        adir = os.path.join(out, "adapters", name)
        os.makedirs(adir, exist_ok=True)
        write_safetensors(os.path.join(adir, "adapter_model.safetensors"),
                          {"base_model.model." + k: v for k, v in lora.items()})
        with open(os.path.join(adir, "adapter_config.json"), "w") as f:
            json.dump({"peft_type": "LORA", "r": RANK, "lora_alpha": 32,
                       "target_modules": sorted({m.split(".")[-1] for m in mods})}, f)
        params = {k: v.clone().requires_grad_(True) for k, v in lora.items()}
        m_new.set_lora(params, RANK)
        toks = prompts["long"]
        lp = m_new.target_logprobs(toks[:-1], [[t] for t in toks[1:]])
        loss = -lp.sum()
        loss.backward()
        for k, v in params.items():
            expected[f"{name}/grad/{k}"] = v.grad.float()
        opt = torch.optim.AdamW(list(params.values()), lr=ADAM["learning_rate"], betas=(ADAM["beta1"], ADAM["beta2"]),
                                eps=ADAM["eps"], weight_decay=ADAM["weight_decay"])
        opt.step()
        for k, v in params.items():
            expected[f"{name}/adamw/{k}"] = v.detach().float()
        # Greedy decoding with the trained adapter, from the long prompt (past max_position_embeddings for dynamic).
        m_new.set_lora({k: v.detach() for k, v in params.items()}, RANK)
        # A near-tie between the top two logits would make the test flip on float rounding: the prompt is the
        # longest prefix of the long prompt whose every step has a top-2 margin above 1e-2.
        for greedy_len in range(LONG, LONG - 50, -1):
            greedy, margins = m_new.greedy(prompts["long"][:greedy_len], GREEDY)
            if min(margins) > 1e-2:
                break
        assert min(margins) > 1e-2, f"{name}: no prompt prefix gives a stable greedy test"
        fixture["variants"].append({
            "name": name, "weights": arch, "configs": {"old": old, "new": new},
            "logprobs": {k: v.tolist() for k, v in lps.items()}, "loss": float(loss),
            "greedy_prompt_len": greedy_len, "greedy": greedy, "greedy_min_margin": min(margins), "sensitivity": sens,
        })
        print(f"{name}: sensitivity {sens:.3f}, greedy {greedy} (min margin {min(margins):.3f})")
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(fixture, f)
    write_safetensors(os.path.join(out, "expected.safetensors"), expected)
    print(f"wrote {out}: {len(fixture['variants'])} variants, {len(expected)} expected tensors")


if __name__ == "__main__":
    main()
