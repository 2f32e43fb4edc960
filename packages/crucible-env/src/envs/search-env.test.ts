// The search-tool env round trip with a real Qwen3 renderer: the policy's tokens are a rendered tool call, the env
// searches the bundled index and answers with a tool message, and the final answer is graded as the cookbook does.
import { getRenderer, getTokenizerSync, type Message, type ToolCall } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import type { TokenCompleter } from "../completers.js";
import { trajectoryToData } from "../data-processing.js";
import { doSingleRollout } from "../rollouts.js";
import { BUNDLED_SEARCH_CORPUS, BUNDLED_SEARCH_QUESTIONS } from "./search-corpus.js";
import { SearchDataset } from "./search-data.js";
import { extractSearchAnswer, normalizeAnswer, SearchEnv, searchConvoPrefix } from "./search-env.js";
import { SearchIndex } from "./search-index.js";
import { LocalSearchTool } from "./search-tool.js";

const tokenizer = getTokenizerSync("Qwen/Qwen3-8B");
const renderer = getRenderer("qwen3_instruct", tokenizer);
const tool = new LocalSearchTool(new SearchIndex(BUNDLED_SEARCH_CORPUS), 3);
const curie = { question: "In which city was Marie Curie born?", answers: ["Warsaw"] };

function call(name: string, args: unknown): ToolCall {
  return {
    type: "function",
    function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args) },
  };
}

/** The tokens a policy samples to produce `reply` after `history`: the rendered conversation minus the prompt. */
function sampledTokens(history: Message[], reply: Message): number[] {
  const prompt = ModelInput.toInts(renderer.buildGenerationPrompt(history));
  const full = ModelInput.toInts(renderer.buildSupervisedExample([...history, reply]).modelInput);
  expect(full.slice(0, prompt.length)).toEqual(prompt);
  return full.slice(prompt.length);
}

function env(opts: { maxNumCalls?: number; maxTrajectoryTokens?: number } = {}): SearchEnv {
  return new SearchEnv(renderer, curie, tool, { convoPrefix: searchConvoPrefix(renderer, tool), ...opts });
}

const toolCallReply = (args: unknown, name = "search"): Message => ({
  role: "assistant",
  content: "",
  toolCalls: [call(name, args)],
});
const answerReply = (text: string): Message => ({ role: "assistant", content: text });

describe("SearchEnv", () => {
  it("round trip: rendered tool call → search results as a tool message → graded answer", async () => {
    const e = env();
    const init = await e.initialObservation();
    if (init.kind !== "observation") throw new Error("overflow");
    const prompt = tokenizer.decode(ModelInput.toInts(init.observation));
    expect(prompt).toContain("<tools>");
    expect(prompt).toContain('"name": "search"');
    expect(prompt).toContain(curie.question);

    const ac1 = sampledTokens(e.messages, toolCallReply({ query_list: ["Marie Curie born"] }));
    expect(tokenizer.decode(ac1)).toContain("<tool_call>");
    const s1 = await e.step(ac1);
    expect(s1.episodeDone).toBe(false);
    expect(s1.reward).toBe(0);
    expect(s1.metrics).toEqual({ tool_call: 1 });
    const toolMsg = e.messages.at(-1)!;
    expect(toolMsg.role).toBe("tool");
    expect(toolMsg.content).toMatch(/^Query: Marie Curie born\nDocument 1:\nMarie Curie\n.*Warsaw/);
    // The next prompt extends the previous prompt + the sampled tokens, so the turns train as one sequence.
    const next = ModelInput.toInts(s1.nextObservation);
    expect(next.slice(0, ModelInput.length(init.observation) + ac1.length)).toEqual([
      ...ModelInput.toInts(init.observation),
      ...ac1,
    ]);
    expect(tokenizer.decode(next)).toContain("<tool_response>\nQuery: Marie Curie born");

    const s2 = await e.step(
      sampledTokens(e.messages, answerReply("She was born in Warsaw.\nAnswer: Warsaw")),
    );
    expect(s2.episodeDone).toBe(true);
    expect(s2.reward).toBe(1);
    expect(s2.metrics).toEqual({
      tool_call: 0,
      format: 1,
      correct: 1,
      num_tool_calls: 1,
      "stop/completed": 1,
    });
  });

  it("a rollout through doSingleRollout merges the tool and answer turns into one datum", async () => {
    const replies = [toolCallReply({ query_list: ["Marie Curie"] }), answerReply("Answer: warsaw")];
    let turn = 0;
    const policy: TokenCompleter = async () => {
      const tokens = sampledTokens(e.messages, replies[turn++]!);
      return { tokens, maybeLogprobs: tokens.map(() => -1), stopReason: "stop" };
    };
    const e = env();
    const traj = await doSingleRollout(policy, e);
    expect(traj.transitions.map((t) => t.reward)).toEqual([0, 1]);
    expect(traj.stopReason).toBe("completed");
    const data = trajectoryToData(traj, 0.5);
    expect(data).toHaveLength(1);
    const adv = data[0]!.lossFnInputs["advantages"]!.data as number[];
    const acTokens = traj.transitions.reduce((n, t) => n + t.ac.tokens.length, 0);
    expect(adv.filter((a) => a === 0.5)).toHaveLength(acTokens);
  });

  it("grades answers like the cookbook: wrong, missing Answer:, truncated", async () => {
    const grade = async (tokens: number[]) => (await env().step(tokens)).metrics;
    const ask = [{ role: "user", content: curie.question }] as Message[];
    expect(await grade(sampledTokens(ask, answerReply("Answer: Paris")))).toMatchObject({
      format: 1,
      correct: 0,
    });
    const noPrefix = await env().step(sampledTokens(ask, answerReply("Warsaw")));
    expect(noPrefix.reward).toBeCloseTo(-0.1, 12);
    // No stop token: not well formed, but the answer still counts (reward 1 − 0.1).
    const truncated = await env().step(tokenizer.encode("Answer: Warsaw"));
    expect(truncated.metrics).toMatchObject({ format: 0, correct: 1 });
    expect(truncated.reward).toBeCloseTo(0.9, 12);
  });

  it("a bad query_list gets an error tool message; the episode goes on", async () => {
    const e = env();
    await e.initialObservation();
    const s = await e.step(sampledTokens(e.messages, toolCallReply({ query: "Curie" })));
    expect(s.episodeDone).toBe(false);
    expect(e.messages.at(-1)!.content).toBe("Error invoking search tool: query_list is required");
  });

  it("ends with reward 0 on an unknown tool, too many calls, or a context overflow", async () => {
    const unknown = env();
    await unknown.initialObservation();
    const s = await unknown.step(
      sampledTokens(unknown.messages, toolCallReply({ query_list: ["x"] }, "browse")),
    );
    expect(s).toMatchObject({ episodeDone: true, reward: 0 });
    expect(s.metrics).toMatchObject({ "stop/tool_stopped": 1 });
    expect(s.logs?.["tool_error"]).toMatch(/unknown tool "browse"/);

    const greedy = env({ maxNumCalls: 2 });
    await greedy.initialObservation();
    const steps = [];
    for (let i = 0; i < 3; i++)
      steps.push(
        await greedy.step(sampledTokens(greedy.messages, toolCallReply({ query_list: [`Curie ${i}`] }))),
      );
    expect(steps.map((x) => x.episodeDone)).toEqual([false, false, true]);
    expect(steps[2]!.metrics).toMatchObject({ "stop/max_tool_calls": 1, num_tool_calls: 3 });

    // A limit just above prompt + tool call: the search results push the next prompt over it.
    const probe = env();
    const init = await probe.initialObservation();
    const ac = sampledTokens(probe.messages, toolCallReply({ query_list: ["Marie Curie"] }));
    const limit = (init.kind === "observation" ? ModelInput.length(init.observation) : 0) + ac.length + 5;
    const small = env({ maxTrajectoryTokens: limit });
    await small.initialObservation();
    const o = await small.step(ac);
    expect(o.metrics).toMatchObject({ "stop/context_overflow": 1 });
    expect(o.reward).toBe(0);
  });

  it("renderers without a tool-call format are refused", () => {
    const llama = getRenderer("role_colon", tokenizer);
    expect(() => searchConvoPrefix(llama, tool)).toThrow(/no tool declaration format/);
  });
});

describe("answer normalisation (values from the cookbook's normalize_answer in Python)", () => {
  it.each([
    ["The Louvre.", "louvre"],
    ["  Stratford-upon-Avon ", "stratforduponavon"],
    ["an Apple a day", "apple day"],
    ["Theatre of the Absurd", "theatre of absurd"],
    ["A.B.C!", "abc"],
    ["Guido van\tRossum\n", "guido van rossum"],
    ["the", ""],
    ["Ming Dynasty's wall", "ming dynastys wall"],
    ["Answer: (Warsaw)", "answer warsaw"],
    ["1,889", "1889"],
    ["Thé Café", "thé café"],
  ])("%j → %j", (input, want) => expect(normalizeAnswer(input)).toBe(want));

  it.each([
    ["Answer: Bonn", "Bonn"],
    ["I think... Answer:  Bonn \n", "Bonn"],
    ["no answer", null],
    ["Answer: a Answer: b", null],
    ["Answer:", ""],
  ])("extract %j → %j", (input, want) => expect(extractSearchAnswer(input)).toBe(want));
});

describe("bundled corpus and questions", () => {
  it("every answer is in the corpus, and searching the question finds it in the top 3 for most questions", () => {
    const corpusText = normalizeAnswer(BUNDLED_SEARCH_CORPUS.map((d) => `${d.title} ${d.text}`).join(" "));
    let found = 0;
    for (const q of BUNDLED_SEARCH_QUESTIONS) {
      expect(
        q.answers.some((a) => corpusText.includes(normalizeAnswer(a))),
        q.question,
      ).toBe(true);
      const hits = tool.index.search(q.question, 3).map((h) => normalizeAnswer(h.document.text));
      if (hits.some((t) => q.answers.some((a) => t.includes(normalizeAnswer(a))))) found++;
    }
    expect(found / BUNDLED_SEARCH_QUESTIONS.length).toBeGreaterThanOrEqual(0.9);
  });

  it("the dataset serves shuffled batches of groups over one index", async () => {
    const ds = new SearchDataset({ renderer, batchSize: 4, groupSize: 2, seed: 0 });
    expect(ds.length).toBe(Math.floor(BUNDLED_SEARCH_QUESTIONS.length / 4));
    const batch = ds.getBatch(0);
    expect(batch).toHaveLength(4);
    const envs = (await batch[0]!.makeEnvs()) as SearchEnv[];
    expect(envs).toHaveLength(2);
    expect(envs[0]!.problem).toBe(envs[1]!.problem);
    expect(new SearchDataset({ renderer, batchSize: 4, groupSize: 2, seed: 1 }).questions).not.toEqual(
      ds.questions,
    );
    expect(() => new SearchDataset({ renderer, batchSize: 100, groupSize: 2, seed: 0 })).toThrow(
      /fewer than one batch/,
    );
  });
});
