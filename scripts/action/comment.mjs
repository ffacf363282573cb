#!/usr/bin/env node
/**
 * `node scripts/action/comment.mjs <output.json>`: upsert one pull-request comment with the
 * command's result, found again by a hidden marker (one per NEON_MIGRATE_COMMENT_KEY), and left
 * alone when what it says has not changed (a digest of the result without timings), as Neon's
 * schema-diff action does. Talks to the GitHub REST API with fetch: GITHUB_TOKEN,
 * GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL. Exit 0 done or skipped, 1 API failure,
 * 2 usage; the token never appears in output.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { commentBody, digestInBody, digestOf, markerOf, readOutput } from './render.mjs';

const env = process.env;

function fail(code, message, hint) {
  console.error(`neon-migrate comment: ${message}${hint ? ` (${hint})` : ''}`);
  process.exit(code);
}

/** The pull request number of the triggering event, or undefined when it is not a pull request. */
function pullNumber() {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  let event;
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch (err) {
    fail(2, `cannot read GITHUB_EVENT_PATH: ${err.message}`);
  }
  const n = event?.pull_request?.number ?? (event?.issue?.pull_request ? event.issue.number : undefined);
  return Number.isInteger(n) ? n : undefined;
}

/** One GitHub API request; a non-2xx answer is exit 1 with GitHub's message (never the token). */
async function github(method, path, body) {
  const base = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  let res;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${env.GITHUB_TOKEN}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'neon-migrate-action',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    fail(1, `${method} ${path}: ${err.cause?.code ?? err.message}`, `is GITHUB_API_URL (${base}) reachable?`);
  }
  const text = await res.text();
  if (!res.ok) {
    const message = (() => {
      try {
        return JSON.parse(text).message;
      } catch {
        return text.slice(0, 200);
      }
    })();
    const hint =
      res.status === 403 || res.status === 404 ? 'the workflow needs `permissions: pull-requests: write`' : '';
    fail(1, `${method} ${path}: ${res.status} ${String(message).replaceAll(env.GITHUB_TOKEN, '***')}`, hint);
  }
  return text ? JSON.parse(text) : undefined;
}

/** Our earlier comment on the pull request (by its marker), following pagination. */
async function findComment(repo, number, marker) {
  for (let page = 1; page <= 50; page++) {
    const comments = await github('GET', `/repos/${repo}/issues/${number}/comments?per_page=100&page=${page}`);
    const mine = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (mine) return mine;
    if (comments.length < 100) return undefined;
  }
  return undefined;
}

function setOutput(values) {
  if (!env.GITHUB_OUTPUT) return;
  appendFileSync(
    env.GITHUB_OUTPUT,
    Object.entries(values)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}

const file = process.argv[2];
if (!file) fail(2, 'usage: comment.mjs <output.json>');
const number = pullNumber();
if (number === undefined) {
  console.log('neon-migrate comment: not a pull request, no comment');
  setOutput({ comment: 'skipped' });
  process.exit(0);
}
if (!env.GITHUB_TOKEN) fail(2, 'GITHUB_TOKEN is not set', 'pass `github-token` to the action');
if (!/^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY ?? '')) fail(2, 'GITHUB_REPOSITORY must be owner/repo');
const repo = env.GITHUB_REPOSITORY;
const output = readOutput(file);
const key = env.NEON_MIGRATE_COMMENT_KEY || 'report';
const body = commentBody(output, key);
const existing = await findComment(repo, number, markerOf(key));
let action;
let id;
if (!existing) {
  id = (await github('POST', `/repos/${repo}/issues/${number}/comments`, { body })).id;
  action = 'created';
} else if (digestInBody(existing.body) === digestOf(output)) {
  id = existing.id;
  action = 'unchanged';
} else {
  id = (await github('PATCH', `/repos/${repo}/issues/comments/${existing.id}`, { body })).id;
  action = 'updated';
}
console.log(`neon-migrate comment: ${action} comment ${id} on ${repo}#${number}`);
setOutput({ comment: action, 'comment-id': id });
