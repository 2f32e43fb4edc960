import type { NativeAddon } from "./native.js";

/** An unusable `device` choice (unknown name, no CUDA in this build, no such GPU): a user error (CLI exit 2, HTTP 400). */
export class DeviceError extends Error {
  readonly category = "user" as const;
  constructor(detail: string) {
    super(`device: ${detail}`);
    this.name = "DeviceError";
  }
}

const DEVICE = /^(cpu|cuda)(?::(\d+))?$/;

/**
 * The device the engine runs on: `requested` ("cpu", "cuda", "cuda:N"; default `$CRUCIBLE_DEVICE`), else CUDA device 0
 * when the addon was built against a CUDA libtorch and a GPU is visible, else the CPU.
 */
export function resolveDevice(addon: NativeAddon, requested?: string): string {
  const want = requested ?? (process.env.CRUCIBLE_DEVICE || undefined);
  // an addon built before devices existed runs on the CPU only (rebuild: build:native --force)
  const info =
    typeof addon.deviceInfo === "function"
      ? addon.deviceInfo()
      : {
          torchVersion: "unknown (addon predates device support; rebuild it)",
          cudaBuild: false,
          cudaDevices: 0,
        };
  if (want === undefined || want === "auto") return info.cudaBuild && info.cudaDevices > 0 ? "cuda:0" : "cpu";
  const m = DEVICE.exec(want);
  if (!m || (m[1] === "cpu" && m[2] !== undefined)) {
    throw new DeviceError(`"${want}" is not one of cpu, cuda, cuda:N`);
  }
  if (m[1] === "cpu") return "cpu";
  if (!info.cudaBuild) {
    throw new DeviceError(
      `${want} asked for, but the engine was built against libtorch ${info.torchVersion} without CUDA; rebuild it ` +
        "against a CUDA libtorch (LIBTORCH=<dir> or a CUDA PyTorch on python3's path, then `npm rebuild " +
        "@crucible/tinker-local`), or use --device cpu",
    );
  }
  const index = Number(m[2] ?? 0);
  if (index >= info.cudaDevices) {
    throw new DeviceError(
      info.cudaDevices === 0
        ? `${want} asked for, but no CUDA GPU is visible (driver, CUDA_VISIBLE_DEVICES?); use --device cpu`
        : `${want} asked for, but only ${info.cudaDevices} CUDA device(s) are visible (cuda:0…cuda:${info.cudaDevices - 1})`,
    );
  }
  return `cuda:${index}`;
}
