import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local stand-in for the order-id secret in Secrets Manager: generated once into the data folder
 * (owner-only file) and kept, so order ids stay stable across restarts; one per run in memory.
 */
export async function localOrderIdSecret(dataDir: string | undefined): Promise<string> {
  const fresh = randomBytes(32).toString('hex');
  if (!dataDir) return fresh;
  const file = join(dataDir, 'order-id-secret');
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, fresh, { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = (await readFile(file, 'utf8')).trim();
  if (stored.length < 32)
    throw new Error(`${file} holds no usable order-id secret (delete it to generate one)`);
  return stored;
}
