#!/usr/bin/env python3
"""Checks the plain-torch Qwen3.5 reference (qwen35_torch_model.py) against Hugging Face transformers itself, on the
committed parity fixture (test/fixtures/parity/qwen3_5). Needs `transformers` with Qwen3.5 (>= 5), which Debian's
python3 does not have: run it where it is installed (e.g. `python3 tools/reference/qwen35_hf_check.py [out.json]`).

1. Base model: prompt logprobs of HF's Qwen3_5ForCausalLM (eager, float32, no cache; its chunked delta rule) vs the
   reference, on the fixture's 20- and 400-token prompts.
2. The fixture's LoRA adapter merged into HF's weights the way the cookbook merges Tinker's Qwen3.5 adapters
   (in_proj_q/k/v into row blocks of the fused in_proj_qkv; scaling alpha/r) vs the reference's unmerged logprobs
   stored in the fixture: the adapter names and layout mean what Tinker's mean.
3. Greedy generation through HF's cache (conv state + recurrent delta-rule state) vs the reference's greedy tokens
   by full re-forwards, and HF's per-step logprobs vs the reference's.
"""
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from crucible_torch_model import LORA_ALPHA, read_safetensors  # noqa: E402
from qwen35_torch_model import Qwen35Model  # noqa: E402
from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig  # noqa: E402

FIX = os.path.join(here, "..", "..", "packages", "tinker-local", "test", "fixtures", "parity", "qwen3_5")
PREFIX = "model.language_model."


def main():
    torch.manual_seed(0)
    cfg = json.load(open(os.path.join(FIX, "model", "config.json")))
    fx = json.load(open(os.path.join(FIX, "cases.json")))
    w = read_safetensors(os.path.join(FIX, "model", "model.safetensors"))  # bf16 values in float32
    text = {k: v for k, v in cfg["text_config"].items() if k != "model_type"}
    hf_cfg = Qwen3_5TextConfig(**text)
    hf_cfg._attn_implementation = "eager"
    model = Qwen3_5ForCausalLM(hf_cfg).float().eval()
    model.generation_config.eos_token_id = None  # greedy runs its 24 tokens whatever they are
    sd = {("model." + k[len(PREFIX):] if k.startswith(PREFIX) else k): v for k, v in w.items()
          if k.startswith(PREFIX) or k == "lm_head.weight"}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    ref = Qwen35Model(cfg, w)
    out = {"transformers": __import__("transformers").__version__, "torch": torch.__version__}

    def hf_prompt_lp(toks):
        with torch.no_grad():
            lg = model(torch.tensor([toks])).logits[0].float()
        return (lg[:-1].log_softmax(-1).gather(1, torch.tensor(toks[1:]).view(-1, 1)))[:, 0]

    with torch.no_grad():
        for p in fx["prompts"]:
            n = len(p["tokens"])
            out[f"base_prompt_logprobs_{n}_max_abs"] = float((hf_prompt_lp(p["tokens"]) - ref.prompt_logprobs(p["tokens"])).abs().max())

        # greedy through HF's cache vs the reference's full re-forwards (base model)
        g = fx["greedy"]["prompt"]
        want, _ = ref.greedy(g, 24)
        gen = model.generate(torch.tensor([g]), max_new_tokens=24, do_sample=False, use_cache=True,
                             output_logits=True, return_dict_in_generate=True, pad_token_id=0, eos_token_id=None)
        got = gen.sequences[0, len(g):].tolist()
        out["greedy_tokens_equal"] = got == want
        step_lp = torch.stack([lg[0].float().log_softmax(-1)[t] for lg, t in zip(gen.logits, got)])
        full_lp = ref.prompt_logprobs(g + want)[len(g) - 1:]
        out["greedy_cached_logprobs_max_abs"] = float((step_lp - full_lp).abs().max())

        # merge the fixture adapter into HF's weights as the cookbook does for Tinker's Qwen3.5 adapters
        ad = read_safetensors(os.path.join(FIX, "adapter", "adapter_model.safetensors"))
        rank = json.load(open(os.path.join(FIX, "adapter", "adapter_config.json")))["r"]
        scaling = LORA_ALPHA / rank
        params = dict(model.named_parameters())
        kd = text["linear_num_key_heads"] * text["linear_key_head_dim"]
        rows = {"in_proj_q": 0, "in_proj_k": kd, "in_proj_v": 2 * kd}
        merged = 0
        for name, A in ad.items():
            if not name.endswith(".lora_A.weight"):
                continue
            mod = name[len("base_model.model."):-len(".lora_A.weight")]
            delta = scaling * ad[name.replace("lora_A", "lora_B")] @ A
            leaf = mod.rsplit(".", 1)[1]
            if leaf in rows:
                target = params[mod.rsplit(".", 1)[0] + ".in_proj_qkv.weight"]
                target[rows[leaf]:rows[leaf] + delta.shape[0]] += delta
            else:
                params[mod + ".weight"] += delta
            merged += 1
        out["adapter_modules_merged"] = merged
        for p in fx["prompts"]:
            n = len(p["tokens"])
            out[f"merged_vs_fixture_logprobs_{n}_max_abs"] = float((hf_prompt_lp(p["tokens"]) - torch.tensor(p["logprobs"])).abs().max())

    print(json.dumps(out, indent=2))
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump(out, f, indent=2)
    bad = [k for k, v in out.items() if (k.endswith("max_abs") and v > 1e-4) or (k.endswith("equal") and not v)]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
