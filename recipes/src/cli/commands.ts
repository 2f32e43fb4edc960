// The real command table; heavy modules (engine, training loops) load only when a command needs them.
import type { CliCommands } from "./app.js";

export const commands: CliCommands = {
  recipes: async () => (await import("../registry.js")).RECIPES,
  eval: async (argv, io) => (await import("./eval-command.js")).evalCommand(argv, io),
  "eval-offline": async (argv, io) =>
    (await import("./eval-offline-command.js")).evalOfflineCommand(argv, io),
  registry: async (argv, io) => (await import("./registry-command.js")).registryCommand(argv, io),
  demo: async (argv, io) => (await import("../demo/command.js")).demoCommand(argv, io),
  download: async (argv, io) => (await import("./download-command.js")).downloadCommand(argv, io),
  weights: async (argv, io) => (await import("./weights-command.js")).weightsCommand(argv, io),
  dashboard: async (argv, io) => (await import("./dashboard-command.js")).dashboardCommand(argv, io),
};
