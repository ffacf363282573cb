/** Issue 11: lint, destructive-change gate, measured locks/rewrites/rows, workload latency, and their report. */
export * from './approvals.js';
export * from './budgets.js';
export * from './destructive.js';
export * from './latency.js';
export * from './lint.js';
export * from './lock-modes.js';
export * from './measure.js';
export * from './probe.js';
export * from './render.js';
export * from './report.js';
export * from './rows-at-risk.js';
export * from './safer-forms.js';
export * from './statements.js';
export * from './type-narrowing.js';
export * from './estimate.js';
export * from './gates.js';
export * from './static.js';
