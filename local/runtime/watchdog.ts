import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { whenParentExits } from './parent-watch';

/**
 * `watchdog.ts <command> [args...]`: runs the command and ends it when our parent (the local
 * runtime) is gone, even after a `kill -9` of the runtime that no cleanup code survives. SIGTERM
 * and SIGINT are passed on; the command's exit code is ours, and its pid goes to the parent over
 * IPC when there is a channel. DynamoDB Local's JVM runs under it so a crashed runtime never
 * leaves a java process holding the port and the data folder.
 */
const GRACE_MS = 2000;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: watchdog.ts <command> [args...]');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
// The runtime may have to end the command itself if this watchdog is stuck (e.g. SIGSTOPped).
if (child.pid !== undefined) process.send?.({ commandPid: child.pid });
process.channel?.unref();

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), GRACE_MS).unref();
}

child.once('error', (error) => {
  console.error(`watchdog: cannot run ${command}: ${error.message}`);
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
whenParentExits(stop);
