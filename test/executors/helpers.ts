/** Helpers for executor tests: a run target on a real local-engine branch, and scratch copies of examples. */
import { chmodSync, cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type DbClient } from '../../src/db/connect.js';
import type { ExecutorTarget } from '../../src/executors/types.js';
import type { TestEngine } from '../support/engine.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const ALEMBIC_EXAMPLE = path.join(REPO, 'examples/alembic-todo');
/** The example's venv (installed by .ci/run). */
export const ALEMBIC_BIN = path.join(ALEMBIC_EXAMPLE, '.venv/bin/alembic');

export interface TestTarget extends ExecutorTarget {
  db: DbClient;
  logs: string[];
}

/** A fresh branch of the engine's empty main, as an executor target. */
export async function branchTarget(
  engine: TestEngine,
  name: string,
  overrides: Partial<ExecutorTarget> = {},
): Promise<TestTarget> {
  const uri = await engine.branch(name);
  const db = await connect(uri);
  const logs: string[] = [];
  return {
    branch: name,
    uri,
    db,
    runId: `test-${name}`,
    log: (m) => logs.push(m),
    timeouts: { lockTimeout: '5s', statementTimeout: '15min' },
    env: process.env,
    logs,
    ...overrides,
  };
}

/** A scratch copy of an example project (its .venv linked, not copied). */
export function copyExample(example: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-exec-'));
  chmodSync(dir, 0o755); // clusters then live inside the project, removed with it
  cpSync(example, dir, {
    recursive: true,
    filter: (src) => !/[/\\](\.venv|node_modules|\.neon-migrate|__pycache__)$/.test(src),
  });
  const venv = path.join(example, '.venv');
  if (existsSync(venv)) symlinkSync(venv, path.join(dir, '.venv'));
  return dir;
}

/** The branch password, to check it never reaches output. */
export function passwordOf(uri: string): string {
  return decodeURIComponent(new URL(uri).password);
}
