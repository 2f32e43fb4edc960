#!/usr/bin/python3
"""Qwen3-MoE parity fixtures for the @crucible/tinker-local engine (Debian's /usr/bin/python3, torch).

Two generated Qwen3-MoE models (8 experts, top-2; sharp attention as in rope_parity.py, a router spread wide enough
that no token's k-th and (k+1)-th expert are within 1e-4 of each other, so routing cannot flip on rounding):
- "moe-norm": norm_topk_prob true, mlp_only_layers [1] (layers 0 and 2 sparse, layer 1 dense);
- "moe-step2": norm_topk_prob false, decoder_sparse_step 2 (only layer 1 sparse).
With the float64 reference in hf_decoder.py: prompt logprobs for a 20- and a 400-token prompt, LoRA gradients
(attention, Tinker-layout expert LoRA `mlp.experts.w1|w2|w3`, the dense MLP, lm_head) of a cross-entropy loss over
the 400-token prompt, the adapter after one torch.optim.AdamW step, and greedy tokens decoded with a KV cache.

Usage: /usr/bin/python3 tools/reference/moe_parity.py [out_dir]
(default out_dir: packages/tinker-local/test/fixtures/moe-parity)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crucible_torch_model import write_safetensors  # noqa: E402
from hf_decoder import Decoder  # noqa: E402
from rope_parity import ADAM, LONG, SHORT, GREEDY, VOCAB, prompt_logprobs  # noqa: E402

RANK = 2
BASE = {
    "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_act": "silu", "hidden_size": 32,
    "intermediate_size": 48, "moe_intermediate_size": 16, "num_experts": 8, "num_experts_per_tok": 2,
    "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
    "rms_norm_eps": 1e-6, "max_position_embeddings": 512, "vocab_size": VOCAB, "tie_word_embeddings": False,
    "attention_bias": False, "use_sliding_window": False, "sliding_window": None, "max_window_layers": 3,
    "output_router_logits": False, "router_aux_loss_coef": 0.001, "bos_token_id": 1, "eos_token_id": 2,
    "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0},
}
VARIANTS = {
    "moe-norm": {**BASE, "norm_topk_prob": True, "mlp_only_layers": [1], "decoder_sparse_step": 1},
    "moe-step2": {**BASE, "norm_topk_prob": False, "mlp_only_layers": [], "decoder_sparse_step": 2},
}


def random_weights(cfg, gen):
    H, I, MI, V, E = (cfg[k] for k in ("hidden_size", "intermediate_size", "moe_intermediate_size", "vocab_size", "num_experts"))
    nh, nkv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    sd = H**-0.5
    w = {"model.embed_tokens.weight": torch.randn(V, H, generator=gen),
         "model.norm.weight": 1 + 0.1 * torch.randn(H, generator=gen),
         "lm_head.weight": 0.3 * torch.randn(V, H, generator=gen)}
    probe = Decoder(cfg, {})
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(H, generator=gen)
        w[p + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(H, generator=gen)
        w[p + "self_attn.q_proj.weight"] = 2 * sd * torch.randn(nh * hd, H, generator=gen)
        w[p + "self_attn.k_proj.weight"] = 2 * sd * torch.randn(nkv * hd, H, generator=gen)
        w[p + "self_attn.v_proj.weight"] = 0.3 * sd * torch.randn(nkv * hd, H, generator=gen)
        w[p + "self_attn.o_proj.weight"] = 0.3 * (nh * hd) ** -0.5 * torch.randn(H, nh * hd, generator=gen)
        w[p + "self_attn.q_norm.weight"] = 2 + 0.3 * torch.randn(hd, generator=gen)
        w[p + "self_attn.k_norm.weight"] = 2 + 0.3 * torch.randn(hd, generator=gen)
        if probe.is_moe_layer(l):
            w[p + "mlp.gate.weight"] = 3 * sd * torch.randn(E, H, generator=gen)
            for e in range(E):
                q = f"{p}mlp.experts.{e}."
                w[q + "gate_proj.weight"] = sd * torch.randn(MI, H, generator=gen)
                w[q + "up_proj.weight"] = sd * torch.randn(MI, H, generator=gen)
                w[q + "down_proj.weight"] = MI**-0.5 * torch.randn(H, MI, generator=gen)
        else:
            w[p + "mlp.gate_proj.weight"] = sd * torch.randn(I, H, generator=gen)
            w[p + "mlp.up_proj.weight"] = sd * torch.randn(I, H, generator=gen)
            w[p + "mlp.down_proj.weight"] = 0.5 * I**-0.5 * torch.randn(H, I, generator=gen)
    return w


def min_router_gap(model, tokens):
    """Smallest gap between a token's k-th and (k+1)-th router probability over all sparse layers."""
    gaps = []
    orig = model.moe

    def spy(x, prefix):
        probs = torch.softmax(torch.nn.functional.linear(x.reshape(-1, x.shape[-1]), model.w[prefix + "gate.weight"]), -1)
        top = torch.topk(probs, model.cfg["num_experts_per_tok"] + 1, dim=-1).values
        gaps.append(float((top[:, -2] - top[:, -1]).min()))
        return orig(x, prefix)

    model.moe = spy
    with torch.no_grad():
        model.hidden(torch.tensor(tokens).view(1, -1))
    model.moe = orig
    return min(gaps)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "..", "packages", "tinker-local", "test", "fixtures", "moe-parity")
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(3033)
    prompts = {"short": torch.randint(3, VOCAB, (SHORT,), generator=gen).tolist(),
               "long": torch.randint(3, VOCAB, (LONG,), generator=gen).tolist()}
    fixture = {"generated_by": "tools/reference/moe_parity.py with torch " + torch.__version__, "rank": RANK,
               "adam": ADAM, "prompts": prompts, "variants": []}
    expected = {}
    for name, cfg in VARIANTS.items():
        d = os.path.join(out, name)
        os.makedirs(os.path.join(d, "model"), exist_ok=True)
        os.makedirs(os.path.join(d, "adapter"), exist_ok=True)
        # Draw models until no token of either prompt has its k-th and (k+1)-th router choice within 1e-4 (the
        # engine's float32 error in router probabilities is far below that; a closer call could flip routing).
        for _ in range(50):
            w32 = random_weights(cfg, gen)
            model = Decoder(cfg, {k: v.to(torch.bfloat16).to(torch.float64) for k, v in w32.items()})
            gap = min(min_router_gap(model, prompts["short"]), min_router_gap(model, prompts["long"]))
            if gap > 1e-4:
                break
        assert gap > 1e-4, f"{name}: router near-tie ({gap:.1e}); routing could flip on rounding"
        write_safetensors(os.path.join(d, "model", "model.safetensors"), w32, torch.bfloat16)
        with open(os.path.join(d, "model", "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        w = {k: v.to(torch.bfloat16).to(torch.float64) for k, v in w32.items()}
        lps = {k: prompt_logprobs(model, t) for k, t in prompts.items()}
        flipped = Decoder({**cfg, "norm_topk_prob": not cfg["norm_topk_prob"]}, w)
        sens = float((prompt_logprobs(flipped, prompts["long"]) - lps["long"]).abs().max())
        assert sens > 1e-2, f"{name}: flipping norm_topk_prob moves logprobs by only {sens:.1e}"

        mods = model.modules()
        lora = {}
        for mod in mods:
            a_shape, b_shape = model.lora_shapes(mod, RANK)
            lora[mod + ".lora_A.weight"] = (0.3 * torch.randn(*a_shape, generator=gen)).double()
            lora[mod + ".lora_B.weight"] = (0.05 * torch.randn(*b_shape, generator=gen)).double()
        write_safetensors(os.path.join(d, "adapter", "adapter_model.safetensors"),
                          {"base_model.model." + k: v for k, v in lora.items()})
        with open(os.path.join(d, "adapter", "adapter_config.json"), "w") as f:
            json.dump({"peft_type": "LORA", "r": RANK, "lora_alpha": 32,
                       "target_modules": sorted({m.split(".")[-1] for m in mods})}, f)
        params = {k: v.clone().requires_grad_(True) for k, v in lora.items()}
        model.set_lora(params, RANK)
        toks = prompts["long"]
        loss = -model.target_logprobs(toks[:-1], [[t] for t in toks[1:]]).sum()
        loss.backward()
        for k, v in params.items():
            expected[f"{name}/grad/{k}"] = v.grad.float()
        opt = torch.optim.AdamW(list(params.values()), lr=ADAM["learning_rate"], betas=(ADAM["beta1"], ADAM["beta2"]),
                                eps=ADAM["eps"], weight_decay=ADAM["weight_decay"])
        opt.step()
        for k, v in params.items():
            expected[f"{name}/adamw/{k}"] = v.detach().float()
        model.set_lora({k: v.detach() for k, v in params.items()}, RANK)
        for greedy_len in range(LONG, LONG - 50, -1):
            greedy, margins = model.greedy(prompts["long"][:greedy_len], GREEDY)
            if min(margins) > 1e-2:
                break
        assert min(margins) > 1e-2, f"{name}: no prompt prefix gives a stable greedy test"
        fixture["variants"].append({
            "name": name, "logprobs": {k: v.tolist() for k, v in lps.items()}, "loss": float(loss),
            "greedy_prompt_len": greedy_len, "greedy": greedy, "norm_topk_sensitivity": sens, "router_min_gap": gap,
        })
        print(f"{name}: norm_topk sensitivity {sens:.3f}, router gap {gap:.1e}, greedy {greedy}")
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(fixture, f)
    write_safetensors(os.path.join(out, "expected.safetensors"), expected)
    print(f"wrote {out}: {len(fixture['variants'])} variants, {len(expected)} expected tensors")


if __name__ == "__main__":
    main()
