import { ConfigurationError } from "../errors.js";

/** Cookbook `StreamMinibatchConfig`: both fields are required (no defaults). */
export interface StreamMinibatchConfig {
  /** Trajectory groups per training iteration, across all substeps and minibatches. */
  groupsPerBatch: number;
  /** `forward_backward` calls per optimizer substep. */
  numMinibatches: number;
}

export interface StreamMinibatchPlan {
  groupsPerSubstep: number;
  groupsPerMinibatch: number;
}

/**
 * The cookbook's divisibility rules: `groupsPerBatch % numSubsteps == 0` and
 * `(groupsPerBatch / numSubsteps) % numMinibatches == 0`. Throws a ConfigurationError naming the fields.
 */
export function streamMinibatchPlan(c: StreamMinibatchConfig, numSubsteps: number): StreamMinibatchPlan {
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!posInt(c.groupsPerBatch))
    throw new ConfigurationError(
      `streamMinibatchConfig.groupsPerBatch must be a positive integer, got ${c.groupsPerBatch}`,
    );
  if (!posInt(c.numMinibatches))
    throw new ConfigurationError(
      `streamMinibatchConfig.numMinibatches must be a positive integer, got ${c.numMinibatches}`,
    );
  if (c.groupsPerBatch % numSubsteps !== 0)
    throw new ConfigurationError(
      `streamMinibatchConfig.groupsPerBatch (${c.groupsPerBatch}) must be divisible by numSubsteps (${numSubsteps})`,
    );
  const groupsPerSubstep = c.groupsPerBatch / numSubsteps;
  if (groupsPerSubstep % c.numMinibatches !== 0)
    throw new ConfigurationError(
      `groupsPerBatch / numSubsteps (${groupsPerSubstep}) must be divisible by streamMinibatchConfig.numMinibatches (${c.numMinibatches})`,
    );
  return { groupsPerSubstep, groupsPerMinibatch: groupsPerSubstep / c.numMinibatches };
}
