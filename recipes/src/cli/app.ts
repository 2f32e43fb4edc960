// Command dispatch for the `crucible` binary. Returns an exit code instead of exiting so tests can drive it.
import type { Recipe } from "../recipe.js";
import { ConfigError, EXIT_CONFIG } from "./errors.js";
import { topHelp } from "./help.js";
import type { CheckLogDirOptions } from "./log-dir.js";
import { didYouMean } from "./overrides.js";
import { runRecipeCommand } from "./run-recipe.js";

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
  logDir?: CheckLogDirOptions;
}

export interface CliCommands {
  recipes: () => Promise<readonly Recipe[]>;
  eval?: (argv: readonly string[], io: CliIO) => Promise<number>;
  dashboard?: (argv: readonly string[], io: CliIO) => Promise<number>;
  demo?: (argv: readonly string[], io: CliIO) => Promise<number>;
  weights?: (argv: readonly string[], io: CliIO) => Promise<number>;
  download?: (argv: readonly string[], io: CliIO) => Promise<number>;
  "eval-offline"?: (argv: readonly string[], io: CliIO) => Promise<number>;
  registry?: (argv: readonly string[], io: CliIO) => Promise<number>;
}

export const defaultIO: CliIO = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

async function dispatch(argv: readonly string[], io: CliIO, cmds: CliCommands): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    io.out(topHelp(await cmds.recipes()));
    return 0;
  }
  switch (cmd) {
    case "list": {
      const recipes = await cmds.recipes();
      const w = Math.max(...recipes.map((r) => r.name.length));
      for (const r of recipes) io.out(`${r.name.padEnd(w)}  ${r.summary}`);
      return 0;
    }
    case "run": {
      const [name, ...tokens] = rest;
      const recipes = await cmds.recipes();
      const names = recipes.map((r) => r.name);
      if (!name || name.startsWith("-"))
        throw new ConfigError(`usage: crucible run <recipe> [key=value ...]; recipes: ${names.join(", ")}`);
      const recipe = recipes.find((r) => r.name === name);
      if (!recipe) {
        const m = didYouMean(name, names);
        throw new ConfigError(
          `unknown recipe '${name}'${m ? ` (did you mean '${m}'?)` : ""}; recipes: ${names.join(", ")}`,
        );
      }
      const outcome = await runRecipeCommand(recipe, tokens, {
        print: io.out,
        warn: (l) => io.err(`crucible: warning: ${l}`),
        logDir: io.logDir,
      });
      if (outcome.kind === "ran") io.out(`done: logs in ${outcome.result.logPath}`);
      return 0;
    }
    case "eval":
    case "eval-offline":
    case "registry":
    case "dashboard":
    case "weights":
    case "download":
    case "demo": {
      const handler = cmds[cmd];
      if (!handler) throw new ConfigError(`'${cmd}' is not available in this build`);
      return handler(rest, io);
    }
    default: {
      const m = didYouMean(cmd, [
        "run",
        "list",
        "eval",
        "eval-offline",
        "registry",
        "dashboard",
        "demo",
        "weights",
        "download",
      ]);
      throw new ConfigError(
        `unknown command '${cmd}'${m ? ` (did you mean '${m}'?)` : ""}; see crucible --help`,
      );
    }
  }
}

/** Runs the CLI; config/usage errors print one `crucible: error: …` line and give exit code 2. */
export async function runCli(
  argv: readonly string[],
  cmds: CliCommands,
  io: CliIO = defaultIO,
): Promise<number> {
  try {
    return await dispatch(argv, io, cmds);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`crucible: error: ${e.message}`);
      return EXIT_CONFIG;
    }
    throw e;
  }
}
