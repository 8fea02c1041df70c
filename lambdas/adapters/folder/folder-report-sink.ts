import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { ReportSink } from '../../ports/report-sink';

/** Reports as files under a folder: the local runtime's stand-in for the reports bucket. */
export class FolderReportSink implements ReportSink {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: string): Promise<string> {
    const path = resolve(this.root, key);
    if (relative(this.root, path).startsWith('..')) throw new Error(`report key ${key} leaves ${this.root}`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    return path;
  }
}
