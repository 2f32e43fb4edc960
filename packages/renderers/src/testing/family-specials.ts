/**
 * Special tokens of the families whose real tokenizer is not on this machine (Nemotron 3, Step 3.5, GLM-5.3,
 * Granite 4), for tokenizers built in tests and benchmarks (`test/family-tokenizer.ts`,
 * `tools/bench/renderers/family-vocab.ts`). Test support, not part of the public API (see kimi-specials.ts).
 */

/** Nemotron 3's ChatML and think / tool tags. */
export const NEMOTRON_SPECIALS = [
  "<|im_start|>",
  "<|im_end|>",
  "<think>",
  "</think>",
  "<tool_call>",
  "</tool_call>",
  "<tool_response>",
  "</tool_response>",
] as const;

/** Step-3.5-Flash (step3p5): ChatML with the Qwen3-style think / tool tags. */
export const STEP3P5_SPECIALS = NEMOTRON_SPECIALS;

/** GLM-5.3's chat tokens (role tokens, think / tool-call / tool-response tags), all single tokens there. */
export const GLM_SPECIALS = [
  "[gMASK]",
  "<sop>",
  "<|system|>",
  "<|user|>",
  "<|assistant|>",
  "<|observation|>",
  "<think>",
  "</think>",
  "<tool_call>",
  "</tool_call>",
  "<arg_key>",
  "</arg_key>",
  "<arg_value>",
  "</arg_value>",
  "<tool_response>",
  "</tool_response>",
] as const;

/** Granite 4.0 (granite4): role markers and end of text; think / tool tags stay plain text. */
export const GRANITE4_SPECIALS = ["<|start_of_role|>", "<|end_of_role|>", "<|end_of_text|>"] as const;
