/** Loading and validating project files; every problem of a file is reported at once. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem, UsageError } from '../errors.js';
import { type Environment, environmentSchema, type Settings, settingsSchema } from './schema.js';

export const SETTINGS_FILE = 'neon-migrate.json';

/** Parse a JSON file against a schema, collecting every problem with its file and key. */
export function parseJsonFile<S extends z.ZodType>(file: string, schema: S, displayName = file): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError([{ file: displayName, key: '', message: why }]);
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ file: displayName, key: [...issue.path, key].join('.'), message: 'unknown key' });
      }
    } else {
      problems.push({ file: displayName, key: issue.path.join('.') || '(root)', message: issue.message });
    }
  }
  throw new ConfigError(problems);
}

/**
 * Read `neon-migrate.json` from the project dir; defaults apply when the file is absent.
 *
 * @example
 * ```ts
 * const settings = loadSettings(process.cwd());
 * console.log(settings.defaultBranch, settings.migrationsDir);
 * ```
 */
export function loadSettings(projectDir: string): Settings {
  const file = path.join(projectDir, SETTINGS_FILE);
  if (!existsSync(file)) return settingsSchema.parse({});
  return parseJsonFile(file, settingsSchema, SETTINGS_FILE);
}

/** The names of the environments defined in `environments/`. */
export function listEnvironmentNames(projectDir: string, settings: Settings): string[] {
  const dir = path.join(projectDir, settings.environmentsDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Load one environment by its name (file name) or by the branch it runs on.
 *
 * @example
 * ```ts
 * const staging = loadEnvironment(projectDir, settings, 'staging');
 * console.log(staging.branch, staging.requires);
 * ```
 */
export function loadEnvironment(projectDir: string, settings: Settings, nameOrBranch: string): Environment {
  const names = listEnvironmentNames(projectDir, settings);
  const load = (name: string): Environment => {
    const rel = path.join(settings.environmentsDir, `${name}.json`);
    const env = parseJsonFile(path.join(projectDir, rel), environmentSchema, rel);
    return { ...env, name, file: rel };
  };
  if (names.includes(nameOrBranch)) return load(nameOrBranch);
  for (const name of names) {
    const env = load(name);
    if (env.branch === nameOrBranch) return env;
  }
  throw new UsageError(`unknown environment "${nameOrBranch}"`, {
    hint: names.length
      ? `known environments: ${names.join(', ')} (files in ${settings.environmentsDir}/)`
      : `create ${settings.environmentsDir}/${nameOrBranch}.json, or run \`neon-migrate init\``,
    code: 'UNKNOWN_ENVIRONMENT',
  });
}

/**
 * Load every environment, reporting the problems of all files at once.
 *
 * @example
 * ```ts
 * for (const e of loadAllEnvironments(projectDir, settings)) console.log(e.name, e.branch);
 * ```
 */
export function loadAllEnvironments(projectDir: string, settings: Settings): Environment[] {
  const problems: ConfigProblem[] = [];
  const envs: Environment[] = [];
  for (const name of listEnvironmentNames(projectDir, settings)) {
    try {
      envs.push(loadEnvironment(projectDir, settings, name));
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return envs;
}
