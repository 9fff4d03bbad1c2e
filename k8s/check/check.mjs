// Offline check of Bulwark's deployment files (k8s/README.md, "Checking the manifests"):
//   node k8s/check/check.mjs [ROOT]      ROOT: the repository (default: the one holding this file)
// Renders every kustomization under ROOT/k8s with `kubectl kustomize`, validates each object
// against its Kubernetes or CRD type (unknown fields and kinds fail), checks Bulwark's own
// invariants, then checks ROOT/docker-compose.yml. Prints `ok <name>` or `FAILED <name>: ...`
// per kustomization and for the compose file; exits 1 if anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse } from "yaml";
import { checkCompose } from "./compose.mjs";
import { checkInvariants } from "./invariants.mjs";
import { validateObject } from "./models.mjs";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "../.."));
const kubectl = process.env.KUBECTL || "kubectl";

function fail(message) {
  console.log(message);
  process.exit(1);
}

/** The BULWARK_* names the node's sources mention: the variables it reads. */
function knownEnvNames() {
  const sources = join(root, "cluster-node/src/main");
  if (!existsSync(sources)) fail(`FAILED setup: ${sources} not found (is ${root} the repository?)`);
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else for (const m of readFileSync(path, "utf8").matchAll(/BULWARK_[A-Z0-9_]+/g)) names.add(m[0]);
    }
  };
  walk(sources);
  return names;
}

/** Directories under ROOT/k8s with a kustomization that builds on its own (not a Component). */
function kustomizations() {
  const found = [];
  const walk = (dir) => {
    const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
    if (file && parse(readFileSync(file, "utf8"))?.kind !== "Component") found.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== "node_modules") walk(join(dir, entry.name));
    }
  };
  const k8s = join(root, "k8s");
  if (!existsSync(k8s) || !statSync(k8s).isDirectory()) fail(`FAILED setup: ${k8s} not found`);
  walk(k8s);
  return found.sort();
}

function render(dir) {
  const run = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error?.code === "ENOENT") fail("FAILED setup: kubectl not found: install it (it renders kustomize)");
  if (run.error) throw run.error;
  if (run.status !== 0) return { problems: [`kubectl kustomize failed: ${run.stderr.trim()}`] };
  const objects = [];
  const problems = [];
  for (const doc of parseAllDocuments(run.stdout)) {
    if (doc.errors.length) problems.push(...doc.errors.map((e) => `YAML: ${e.message}`));
    else if (doc.contents !== null) objects.push(doc.toJS());
  }
  return { objects, problems };
}

async function checkKustomization(dir, knownEnv) {
  const { objects = [], problems } = render(dir);
  for (const object of objects) {
    const name = `${object?.kind} ${object?.metadata?.name}`;
    for (const problem of await validateObject(object)) problems.push(`${name}: ${problem}`);
  }
  if (objects.length === 0 && problems.length === 0) problems.push("renders no object");
  return [...problems, ...checkInvariants(objects, knownEnv)];
}

const knownEnv = knownEnvNames();
let failed = false;
const report = (name, problems) => {
  if (problems.length === 0) {
    console.log(`ok ${name}`);
  } else {
    failed = true;
    console.log(`FAILED ${name}: ${problems.join("; ")}`);
  }
};
for (const dir of kustomizations()) {
  report(relative(join(root, "k8s"), dir) || ".", await checkKustomization(dir, knownEnv));
}
report("docker-compose.yml", checkCompose(root, knownEnv));
process.exit(failed ? 1 : 0);
