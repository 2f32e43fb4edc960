// Built-in solvers: generate, system message, prompt template, chain of thought, multiple choice, self-critique,
// and `solver()` for user-defined steps. Templates fill `{prompt}`, `{question}`, `{choices}`, `{letters}` and any
// sample metadata key.
import type { ChatModel } from "./model.js";
import type { ChatMessage, GenerateConfig, Solver, TaskState } from "./types.js";
import { TaskDefinitionError } from "./types.js";

export function fillTemplate(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, key: string) =>
    key in vars && vars[key] !== undefined && vars[key] !== null ? String(vars[key]) : whole,
  );
}

function lastUser(state: TaskState): ChatMessage {
  for (let i = state.messages.length - 1; i >= 0; i--)
    if (state.messages[i]!.role === "user") return state.messages[i]!;
  throw new TaskDefinitionError("the solver needs a user message but the conversation has none");
}

/** A user-defined step. */
export function solver(name: string, solve: Solver["solve"], params?: Record<string, unknown>): Solver {
  return { name, solve, ...(params ? { params } : {}) };
}

export function generate(config: GenerateConfig = {}): Solver {
  return solver("generate", (state, gen) => gen(state, config), { ...config });
}

/** Adds a system message after any existing ones. */
export function systemMessage(template: string): Solver {
  return solver(
    "system_message",
    async (state) => {
      const content = fillTemplate(template, { ...state.sample.metadata });
      const at = state.messages.findIndex((m) => m.role !== "system");
      state.messages.splice(at < 0 ? state.messages.length : at, 0, { role: "system", content });
      return state;
    },
    { template },
  );
}

/** Rewrites the last user message through `template` (`{prompt}` = its current text). */
export function promptTemplate(template: string, params: Record<string, unknown> = {}): Solver {
  return solver(
    "prompt_template",
    async (state) => {
      const m = lastUser(state);
      m.content = fillTemplate(template, { ...state.sample.metadata, ...params, prompt: m.content });
      return state;
    },
    { template, ...params },
  );
}

export const DEFAULT_COT_TEMPLATE =
  '{prompt}\n\nThink it through step by step first. Then write your final answer on a last line of the form "ANSWER: $ANSWER", where $ANSWER is the answer.';

export function chainOfThought(template = DEFAULT_COT_TEMPLATE): Solver {
  const t = promptTemplate(template);
  return { ...t, name: "chain_of_thought" };
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const letterOf = (i: number) => LETTERS[i] ?? String(i);

export const DEFAULT_MC_TEMPLATE =
  'Answer the following multiple choice question. The last line of your response should be of the form "ANSWER: $LETTER" (without quotes) where LETTER is one of {letters}.\n\n{question}\n\n{choices}';

/** The letter the answer picks: "ANSWER: X" when present, else a lone letter at the start or end. */
export function parseChoiceAnswer(text: string, n: number): string | undefined {
  const valid = LETTERS.slice(0, n);
  const m = /ANSWER\s*[:：]\s*\(?([A-Z])\)?/i.exec(text);
  if (m && valid.includes(m[1]!.toUpperCase())) return m[1]!.toUpperCase();
  const lone = /^\s*\(?([A-Z])\)?(?:[.):\s]|$)/.exec(text) ?? /(?:^|\s)\(?([A-Z])\)?[.)]?\s*$/.exec(text);
  if (lone && valid.includes(lone[1]!)) return lone[1];
  return undefined;
}

/** Shows the choices as "A) …", generates, and stores the picked letter in `state.store.choice`. */
export function multipleChoice(o: { template?: string; config?: GenerateConfig } = {}): Solver {
  const template = o.template ?? DEFAULT_MC_TEMPLATE;
  return solver(
    "multiple_choice",
    async (state, gen) => {
      const choices = state.sample.choices ?? [];
      if (choices.length < 2)
        throw new TaskDefinitionError(`sample ${state.sample.id}: multiple choice needs ≥ 2 choices`);
      state.choices = [...choices];
      const m = lastUser(state);
      m.content = fillTemplate(template, {
        ...state.sample.metadata,
        question: m.content,
        choices: choices.map((c, i) => `${letterOf(i)}) ${c}`).join("\n"),
        letters: choices.map((_, i) => letterOf(i)).join(", "),
      });
      const out = await gen(state, o.config);
      const pick = parseChoiceAnswer(out.output.completion, choices.length);
      if (pick !== undefined) out.store["choice"] = pick;
      return out;
    },
    { template },
  );
}

export const DEFAULT_CRITIQUE_TEMPLATE =
  "Given the following question and answer, write a critique of the answer. If the answer is already correct, say so.\n\n[Question]\n{question}\n\n[Answer]\n{completion}\n\nCritique:";
export const DEFAULT_REVISION_TEMPLATE =
  "Given the following question, initial answer and critique, write an improved answer. If the original answer was already correct, repeat it.\n\n[Question]\n{question}\n\n[Answer]\n{completion}\n\n[Critique]\n{critique}\n\nImproved answer:";

/** Critiques the last answer (with `critic`, default the model under test) and asks the model to revise it. */
export function selfCritique(
  o: {
    critic?: ChatModel;
    critiqueTemplate?: string;
    revisionTemplate?: string;
    config?: GenerateConfig;
  } = {},
): Solver {
  const critiqueTemplate = o.critiqueTemplate ?? DEFAULT_CRITIQUE_TEMPLATE;
  const revisionTemplate = o.revisionTemplate ?? DEFAULT_REVISION_TEMPLATE;
  return solver(
    "self_critique",
    async (state, gen) => {
      const question = typeof state.sample.input === "string" ? state.sample.input : lastUser(state).content;
      const vars = { ...state.sample.metadata, question, completion: state.output.completion };
      const ask: ChatMessage[] = [{ role: "user", content: fillTemplate(critiqueTemplate, vars) }];
      let critique: string;
      if (o.critic) {
        critique = (await o.critic.generate(ask, o.config)).completion;
      } else {
        const side = { ...state, messages: ask, store: {} };
        critique = (await gen(side, o.config)).output.completion;
        state.usage = side.usage;
      }
      state.store["critique"] = critique;
      state.messages.push({ role: "user", content: fillTemplate(revisionTemplate, { ...vars, critique }) });
      return gen(state, o.config);
    },
    { critiqueTemplate, revisionTemplate },
  );
}
