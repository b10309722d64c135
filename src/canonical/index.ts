// Public surface of the canonical layer. Other folders import only from here.

export {
  CanonicalJsonError,
  type CanonicalOptions,
  canonicalJson,
  canonicalJsonBytes,
  nfc,
} from './canonical-json.js';
export { canonicalHash, canonicalHashHex, sha256, sha256Hex } from './hash.js';
export { isJsonObject, JsonNumber, type JsonObject, type JsonValue, toPlain } from './json-value.js';
export { JsonDuplicateKeyError, JsonSyntaxError, type ParseJsonOptions, parseJson } from './parse-json.js';
export { pyFloatRepr } from './python-float.js';
export { pythonJsonDumps } from './python-json.js';
export {
  codePointLength,
  compareCodePoints,
  hasLoneSurrogate,
  PY_SPACE_CLASS,
  pyIsSpace,
  pyStrip,
  pyWordCount,
  sortByCodePoints,
} from './python-text.js';
