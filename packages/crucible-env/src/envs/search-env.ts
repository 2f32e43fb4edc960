// The tool-use search env (cookbook recipes/tool_use/search/search_env.py): the policy may call the `search`
// tool in its renderer's tool-call format; each call's results come back as a tool message and the episode goes
// on; a reply without a tool call is the final answer, graded against the reference answers after
// SQuAD-style normalisation. Reward = formatCoef·(format − 1) + correct on the answer turn, 0 on tool turns.
import { getTextContent } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { problemReward } from "../problem-env.js";
import type { EnvMessage, EnvRenderer } from "../renderer.js";
import type { Action, Env, InitialObservation, Metrics, StepResult } from "../types.js";
import type { SearchQuestion } from "./search-corpus.js";
import { type LocalSearchTool, ToolCallError } from "./search-tool.js";

/** What the policy is told besides the tool declaration (which the renderer writes in its own format). */
export const SEARCH_SYSTEM_PROMPT =
  "You answer questions using a search tool over a document collection.\n" +
  "1. Think about what you need to know, then call the search tool with one or more queries.\n" +
  "2. Read the results. If they are not enough, search again with new queries.\n" +
  '3. Give your final answer after the "Answer:" prefix, in one to five words, without calling a tool.';

/** The cookbook's `normalize_answer`: lower case, ASCII punctuation removed, articles removed, whitespace collapsed. */
export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  const noPunct = lower.replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, "");
  const noArticles = noPunct.replace(/\b(a|an|the)\b/g, " ");
  return noArticles
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .join(" ");
}

/** The text after the single `Answer:` in the reply, or null (none, or more than one). */
export function extractSearchAnswer(text: string): string | null {
  const parts = text.split("Answer:");
  if (parts.length !== 2) return null;
  return (parts[1] as string).trim();
}

export interface SearchEnvOptions {
  /** Messages before the question: the tool declaration and instructions (see `searchConvoPrefix`). */
  convoPrefix: EnvMessage[];
  /** The episode fails (reward 0) when the next prompt would be longer than this. Default 32768. */
  maxTrajectoryTokens?: number;
  /** The episode fails (reward 0) on the call after this many. Default 4. */
  maxNumCalls?: number;
  /** Default 0.1. */
  formatCoef?: number;
}

/** The cookbook's conversation prefix: one system message with the instructions and the renderer's tool block. */
export function searchConvoPrefix(
  renderer: Pick<import("@crucible/renderers").Renderer, "createConversationPrefixWithTools">,
  tool: LocalSearchTool,
  systemPrompt = SEARCH_SYSTEM_PROMPT,
): EnvMessage[] {
  return renderer.createConversationPrefixWithTools([tool.spec], systemPrompt);
}

export class SearchEnv implements Env {
  readonly maxTrajectoryTokens: number;
  readonly maxNumCalls: number;
  readonly formatCoef: number;
  /** The conversation so far (prefix, question, replies, tool results), for transcripts. */
  messages: EnvMessage[] = [];
  numCalls = 0;

  constructor(
    readonly renderer: EnvRenderer,
    readonly problem: SearchQuestion,
    readonly tool: LocalSearchTool,
    readonly opts: SearchEnvOptions,
  ) {
    this.maxTrajectoryTokens = opts.maxTrajectoryTokens ?? 32 * 1024;
    this.maxNumCalls = opts.maxNumCalls ?? 4;
    this.formatCoef = opts.formatCoef ?? 0.1;
  }

  getReferenceAnswer(): string {
    return this.problem.answers.length > 0 ? this.problem.answers.join(" OR ") : "N/A";
  }

  checkFormat(text: string): boolean {
    return extractSearchAnswer(text) !== null;
  }

  checkAnswer(text: string): boolean {
    const a = extractSearchAnswer(text);
    if (a === null) return false;
    const got = normalizeAnswer(a);
    return this.problem.answers.some((g) => normalizeAnswer(g) === got);
  }

  async initialObservation(): Promise<InitialObservation> {
    this.messages = [...this.opts.convoPrefix, { role: "user", content: this.problem.question }];
    return {
      kind: "observation",
      observation: this.renderer.buildGenerationPrompt(this.messages),
      stopCondition: this.renderer.getStopSequences(),
    };
  }

  async step(action: Action): Promise<StepResult> {
    const { message, termination } = this.renderer.parseResponse(action);
    this.messages.push({ ...message, role: "assistant" });
    const call = message.toolCalls?.[0];
    if (call !== undefined) {
      this.numCalls++;
      if (this.numCalls > this.maxNumCalls) return this.fail("max_tool_calls");
      let results: EnvMessage[];
      try {
        results = this.tool.invoke(call);
      } catch (e) {
        if (e instanceof ToolCallError) return this.fail("tool_stopped", e.message);
        throw e;
      }
      this.messages.push(...results);
      const next = this.renderer.buildGenerationPrompt(this.messages);
      if (ModelInput.length(next) > this.maxTrajectoryTokens) return this.fail("context_overflow");
      return {
        reward: 0,
        episodeDone: false,
        nextObservation: next,
        nextStopCondition: this.renderer.getStopSequences(),
        metrics: { tool_call: 1 },
        logs: {},
      };
    }
    const text = getTextContent(message);
    const format = termination === "stop_sequence" && this.checkFormat(text) ? 1 : 0;
    const correct = this.checkAnswer(text) ? 1 : 0;
    return this.done(problemReward(this.formatCoef, format, correct), "completed", {
      tool_call: 0,
      format,
      correct,
    });
  }

  /** A tool-call turn the env cannot continue from; the cookbook ends it with reward 0 (no format penalty). */
  private fail(reason: string, error?: string): StepResult {
    return this.done(0, reason, { tool_call: 1 }, error);
  }

  private done(reward: number, reason: string, metrics: Metrics, error?: string): StepResult {
    return {
      reward,
      episodeDone: true,
      nextObservation: ModelInput.empty(),
      nextStopCondition: this.renderer.getStopSequences(),
      metrics: { ...metrics, num_tool_calls: this.numCalls, [`stop/${reason}`]: 1 },
      logs: error === undefined ? {} : { tool_error: error },
    };
  }
}
