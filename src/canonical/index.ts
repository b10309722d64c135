// Public surface of the canonical layer. Other folders import only from here.
export { JsonNumber, type JsonObject, type JsonValue, isJsonObject, toPlain } from './json-value.js';
export { JsonSyntaxError, JsonDuplicateKeyError, parseJson, type ParseJsonOptions } from './parse-json.js';
export { CanonicalJsonError, canonicalJson, canonicalJsonBytes, type CanonicalOptions } from './canonical-json.js';
export { pythonJsonDumps } from './python-json.js';
export { pyFloatRepr } from './python-float.js';
export { sha256, sha256Hex, canonicalHash, canonicalHashHex } from './hash.js';
export {
  compareCodePoints,
  codePointLength,
  hasLoneSurrogate,
  pyStrip,
  pySplit,
  pyIsSpace,
  PY_SPACE_CLASS,
} from './python-text.js';
