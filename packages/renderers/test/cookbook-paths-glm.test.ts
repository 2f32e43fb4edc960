import {
  Glm53Renderer,
  getModelAttributes,
  getRecommendedRendererNames,
  getRenderer,
  type Message,
  type MessageDelta,
  type Renderer,
  RendererError,
  type ToolCall,
  type ToolSpec,
  type TrainOnWhat,
} from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import { expectedIds, GLM_SPECIALS, glmTokenizer } from "./family-tokenizer.js";
import { expectSupervisedPieces, type Piece } from "./piece-check.js";

// Expected sequences follow the cookbook's glm5_3.py (commit 1e3e7518) piece by piece: `_bos_tokens`, then each
// message's `render_message` header / output / stop_overlap, then `_get_generation_suffix`. The conversations and
// asserted strings are those of glm5_3_test.py (which compares the same renderer against the HF template with
// GLM-5.3's real tokenizer); the test tokenizer holds GLM's chat tokens over a byte vocabulary.
const tok = glmTokenizer();
// <|endoftext|> is the byte vocabulary's own special token (id 256).
const ids = (s: string) => expectedIds(tok, [...GLM_SPECIALS, "<|endoftext|>"], s);
const toInts = ModelInput.toInts;
const max = getRenderer("glm5_3_max_reasoning", tok);
const decode = (mi: ModelInput) => tok.decode(toInts(mi));
const BOS = "[gMASK]<sop><|system|>Reasoning Effort: Max";

function check(
  r: Renderer,
  messages: Message[],
  pieces: Piece[],
  mode: TrainOnWhat = "last_assistant_message",
) {
  expectSupervisedPieces(r, messages, pieces, ids, mode);
}

const SYSTEM: Message = { role: "system", content: "You are a helpful assistant." };
// get_basic_conversation_for_generation / _for_supervised
const basicGeneration: Message[] = [
  SYSTEM,
  { role: "user", content: "Hello, how are you?" },
  { role: "assistant", content: "I'm fine, thank you!" },
  { role: "user", content: "What is the capital of France?" },
];
const thought = (thinking: string, text: string): Message => ({
  role: "assistant",
  content: [
    { type: "thinking", thinking },
    { type: "text", text },
  ],
});
// get_multiturn_thinking_conversation
const multiturn: Message[] = [
  SYSTEM,
  { role: "user", content: "First question." },
  thought("First turn reasoning.", "First answer."),
  { role: "user", content: "Second question." },
  thought("Second turn reasoning.", "Second answer."),
];
// get_tool_spec
const WEATHER: ToolSpec = {
  name: "get_weather",
  description: "Get the current weather for a location",
  parameters: {
    type: "object",
    properties: {
      location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
      unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "Temperature unit" },
    },
    required: ["location"],
  },
};
const WEATHER_JSON =
  '{"name": "get_weather", "description": "Get the current weather for a location", "parameters": {"type": "object", ' +
  '"properties": {"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}, ' +
  '"unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"}}, "required": ["location"]}}';
const toolsBlock = (lines: string) =>
  "\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
  `You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n${lines}</tools>\n\n` +
  "For each function call, output the function name and arguments within the following XML format:\n" +
  "<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value>" +
  "<arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>";

const call = (id: string | undefined, args: string): ToolCall => ({
  type: "function",
  ...(id === undefined ? {} : { id }),
  function: { name: "get_weather", arguments: args },
});
// get_tool_call_conversation_for_supervised
const toolConversation: Message[] = [
  { role: "user", content: "What's the weather in NYC?" },
  {
    ...thought("I need to check the weather in NYC.", ""),
    toolCalls: [call("call_abc123", '{"location": "New York, NY"}')],
  },
  {
    role: "tool",
    name: "get_weather",
    toolCallId: "call_abc123",
    content: '{"temperature": 72, "condition": "sunny"}',
  },
  thought("The weather is 72F and sunny.", "The weather in NYC is 72°F and sunny."),
];
// get_parallel_tool_call_conversation(call_ids, result_ids)
function parallel(
  callIds: [string | undefined, string | undefined] = ["call_1", "call_2"],
  resultIds: [string | undefined, string | undefined] = ["call_1", "call_2"],
): Message[] {
  const results = (['{"temp": 72}', '{"temp": 65}'] as const).map((content, i): Message => {
    const m: Message = { role: "tool", name: "get_weather", content };
    if (resultIds[i] !== undefined) m.toolCallId = resultIds[i];
    return m;
  });
  return [
    { role: "user", content: "Compare the weather in NYC and SF." },
    {
      ...thought("I should check both cities.", ""),
      toolCalls: [
        call(callIds[0], '{"location": "NYC"}'),
        call(callIds[1], '{"location": "SF", "days": 3, "options": {"units": "F"}}'),
      ],
    },
    ...results,
  ];
}
const R72 = '<tool_response>{"temp": 72}</tool_response>';
const R65 = '<tool_response>{"temp": 65}</tool_response>';
const toolPrompt = (messages: Message[]) =>
  decode(max.buildGenerationPrompt([...max.createConversationPrefixWithTools([WEATHER]), ...messages]));

describe("glm5_3 prompt structure (_bos_tokens, _get_generation_suffix)", () => {
  // Glm5_3Renderer._bos_tokens + _get_generation_suffix; test_generation_prompt_prefix_and_think,
  // test_reasoning_effort_segment_always_emitted, test_basic/low/high_reasoning_generation_matches_hf
  it.each([
    ["glm5_3_max_reasoning", "Max"],
    ["glm5_3_low_reasoning", "Low"],
    ["glm5_3_high_reasoning", "High"],
  ])("%s: effort segment always emitted, prompt ends with an open <think>", (name, effort) => {
    const r = getRenderer(name, tok);
    expect(r.name).toBe(name);
    expect(toInts(r.buildGenerationPrompt(basicGeneration))).toEqual(
      ids(
        `[gMASK]<sop><|system|>Reasoning Effort: ${effort}<|system|>You are a helpful assistant.` +
          "<|user|>Hello, how are you?<|assistant|><think></think>I'm fine, thank you!" +
          "<|user|>What is the capital of France?<|assistant|><think>",
      ),
    );
  });

  // Renderer.build_generation_prompt(prefill) over _get_generation_suffix; test_custom_prefill_appends_after_think
  it("a custom prefill continues after <think>; other roles get their role token only", () => {
    expect(decode(max.buildGenerationPrompt(basicGeneration, "assistant", "Sure, "))).toMatch(
      /<\|assistant\|><think>Sure, $/,
    );
    expect(decode(max.buildGenerationPrompt(basicGeneration, "tool"))).toMatch(/France\?<\|observation\|>$/);
    expect(() => max.buildGenerationPrompt(basicGeneration, "critic")).toThrow(RendererError);
  });

  // get_stop_sequences; test_get_stop_sequences
  it("stop sequences are the eos tokens <|user|>, <|observation|>, <|endoftext|> (get_stop_sequences)", () => {
    expect(max.getStopSequences()).toEqual(ids("<|user|><|observation|><|endoftext|>"));
  });
});

describe("glm5_3 render_message (supervised)", () => {
  // render_message (is_last moves <think> into the header, stop_overlap <|user|>);
  // test_basic_conversation_supervised_matches_hf
  it("basic conversation: <think> prefill in the untrained header, <|user|> terminator trained", () => {
    check(max, basicGeneration.slice(0, 3), [
      [BOS, 0],
      ["<|system|>", 0],
      ["You are a helpful assistant.", 0],
      ["<|user|>", 0],
      ["Hello, how are you?", 0],
      ["<|assistant|><think>", 0],
      ["</think>I'm fine, thank you!", 1],
      ["<|user|>", 1],
    ]);
  });

  // render_message keep_thinking with strip_thinking_from_history=False;
  // test_historical_thinking_preserved_by_default, test_multiturn_thinking_supervised_matches_hf
  it("thinking is kept in history by default (clear_thinking=False); all_assistant_messages trains both replies", () => {
    check(
      max,
      multiturn,
      [
        [BOS, 0],
        ["<|system|>", 0],
        ["You are a helpful assistant.", 0],
        ["<|user|>", 0],
        ["First question.", 0],
        ["<|assistant|>", 0],
        ["<think>First turn reasoning.</think>First answer.", 1],
        ["<|user|>", 0],
        ["Second question.", 0],
        ["<|assistant|><think>", 0],
        ["Second turn reasoning.</think>Second answer.", 1],
        ["<|user|>", 1],
      ],
      "all_assistant_messages",
    );
    expect(max.hasExtensionProperty).toBe(true);
  });

  // render_message keep_thinking = idx > last_user_index;
  // test_strip_thinking_from_history_replaces_with_empty_block,
  // test_strip_thinking_supervised_matches_hf_clear_thinking_true
  it("strip_thinking_from_history=True: empty <think></think> at or before the last user message", () => {
    const strip = new Glm53Renderer(tok, { stripThinkingFromHistory: true });
    expect(strip.hasExtensionProperty).toBe(false);
    const text = decode(strip.buildSupervisedExample(multiturn).modelInput);
    expect(text).not.toContain("First turn reasoning");
    expect(text).toContain("<|assistant|><think></think>First answer.");
    expect(text).toContain("<think>Second turn reasoning.</think>Second answer.");
  });

  // _split_reasoning_and_text (string branch) + text.strip(); test_embedded_think_string_generation_matches_hf,
  // test_embedded_think_string_stripped_with_clear_thinking
  it("string content: embedded <think> split as the template does, visible text stripped", () => {
    const embedded: Message[] = [
      { role: "user", content: "First question." },
      { role: "assistant", content: "<think>first reasoning</think>\n\nFirst answer." },
      { role: "user", content: "Second question." },
      { role: "assistant", content: "<think>second reasoning</think>\n\nSecond answer." },
    ];
    expect(decode(max.buildGenerationPrompt(embedded))).toBe(
      `${BOS}<|user|>First question.<|assistant|><think>first reasoning</think>First answer.` +
        "<|user|>Second question.<|assistant|><think>second reasoning</think>Second answer.<|assistant|><think>",
    );
    const strip = new Glm53Renderer(tok, { stripThinkingFromHistory: true });
    expect(decode(strip.buildGenerationPrompt(embedded))).toContain(
      "<|assistant|><think></think>First answer.<|user|>",
    );
    // Surrounding whitespace of the reply is Python's str.strip() set (U+001C yes, U+FEFF no).
    const r = decode(max.buildGenerationPrompt([{ role: "assistant", content: "\u001c\u00a0 x \ufeff\n" }]));
    expect(r).toBe(`${BOS}<|assistant|><think></think>x \ufeff<|assistant|><think>`);
  });

  // create_conversation_prefix_with_tools + render_message for assistant tool calls and tool responses
  it("tool conversation with tools + system prompt (test_tool_call_conversation_supervised_matches_hf)", () => {
    const prefix = max.createConversationPrefixWithTools([WEATHER], "You are a helpful assistant.");
    check(
      max,
      [...prefix, ...toolConversation],
      [
        [BOS, 0],
        ["<|system|>", 0],
        [toolsBlock(`${WEATHER_JSON}\n`), 0],
        ["<|system|>", 0],
        ["You are a helpful assistant.", 0],
        ["<|user|>", 0],
        ["What's the weather in NYC?", 0],
        ["<|assistant|>", 0],
        [
          "<think>I need to check the weather in NYC.</think><tool_call>get_weather<arg_key>location</arg_key>" +
            "<arg_value>New York, NY</arg_value></tool_call>",
          0,
        ],
        ["<|observation|>", 0],
        ['<tool_response>{"temperature": 72, "condition": "sunny"}</tool_response>', 0],
        ["<|assistant|><think>", 0],
        ["The weather is 72F and sunny.</think>The weather in NYC is 72°F and sunny.", 1],
        ["<|user|>", 1],
      ],
    );
  });

  // render_message stop_overlap <|observation|> when tool_calls;
  // test_supervised_ending_with_tool_call_uses_observation_terminator
  it("a target that calls tools ends with <|observation|>", () => {
    const prefix = max.createConversationPrefixWithTools([WEATHER]);
    const text = decode(max.buildSupervisedExample([...prefix, ...toolConversation.slice(0, 2)]).modelInput);
    expect(text.endsWith("</tool_call><|observation|>")).toBe(true);
  });

  // _format_glm_tool_call / _format_glm_arg_value, tool header follows_tool;
  // test_parallel_tool_calls_generation_matches_hf
  it("parallel calls: strings raw, other values JSON; consecutive responses share one <|observation|>", () => {
    const text = toolPrompt(parallel());
    expect(text).toContain("<arg_key>location</arg_key><arg_value>SF</arg_value>");
    expect(text).toContain("<arg_key>days</arg_key><arg_value>3</arg_value>");
    expect(text).toContain('<arg_key>options</arg_key><arg_value>{"units": "F"}</arg_value>');
    expect(text.split("<|observation|>").length - 1).toBe(1);
    expect(text.endsWith(`<|observation|>${R72}${R65}<|assistant|><think>`)).toBe(true);
  });

  // render_message's RendererError branches (_visible_text, unsupported role)
  it("unsupported roles and image parts are RendererErrors", () => {
    expect(() => max.buildGenerationPrompt([{ role: "critic", content: "x" }])).toThrow(RendererError);
    expect(() =>
      max.buildGenerationPrompt([{ role: "user", content: [{ type: "image", image: "data:," }] }]),
    ).toThrow(/does not support "image"/);
  });
});

describe("glm5_3 tool-response ordering (_reorder_tool_results / _sort_tool_block)", () => {
  // _reorder_tool_results in build_generation_prompt / build_supervised_example;
  // test_out_of_order_tool_results_sorted_by_tool_call_order,
  // test_out_of_order_tool_results_sorted_in_supervised_example
  it("out-of-order results are sorted to tool-call order, in prompts and supervised examples", () => {
    expect(toolPrompt(parallel(undefined, ["call_2", "call_1"]))).toContain(R65 + R72);
    const messages = [
      ...max.createConversationPrefixWithTools([WEATHER]),
      ...parallel(undefined, ["call_2", "call_1"]),
      { role: "assistant", content: "NYC is warmer." },
    ];
    const { modelInput, weights } = max.buildSupervisedExample(messages);
    expect(decode(modelInput)).toContain(R65 + R72);
    const k = weights.indexOf(1);
    expect(toInts(modelInput).slice(0, k)).toEqual(toInts(max.buildGenerationPrompt(messages.slice(0, -1))));
  });

  // _sort_tool_block (responses may be a subset); test_partial_tool_results_sorted_by_tool_call_order
  it("a subset of the calls renders alone", () => {
    const m = parallel();
    m.splice(2, 1);
    const text = toolPrompt(m);
    expect(text).toContain(`<|observation|>${R65}<|assistant|>`);
    expect(text).not.toContain('{"temp": 72}');
  });

  // _sort_tool_block fallbacks; test_ambiguous_tool_result_ids_keep_message_order
  it.each([
    ["missing-result-id", ["call_1", "call_2"], ["call_2", undefined]],
    ["dup-result-id", ["call_1", "call_2"], ["call_2", "call_2"]],
    ["unknown-result-id", ["call_1", "call_2"], ["call_2", "call_unknown"]],
    ["no-call-ids", [undefined, undefined], ["call_2", "call_1"]],
  ] as const)("%s keeps message order", (_, callIds, resultIds) => {
    expect(toolPrompt(parallel([...callIds], [...resultIds]))).toContain(R72 + R65);
  });

  // _sort_tool_block duplicate call ids; test_duplicate_tool_call_ids_keep_message_order
  it("duplicate call ids keep message order (the response renders once)", () => {
    const m = parallel(["call_1", "call_1"], ["call_1", "call_1"]);
    m.splice(3, 1);
    expect(toolPrompt(m).split(R72).length - 1).toBe(1);
  });

  // _sort_tool_block without preceding tool_calls;
  // test_tool_results_without_preceding_tool_calls_keep_message_order
  it("a block after an assistant without tool calls is not sorted", () => {
    const m = parallel(undefined, ["call_2", "call_1"]);
    delete (m[1] as Message).toolCalls;
    expect(toolPrompt(m)).toContain(R72 + R65);
  });
});

describe("glm5_3 create_conversation_prefix_with_tools", () => {
  // create_conversation_prefix_with_tools; test_create_conversation_prefix_tools_before_system,
  // _without_system_prompt, _no_tools
  it("tools message first (leading newline), then the system prompt; no tools → the prompt only", () => {
    expect(max.createConversationPrefixWithTools([WEATHER], "You are helpful.")).toEqual([
      { role: "system", content: toolsBlock(`${WEATHER_JSON}\n`) },
      { role: "system", content: "You are helpful." },
    ]);
    expect(max.createConversationPrefixWithTools([WEATHER])).toHaveLength(1);
    expect(max.createConversationPrefixWithTools([], "Be brief.")).toEqual([
      { role: "system", content: "Be brief." },
    ]);
  });

  // _tool_declaration_json + defer_loading filter; test_tool_declaration_filters_strict_key,
  // test_deferred_tool_skipped_in_declaration, test_defer_loading_false_tool_kept,
  // test_all_deferred_tools_render_empty_tools_block
  it("strict dropped; defer_loading=True skipped, False kept (key dropped); all deferred → empty <tools>", () => {
    const with_ = (extra: Record<string, unknown>) => ({ ...WEATHER, ...extra }) as ToolSpec;
    const content = (tools: ToolSpec[]) => max.createConversationPrefixWithTools(tools)[0]?.content;
    expect(content([with_({ strict: true })])).toBe(toolsBlock(`${WEATHER_JSON}\n`));
    expect(content([with_({ defer_loading: false })])).toBe(toolsBlock(`${WEATHER_JSON}\n`));
    const time: ToolSpec = { name: "get_time", description: "Get the current time", parameters: {} };
    expect(content([with_({ defer_loading: true }), time])).toBe(
      toolsBlock('{"name": "get_time", "description": "Get the current time", "parameters": {}}\n'),
    );
    expect(content([with_({ defer_loading: true })])).toBe(toolsBlock(""));
  });
});

describe("glm5_3 parse_response", () => {
  const parse = (s: string) => max.parseResponse(ids(s));

  // _normalize_response_tokens + _parse_response_content; test_parse_response_plain_text, _with_thinking,
  // _endoftext_is_eos, _missing_stop_is_malformed, _double_stop_raises
  it("plain text, restored <think> prefill, <|endoftext|> = eos, no stop = malformed, two stops throw", () => {
    expect(parse("The answer is 42.<|user|>")).toEqual({
      message: { role: "assistant", content: "The answer is 42." },
      termination: "stop_sequence",
    });
    expect(parse("I should reason carefully.</think>The answer is 42.<|user|>").message.content).toEqual([
      { type: "thinking", thinking: "I should reason carefully." },
      { type: "text", text: "The answer is 42." },
    ]);
    expect(parse("Done.<|endoftext|>")).toEqual({
      message: { role: "assistant", content: "Done." },
      termination: "eos",
    });
    expect(parse("Truncated answ")).toEqual({
      message: { role: "assistant", content: "Truncated answ" },
      termination: "malformed",
    });
    expect(() => parse("Hi<|user|>Bye<|user|>")).toThrow(/expected to split into 1 or 2 pieces/);
  });

  // _parse_response_content re-parsing UnparsedToolCall with _parse_glm_tool_call; test_parse_response_tool_call,
  // _multiple_tool_calls, _malformed_tool_call
  it("GLM tool calls: typed values, several calls, malformed block kept as unparsed", () => {
    const one = parse(
      "I should check the weather.</think><tool_call>get_weather" +
        "<arg_key>location</arg_key><arg_value>New York, NY</arg_value><arg_key>days</arg_key><arg_value>3</arg_value>" +
        '<arg_key>options</arg_key><arg_value>{"units": "F"}</arg_value></tool_call><|observation|>',
    );
    expect(one.termination).toBe("stop_sequence");
    expect(one.message.toolCalls).toEqual([
      {
        type: "function",
        function: {
          name: "get_weather",
          arguments: '{"location": "New York, NY", "days": 3, "options": {"units": "F"}}',
        },
      },
    ]);
    expect(one.message.content).toEqual([{ type: "thinking", thinking: "I should check the weather." }]);
    const two = parse(
      "check both</think><tool_call>get_weather<arg_key>location</arg_key><arg_value>NYC</arg_value></tool_call>" +
        "<tool_call>get_weather<arg_key>location</arg_key><arg_value>LA</arg_value></tool_call><|observation|>",
    );
    expect(two.message.toolCalls?.map((t) => t.function.arguments)).toEqual([
      '{"location": "NYC"}',
      '{"location": "LA"}',
    ]);
    const bad = parse("</think><tool_call>{not glm format}</tool_call><|user|>");
    expect(bad.termination).toBe("stop_sequence");
    expect(bad.message.toolCalls).toBeUndefined();
    expect(bad.message.unparsedToolCalls).toEqual([
      { rawText: "<tool_call>{not glm format}</tool_call>", error: "Malformed GLM tool call" },
    ]);
  });

  // _parse_glm_tool_call's UnparsedToolCall branches
  it("_parse_glm_tool_call errors: content between pairs, empty key, trailing content", () => {
    const err = (body: string) =>
      parse(`x</think><tool_call>f${body}</tool_call><|observation|>`).message.unparsedToolCalls?.[0]?.error;
    expect(
      err("<arg_key>a</arg_key><arg_value>1</arg_value>junk<arg_key>b</arg_key><arg_value>2</arg_value>"),
    ).toBe("Unexpected content between tool call arguments");
    expect(err("<arg_key> </arg_key><arg_value>1</arg_value>")).toBe("Empty tool call argument key");
    expect(err("<arg_key>a</arg_key><arg_value>1</arg_value>junk")).toBe(
      "Unexpected trailing content inside tool call",
    );
  });

  // test_parse_response_roundtrips_through_render
  it("render(parse(tokens)) reproduces the sampled tool call", () => {
    const sampled =
      "check</think>Checking now.<tool_call>get_weather<arg_key>location</arg_key><arg_value>NYC</arg_value></tool_call>" +
      "<|observation|>";
    const { message } = parse(sampled);
    const text = decode(
      max.buildSupervisedExample([{ role: "user", content: "Weather in NYC?" }, message]).modelInput,
    );
    expect(text.endsWith(`<|assistant|><think>${sampled}`)).toBe(true);
  });

  // test_observation_matches_generation_prompt
  it.each(["glm5_3_max_reasoning", "glm5_3_low_reasoning", "glm5_3_high_reasoning"])(
    "%s: the untrained prefix is the generation prompt and the trained suffix parses back",
    (name) => {
      const r = getRenderer(name, tok);
      const messages = [
        SYSTEM,
        { role: "user", content: "Solve 2+2." },
        thought("2 plus 2 equals 4.", "The answer is 4."),
      ];
      const { modelInput, weights } = r.buildSupervisedExample(messages);
      const tokens = toInts(modelInput);
      const k = weights.indexOf(1);
      expect(tokens.slice(0, k)).toEqual(toInts(r.buildGenerationPrompt(messages.slice(0, -1))));
      expect(r.parseResponse(tokens.slice(k))).toEqual({
        message: { role: "assistant", content: (messages[2] as Message).content },
        termination: "stop_sequence",
      });
    },
  );
});

describe("glm5_3 parse_response_streaming", () => {
  const stream = (s: string): MessageDelta[] => [...max.parseResponseStreaming(ids(s))];

  // parse_response_streaming (end token = the stop token present); test_parse_response_streaming
  it("thinking and text deltas, then the complete message", () => {
    const deltas = stream("Let me think.</think>The answer is 42.<|user|>");
    expect(deltas[0]).toEqual({ type: "header", role: "assistant" });
    const thinking = deltas.flatMap((d) => (d.type === "thinking_delta" ? [d.thinking] : [])).join("");
    const text = deltas.flatMap((d) => (d.type === "text_delta" ? [d.text] : [])).join("");
    expect([thinking, text]).toEqual(["Let me think.", "The answer is 42."]);
    expect(deltas.at(-1)).toEqual({
      type: "message",
      message: {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Let me think." },
          { type: "text", text: "The answer is 42." },
        ],
      },
    });
  });

  // parse_response_streaming / _parse_response_for_streaming (allow_missing_stop);
  // test_parse_response_streaming_observation_stop
  it("an <|observation|>-terminated reply streams to its tool call; a truncated one is still parsed", () => {
    const last = stream(
      "check</think><tool_call>get_weather<arg_key>location</arg_key><arg_value>NYC</arg_value></tool_call><|observation|>",
    ).at(-1);
    expect(last?.type === "message" && last.message.toolCalls?.[0]?.function.name).toBe("get_weather");
    const cut = stream("half</think>ans").at(-1);
    expect(cut?.type === "message" && cut.message.content).toEqual([
      { type: "thinking", thinking: "half" },
      { type: "text", text: "ans" },
    ]);
  });
});

describe("glm5_3 to_openai_message and model_info", () => {
  // to_openai_message
  it("reasoning_content for thinking, arguments as an object, tool fields only on tool messages", () => {
    expect(max.toOpenAIMessage(toolConversation[1] as Message)).toEqual({
      role: "assistant",
      content: "",
      reasoning_content: "I need to check the weather in NYC.",
      tool_calls: [
        {
          type: "function",
          id: "call_abc123",
          function: { name: "get_weather", arguments: { location: "New York, NY" } },
        },
      ],
    });
    expect(max.toOpenAIMessage(toolConversation[2] as Message)).toEqual({
      role: "tool",
      content: '{"temperature": 72, "condition": "sunny"}',
      tool_call_id: "call_abc123",
      name: "get_weather",
    });
    expect(() =>
      max.toOpenAIMessage({ role: "user", content: [{ type: "image", image: "data:," }] }),
    ).toThrow(RendererError);
  });

  // model_info.py's zai-org/GLM-5.3 row; model_info_test.py TestGlm5_3
  it("zai-org/GLM-5.3: 5.3, 744B-A40B, chat, text-only; max / low / high reasoning", () => {
    expect(getModelAttributes("zai-org/GLM-5.3:peft:262144")).toMatchObject({
      organization: "zai-org",
      versionStr: "5.3",
      sizeStr: "744B-A40B",
      isChat: true,
      isVl: false,
    });
    expect(getRecommendedRendererNames("zai-org/GLM-5.3")).toEqual([
      "glm5_3_max_reasoning",
      "glm5_3_low_reasoning",
      "glm5_3_high_reasoning",
    ]);
  });
});
