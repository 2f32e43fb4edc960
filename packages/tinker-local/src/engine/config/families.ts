import { DENSE_FAMILY } from "./dense.js";
import type { ModelFamily } from "./family.js";
import { QWEN3_MOE_FAMILY } from "./moe.js";
import { QWEN35_FAMILY } from "./qwen35.js";

/** Every family the engine runs; a new family adds its file and one entry here. */
export const MODEL_FAMILIES: ModelFamily[] = [DENSE_FAMILY, QWEN3_MOE_FAMILY, QWEN35_FAMILY];
