// Validates an eval log against the Inspect EvalLog JSON Schema committed in `schema/` (derived from Inspect's
// pydantic models), with ajv.
import { existsSync, readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// From the sources (src/inspect/) or the bundle (dist/).
const SCHEMA_CANDIDATES = ["../../schema/", "../schema/"].map(
  (d) => new URL(`${d}inspect-eval-log.schema.json`, import.meta.url),
);
export const INSPECT_LOG_SCHEMA_URL =
  SCHEMA_CANDIDATES.find((u) => existsSync(u)) ?? (SCHEMA_CANDIDATES[0] as URL);

let compiled: ReturnType<Ajv["compile"]> | undefined;

export interface LogValidation {
  valid: boolean;
  /** "<json pointer> <message>" per problem. */
  errors: string[];
}

export function validateEvalLog(log: unknown): LogValidation {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(INSPECT_LOG_SCHEMA_URL, "utf8")) as object);
  }
  const valid = compiled(log) as boolean;
  const errors = (compiled.errors ?? []).map((e: ErrorObject) =>
    `${e.instancePath || "/"} ${e.message ?? ""}`.trim(),
  );
  return { valid, errors };
}
