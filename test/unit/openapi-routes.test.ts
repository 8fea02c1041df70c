import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { topology } from '../../lib/topology';

/** The published contract and the deployed routes must name the same paths and methods. */
describe('docs/openapi.yaml', () => {
  const document = readFileSync(resolve(__dirname, '../../docs/openapi.yaml'), 'utf8');

  function documentedRoutes(): string[] {
    const routes: string[] = [];
    let path: string | undefined;
    for (const line of document.split('\n')) {
      const pathLine = /^ {2}(\/\S*):$/.exec(line);
      if (pathLine) path = pathLine[1];
      else if (/^\S/.test(line)) path = undefined;
      const method = /^ {4}(get|post|put|delete|patch):$/.exec(line);
      if (path && method?.[1]) routes.push(`${method[1].toUpperCase()} ${path}`);
    }
    return routes.sort();
  }

  it("names each operation's caller kind as the topology does, and only public ones drop SigV4", () => {
    const documented: string[] = [];
    let path: string | undefined;
    let method: string | undefined;
    for (const line of document.split('\n')) {
      const pathLine = /^ {2}(\/\S*):$/.exec(line);
      if (pathLine) path = pathLine[1];
      else if (/^\S/.test(line)) path = undefined;
      method = /^ {4}(get|post):$/.exec(line)?.[1]?.toUpperCase() ?? method;
      const caller = /^ {6}x-caller: (\w+)$/.exec(line)?.[1];
      if (path && caller) documented.push(`${method} ${path} ${caller}`);
      if (path && /^ {6}security: \[\]$/.test(line)) documented.push(`${method} ${path} unsigned`);
    }
    const declared = Object.values(topology.functions)
      .flatMap((fn) => fn.triggers)
      .flatMap((trigger) =>
        trigger.kind === 'http'
          ? [
              `${trigger.method} ${trigger.path} ${trigger.caller}`,
              ...(trigger.caller === 'public' ? [`${trigger.method} ${trigger.path} unsigned`] : []),
            ]
          : [],
      );
    expect(documented.sort()).toEqual(declared.sort());
    expect(document).toMatch(/^security:\n {2}- sigv4: \[\]$/m);
  });

  it('describes exactly the HTTP routes of the topology', () => {
    const deployed = Object.values(topology.functions)
      .flatMap((fn) => fn.triggers)
      .flatMap((trigger) => (trigger.kind === 'http' ? [`${trigger.method} ${trigger.path}`] : []))
      .sort();
    expect(deployed.length).toBeGreaterThan(0);
    expect(documentedRoutes()).toEqual(deployed);
  });
});
