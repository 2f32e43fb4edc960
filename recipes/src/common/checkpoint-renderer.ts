// The renderer a checkpoint was trained with, read back from its training run's user metadata (`renderer_name`,
// written by the SL/DPO/RL loops), so a follow-up run on those weights keeps the chat format they learned.
import type { ServiceClient } from "@crucible/tinker-client";
import type { RecipeContext, ResolvedExtras } from "../recipe.js";

/** `renderer_name` of the run that wrote `tinkerPath`, or undefined when the run did not record one. */
export async function checkpointRendererName(
  service: Pick<ServiceClient, "createRestClient">,
  tinkerPath: string,
): Promise<string | undefined> {
  const run = await service.createRestClient().getTrainingRunByTinkerPath(tinkerPath);
  const name = run.userMetadata?.renderer_name;
  return name ? name : undefined;
}

/** A checkpoint the run starts from (or scores with) and the renderer its training run recorded. */
export interface CheckpointRenderer {
  /** What the checkpoint is to this run, for messages: `load_checkpoint_path=tinker://…`. */
  label: string;
  rendererName: string;
}

/**
 * The renderer to use: the config's when the user named one (warning for each checkpoint trained with another),
 * else the first checkpoint's (warning when a later one differs), else null (the caller keeps its default).
 */
export function pickRenderer(
  configured: string | null,
  fromCheckpoints: readonly CheckpointRenderer[],
  warn: (message: string) => void,
): string | null {
  const chosen = configured ?? fromCheckpoints[0]?.rendererName ?? null;
  for (const c of fromCheckpoints) {
    if (chosen !== null && c.rendererName !== chosen)
      warn(
        `${configured ? `renderer_name=${configured}` : `renderer ${chosen}`} differs from the renderer of ` +
          `${c.label} (${c.rendererName}); its weights were trained with ${c.rendererName}`,
      );
  }
  return chosen;
}

/** The resolved-config fields the run-time choice reads. */
export interface RunRendererFields extends ResolvedExtras {
  renderer_name: string | null;
  load_checkpoint_path: string | null;
  log_path: string | null;
}

/**
 * The renderer a run uses, decided once the backend is open: a user-given `renderer_name` wins; otherwise the
 * renderer recorded by the checkpoint the run starts from (the resumed state in `log_path`, else
 * `load_checkpoint_path`), else by `teacherCheckpoint` (distillation: the student then speaks the teacher's chat
 * format), else the resolved default. A checkpoint whose run cannot be read is skipped with a warning.
 */
export async function runRenderer(
  service: Pick<ServiceClient, "createRestClient">,
  c: RunRendererFields,
  ctx: RecipeContext,
  opts: { teacherCheckpoint?: string | null; checkpointField?: string } = {},
): Promise<string> {
  const warn = ctx.warn ?? ctx.print;
  const { getLastCheckpoint } = await import("@crucible/train");
  const { getRendererNames } = await import("@crucible/renderers");
  const sources: { label: string; path: string }[] = [];
  const resumed = c.log_path ? getLastCheckpoint(c.log_path)?.statePath : undefined;
  if (resumed) sources.push({ label: `the resumed checkpoint ${resumed}`, path: resumed });
  else if (c.load_checkpoint_path)
    sources.push({
      label: `${opts.checkpointField ?? "load_checkpoint_path"}=${c.load_checkpoint_path}`,
      path: c.load_checkpoint_path,
    });
  if (opts.teacherCheckpoint)
    sources.push({ label: `teacher_checkpoint=${opts.teacherCheckpoint}`, path: opts.teacherCheckpoint });
  const found: CheckpointRenderer[] = [];
  for (const { label, path } of sources) {
    let name: string | undefined;
    try {
      name = await checkpointRendererName(service, path);
    } catch (e) {
      warn(`could not read the renderer of ${label}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (name === undefined) continue;
    if (!getRendererNames().includes(name)) {
      warn(`${label} was trained with renderer ${name}, which this build does not have; ignoring it`);
      continue;
    }
    found.push({ label, rendererName: name });
  }
  const configured = c.renderer_name_given === false ? null : c.renderer_name;
  const chosen = pickRenderer(configured, found, warn) ?? c.renderer_name;
  if (chosen === null) throw new TypeError("runRenderer: the config has no resolved renderer_name");
  if (configured === null && found[0] && chosen !== c.renderer_name)
    ctx.print(`renderer_name=${chosen} (from ${found[0].label})`);
  return chosen;
}
