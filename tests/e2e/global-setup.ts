import { startEmulators } from '../../emulators';

/** The emulators the e2e build talks to, on the ports written in `.env.e2e`. */
export const E2E_EMULATOR_PORT = 47190;

export default async function globalSetup() {
  const running = await startEmulators({ port: E2E_EMULATOR_PORT, size: 'demo', seed: 1 });
  return () => running.stop();
}
