import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { layerViolations, readWorkspacePackages } from "./layers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("package layer order", () => {
  it("every workspace package depends only on packages above it", () => {
    expect(layerViolations(readWorkspacePackages(root))).toEqual([]);
  });

  it("flags a dependency that points down the order", () => {
    const bad = layerViolations([
      { name: "@crucible/tinker-client", dir: "x", deps: ["@crucible/train"] },
      { name: "@crucible/log", dir: "y", deps: ["@crucible/tinker-client"] },
      { name: "@crucible/mystery", dir: "z", deps: [] },
      { name: "@crucible/hub", dir: "h", deps: ["@crucible/log"] },
    ]);
    expect(bad).toHaveLength(4);
    expect(bad[0]).toContain("not above it");
    expect(bad[1]).toContain("stand alone");
    expect(bad[2]).toContain("not in the layer order");
    expect(bad[3]).toContain("not above it"); // hub is first: it can depend on no sibling
  });
});
