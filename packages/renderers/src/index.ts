export {
  type ContentBlocks,
  classifyParseFailure,
  detectUnterminatedToolBlock,
  ensureList,
  ensureText,
  formatContentAsString,
  getTextContent,
  hasThinking,
  type ParseFailureKind,
  parseContentBlocks,
  parseThinkBlocks,
  parseToolCallJson,
  thinkingParts,
  thinkingText,
  toolCallPayloadJson,
} from "./content.js";
export { ConfigurationError, RendererError } from "./errors.js";
export {
  type DecodedImage,
  decodeImage,
  type ImageProcessor,
  type ImageSource,
  imageProcessorFromConfig,
  imageToChunk,
  imageTokenCount,
  QWEN3_VL_IMAGE_PROCESSOR,
  smartResize,
} from "./image.js";
export {
  KIMI_K25_MEDIA_PROCESSOR,
  KIMI_K26_MEDIA_PROCESSOR,
  type KimiMediaProcessor,
  kimiImageTokenCount,
  kimiMediaProcessorFromConfig,
  type NavitResize,
  navitResizeImage,
} from "./kimi-image.js";
export {
  getKnownModelNames,
  getModelAttributes,
  getRecommendedRendererName,
  getRecommendedRendererNames,
  type ModelAttributes,
} from "./model-info.js";
export {
  messagesFromOpenAI,
  type OpenAIChatMessage,
  type OpenAIContentPart,
  type OpenAITool,
  type OpenAIToolCall,
  type ToOpenAIOptions,
  toOpenAIMessage,
  toolSpecsFromOpenAI,
  toolSpecsToOpenAI,
} from "./openai.js";
export {
  type PyJson,
  PyNumber,
  PythonJsonError,
  pyFloatRepr,
  pyJsonDumps,
  pyJsonLoads,
  pyJsonToJs,
} from "./python-json.js";
export {
  getRegisteredRendererNames,
  getRenderer,
  getRendererNames,
  isRendererRegistered,
  type RendererFactory,
  registerRenderer,
  resolveRendererName,
  unregisterRenderer,
  warnIfRendererNotRecommended,
} from "./registry.js";
export { injectedSystemMessage, lastUserIndex, Renderer, textChunk } from "./renderer.js";
export {
  DeepSeekV3DisableThinkingRenderer,
  type DeepSeekV3Options,
  DeepSeekV3ThinkingRenderer,
} from "./renderers/deepseek-v3.js";
export { type Glm53ReasoningEffort, Glm53Renderer } from "./renderers/glm5-3.js";
export {
  formatGlmToolCall,
  glmToolsSystemContent,
  parseGlmToolCall,
  reorderGlmToolResults,
} from "./renderers/glm5-3-format.js";
export { type GptOssOptions, GptOssRenderer } from "./renderers/gpt-oss.js";
export {
  GRANITE4_DEFAULT_SYSTEM_PROMPT,
  Granite4DisableThinkingRenderer,
  type Granite4Options,
  Granite4Renderer,
} from "./renderers/granite4.js";
export {
  compactSortedJson,
  type KimiK2Options,
  KimiK2Renderer,
  kimiToolName,
  parseKimiText,
  parseKimiToolCalls,
} from "./renderers/kimi-k2.js";
export {
  KimiK25DisableThinkingRenderer,
  type KimiK25Options,
  KimiK25Renderer,
  KimiK26PreserveThinkingRenderer,
} from "./renderers/kimi-k25.js";
export { Llama3Renderer } from "./renderers/llama3.js";
export {
  formatNemotron3ToolDeclaration,
  Nemotron3DisableThinkingRenderer,
  Nemotron3LowThinkingRenderer,
  Nemotron3PreserveThinkingRenderer,
  Nemotron3Renderer,
  Nemotron3UltraDisableThinkingRenderer,
  Nemotron3UltraMediumThinkingRenderer,
  Nemotron3UltraPreserveThinkingRenderer,
  Nemotron3UltraRenderer,
  pyStrValue,
} from "./renderers/nemotron3.js";
export {
  Qwen3DisableThinkingRenderer,
  Qwen3InstructRenderer,
  type Qwen3Options,
  Qwen3Renderer,
  qwen3ToolsSystemText,
} from "./renderers/qwen3.js";
export {
  formatQwen35ToolCall,
  parseQwen35ToolCall,
  postprocessQwen35Message,
  QWEN3_5_TOOL_INSTRUCTIONS,
  Qwen35DisableThinkingRenderer,
  Qwen35Renderer,
} from "./renderers/qwen3-5.js";
export {
  Qwen3VLInstructRenderer,
  type Qwen3VLOptions,
  Qwen3VLRenderer,
  type VLPiece,
} from "./renderers/qwen3-vl.js";
export { RoleColonRenderer } from "./renderers/role-colon.js";
export { Step3p5FlashRenderer } from "./renderers/step3p5.js";
export {
  type MessageDelta,
  ReasoningStreamingParser,
  type StreamingMessage,
  type StreamingMessageHeader,
  type StreamingTextDelta,
  type StreamingThinkingDelta,
  Utf8TokenDecoder,
} from "./streaming.js";
export {
  BYTE_LEVEL_EOS,
  BYTE_LEVEL_TOKENIZER,
  byteLevelTokenizerFiles,
  bytesToUnicode,
} from "./tokenizer/byte-level.js";
export {
  type GetTokenizerOptions,
  getTokenizer,
  getTokenizerSync,
  loadTokenizerDir,
  npmTokenizerPackageFor,
  readTokenizerFiles,
  registerTokenizer,
  type TokenizerFactory,
  TokenizerNotFoundError,
  tokenizerRepoFor,
  unregisterTokenizer,
} from "./tokenizer/resolve.js";
export {
  KIMI_PAT_STR,
  KIMI_RESERVED_SPECIAL_TOKENS,
  parseTiktokenRanks,
  TiktokenFileError,
  TiktokenTokenizer,
  type TiktokenTokenizerFiles,
  type TiktokenTokenizerOptions,
} from "./tokenizer/tiktoken.js";
export {
  type EncodeOptions,
  HfJsonTokenizer,
  type Tokenizer,
  type TokenizerFiles,
} from "./tokenizer/tokenizer.js";
export * from "./types.js";
export { setRendererWarningHandler, type WarningHandler } from "./warnings.js";
