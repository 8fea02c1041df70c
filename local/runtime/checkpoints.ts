import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Stream positions per shard, kept in a file so a restart resumes where it stopped. */
export class CheckpointStore {
  private readonly positions: Record<string, string>;

  constructor(private readonly file?: string) {
    this.positions = file ? load(file) : {};
  }

  get(shardKey: string): string | undefined {
    return this.positions[shardKey];
  }

  set(shardKey: string, position: string): void {
    this.positions[shardKey] = position;
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.positions));
  }
}

function load(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}
