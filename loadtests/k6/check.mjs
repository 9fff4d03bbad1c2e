// Checks the k6 scripts without k6 (it cannot be installed here): each must parse (node --check),
// import only what exists, and export an open-model scenario with thresholds, setup() and a default
// function. k6's modules are replaced by stubs that record nothing.
//   node loadtests/k6/check.mjs
import { execFileSync } from 'node:child_process';
import { register } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const stubs = {
  k6: 'export const check = () => true; export const fail = (m) => { throw new Error(m); }; export const sleep = () => {};',
  'k6/http': 'const http = { request() {}, get() {}, post() {}, setResponseCallback() {}, expectedStatuses: () => ({}) }; export default http;',
  'k6/metrics': 'export class Rate { add() {} } export class Trend { add() {} } export class Counter { add() {} }',
};
const hooks = `
const stubs = ${JSON.stringify(stubs)};
export async function resolve(specifier, context, next) {
  if (specifier in stubs) {
    return { url: 'data:text/javascript,' + encodeURIComponent(stubs[specifier]), shortCircuit: true };
  }
  return next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks), import.meta.url);
globalThis.__ENV = {};

const openModel = new Set(['constant-arrival-rate', 'ramping-arrival-rate']);
const scripts = readdirSync(here).filter((f) => f.endsWith('.js'));
let failures = 0;
for (const file of scripts) {
  const path = join(here, file);
  try {
    execFileSync(process.execPath, ['--check', path], { stdio: 'pipe' });
    const module = await import(pathToFileURL(path).href);
    const scenarios = Object.values(module.options?.scenarios ?? {});
    const problems = [];
    if (scenarios.length === 0) problems.push('no scenarios');
    for (const s of scenarios) {
      if (!openModel.has(s.executor)) problems.push(`executor ${s.executor} is not open-model`);
    }
    if (Object.keys(module.options?.thresholds ?? {}).length === 0) problems.push('no thresholds');
    if (typeof module.setup !== 'function') problems.push('no setup()');
    if (typeof module.default !== 'function') problems.push('no default function');
    if (problems.length > 0) throw new Error(problems.join('; '));
    console.log(`ok ${file}: ${scenarios.map((s) => s.executor).join(', ')}`);
  } catch (e) {
    failures++;
    console.log(`FAILED ${file}: ${String(e.stderr ?? e.message).trim()}`);
  }
}
if (scripts.length === 0) {
  console.log('FAILED: no scripts found');
  failures++;
}
process.exit(failures === 0 ? 0 : 1);
