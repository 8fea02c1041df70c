/**
 * A poller that runs until stopped: `pollOnce` does one round and says whether it found work;
 * an idle or failed round waits before the next, so an empty source costs little.
 */
export abstract class PollingLoop {
  private running = true;
  private loop: Promise<void> | undefined;

  protected abstract readonly label: string;
  protected abstract readonly idleMs: number;

  protected abstract pollOnce(): Promise<boolean>;

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await this.pollOnce();
      } catch (error) {
        console.error(`[local] ${this.label}:`, error);
      }
      if (!busy) await new Promise((resolve) => setTimeout(resolve, this.idleMs));
    }
  }
}
