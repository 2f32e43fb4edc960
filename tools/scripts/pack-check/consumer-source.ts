// The small TypeScript consumer the pack check type-checks against the installed tarballs, once as ESM
// (consumer.ts: import conditions, index.d.ts) and once as CommonJS (consumer.cts: require, index.d.cts).

/** Source of the consumer for the given package names (every public package). */
export function consumerSource(packages: readonly string[]): string {
  const star = packages.map((p, i) => `import * as p${i} from "${p}";`).join("\n");
  const has = (p: string) => packages.includes(p);
  // Cross-package types: a renderer's messages become a train datum of the client's Datum type.
  const typed =
    has("@crucible/train") && has("@crucible/renderers") && has("@crucible/tinker-client")
      ? [
          'import type { Datum } from "@crucible/tinker-client";',
          'import type { Message, Renderer } from "@crucible/renderers";',
          'import { conversationToDatum } from "@crucible/train";',
          "declare const renderer: Renderer;",
          'const messages: Message[] = [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }];',
          "export const datum: Datum = conversationToDatum(messages, renderer);",
        ].join("\n")
      : "";
  return `${star}\n${typed}\nexport const exported: number[] = [${packages.map((_, i) => `Object.keys(p${i}).length`).join(", ")}];\n`;
}

export const TSCONFIG_NODE16 = {
  compilerOptions: {
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    noEmit: true,
    types: ["node"],
  },
  files: ["consumer.ts", "consumer.cts"],
};

export const TSCONFIG_BUNDLER = {
  compilerOptions: {
    target: "ES2022",
    module: "esnext",
    moduleResolution: "bundler",
    strict: true,
    noEmit: true,
    types: ["node"],
  },
  files: ["consumer.ts"],
};
