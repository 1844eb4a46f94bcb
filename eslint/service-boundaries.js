// The project's boundary rule (STYLE.md rule 12, DESIGN.md "Services"): a workspace uses
// another only through the entry points that workspace's package.json `exports` names, never
// through a relative path into its folder, and the node's HTTP composition file takes each
// service's routes through its `/http` entry point and nothing else of it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const servicesDir = path.join(root, 'services');

/** @ies/<name> → the sub-paths its package.json exports ('.', './http', …). */
const exportsOf = new Map(
  readdirSync(servicesDir)
    .filter((dir) => existsSync(path.join(servicesDir, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(servicesDir, dir, 'package.json'), 'utf8'));
      return [pkg.name, { dir, subpaths: new Set(Object.keys(pkg.exports ?? { '.': null })) }];
    }),
);

function workspaceOf(file) {
  const rel = path.relative(servicesDir, file);
  return rel.startsWith('..') ? undefined : rel.split(path.sep)[0];
}

/** Options: { composition: [{ file, services: [...] }] } — files that may import only `/http` of the listed services. */
export const serviceBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'a workspace uses another only through the entry points its package.json exports' },
    schema: [{ type: 'object', properties: { composition: { type: 'array' } }, additionalProperties: false }],
  },
  create(context) {
    const file = context.filename;
    const own = workspaceOf(file);
    const composition = (context.options[0]?.composition ?? []).find((c) => path.resolve(root, c.file) === file);
    function check(node, source) {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = workspaceOf(path.resolve(path.dirname(file), source));
        if (own !== undefined && target !== own) {
          context.report({ node, message: `${source} reaches into the workspace services/${target ?? '?'} by path; import one of its package.json exports instead` });
        }
        return;
      }
      const m = /^(@ies\/[^/]+)(\/.*)?$/.exec(source);
      if (!m) return;
      const [, name, sub] = m;
      const target = exportsOf.get(name);
      if (!target) {
        context.report({ node, message: `${name} is not a workspace of this repository` });
        return;
      }
      const subpath = sub ? `.${sub}` : '.';
      if (!target.subpaths.has(subpath)) {
        context.report({ node, message: `${source} is not an entry point of ${name}; its package.json exports ${[...target.subpaths].join(', ')}` });
      }
      if (composition && composition.services.includes(name) && subpath !== './http') {
        context.report({ node, message: `${source}: the node's HTTP composition takes a service through its /http entry point only` });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
