export { areEqualUnderCas, MAX_EXPR_CHARS, shouldAllowEval } from "./cas.js";
export { AnswerExtractionError } from "./errors.js";
export { extractBoxed, extractGsm8kFinalAnswer, tryExtractBoxed } from "./extract.js";
export { gradeAnswer } from "./grade.js";
export { LatexToTextError, latexToText } from "./latex-to-text.js";
export {
  isFrac,
  normalizeExpr,
  parseLatex,
  splitTuple,
  strIsInt,
  stripProperlyFormattedCommas,
} from "./normalize-expr.js";
export { normalizeAnswer } from "./normalize-mathd.js";
export { closeGradingWorker, type SafeGradeOptions, safeGrade } from "./safe-grade.js";
export * from "./sandbox/index.js";
