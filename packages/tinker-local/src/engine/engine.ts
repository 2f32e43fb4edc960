import type { ResolvedLoraConfig } from "@crucible/tinker-client";
import { BUILTIN_MODELS, defaultModelsDir, ensureBuiltinModel } from "./builtin.js";
import { readAdapterDir } from "./checkpoint.js";
import { resolveDevice } from "./device.js";
import { initLoraParams, loraModules, loraScaling } from "./lora.js";
import { admit, type DeviceWork, estimateDeviceBytes } from "./memory.js";
import { type LoadedModel, loadModelDir } from "./model.js";
import { loadAddon, type NativeAddon } from "./native.js";
import { SerialQueue } from "./queue.js";
import { LocalSampler } from "./sampler.js";
import { LocalTrainer } from "./trainer.js";
import type { BaseModelInfo, Engine, Sampler, Trainer } from "./types.js";

export interface EngineOptions {
  /** Where built-in models are generated (default `$CRUCIBLE_MODELS_DIR` or `~/.cache/crucible/models`). */
  modelsDir?: string;
  /** "cpu" | "cuda" | "cuda:N"; default `$CRUCIBLE_DEVICE`, else CUDA when the build has it and a GPU is visible. */
  device?: string;
}

class LocalEngine implements Engine {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  /** Models whose load finished, for the synchronous decode(). */
  private readonly sync = new Map<string, LoadedModel>();
  private readonly queue = new SerialQueue();

  constructor(
    private readonly addon: NativeAddon,
    private readonly modelsDir: string,
    readonly device: string,
  ) {}

  private model(name: string): Promise<LoadedModel> {
    let p = this.models.get(name);
    if (!p) {
      const builtin = BUILTIN_MODELS[name];
      p = builtin
        ? Promise.resolve().then(() =>
            loadModelDir(
              this.addon,
              name,
              ensureBuiltinModel(name, this.modelsDir),
              builtin.tokenizerId,
              this.device,
            ),
          )
        : loadModelDir(this.addon, name, name, undefined, this.device);
      this.models.set(name, p);
      p.then(
        (m) => this.sync.set(name, m),
        () => this.models.delete(name),
      );
    }
    return p;
  }

  private loaded(name: string): LoadedModel {
    throw new Error(`model ${name} is not loaded; await loadBaseModel("${name}") first`);
  }

  async loadBaseModel(name: string): Promise<BaseModelInfo> {
    return (await this.model(name)).info;
  }

  admit(baseModel: string, work: DeviceWork): void {
    if (this.device === "cpu") return;
    const m = this.sync.get(baseModel);
    if (!m) return; // not loaded yet: the load itself is the bigger allocation and fails on its own
    const need = estimateDeviceBytes(m.config.native, work);
    const what = work.kind === "train" ? `a batch of ${work.tokens} tokens` : `sampling ${work.rows} rows`;
    const mem = this.addon.deviceMemory(this.device);
    if (mem.totalMB === 0) return; // the CUDA runtime could not be asked: unknown, let the work try
    admit(this.device, need, mem.availableMB, what);
  }

  listBuiltinModels(): string[] {
    return Object.keys(BUILTIN_MODELS);
  }

  async createTrainer(baseModel: string, lora: ResolvedLoraConfig): Promise<Trainer> {
    const m = await this.model(baseModel);
    const modules = loraModules(m.config.native, lora);
    const adapter = new this.addon.NativeAdapter(m.native, {
      rank: lora.rank,
      scaling: loraScaling(lora.rank),
      modules,
    });
    const seed = lora.seed ?? Math.floor(Math.random() * 2 ** 31);
    adapter.setTensors("params", initLoraParams(adapter.getTensors("params"), seed));
    return new LocalTrainer(m, lora, adapter, modules, this.queue);
  }

  async createSampler(baseModel: string, adapterDir?: string): Promise<Sampler> {
    const m = await this.model(baseModel);
    if (!adapterDir) {
      return new LocalSampler(
        m,
        new this.addon.NativeAdapter(m.native, { rank: 1, scaling: 1, modules: [] }),
        this.queue,
      );
    }
    const a = readAdapterDir(adapterDir, false);
    const adapter = new this.addon.NativeAdapter(m.native, {
      rank: a.rank,
      scaling: a.alpha / a.rank,
      modules: a.modules,
    });
    adapter.setTensors("params", a.params);
    return new LocalSampler(m, adapter, this.queue);
  }

  decode(baseModel: string, tokens: number[]): string {
    const m = this.sync.get(baseModel) ?? this.loaded(baseModel);
    return m.tokenizer().decode(tokens, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  async close(): Promise<void> {
    await this.queue.run(() => undefined);
    this.models.clear();
    this.sync.clear();
  }
}

/**
 * Creates the libtorch engine. Throws `EngineUnavailableError` (with the install command) when libtorch or the
 * compiled addon is missing.
 */
export function createEngine(options: EngineOptions = {}): Engine {
  const addon = loadAddon();
  return new LocalEngine(
    addon,
    options.modelsDir ?? defaultModelsDir(),
    resolveDevice(addon, options.device),
  );
}
