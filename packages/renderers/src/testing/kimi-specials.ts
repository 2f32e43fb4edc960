/**
 * Kimi's special tokens, for tokenizers built in tests and benchmarks where no real Kimi `tiktoken.model` is at hand
 * (`test/family-tokenizer.ts`, `tools/bench/renderers/kimi-vocab.ts`). Test support, not part of the public API:
 * tools import it by path, as they do crucible-train's `src/**\/testing` helpers.
 */

/** The chat-format tokens the Kimi renderers write (names as in Kimi's tokenizer_config.json). */
export const KIMI_CHAT_SPECIALS = [
  "<|im_end|>",
  "<|im_user|>",
  "<|im_assistant|>",
  "<|im_system|>",
  "<|im_middle|>",
  "<think>",
  "</think>",
  "<|tool_calls_section_begin|>",
  "<|tool_calls_section_end|>",
  "<|tool_call_begin|>",
  "<|tool_call_argument_begin|>",
  "<|tool_call_end|>",
  "<|media_begin|>",
  "<|media_content|>",
  "<|media_end|>",
] as const;

/** Kimi's BOS and EOS names (the first two ids after the ranks in tokenizer_config.json). */
export const KIMI_BOS_EOS = ["[BOS]", "[EOS]"] as const;
