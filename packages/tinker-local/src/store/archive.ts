import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeSafetensors, readSafetensors } from "@crucible/hub";
import { pack } from "tar-stream";
import {
  ADAPTER_FILE,
  OPTIMIZER_FILE,
  PEFT_CONFIG,
  PEFT_WEIGHTS,
  STATE_FILE,
  type TrainingStateMeta,
} from "../engine/checkpoint.js";
import { LORA_ALPHA, peftAdapterConfig } from "../engine/lora.js";
import { UserError } from "../server/errors.js";
import { formatTinkerPath, parseTinkerPath, type TinkerPath } from "./tinker-path.js";

/**
 * Checkpoint archives in the hosted service's layout, so tools written for hosted checkpoints (the Python
 * cookbook's `weights.build_lora_adapter` / `build_hf_model`) read ours unchanged:
 * - `adapter_model.safetensors`: `base_model.model.model.layers.N.<module>.lora_{A,B}.weight`, and the unembedding
 *   LoRA as `base_model.model.model.unembed_tokens.lora_{A,B}.weight` (our engine calls it `lm_head`);
 * - `adapter_config.json`: PEFT-style (`r`, `lora_alpha`, `target_modules`, `base_model_name_or_path`, …);
 * - training checkpoints add `optimizer.safetensors` (`exp_avg.<key>`, `exp_avg_sq.<key>`, same key names) and
 *   `crucible_state.json` (optimizer step, LoRA config).
 */
export const HOSTED_PREFIX = "base_model.model.";
const UNEMBED_HOSTED = "model.unembed_tokens";

/** Engine / HF module name (`model.layers.0.mlp.up_proj.lora_A.weight`, `lm_head.lora_B.weight`) → hosted key. */
export function toHostedKey(engineName: string): string {
  const bare = engineName.startsWith(HOSTED_PREFIX) ? engineName.slice(HOSTED_PREFIX.length) : engineName;
  const renamed = bare.startsWith("lm_head.") ? `${UNEMBED_HOSTED}.${bare.slice("lm_head.".length)}` : bare;
  return HOSTED_PREFIX + renamed;
}

export interface ArchiveEntry {
  name: string;
  data: Uint8Array;
}

function renamed(file: string, rename: (name: string) => string): Buffer {
  const f = readSafetensors(file);
  return encodeSafetensors(
    f.tensors.map((t) => ({ name: rename(t.name), shape: t.shape, dtype: t.dtype, data: t.data })),
    { format: "pt" },
  );
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** The files of a stored checkpoint directory, converted to the hosted archive layout. */
export async function archiveEntries(dir: string, baseModel: string): Promise<ArchiveEntry[]> {
  if (existsSync(join(dir, STATE_FILE))) {
    const meta = JSON.parse(await readFile(join(dir, STATE_FILE), "utf8")) as TrainingStateMeta;
    const adapter = readSafetensors(join(dir, ADAPTER_FILE));
    const modules = [...new Set(adapter.tensors.map((t) => t.name.replace(/\.lora_[AB]\.weight$/, "")))];
    const entries: ArchiveEntry[] = [
      { name: PEFT_WEIGHTS, data: renamed(join(dir, ADAPTER_FILE), toHostedKey) },
      {
        name: PEFT_CONFIG,
        data: json({ ...peftAdapterConfig(baseModel, meta.lora.rank, modules), lora_alpha: meta.loraAlpha }),
      },
      { name: STATE_FILE, data: await readFile(join(dir, STATE_FILE)) },
    ];
    if (meta.hasOptimizer && existsSync(join(dir, OPTIMIZER_FILE))) {
      const optName = (n: string) => {
        const m = /^(exp_avg_sq|exp_avg)\.(.*)$/.exec(n);
        return m ? `${m[1]}.${toHostedKey(m[2] as string)}` : n;
      };
      entries.push({ name: OPTIMIZER_FILE, data: renamed(join(dir, OPTIMIZER_FILE), optName) });
    }
    return entries;
  }
  if (existsSync(join(dir, PEFT_WEIGHTS))) {
    const config = existsSync(join(dir, PEFT_CONFIG))
      ? (JSON.parse(await readFile(join(dir, PEFT_CONFIG), "utf8")) as Record<string, unknown>)
      : {};
    return [
      { name: PEFT_WEIGHTS, data: renamed(join(dir, PEFT_WEIGHTS), toHostedKey) },
      { name: PEFT_CONFIG, data: json({ lora_alpha: LORA_ALPHA, ...config }) },
    ];
  }
  throw new UserError(`checkpoint directory ${dir} holds no adapter files`, 500);
}

/** A POSIX tar of `entries` (regular files, mode 0644, fixed mtime so equal checkpoints give equal bytes). */
export async function tarEntries(entries: ArchiveEntry[], mtime = new Date(0)): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on("data", (c: Buffer) => chunks.push(c));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name: e.name, size: e.data.byteLength, mode: 0o644, mtime }, Buffer.from(e.data), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  p.finalize();
  return done;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Signs short-lived download URLs: HMAC-SHA256 over the tinker path and the expiry, with a secret that lives as
 * long as the server process. The URL is the credential (no API key needed), like a presigned object-store URL.
 */
export class ArchiveSigner {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  private mac(path: string, expiresMs: number): Buffer {
    return createHmac("sha256", this.secret).update(`${path}\n${expiresMs}`).digest();
  }

  /** Path and query of the download route for `p`, valid until `expiresMs`. */
  sign(p: TinkerPath, expiresMs: number): string {
    const path = formatTinkerPath(p);
    const q = new URLSearchParams({
      path,
      expires: String(expiresMs),
      signature: this.mac(path, expiresMs).toString("hex"),
    });
    return `/api/v1/checkpoint_archive?${q.toString()}`;
  }

  /** The checkpoint a download URL names; 403 when forged or expired. */
  verify(query: URLSearchParams, now = Date.now()): TinkerPath {
    const path = query.get("path") ?? "";
    const expires = Number(query.get("expires"));
    const sig = Buffer.from(query.get("signature") ?? "", "hex");
    const want = this.mac(path, expires);
    if (!Number.isInteger(expires) || sig.length !== want.length || !timingSafeEqual(sig, want)) {
      throw new UserError("archive URL signature is invalid; ask the archive route for a fresh URL", 403);
    }
    if (expires <= now) {
      throw new UserError(
        `archive URL expired at ${new Date(expires).toISOString()}; ask the archive route for a fresh URL`,
        403,
      );
    }
    return parseTinkerPath(path, "path");
  }
}
