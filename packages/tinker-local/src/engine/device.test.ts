import { describe, expect, it } from "vitest";
import { DeviceError, resolveDevice } from "./device.js";
import { loadAddon } from "./native.js";

describe("device selection", () => {
  const addon = loadAddon();
  const info = addon.deviceInfo();

  it("defaults to CUDA when the build has it and a GPU is visible, else the CPU", () => {
    const saved = process.env.CRUCIBLE_DEVICE;
    delete process.env.CRUCIBLE_DEVICE;
    try {
      expect(resolveDevice(addon)).toBe(info.cudaBuild && info.cudaDevices > 0 ? "cuda:0" : "cpu");
    } finally {
      if (saved !== undefined) process.env.CRUCIBLE_DEVICE = saved;
    }
    expect(resolveDevice(addon, "cpu")).toBe("cpu");
    expect(info.torchVersion).toMatch(/^\d+\.\d+/);
  });

  it("rejects unknown names and devices this build or machine lacks, saying what to do", () => {
    expect(() => resolveDevice(addon, "gpu")).toThrow(DeviceError);
    expect(() => resolveDevice(addon, "cpu:1")).toThrow(/not one of cpu, cuda, cuda:N/);
    const missing = `cuda:${info.cudaDevices}`;
    const fix = info.cudaBuild ? /visible/ : /rebuild it against a CUDA libtorch/;
    expect(() => resolveDevice(addon, missing)).toThrow(fix);
    try {
      resolveDevice(addon, missing);
    } catch (e) {
      expect((e as DeviceError).category).toBe("user");
    }
  });

  it("reports no device memory on the CPU", () => {
    const m = addon.deviceMemory("cpu");
    expect(Object.keys(m).sort()).toEqual(
      [
        "allocatedMB",
        "availableMB",
        "freeMB",
        "peakAllocatedMB",
        "peakReservedMB",
        "reservedMB",
        "totalMB",
      ].sort(),
    );
    for (const v of Object.values(m)) expect(v).toBe(0);
  });
});
