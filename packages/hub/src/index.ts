export { tempPathFor, writeAll, writeFileAtomic } from "./atomic.js";
export {
  DTYPE_BYTES,
  numel,
  readSafetensors,
  readSafetensorsHeader,
  readTensorBytes,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsFile,
  type SafetensorsLocation,
  type SafetensorsTensor,
  toFloat32,
} from "./safetensors/safetensors.js";
export {
  encodeSafetensors,
  fromFloat32,
  type SafetensorsInput,
  type SafetensorsSpec,
  writeSafetensorsFile,
} from "./safetensors/writer.js";
