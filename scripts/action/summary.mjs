#!/usr/bin/env node
/**
 * `node scripts/action/summary.mjs <output.json>`: append the command's result as markdown to
 * $GITHUB_STEP_SUMMARY (printed on stdout when it is not set).
 */
import { appendFileSync } from 'node:fs';
import { markdownOf, readOutput } from './render.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: summary.mjs <output.json>');
  process.exit(2);
}
const md = markdownOf(readOutput(file));
if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${md}\n`);
else process.stdout.write(md);
