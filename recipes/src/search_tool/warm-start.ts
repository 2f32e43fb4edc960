// By-hand script (no test runs it): SFT a model on one tool-use demonstration — question, `search` call, tool
// result, "Answer: …" — so that the search_tool RL loop then sees the policy call the tool by itself. A random tiny
// model never emits a well-formed tool call; this memorises one episode (it shows the loop, not generalisation).
//   CRUCIBLE_LOCAL_DIR=/tmp/stw/store pnpm exec tsx src/search_tool/warm-start.ts <steps> <lr> [from_state] [out_dir]
// prints the per-step NLL and the final checkpoint's paths; writes <out_dir>/qa.jsonl (the one question).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_SEARCH_CORPUS, LocalSearchTool, SearchIndex, searchConvoPrefix } from "@crucible/env";
import { getRenderer, getTokenizer, type Message } from "@crucible/renderers";
import { checkpointClientFor, computeMeanNll, conversationToDatum, saveCheckpoint } from "@crucible/train";
import { openBackend } from "../common/backend.js";

const MODEL = "crucible/tiny-qwen3";

async function main(): Promise<void> {
  const [stepsArg = "40", lrArg = "5e-3", from, outDir = "/tmp/stw/sft"] = process.argv.slice(2);
  const steps = Number(stepsArg);
  const lr = Number(lrArg);
  mkdirSync(outDir, { recursive: true });
  const renderer = getRenderer("qwen3_instruct", await getTokenizer("Qwen/Qwen3-8B"));
  const tool = new LocalSearchTool(new SearchIndex(BUNDLED_SEARCH_CORPUS), 3);
  const q = { question: "In which city was Marie Curie born?", answer: ["Warsaw"] };
  writeFileSync(join(outDir, "qa.jsonl"), `${JSON.stringify(q)}\n`);
  const call = {
    type: "function" as const,
    function: { name: "search", arguments: JSON.stringify({ query_list: ["Marie Curie"] }) },
  };
  const msgs: Message[] = [
    ...searchConvoPrefix(renderer, tool),
    { role: "user", content: q.question },
    { role: "assistant", content: "", toolCalls: [call] },
    ...tool.invoke(call),
    { role: "assistant", content: "Answer: Warsaw" },
  ];
  const datum = conversationToDatum(msgs, renderer, 4096, "all_assistant_messages");
  const session = await openBackend("local", null, [MODEL]);
  try {
    const tc = from
      ? await session.service.createTrainingClientFromState(from)
      : await session.service.createLoraTrainingClient({ baseModel: MODEL, rank: 32 });
    for (let s = 0; s < steps; s++) {
      const fb = tc.forwardBackward([datum], "cross_entropy");
      const op = tc.optimStep({ learningRate: lr, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
      const out = await fb;
      await op;
      const nll = computeMeanNll(
        out.lossFnOutputs.map((o) => o.logprobs?.data ?? []),
        [datum.lossFnInputs["weights"]?.data ?? []],
      );
      console.log(`step ${s} nll ${nll.toFixed(4)}`);
    }
    console.log(
      JSON.stringify(
        await saveCheckpoint(checkpointClientFor(tc), "final", outDir, { batch: steps }, "both"),
      ),
    );
  } finally {
    await session.close();
  }
}

await main();
