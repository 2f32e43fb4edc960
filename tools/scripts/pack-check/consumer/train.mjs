// Run in a project with every public package installed: two supervised steps on the built-in tiny-bytes model
// through @crucible/train's datum helper, the in-process local backend and the ordinary client.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRenderer, getTokenizer } from "@crucible/renderers";
import { ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { conversationToDatum } from "@crucible/train";

const model = "crucible/tiny-bytes";
const backend = await createLocalBackend({
  checkpointDir: mkdtempSync(join(tmpdir(), "crucible-pack-ckpt-")),
});
const svc = new ServiceClient(backend.clientOptions);
try {
  const renderer = getRenderer("role_colon", await getTokenizer(model));
  const datum = conversationToDatum(
    [
      { role: "user", content: "What is 2+3?" },
      { role: "assistant", content: "5" },
    ],
    renderer,
  );
  const tc = await svc.createLoraTrainingClient({ baseModel: model, rank: 4, seed: 0 });
  const losses = [];
  for (let step = 0; step < 2; step++) {
    const fb = await tc.forwardBackward([datum], "cross_entropy");
    await tc.optimStep({ learningRate: 1e-2 });
    losses.push(fb.metrics["loss:sum"]);
  }
  if (!losses.every((l) => Number.isFinite(l) && l > 0)) throw new Error(`bad losses ${losses}`);
  console.log(JSON.stringify({ losses }));
} finally {
  await svc.close();
  await backend.close();
}
