import { type StartedLocalStack, stopLocalStack } from './local-stack';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { localStack?: StartedLocalStack }).localStack;
  if (stack) await stopLocalStack(stack.process);
}
