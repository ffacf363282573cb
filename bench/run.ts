/** `npm run bench`: runs each bench module in order; each prints its own measurements (side by side, one run). */

/** A bench module: a name and a function that measures and returns printable lines. */
export interface BenchModule {
  name: string;
  bench(): Promise<string[]>;
}

const modules: Array<() => Promise<BenchModule>> = [() => import('./runner.js')];

for (const load of modules) {
  const mod = await load();
  process.stdout.write(`## ${mod.name}\n`);
  for (const line of await mod.bench()) process.stdout.write(`${line}\n`);
}
