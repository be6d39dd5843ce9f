import { UsageError } from '../errors.ts';

/**
 * Checks of the names instrument passes to docker and kubectl, so that a typo is a clear usage error
 * here rather than a confusing failure (or a different resource) there.
 */

// The grammar of github.com/distribution/reference (the OCI image reference).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** An image reference as `docker build -t`, kind, minikube and Kubernetes accept it. */
export function checkImageReference(reference: string, flag = '--image'): string {
  const match = IMAGE_REFERENCE.exec(reference);
  // The first part is a registry only when it looks like a host (a dot, a port, or localhost);
  // otherwise it is part of the repository path, which must be lower-case.
  const name = reference.split(/[@]/)[0]!.replace(/:[\w][\w.-]*$/, '');
  const first = name.split('/')[0]!;
  const registry = name.includes('/') && (/[.:]/.test(first) || first === 'localhost');
  const path = registry ? name.slice(first.length + 1) : name;
  if (/[A-Z]/.test(path) && IMAGE_REFERENCE.test(reference.replace(path, path.toLowerCase()))) {
    throw new UsageError(
      `${flag} ${JSON.stringify(reference)}: the repository name must be lower-case`,
      `Image repositories are lower-case (only a registry host may hold capitals), e.g. ${JSON.stringify(reference.replace(/^[^:@]+/, (name) => name.toLowerCase()))}.`,
    );
  }
  if (!match || match[1]!.length > 255) {
    throw new UsageError(
      `${flag} ${JSON.stringify(reference)} is not a valid image reference`,
      'Use [registry[:port]/]path[:tag][@digest] with a lower-case path, e.g. llm-d-inference-scheduler:local or ghcr.io/llm-d/llm-d-inference-scheduler:v0.4.0.',
    );
  }
  return reference;
}

/** A Kubernetes namespace or container name: an RFC 1123 label. */
export function checkDnsLabel(name: string, flag: string): string {
  if (name.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(`${flag} ${JSON.stringify(name)} is not a valid Kubernetes name`, 'Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.');
  }
  return name;
}

/** A Kubernetes object name (deployment, config map, custom resource): an RFC 1123 subdomain. */
export function checkResourceName(name: string, flag: string): string {
  const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
  if (name.length > 253 || !new RegExp(`^${label}(\\.${label})*$`).test(name)) {
    throw new UsageError(`${flag} ${JSON.stringify(name)} is not a valid Kubernetes object name`, 'Use at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit.');
  }
  return name;
}

const LABEL_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix))) return `the key prefix "${prefix}" is not a DNS subdomain`;
  if (!LABEL_NAME.test(name)) return `"${key}" is not a label key`;
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  return value === '' || LABEL_NAME.test(value) ? undefined : `"${value}" is not a label value`;
}

/**
 * A label selector in kubectl's full syntax, checked as the API server parses it: requirements
 * separated by commas, each `key`, `!key`, `key=value` (`==`, `!=`), `key in (a,b)`, `key notin (a)`,
 * or `key > 5` / `key < 5`.
 */
export function checkLabelSelector(selector: string, flag: string): string {
  const fail = (what: string): never => {
    throw new UsageError(
      `${flag} ${JSON.stringify(selector)} is not a label selector: ${what}`,
      'Use kubectl\'s syntax, requirements separated by commas: role=proxy, role!=decode, role in (decode,both), env notin (a), canary, !canary.',
    );
  };
  let at = 0;
  const space = () => {
    while (selector[at] === ' ' || selector[at] === '\t') at++;
  };
  const word = () => {
    const match = /^[^\s,()!=<>]+/.exec(selector.slice(at));
    at += match?.[0].length ?? 0;
    return match?.[0] ?? '';
  };
  space();
  if (at === selector.length) fail('it is empty');
  for (;;) {
    space();
    const negated = selector[at] === '!';
    if (negated) at++;
    space();
    const key = word();
    if (key === '') fail(`a key is missing at character ${at + 1}`);
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) fail(keyProblem);
    space();
    if (!negated) {
      const rest = selector.slice(at);
      const operator = /^(==|=|!=|>|<)/.exec(rest)?.[0] ?? /^(in|notin)(?=[\s(])/.exec(rest)?.[0];
      if (operator === 'in' || operator === 'notin') {
        at += operator.length;
        space();
        if (selector[at] !== '(') fail(`"${operator}" must be followed by a list in parentheses, e.g. ${key} ${operator} (a,b)`);
        at++;
        const values: string[] = [];
        for (;;) {
          space();
          const value = word();
          space();
          const problem = labelValueProblem(value);
          if (problem) fail(problem);
          values.push(value);
          if (selector[at] === ',') at++;
          else if (selector[at] === ')') break;
          else fail(`the list after "${key} ${operator}" is not closed with ")"`);
        }
        at++;
        if (values.length === 1 && values[0] === '') fail(`the list after "${key} ${operator}" is empty`);
      } else if (operator !== undefined) {
        at += operator.length;
        space();
        const value = word();
        const problem = labelValueProblem(value);
        if (problem) fail(problem);
        if ((operator === '>' || operator === '<') && !/^\d+$/.test(value)) fail(`"${key} ${operator}" needs a whole number`);
      }
    }
    space();
    if (at === selector.length) return selector;
    if (selector[at] !== ',') fail(`unexpected "${selector[at]}" at character ${at + 1}`);
    at++;
  }
}

/** A kind cluster or minikube profile name. */
export function checkClusterName(name: string, flag: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) {
    throw new UsageError(`${flag} ${JSON.stringify(name)} is not a valid cluster name`, 'Use lower-case letters, digits, ".", "_" and "-".');
  }
  return name;
}

/** `name:tag` in the form container runtimes list it (`docker.io/library/name:tag`). */
export function fullyQualified(reference: string): string {
  const [first, ...rest] = reference.split('/');
  const hasDomain = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  const withDomain = hasDomain ? reference : `docker.io/${rest.length === 0 ? 'library/' : ''}${reference}`;
  return /:[\w][\w.-]*$|@/.test(withDomain.split('/').at(-1)!) ? withDomain : `${withDomain}:latest`;
}
