// Inspect AI's eval-log format (EvalLog version 2, `inspect_ai/log/_log.py`), the subset Crucible writes. Field
// names are Inspect's (snake_case) so Inspect's viewer and `read_eval_log` open the files.

export interface InspectChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  source?: "input" | "generate";
  model?: string;
}

export interface InspectUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

export interface InspectModelOutput {
  model: string;
  choices: { message: InspectChatMessage; stop_reason: "stop" | "max_tokens" | "unknown" }[];
  completion: string;
  usage?: InspectUsage;
  time?: number;
}

export interface InspectScore {
  value: number | boolean | string;
  answer?: string | null;
  explanation?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface InspectEvalError {
  message: string;
  traceback: string;
  traceback_ansi: string;
}

export interface InspectEvalSample {
  id: string | number;
  epoch: number;
  input: string | InspectChatMessage[];
  choices?: string[] | null;
  target: string | string[];
  messages: InspectChatMessage[];
  output: InspectModelOutput;
  scores?: Record<string, InspectScore> | null;
  metadata: Record<string, unknown>;
  store: Record<string, unknown>;
  events: unknown[];
  model_usage: Record<string, InspectUsage>;
  started_at?: string;
  completed_at?: string;
  total_time?: number | null;
  working_time?: number | null;
  uuid?: string;
  error?: InspectEvalError | null;
  attachments: Record<string, string>;
}

export interface InspectEvalMetric {
  name: string;
  value: number;
  params: Record<string, unknown>;
}

export interface InspectEvalScore {
  name: string;
  scorer: string;
  reducer?: string | null;
  scored_samples?: number;
  unscored_samples?: number;
  params: Record<string, unknown>;
  metrics: Record<string, InspectEvalMetric>;
}

export interface InspectEvalLog {
  version: 2;
  status: "started" | "success" | "cancelled" | "error";
  eval: {
    eval_id: string;
    run_id: string;
    created: string;
    task: string;
    task_id: string;
    task_version: number;
    task_attribs: Record<string, unknown>;
    task_args: Record<string, unknown>;
    task_args_passed: Record<string, unknown>;
    dataset: {
      name?: string | null;
      location?: string | null;
      samples: number;
      sample_ids: (string | number)[];
      shuffled: boolean;
    };
    model: string;
    model_generate_config: Record<string, unknown>;
    model_args: Record<string, unknown>;
    config: Record<string, unknown>;
    packages: Record<string, string>;
    scorers?: {
      name: string;
      options: Record<string, unknown>;
      metrics: { name: string; options: Record<string, unknown> }[];
    }[];
    metadata?: Record<string, unknown> | null;
  };
  plan: {
    name: string;
    steps: { solver: string; params: Record<string, unknown>; params_passed: Record<string, unknown> }[];
    config: Record<string, unknown>;
  };
  results?: { total_samples: number; completed_samples: number; scores: InspectEvalScore[] } | null;
  stats: { started_at: string; completed_at: string; model_usage: Record<string, InspectUsage> };
  error?: InspectEvalError | null;
  samples?: InspectEvalSample[];
  reductions?: {
    scorer: string;
    reducer?: string | null;
    samples: (InspectScore & { sample_id: string | number })[];
  }[];
}
