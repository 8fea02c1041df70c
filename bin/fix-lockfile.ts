import { readFileSync, writeFileSync } from 'node:fs';

/**
 * `npx tsx bin/fix-lockfile.ts` after `npm install`: a registry mirror that serves only some
 * platforms' native builds leaves their optional packages out of package-lock.json, and
 * `npm ci` then refuses the lock. This adds each missing optional package with its os/cpu/libc
 * from its name, so npm ci validates the lock and skips it on every other platform.
 */
type LockEntry = {
  version?: string;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
};

function platformOf(name: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> {
  const [os = '', cpu = '', ...rest] = (name.split('/').pop() ?? '')
    .replace(/^(cli|resolver-binding)-/, '')
    .split('-');
  const variant = rest.join('-');
  const libc = /musl/.test(variant)
    ? ['musl']
    : os === 'linux' && /gnu/.test(variant)
      ? ['glibc']
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

const path = 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, LockEntry> };
const keys = Object.keys(lock.packages);
// npm resolves a dependency from any node_modules folder up the tree: a nested copy counts.
const present = (name: string) =>
  keys.some((key) => key === `node_modules/${name}` || key.endsWith(`/node_modules/${name}`));
let added = 0;
for (const entry of Object.values({ ...lock.packages })) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (present(name) || lock.packages[key]) continue;
    lock.packages[key] = { version: range.replace(/^[\^~]/, ''), optional: true, ...platformOf(name) };
    added += 1;
  }
}
const sorted = Object.keys(lock.packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
lock.packages = Object.fromEntries(sorted.map((key) => [key, lock.packages[key] as LockEntry]));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform-specific optional package(s) to ${path}`);
