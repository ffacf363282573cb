/** Finding a wrapped tool's executable: the configured path, the project's venv or node_modules, or PATH. */
import { UsageError } from '../errors.js';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on the PATH of `env`, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

export interface LocateOptions {
  /** The configured executable (relative to the project, or absolute), checked alone when set. */
  configured?: string;
  /** Project-relative candidates tried before PATH, e.g. `.venv/bin/alembic`. */
  candidates?: string[];
  /** Look in node_modules/.bin of the project and of its parent folders (as npx does). */
  nodeModules?: boolean;
}

/** Where the tool's executable is, or undefined when it is nowhere to be found. */
export function locateTool(
  name: string,
  projectDir: string,
  env: NodeJS.ProcessEnv,
  options: LocateOptions = {},
): string | undefined {
  if (options.configured) {
    const file = path.resolve(projectDir, options.configured);
    if (isExecutable(file)) return file;
    // A bare name ("alembic") is looked up on PATH.
    return options.configured.includes('/') ? undefined : onPath(options.configured, env);
  }
  for (const rel of options.candidates ?? []) {
    const file = path.resolve(projectDir, rel);
    if (isExecutable(file)) return file;
  }
  if (options.nodeModules) {
    for (let dir = path.resolve(projectDir); ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'node_modules', '.bin', name);
      if (isExecutable(file)) return file;
      if (path.dirname(dir) === dir) break;
    }
  }
  return onPath(name, env);
}

/** An npm-installed tool (node_modules/.bin here or above, or PATH); TOOL_MISSING (exit 2) with `hint` when absent. */
export function requireNodeTool(
  name: string,
  projectDir: string,
  env: NodeJS.ProcessEnv,
  configured: string | undefined,
  hint: string,
): string {
  const bin = locateTool(name, projectDir, env, { configured, nodeModules: true });
  if (!bin) throw new UsageError(`${name} not found in node_modules/.bin or on PATH`, { hint, code: 'TOOL_MISSING' });
  return bin;
}

/** PATH with the tool's own folder first (a venv's bin/ holds its python too). */
export function pathWithToolDir(bin: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = path.dirname(bin);
  return { ...env, PATH: env.PATH ? `${dir}${path.delimiter}${env.PATH}` : dir };
}
