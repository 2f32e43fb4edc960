// The CLI's contract: typed key=value parsing through each recipe's schema, one-line errors with exit
// code 2 and nothing written, --dry-run, --help from the schema, and the log-dir policy.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECIPES } from "../registry.js";
import { type CliIO, runCli } from "./app.js";
import { allKeys } from "./schema.js";

const cmds = { recipes: async () => RECIPES };

async function cli(argv: string[], logDir?: CliIO["logDir"]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, cmds, { out: (l) => out.push(l), err: (l) => err.push(l), logDir });
  return { code, out: out.join("\n"), err };
}

const tmp = () => mkdtempSync(join(tmpdir(), "crucible-cli-"));

describe("crucible run: bad configs", () => {
  const common: [string, string[], RegExp][] = [
    [
      "unknown key",
      ["lerning_rate=1e-4"],
      /unknown key 'lerning_rate' \(did you mean 'learning_rate'\?\); valid keys: .*learning_rate/,
    ],
    ["unknown model", ["model_name=acme/unknown-7B"], /model_name=acme\/unknown-7B: unknown model/],
    [
      "unknown renderer",
      ["renderer_name=qwen4"],
      /renderer_name=qwen4: unknown renderer \(did you mean 'qwen3'\?\)/,
    ],
    ["not key=value", ["learning_rate"], /expected key=value/],
  ];
  const sl: [string, string[], RegExp][] = [
    ["wrong type", ["batch_size=eight"], /batch_size=eight: expected int/],
    ["non-integer int", ["lora_rank=3.5"], /lora_rank=3.5: expected int/],
    ["out of range", ["batch_size=0"], /batch_size: .*>0|batch_size: .*greater than 0/i],
    [
      "bad enum",
      ["lr_schedule=cosin"],
      /lr_schedule=cosin: expected linear\|cosine\|constant \(did you mean 'cosine'\?\)/,
    ],
    [
      "missing dataset file",
      ["dataset=/no/such/file.jsonl"],
      /dataset=\/no\/such\/file.jsonl: file not found/,
    ],
  ];
  const specific: Record<string, [string, string[], RegExp][]> = {
    sl_basic: sl,
    chat_sl: sl,
    dpo: [
      ["wrong type", ["dpo_beta=high"], /dpo_beta=high: expected float/],
      [
        "missing dataset file",
        ["dataset=/no/such/file.jsonl"],
        /dataset=\/no\/such\/file.jsonl: file not found/,
      ],
    ],
    math_rl: [
      ["wrong type", ["group_size=four"], /group_size=four: expected int/],
      [
        "missing data dir",
        ["env=gsm8k", "data_dir=/no/such/dir"],
        /data_dir=\/no\/such\/dir: directory not found/,
      ],
      [
        "dataset not in the HF cache",
        ["env=deepmath"],
        /env=deepmath: dataset zwhe99\/DeepMath-103K is not in the Hugging Face cache \(looked in .*datasets--zwhe99--DeepMath-103K\) and HF_HUB_OFFLINE=1; fetch it with: crucible download dataset deepmath$/,
      ],
    ],
    sl_loop: [
      ["wrong type", ["batch_size=eight"], /batch_size=eight: expected int/],
      ["out of range", ["save_every=-1"], /save_every: .*>=0|save_every: .*greater than or equal to 0/i],
      ["bad enum", ["train_on_what=all"], /train_on_what=all: expected /],
      [
        "missing dataset file",
        ["dataset=/no/such/file.jsonl"],
        /dataset=\/no\/such\/file.jsonl: file not found/,
      ],
    ],
    rl_loop: [
      ["wrong type", ["group_size=four"], /group_size=four: expected int/],
      ["bad enum", ["dataset=gsm9k"], /dataset=gsm9k: expected .*gsm8k/],
    ],
    rl_basic: [
      ["wrong type", ["group_size=four"], /group_size=four: expected int/],
      [
        "missing data dir",
        ["env=gsm8k", "data_dir=/no/such/dir"],
        /data_dir=\/no\/such\/dir: directory not found/,
      ],
    ],
    code_rl: [
      ["wrong type", ["group_size=four"], /group_size=four: expected int/],
      [
        "missing problems file",
        ["problems_path=/no/such/problems.jsonl"],
        /problems_path=\/no\/such\/problems.jsonl: file not found/,
      ],
      ["key it does not have", ["env=gsm8k"], /unknown key 'env'/],
    ],
    prompt_distillation: [
      [
        "unknown benchmark in evals",
        ["evals=mmlux"],
        /evals: unknown benchmark 'mmlux' \(did you mean 'mmlu'\?\)/,
      ],
      ["wrong type", ["temperature=cold"], /temperature=cold: expected float/],
      [
        "missing prompts file",
        ["prompts_file=/no/such/prompts.txt"],
        /prompts_file=\/no\/such\/prompts.txt: file not found/,
      ],
      [
        "bad answer regex",
        ["answer_regex=(unclosed"],
        /answer_regex=\(unclosed: not a valid regular expression/,
      ],
      [
        "teacher path not tinker://",
        ["teacher_checkpoint=/tmp/ckpt"],
        /teacher_checkpoint=\/tmp\/ckpt: expected a tinker:\/\/ path/,
      ],
      [
        "unknown teacher model",
        ["teacher_model=acme/unknown-7B"],
        /teacher_model=acme\/unknown-7B: unknown model/,
      ],
      [
        "data file not .jsonl",
        ["file_path=/tmp/data.txt"],
        /file_path=\/tmp\/data.txt: expected a path ending in .jsonl/,
      ],
    ],
    shorter: [
      ["wrong type", ["group_size=four"], /group_size=four: expected int/],
      ["key it does not have", ["dataset=hhh"], /unknown key 'dataset'/],
    ],
    // rlhf names its model base_model and has per-stage learning rates, so it gets its own variants of `common`.
    rlhf: [
      [
        "unknown key",
        ["rl_lerning_rate=1e-4"],
        /unknown key 'rl_lerning_rate' \(did you mean 'rl_learning_rate'\?\)/,
      ],
      ["unknown model", ["base_model=acme/unknown-7B"], /base_model=acme\/unknown-7B: unknown model/],
      ["unknown renderer", ["renderer_name=qwen4"], /renderer_name=qwen4: unknown renderer/],
      ["wrong type", ["rl_group_size=four"], /rl_group_size=four: expected int/],
      [
        "bad comparison set",
        ["comparisons=hhhh"],
        /comparisons=hhhh: expected hhh, helpsteer3, ultrafeedback or a path ending in \.jsonl/,
      ],
      [
        "missing comparisons file",
        ["comparisons=/no/such/file.jsonl"],
        /comparisons=\/no\/such\/file.jsonl: file not found/,
      ],
      ["nothing to run", ["run_sft=false", "run_rm=false", "run_rl=false"], /nothing to run/],
      [
        "RL without an SFT checkpoint",
        ["run_sft=false"],
        /run_sft=false but no SFT checkpoint in .*; run stage 1 first/,
      ],
    ],
    guess_number: [
      ["wrong type", ["max_turns=ten"], /max_turns=ten: expected int/],
      [
        "out of range",
        ["max_trajectory_tokens=0"],
        /max_trajectory_tokens: .*>0|max_trajectory_tokens: .*greater than 0/i,
      ],
      [
        "train_fraction outside (0, 1)",
        ["train_fraction=1"],
        /train_fraction: .*<1|train_fraction: .*less than 1/i,
      ],
    ],
    twenty_questions: [
      ["wrong type", ["num_epochs=many"], /num_epochs=many: expected int/],
      [
        "unknown answerer model",
        ["answerer_base_model=acme/unknown-7B"],
        /answerer_base_model=acme\/unknown-7B: unknown model/,
      ],
      [
        "out of range",
        ["max_sampled_tokens=-5"],
        /max_sampled_tokens: .*>0|max_sampled_tokens: .*greater than 0/i,
      ],
    ],
    distillation: [
      ["wrong type", ["kl_penalty_coef=big"], /kl_penalty_coef=big: expected float/],
      [
        "prompt set not in the HF cache",
        ["dataset=deepmath"],
        /dataset=deepmath: dataset zwhe99\/DeepMath-103K is not in the Hugging Face cache \(looked in .*\) and HF_HUB_OFFLINE=1; fetch it with: crucible download dataset deepmath$/,
      ],
      [
        "missing dataset file",
        ["dataset=/no/such/file.jsonl"],
        /dataset=\/no\/such\/file.jsonl: file not found/,
      ],
    ],
  };
  const savedHub = process.env["HF_HUB_CACHE"];
  beforeAll(() => {
    process.env["HF_HUB_CACHE"] = tmp(); // an empty hub cache: no dataset is present locally
  });
  afterAll(() => {
    if (savedHub === undefined) delete process.env["HF_HUB_CACHE"];
    else process.env["HF_HUB_CACHE"] = savedHub;
  });
  for (const recipe of [
    "sl_basic",
    "chat_sl",
    "dpo",
    "math_rl",
    "distillation",
    "sl_loop",
    "rl_loop",
    "rl_basic",
    "code_rl",
    "prompt_distillation",
    "shorter",
    "rlhf",
    "guess_number",
    "twenty_questions",
  ]) {
    const cases = recipe === "rlhf" ? specific[recipe]! : [...common, ...(specific[recipe] ?? [])];
    it.each(cases)(`${recipe}: %s → one line, exit 2, nothing written`, async (_name, args, pattern) => {
      const dir = join(tmp(), "run");
      const r = await cli(["run", recipe, "backend=local", `log_path=${dir}`, "--if-exists=raise", ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^crucible: error: /);
      expect(r.err[0]).toMatch(pattern);
      expect(existsSync(dir)).toBe(false);
    });
  }

  const withEvals = RECIPES.filter((r) => allKeys(r.schema).some((f) => f.path === "evals")).map(
    (r) => r.name,
  );
  it("evals= is on every training recipe that has inline benchmarks wired", () => {
    expect(withEvals).toEqual(
      expect.arrayContaining([
        "dpo",
        "math_rl",
        "shorter",
        "rlhf",
        "guess_number",
        "twenty_questions",
        "search_tool",
      ]),
    );
  });
  it.each(withEvals)(
    "%s: unknown benchmark in evals= → one line, exit 2, nothing written",
    async (recipe) => {
      const dir = join(tmp(), "run");
      const r = await cli([
        "run",
        recipe,
        "backend=local",
        `log_path=${dir}`,
        "--if-exists=raise",
        "evals=gsm8k,mmlux",
      ]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(
        /^crucible: error: evals: unknown benchmark 'mmlux' \(did you mean 'mmlu'\?\)/,
      );
      expect(existsSync(dir)).toBe(false);
    },
  );

  it("rejects unknown recipes and options with a suggestion", async () => {
    expect((await cli(["run", "chat-sl"])).err[0]).toMatch(
      /unknown recipe 'chat-sl' \(did you mean 'chat_sl'\?\)/,
    );
    expect((await cli(["run", "dpo", "--dryrun"])).err[0]).toMatch(/unknown option '--dryrun'/);
    expect((await cli(["runn"])).err[0]).toMatch(/did you mean 'run'/);
  });

  it("checks nested keys and their types", async () => {
    const r = await cli(["run", "math_rl", "stream_minibatch_config.num_minibatchs=2"]);
    expect(r.err[0]).toMatch(/did you mean 'stream_minibatch_config.num_minibatches'/);
    const bad = await cli(["run", "math_rl", "stream_minibatch_config.num_minibatches=two"]);
    expect(bad.err[0]).toMatch(/stream_minibatch_config.num_minibatches=two: expected int/);
  });

  it("the real binary exits with code 2 and a single stderr line", () => {
    const main = resolve(__dirname, "main.ts");
    const tsx = resolve(__dirname, "../../../node_modules/.bin/tsx");
    const p = spawnSync(tsx, [main, "run", "dpo", "dpo_beta=high"], { encoding: "utf8" });
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split("\n")).toEqual(["crucible: error: dpo_beta=high: expected float"]);
    expect(p.stdout).toBe("");
  });
});

describe("crucible run --dry-run", () => {
  it("prints the resolved config with typed, nested overrides", async () => {
    const r = await cli([
      "run",
      "math_rl",
      "--dry-run",
      "backend=local",
      "group_size=8",
      "learning_rate=1e-4",
      "compute_post_kl=true",
      'loss_fn_config={"clip_low_threshold":0.8}',
      "max_steps=None",
    ]);
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.out);
    expect(cfg).toMatchObject({
      backend: "local",
      model_name: "crucible/tiny-qwen3",
      renderer_name: "role_colon",
      group_size: 8,
      learning_rate: 1e-4,
      compute_post_kl: true,
      groups_per_batch: 8,
      loss_fn_config: { clip_low_threshold: 0.8 },
      max_steps: null,
    });
    expect(cfg.log_path).toMatch(
      /^\/tmp\/tinker-examples\/math_rl\/arithmetic-crucible-tiny-qwen3-32rank-0.0001lr-8group-8batch-importance_sampling-seed0-\d{4}-/,
    );
  });

  it("stream_minibatch_config: both fields required, cookbook divisibility rules, one-line errors", async () => {
    const dry = (...a: string[]) => cli(["run", "math_rl", "--dry-run", "backend=local", ...a]);
    const ok = await dry(
      "stream_minibatch_config.groups_per_batch=8",
      "stream_minibatch_config.num_minibatches=2",
    );
    expect(ok.err).toEqual([]);
    expect(JSON.parse(ok.out).stream_minibatch_config).toEqual({ groups_per_batch: 8, num_minibatches: 2 });
    const cases: [string[], RegExp][] = [
      [["stream_minibatch_config.num_minibatches=2"], /stream_minibatch_config.groups_per_batch: required/],
      [
        ["stream_minibatch_config.groups_per_batch=4", "stream_minibatch_config.num_minibatches=2"],
        /stream_minibatch_config.groups_per_batch=4 must equal groups_per_batch=8/,
      ],
      [
        ["stream_minibatch_config.groups_per_batch=8", "stream_minibatch_config.num_minibatches=3"],
        /num_minibatches=3 must divide groups_per_batch \/ num_substeps = 8/,
      ],
      [
        [
          "num_substeps=3",
          "stream_minibatch_config.groups_per_batch=8",
          "stream_minibatch_config.num_minibatches=1",
        ],
        /groups_per_batch=8 must be divisible by num_substeps=3/,
      ],
      [
        [
          "max_steps_off_policy=1",
          "stream_minibatch_config.groups_per_batch=8",
          "stream_minibatch_config.num_minibatches=2",
        ],
        /cannot be combined/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await dry(...args);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(pattern);
    }
    expect((await cli(["run", "math_rl", "--dry-run", "env=gsm8k", "data_dir=/nope"])).err[0]).toMatch(
      /data_dir=\/nope: directory not found/,
    );
  });

  it("generates chat_sl run names with Python float formatting", async () => {
    const cfg = JSON.parse((await cli(["run", "chat_sl", "--dry-run", "learning_rate=1e-5"])).out);
    expect(cfg.log_path).toMatch(/\/chat_sl\/conversations-crucible-tiny-qwen3-32rank-1e-05lr-8batch-/);
  });

  it("every recipe resolves its defaults on the local backend", async () => {
    for (const recipe of RECIPES) {
      const r = await cli(["run", recipe.name, "--dry-run", "backend=local"]);
      expect(r.err).toEqual([]);
      expect(JSON.parse(r.out).log_path).toMatch(/^\/tmp\/tinker-examples\//);
    }
  });

  it("every recipe records whether renderer_name was given, for runRenderer's read-back at run time", async () => {
    for (const recipe of RECIPES) {
      if (!allKeys(recipe.schema).some((f) => f.path === "renderer_name")) continue;
      const dry = async (...a: string[]) =>
        JSON.parse((await cli(["run", recipe.name, "--dry-run", "backend=local", ...a])).out);
      const byDefault = await dry();
      expect(byDefault.renderer_name_given, recipe.name).toBe(false);
      const given = await dry(`renderer_name=${byDefault.renderer_name}`);
      expect(given, recipe.name).toMatchObject({
        renderer_name: byDefault.renderer_name,
        renderer_name_given: true,
      });
    }
  });

  it("later tokens win and numbers parse like Python", () => {
    fc.assert(
      fc.asyncProperty(
        fc.double({ min: 1e-9, max: 10, noNaN: true }),
        fc.double({ min: 1e-9, max: 10, noNaN: true }),
        async (a, b) => {
          const r = await cli(["run", "dpo", "--dry-run", `dpo_beta=${a}`, `dpo_beta=${b}`]);
          expect(JSON.parse(r.out).dpo_beta).toBe(b);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("crucible run --help and list", () => {
  it("documents every schema key with its description", async () => {
    for (const recipe of RECIPES) {
      const r = await cli(["run", recipe.name, "--help"]);
      expect(r.code).toBe(0);
      for (const f of allKeys(recipe.schema)) {
        expect(r.out).toContain(f.path);
        expect(f.description, `${recipe.name}.${f.path} has a description`).toBeTruthy();
      }
    }
  });

  it("lists the five recipes, then the further ports", async () => {
    const r = await cli(["list"]);
    expect(r.out.split("\n").map((l) => l.split(/\s+/)[0])).toEqual([
      "sl_basic",
      "chat_sl",
      "dpo",
      "math_rl",
      "distillation",
      "sl_loop",
      "rl_loop",
      "rl_basic",
      "code_rl",
      "search_tool",
      "prompt_distillation",
      "shorter",
      "rlhf",
      "guess_number",
      "twenty_questions",
    ]);
  });
});

describe("log-dir policy", () => {
  const existing = () => {
    const dir = join(tmp(), "run");
    mkdirSync(dir);
    writeFileSync(join(dir, "metrics.jsonl"), '{"step": 0}\n');
    return dir;
  };

  it("raise and non-interactive ask refuse an existing dir with exit 2 and leave it alone", async () => {
    for (const flag of ["--if-exists=raise", "--if-exists=ask"]) {
      const dir = existing();
      const r = await cli(["run", "sl_basic", `log_path=${dir}`, flag], { interactive: false });
      expect(r.code).toBe(2);
      expect(r.err[0]).toMatch(/already exists.*--if-exists=/);
      expect(readdirSync(dir)).toEqual(["metrics.jsonl"]);
    }
  });

  it("ask prompts until it gets delete, resume or exit", async () => {
    const dir = existing();
    const answers = ["maybe", "exit"];
    const asked: string[] = [];
    const r = await cli(["run", "sl_basic", `log_path=${dir}`], {
      interactive: true,
      ask: async (q) => {
        asked.push(q);
        return answers.shift()!;
      },
    });
    expect(r.code).toBe(0);
    expect(asked).toHaveLength(2);
    expect(existsSync(join(dir, "metrics.jsonl"))).toBe(true);
  });

  it("the behaviour key and the flag are the same setting", async () => {
    const a = JSON.parse((await cli(["run", "dpo", "--dry-run", "--if-exists=delete"])).out);
    const b = JSON.parse((await cli(["run", "dpo", "--dry-run", "behavior_if_log_dir_exists=delete"])).out);
    expect(a.behavior_if_log_dir_exists).toBe("delete");
    expect(b.behavior_if_log_dir_exists).toBe("delete");
  });
});
