import { RendererError } from "../errors.js";
import { PyNumber, pyFloatRepr, pyJsonDumps } from "../python-json.js";
import { warn } from "../warnings.js";

/**
 * Kimi K2.5's TypeScript-style tool declarations: the cookbook's kimi_k2_5_tool_declaration_ts.py
 * (`encode_tools_to_typescript_style`, from Moonshot's K2.5 tokenizer), which turns each tool's JSON Schema into a
 * `type name = (_: {…}) => any;` line inside `namespace functions { … }`.
 *
 * Python values are printed as Python prints them (`str`/`repr`, `json.dumps(ensure_ascii=False)`); a JS number that
 * is an integer prints as a Python int (pass a `PyNumber` to keep a float such as `1.0`).
 */

const INDENT = "  ";
const FIELD_DELIMITER = ",\n";

type Json = Record<string, unknown>;

/** `$defs` seen so far and whether `$ref: "#"` occurred (`_SchemaRegistry`). */
class SchemaRegistry {
  readonly definitions = new Map<string, unknown>();
  hasSelfRef = false;
  register(defs: unknown): void {
    if (!isObject(defs)) return;
    for (const [name, schema] of Object.entries(defs)) this.definitions.set(name, schema);
  }
  /** The reference's name; `#` is the parameters object itself. */
  resolve(ref: unknown): string {
    if (ref === "#") {
      this.hasSelfRef = true;
      return "parameters";
    }
    if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
      const name = ref.split("/").at(-1) as string;
      if (!this.definitions.has(name))
        throw new RendererError(`Kimi tool declaration: reference not found: ${ref}`);
      return name;
    }
    throw new RendererError(`Kimi tool declaration: unsupported reference format: ${String(ref)}`);
  }
}

interface Doc {
  description: string;
  constraints: [string, unknown][];
}
type TsType = Doc &
  (
    | { kind: "scalar"; type: string }
    | { kind: "object"; properties: Parameter[]; additional: AdditionalProperties }
    | { kind: "array"; item: TsType }
    | { kind: "enum"; values: unknown[] }
    | { kind: "anyOf"; types: TsType[] }
    | { kind: "union"; types: string[] }
    | { kind: "ref"; name: string }
  );
/** `additionalProperties`: absent/null, a parsed schema, or the raw value (true, false, or an unsupported one). */
type AdditionalProperties = undefined | { schema: TsType } | { raw: unknown };
interface Parameter {
  name: string;
  type: TsType;
  optional: boolean;
  default: unknown;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof PyNumber);
}

function doc(schema: Json, constraintKeys: readonly string[] = []): Doc {
  const description = typeof schema.description === "string" ? schema.description : "";
  const constraints = Object.entries(schema).filter(([k]) => constraintKeys.includes(k));
  return { description, constraints };
}

const UNION_TYPES: Record<string, string> = {
  string: "string",
  number: "number",
  integer: "number",
  boolean: "boolean",
  null: "null",
  object: "{}",
  array: "Array<any>",
};

/** `_parse_parameter_type`. */
function parseType(schema: unknown, registry: SchemaRegistry): TsType {
  const none: Doc = { description: "", constraints: [] };
  if (typeof schema === "boolean") {
    if (schema) return { ...none, kind: "scalar", type: "any" };
    warn(`Kimi tool declaration: boolean schema ${schema} is not supported, use null instead.`);
    return { ...none, kind: "scalar", type: "null" };
  }
  if (!isObject(schema))
    throw new RendererError(`Kimi tool declaration: invalid JSON Schema object: ${String(schema)}`);
  if ("$ref" in schema) return { ...doc(schema), kind: "ref", name: registry.resolve(schema.$ref) };
  if ("anyOf" in schema) {
    const types = Array.isArray(schema.anyOf) ? schema.anyOf : [];
    return { ...doc(schema), kind: "anyOf", types: types.map((t) => parseType(t, registry)) };
  }
  if ("enum" in schema) return parseEnum(schema);
  if ("type" in schema) {
    const type = schema.type;
    if (Array.isArray(type)) {
      const types = type.map((t) => {
        const mapped = UNION_TYPES[String(t)];
        if (mapped === undefined)
          throw new RendererError(`Kimi tool declaration: unsupported type ${String(t)} in a type list`);
        return mapped;
      });
      return { ...doc(schema), kind: "union", types };
    }
    if (type === "object") return parseObject(schema, registry);
    if (type === "array") {
      const items = schema.items;
      const item = isTruthy(items) ? parseType(items, registry) : scalar("any");
      return { ...doc(schema, ["minItems", "maxItems"]), kind: "array", item };
    }
    const keys =
      type === "string"
        ? ["maxLength", "minLength", "pattern"]
        : type === "number" || type === "integer"
          ? ["maximum", "minimum"]
          : [];
    return { ...doc(schema, keys), kind: "scalar", type: String(type) };
  }
  if (Object.keys(schema).length === 0) return scalar("any");
  throw new RendererError(`Kimi tool declaration: invalid JSON Schema object: ${JSON.stringify(schema)}`);
}

function scalar(type: string): TsType {
  return { description: "", constraints: [], kind: "scalar", type };
}

/** Python truthiness of a JSON value (`if json_schema_object.get("items")`). */
function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyNumber) return v.value !== 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** `_ParameterTypeObject.__init__`. */
function parseObject(schema: Json, registry: SchemaRegistry): TsType {
  const base = {
    ...doc(schema),
    kind: "object" as const,
    properties: [] as Parameter[],
    additional: undefined as AdditionalProperties,
  };
  if (Object.keys(schema).length === 0) return base;
  if ("$defs" in schema) registry.register(schema.$defs);
  const additional = schema.additionalProperties;
  if (isObject(additional)) base.additional = { schema: parseType(additional, registry) };
  else if (additional !== null && additional !== undefined) base.additional = { raw: additional };
  if (!("properties" in schema) || !isObject(schema.properties)) return base;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  base.properties = Object.entries(schema.properties).map(([name, prop]) => ({
    name,
    type: parseType(prop, registry),
    optional: !required.has(name),
    default: isObject(prop) ? prop.default : undefined,
  }));
  return base;
}

/** `_ParameterTypeEnum`: scalar values, checked against a declared type. */
function parseEnum(schema: Json): TsType {
  const values = Array.isArray(schema.enum) ? schema.enum : [];
  if ("type" in schema) {
    let type = schema.type;
    if (Array.isArray(type)) {
      if (type.length === 1) type = type[0];
      else if (type.length === 2 && type.includes("null")) type = type[0] !== "null" ? type[0] : type[1];
      else
        throw new RendererError(`Kimi tool declaration: enum type ${JSON.stringify(type)} is not supported`);
    }
    for (const v of values) {
      if (v === null || v === undefined) continue;
      const isNum = typeof v === "number" || v instanceof PyNumber;
      const isInt =
        (typeof v === "number" && Number.isInteger(v)) || (v instanceof PyNumber && v.kind === "int");
      const bad =
        (type === "string" && typeof v !== "string") ||
        (type === "number" && !isNum && typeof v !== "boolean") ||
        (type === "integer" && !isInt && typeof v !== "boolean") ||
        (type === "boolean" && typeof v !== "boolean");
      if (bad)
        throw new RendererError(`Kimi tool declaration: enum value ${pyStr(v)} is not a ${String(type)}`);
    }
  }
  return { ...doc(schema), kind: "enum", values };
}

/** Python `repr` of a JSON value. */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (v instanceof PyNumber) return v.kind === "int" ? (v.intText ?? String(v.value)) : pyFloatRepr(v.value);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === "string")
    return v.includes("'") && !v.includes('"')
      ? `"${v}"`
      : `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(", ")}}`;
  return String(v);
}

/** Python `str`. */
function pyStr(v: unknown): string {
  return typeof v === "string" ? v : pyRepr(v);
}

function formatDescription(description: string, indent = ""): string {
  return description
    .split("\n")
    .map((line) => (line ? `${indent}// ${line}` : ""))
    .join("\n");
}

/** `_BaseType.format_docstring`. */
function docstring(t: TsType, indent: string): string {
  const lines: string[] = [];
  if (t.description) lines.push(formatDescription(t.description, indent));
  if (t.constraints.length > 0) {
    const sorted = [...t.constraints].sort(([a], [b]) => compareCodePoints(a, b));
    lines.push(`${indent}// ${sorted.map(([k, v]) => `${k}: ${pyStr(v)}`).join(", ")}`);
  }
  return lines.map((x) => `${x}\n`).join("");
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** `to_typescript_style` of each type class. */
function typeToTs(t: TsType, indent = ""): string {
  switch (t.kind) {
    case "scalar":
      return t.type === "integer" ? "number" : t.type;
    case "ref":
      return t.name;
    case "union":
      return t.types.join(" | ");
    case "anyOf":
      return t.types.map((x) => typeToTs(x, indent)).join(" | ");
    case "enum":
      return t.values.map((e) => (typeof e === "string" ? `"${e}"` : pyStr(e))).join(" | ");
    case "array": {
      const itemDoc = docstring(t.item, indent + INDENT);
      if (!itemDoc) return `Array<${typeToTs(t.item, indent)}>`;
      return `Array<\n${itemDoc}${indent}${INDENT}${typeToTs(t.item, indent + INDENT)}\n${indent}>`;
    }
    case "object":
      return objectToTs(t, indent);
  }
}

function objectToTs(t: Extract<TsType, { kind: "object" }>, indent: string): string {
  const byName = (a: Parameter, b: Parameter) => compareCodePoints(a.name, b.name);
  const ordered = [
    ...t.properties.filter((p) => !p.optional).sort(byName),
    ...t.properties.filter((p) => p.optional).sort(byName),
  ];
  const fields = ordered.map((p) => parameterToTs(p, indent + INDENT));
  if (t.additional !== undefined) {
    let ap: string;
    if ("schema" in t.additional) ap = typeToTs(t.additional.schema, indent + INDENT);
    else if (t.additional.raw === true) ap = "any";
    else if (t.additional.raw === false) ap = "never";
    else
      throw new RendererError(
        `Kimi tool declaration: unknown additionalProperties: ${pyRepr(t.additional.raw)} (use true, false or a schema)`,
      );
    fields.push(`${indent}${INDENT}[k: string]: ${ap}`);
  }
  if (fields.length === 0) return "{}";
  return `{\n${fields.join(FIELD_DELIMITER)}\n${indent}}`;
}

/** `_Parameter.to_typescript_style`: docstring, `// Default: …`, then `name?: type`. */
function parameterToTs(p: Parameter, indent: string): string {
  let comments = docstring(p.type, indent);
  if (p.default !== undefined && p.default !== null) {
    const plain =
      typeof p.default === "number" || typeof p.default === "boolean" || p.default instanceof PyNumber;
    const shown = plain ? pyRepr(p.default) : pyJsonDumps(p.default as never, { ensureAscii: false });
    comments += `${indent}// Default: ${shown}\n`;
  }
  return `${comments}${indent}${p.name}${p.optional ? "?" : ""}: ${typeToTs(p.type, indent)}`;
}

/** `_openai_function_to_typescript_style`. */
function functionToTs(fn: Json): string {
  const registry = new SchemaRegistry();
  const params = isObject(fn.parameters) ? fn.parameters : {};
  const parsed = parseObject(params, registry) as Extract<TsType, { kind: "object" }>;
  const interfaces: string[] = [];
  // Decided before the $defs are parsed: a `#` inside a definition does not make the root an interface.
  const selfRef = registry.hasSelfRef;
  if (selfRef) {
    const body = parsed.properties.map((p) => parameterToTs(p, INDENT)).join(FIELD_DELIMITER);
    interfaces.push(`interface parameters {${body ? `\n${body}\n` : ""}}`);
  }
  for (const [name, schema] of [...registry.definitions]) {
    const body = typeToTs(parseType(schema, registry));
    const description = isObject(schema) && typeof schema.description === "string" ? schema.description : "";
    interfaces.push(`${description ? `${formatDescription(description)}\n` : ""}interface ${name} ${body}`);
  }
  const name = typeof fn.name === "string" ? fn.name : "function";
  const typeDef = selfRef
    ? `type ${name} = (_: parameters) => any;`
    : `type ${name} = (_: ${typeToTs(parsed)}) => any;`;
  const description =
    typeof fn.description === "string" && fn.description ? formatDescription(fn.description) : "";
  return [interfaces.join("\n"), description, typeDef].filter(Boolean).join("\n");
}

/** `encode_tools_to_typescript_style`: OpenAI-format tools (`{type: "function", function}`); others skipped. */
export function encodeToolsToTypescriptStyle(tools: readonly Json[]): string {
  const functions = tools
    .filter((t) => t.type === "function" && isObject(t.function) && Object.keys(t.function).length > 0)
    .map((t) => functionToTs(t.function as Json));
  if (functions.length === 0) return "";
  return `# Tools\n\n## functions\nnamespace functions {\n${functions.join("\n")}\n}\n`;
}
