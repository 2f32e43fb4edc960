import type { NativeModelConfig } from "../native.js";
import type { ConfigReader } from "./reader.js";

/** What a family's parser derives from the (text) config. */
export interface FamilyConfig {
  native: NativeModelConfig;
  /** Longest sequence (prompt + sampled tokens) the model runs. */
  contextLength: number;
}

/**
 * A model family the engine runs. Each family lives in its own file and is listed in `families.ts`; its parser
 * reads every key it understands through the `ConfigReader` (which refuses the keys nobody read).
 */
export interface ModelFamily {
  /** `model_type` values of the text configs this family runs. */
  modelTypes: string[];
  /**
   * Multimodal wrappers (`model_type` → where the text model's tensors live) whose `text_config` this family runs;
   * the text part is what is trained, the other parts' tensors are not loaded.
   */
  wrappers?: Record<string, { textModelTypes: string[]; weightPrefix: string }>;
  parse(c: ConfigReader, modelType: string): FamilyConfig;
}
