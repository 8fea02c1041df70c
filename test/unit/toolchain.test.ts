/**
 * One Powertools version across the tree and in every bundle; the Node.js the project declares
 * (engines, .nvmrc, @types/node) is the one Lambda runs.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { cdkBundling } from '../../bench/bundles';
import { FUNCTION_RUNTIME } from '../../lib/constructs/functions';
import { topology } from '../../lib/topology';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
const runtimeMajor = Number(/^nodejs(\d+)/.exec(FUNCTION_RUNTIME.name)?.[1]);
const POWERTOOLS = '@aws-lambda-powertools/';

/** `node_modules/.../@aws-lambda-powertools/<name>/` roots a bundle's inputs come from, by package name. */
function powertoolsCopies(inputs: readonly string[]): Map<string, Set<string>> {
  const copies = new Map<string, Set<string>>();
  for (const input of inputs) {
    const match = /^(.*node_modules\/@aws-lambda-powertools\/([^/]+)\/)/.exec(input);
    if (!match?.[1] || !match[2]) continue;
    copies.set(match[2], (copies.get(match[2]) ?? new Set()).add(match[1]));
  }
  return copies;
}

describe('Powertools', () => {
  test('every @aws-lambda-powertools package is pinned to one and the same version, and the lock holds one copy of each', () => {
    const declared = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith(POWERTOOLS));
    expect(declared.length).toBeGreaterThan(0);
    const versions = new Set(declared.map(([, range]) => range));
    expect([...versions]).toHaveLength(1);
    const [version] = versions;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const locked = Object.entries(lock.packages).filter(([path]) =>
      path.includes(`node_modules/${POWERTOOLS}`),
    );
    const byName = new Map<string, string[]>();
    for (const [path, entry] of locked) {
      const name = path.slice(path.lastIndexOf(POWERTOOLS) + POWERTOOLS.length);
      byName.set(name, [...(byName.get(name) ?? []), `${entry.version}`]);
    }
    for (const [name, copies] of byName) expect({ name, copies }).toEqual({ name, copies: [version] });
  });

  test('the copy detector finds a nested second copy', () => {
    const copies = powertoolsCopies([
      'node_modules/@aws-lambda-powertools/commons/lib/cjs/index.js',
      'node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/cjs/index.js',
      'node_modules/@aws-lambda-powertools/logger/lib/cjs/index.js',
    ]);
    expect(copies.get('commons')?.size).toBe(2);
    expect(copies.get('logger')?.size).toBe(1);
  });

  test('no function bundle (traced, so Tracer is in) holds two copies of a Powertools package', async () => {
    const twice: Record<string, string[]> = {};
    for (const [name, spec] of Object.entries(topology.functions)) {
      const { metafile } = await build({
        ...cdkBundling(true),
        absWorkingDir: ROOT,
        entryPoints: [resolve(ROOT, spec.entry)],
        write: false,
        outfile: join(ROOT, 'cdk.out', 'toolchain-test', name, 'index.js'),
        metafile: true,
        minify: false,
        logLevel: 'silent',
      });
      for (const [pkgName, roots] of powertoolsCopies(Object.keys(metafile.inputs)))
        if (roots.size > 1) twice[`${name}: ${pkgName}`] = [...roots];
    }
    expect(twice).toEqual({});
  }, 120_000);
});

describe('Node.js', () => {
  test('.nvmrc and @types/node name the Lambda runtime major; engines admit it and the Node these tests run on', () => {
    expect(Number(read('.nvmrc').trim())).toBe(runtimeMajor);
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${runtimeMajor}\\.`));
    const minimum = Number(/^>=(\d+)/.exec(pkg.engines.node)?.[1]);
    // What CI runs is supported; the README says when that floor rises (AWS SDK v3 after January 2027: Node 22).
    expect(minimum).toBeLessThanOrEqual(Number(process.versions.node.split('.')[0]));
    expect(minimum).toBeLessThanOrEqual(runtimeMajor);
  });
});
