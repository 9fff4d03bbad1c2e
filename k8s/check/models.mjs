// Validates rendered objects against their Kubernetes API types with the kubernetes-models
// packages, strictly: those schemas accept any field they do not declare, so a misspelled field
// would pass. Every field is therefore probed: the checker puts a value no schema type accepts
// (a function) in its place and validates again; a field the schema declares then fails at
// exactly its own path, and one it does not declare is reported as unknown.

// CRD groups and the package that carries their models; every other group (and the core group)
// comes from kubernetes-models. A group missing here fails as an unknown kind.
const CRD_PACKAGES = {
  "keda.sh": "@kubernetes-models/keda",
  "postgresql.cnpg.io": "@kubernetes-models/cloudnative-pg",
};

const API_VERSION = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const models = new Map();

/** The model class for apiVersion/kind, or null when no installed package declares it. */
export async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return null;
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    const pkg = CRD_PACKAGES[group] ?? "kubernetes-models";
    let model = null;
    try {
      const exported = (await import(`${pkg}/${apiVersion}/${kind}`))[kind];
      // Sub-types (PodSpec, ...) are modules too, but only API kinds declare apiVersion and kind.
      if (exported?.apiVersion === apiVersion && exported?.kind === kind) model = exported;
    } catch (e) {
      if (e?.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && e?.code !== "ERR_MODULE_NOT_FOUND") {
        throw e;
      }
    }
    models.set(key, model);
  }
  return models.get(key);
}

/** The reasons `object` is not a valid instance of its API type: empty when it is one. */
export async function validateObject(object) {
  const Model = await modelFor(object?.apiVersion, object?.kind);
  if (!Model) {
    return [`unknown apiVersion/kind ${object?.apiVersion}/${object?.kind} (no model installed for it)`];
  }
  // The model deep-copies the object, so the probes below never touch the caller's data.
  const instance = new Model(object);
  const problems = errorsOf(instance).map((e) => `${e.instancePath || "/"} ${e.message}`);
  for (const path of unknownFields(instance)) {
    problems.push(`${path} is not a field of ${object.apiVersion} ${object.kind}`);
  }
  return [...new Set(problems)];
}

function errorsOf(instance) {
  try {
    instance.validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e?.errors)) throw e;
    return e.errors;
  }
}

const PROBE = () => undefined;

function unknownFields(instance) {
  const unknown = [];
  const walk = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}/${i}`));
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      const fieldPath = `${path}/${pointerEscape(key)}`;
      const saved = node[key];
      node[key] = PROBE;
      const declared = errorsOf(instance).some((e) => e.instancePath === fieldPath);
      node[key] = saved;
      if (declared) {
        walk(saved, fieldPath);
      } else {
        unknown.push(fieldPath);
      }
    }
  };
  walk(instance, "");
  return unknown;
}

// JSON Pointer escaping, as in the validators' instancePath (label keys contain '/').
function pointerEscape(key) {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
