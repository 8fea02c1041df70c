import { spawnSync } from 'node:child_process';

export const MIN_JAVA_MAJOR = 17;

export class JavaMissingError extends Error {
  constructor(found: string) {
    super(
      `DynamoDB Local needs a Java ${MIN_JAVA_MAJOR}+ runtime (${found}). ` +
        'Install one, e.g. on Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless',
    );
    this.name = 'JavaMissingError';
  }
}

/** Parses `java -version` output ("1.8.0_392" is 8, "17.0.15" is 17). */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) throw new JavaMissingError('no `java` on PATH');
  const major = javaMajorVersion(`${result.stderr}${result.stdout}`);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new JavaMissingError(`found version ${major ?? 'unknown'}`);
  }
}
