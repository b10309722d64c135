/**
 * Configuration: defaults < `chronicle.config.json|yaml|yml` (working directory, or `--config`) <
 * `CHRONICLE_*` environment variables < command-line flags. Validated at start-up against
 * schemas/config.schema.json; any problem is a usage error (exit 2) naming the source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { UsageError } from '../errors.js';
import { asGiven } from './out-path.js';

const Ajv2020 = Ajv2020Module.default;
const CONFIG_SCHEMA = new URL('../../schemas/config.schema.json', import.meta.url);

export interface ChronicleConfig {
  database_url?: string;
  data_dir: string;
  campaign: string;
  strict: boolean;
  lock_timeout: string;
  batch_size: number;
  /** Unset: `warn`, or `error` when stderr is a terminal (see `logLevelFor` in context.ts). */
  log_level?: string;
  features: { importer: boolean; importer_embeddings: boolean };
}

export const CONFIG_FILES = ['chronicle.config.json', 'chronicle.config.yaml', 'chronicle.config.yml'];

const DEFAULTS: ChronicleConfig = {
  data_dir: './.chronicle',
  campaign: 'default',
  strict: false,
  lock_timeout: '30s',
  batch_size: 1000,
  features: { importer: true, importer_embeddings: true },
};

const ENV: Record<string, { key: string; type: 'string' | 'boolean' | 'integer' }> = {
  CHRONICLE_DATABASE_URL: { key: 'database_url', type: 'string' },
  CHRONICLE_DATA_DIR: { key: 'data_dir', type: 'string' },
  CHRONICLE_CAMPAIGN: { key: 'campaign', type: 'string' },
  CHRONICLE_STRICT: { key: 'strict', type: 'boolean' },
  CHRONICLE_LOCK_TIMEOUT: { key: 'lock_timeout', type: 'string' },
  CHRONICLE_BATCH_SIZE: { key: 'batch_size', type: 'integer' },
  CHRONICLE_LOG_LEVEL: { key: 'log_level', type: 'string' },
  CHRONICLE_FEATURES_IMPORTER: { key: 'features.importer', type: 'boolean' },
  CHRONICLE_FEATURES_IMPORTER_EMBEDDINGS: { key: 'features.importer_embeddings', type: 'boolean' },
};

let validator: ReturnType<InstanceType<typeof Ajv2020>['compile']> | null = null;

function validate(value: unknown, source: string): void {
  validator ??= new Ajv2020({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(CONFIG_SCHEMA, 'utf8')) as object,
  );
  const problems = validator(value)
    ? beyondSchema(value as Partial<ChronicleConfig>)
    : (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
  if (problems.length === 0) return;
  throw new UsageError(
    `invalid configuration in ${source}: ${problems.join('; ')}`,
    { source, details: problems },
    'config.invalid',
  );
}

/** PostgreSQL's largest lock_timeout (an int of milliseconds): a longer one fails in the import's transaction. */
const MAX_LOCK_TIMEOUT_MS = 2_147_483_647;
const MS_PER_UNIT = { ms: 1, s: 1000, min: 60_000 } as const;

/** A lock_timeout (`500ms`, `30s`, `10min`, as the schema allows) in milliseconds; NaN for any other text. */
export function lockTimeoutMs(lockTimeout: string): number {
  const match = /^([0-9]+)(ms|s|min)$/.exec(lockTimeout);
  return match ? Number(match[1]) * MS_PER_UNIT[match[2] as keyof typeof MS_PER_UNIT] : Number.NaN;
}

/** What the schema cannot say: a lock_timeout the server would refuse. */
function beyondSchema(config: Partial<ChronicleConfig>): string[] {
  const ms = lockTimeoutMs(config.lock_timeout ?? '');
  return ms > MAX_LOCK_TIMEOUT_MS
    ? [
        `/lock_timeout must be at most 35791min (2147483647ms, PostgreSQL's limit), not ${config.lock_timeout}`,
      ]
    : [];
}

/** Settings given as a command's flags, over `config`: validated like the rest (`flag` names them in a problem). */
export function withFlags(
  config: ChronicleConfig,
  settings: Partial<ChronicleConfig>,
  flag: string,
): ChronicleConfig {
  const given = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  validate(given, flag);
  return merge(config, given);
}

/** `shown`: the file as the user named it (or its name in the working directory), never an absolute path. */
async function readConfigFile(path: string, shown: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    // The YAML parser is loaded only for a YAML file: most runs have no configuration file, or a JSON one.
    parsed = path.endsWith('.json') ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    // The file system's message names the resolved path: named as the user gave it instead.
    const reason = (error instanceof Error ? error.message : String(error)).split(path).join(shown);
    throw new UsageError(
      `cannot read configuration ${shown}: ${reason}`,
      { source: shown },
      'config.invalid',
    );
  }
  validate(parsed ?? {}, shown);
  return (parsed ?? {}) as Record<string, unknown>;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (env.DATABASE_URL) result.database_url = env.DATABASE_URL;
  for (const [name, spec] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (spec.type === 'boolean') {
      if (!/^(true|false|1|0)$/i.test(raw)) {
        throw new UsageError(
          `${name} must be true or false, not '${raw}'`,
          { source: name },
          'config.invalid',
        );
      }
      value = /^(true|1)$/i.test(raw);
    } else if (spec.type === 'integer') {
      if (!/^[0-9]+$/.test(raw))
        throw new UsageError(`${name} must be an integer, not '${raw}'`, { source: name }, 'config.invalid');
      value = Number(raw);
    }
    const [head, tail] = spec.key.split('.') as [string, string | undefined];
    if (tail) result[head] = { ...((result[head] as object | undefined) ?? {}), [tail]: value };
    else result[head] = value;
  }
  validate(result, 'the environment (CHRONICLE_*)');
  return result;
}

export async function loadConfig(
  options: { configPath?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ChronicleConfig> {
  const cwd = options.cwd ?? process.cwd();
  let fileConfig: Record<string, unknown> = {};
  if (options.configPath) {
    const path = resolve(cwd, options.configPath);
    const shown = asGiven(options.configPath);
    if (!existsSync(path))
      throw new UsageError(`configuration file not found: ${shown}`, {}, 'config.not_found');
    fileConfig = await readConfigFile(path, shown);
  } else {
    const found = CONFIG_FILES.find((name) => existsSync(resolve(cwd, name)));
    if (found) fileConfig = await readConfigFile(resolve(cwd, found), found);
  }
  const envConfig = fromEnvironment(options.env ?? process.env);
  return merge(merge(DEFAULTS, fileConfig), envConfig);
}

function merge(base: ChronicleConfig, overrides: Record<string, unknown>): ChronicleConfig {
  const features = { ...base.features, ...((overrides.features as object | undefined) ?? {}) };
  return { ...base, ...overrides, features } as ChronicleConfig;
}
